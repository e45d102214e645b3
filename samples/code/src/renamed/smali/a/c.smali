.class public La/c;
.super Ljava/lang/Object;
.source "SourceFile"

.field private final a:Ljava/lang/String;

.field private final b:Ljava/lang/String;

.method public constructor <init>()V
    .registers 2

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    const-string v0, "leakdex-android-client"

    iput-object v0, p0, La/c;->a:Ljava/lang/String;

    const-string v0, "{{CODE_OAUTH_CLIENT_SECRET}}"

    iput-object v0, p0, La/c;->b:Ljava/lang/String;

    return-void
.end method
