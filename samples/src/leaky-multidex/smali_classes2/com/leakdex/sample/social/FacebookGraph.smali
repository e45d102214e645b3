.class public final Lcom/leakdex/sample/social/FacebookGraph;
.super Ljava/lang/Object;
.source "FacebookGraph.java"


# static fields
.field public static final GRAPH_URL:Ljava/lang/String; = "https://graph.facebook.com/v18.0/"


# direct methods
.method public constructor <init>()V
    .registers 1

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method

.method public static appAccessToken()Ljava/lang/String;
    .registers 1

    const-string v0, "{{FACEBOOK_APP_ACCESS_TOKEN}}"

    return-object v0
.end method
