/* A native library whose section headers are stripped after linking; the key sits in what was .rodata. */
__attribute__((used, visibility("default")))
const char quirk_signing_key[] = "@@PRIVATE_KEY_SO@@";

__attribute__((visibility("default")))
const char *quirk_key(void) { return quirk_signing_key; }
