package com.google.firebase;

/** Minimal stub of Firebase's FirebaseOptions and its Builder. */
public final class FirebaseOptions {
    FirebaseOptions() { }

    public static final class Builder {
        public Builder() { }
        public Builder setApiKey(String apiKey) { return this; }
        public Builder setApplicationId(String applicationId) { return this; }
        public Builder setDatabaseUrl(String databaseUrl) { return this; }
        public FirebaseOptions build() { return new FirebaseOptions(); }
    }
}
