.class public Lcom/amazonaws/auth/CognitoCachingCredentialsProvider;
.super Ljava/lang/Object;
.source "CognitoCachingCredentialsProvider.java"

.method public constructor <init>(Landroid/content/Context;Ljava/lang/String;Lcom/amazonaws/regions/Regions;)V
    .registers 4

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method
