.class public final Lcom/leakdex/quirks/Strings;
.super Ljava/lang/Object;
.source "Strings.java"

# MUTF-8 edge cases next to a secret: U+0000 (C0 80), U+1F600 (two 3-byte surrogates), a lone high surrogate.
.field public static final NUL_ONLY:Ljava/lang/String; = "\u0000"

.field public static final LONE_SURROGATE:Ljava/lang/String; = "broken\ud800half"

.method public static mapsKey()Ljava/lang/String;
    .registers 1
    const-string v0, "\u0000@@GOOGLE_API_KEY_MUTF8@@\ud83d\ude00\ud800"
    return-object v0
.end method

.method public static greeting()Ljava/lang/String;
    .registers 1
    const-string v0, "h\u00e9llo \u4e16\u754c \ud83d\ude80"
    return-object v0
.end method
