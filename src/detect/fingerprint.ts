/**
 * Finding fingerprints, made where findings are made (the scan worker, partial.ts): plain SHA-256 of rule and value
 * for the CLI, HMAC-SHA256 under a key for the service. Scans are given the key bytes, never a function, since a
 * worker is a separate process; the key is not logged or put in any message.
 */
import { createHash, createHmac } from 'node:crypto';

/** Hex SHA-256 of `${ruleId}\0${secret}`: stable across scans, used for baselines and version diffs. */
export function fingerprint(ruleId: string, secret: string): string {
  return createHash('sha256').update(`${ruleId}\0${secret}`, 'utf8').digest('hex');
}

/** Keyed fingerprint of a finding: HMAC-SHA256(key, ruleId NUL value), lower hex. Without the key it confirms no guess. */
export function keyedFingerprint(key: Uint8Array, ruleId: string, value: string): string {
  return createHmac('sha256', key).update(ruleId).update('\u0000').update(value).digest('hex');
}

/** Domain of value MACs: the same key as fingerprints, never the same input. */
const COMPROMISED_CONTEXT = 'leakdex compromised-v1';

/**
 * Keyed MAC of a SHA-256 (lower hex) of a value: what a known-compromised feed entry (the SHA-256 of a secret) and a
 * finding (its value) are both turned into, so they can be compared at rest without keeping the value or its plain
 * hash (docs/organizations.md, "Known-compromised feeds").
 */
export function compromisedMac(key: Uint8Array, sha256Hex: string): string {
  return createHmac('sha256', key).update(COMPROMISED_CONTEXT).update('\u0000').update(sha256Hex.toLowerCase()).digest('hex');
}

/** compromisedMac of a value's SHA-256. */
export function valueMac(key: Uint8Array, value: string): string {
  return compromisedMac(key, createHash('sha256').update(value, 'utf8').digest('hex'));
}
