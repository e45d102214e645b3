package com.leakdex.sample.code.compare;

/** A hardcoded admin password as the argument of String.equals. */
public class AuthManager {
    public boolean verifyAdmin(String input) {
        return input.equals("{{CODE_ADMIN_PASSWORD}}");
    }
}
