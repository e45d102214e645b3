/**
 * Bit sets of up to 52 bits in one JS number (two 26-bit halves: every such integer is exact in a double), for the
 * keyword masks of keyword-automaton.ts: JS bitwise operators alone stop at 32 bits.
 */

/** Bits of a mask. */
export const MASK_BITS = 52;
const HALF = 2 ** 26;
const LOW = HALF - 1;
/** Every bit of a mask. */
export const ALL_MASK_BITS = 2 ** MASK_BITS - 1;

/** The mask of bit `i % MASK_BITS`. */
export function maskBit(i: number): number {
  return 2 ** (i % MASK_BITS);
}

/** The union of two masks. */
export function maskOr(a: number, b: number): number {
  return ((a / HALF) | (b / HALF)) * HALF + ((a & LOW) | (b & LOW));
}

/** Whether two masks share a bit. */
export function maskMeets(a: number, b: number): boolean {
  return ((a / HALF) & (b / HALF)) !== 0 || (a & b & LOW) !== 0;
}

/** The high and low halves of a mask (for tables that keep them as 32-bit integers). */
export function maskHalves(m: number): [high: number, low: number] {
  return [(m / HALF) | 0, m & LOW];
}

/** A mask from its halves. */
export function maskOf(high: number, low: number): number {
  return high * HALF + low;
}
