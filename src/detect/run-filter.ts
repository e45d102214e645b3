/**
 * The byte prefilter of printable runs (issue 20): decides from a run's bytes, before any JavaScript string is made,
 * whether the Detector could do anything with the string. A run from `printableRuns` carries no name, no code use and
 * no scope, so `Detector.feed` can act on it in exactly three ways:
 * - a keyword rule, only when one of the rules' keywords occurs in it, ignoring ASCII case (an Aho-Corasick
 *   automaton over the bytes: keyword-automaton.ts);
 * - a whole-string rule that fires without a name, only when its trimmed length is one such a rule accepts;
 * - a shape pair, only when its length is a pair's first length, or the run right before it had one (the Detector
 *   pairs a string only with the string fed just before it).
 * Length gates come first; a run that passes one is made into a string only to run those few patterns on it. Any other run would be fed, counted and dropped: it is not made at all. The findings are the same by construction;
 * the samples and the corpus are compared finding for finding by tools/findings-snapshot.ts.
 */

import { Buffer } from 'node:buffer';
import type { KeywordAutomaton } from './keyword-automaton.js';

/** The compiled tables of a Detector that the filter reads (shared, not copied). */
export interface RunFilterTables {
  /** Every keyword of the rule set (see keyword-automaton.ts). */
  keywords: KeywordAutomaton;
  /** The patterns of the whole-string rules that need no name, by the trimmed length they accept. */
  wholeFree: ReadonlyArray<readonly RegExp[] | undefined>;
  /** The patterns of the shape pairs' first values, by length. */
  pairFirsts: ReadonlyArray<readonly RegExp[] | undefined>;
  /** Keyword rules read at most this many characters of a string. */
  maxScanChars: number;
  /** Shorter strings with no name and no code use are dropped by the Detector (MIN_STRING_LENGTH). */
  minLength: number;
}

/** ASCII bytes String.prototype.trim removes: tab, LF, VT, FF, CR, space. */
function isTrimmed(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** The run's characters as a string (what printableRuns would make of them). */
function textOf(bytes: Uint8Array, start: number, end: number, step: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(step === 1 ? 'latin1' : 'utf16le', start, end);
}

function anyMatch(patterns: readonly RegExp[], text: string): boolean {
  for (const re of patterns) if (re.test(text)) return true;
  return false;
}

export class RunFilter {
  /** The previous run asked about had a shape pair's first length: the next one must be made. */
  private afterPairFirst = false;
  /** Runs asked about and runs kept, for statistics. */
  asked = 0;
  kept = 0;

  constructor(private readonly t: RunFilterTables) {}

  /**
   * Whether the run of `(end - start) / step` characters at `bytes[start]` (ASCII when `step` is 1, UTF-16LE code units
   * with zero high bytes when 2) must become a string. Called for every run, in the order the runs are emitted.
   */
  readonly keep = (bytes: Uint8Array, start: number, end: number, step: number): boolean => {
    this.asked++;
    const n = (end - start) / step;
    const t = this.t;
    let keep = this.afterPairFirst;
    // A run of a pair's first length is one only when a first pattern matches it (Detector.shapePairs): that string,
    // and only that one, is made to ask.
    const firsts = n < t.pairFirsts.length ? t.pairFirsts[n] : undefined;
    const pairFirst = firsts !== undefined && anyMatch(firsts, textOf(bytes, start, end, step));
    this.afterPairFirst = pairFirst;
    if (!keep && pairFirst) keep = true;
    if (!keep) keep = this.valueMatters(bytes, start, end, step, n);
    if (keep) this.kept++;
    return keep;
  };

  /**
   * Whether a string of a table whose order means nothing (DEX string_ids), with no name, scope or code use, must be
   * made from its encoded bytes [start, end): always when a byte is not ASCII (it is then read as a string), else as
   * for a run, without shape pairs (the Detector never pairs strings of unordered tables).
   */
  readonly keepPlain = (bytes: Uint8Array, start: number, end: number): boolean => {
    for (let i = start; i < end; i++) if (bytes[i]! >= 0x80) return true;
    const n = end - start;
    // Detector.feed drops a string this short that has no name and no code use.
    return n >= this.t.minLength && this.valueMatters(bytes, start, end, 1, n);
  };

  /** A whole-string rule that needs no name matches the trimmed value, or a keyword occurs in it. */
  private valueMatters(bytes: Uint8Array, start: number, end: number, step: number, n: number): boolean {
    const t = this.t;
    let a = start;
    let b = end - step;
    while (a <= b && isTrimmed(bytes[a]!)) a += step;
    while (b >= a && isTrimmed(bytes[b]!)) b -= step;
    const trimmed = a <= b ? (b - a) / step + 1 : 0;
    // Detector.scanWhole runs these patterns on the trimmed value; a string none of them matches gives nothing.
    const whole = trimmed < t.wholeFree.length ? t.wholeFree[trimmed] : undefined;
    if (whole !== undefined && anyMatch(whole, textOf(bytes, a, b + step, step))) return true;
    // Detector.scanKeywords looks for keywords in the first maxScanChars characters only.
    return t.keywords.occursIn(bytes, start, Math.min(n, t.maxScanChars), step);
  }
}
