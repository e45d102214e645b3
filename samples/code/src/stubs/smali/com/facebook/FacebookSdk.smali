.class public final Lcom/facebook/FacebookSdk;
.super Ljava/lang/Object;
.source "FacebookSdk.java"

.method public constructor <init>()V
    .registers 1

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method

.method public static setApplicationId(Ljava/lang/String;)V
    .registers 1

    return-void
.end method

.method public static setClientToken(Ljava/lang/String;)V
    .registers 1

    return-void
.end method
