package com.leakdex.sample.code.renamed;

import android.app.Activity;

/** Kept by name (manifest); methods renamed by R8: checkPassword -> a, onLoginIntent -> b. */
public class LoginActivity extends Activity {
    public boolean checkPassword(String input) {
        return "{{CODE_LOGIN_PASSWORD}}".equals(input);
    }

    public boolean onLoginIntent(String action) {
        return "com.leakdex.LOGIN".equals(action);
    }
}
