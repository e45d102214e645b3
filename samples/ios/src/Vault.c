// Vault: the executable of encrypted-ios.ipa. Its __TEXT range is marked FairPlay-encrypted (cryptid 1) and scrambled
// after linking, as the App Store does: this GitHub token is unreadable and must NOT be reported.
const char *const vault_github_token = "{{GITHUB_TOKEN|c}}";

int main(int argc, char **argv) { return vault_github_token[argc] + (argv != 0); }
