.class public final L{{PKG_PATH}}/SdkDebug;
.super Ljava/lang/Object;
.source "SdkDebug.java"


# direct methods
.method public constructor <init>()V
    .registers 1

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method

.method public static docsExample()Lcom/amazonaws/auth/BasicAWSCredentials;
    .registers 3

    new-instance v0, Lcom/amazonaws/auth/BasicAWSCredentials;

    const-string v1, "AKIAIOSFODNN7EXAMPLE"

    const-string v2, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

    invoke-direct {v0, v1, v2}, Lcom/amazonaws/auth/BasicAWSCredentials;-><init>(Ljava/lang/String;Ljava/lang/String;)V

    return-object v0
.end method

.method public static placesPlaceholder(Landroid/content/Context;)V
    .registers 2

    const-string v0, "YOUR_API_KEY"

    invoke-static {p0, v0}, Lcom/google/android/libraries/places/api/Places;->initialize(Landroid/content/Context;Ljava/lang/String;)V

    return-void
.end method

.method public static twitterPlaceholder()Lcom/twitter/sdk/android/core/TwitterAuthConfig;
    .registers 3

    new-instance v0, Lcom/twitter/sdk/android/core/TwitterAuthConfig;

    const-string v1, "xxxxxxxxxxxxxxxxxxxxxxxxx"

    const-string v2, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

    invoke-direct {v0, v1, v2}, Lcom/twitter/sdk/android/core/TwitterAuthConfig;-><init>(Ljava/lang/String;Ljava/lang/String;)V

    return-object v0
.end method
