#!/usr/bin/python3
"""Fake, format-valid secrets for the leakdex sample apps, and what each sample is expected to contain.

Every value is derived from sha256(label) so a rebuild plants the same bytes; none of it is a real credential.

    fake_secrets.py render SAMPLE OUTDIR        copy samples/src/<project> (+ overlay) into OUTDIR, filling {{NAME}} slots
    fake_secrets.py expected SAMPLE FACTS BUILD OUT  write OUT (the sample's expected.json) with FACTS (app facts from
                                                     aapt/apksigner) and BUILD (entries, pool encodings) JSON files
    fake_secrets.py list                        print the sample names
    fake_secrets.py aapt SAMPLE                 print the aapt flavour (aapt-utf16 | aapt2)
    fake_secrets.py has-native SAMPLE           exit 0 when the sample has a native library

Slots: {{NAME}} raw, {{NAME|c}} C string body, {{NAME|json}} JSON string body, {{NAME|xml}} XML text.
"""
import base64
import hashlib
import json
import os
import re
import shutil
import string
import sys
import urllib.parse

SAMPLES_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(SAMPLES_DIR, 'src')

ALNUM = string.ascii_letters + string.digits
UPPER_B32 = string.ascii_uppercase + '234567'
B64 = string.ascii_letters + string.digits + '+/'
URLSAFE = string.ascii_letters + string.digits + '-_'
HEX = '0123456789abcdef'
DIGITS = string.digits


def gen(label, alphabet, n, salt='leakdex-sample'):
    """n characters of alphabet, drawn from sha256(salt:label:counter): stable across Python versions."""
    out = []
    counter = 0
    while len(out) < n:
        block = hashlib.sha256(('%s:%s:%d' % (salt, label, counter)).encode()).digest()
        counter += 1
        for b in block:
            if b < 256 - (256 % len(alphabet)) and len(out) < n:
                out.append(alphabet[b % len(alphabet)])
    return ''.join(out)


def raw_bytes(label, n):
    return hashlib.shake_256(('leakdex-sample-bytes:%s' % label).encode()).digest(n)


def uuid_from(label):
    h = gen(label, HEX, 32)
    h = h[:12] + '4' + h[13:16] + '89ab'[int(h[16], 16) % 4] + h[17:]
    return '%s-%s-%s-%s-%s' % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def tiny_png_base64(label, size=16):
    """A real size x size RGB PNG with pseudo-random pixels, base64-encoded (an inline-icon look-alike)."""
    import struct
    import zlib
    pixels = raw_bytes(label, size * size * 3)
    rows = b''.join(b'\x00' + pixels[y * size * 3:(y + 1) * size * 3] for y in range(size))

    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)
    png = (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', size, size, 8, 2, 0, 0, 0))
           + chunk(b'IDAT', zlib.compress(rows, 9)) + chunk(b'IEND', b''))
    return base64.b64encode(png).decode()


def read_common(name):
    with open(os.path.join(SRC, 'common', name)) as f:
        return f.read()


