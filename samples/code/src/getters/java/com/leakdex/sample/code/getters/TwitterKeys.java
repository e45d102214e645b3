package com.leakdex.sample.code.getters;

/** Twitter credentials returned by getters: the method name is the only name the value has. */
public final class TwitterKeys {
    public static String consumerKey() {
        return "{{CODE_TW_CONSUMER_KEY}}";
    }

    public static String consumerSecret() {
        return "{{CODE_TW_CONSUMER_SECRET}}";
    }

    public static String getAccessTokenSecret() {
        return "{{CODE_TW_ACCESS_TOKEN_SECRET}}";
    }

    /** Decoy: a placeholder returned by a getter with a credential name. */
    public static String consumerKeyPlaceholder() {
        return "xxxxxxxxxxxxxxxxxxxxxxxxx";
    }
}
