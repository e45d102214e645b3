.class public L{{PKG_PATH}}/OAuthClient;
.super Ljava/lang/Object;
.source "OAuthClient.java"


# instance fields
.field private final clientId:Ljava/lang/String;

.field private final clientSecret:Ljava/lang/String;


# direct methods
.method public constructor <init>()V
    .registers 2

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    const-string v0, "leakdex-android-client"

    iput-object v0, p0, L{{PKG_PATH}}/OAuthClient;->clientId:Ljava/lang/String;

    const-string v0, "{{CODE_OAUTH_CLIENT_SECRET}}"

    iput-object v0, p0, L{{PKG_PATH}}/OAuthClient;->clientSecret:Ljava/lang/String;

    return-void
.end method
