.class public final Lcom/google/android/libraries/places/api/Places;
.super Ljava/lang/Object;
.source "Places.java"

.method public constructor <init>()V
    .registers 1

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method

.method public static initialize(Landroid/content/Context;Ljava/lang/String;)V
    .registers 2

    return-void
.end method
