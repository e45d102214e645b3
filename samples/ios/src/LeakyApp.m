// LeakyApp main executable (Objective-C, no SDK headers): C strings, CFString literals, a UTF-16 literal, a const array.
@class NSString;

// Planted: Twitter app-only bearer token as a C string (__TEXT,__cstring).
const char *const kTwitterBearerToken = "{{TWITTER_BEARER_TOKEN|c}}";
// Planted: Slack bot token as an Objective-C literal (__DATA,__cfstring -> __TEXT,__cstring).
NSString *const kSlackBotToken = @"{{SLACK_BOT_TOKEN|c}}";
// Planted: Stripe restricted key inside a non-ASCII literal: clang puts it in __TEXT,__ustring as UTF-16.
NSString *const kCheckoutBanner = @"Paiement sécurisé ✓ {{STRIPE_RESTRICTED_KEY|c}}";
// Planted: Azure connection string as a const char array (__TEXT,__const, no NUL scan needed).
__attribute__((used)) const char kAzureConnection[] = "{{AZURE_STORAGE_CONNECTION_STRING|c}}";
// Decoys: the AWS documentation example pair and a placeholder.
const char *const kDocsKeyId = "AKIAIOSFODNN7EXAMPLE";
const char *const kDocsSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
NSString *const kMapsPlaceholder = @"YOUR_API_KEY";

extern void NSLog(NSString *format, ...);
extern int leakykit_version(void);

int main(int argc, char **argv) {
  (void)argv;
  if (argc > 5) NSLog(@"%@ %@ %@ %s %s %s", kSlackBotToken, kCheckoutBanner, kMapsPlaceholder, kTwitterBearerToken, kDocsKeyId, kDocsSecret);
  return leakykit_version() + (int)kAzureConnection[argc];
}
