package com.leakdex.sample.code.sdk;

import android.content.Context;
import com.amazonaws.auth.BasicAWSCredentials;
import com.google.android.libraries.places.api.Places;
import com.twitter.sdk.android.core.TwitterAuthConfig;

/** Decoys: the AWS documentation key pair and placeholders given to the same SDK calls. */
public final class SdkDebug {
    public static BasicAWSCredentials docsExample() {
        return new BasicAWSCredentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    }

    public static void placesPlaceholder(Context context) {
        Places.initialize(context, "YOUR_API_KEY");
    }

    public static TwitterAuthConfig twitterPlaceholder() {
        return new TwitterAuthConfig("xxxxxxxxxxxxxxxxxxxxxxxxx", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    }
}
