.class public final Lcom/leakdex/quirks/PaymentClient;
.super Ljava/lang/Object;
.source "PaymentClient.java"

.method public static authorization()Ljava/lang/String;
    .registers 1
    const-string v0, "Bearer @@STRIPE_SECRET_KEY_UNKNOWN_METHOD@@"
    return-object v0
.end method
