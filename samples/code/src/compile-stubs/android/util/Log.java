package android.util;

/** Compile-only stub of the framework class. */
public final class Log {
    public static int d(String tag, String msg) { return 0; }
}
