package com.leakdex.sample.code.sdk;

import android.content.Context;
import com.algolia.search.saas.Client;
import com.facebook.FacebookSdk;
import com.google.android.libraries.places.api.Places;
import com.google.firebase.FirebaseOptions;
import com.mapbox.mapboxsdk.Mapbox;
import com.stripe.android.PaymentConfiguration;
import com.twitter.sdk.android.core.TwitterAuthConfig;
import twitter4j.conf.ConfigurationBuilder;

/** Values whose only identification is the SDK call they are given to. */
public final class SdkSetup {
    public static ConfigurationBuilder twitter4j() {
        return new ConfigurationBuilder()
                .setOAuthConsumerKey("{{CODE_SDK_TW_CONSUMER_KEY}}")
                .setOAuthConsumerSecret("{{CODE_SDK_TW_CONSUMER_SECRET}}")
                .setOAuthAccessToken("{{CODE_SDK_TW_ACCESS_TOKEN}}")
                .setOAuthAccessTokenSecret("{{CODE_SDK_TW_ACCESS_TOKEN_SECRET}}");
    }

    public static TwitterAuthConfig twitterKit() {
        return new TwitterAuthConfig("{{CODE_SDK_TWKIT_CONSUMER_KEY}}", "{{CODE_SDK_TWKIT_CONSUMER_SECRET}}");
    }

    public static void facebook() {
        FacebookSdk.setApplicationId("{{CODE_SDK_FB_APP_ID}}");
        FacebookSdk.setClientToken("{{CODE_SDK_FB_CLIENT_TOKEN}}");
    }

    public static FirebaseOptions firebase() {
        return new FirebaseOptions.Builder()
                .setApiKey("{{CODE_SDK_FIREBASE_API_KEY}}")
                .setApplicationId("{{CODE_SDK_FIREBASE_APP_ID}}")
                .setDatabaseUrl("{{CODE_SDK_FIREBASE_URL}}")
                .build();
    }

    public static void places(Context context) {
        Places.initialize(context, "{{CODE_SDK_PLACES_API_KEY}}");
    }

    public static void stripe(Context context) {
        PaymentConfiguration.init(context, "{{CODE_SDK_STRIPE_PK}}");
    }

    public static Client algolia() {
        return new Client("{{CODE_SDK_ALGOLIA_APP_ID}}", "{{CODE_SDK_ALGOLIA_ADMIN_KEY}}");
    }

    public static void mapbox(Context context) {
        Mapbox.getInstance(context, "{{CODE_SDK_MAPBOX_TOKEN}}");
    }
}
