.class public final Lcom/leakdex/sample/push/PushConfig;
.super Ljava/lang/Object;
.source "PushConfig.java"


# static fields
.field public static final FCM_ENDPOINT:Ljava/lang/String; = "https://fcm.googleapis.com/fcm/send"

.field public static final FCM_SERVER_KEY:Ljava/lang/String; = "{{FCM_SERVER_KEY}}"

.field public static final FCM_TOPIC:Ljava/lang/String; = "/topics/all-users"


# direct methods
.method public constructor <init>()V
    .registers 1

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method
