.class public final Lcom/leakdex/quirks/BuildConfig;
.super Ljava/lang/Object;
.source "BuildConfig.java"

.field public static final APPLICATION_ID:Ljava/lang/String; = "com.leakdex.quirks.zip_fake_encrypted"

.field public static final GITHUB_TOKEN:Ljava/lang/String; = "@@GITHUB_TOKEN_FAKE_ENCRYPTED@@"
