.class public final Lcom/leakdex/quirks/AwsConfig;
.super Ljava/lang/Object;
.source "AwsConfig.java"

.field public static final AWS_ACCESS_KEY_ID:Ljava/lang/String; = "@@AWS_ACCESS_KEY_ID_LOCAL_NAME@@"

.field public static final AWS_REGION:Ljava/lang/String; = "eu-west-1"
