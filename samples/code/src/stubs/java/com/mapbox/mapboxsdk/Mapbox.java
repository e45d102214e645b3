package com.mapbox.mapboxsdk;

import android.content.Context;

/** Minimal stub of the Mapbox Maps SDK entry point. */
public final class Mapbox {
    public static Mapbox getInstance(Context context, String accessToken) { return null; }
}
