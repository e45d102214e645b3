import { ALNUM, BASE64, HEX, fake } from './fake.js';
import type { Rule } from './types.js';

/** Values that are names, not secrets: identifiers, dotted keys, paths, format strings, regexes, URLs. */
const NOT_A_VALUE = [
  /^[A-Za-z][A-Za-z._:-]{0,127}[0-9]{0,6}$/,
  /%[0-9$.]{0,4}[sdxf]|\{[0-9a-z_]{0,20}\}|\$\(|^\^|\(\?|\\[dswbS.]|\[\^?[a-z0-9]-|^\/|^https?:|^android\.|^com\.|^[a-z]{2,8}:\/\//,
];

const password = (seed: number): string => `${fake(ALNUM, 10, seed)}!${fake('0123456789', 3, seed + 1)}`;

/**
 * Generic secrets: literal values bound to names like password, secret, token or api_key. Low confidence by
 * design (the name and the randomness of the value are the only evidence), so real apps' hardcoded passwords and
 * crypto keys are not missed; the value must look random, not like a name, a message or a format string.
 */
export const genericRules: Rule[] = [
  {
    id: 'generic-password',
    provider: 'generic',
    title: 'Hardcoded password',
    severity: 'medium',
    confidence: 'low',
    pattern: /^[\x21-\x7e]{8,128}$/,
    keywords: [],
    whole: { length: [8, 128] },
    minEntropy: 2.8,
    looksRandom: true,
    fallback: true,
    secretMustMatch: [/[A-Za-z]/, /[0-9!#$%&*+,.:;=?@^_~-]/],
    context: { require: /passw(?:or)?d|passwd|(?:^|[^a-z])pwd|passphrase|keystore.?pass|store.?pass/i },
    allow: NOT_A_VALUE,
    reason: 'literal value bound to a password name: check whether it is a real credential',
    examples: {
      match: [{ text: password(9601), context: 'ADMIN_PASSWORD' }, { text: password(9603), context: 'db_passwd' }, { text: password(9605), context: 'keystorePassword' }],
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
    reason: 'random-looking literal bound to a secret name: check what it unlocks',
    examples: {
      match: [
        { text: fake(HEX, 32, 9610), context: 'ENCRYPTION_KEY' },
        { text: fake(BASE64, 44, 9611), context: 'hmacSecret' },
        { text: fake(ALNUM, 40, 9612), context: 'api_token' },
        { text: fake(ALNUM, 24, 9613), context: 'clientSecret' },
      ],
      noMatch: [
        { text: fake(HEX, 32, 9614), context: 'checksum' },
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
