package com.google.android.libraries.places.api;

import android.content.Context;

/** Minimal stub of the Places SDK entry point. */
public final class Places {
    public static void initialize(Context context, String apiKey) { }
}
