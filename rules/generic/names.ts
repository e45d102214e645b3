import { ALNUM, BASE64, HEX, fake } from '../fake.js';
import type { Rule } from '../types.js';

/** Values that are names, not secrets: identifiers, dotted keys, paths, format strings, regexes, URLs. */
const NOT_A_VALUE = [
  /^[A-Za-z][A-Za-z._:-]{0,127}[0-9]{0,6}$/,
  /%[0-9$.]{0,4}[sdxf]|\{[0-9a-z_]{0,20}\}|\$\(|^\^|\(\?|\\[dswbS.]|\[\^?[a-z0-9]-|^\/|^https?:|^android\.|^com\.|^[a-z]{2,8}:\/\//,
];

/** Values under a password name that are labels or keys: words with a label's trailing punctuation, snake_case names. */
const NOT_A_PASSWORD = [
  /^[A-Za-z\u00c0-\uffff]{1,64}[:.!?\u2026\uff1a*]?$/,
  /^[a-z]{1,20}_[a-z]{1,20}(?:_[a-z]{1,20})?(?:_[a-z]{1,20})?$/,
  /^[A-Z]{1,20}_[A-Z]{1,20}(?:_[A-Z]{1,20})?(?:_[A-Z]{1,20})?$/,
  /^res\/[A-Za-z0-9_/-]{1,200}\.[a-z0-9]{1,8}$/,
];

/** Names of the public half of a key/secret pair (`appKey`, `client_key`, `consumer_key`), unless they also say secret. */
const APP_KEY_NAME = /^(?!.{0,120}(?:secret|private|signing|sign.?key|master|server|admin|hmac|encrypt|crypt|cipher|aes))(?=.{0,120}(?:app.?key|client.?key|consumer.?key))/i;
/** API-key names that do not say the key is a secret, server or admin key. */
const API_KEY_NAME = /^(?!.{0,120}(?:secret|private|server|admin|master|write|management|signing))(?=.{0,120}(?:api.?key|apikey))/i;

const password = (seed: number): string => `${fake(ALNUM, 10, seed)}!${fake('0123456789', 3, seed + 1)}`;

/**
 * Generic secrets: literal values bound to names like password, secret, token or api_key. Low confidence by
 * design (the name and the randomness of the value are the only evidence), so real apps' hardcoded passwords and
 * crypto keys are not missed; the value must look random, not like a name, a message or a format string.
 */
export const boundNameRules: Rule[] = [
  {
    id: 'generic-password',
    provider: 'generic',
    title: 'Hardcoded password',
    severity: 'medium',
    confidence: 'low',
    // Passwords of 6+ characters, ASCII or not (`Жёлтый-кот-7`), without spaces (labels and hints have them).
    pattern: /^[\x21-\x7e\u00a1-\uffff]{6,128}$/,
    keywords: [],
    // Bound values of 4+ characters reach whole-string rules (MIN_BOUND_LENGTH): passwords from 6.
    whole: { length: [6, 128] },
    // A 6-character value has at most log2(6) = 2.58 bits per character; looksRandom scales with the length.
    minEntropy: 2.3,
    looksRandom: true,
    fallback: true,
    secretMustMatch: [/[A-Za-z\u00c0-\uffff]/, /[0-9!#$%&*+,.:;=?@^_~-]/],
    context: { require: /passw(?:or)?d|passwd|(?:^|[^a-z])pwd|passphrase|keystore.?pass|store.?pass/i },
    allow: [...NOT_A_VALUE, ...NOT_A_PASSWORD],
    reason: 'literal value bound to a password name: check whether it is a real credential',
    examples: {
      match: [
        { text: password(9601), context: 'ADMIN_PASSWORD' },
        { text: password(9603), context: 'db_passwd' },
        { text: password(9605), context: 'keystorePassword' },
        { text: `Жёлтый-кот-${fake('0123456789', 2, 9609)}`, context: 'password' },
        { text: `${fake(ALNUM, 7, 9610)}é!`, context: 'smtp_password' },
      ],
      noMatch: [
        { text: password(9607), context: 'username' },
        { text: 'Password', context: 'password_hint' },
        { text: 'Enter your password', context: 'password_prompt' },
        { text: 'pref_password', context: 'KEY_PASSWORD' },
        { text: 'com.orbit.PASSWORD', context: 'EXTRA_PASSWORD' },
        { text: '^(?=.*[0-9]).{8,}$', context: 'PASSWORD_PATTERN' },
        { text: 'changeme', context: 'ADMIN_PASSWORD' },
        { text: 'password123', context: 'DEFAULT_PASSWORD' },
        { text: 'PASSWORD_REQUIRED', context: 'ERROR_PASSWORD' },
        { text: 'resetPassword', context: 'PASSWORD_ACTION' },
        // UI labels in other languages, with the punctuation labels carry.
        { text: 'Пароль:', context: 'password_label' },
        { text: 'Mot de passe', context: 'password' },
        { text: 'Contraseña:', context: 'password' },
        { text: 'パスワード：', context: 'password_title' },
        { text: 'Kennwort…', context: 'password' },
        { text: 'Mot de passe oublié ?', context: 'forgot_password' },
        { text: 'Use 8 or more characters', context: 'password_hint' },
        // Preference keys and identifiers.
        { text: 'pwd_hash', context: 'PREF_PASSWORD' },
        { text: 'saved_pwd_field', context: 'KEY_PASSWORD' },
        { text: 'LAST_PWD_CHANGE', context: 'PASSWORD_PREF' },
        { text: 'pwd-field', context: 'PASSWORD_KEY' },
        { text: 'pwdField', context: 'passwordView' },
        { text: 'res/FS.xml', context: 'avd_show_password' },
      ],
    },
  },
  {
    id: 'generic-secret',
    provider: 'generic',
    title: 'Hardcoded secret, token or key',
    severity: 'medium',
    confidence: 'low',
    pattern: /^[A-Za-z0-9+/=_.~-]{16,256}$/,
    keywords: [],
    whole: { length: [16, 256] },
    minEntropy: 3.2,
    looksRandom: true,
    fallback: true,
    secretMustMatch: [/[A-Za-z]/, /[0-9]/],
    // Names of ids, not keys (private_key_id, secretKeyId) are excluded.
    context: { require: /^(?!.{0,120}[_.-]?ids?$)(?=.{0,120}(?:secret|token|api.?key|apikey|private.?key|client.?key|auth.?key|access.?key|credential|(?:encryption|signing|crypt|cipher|aes|hmac|des).?key|app.?key|master.?key))/i },
    allow: NOT_A_VALUE,
    adjust: [
      {
        // `appKey`, `client_key`, `consumer_key`: in mobile SDKs the public half of a pair (its secret is bound to
        // `*_secret`, which stays medium). Some apps name a signing secret APP_KEY, so it stays reported, at low.
        when: { context: APP_KEY_NAME },
        severity: 'low',
        reason: 'bound to an app-key name: usually the public client identifier of a key/secret pair, not the secret; check whether this app signs requests with it',
      },
      {
        // The same value kind gets the same severity whichever rule finds it: provider rules report client-side
        // data-API keys (maps, weather, news, GIPHY, TomTom, Google API keys in resources) at low.
        when: { context: API_KEY_NAME },
        severity: 'low',
        reason: 'bound to an API-key name: usually a client-side key of a quota-limited data API (the provider rules report those at low); check what it unlocks',
      },
    ],
    reason: 'random-looking literal bound to a secret name: check what it unlocks',
    examples: {
      match: [
        { text: fake(HEX, 32, 9610), context: 'ENCRYPTION_KEY' },
        { text: fake(BASE64, 44, 9611), context: 'hmacSecret' },
        { text: fake(ALNUM, 40, 9612), context: 'api_token' },
        { text: fake(ALNUM, 24, 9613), context: 'clientSecret' },
        { text: fake(ALNUM, 24, 9619), context: 'appKey' },
        { text: fake(HEX, 32, 9620), context: 'WEATHER_API_KEY' },
      ],
      noMatch: [
        { text: fake(HEX, 32, 9614), context: 'checksum' },
        // Identifiers, not secrets: client ids and OAuth 1 consumer keys are not secret names at all.
        { text: fake(ALNUM, 24, 9617), context: 'client_id' },
        { text: fake(ALNUM, 25, 9618), context: 'consumer_key' },
        { text: fake(HEX, 40, 9616), context: 'private_key_id' },
        { text: 'PBKDF2WithHmacSHA256', context: 'SECRET_KEY_ALGORITHM' },
        { text: 'AES/GCM/NoPadding', context: 'CIPHER_KEY_TRANSFORMATION' },
        { text: 'access_token_expiry', context: 'KEY_ACCESS_TOKEN' },
        { text: 'com.orbit.auth.TOKEN', context: 'EXTRA_TOKEN' },
        { text: 'abcdefghijklmnop1234', context: 'API_KEY' },
        { text: '0123456789abcdef0123', context: 'SECRET' },
        { text: 'AndroidKeyStore2048', context: 'KEYSTORE_PROVIDER_SECRET' },
        { text: `YOUR_API_KEY_${fake(ALNUM, 8, 9615)}`, context: 'API_KEY' },
      ],
    },
  },
];
