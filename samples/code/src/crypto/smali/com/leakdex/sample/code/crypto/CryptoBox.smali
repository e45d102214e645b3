.class public final L{{PKG_PATH}}/CryptoBox;
.super Ljava/lang/Object;
.source "CryptoBox.java"


# direct methods
.method public constructor <init>()V
    .registers 1

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method

.method public static aesKey()Ljavax/crypto/spec/SecretKeySpec;
    .registers 3

    new-instance v0, Ljavax/crypto/spec/SecretKeySpec;

    const-string v1, "{{CODE_AES_KEY16}}"

    invoke-virtual {v1}, Ljava/lang/String;->getBytes()[B

    move-result-object v1

    const-string v2, "AES"

    invoke-direct {v0, v1, v2}, Ljavax/crypto/spec/SecretKeySpec;-><init>([BLjava/lang/String;)V

    return-object v0
.end method

.method public static cipher()Ljavax/crypto/Cipher;
    .registers 4
    .annotation system Ldalvik/annotation/Throws;
        value = {
            Ljava/security/GeneralSecurityException;
        }
    .end annotation

    const-string v0, "AES/CBC/PKCS5Padding"

    invoke-static {v0}, Ljavax/crypto/Cipher;->getInstance(Ljava/lang/String;)Ljavax/crypto/Cipher;

    move-result-object v0

    invoke-static {}, L{{PKG_PATH}}/CryptoBox;->aesKey()Ljavax/crypto/spec/SecretKeySpec;

    move-result-object v1

    invoke-static {}, L{{PKG_PATH}}/CryptoBox;->iv()Ljavax/crypto/spec/IvParameterSpec;

    move-result-object v2

    const/4 v3, 0x1

    invoke-virtual {v0, v3, v1, v2}, Ljavax/crypto/Cipher;->init(ILjava/security/Key;Ljava/security/spec/AlgorithmParameterSpec;)V

    return-object v0
.end method

.method static hex(Ljava/lang/String;)[B
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

.method public static hmacKey()Ljavax/crypto/spec/SecretKeySpec;
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

.method public static iv()Ljavax/crypto/spec/IvParameterSpec;
    .registers 2

    new-instance v0, Ljavax/crypto/spec/IvParameterSpec;

    const-string v1, "{{CODE_AES_IV16}}"

    invoke-virtual {v1}, Ljava/lang/String;->getBytes()[B

    move-result-object v1

    invoke-direct {v0, v1}, Ljavax/crypto/spec/IvParameterSpec;-><init>([B)V

    return-object v0
.end method

.method public static mac()Ljavax/crypto/Mac;
    .registers 2
    .annotation system Ldalvik/annotation/Throws;
        value = {
            Ljava/security/GeneralSecurityException;
        }
    .end annotation

    const-string v0, "HmacSHA256"

    invoke-static {v0}, Ljavax/crypto/Mac;->getInstance(Ljava/lang/String;)Ljavax/crypto/Mac;

    move-result-object v0

    invoke-static {}, L{{PKG_PATH}}/CryptoBox;->hmacKey()Ljavax/crypto/spec/SecretKeySpec;

    move-result-object v1

    invoke-virtual {v0, v1}, Ljavax/crypto/Mac;->init(Ljava/security/Key;)V

    return-object v0
.end method

.method public static passwordSpec([B)Ljavax/crypto/spec/PBEKeySpec;
    .registers 6

    new-instance v0, Ljavax/crypto/spec/PBEKeySpec;

    const-string v1, "{{CODE_PBE_PASSWORD}}"

    invoke-virtual {v1}, Ljava/lang/String;->toCharArray()[C

    move-result-object v1

    const/16 v2, 0x3e8

    const/16 v3, 0x100

    invoke-direct {v0, v1, p0, v2, v3}, Ljavax/crypto/spec/PBEKeySpec;-><init>([C[BII)V

    return-object v0
.end method

.method public static wrappingKey()Ljavax/crypto/spec/SecretKeySpec;
    .registers 3

    new-instance v0, Ljavax/crypto/spec/SecretKeySpec;

    const-string v1, "{{CODE_AES_KEY_HEX}}"

    invoke-static {v1}, L{{PKG_PATH}}/CryptoBox;->hex(Ljava/lang/String;)[B

    move-result-object v1

    const-string v2, "AES"

    invoke-direct {v0, v1, v2}, Ljavax/crypto/spec/SecretKeySpec;-><init>([BLjava/lang/String;)V

    return-object v0
.end method
