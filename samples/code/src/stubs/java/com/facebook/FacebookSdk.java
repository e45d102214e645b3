package com.facebook;

/** Minimal stub of the Facebook SDK entry point. */
public final class FacebookSdk {
    public static void setApplicationId(String applicationId) { }
    public static void setClientToken(String clientToken) { }
}
