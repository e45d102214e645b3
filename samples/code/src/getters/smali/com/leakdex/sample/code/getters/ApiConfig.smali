.class public final L{{PKG_PATH}}/ApiConfig;
.super Ljava/lang/Object;
.source "ApiConfig.kt"


# static fields
.field public static final INSTANCE:L{{PKG_PATH}}/ApiConfig;

.field private static final apiToken:Ljava/lang/String;


# direct methods
.method static constructor <clinit>()V
    .registers 1

    new-instance v0, L{{PKG_PATH}}/ApiConfig;

    invoke-direct {v0}, L{{PKG_PATH}}/ApiConfig;-><init>()V

    sput-object v0, L{{PKG_PATH}}/ApiConfig;->INSTANCE:L{{PKG_PATH}}/ApiConfig;

    const-string v0, "{{CODE_KT_API_TOKEN}}"

    sput-object v0, L{{PKG_PATH}}/ApiConfig;->apiToken:Ljava/lang/String;

    return-void
.end method

.method private constructor <init>()V
    .registers 1

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method


# virtual methods
.method public final getApiToken()Ljava/lang/String;
    .registers 2

    sget-object v0, L{{PKG_PATH}}/ApiConfig;->apiToken:Ljava/lang/String;

    return-object v0
.end method
