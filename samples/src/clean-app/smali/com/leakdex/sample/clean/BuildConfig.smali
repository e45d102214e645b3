.class public final Lcom/leakdex/sample/clean/BuildConfig;
.super Ljava/lang/Object;
.source "BuildConfig.java"


# static fields
.field public static final APPLICATION_ID:Ljava/lang/String; = "com.leakdex.sample.clean"

.field public static final BUILD_TYPE:Ljava/lang/String; = "release"

.field public static final DEBUG:Z = false

.field public static final GIT_COMMIT:Ljava/lang/String; = "{{CLEAN_GIT_COMMIT}}"

.field public static final INSTALL_NAMESPACE:Ljava/lang/String; = "{{CLEAN_INSTALL_NAMESPACE}}"

.field public static final VERSION_CODE:I = {{APP_VERSION_CODE}}

.field public static final VERSION_NAME:Ljava/lang/String; = "{{APP_VERSION_NAME}}"


# direct methods
.method public constructor <init>()V
    .registers 1

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method
