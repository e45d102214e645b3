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