def build_secrets():
    s = {}
    s['AWS_ACCESS_KEY_ID'] = 'AKIA' + gen('aws-key-id', UPPER_B32, 16)
    s['AWS_SECRET_ACCESS_KEY'] = gen('aws-secret', B64, 40)
    s['STRIPE_SECRET_KEY'] = 'sk_live_51' + gen('stripe-sk', ALNUM, 32)
    s['STRIPE_TEST_KEY'] = 'sk_test_51' + gen('stripe-sk-test', ALNUM, 32)
    s['STRIPE_PUBLISHABLE_KEY'] = 'pk_live_51' + gen('stripe-pk', ALNUM, 32)
    s['STRIPE_RESTRICTED_KEY'] = 'rk_live_51' + gen('stripe-rk', ALNUM, 32)
    s['GITHUB_TOKEN'] = 'ghp_' + gen('github', ALNUM, 36)
    s['TWITTER_BEARER_TOKEN'] = ('A' * 21 + 'M' + gen('tw-bearer-1', ALNUM, 10) + 'AAAAAA'
                                 + gen('tw-bearer-2', ALNUM, 20) + '%2B' + gen('tw-bearer-3', ALNUM, 14)
                                 + '%3D' + gen('tw-bearer-4', ALNUM, 32))
    s['TWITTER_CONSUMER_KEY'] = gen('tw-consumer-key', ALNUM, 25)
    s['TWITTER_CONSUMER_SECRET'] = gen('tw-consumer-secret', ALNUM, 50)
    s['TWITTER_ACCESS_TOKEN'] = '1' + gen('tw-access-id', DIGITS, 18) + '-' + gen('tw-access', ALNUM, 40)
    s['SLACK_BOT_TOKEN'] = ('xoxb-' + '2' + gen('slack-1', DIGITS, 11) + '-' + '4' + gen('slack-2', DIGITS, 12)
                            + '-' + gen('slack-3', ALNUM, 24))
    s['SLACK_WEBHOOK_URL'] = ('https://hooks.slack.com/services/T' + gen('hook-t', string.ascii_uppercase + DIGITS, 10)
                              + '/B' + gen('hook-b', string.ascii_uppercase + DIGITS, 10) + '/' + gen('hook-s', ALNUM, 24))
    s['AZURE_ACCOUNT_KEY'] = base64.b64encode(raw_bytes('azure-account-key', 64)).decode()
    s['AZURE_STORAGE_CONNECTION_STRING'] = ('DefaultEndpointsProtocol=https;AccountName=leakdexsamplestore;AccountKey='
                                            + s['AZURE_ACCOUNT_KEY'] + ';EndpointSuffix=core.windows.net')
    sig = urllib.parse.quote(base64.b64encode(raw_bytes('azure-sas-sig', 32)).decode(), safe='')
    s['AZURE_SAS_TOKEN'] = ('sv=2022-11-02&ss=b&srt=sco&sp=rl&se=2031-12-31T23:59:59Z&st=2024-01-01T00:00:00Z'
                            '&spr=https&sig=' + sig)
    s['AZURE_SAS_URL'] = 'https://leakdexsamplestore.blob.core.windows.net/backups?' + s['AZURE_SAS_TOKEN']
    s['FCM_SERVER_KEY'] = 'AAAA' + gen('fcm-1', URLSAFE, 7) + ':APA91b' + gen('fcm-2', URLSAFE, 134)
    s['GOOGLE_API_KEY'] = 'AIzaSy' + gen('google-api-key', URLSAFE, 33)
    s['GOOGLE_MAPS_KEY'] = 'AIzaSy' + gen('google-maps-key', URLSAFE, 33)
    s['FIREBASE_DATABASE_URL'] = 'https://leakdex-sample-app.firebaseio.com'
    s['GOOGLE_OAUTH_CLIENT_SECRET'] = 'GOCSPX-' + gen('gocspx', URLSAFE, 28)
    s['GOOGLE_PROJECT_NUMBER'] = '7' + gen('gcp-project-number', DIGITS, 11)
    s['GOOGLE_OAUTH_CLIENT_ID'] = (s['GOOGLE_PROJECT_NUMBER'] + '-' + gen('oauth-client', string.ascii_lowercase + DIGITS, 32)
                                   + '.apps.googleusercontent.com')
    s['GOOGLE_APP_ID'] = '1:' + s['GOOGLE_PROJECT_NUMBER'] + ':android:' + gen('gmp-app-id', HEX, 16)
    s['FACEBOOK_APP_ID'] = '4' + gen('fb-app-id', DIGITS, 14)
    s['FACEBOOK_CLIENT_TOKEN'] = gen('fb-client-token', HEX, 32)
    s['FACEBOOK_APP_SECRET'] = gen('fb-app-secret', HEX, 32)
    s['FACEBOOK_APP_ACCESS_TOKEN'] = s['FACEBOOK_APP_ID'] + '|' + s['FACEBOOK_APP_SECRET']
    s['FACEBOOK_ACCESS_TOKEN'] = 'EAAG' + gen('fb-user-token', ALNUM, 176)
    s['AWS_COGNITO_IDENTITY_POOL'] = 'us-east-1:' + uuid_from('cognito')
    s['GCP_PRIVATE_KEY_ID'] = gen('gcp-private-key-id', HEX, 40)
    s['GCP_CLIENT_EMAIL'] = 'leakdex-uploader@leakdex-sample-app.iam.gserviceaccount.com'
    s['GCP_CLIENT_ID'] = '1' + gen('gcp-client-id', DIGITS, 20)
    s['GCP_PRIVATE_KEY_PEM'] = read_common('fake-rsa-2048.pk8.pem')
    s['RSA_PRIVATE_KEY_PEM'] = read_common('fake-rsa-1024.pem').strip()
    s['RSA_PUBLIC_KEY_PEM'] = read_common('fake-rsa-2048.pub.pem').strip()
    s['CERT_PIN_1'] = 'sha256/' + base64.b64encode(raw_bytes('pin-1', 32)).decode()
    s['CERT_PIN_2'] = 'sha256/' + base64.b64encode(raw_bytes('pin-2', 32)).decode()
    # Noise for clean-app: public identifiers and high-entropy values that are not credentials.
    s['CLEAN_INSTALL_NAMESPACE'] = uuid_from('clean-uuid-1')
    s['CLEAN_SCHEMA_UUID'] = uuid_from('clean-uuid-2')
    s['CLEAN_GIT_COMMIT'] = gen('clean-git', HEX, 40)
    s['CLEAN_ASSET_SHA256'] = gen('clean-sha256', HEX, 64)
    s['CLEAN_ASSET_SHA1'] = gen('clean-sha1', HEX, 40)
    s['CLEAN_MD5'] = gen('clean-md5', HEX, 32)
    s['CLEAN_OBFUSCATED_ID'] = gen('clean-obf', ALNUM, 48)
    s['CLEAN_PROJECT_NUMBER'] = '1234567890'
    s['CLEAN_GOOGLE_APP_ID'] = '1:1234567890:android:' + gen('clean-gmp', HEX, 16)
    s['CLEAN_PIN'] = 'sha256/' + base64.b64encode(raw_bytes('clean-pin', 32)).decode()
    s['CLEAN_NONCE_B64'] = base64.b64encode(raw_bytes('clean-nonce', 48)).decode()
    s['CLEAN_ICON_PNG_B64'] = tiny_png_base64('clean-icon')
    s['CLEAN_OAUTH_CLIENT_ID'] = '1234567890-' + gen('clean-oauth', string.ascii_lowercase + DIGITS, 32) + '.apps.googleusercontent.com'
    s.update(build_code_secrets())
    return s


