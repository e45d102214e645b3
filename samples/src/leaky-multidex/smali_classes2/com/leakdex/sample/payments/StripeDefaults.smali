.class public final Lcom/leakdex/sample/payments/StripeDefaults;
.super Ljava/lang/Object;
.source "StripeDefaults.java"


# static fields
.field public static final PLACEHOLDER_SECRET:Ljava/lang/String; = "sk_live_XXXXXXXXXXXXXXXXXXXXXXXX"


# direct methods
.method public constructor <init>()V
    .registers 1

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method

.method public static isPlaceholder(Ljava/lang/String;)Z
    .registers 2

    const-string v0, "sk_live_XXXXXXXXXXXXXXXXXXXXXXXX"

    invoke-virtual {v0, p0}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z

    move-result v0

    return v0
.end method
