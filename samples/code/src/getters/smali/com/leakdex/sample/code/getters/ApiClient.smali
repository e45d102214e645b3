.class public L{{PKG_PATH}}/ApiClient;
.super Ljava/lang/Object;
.source "ApiClient.java"


# static fields
.field static apiSecret:Ljava/lang/String;

.field static baseUrl:Ljava/lang/String;


# direct methods
.method static constructor <clinit>()V
    .registers 1

    const-string v0, "https://api.leakdex-sample.io/v1/"

    sput-object v0, L{{PKG_PATH}}/ApiClient;->baseUrl:Ljava/lang/String;

    const-string v0, "{{CODE_CLINIT_API_SECRET}}"

    sput-object v0, L{{PKG_PATH}}/ApiClient;->apiSecret:Ljava/lang/String;

    return-void
.end method

.method public constructor <init>()V
    .registers 1

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method
