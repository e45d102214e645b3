/*
 * code-shape-pairs: values with no name and no code use, next to each other in one string table (.rodata).
 * A Twitter consumer key immediately followed by its secret, a Facebook app id followed by its app secret;
 * decoys: a placeholder pair, a lone 50-character value, a 15-digit number followed by a locale, a git SHA.
 * Built with clang -O2 -shared -nostdlib, then llvm-strip: no symbol but the exported accessor names any of it.
 */
static const char *const k[] = {
    "leakdex pairs table v1",
    "{{CODE_PAIR_TW_CONSUMER_KEY|c}}",
    "{{CODE_PAIR_TW_CONSUMER_SECRET|c}}",
    "{{CODE_PAIR_FB_APP_ID|c}}",
    "{{CODE_PAIR_FB_APP_SECRET|c}}",
    "xxxxxxxxxxxxxxxxxxxxxxxxx",
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "{{CODE_DECOY_NUMBER15|c}}",
    "en_US",
    "{{CODE_DECOY_ALNUM50_ALONE|c}}",
    "{{CODE_DECOY_GIT_SHA|c}}",
};

const char *leakdex_pair(unsigned i) {
    return i < sizeof k / sizeof k[0] ? k[i] : 0;
}
