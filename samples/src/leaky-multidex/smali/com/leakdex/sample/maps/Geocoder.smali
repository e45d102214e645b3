.class public final Lcom/leakdex/sample/maps/Geocoder;
.super Ljava/lang/Object;
.source "Geocoder.java"


# direct methods
.method public constructor <init>()V
    .registers 1

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method

.method public static isConfigured(Ljava/lang/String;)Z
    .registers 3

    const-string v0, "YOUR_API_KEY"

    invoke-virtual {v0, p0}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z

    move-result v1

    if-nez v1, :placeholder

    const/4 v0, 0x1

    return v0

    :placeholder
    const/4 v0, 0x0

    return v0
.end method
