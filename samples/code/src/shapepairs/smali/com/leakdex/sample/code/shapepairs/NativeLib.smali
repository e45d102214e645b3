.class public final L{{PKG_PATH}}/NativeLib;
.super Ljava/lang/Object;
.source "NativeLib.java"


# direct methods
.method static constructor <clinit>()V
    .registers 1

    const-string v0, "pairs"

    invoke-static {v0}, Ljava/lang/System;->loadLibrary(Ljava/lang/String;)V

    return-void
.end method

.method public constructor <init>()V
    .registers 1

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method

.method public static native pair(I)Ljava/lang/String;
.end method
