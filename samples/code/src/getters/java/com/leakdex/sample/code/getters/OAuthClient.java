package com.leakdex.sample.code.getters;

/** An OAuth client secret assigned to an instance field in the constructor (iput-object). */
public class OAuthClient {
    private final String clientId;
    private final String clientSecret;

    public OAuthClient() {
        this.clientId = "leakdex-android-client";
        this.clientSecret = "{{CODE_OAUTH_CLIENT_SECRET}}";
    }
}
