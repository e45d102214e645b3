// Frameworks/LeakyKit.framework/LeakyKit: a dylib framework with a Google OAuth client secret in __TEXT,__cstring.
const char *const leakykit_oauth_client_secret = "{{GOOGLE_OAUTH_CLIENT_SECRET|c}}";
const char *const leakykit_oauth_client_id = "{{GOOGLE_OAUTH_CLIENT_ID|c}}";

int leakykit_version(void) { return leakykit_oauth_client_secret[0] + leakykit_oauth_client_id[0]; }
