.class public La/e;
.super Ljava/lang/Object;
.source "SourceFile"

.method public constructor <init>()V
    .registers 1

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method

.method public a(Ljava/lang/String;)Z
    .registers 3

    const-string v0, "{{CODE_ADMIN_PASSWORD}}"

    invoke-virtual {p1, v0}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z

    move-result v0

    return v0
.end method
