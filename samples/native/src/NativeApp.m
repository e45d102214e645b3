// native-ios main executable (Objective-C, no SDK headers; linked with ld64.lld-19 -fixup_chains, then stripped of
// local symbols: methods are named only by the Objective-C metadata). Every secret is fake (samples/tools/fake_secrets.py).
typedef struct objc_object *id;
@class NSString;
extern void NSLog(NSString *format, ...);

__attribute__((objc_root_class))
@interface NSObject
+ (id)alloc;
@end

@interface SKSecrets : NSObject
+ (const char *)twitterAccessTokenSecret;
+ (NSString *)facebookAppId;
- (NSString *)placeholderTokenSecret;
- (void)logTwitterSecret:(const char *)value;
@end

@implementation SKSecrets
// Planted: a Twitter access-token secret returned by a class method (ADRP+ADD into __TEXT,__cstring).
+ (const char *)twitterAccessTokenSecret { return "{{NATIVE_TW_ACCESS_TOKEN_SECRET|c}}"; }
+ (NSString *)facebookAppId { return @"{{NATIVE_FB_APP_ID|c}}"; }
// Decoy: a placeholder of the same length behind a secret-sounding name.
- (NSString *)placeholderTokenSecret { return @"YOUR_TWITTER_ACCESS_TOKEN_SECRET_GOES_HERE123"; }
// Decoy: a format string and a log line in a method named like a secret.
- (void)logTwitterSecret:(const char *)value { NSLog(@"twitter access token secret=%s (len %d)", value, 45); }
@end

@interface SKSecrets (Facebook)
+ (NSString *)facebookAppSecret;
@end

@implementation SKSecrets (Facebook)
// Planted: a Facebook app secret returned by a category class method as an @"..." literal (__cfstring).
+ (NSString *)facebookAppSecret { return @"{{NATIVE_FB_APP_SECRET|c}}"; }
@end

// A category on a class of another image (NSObject, bound from libSystem here as UIKit/Foundation classes are in an
// app): the category's class is a bind to _OBJC_CLASS_$_NSObject, not a class of this image.
@interface NSObject (SKTwitter)
+ (const char *)twitterConsumerSecret;
@end

@implementation NSObject (SKTwitter)
// Planted: a Twitter consumer secret returned by a category method on NSObject.
+ (const char *)twitterConsumerSecret { return "{{NATIVE_OBJC_TW_CONSUMER_SECRET|c}}"; }
@end

// Planted: an Azure storage key as an NSString constant (__DATA_CONST,__const -> __DATA,__cfstring -> __TEXT,__cstring).
NSString *const kAzureStorageKey = @"{{NATIVE_AZURE_ACCOUNT_KEY|c}}";
// Decoy: the same shape bound to a name that is not a credential's.
NSString *const kBuildFingerprint = @"{{NATIVE_DECOY_B64_88|c}}";

int main(int argc, char **argv) {
  (void)argv;
  if (argc > 3) NSLog(@"%@ %@", kAzureStorageKey, kBuildFingerprint);
  return argc;
}