def build_code_secrets():
    """Secrets of the code-context samples (samples/code/): one label per value, prefixed code-."""
    s = {}
    # code-getters
    s['CODE_TW_CONSUMER_KEY'] = gen('code-getters-tw-consumer-key', ALNUM, 25)
    s['CODE_TW_CONSUMER_SECRET'] = gen('code-getters-tw-consumer-secret', ALNUM, 50)
    s['CODE_TW_ACCESS_TOKEN_SECRET'] = gen('code-getters-tw-access-token-secret', ALNUM, 45)
    s['CODE_CLINIT_API_SECRET'] = gen('code-getters-clinit-api-secret', ALNUM, 32)
    s['CODE_KT_API_TOKEN'] = gen('code-getters-kotlin-api-token', ALNUM, 30)
    s['CODE_OAUTH_CLIENT_SECRET'] = gen('code-getters-oauth-client-secret', ALNUM, 36)
    # code-crypto
    s['CODE_AES_KEY16'] = gen('code-crypto-aes-key16', ALNUM, 16)
    s['CODE_AES_IV16'] = gen('code-crypto-aes-iv16', ALNUM, 16)
    s['CODE_PBE_PASSWORD'] = gen('code-crypto-pbe-password', ALNUM, 11) + '#' + gen('code-crypto-pbe-password-d', DIGITS, 3)
    s['CODE_HMAC_KEY_B64'] = base64.b64encode(raw_bytes('code-crypto-hmac-key', 32)).decode()
    s['CODE_AES_KEY_HEX'] = gen('code-crypto-aes-key-hex', HEX, 64)
    # code-compare
    s['CODE_LOGIN_PASSWORD'] = gen('code-compare-login-password', ALNUM, 10) + '!' + gen('code-compare-login-password-d', DIGITS, 3)
    s['CODE_ADMIN_PASSWORD'] = gen('code-compare-admin-password', ALNUM, 12) + '@' + gen('code-compare-admin-password-d', DIGITS, 2)
    s['CODE_UNLOCK_PIN'] = gen('code-compare-unlock-pin', string.ascii_uppercase + DIGITS, 8)
    s['CODE_KT_LOGIN_SECRET'] = gen('code-compare-kotlin-login-secret', ALNUM, 14) + '$' + gen('code-compare-kotlin-login-secret-d', DIGITS, 2)
    # code-urls
    s['CODE_URL_APIKEY'] = gen('code-urls-literal-apikey', ALNUM, 32)
    s['CODE_URL_LITERAL'] = 'https://api.example-geo.io/v2/geocode?apikey=' + s['CODE_URL_APIKEY'] + '&format=json'
    s['CODE_WEATHER_API_KEY'] = gen('code-urls-weather-api-key', ALNUM, 32)
    s['CODE_BEARER_TOKEN'] = gen('code-urls-bearer-token', ALNUM, 44)
    s['CODE_X_API_KEY'] = gen('code-urls-x-api-key', ALNUM, 32)
    s['CODE_BASIC_PASSWORD'] = gen('code-urls-basic-password', ALNUM, 12) + '%' + gen('code-urls-basic-password-d', DIGITS, 3)
    # code-sdk
    s['CODE_SDK_TW_CONSUMER_KEY'] = gen('code-sdk-tw4j-consumer-key', ALNUM, 25)
    s['CODE_SDK_TW_CONSUMER_SECRET'] = gen('code-sdk-tw4j-consumer-secret', ALNUM, 50)
    s['CODE_SDK_TW_ACCESS_TOKEN'] = '1' + gen('code-sdk-tw4j-access-id', DIGITS, 18) + '-' + gen('code-sdk-tw4j-access', ALNUM, 40)
    s['CODE_SDK_TW_ACCESS_TOKEN_SECRET'] = gen('code-sdk-tw4j-access-token-secret', ALNUM, 45)
    s['CODE_SDK_TWKIT_CONSUMER_KEY'] = gen('code-sdk-twkit-consumer-key', ALNUM, 25)
    s['CODE_SDK_TWKIT_CONSUMER_SECRET'] = gen('code-sdk-twkit-consumer-secret', ALNUM, 50)
    s['CODE_SDK_FB_APP_ID'] = '2' + gen('code-sdk-fb-app-id', DIGITS, 14)
    s['CODE_SDK_FB_CLIENT_TOKEN'] = gen('code-sdk-fb-client-token', HEX, 32)
    s['CODE_SDK_FIREBASE_API_KEY'] = 'AIzaSy' + gen('code-sdk-firebase-api-key', URLSAFE, 33)
    s['CODE_SDK_FIREBASE_APP_ID'] = '1:' + '5' + gen('code-sdk-gcp-number', DIGITS, 11) + ':android:' + gen('code-sdk-gmp-app-id', HEX, 16)
    s['CODE_SDK_FIREBASE_URL'] = 'https://leakdex-code-sdk.firebaseio.com'
    s['CODE_SDK_AWS_ACCESS_KEY_ID'] = 'AKIA' + gen('code-sdk-aws-key-id', UPPER_B32, 16)
    s['CODE_SDK_AWS_SECRET_ACCESS_KEY'] = gen('code-sdk-aws-secret', B64, 40)
    s['CODE_SDK_AWS_SESSION_KEY_ID'] = 'ASIA' + gen('code-sdk-aws-session-key-id', UPPER_B32, 16)
    s['CODE_SDK_AWS_SESSION_SECRET'] = gen('code-sdk-aws-session-secret', B64, 40)
    s['CODE_SDK_AWS_SESSION_TOKEN'] = 'IQoJb3JpZ2luX2VjE' + gen('code-sdk-aws-session-token', B64, 240)
    s['CODE_SDK_COGNITO_POOL'] = 'us-east-1:' + uuid_from('code-sdk-cognito')
    s['CODE_SDK_PLACES_API_KEY'] = 'AIzaSy' + gen('code-sdk-places-api-key', URLSAFE, 33)
    s['CODE_SDK_STRIPE_PK'] = 'pk_live_51' + gen('code-sdk-stripe-pk', ALNUM, 32)
    s['CODE_SDK_ALGOLIA_APP_ID'] = gen('code-sdk-algolia-app-id', string.ascii_uppercase + DIGITS, 10)
    s['CODE_SDK_ALGOLIA_ADMIN_KEY'] = gen('code-sdk-algolia-admin-key', HEX, 32)
    mapbox_claims = '{"u":"leakdex-sample","a":"%s"}' % gen('code-sdk-mapbox-a', string.ascii_lowercase + DIGITS, 25)
    s['CODE_SDK_MAPBOX_TOKEN'] = ('pk.' + base64.urlsafe_b64encode(mapbox_claims.encode()).decode().rstrip('=')
                                  + '.' + gen('code-sdk-mapbox-sig', URLSAFE, 22))
    # code-shape-pairs
    s['CODE_PAIR_TW_CONSUMER_KEY'] = gen('code-pairs-tw-consumer-key', ALNUM, 25)
    s['CODE_PAIR_TW_CONSUMER_SECRET'] = gen('code-pairs-tw-consumer-secret', ALNUM, 50)
    s['CODE_PAIR_FB_APP_ID'] = '3' + gen('code-pairs-fb-app-id', DIGITS, 14)
    s['CODE_PAIR_FB_APP_SECRET'] = gen('code-pairs-fb-app-secret', HEX, 32)
    # decoys (shapes without a credential meaning)
    s['CODE_DECOY_UI_HEX32'] = gen('code-decoy-ui-hex32', HEX, 32)
    s['CODE_DECOY_UI_B64_40'] = gen('code-decoy-ui-b64-40', B64, 40)
    s['CODE_DECOY_UI_ALNUM50'] = gen('code-decoy-ui-alnum50', ALNUM, 50)
    s['CODE_DECOY_LOG_ALNUM32'] = gen('code-decoy-log-alnum32', ALNUM, 32)
    s['CODE_DECOY_LOG_ALNUM25'] = gen('code-decoy-log-alnum25', ALNUM, 25)
    s['CODE_DECOY_FLAG_HEX32'] = gen('code-decoy-flag-hex32', HEX, 32)
    s['CODE_DECOY_REQUEST_ID'] = uuid_from('code-decoy-request-id')
    s['CODE_DECOY_GIT_SHA'] = gen('code-decoy-git-sha', HEX, 40)
    s['CODE_DECOY_NUMBER15'] = '9' + gen('code-decoy-number15', DIGITS, 14)
    s['CODE_DECOY_ALNUM50_ALONE'] = gen('code-decoy-alnum50-alone', ALNUM, 50)
    return s


