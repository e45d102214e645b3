package kotlin.jvm.internal;

/** Minimal stub of the Kotlin stdlib's Intrinsics as bundled in the app (only for the DEX; kotlinc uses its own). */
public class Intrinsics {
    public static void checkParameterIsNotNull(Object value, String paramName) { }
    public static boolean areEqual(Object first, Object second) { return first == null ? second == null : first.equals(second); }
}
