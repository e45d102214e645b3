/** Running decoders in tests: everything a decoder emits and warns about, and the codes of the errors it throws. */
import { DecodeError, collectingContext, type DecodedString, type DecodeWarning, type Decoder } from '../../decoders/types.js';

/** Runs `decoder` over `bytes` to the end: the strings it emitted, its warnings and their codes. */
export function decodeAll(decoder: Decoder, bytes: Uint8Array, entry = 'x'): { strings: DecodedString[]; warnings: DecodeWarning[]; codes: string[] } {
  const ctx = collectingContext(entry);
  const strings = [...decoder(bytes, ctx)];
  return { strings, warnings: ctx.warnings, codes: ctx.warnings.map((w) => w.code) };
}

/** The code of the DecodeError `fn` throws, or undefined when it returns; any other error is thrown on. */
export function decodeErrorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof DecodeError) return e.code;
    throw e;
  }
  return undefined;
}

/** About 100 truncations of `good` and about 300 copies with one byte flipped (0xff, 0x80 or 0x01 xor'ed in). */
export function hostileVariants(good: Uint8Array): Uint8Array[] {
  const variants: Uint8Array[] = [];
  const step = Math.max(1, Math.floor(good.length / 97));
  for (let n = 0; n < good.length; n += step) variants.push(good.subarray(0, n));
  for (let i = 0; i < good.length; i += step) {
    for (const x of [0xff, 0x80, 0x01]) {
      const v = Uint8Array.from(good);
      v[i] = v[i]! ^ x;
      variants.push(v);
    }
  }
  return variants;
}

/**
 * Runs `decoder` over about 100 truncations of `good` and about 300 copies with one byte flipped: each must end in
 * strings or a DecodeError. How many inputs were tried, how many did something else, and the first of those.
 */
export function hostileSweep(decoder: Decoder, good: Uint8Array, entry: string): { inputs: number; bad: number; first: string[] } {
  const variants = hostileVariants(good);
  let bad = 0;
  const first: string[] = [];
  for (const v of variants) {
    try {
      let k = 0;
      for (const s of decoder(v, collectingContext(entry))) {
        if (typeof s.text !== 'string') bad++;
        if (++k > 1_000_000) break;
      }
    } catch (e) {
      if (!(e instanceof DecodeError)) {
        bad++;
        if (first.length < 2) first.push(`${(e as Error).name}: ${(e as Error).message}`);
      }
    }
  }
  return { inputs: variants.length, bad, first };
}