SECRETS = build_secrets()

# Sample name -> apktool project directories (later ones overlay earlier ones), native source, aapt flavour, slots.
PROJECTS = {
    'leaky-multidex': {'dirs': ['leaky-multidex'], 'native': 'native/libsecrets.c', 'aapt': 'aapt-utf16',
                       'vars': {'APP_FILE_NAME': 'leaky-multidex.apk', 'APP_VERSION_NAME': '1.2.0',
                                'APP_VERSION_CODE': '12'}},
    'leaky-v2': {'dirs': ['leaky-multidex', 'leaky-v2'], 'native': 'native/libsecrets.c', 'aapt': 'aapt-utf16',
                 'vars': {'APP_FILE_NAME': 'leaky-v2.apk', 'APP_VERSION_NAME': '1.3.0', 'APP_VERSION_CODE': '13'}},
    'clean-app': {'dirs': ['clean-app'], 'native': None, 'aapt': 'aapt2',
                  'vars': {'APP_FILE_NAME': 'clean-app.apk', 'APP_VERSION_NAME': '1.0.0', 'APP_VERSION_CODE': '1'}},
}

MANIFEST = 'AndroidManifest.xml'
ARSC = 'resources.arsc'
DEX1 = 'classes.dex'
DEX2 = 'classes2.dex'
SO64 = 'lib/arm64-v8a/libsecrets.so'
SO32 = 'lib/armeabi-v7a/libsecrets.so'


