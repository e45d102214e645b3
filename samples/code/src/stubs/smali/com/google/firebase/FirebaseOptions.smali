.class public final Lcom/google/firebase/FirebaseOptions;
.super Ljava/lang/Object;
.source "FirebaseOptions.java"

.annotation system Ldalvik/annotation/MemberClasses;
    value = {
        Lcom/google/firebase/FirebaseOptions$Builder;
    }
.end annotation

.method  constructor <init>()V
    .registers 1

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method
