.class public final La/a;
.super Ljava/lang/Object;
.source "SourceFile"

.method public constructor <init>()V
    .registers 1

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method

.method public static a()Ljava/lang/String;
    .registers 1

    const-string v0, "{{CODE_TW_CONSUMER_KEY}}"

    return-object v0
.end method

.method public static b()Ljava/lang/String;
    .registers 1

    const-string v0, "{{CODE_TW_CONSUMER_SECRET}}"

    return-object v0
.end method