def planted(rule, severity, name, entry, context, also=(), note=None, secret=None):
    p = {'ruleId': rule, 'severity': severity, 'secret': secret if secret is not None else SECRETS[name],
         'entry': entry, 'context': context}
    if also:
        p['alsoAt'] = [{'entry': e, 'context': c} for e, c in also]
    if note:
        p['note'] = note
    return p


LEAKY_PLANTED = [
    planted('google-api-key', 'low', 'GOOGLE_API_KEY', ARSC, 'google_api_key',
            also=[('assets/config.json', 'current_key')],
            note='Firebase client key in its usual places (strings.xml and google-services.json)'),
    planted('google-api-key', 'low', 'GOOGLE_MAPS_KEY', ARSC, 'google_maps_key',
            also=[(MANIFEST, 'com.google.android.geo.API_KEY')],
            note='Maps key: the manifest meta-data references @string/google_maps_key'),
    planted('firebase-database-url', 'low', 'FIREBASE_DATABASE_URL', ARSC, 'firebase_database_url',
            also=[('assets/config.json', 'firebase_url')]),
    planted('twitter-consumer-key', 'medium', 'TWITTER_CONSUMER_KEY', ARSC, 'twitter_consumer_key'),
    planted('twitter-consumer-secret', 'critical', 'TWITTER_CONSUMER_SECRET', ARSC, 'twitter_consumer_secret'),
    planted('facebook-app-id', 'info', 'FACEBOOK_APP_ID', ARSC, 'facebook_app_id',
            also=[(MANIFEST, 'com.facebook.sdk.ApplicationId')]),
    planted('facebook-client-token', 'low', 'FACEBOOK_CLIENT_TOKEN', ARSC, 'facebook_client_token',
            also=[(MANIFEST, 'com.facebook.sdk.ClientToken')]),
    planted('facebook-app-secret', 'critical', 'FACEBOOK_APP_SECRET', ARSC, 'facebook_app_secret'),
    planted('slack-webhook', 'medium', 'SLACK_WEBHOOK_URL', MANIFEST, 'com.leakdex.SLACK_WEBHOOK'),
    planted('aws-access-key-id', 'high', 'AWS_ACCESS_KEY_ID', DEX1, 'AWS_ACCESS_KEY_ID',
            note='static final in Lcom/leakdex/sample/BuildConfig; paired with AWS_SECRET_ACCESS_KEY'),
    planted('aws-secret-access-key', 'critical', 'AWS_SECRET_ACCESS_KEY', DEX1, 'AWS_SECRET_ACCESS_KEY'),
    planted('stripe-secret-key', 'critical', 'STRIPE_SECRET_KEY', DEX1, 'Lcom/leakdex/sample/payments/StripeClient;',
            note='const-string in StripeClient.authorizationHeader()'),
    planted('stripe-publishable-key', 'info', 'STRIPE_PUBLISHABLE_KEY', DEX1, 'PUBLISHABLE_KEY'),
    planted('github-token', 'critical', 'GITHUB_TOKEN', DEX1, 'Lcom/leakdex/sample/net/GitHubSync;',
            note='const-string in GitHubSync.authHeader()'),
    planted('twitter-bearer-token', 'high', 'TWITTER_BEARER_TOKEN', DEX2, 'Lcom/leakdex/sample/social/TwitterApi;'),
    planted('slack-token', 'high', 'SLACK_BOT_TOKEN', DEX2, 'Lcom/leakdex/sample/chat/SlackNotifier;'),
    planted('azure-storage-connection-string', 'critical', 'AZURE_STORAGE_CONNECTION_STRING', DEX2,
            'Lcom/leakdex/sample/storage/AzureBlobStore;',
            note='contains an 88-char AccountKey; reported once as the connection string'),
    planted('firebase-fcm-server-key', 'high', 'FCM_SERVER_KEY', DEX2, 'FCM_SERVER_KEY'),
    planted('facebook-app-access-token', 'critical', 'FACEBOOK_APP_ACCESS_TOKEN', DEX2,
            'Lcom/leakdex/sample/social/FacebookGraph;', note='<app id>|<app secret>, same pair as in resources'),
    planted('google-oauth-client-secret', 'high', 'GOOGLE_OAUTH_CLIENT_SECRET', 'assets/config.json', 'client_secret'),
    planted('gcp-service-account', 'critical', 'GCP_PRIVATE_KEY_ID', 'assets/service-account.json', 'private_key_id',
            note='the whole service-account JSON is one finding (its PEM private_key included); '
                 'secret is its private_key_id, client_email ' + SECRETS['GCP_CLIENT_EMAIL']),
    planted('stripe-restricted-key', 'high', 'STRIPE_RESTRICTED_KEY', 'assets/.env', 'STRIPE_RESTRICTED_KEY'),
    planted('stripe-secret-key', 'low', 'STRIPE_TEST_KEY', 'assets/.env', 'STRIPE_TEST_KEY', note='test-mode key'),
    planted('aws-cognito-identity-pool', 'medium', 'AWS_COGNITO_IDENTITY_POOL', 'assets/.env', 'AWS_COGNITO_POOL'),
    planted('facebook-access-token', 'high', 'FACEBOOK_ACCESS_TOKEN', 'assets/.env', 'FACEBOOK_ACCESS_TOKEN'),
    planted('private-key', 'critical', 'RSA_PRIVATE_KEY_PEM', SO64, 'leakdex_backup_key_pem',
            also=[(SO32, 'leakdex_backup_key_pem')],
            note='secret is the whole PEM block; context is the exported symbol name'),
    planted('azure-sas-token', 'high', 'AZURE_SAS_TOKEN', SO64, 'leakdex_backup_sas_url',
            also=[(SO32, 'leakdex_backup_sas_url')],
            note='inside the URL https://leakdexsamplestore.blob.core.windows.net/backups?sv=...'),
]


