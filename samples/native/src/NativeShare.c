// PlugIns/NativeShare.appex/NativeShare: an app extension linked with ld64.lld-14 (classic LC_DYLD_INFO rebase
// opcodes). Pointer globals in __DATA,__data lead to __TEXT,__cstring; their symbols name them.
const char *kShareTwitterKey = "{{NATIVE_TW_CONSUMER_KEY|c}}";
const char *kShareTwitterSecret = "{{NATIVE_TW_CONSUMER_SECRET|c}}";
// Decoys: a log line and a placeholder behind Twitter names.
const char *kShareTwitterLog = "twitter consumer secret missing: set %s in Info.plist";
const char *kShareTwitterPlaceholder = "YOUR_TWITTER_CONSUMER_SECRET";

int main(int argc, char **argv) {
  (void)argv;
  return kShareTwitterKey[argc] + kShareTwitterSecret[argc] + kShareTwitterLog[argc] + kShareTwitterPlaceholder[argc];
}
