.class public final Lcom/leakdex/sample/BuildConfig;
.super Ljava/lang/Object;
.source "BuildConfig.java"


# static fields
.field public static final APPLICATION_ID:Ljava/lang/String; = "com.leakdex.sample.leaky"

.field public static final AWS_ACCESS_KEY_ID:Ljava/lang/String; = "{{AWS_ACCESS_KEY_ID}}"

.field public static final AWS_REGION:Ljava/lang/String; = "us-east-1"

.field public static final AWS_SECRET_ACCESS_KEY:Ljava/lang/String; = "{{AWS_SECRET_ACCESS_KEY}}"

.field public static final BUILD_TYPE:Ljava/lang/String; = "release"

.field public static final DEBUG:Z = false

.field public static final VERSION_CODE:I = {{APP_VERSION_CODE}}

.field public static final VERSION_NAME:Ljava/lang/String; = "{{APP_VERSION_NAME}}"


# direct methods
.method public constructor <init>()V
    .registers 1

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method