def decoy(text, entry, why, context=None):
    d = {'text': text, 'entry': entry, 'why': why}
    if context:
        d['context'] = context
    return d


LEAKY_DECOYS = [
    decoy('AKIAIOSFODNN7EXAMPLE', DEX1, 'AWS documentation example', 'Lcom/leakdex/sample/docs/AwsDocsExample;'),
    decoy('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', DEX1, 'AWS documentation example',
          'Lcom/leakdex/sample/docs/AwsDocsExample;'),
    decoy('YOUR_API_KEY', DEX1, 'placeholder', 'Lcom/leakdex/sample/maps/Geocoder;'),
    decoy('YOUR_API_KEY', MANIFEST, 'placeholder', 'com.leakdex.ANALYTICS_KEY'),
    decoy('xxxxxxxxxxxxxxxxxxxxxxxxx', ARSC, 'placeholder in a Twitter Kit resource',
          'com.twitter.sdk.android.CONSUMER_KEY'),
    decoy('${TWITTER_SECRET}', ARSC, 'unexpanded build variable', 'com.twitter.sdk.android.CONSUMER_SECRET'),
    decoy('${TWITTER_SECRET}', 'assets/.env', 'unexpanded variable', 'TWITTER_SECRET'),
    decoy('', ARSC, 'empty client token', 'facebook_client_token_debug'),
    decoy('sk_live_XXXXXXXXXXXXXXXXXXXXXXXX', DEX2, 'placeholder with a live prefix',
          'Lcom/leakdex/sample/payments/StripeDefaults;'),
    decoy('changeme', 'assets/.env', 'default password placeholder', 'ADMIN_PASSWORD'),
    decoy('<key>', 'assets/.env', 'placeholder', 'MAPBOX_TOKEN'),
    decoy(SECRETS['CERT_PIN_1'], SO64, 'certificate pin (public key hash)', 'kCertificatePins'),
    decoy(SECRETS['CERT_PIN_2'], SO64, 'certificate pin (public key hash)', 'kCertificatePins'),
    decoy(SECRETS['RSA_PUBLIC_KEY_PEM'], SO64, 'public key PEM, not a private key', 'leakdex_update_pubkey_pem'),
    decoy(SECRETS['GOOGLE_APP_ID'], ARSC, 'Firebase app id, public identifier', 'google_app_id'),
    decoy(SECRETS['GOOGLE_OAUTH_CLIENT_ID'], 'assets/config.json', 'OAuth client id, public identifier', 'client_id'),
]

