.class public L{{PKG_PATH}}/LockScreen;
.super Ljava/lang/Object;
.source "LockScreen.java"


# instance fields
.field private locked:Z


# direct methods
.method public constructor <init>()V
    .registers 2

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    const/4 v0, 0x1

    iput-boolean v0, p0, L{{PKG_PATH}}/LockScreen;->locked:Z

    return-void
.end method


# virtual methods
.method public unlock(Ljava/lang/String;)V
    .registers 3

    const-string v0, "{{CODE_UNLOCK_PIN}}"

    invoke-virtual {p1, v0}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z

    move-result v0

    if-eqz v0, :cond_b

    const/4 v0, 0x0

    iput-boolean v0, p0, L{{PKG_PATH}}/LockScreen;->locked:Z

    :cond_b
    return-void
.end method
