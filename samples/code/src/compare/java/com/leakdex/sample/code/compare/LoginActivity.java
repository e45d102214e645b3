package com.leakdex.sample.code.compare;

import android.app.Activity;

/** A hardcoded password compared with the user's input (receiver of String.equals). */
public class LoginActivity extends Activity {
    public boolean checkPassword(String input) {
        return "{{CODE_LOGIN_PASSWORD}}".equals(input);
    }

    /** Decoy: an intent action compared in a login method. */
    public boolean onLoginIntent(String action) {
        return "com.leakdex.LOGIN".equals(action);
    }
}
