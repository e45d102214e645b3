/**
 * Keyword masks (keyword-automaton.ts maskOfText, code-gate.ts): sets of up to 30 bits in a small integer, so that V8
 * keeps them unboxed and `|` and `&` join and test them. A mask of 52 bits (two halves in a double) made every union
 * a heap number: 186,474 code uses of the bench APK then left about 15 MB more garbage, and the worker's heap grew
 * to 117 MB before a full collection (59 MB before).
 */

/** Bits of a mask. */
export const MASK_BITS = 30;
/** Every bit of a mask. */
export const ALL_MASK_BITS = (1 << MASK_BITS) - 1;

/** The mask of bit `i % MASK_BITS`. */
export function maskBit(i: number): number {
  return 1 << (i % MASK_BITS);
}
