.class public final La/i;
.super Ljava/lang/Object;
.source "SourceFile"

.method public constructor <init>()V
    .registers 1

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method

.method public static a()Lcom/amazonaws/auth/BasicAWSCredentials;
    .registers 3

    new-instance v0, Lcom/amazonaws/auth/BasicAWSCredentials;

    const-string v1, "{{CODE_SDK_AWS_ACCESS_KEY_ID}}"

    const-string v2, "{{CODE_SDK_AWS_SECRET_ACCESS_KEY}}"

    invoke-direct {v0, v1, v2}, Lcom/amazonaws/auth/BasicAWSCredentials;-><init>(Ljava/lang/String;Ljava/lang/String;)V

    return-object v0
.end method
