package com.leakdex.sample.code.urls;

import okhttp3.Credentials;
import okhttp3.Request;

/** Credentials in HTTP headers: an appended Bearer token, an X-Api-Key header, okhttp3.Credentials.basic. */
public final class ApiClient {
    public static Request profile() {
        String auth = new StringBuilder().append("Bearer ").append("{{CODE_BEARER_TOKEN}}").toString();
        return new Request.Builder()
                .url("https://api.leakdex-sample.io/v1/me")
                .addHeader("Authorization", auth)
                .addHeader("Accept", "application/json")
                .build();
    }

    public static Request search() {
        return new Request.Builder()
                .url("https://search.leakdex-sample.io/v1/query")
                .addHeader("X-Api-Key", "{{CODE_X_API_KEY}}")
                .addHeader("X-Request-Id", "{{CODE_DECOY_REQUEST_ID}}")
                .build();
    }

    public static String serviceAuth() {
        return Credentials.basic("svc-user", "{{CODE_BASIC_PASSWORD}}");
    }
}
