package android.content;

/** Compile-only stub of the framework interface. */
public interface SharedPreferences {
    String getString(String key, String defValue);
}
