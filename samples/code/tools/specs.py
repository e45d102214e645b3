"""What each code-context sample contains: package, sources, planted secrets (with the pointer, context and code the
DEX decoder must report, per docs/code-context.md) and decoys. Values come from samples/tools/fake_secrets.py."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'tools'))
from fake_secrets import SECRETS  # noqa: E402

DEX = 'classes.dex'
SO = 'lib/arm64-v8a/libpairs.so'
BLOB = 'assets/blob.bin'
AWS_DOC_KEY_ID = 'AKIAIOSFODNN7EXAMPLE'
AWS_DOC_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'


def dotted(descriptor):
    return descriptor[1:-1].replace('/', '.')


def use(cls, method, pc, what, rule, severity, slot, context, note=None, literal=None):
    """One planted use: cls is a descriptor (`Lcom/x/Y;`), method is `name(args)ret` as smali writes it.
    `literal` is the const-string text when the secret is only part of it (a key inside a URL)."""
    name = method.split('(')[0]
    p = {'ruleId': rule, 'severity': severity, 'secret': SECRETS[slot], 'entry': DEX}
    if literal:
        p['literal'] = SECRETS[literal]
    p.update({'context': context, 'pointer': '%s->%s+0x%04x: %s' % (cls, method, pc, what),
              'code': '%s in %s.%s' % (what, dotted(cls), name)})
    if note:
        p['note'] = note
    return p


def decoy(text, why, context, entry=DEX):
    return {'text': text, 'entry': entry, 'why': why, 'context': context}


def common_decoys(cls):
    """The decoys of src/common (Decoys.java) in every sample; cls is its descriptor in that sample."""
    return [
        decoy(SECRETS['CODE_DECOY_UI_ALNUM50'], 'UI string (TextView.setText) with the shape of a Twitter consumer secret', cls),
        decoy(SECRETS['CODE_DECOY_UI_HEX32'], 'UI string (setText) with the shape of a Facebook app secret / Algolia key', cls),
        decoy(SECRETS['CODE_DECOY_UI_B64_40'], 'UI string (setText) with the shape of an AWS secret access key', cls),
        decoy(SECRETS['CODE_DECOY_LOG_ALNUM32'], 'log message (Log.d(TAG, ...)) with the shape of an API key', cls),
        decoy(SECRETS['CODE_DECOY_LOG_ALNUM25'], 'log message (Log.d) with the shape of a Twitter consumer key', cls),
        decoy('api_key', 'SharedPreferences.getString key name, not a value', cls),
        decoy('client_secret', 'SharedPreferences.getString key name, not a value', cls),
        decoy('YOUR_API_KEY', 'placeholder (static field set in <clinit>)', cls),
        decoy('x' * 32, 'placeholder in a static field named like a secret', cls),
        decoy('android.intent.action.VIEW', 'intent action compared in a non-auth method (handleIntent)', cls),
        decoy('com.leakdex.LOGIN', 'intent action compared in a login method', cls),
        decoy(SECRETS['CODE_DECOY_FLAG_HEX32'], 'random-looking id compared in a non-auth method (isExperimentEnabled)', cls),
        decoy(AWS_DOC_KEY_ID, 'AWS documentation example access key id', cls),
        decoy(AWS_DOC_SECRET, 'AWS documentation example secret key', cls),
    ]


def pkg(name):
    return 'com.leakdex.sample.code.' + name


def d(name, simple):
    return 'L%s/%s;' % (pkg(name).replace('.', '/'), simple)


# ---------------------------------------------------------------------------------------------------- code-getters
G = 'getters'
TK = d(G, 'TwitterKeys')
GETTERS = {
    'pkg': pkg(G), 'src': 'getters', 'kotlin': True, 'label': 'Leakdex code: getters',
    'planted': [
        use(TK, 'consumerKey()Ljava/lang/String;', 0x2, 'return', 'twitter-consumer-key', 'medium',
            'CODE_TW_CONSUMER_KEY', 'consumerKey'),
        use(TK, 'consumerSecret()Ljava/lang/String;', 0x2, 'return', 'twitter-consumer-secret', 'critical',
            'CODE_TW_CONSUMER_SECRET', 'consumerSecret', note='its key consumerKey() is in the same class scope'),
        use(TK, 'getAccessTokenSecret()Ljava/lang/String;', 0x2, 'return', 'twitter-access-token-secret', 'high',
            'CODE_TW_ACCESS_TOKEN_SECRET', 'getAccessTokenSecret'),
        use(d(G, 'ApiClient'), '<clinit>()V', 0x6, 'sput %s.ApiClient.apiSecret' % pkg(G), 'generic-secret', 'medium',
            'CODE_CLINIT_API_SECRET', 'apiSecret', note='non-final static field assigned in <clinit>'),
        use(d(G, 'ApiConfig'), '<clinit>()V', 0x9, 'sput %s.ApiConfig.apiToken' % pkg(G), 'generic-secret', 'medium',
            'CODE_KT_API_TOKEN', 'apiToken', note='Kotlin object, non-const val: private static final field set in <clinit>, read by getApiToken()'),
        use(d(G, 'OAuthClient'), '<init>()V', 0x9, 'iput %s.OAuthClient.clientSecret' % pkg(G), 'generic-secret', 'medium',
            'CODE_OAUTH_CLIENT_SECRET', 'clientSecret', note='instance field assigned in the constructor'),
    ],
    'decoys': [
        decoy('x' * 25, 'placeholder returned by a getter named consumerKeyPlaceholder', TK),
        decoy('leakdex-android-client', 'OAuth client id (public), iput clientId', d(G, 'OAuthClient')),
        decoy('https://api.leakdex-sample.io/v1/', 'URL without credentials (sput baseUrl)', d(G, 'ApiClient')),
    ] + common_decoys(d(G, 'Decoys')),
}

# ----------------------------------------------------------------------------------------------------- code-crypto
C = 'crypto'
CB = d(C, 'CryptoBox')
SKS = 'arg 0 of javax.crypto.spec.SecretKeySpec.<init> via '
CRYPTO = {
    'pkg': pkg(C), 'src': 'crypto', 'label': 'Leakdex code: crypto',
    'planted': [
        use(CB, 'aesKey()Ljavax/crypto/spec/SecretKeySpec;', 0xa, SKS + 'java.lang.String.getBytes',
            'crypto-hardcoded-key', 'high', 'CODE_AES_KEY16', None),
        use(CB, 'iv()Ljavax/crypto/spec/IvParameterSpec;', 0x8,
            'arg 0 of javax.crypto.spec.IvParameterSpec.<init> via java.lang.String.getBytes',
            'crypto-hardcoded-key', 'high', 'CODE_AES_IV16', 'IvParameterSpec'),
        use(CB, 'passwordSpec([B)Ljavax/crypto/spec/PBEKeySpec;', 0xc,
            'arg 0 of javax.crypto.spec.PBEKeySpec.<init> via java.lang.String.toCharArray',
            'crypto-hardcoded-key', 'high', 'CODE_PBE_PASSWORD', None),
        use(CB, 'hmacKey()Ljavax/crypto/spec/SecretKeySpec;', 0xb, SKS + 'android.util.Base64.decode',
            'crypto-hardcoded-key', 'high', 'CODE_HMAC_KEY_B64', None, note='base64 of 32 random bytes'),
        use(CB, 'wrappingKey()Ljavax/crypto/spec/SecretKeySpec;', 0xa, SKS + pkg(C) + '.CryptoBox.hex',
            'crypto-hardcoded-key', 'high', 'CODE_AES_KEY_HEX', None, note='through the app hex decoder static byte[] hex(String)'),
    ],
    'decoys': [
        decoy('AES/CBC/PKCS5Padding', 'algorithm name (Cipher.getInstance)', CB),
        decoy('HmacSHA256', 'algorithm name (SecretKeySpec arg 1, Mac.getInstance)', CB),
        decoy('AES', 'algorithm name (SecretKeySpec arg 1; under 4 characters, not tracked)', CB),
    ] + common_decoys(d(C, 'Decoys')),
}

# ---------------------------------------------------------------------------------------------------- code-compare
P = 'compare'
COMPARE = {
    'pkg': pkg(P), 'src': 'compare', 'kotlin': True, 'label': 'Leakdex code: compare', 'activities': ['.LoginActivity'],
    'planted': [
        use(d(P, 'LoginActivity'), 'checkPassword(Ljava/lang/String;)Z', 0x2, 'receiver of java.lang.String.equals',
            'credential-compared-in-code', 'medium', 'CODE_LOGIN_PASSWORD', 'equals'),
        use(d(P, 'AuthManager'), 'verifyAdmin(Ljava/lang/String;)Z', 0x2, 'arg 0 of java.lang.String.equals',
            'credential-compared-in-code', 'medium', 'CODE_ADMIN_PASSWORD', 'equals'),
        use(d(P, 'LockScreen'), 'unlock(Ljava/lang/String;)V', 0x2, 'arg 0 of java.lang.String.equals',
            'credential-compared-in-code', 'medium', 'CODE_UNLOCK_PIN', 'equals', note='unlock PIN'),
        use(d(P, 'SessionManager'), 'login(Ljava/lang/String;)Z', 0x7, 'arg 1 of kotlin.jvm.internal.Intrinsics.areEqual',
            'credential-compared-in-code', 'medium', 'CODE_KT_LOGIN_SECRET', None, note='Kotlin input == "..."'),
    ],
    'decoys': [
        decoy('com.leakdex.LOGIN', 'intent action compared in a login method (LoginActivity.onLoginIntent)', d(P, 'LoginActivity')),
        decoy('input', 'parameter name given to Intrinsics.checkParameterIsNotNull', d(P, 'SessionManager')),
    ] + common_decoys(d(P, 'Decoys')),
}

# ------------------------------------------------------------------------------------------------------- code-urls
U = 'urls'
WEATHER_BASE = 'https://api.example-weather.io/v1/forecast?api_key='
URLS = {
    'pkg': pkg(U), 'src': 'urls', 'label': 'Leakdex code: urls',
    'planted': [
        use(d(U, 'GeoApi'), 'geocode()Lokhttp3/Request;', 0x7, 'arg 0 of okhttp3.Request$Builder.url',
            'url-query-credential', 'medium', 'CODE_URL_APIKEY', 'url', literal='CODE_URL_LITERAL',
            note='literal URL ' + SECRETS['CODE_URL_LITERAL'].split('?')[0] + '?apikey=<secret>&format=json; '
                 'secret is the apikey value, the const-string is the whole URL'),
        use(d(U, 'WeatherApi'), 'forecastUrl(Ljava/lang/String;)Ljava/lang/String;', 0xd,
            'arg 0 of java.lang.StringBuilder.append after "%s"' % WEATHER_BASE,
            'url-query-credential', 'medium', 'CODE_WEATHER_API_KEY', WEATHER_BASE),
        use(d(U, 'ApiClient'), 'profile()Lokhttp3/Request;', 0xd, 'arg 0 of java.lang.StringBuilder.append after "Bearer "',
            'http-authorization-credential', 'high', 'CODE_BEARER_TOKEN', 'Bearer ',
            note='"Bearer " + token, then addHeader("Authorization", ...)'),
        use(d(U, 'ApiClient'), 'search()Lokhttp3/Request;', 0xf, 'arg 1 of okhttp3.Request$Builder.addHeader after "X-Api-Key"',
            'generic-secret', 'medium', 'CODE_X_API_KEY', 'X-Api-Key'),
        use(d(U, 'ApiClient'), 'serviceAuth()Ljava/lang/String;', 0x4, 'arg 1 of okhttp3.Credentials.basic after "svc-user"',
            'http-authorization-credential', 'high', 'CODE_BASIC_PASSWORD', 'svc-user'),
    ],
    'decoys': [
        decoy('https://api.example-geo.io/v2/status', 'URL without credentials', d(U, 'GeoApi')),
        decoy('https://api.example-geo.io/v2/geocode?apikey=YOUR_API_KEY', 'URL with a placeholder key', d(U, 'GeoApi')),
        decoy('application/json', 'Accept header value', d(U, 'ApiClient')),
        decoy(SECRETS['CODE_DECOY_REQUEST_ID'], 'X-Request-Id header value (UUID, not a credential)', d(U, 'ApiClient')),
        decoy('svc-user', 'user name given to Credentials.basic', d(U, 'ApiClient')),
    ] + common_decoys(d(U, 'Decoys')),
}

# -------------------------------------------------------------------------------------------------------- code-sdk
K = 'sdk'
SS = d(K, 'SdkSetup')
AW = d(K, 'AwsSetup')
CFB = 'twitter4j.conf.ConfigurationBuilder.'
TWK = 'com.twitter.sdk.android.core.TwitterAuthConfig.<init>'
FBO = 'com.google.firebase.FirebaseOptions$Builder.'
SDK = {
    'pkg': pkg(K), 'src': 'sdk', 'label': 'Leakdex code: sdk',
    'planted': [
        use(SS, 'twitter4j()Ltwitter4j/conf/ConfigurationBuilder;', 0x7, 'arg 0 of ' + CFB + 'setOAuthConsumerKey',
            'twitter-consumer-key', 'medium', 'CODE_SDK_TW_CONSUMER_KEY', 'setOAuthConsumerKey'),
        use(SS, 'twitter4j()Ltwitter4j/conf/ConfigurationBuilder;', 0xd, 'arg 0 of ' + CFB + 'setOAuthConsumerSecret',
            'twitter-consumer-secret', 'critical', 'CODE_SDK_TW_CONSUMER_SECRET', 'setOAuthConsumerSecret'),
        use(SS, 'twitter4j()Ltwitter4j/conf/ConfigurationBuilder;', 0x13, 'arg 0 of ' + CFB + 'setOAuthAccessToken',
            'twitter-access-token', 'high', 'CODE_SDK_TW_ACCESS_TOKEN', 'setOAuthAccessToken'),
        use(SS, 'twitter4j()Ltwitter4j/conf/ConfigurationBuilder;', 0x19, 'arg 0 of ' + CFB + 'setOAuthAccessTokenSecret',
            'twitter-access-token-secret', 'high', 'CODE_SDK_TW_ACCESS_TOKEN_SECRET', 'setOAuthAccessTokenSecret'),
        use(SS, 'twitterKit()Lcom/twitter/sdk/android/core/TwitterAuthConfig;', 0x6, 'arg 0 of ' + TWK,
            'twitter-consumer-key', 'medium', 'CODE_SDK_TWKIT_CONSUMER_KEY', None),
        use(SS, 'twitterKit()Lcom/twitter/sdk/android/core/TwitterAuthConfig;', 0x6,
            'arg 1 of %s after "%s"' % (TWK, SECRETS['CODE_SDK_TWKIT_CONSUMER_KEY']),
            'twitter-consumer-secret', 'critical', 'CODE_SDK_TWKIT_CONSUMER_SECRET', SECRETS['CODE_SDK_TWKIT_CONSUMER_KEY'],
            note='context is the literal of the previous argument (the consumer key), per docs/code-context.md'),
        use(SS, 'facebook()V', 0x2, 'arg 0 of com.facebook.FacebookSdk.setApplicationId',
            'facebook-app-id', 'info', 'CODE_SDK_FB_APP_ID', 'setApplicationId'),
        use(SS, 'facebook()V', 0x7, 'arg 0 of com.facebook.FacebookSdk.setClientToken',
            'facebook-client-token', 'low', 'CODE_SDK_FB_CLIENT_TOKEN', 'setClientToken'),
        use(SS, 'firebase()Lcom/google/firebase/FirebaseOptions;', 0x7, 'arg 0 of ' + FBO + 'setApiKey',
            'google-api-key', 'medium', 'CODE_SDK_FIREBASE_API_KEY', 'setApiKey',
            note='medium = the rule default: "setApiKey" is not in the rule\'s client-key names (its low adjustment); '
                 'change to low if the rules treat FirebaseOptions.Builder.setApiKey as a client-key binding'),
        use(SS, 'firebase()Lcom/google/firebase/FirebaseOptions;', 0x13, 'arg 0 of ' + FBO + 'setDatabaseUrl',
            'firebase-database-url', 'low', 'CODE_SDK_FIREBASE_URL', 'setDatabaseUrl'),
        use(SS, 'places(Landroid/content/Context;)V', 0x2, 'arg 1 of com.google.android.libraries.places.api.Places.initialize',
            'google-api-key', 'medium', 'CODE_SDK_PLACES_API_KEY', None),
        use(SS, 'stripe(Landroid/content/Context;)V', 0x2, 'arg 1 of com.stripe.android.PaymentConfiguration.init',
            'stripe-publishable-key', 'info', 'CODE_SDK_STRIPE_PK', None),
        use(SS, 'algolia()Lcom/algolia/search/saas/Client;', 0x6, 'arg 0 of com.algolia.search.saas.Client.<init>',
            'algolia-app-id', 'info', 'CODE_SDK_ALGOLIA_APP_ID', None),
        use(SS, 'algolia()Lcom/algolia/search/saas/Client;', 0x6,
            'arg 1 of com.algolia.search.saas.Client.<init> after "%s"' % SECRETS['CODE_SDK_ALGOLIA_APP_ID'],
            'algolia-admin-key', 'critical', 'CODE_SDK_ALGOLIA_ADMIN_KEY', SECRETS['CODE_SDK_ALGOLIA_APP_ID'],
            note='critical = the rule\'s pairWith algolia-app-id (same class scope); high if the app id is not identified'),
        use(SS, 'mapbox(Landroid/content/Context;)V', 0x2, 'arg 1 of com.mapbox.mapboxsdk.Mapbox.getInstance',
            'mapbox-public-token', 'info', 'CODE_SDK_MAPBOX_TOKEN', None),
        use(AW, 'credentials()Lcom/amazonaws/auth/BasicAWSCredentials;', 0x6, 'arg 0 of com.amazonaws.auth.BasicAWSCredentials.<init>',
            'aws-access-key-id', 'high', 'CODE_SDK_AWS_ACCESS_KEY_ID', None),
        use(AW, 'credentials()Lcom/amazonaws/auth/BasicAWSCredentials;', 0x6,
            'arg 1 of com.amazonaws.auth.BasicAWSCredentials.<init> after "%s"' % SECRETS['CODE_SDK_AWS_ACCESS_KEY_ID'],
            'aws-secret-access-key', 'critical', 'CODE_SDK_AWS_SECRET_ACCESS_KEY', SECRETS['CODE_SDK_AWS_ACCESS_KEY_ID']),
        use(AW, 'session()Lcom/amazonaws/auth/BasicSessionCredentials;', 0x8, 'arg 0 of com.amazonaws.auth.BasicSessionCredentials.<init>',
            'aws-access-key-id', 'high', 'CODE_SDK_AWS_SESSION_KEY_ID', None, note='ASIA (temporary) key id'),
        use(AW, 'session()Lcom/amazonaws/auth/BasicSessionCredentials;', 0x8,
            'arg 1 of com.amazonaws.auth.BasicSessionCredentials.<init> after "%s"' % SECRETS['CODE_SDK_AWS_SESSION_KEY_ID'],
            'aws-secret-access-key', 'critical', 'CODE_SDK_AWS_SESSION_SECRET', SECRETS['CODE_SDK_AWS_SESSION_KEY_ID'],
            note='the session token (arg 2, an IQoJb3JpZ2luX2Vj... string) is not planted: there is no aws-session-token rule'),
        use(AW, 'cognito(Landroid/content/Context;)Lcom/amazonaws/auth/CognitoCachingCredentialsProvider;', 0x6,
            'arg 1 of com.amazonaws.auth.CognitoCachingCredentialsProvider.<init>',
            'aws-cognito-identity-pool', 'medium', 'CODE_SDK_COGNITO_POOL', None),
    ],
    'decoys': [
        decoy(AWS_DOC_KEY_ID, 'AWS documentation example given to BasicAWSCredentials', d(K, 'SdkDebug')),
        decoy(AWS_DOC_SECRET, 'AWS documentation example given to BasicAWSCredentials', d(K, 'SdkDebug')),
        decoy('YOUR_API_KEY', 'placeholder given to Places.initialize', d(K, 'SdkDebug')),
        decoy('x' * 25, 'placeholder consumer key given to TwitterAuthConfig', d(K, 'SdkDebug')),
        decoy('x' * 50, 'placeholder consumer secret given to TwitterAuthConfig', d(K, 'SdkDebug')),
        decoy(SECRETS['CODE_SDK_FIREBASE_APP_ID'], 'Firebase app id (FirebaseOptions.Builder.setApplicationId), public identifier', SS),
    ] + common_decoys(d(K, 'Decoys')),
}

# ---------------------------------------------------------------------------------------------------- code-renamed
R = 'renamed'
RL = d(R, 'LoginActivity')
RENAMED = {
    'pkg': pkg(R), 'src': 'renamed', 'label': 'Leakdex code: renamed', 'activities': ['.LoginActivity'], 'common': False,
    'planted': [
        use('La/d;', 'a()Ljavax/crypto/spec/SecretKeySpec;', 0xa, SKS + 'java.lang.String.getBytes',
            'crypto-hardcoded-key', 'high', 'CODE_AES_KEY16', None, note='CryptoBox.aesKey of code-crypto, renamed a.d.a'),
        use('La/d;', 'b()Ljavax/crypto/spec/SecretKeySpec;', 0xb, SKS + 'android.util.Base64.decode',
            'crypto-hardcoded-key', 'high', 'CODE_HMAC_KEY_B64', None, note='CryptoBox.hmacKey, renamed a.d.b'),
        use('La/d;', 'c()Ljavax/crypto/spec/SecretKeySpec;', 0xa, SKS + 'a.d.a',
            'crypto-hardcoded-key', 'high', 'CODE_AES_KEY_HEX', None,
            note='CryptoBox.wrappingKey through hex(String), both renamed: a static String -> [B method is still a transform'),
        use(RL, 'a(Ljava/lang/String;)Z', 0x2, 'receiver of java.lang.String.equals',
            'credential-compared-in-code', 'medium', 'CODE_LOGIN_PASSWORD', 'equals',
            note='LoginActivity keeps its name (declared in the manifest); checkPassword renamed a: the class name still speaks of login'),
        use('La/f;', 'a(Ljava/lang/String;)Ljava/lang/String;', 0xd, 'arg 0 of java.lang.StringBuilder.append after "%s"' % WEATHER_BASE,
            'url-query-credential', 'medium', 'CODE_WEATHER_API_KEY', WEATHER_BASE, note='WeatherApi.forecastUrl, renamed a.f.a'),
        use('La/g;', 'a()Lokhttp3/Request;', 0xd, 'arg 0 of java.lang.StringBuilder.append after "Bearer "',
            'http-authorization-credential', 'high', 'CODE_BEARER_TOKEN', 'Bearer ', note='ApiClient.profile of code-urls, renamed a.g.a'),
        use('La/g;', 'b()Ljava/lang/String;', 0x4, 'arg 1 of okhttp3.Credentials.basic after "svc-user"',
            'http-authorization-credential', 'high', 'CODE_BASIC_PASSWORD', 'svc-user', note='ApiClient.serviceAuth, renamed a.g.b'),
        use('La/h;', 'a()Ltwitter4j/conf/ConfigurationBuilder;', 0x7, 'arg 0 of ' + CFB + 'setOAuthConsumerKey',
            'twitter-consumer-key', 'medium', 'CODE_SDK_TW_CONSUMER_KEY', 'setOAuthConsumerKey', note='SdkSetup.twitter4j, renamed a.h.a'),
        use('La/h;', 'a()Ltwitter4j/conf/ConfigurationBuilder;', 0xd, 'arg 0 of ' + CFB + 'setOAuthConsumerSecret',
            'twitter-consumer-secret', 'critical', 'CODE_SDK_TW_CONSUMER_SECRET', 'setOAuthConsumerSecret'),
        use('La/h;', 'a()Ltwitter4j/conf/ConfigurationBuilder;', 0x13, 'arg 0 of ' + CFB + 'setOAuthAccessToken',
            'twitter-access-token', 'high', 'CODE_SDK_TW_ACCESS_TOKEN', 'setOAuthAccessToken'),
        use('La/h;', 'a()Ltwitter4j/conf/ConfigurationBuilder;', 0x19, 'arg 0 of ' + CFB + 'setOAuthAccessTokenSecret',
            'twitter-access-token-secret', 'high', 'CODE_SDK_TW_ACCESS_TOKEN_SECRET', 'setOAuthAccessTokenSecret'),
        use('La/i;', 'a()Lcom/amazonaws/auth/BasicAWSCredentials;', 0x6, 'arg 0 of com.amazonaws.auth.BasicAWSCredentials.<init>',
            'aws-access-key-id', 'high', 'CODE_SDK_AWS_ACCESS_KEY_ID', None, note='AwsSetup.credentials, renamed a.i.a'),
        use('La/i;', 'a()Lcom/amazonaws/auth/BasicAWSCredentials;', 0x6,
            'arg 1 of com.amazonaws.auth.BasicAWSCredentials.<init> after "%s"' % SECRETS['CODE_SDK_AWS_ACCESS_KEY_ID'],
            'aws-secret-access-key', 'critical', 'CODE_SDK_AWS_SECRET_ACCESS_KEY', SECRETS['CODE_SDK_AWS_ACCESS_KEY_ID']),
    ],
    'lostWhenRenamed': [
        dict(use('La/a;', 'a()Ljava/lang/String;', 0x2, 'return', 'twitter-consumer-key', 'medium', 'CODE_TW_CONSUMER_KEY', 'a'),
             reason='TwitterKeys.consumerKey() renamed a.a.a(): the getter name was the only evidence; no library callee'),
        dict(use('La/a;', 'b()Ljava/lang/String;', 0x2, 'return', 'twitter-consumer-secret', 'critical', 'CODE_TW_CONSUMER_SECRET', 'b'),
             reason='TwitterKeys.consumerSecret() renamed a.a.b(): name lost, and its key is lost with it (no pair)'),
        dict(use('La/b;', '<clinit>()V', 0x2, 'sput a.b.a', 'generic-secret', 'medium', 'CODE_CLINIT_API_SECRET', 'a'),
             reason='static field apiSecret renamed a: the bound name is gone'),
        dict(use('La/c;', '<init>()V', 0x9, 'iput a.c.b', 'generic-secret', 'medium', 'CODE_OAUTH_CLIENT_SECRET', 'b'),
             reason='instance field clientSecret renamed b: the bound name is gone'),
        dict(use('La/e;', 'a(Ljava/lang/String;)Z', 0x2, 'arg 0 of java.lang.String.equals', 'credential-compared-in-code', 'medium',
                 'CODE_ADMIN_PASSWORD', 'equals'),
             reason='AuthManager.verifyAdmin renamed a.e.a: neither the class nor the method speaks of auth any more'),
    ],
    'decoys': [
        decoy('com.leakdex.LOGIN', 'intent action compared in LoginActivity.b (onLoginIntent)', RL),
        decoy('leakdex-android-client', 'OAuth client id (public), iput a.c.a', 'La/c;'),
    ] + common_decoys('La/j;'),
}

# ------------------------------------------------------------------------------------------------ code-shape-pairs
SP = 'shapepairs'


def pair(rule, partner_rule, secret_slot, partner_slot):
    return {'ruleId': rule, 'severity': 'medium', 'confidence': 'medium', 'secret': SECRETS[secret_slot], 'entry': SO,
            'context': None, 'pointer': None, 'code': None,
            'partner': {'ruleId': partner_rule, 'secret': SECRETS[partner_slot]},
            'alsoAt': [{'entry': BLOB}],
            'note': 'no name and no code use: the partner is the string immediately before it in the same string table '
                    '(.rodata of the stripped .so; NUL-separated strings of the asset)'}


SHAPEPAIRS = {
    'pkg': pkg(SP), 'src': 'shapepairs', 'label': 'Leakdex code: shape pairs', 'native': 'native/libpairs.c', 'blob': 'blob.txt',
    'planted': [
        pair('twitter-consumer-secret', 'twitter-consumer-key', 'CODE_PAIR_TW_CONSUMER_SECRET', 'CODE_PAIR_TW_CONSUMER_KEY'),
        pair('facebook-app-secret', 'facebook-app-id', 'CODE_PAIR_FB_APP_SECRET', 'CODE_PAIR_FB_APP_ID'),
    ],
    'decoys': [
        decoy('x' * 25, 'placeholder pair (25 x then 50 x)', None, SO),
        decoy('x' * 50, 'placeholder pair (25 x then 50 x)', None, SO),
        decoy(SECRETS['CODE_DECOY_ALNUM50_ALONE'], '50 alphanumerics after "en_US", not after a 25-character key', None, SO),
        decoy(SECRETS['CODE_DECOY_NUMBER15'], '15 digits followed by "en_US", not by 32 hex', None, SO),
        decoy(SECRETS['CODE_DECOY_GIT_SHA'], 'git commit SHA-1 (40 hex)', None, SO),
        decoy(SECRETS['CODE_DECOY_ALNUM50_ALONE'], 'same lone value in the asset', None, BLOB),
    ] + common_decoys(d(SP, 'Decoys')),
}

SAMPLES = {
    'code-getters': GETTERS, 'code-crypto': CRYPTO, 'code-compare': COMPARE, 'code-urls': URLS, 'code-sdk': SDK,
    'code-renamed': RENAMED, 'code-shape-pairs': SHAPEPAIRS,
}
