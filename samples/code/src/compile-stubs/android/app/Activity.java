package android.app;

/** Compile-only stub of the framework class. */
public class Activity extends android.content.Context {
    public android.content.SharedPreferences getSharedPreferences(String name, int mode) { return null; }
}
