.class public final L{{PKG_PATH}}/AwsSetup;
.super Ljava/lang/Object;
.source "AwsSetup.java"


# direct methods
.method public constructor <init>()V
    .registers 1

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method

.method public static cognito(Landroid/content/Context;)Lcom/amazonaws/auth/CognitoCachingCredentialsProvider;
    .registers 4

    new-instance v0, Lcom/amazonaws/auth/CognitoCachingCredentialsProvider;

    const-string v1, "{{CODE_SDK_COGNITO_POOL}}"

    sget-object v2, Lcom/amazonaws/regions/Regions;->US_EAST_1:Lcom/amazonaws/regions/Regions;

    invoke-direct {v0, p0, v1, v2}, Lcom/amazonaws/auth/CognitoCachingCredentialsProvider;-><init>(Landroid/content/Context;Ljava/lang/String;Lcom/amazonaws/regions/Regions;)V

    return-object v0
.end method

.method public static credentials()Lcom/amazonaws/auth/BasicAWSCredentials;
    .registers 3

    new-instance v0, Lcom/amazonaws/auth/BasicAWSCredentials;

    const-string v1, "{{CODE_SDK_AWS_ACCESS_KEY_ID}}"

    const-string v2, "{{CODE_SDK_AWS_SECRET_ACCESS_KEY}}"

    invoke-direct {v0, v1, v2}, Lcom/amazonaws/auth/BasicAWSCredentials;-><init>(Ljava/lang/String;Ljava/lang/String;)V

    return-object v0
.end method

.method public static session()Lcom/amazonaws/auth/BasicSessionCredentials;
    .registers 4

    new-instance v0, Lcom/amazonaws/auth/BasicSessionCredentials;

    const-string v1, "{{CODE_SDK_AWS_SESSION_KEY_ID}}"

    const-string v2, "{{CODE_SDK_AWS_SESSION_SECRET}}"

    const-string v3, "{{CODE_SDK_AWS_SESSION_TOKEN}}"

    invoke-direct {v0, v1, v2, v3}, Lcom/amazonaws/auth/BasicSessionCredentials;-><init>(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;)V

    return-object v0
.end method
