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
    // The trie first (at most one state per keyword character), its edges kept in creation order.
    const trie = new Int32Array((chars + 1) * 128).fill(-1);
    const accepts = new Uint8Array(chars + 1);
    const edgeFrom = new Int32Array(chars);
    const edgeChar = new Uint8Array(chars);
    let states = 1;
    for (const k of list) {
      let s = 0;
      for (let j = 0; j < k.length; j++) {
        const at = s * 128 + k.charCodeAt(j);
        if (trie[at] === -1) {
          edgeFrom[states - 1] = s;
          edgeChar[states - 1] = k.charCodeAt(j);
          trie[at] = states++;
        }
        s = trie[at]!;
      }
      accepts[s] = 1;
    }
    // Each state's children, contiguous (state t was created by edge t - 1).
    const firstChild = new Int32Array(states + 1);
    for (let e = 0; e < states - 1; e++) firstChild[edgeFrom[e]! + 1]++;
    for (let s = 0; s < states; s++) firstChild[s + 1] += firstChild[s]!;
    const children = new Int32Array(states - 1);
    const filled = firstChild.slice(0, states);
    for (let e = 0; e < states - 1; e++) children[filled[edgeFrom[e]!]!++] = e + 1;
    // Breadth-first: a state's row is its failure state's row (complete: shallower) with its own edges over it, so
    // the work is one row copy a state rather than 128 steps (a worker built the rules' automaton in 31-33 ms so).
    // A state accepts when its longest proper suffix state does.
    const delta = new Int32Array(states * 128);
    const fail = new Int32Array(states);
    const queue = new Int32Array(states);
    let queued = 1;
    for (let q = 0; q < queued; q++) {
      const s = queue[q]!;
      const row = s * 128;
      if (s !== 0) delta.copyWithin(row, fail[s]! * 128, fail[s]! * 128 + 128);
      for (let i = firstChild[s]!; i < firstChild[s + 1]!; i++) {
        const t = children[i]!;
        const c = edgeChar[t - 1]!;
        fail[t] = s === 0 ? 0 : delta[row + c]! / 128;
        if (accepts[fail[t]!] === 1) accepts[t] = 1;
        delta[row + c] = t * 128;
        queue[queued++] = t;
      }
    }
    this.delta = delta;
    this.accepts = accepts.slice(0, states);
  }

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

  /**
   * Whether a keyword occurs, ignoring ASCII case, in the `n` characters at `bytes[start]`, one every `step` bytes
   * (1: ASCII or Latin-1 bytes; 2: the low bytes of UTF-16LE code units whose high bytes the caller knows are 0).
   */
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
