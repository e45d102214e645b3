/**
 * The rules' keywords as one Aho-Corasick automaton over ASCII-folded bytes: one table step a byte, whatever the
 * number of keywords. `npm run bench:search` measured it against the Detector's trigram tables, Buffer.indexOf per
 * keyword and the same automaton in WebAssembly: 280-460 MB/s here against 156-314 for the tables, 10-18 for
 * indexOf, 340-470 for WebAssembly (which would need a compiler to build and a copy of every input into its memory).
 */

import { ALL_MASK_BITS, maskBit, maskHalves, maskOf, maskOr } from './masks.js';

/** Lower case of ASCII bytes; every other byte becomes 0, which no keyword holds. */
const FOLD = new Uint8Array(256);
for (let c = 0; c < 128; c++) FOLD[c] = c >= 65 && c <= 90 ? c + 32 : c;

/** Most automaton states: one per keyword character at most; a bound on the table (states x 128 x 4 bytes). */
export const MAX_AUTOMATON_STATES = 16_384;

export class KeywordAutomaton {
  /** delta[state * 128 + byte] = next state * 128. */
  private readonly delta: Int32Array;
  /** 1 for a state where some keyword ends. */
  private readonly accepts: Uint8Array;
  /** Per state, the high and low halves of the mask of the keywords that end there (maskOfText, masks.ts). */
  private readonly masksHigh: Int32Array;
  private readonly masksLow: Int32Array;
  /** Some keyword is empty, non-ASCII or the automaton would be too large: every text is said to hold one. */
  private readonly always: boolean;

  /** `keywords`: lower case. `bits[i]`: the mask of keyword i (maskOfText, masks.ts); default bit i % MASK_BITS. */
  constructor(keywords: Iterable<string>, bits?: readonly number[]) {
    const list = [...keywords];
    const chars = list.reduce((n, k) => n + k.length, 0);
    this.always = list.some((k) => k.length === 0 || /[^\x01-\x7f]|[A-Z]/.test(k)) || chars + 1 > MAX_AUTOMATON_STATES;
    if (this.always) {
      this.delta = new Int32Array(128);
      this.accepts = new Uint8Array(1);
      [this.masksHigh, this.masksLow] = maskHalves(ALL_MASK_BITS).map((h) => Int32Array.of(h)) as [Int32Array, Int32Array];
      return;
    }
    const next: Int32Array[] = [new Int32Array(128).fill(-1)];
    const accepts: number[] = [0];
    const masks: number[] = [0];
    for (const [i, k] of list.entries()) {
      let s = 0;
      for (let j = 0; j < k.length; j++) {
        const c = k.charCodeAt(j);
        if (next[s]![c] === -1) {
          next[s]![c] = next.length;
          next.push(new Int32Array(128).fill(-1));
          accepts.push(0);
          masks.push(0);
        }
        s = next[s]![c]!;
      }
      accepts[s] = 1;
      masks[s] = maskOr(masks[s]!, bits?.[i] ?? maskBit(i));
    }
    // Breadth-first failure links; a state accepts when its longest proper suffix state does.
    const fail = new Int32Array(next.length);
    const queue: number[] = [];
    for (let c = 0; c < 128; c++) {
      const t = next[0]![c]!;
      if (t === -1) next[0]![c] = 0;
      else queue.push(t);
    }
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q]!;
      for (let c = 0; c < 128; c++) {
        const t = next[s]![c]!;
        if (t === -1) next[s]![c] = next[fail[s]!]![c]!;
        else {
          fail[t] = next[fail[s]!]![c]!;
          if (accepts[fail[t]!] === 1) accepts[t] = 1;
          masks[t] = maskOr(masks[t]!, masks[fail[t]!]!);
          queue.push(t);
        }
      }
    }
    this.delta = new Int32Array(next.length * 128);
    next.forEach((row, s) => {
      for (let c = 0; c < 128; c++) this.delta[s * 128 + c] = row[c]! * 128;
    });
    this.accepts = Uint8Array.from(accepts);
    this.masksHigh = Int32Array.from(masks, (m) => maskHalves(m)[0]);
    this.masksLow = Int32Array.from(masks, (m) => maskHalves(m)[1]);
  }

  /**
   * Which keywords occur in `text`, ignoring ASCII case: the OR of their bits (the constructor's). A set bit means one
   * of its keywords may occur; a clear bit, that none does. Every bit when the automaton is `always`.
   */
  maskOfText(text: string): number {
    if (this.always) return ALL_MASK_BITS;
    const delta = this.delta;
    const high = this.masksHigh;
    const low = this.masksLow;
    let s = 0;
    let h = 0;
    let l = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      s = delta[s + (c < 128 ? FOLD[c]! : 0)]!;
      h |= high[s >> 7]!;
      l |= low[s >> 7]!;
    }
    return maskOf(h, l);
  }

  /**
   * Whether a keyword occurs, ignoring ASCII case, in the `n` characters at `bytes[start]`, one every `step` bytes
   * (1: ASCII or Latin-1 bytes; 2: the low bytes of UTF-16LE code units whose high bytes the caller knows are 0).
   */
  /** Whether a keyword occurs, ignoring ASCII case, in the first `n` characters of `text`. */
  occursInText(text: string, n: number): boolean {
    if (this.always) return n > 0;
    const delta = this.delta;
    const accepts = this.accepts;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      s = delta[s + (c < 128 ? FOLD[c]! : 0)]!;
      if (accepts[s >> 7] === 1) return true;
    }
    return false;
  }

  occursIn(bytes: Uint8Array, start: number, n: number, step: number): boolean {
    if (this.always) return n > 0;
    const delta = this.delta;
    const accepts = this.accepts;
    let s = 0;
    for (let i = 0, p = start; i < n; i++, p += step) {
      s = delta[s + FOLD[bytes[p]!]!]!;
      if (accepts[s >> 7] === 1) return true;
    }
    return false;
  }
}
