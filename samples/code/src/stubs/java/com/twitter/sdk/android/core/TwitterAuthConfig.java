package com.twitter.sdk.android.core;

/** Minimal stub of Twitter Kit's TwitterAuthConfig. */
public class TwitterAuthConfig {
    public TwitterAuthConfig(String consumerKey, String consumerSecret) { }
}
