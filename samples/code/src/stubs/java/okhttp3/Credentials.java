package okhttp3;

/** Minimal stub of OkHttp's Credentials. */
public final class Credentials {
    public static String basic(String username, String password) { return null; }
}
