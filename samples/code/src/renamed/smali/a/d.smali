.class public final La/d;
.super Ljava/lang/Object;
.source "SourceFile"

.method public constructor <init>()V
    .registers 1

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method

.method public static a()Ljavax/crypto/spec/SecretKeySpec;
    .registers 3

    new-instance v0, Ljavax/crypto/spec/SecretKeySpec;

    const-string v1, "{{CODE_AES_KEY16}}"

    invoke-virtual {v1}, Ljava/lang/String;->getBytes()[B

    move-result-object v1

    const-string v2, "AES"

    invoke-direct {v0, v1, v2}, Ljavax/crypto/spec/SecretKeySpec;-><init>([BLjava/lang/String;)V

    return-object v0
.end method

.method static a(Ljava/lang/String;)[B
    .registers 8

    invoke-virtual {p0}, Ljava/lang/String;->length()I

    move-result v0

    div-int/lit8 v1, v0, 0x2

    new-array v1, v1, [B

    const/4 v2, 0x0

    :goto_8
    if-ge v2, v0, :cond_2c

    div-int/lit8 v3, v2, 0x2

    invoke-virtual {p0, v2}, Ljava/lang/String;->charAt(I)C

    move-result v4

    const/16 v5, 0x10

    invoke-static {v4, v5}, Ljava/lang/Character;->digit(CI)I

    move-result v4

    shl-int/lit8 v4, v4, 0x4

    add-int/lit8 v6, v2, 0x1

    invoke-virtual {p0, v6}, Ljava/lang/String;->charAt(I)C

    move-result v6

    invoke-static {v6, v5}, Ljava/lang/Character;->digit(CI)I

    move-result v6

    add-int/2addr v4, v6

    int-to-byte v4, v4

    aput-byte v4, v1, v3

    add-int/lit8 v2, v2, 0x2

    goto :goto_8

    :cond_2c
    return-object v1
.end method

.method public static b()Ljavax/crypto/spec/SecretKeySpec;
    .registers 3

    new-instance v0, Ljavax/crypto/spec/SecretKeySpec;

    const-string v1, "{{CODE_HMAC_KEY_B64}}"

    const/4 v2, 0x0

    invoke-static {v1, v2}, Landroid/util/Base64;->decode(Ljava/lang/String;I)[B

    move-result-object v1

    const-string v2, "HmacSHA256"

    invoke-direct {v0, v1, v2}, Ljavax/crypto/spec/SecretKeySpec;-><init>([BLjava/lang/String;)V

    return-object v0
.end method

.method public static c()Ljavax/crypto/spec/SecretKeySpec;
    .registers 3

    new-instance v0, Ljavax/crypto/spec/SecretKeySpec;

    const-string v1, "{{CODE_AES_KEY_HEX}}"

    invoke-static {v1}, La/d;->a(Ljava/lang/String;)[B

    move-result-object v1

    const-string v2, "AES"

    invoke-direct {v0, v1, v2}, Ljavax/crypto/spec/SecretKeySpec;-><init>([BLjava/lang/String;)V

    return-object v0
.end method
