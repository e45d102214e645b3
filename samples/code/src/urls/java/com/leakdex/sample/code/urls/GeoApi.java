package com.leakdex.sample.code.urls;

import okhttp3.Request;

/** A literal URL carrying ?apikey=, given to OkHttp. */
public final class GeoApi {
    public static Request geocode() {
        return new Request.Builder().url("{{CODE_URL_LITERAL}}").build();
    }

    /** Decoys: a URL without credentials and one with a placeholder key. */
    public static Request status() {
        return new Request.Builder().url("https://api.example-geo.io/v2/status").build();
    }

    public static Request demo() {
        return new Request.Builder().url("https://api.example-geo.io/v2/geocode?apikey=YOUR_API_KEY").build();
    }
}
