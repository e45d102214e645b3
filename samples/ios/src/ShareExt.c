// PlugIns/ShareExt.appex/ShareExt: an app extension with a Twitter user access token in __TEXT,__cstring.
const char *const share_twitter_access_token = "{{TWITTER_ACCESS_TOKEN|c}}";

int main(int argc, char **argv) { return share_twitter_access_token[argc] + (argv != 0); }
