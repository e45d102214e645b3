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
  /** Shorter strings are dropped whatever their name (MIN_BOUND_LENGTH). */
  minBoundLength: number;
  /**
   * Whether the Detector can read a value with this name and code text (`Detector.readsCode`: a keyword, a scope
   * marker or a whole rule that fires on the value alone; a name some rule requires or adjusts by; a code text some
   * rule reads).
   */
  reads: (text: string, context: string | undefined, code: string | undefined) => boolean;
  /** Decoders whose strings share a scope (the entry) for `context.scope`: their literals are always made. */
  fileScoped: ReadonlySet<string>;
  /** Decoders whose string order means nothing: the Detector never pairs their strings (rules/shape-pairs.ts). */
  unordered: ReadonlySet<string>;
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
  /** The previous string asked about starts a shape pair: the next one must be made. */
  private afterPairFirst = false;
  /** Runs asked about. */
  asked = 0;

  constructor(private readonly t: RunFilterTables) {}

  /**
   * Whether the run of `(end - start) / step` characters at `bytes[start]` (ASCII when `step` is 1, UTF-16LE code units
   * with zero high bytes when 2) must become a string. Called for every run, in the order the runs are emitted.
   */
  readonly keep = (bytes: Uint8Array, start: number, end: number, step: number): boolean => {
    this.asked++;
    const n = (end - start) / step;
    return this.pairs(n, () => textOf(bytes, start, end, step)) || this.valueMatters(bytes, start, end, step, n);
  };

  /**
   * Whether a string of `n` characters must be made for shape pairs, moving on the pair state: when it follows a
   * pair's first value, or is one (a first pattern matches it, Detector.shapePairs: only such a string is made to ask).
   */
  private pairs(n: number, text: () => string): boolean {
    const after = this.afterPairFirst;
    const firsts = n >= 0 && n < this.t.pairFirsts.length ? this.t.pairFirsts[n] : undefined;
    this.afterPairFirst = firsts !== undefined && anyMatch(firsts, text());
    return after || this.afterPairFirst;
  }

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

  /**
   * Whether a source literal (decoders/text/emit.ts: JavaScript and the text formats it serves) must be made, asked
   * with its value, its decoder and what binds it, in the order the literals come: when it can start or end a shape
   * pair (as for runs), or when the Detector can read its value, name, scope or code (`reads`). Literals of
   * file-scoped decoders are always made; literals the decoder emits in pieces are not asked about. The scope is not
   * asked for: with or without one, `reads` decides (a scope mark or a scope rule needs a value `reads` admits).
   */
  readonly keepLiteral = (text: string, decoder: string, context?: string, code?: string): boolean => {
    const t = this.t;
    const n = text.length;
    // Only unnamed strings without a code use start a pair; any string may end one.
    if (!t.unordered.has(decoder) && this.pairs(context === undefined && code === undefined ? n : -1, () => text)) return true;
    if (t.fileScoped.has(decoder)) return true;
    // Detector.feed drops a string this short, and one this short with no name and no code use.
    if (n < t.minBoundLength || (context === undefined && code === undefined && n < t.minLength)) return false;
    return t.reads(text, context, code);
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
