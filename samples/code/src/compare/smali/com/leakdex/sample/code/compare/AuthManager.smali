.class public L{{PKG_PATH}}/AuthManager;
.super Ljava/lang/Object;
.source "AuthManager.java"


# direct methods
.method public constructor <init>()V
    .registers 1

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method


# virtual methods
.method public verifyAdmin(Ljava/lang/String;)Z
    .registers 3

    const-string v0, "{{CODE_ADMIN_PASSWORD}}"

    invoke-virtual {p1, v0}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z

    move-result v0

    return v0
.end method
