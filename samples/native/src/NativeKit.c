// Frameworks/NativeKit.framework/NativeKit: a universal dylib (arm64 with chained fixups + x86_64 simulator).
// A function symbol names the literal its arm64 code addresses; a const array is named by its own symbol.
#define KEEP __attribute__((used, visibility("default")))
KEEP const char *ldx_slack_signing_secret(void) { return "{{NATIVE_SLACK_SIGNING_SECRET|c}}"; }
KEEP const char kStripeSecretKey[] = "{{NATIVE_STRIPE_TEST_KEY|c}}";
// Decoy: a request id of a secret-like shape behind a neutral name.
KEEP const char *ldx_request_id(void) { return "{{NATIVE_DECOY_HEX32|c}}"; }
