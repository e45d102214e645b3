.class public final Lcom/leakdex/sample/code/getters/TwitterKeys;
.super Ljava/lang/Object;
.source "TwitterKeys.java"


# direct methods
.method public constructor <init>()V
    .registers 1

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method

.method public static consumerKey()Ljava/lang/String;
    .registers 1

    const-string v0, "{{CODE_TW_CONSUMER_KEY}}"

    return-object v0
.end method

.method public static consumerKeyPlaceholder()Ljava/lang/String;
    .registers 1

    const-string v0, "xxxxxxxxxxxxxxxxxxxxxxxxx"

    return-object v0
.end method

.method public static consumerSecret()Ljava/lang/String;
    .registers 1

    const-string v0, "{{CODE_TW_CONSUMER_SECRET}}"

    return-object v0
.end method

.method public static getAccessTokenSecret()Ljava/lang/String;
    .registers 1

    const-string v0, "{{CODE_TW_ACCESS_TOKEN_SECRET}}"

    return-object v0
.end method
