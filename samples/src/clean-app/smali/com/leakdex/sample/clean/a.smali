.class final Lcom/leakdex/sample/clean/a;
.super Ljava/lang/Object;
.source "SourceFile"


# direct methods
.method constructor <init>()V
    .registers 1

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method

.method static a()[Ljava/lang/String;
    .registers 4

    const/4 v0, 0x5

    new-array v0, v0, [Ljava/lang/String;

    const/4 v1, 0x0

    const-string v2, "{{CLEAN_OBFUSCATED_ID}}"

    aput-object v2, v0, v1

    const/4 v1, 0x1

    const-string v2, "{{CLEAN_ASSET_SHA1}}"

    aput-object v2, v0, v1

    const/4 v1, 0x2

    const-string v2, "{{CLEAN_MD5}}"

    aput-object v2, v0, v1

    const/4 v1, 0x3

    const-string v2, "{{CLEAN_NONCE_B64}}"

    aput-object v2, v0, v1

    const/4 v1, 0x4

    const-string v2, "{{CLEAN_SCHEMA_UUID}}"

    aput-object v2, v0, v1

    return-object v0
.end method

.method static b()Ljava/lang/String;
    .registers 1

    const-string v0, "data:image/png;base64,{{CLEAN_ICON_PNG_B64}}"

    return-object v0
.end method