V2_REMOVED = 'github-token'
V2_ADDED = planted('twitter-access-token', 'high', 'TWITTER_ACCESS_TOKEN', DEX2, 'ACCESS_TOKEN',
                   note='new in 1.3.0: static final in Lcom/leakdex/sample/social/TwitterApi')

CLEAN_NOISE = [
    decoy(SECRETS['CLEAN_GOOGLE_APP_ID'], ARSC, 'Firebase app id, public identifier', 'google_app_id'),
    decoy(SECRETS['CLEAN_INSTALL_NAMESPACE'], DEX1, 'UUID without credential context', 'INSTALL_NAMESPACE'),
    decoy(SECRETS['CLEAN_GIT_COMMIT'], DEX1, 'git commit hash', 'GIT_COMMIT'),
    decoy(SECRETS['CLEAN_ASSET_SHA256'], 'assets/sdk-config.json', 'content hash', 'sha256'),
    decoy(SECRETS['CLEAN_OBFUSCATED_ID'], DEX1, 'random-looking identifier', 'Lcom/leakdex/sample/clean/a;'),
    decoy(SECRETS['CLEAN_PIN'], 'assets/sdk-config.json', 'certificate pin', 'pins'),
    decoy('pref_api_key_enabled', DEX1, 'preference key name mentioning api key', 'PREF_KEY_API_KEY_ENABLED'),
    decoy('password', DEX1, 'field name, not a value', 'EXTRA_PASSWORD'),
]

