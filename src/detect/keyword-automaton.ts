/**
 * The rules' keywords as one Aho-Corasick automaton over ASCII-folded bytes: one table step a byte, whatever the
 * number of keywords. `npm run bench:search` measured it against the Detector's trigram tables, Buffer.indexOf per
 * keyword and the same automaton in WebAssembly: 280-460 MB/s here against 156-314 for the tables, 10-18 for
 * indexOf, 340-470 for WebAssembly (which would need a compiler to build and a copy of every input into its memory).
 */

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
  /** Some keyword is empty, non-ASCII or the automaton would be too large: every text is said to hold one. */
  private readonly always: boolean;

  /** `keywords`: lower case. */
  constructor(keywords: Iterable<string>) {
    const list = [...keywords];
    const chars = list.reduce((n, k) => n + k.length, 0);
    this.always = list.some((k) => k.length === 0 || /[^\x01-\x7f]|[A-Z]/.test(k)) || chars + 1 > MAX_AUTOMATON_STATES;
    if (this.always) {
      this.delta = new Int32Array(128);
      this.accepts = new Uint8Array(1);
      return;
    }
    const next: Int32Array[] = [new Int32Array(128).fill(-1)];
    const accepts: number[] = [0];
    for (const k of list) {
      let s = 0;
      for (let j = 0; j < k.length; j++) {
        const c = k.charCodeAt(j);
        if (next[s]![c] === -1) {
          next[s]![c] = next.length;
          next.push(new Int32Array(128).fill(-1));
          accepts.push(0);
        }
        s = next[s]![c]!;
      }
      accepts[s] = 1;
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
          queue.push(t);
        }
      }
    }
    this.delta = new Int32Array(next.length * 128);
    next.forEach((row, s) => {
      for (let c = 0; c < 128; c++) this.delta[s * 128 + c] = row[c]! * 128;
    });
    this.accepts = Uint8Array.from(accepts);
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
