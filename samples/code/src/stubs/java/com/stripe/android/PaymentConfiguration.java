package com.stripe.android;

import android.content.Context;

/** Minimal stub of Stripe's PaymentConfiguration. */
public final class PaymentConfiguration {
    public static void init(Context context, String publishableKey) { }
}
