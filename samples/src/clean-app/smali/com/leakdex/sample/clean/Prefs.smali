.class public final Lcom/leakdex/sample/clean/Prefs;
.super Ljava/lang/Object;
.source "Prefs.java"


# static fields
.field public static final EXTRA_PASSWORD:Ljava/lang/String; = "password"

.field public static final KEY_SECRET_MODE:Ljava/lang/String; = "secret_mode"

.field public static final PREF_KEY_API_KEY_ENABLED:Ljava/lang/String; = "pref_api_key_enabled"

.field public static final PREF_KEY_TOKEN_EXPIRY:Ljava/lang/String; = "token_expiry_ms"

.field public static final TOKEN_ENDPOINT:Ljava/lang/String; = "https://oauth2.googleapis.com/token"


# direct methods
.method public constructor <init>()V
    .registers 1

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method
