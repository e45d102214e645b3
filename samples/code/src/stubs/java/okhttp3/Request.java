package okhttp3;

/** Minimal stub of OkHttp's Request and its Builder. */
public final class Request {
    Request() { }

    public static class Builder {
        public Builder() { }
        public Builder url(String url) { return this; }
        public Builder addHeader(String name, String value) { return this; }
        public Request build() { return new Request(); }
    }
}
