/*
 * lib/<abi>/libnativekeys.so of native-jni.apk: JNI natives of com.leakdex.nativekeys.Keys, pointer globals relocated
 * by R_*_RELATIVE, a const array. No NDK headers: the JNIEnv function table is declared to the one slot used.
 */
typedef void *jobject;
typedef void *jstring;
typedef struct JNINativeInterface_ *JNIEnv_;
struct JNINativeInterface_ { void *reserved[167]; jstring (*NewStringUTF)(JNIEnv_ *, const char *); };
#define KEEP __attribute__((used, visibility("default")))

/* Planted: JNI getters, like `native String getApiKey()` in Java. */
KEEP jstring Java_com_leakdex_nativekeys_Keys_getApiKey(JNIEnv_ *env, jobject thiz) {
  (void)thiz;
  return (*env)->NewStringUTF(env, "{{NATIVE_JNI_API_KEY|c}}");
}
KEEP jstring Java_com_leakdex_nativekeys_Keys_getTwitterConsumerSecret(JNIEnv_ *env, jobject thiz) {
  (void)thiz;
  return (*env)->NewStringUTF(env, "{{NATIVE_JNI_TW_CONSUMER_SECRET|c}}");
}
/* Decoy: a log message returned by a JNI method with a secret-sounding name. */
KEEP jstring Java_com_leakdex_nativekeys_Keys_getSecretHint(JNIEnv_ *env, jobject thiz) {
  (void)thiz;
  return (*env)->NewStringUTF(env, "secret not configured: call Keys.init(%s) first");
}

/* Planted: a pointer global (.data.rel.ro slot + R_*_RELATIVE -> .rodata) and a const array in .rodata. */
static const char *const kAzureAccountKey __attribute__((used)) = "{{NATIVE_ELF_AZURE_ACCOUNT_KEY|c}}";
KEEP const char kFacebookAppSecret[] = "{{NATIVE_ELF_FB_APP_SECRET|c}}";
KEEP const char *ldx_azure_key(void) { return kAzureAccountKey; }
/* Decoy: a placeholder behind a credential name. */
KEEP const char *const kStripeSecretPlaceholder = "sk_live_YOUR_STRIPE_SECRET_KEY";
