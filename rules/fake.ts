/**
 * Deterministic pseudo-random strings for rule examples: format-valid, never real, and never a literal secret in the
 * source (so secret scanners and push protection leave the repository alone).
 */

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const BASE64 = `${ALNUM}+/`;
export const BASE64URL = `${ALNUM}_-`;
export const HEX = '0123456789abcdef';
export const DIGITS = '0123456789';

/** `length` characters of `alphabet`, the same for the same seed (xorshift32). */
export function fake(alphabet: string, length: number, seed: number): string {
  let x = Math.imul(seed + 1, 0x9e3779b1) >>> 0 || 1;
  const out: string[] = [];
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.push(alphabet[x % alphabet.length]!);
  }
  return out.join('');
}