EXPECTED = {
    'leaky-multidex': (LEAKY_PLANTED, LEAKY_DECOYS),
    'leaky-v2': ([p for p in LEAKY_PLANTED if p['ruleId'] != V2_REMOVED] + [V2_ADDED], LEAKY_DECOYS),
    'clean-app': ([], CLEAN_NOISE),
}

SLOT = re.compile(r'\{\{([A-Z0-9_]+)(?:\|(c|json|xml))?\}\}')
TEXT_SUFFIXES = ('.xml', '.smali', '.c', '.json', '.yml', '.txt', '.env', '.properties')


def escape(value, mode):
    if mode == 'c':
        return value.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')
    if mode == 'json':
        return json.dumps(value, ensure_ascii=False)[1:-1]
    if mode == 'xml':
        return value.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;').replace('"', '&quot;')
    return value


def fill(text, slots):
    def sub(m):
        if m.group(1) not in slots:
            raise KeyError('unknown slot {{%s}}' % m.group(1))
        return escape(slots[m.group(1)], m.group(2))
    return SLOT.sub(sub, text)


def render(sample, outdir):
    """Write the filled apktool project to OUTDIR/apk and the native source (if any) to OUTDIR/native/."""
    spec = PROJECTS[sample]
    slots = dict(SECRETS, **spec['vars'])
    if os.path.exists(outdir):
        shutil.rmtree(outdir)
    apk_dir = os.path.join(outdir, 'apk')
    os.makedirs(apk_dir)
    for d in spec['dirs']:
        root = os.path.join(SRC, d)
        for dirpath, _dirnames, filenames in os.walk(root):
            target_dir = os.path.normpath(os.path.join(apk_dir, os.path.relpath(dirpath, root)))
            os.makedirs(target_dir, exist_ok=True)
            for fn in filenames:
                src = os.path.join(dirpath, fn)
                dst = os.path.join(target_dir, fn)
                if fn.endswith(TEXT_SUFFIXES) or fn.startswith('.env'):
                    with open(src, encoding='utf-8') as f:
                        text = f.read()
                    with open(dst, 'w', encoding='utf-8', newline='\n') as f:
                        f.write(fill(text, slots))
                else:
                    shutil.copyfile(src, dst)
    if spec['native']:
        os.makedirs(os.path.join(outdir, 'native'))
        with open(os.path.join(SRC, spec['native']), encoding='utf-8') as f:
            text = fill(f.read(), slots)
        with open(os.path.join(outdir, 'native', os.path.basename(spec['native'])), 'w', encoding='utf-8') as f:
            f.write(text)


def expected(sample, facts_path, build_path, out_path):
    with open(facts_path) as f:
        facts = json.load(f)
    with open(build_path) as f:
        build = json.load(f)
    build['resourcesBuiltWith'] = {'aapt-utf16': 'apktool 2.7 + aapt 1 --utf16', 'aapt2': 'apktool 2.7 --use-aapt2'}[
        PROJECTS[sample]['aapt']]
    plants, decoys = EXPECTED[sample]
    doc = {'file': sample + '.apk', 'app': facts, 'build': build, 'planted': plants, 'decoys': decoys}
    with open(out_path, 'w', encoding='utf-8') as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write('\n')


def main(argv):
    if len(argv) >= 2 and argv[1] == 'list':
        print('\n'.join(PROJECTS))
    elif len(argv) == 4 and argv[1] == 'render':
        render(argv[2], argv[3])
    elif len(argv) == 6 and argv[1] == 'expected':
        expected(argv[2], argv[3], argv[4], argv[5])
    elif len(argv) == 3 and argv[1] == 'aapt':
        print(PROJECTS[argv[2]]['aapt'])
    elif len(argv) == 3 and argv[1] == 'has-native':
        return 0 if PROJECTS[argv[2]]['native'] else 1
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
