package com.leakdex.sample.code.compare;

/** A hardcoded unlock PIN. */
public class LockScreen {
    private boolean locked = true;

    public void unlock(String pin) {
        if (pin.equals("{{CODE_UNLOCK_PIN}}")) {
            locked = false;
        }
    }
}
