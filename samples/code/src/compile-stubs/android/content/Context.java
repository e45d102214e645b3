package android.content;

/** Compile-only stub of the framework class (never bundled: the framework provides it). */
public abstract class Context {
    public abstract SharedPreferences getSharedPreferences(String name, int mode);
}
