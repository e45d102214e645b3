.class public final Lcom/leakdex/sample/payments/StripeClient;
.super Ljava/lang/Object;
.source "StripeClient.java"


# static fields
.field public static final API_BASE:Ljava/lang/String; = "https://api.stripe.com/v1/"

.field public static final PUBLISHABLE_KEY:Ljava/lang/String; = "{{STRIPE_PUBLISHABLE_KEY}}"


# direct methods
.method public constructor <init>()V
    .registers 1

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method

.method public static authorizationHeader()Ljava/lang/String;
    .registers 2

    new-instance v0, Ljava/lang/StringBuilder;

    invoke-direct {v0}, Ljava/lang/StringBuilder;-><init>()V

    const-string v1, "Bearer "

    invoke-virtual {v0, v1}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;

    const-string v1, "{{STRIPE_SECRET_KEY}}"

    invoke-virtual {v0, v1}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;

    invoke-virtual {v0}, Ljava/lang/StringBuilder;->toString()Ljava/lang/String;

    move-result-object v0

    return-object v0
.end method
