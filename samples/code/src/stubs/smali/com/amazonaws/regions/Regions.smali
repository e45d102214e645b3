.class public final Lcom/amazonaws/regions/Regions;
.super Ljava/lang/Object;
.source "Regions.java"

.field public static US_EAST_1:Lcom/amazonaws/regions/Regions;

.method private constructor <init>()V
    .registers 1

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method
