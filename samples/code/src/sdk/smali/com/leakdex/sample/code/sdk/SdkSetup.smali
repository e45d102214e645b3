.class public final L{{PKG_PATH}}/SdkSetup;
.super Ljava/lang/Object;
.source "SdkSetup.java"


# direct methods
.method public constructor <init>()V
    .registers 1

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method

.method public static algolia()Lcom/algolia/search/saas/Client;
    .registers 3

    new-instance v0, Lcom/algolia/search/saas/Client;

    const-string v1, "{{CODE_SDK_ALGOLIA_APP_ID}}"

    const-string v2, "{{CODE_SDK_ALGOLIA_ADMIN_KEY}}"

    invoke-direct {v0, v1, v2}, Lcom/algolia/search/saas/Client;-><init>(Ljava/lang/String;Ljava/lang/String;)V

    return-object v0
.end method

.method public static facebook()V
    .registers 1

    const-string v0, "{{CODE_SDK_FB_APP_ID}}"

    invoke-static {v0}, Lcom/facebook/FacebookSdk;->setApplicationId(Ljava/lang/String;)V

    const-string v0, "{{CODE_SDK_FB_CLIENT_TOKEN}}"

    invoke-static {v0}, Lcom/facebook/FacebookSdk;->setClientToken(Ljava/lang/String;)V

    return-void
.end method

.method public static firebase()Lcom/google/firebase/FirebaseOptions;
    .registers 2

    new-instance v0, Lcom/google/firebase/FirebaseOptions$Builder;

    invoke-direct {v0}, Lcom/google/firebase/FirebaseOptions$Builder;-><init>()V

    const-string v1, "{{CODE_SDK_FIREBASE_API_KEY}}"

    invoke-virtual {v0, v1}, Lcom/google/firebase/FirebaseOptions$Builder;->setApiKey(Ljava/lang/String;)Lcom/google/firebase/FirebaseOptions$Builder;

    move-result-object v0

    const-string v1, "{{CODE_SDK_FIREBASE_APP_ID}}"

    invoke-virtual {v0, v1}, Lcom/google/firebase/FirebaseOptions$Builder;->setApplicationId(Ljava/lang/String;)Lcom/google/firebase/FirebaseOptions$Builder;

    move-result-object v0

    const-string v1, "{{CODE_SDK_FIREBASE_URL}}"

    invoke-virtual {v0, v1}, Lcom/google/firebase/FirebaseOptions$Builder;->setDatabaseUrl(Ljava/lang/String;)Lcom/google/firebase/FirebaseOptions$Builder;

    move-result-object v0

    invoke-virtual {v0}, Lcom/google/firebase/FirebaseOptions$Builder;->build()Lcom/google/firebase/FirebaseOptions;

    move-result-object v0

    return-object v0
.end method

.method public static mapbox(Landroid/content/Context;)V
    .registers 2

    const-string v0, "{{CODE_SDK_MAPBOX_TOKEN}}"

    invoke-static {p0, v0}, Lcom/mapbox/mapboxsdk/Mapbox;->getInstance(Landroid/content/Context;Ljava/lang/String;)Lcom/mapbox/mapboxsdk/Mapbox;

    return-void
.end method

.method public static places(Landroid/content/Context;)V
    .registers 2

    const-string v0, "{{CODE_SDK_PLACES_API_KEY}}"

    invoke-static {p0, v0}, Lcom/google/android/libraries/places/api/Places;->initialize(Landroid/content/Context;Ljava/lang/String;)V

    return-void
.end method

.method public static stripe(Landroid/content/Context;)V
    .registers 2

    const-string v0, "{{CODE_SDK_STRIPE_PK}}"

    invoke-static {p0, v0}, Lcom/stripe/android/PaymentConfiguration;->init(Landroid/content/Context;Ljava/lang/String;)V

    return-void
.end method

.method public static twitter4j()Ltwitter4j/conf/ConfigurationBuilder;
    .registers 2

    new-instance v0, Ltwitter4j/conf/ConfigurationBuilder;

    invoke-direct {v0}, Ltwitter4j/conf/ConfigurationBuilder;-><init>()V

    const-string v1, "{{CODE_SDK_TW_CONSUMER_KEY}}"

    invoke-virtual {v0, v1}, Ltwitter4j/conf/ConfigurationBuilder;->setOAuthConsumerKey(Ljava/lang/String;)Ltwitter4j/conf/ConfigurationBuilder;

    move-result-object v0

    const-string v1, "{{CODE_SDK_TW_CONSUMER_SECRET}}"

    invoke-virtual {v0, v1}, Ltwitter4j/conf/ConfigurationBuilder;->setOAuthConsumerSecret(Ljava/lang/String;)Ltwitter4j/conf/ConfigurationBuilder;

    move-result-object v0

    const-string v1, "{{CODE_SDK_TW_ACCESS_TOKEN}}"

    invoke-virtual {v0, v1}, Ltwitter4j/conf/ConfigurationBuilder;->setOAuthAccessToken(Ljava/lang/String;)Ltwitter4j/conf/ConfigurationBuilder;

    move-result-object v0

    const-string v1, "{{CODE_SDK_TW_ACCESS_TOKEN_SECRET}}"

    invoke-virtual {v0, v1}, Ltwitter4j/conf/ConfigurationBuilder;->setOAuthAccessTokenSecret(Ljava/lang/String;)Ltwitter4j/conf/ConfigurationBuilder;

    move-result-object v0

    return-object v0
.end method

.method public static twitterKit()Lcom/twitter/sdk/android/core/TwitterAuthConfig;
    .registers 3

    new-instance v0, Lcom/twitter/sdk/android/core/TwitterAuthConfig;

    const-string v1, "{{CODE_SDK_TWKIT_CONSUMER_KEY}}"

    const-string v2, "{{CODE_SDK_TWKIT_CONSUMER_SECRET}}"

    invoke-direct {v0, v1, v2}, Lcom/twitter/sdk/android/core/TwitterAuthConfig;-><init>(Ljava/lang/String;Ljava/lang/String;)V

    return-object v0
.end method
