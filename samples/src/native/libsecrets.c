/*
 * leakdex sample native library: every credential here is fake (see samples/README.md).
 * Built with clang --target=aarch64-linux-android21 / armv7a-linux-androideabi21 -shared -nostdlib.
 * Exported or __attribute__((used)) so the linker keeps the strings in .rodata.
 */
#define KEEP __attribute__((used, visibility("default")))

KEEP const char leakdex_backup_key_pem[] = "{{RSA_PRIVATE_KEY_PEM|c}}\n";

KEEP const char leakdex_backup_sas_url[] = "{{AZURE_SAS_URL|c}}";

KEEP const char leakdex_update_pubkey_pem[] = "{{RSA_PUBLIC_KEY_PEM|c}}\n";

static const char kCertificatePins[][64] __attribute__((used)) = {
    "{{CERT_PIN_1|c}}",
    "{{CERT_PIN_2|c}}",
};

static const char kUserAgent[] __attribute__((used)) = "leakdex-sample-native/{{APP_VERSION_NAME|c}} (Android; ñ)";

KEEP const char *leakdex_backup_key(void) { return leakdex_backup_key_pem; }

KEEP const char *leakdex_backup_url(void) { return leakdex_backup_sas_url; }

KEEP const char *leakdex_pin(int index) { return kCertificatePins[index & 1]; }

KEEP const char *leakdex_user_agent(void) { return kUserAgent; }
