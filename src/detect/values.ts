/**
 * What a candidate value looks like, whatever rule found it: a documentation placeholder or filler, or a random-looking
 * secret (for generic rules bound to a secret-like name).
 */
import { shannon } from './entropy.js';
import { formatPrefix } from './redact.js';

const PLACEHOLDER_WORDS = /example|dummy|placeholder|changeme|change_me|replace_?me|insert_|(?:^|[^a-z])your[_-]?[a-z]|x{5,}|\*{3,}|\$\{|\{\{|<[a-z_ -]{1,40}>/i;

/** True for documentation examples and placeholders: never reported. */
export function isPlaceholder(secret: string): boolean {
  if (secret.trim() === '') return true;
  if (PLACEHOLDER_WORDS.test(secret)) return true;
  const body = secret.slice(formatPrefix(secret).length);
  if (/^(?:test|sample|fake)/i.test(body)) return true;
  if (body.length >= 8 && isFiller(body)) return true;
  for (const part of body.split(/[|:_./-]/)) if (part.length >= 16 && isFiller(part)) return true;
  return false;
}

/** Words that make a value a name or a phrase, not a random secret (`PBKDF2WithHmacSHA256`, `AndroidKeyStore`). */
const COMMON_WORDS =
  /with|hmac|sha[0-9-]|aes|rsa|key|secret|token|pass|word|android|google|apple|http|cipher|padding|pkcs|default|value|name|pref|user|auth|client|service|java|kotlin|test|example|sample|store|provider|error|message|string|config|access|request|response|session|account|login|data|file|type|version|debug|release|prod|staging|bearer|basic|null|true|false|none|enabled|disabled/i;

/** True when a value bound to a generic secret name looks random rather than like a name, phrase or format. */
export function looksRandom(secret: string): boolean {
  if (COMMON_WORDS.test(secret)) return false;
  if (new Set(secret).size < Math.min(10, secret.length / 2)) return false;
  return shannon(secret) >= Math.min(3.2, Math.log2(secret.length) - 1.2);
}

/** Too few distinct characters, or mostly ascending runs ("1234567890abcdef", "abcdefgh"). */
function isFiller(s: string): boolean {
  if (new Set(s).size <= 3) return true;
  let steps = 0;
  for (let i = 1; i < s.length; i++) if (s.charCodeAt(i) - s.charCodeAt(i - 1) === 1) steps++;
  return steps / (s.length - 1) >= 0.6;
}
