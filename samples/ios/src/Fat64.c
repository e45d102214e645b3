// Fat64: a universal binary rewritten with a 64-bit fat header (FAT_MAGIC_64); a Slack webhook as a C string.
const char *const fat64_slack_webhook = "{{SLACK_WEBHOOK_URL|c}}";

int main(int argc, char **argv) { return fat64_slack_webhook[argc] + (argv != 0); }
