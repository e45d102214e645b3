import type { DecodedString } from '../../decoders/types.js';
import { RULES } from '../../rules/index.js';
import { SHAPE_PAIRS, UNORDERED_DECODERS } from '../../rules/shape-pairs.js';
import { publishedExampleIn } from '../../rules/published.js';
import type { Rule } from '../../rules/types.js';
import { shannon } from './entropy.js';
import { MIN_BOUND_LENGTH, MIN_STRING_LENGTH } from './lengths.js';
import { expandShapes, ruleProblems } from './rule-lint.js';
import { isPlaceholder, looksRandom } from './values.js';
import { type FindingWithSecret, toFindingLocation } from './types.js';
import { type Candidate, type Group, MAX_GROUPS, MAX_LOCATIONS_PER_FINDING, MAX_PAIR_SITES_PER_GROUP, higher } from './groups.js';
import { findingsOf, partialOf, type PartialFindings, type PartialOptions } from './partial.js';
import { RunFilter } from './run-filter.js';
import { KeywordAutomaton } from './keyword-automaton.js';
import { LiteralGate } from './factors.js';
import { FILE_SCOPED_DECODERS, MAX_MARKER_LENGTH, boundPath, keyPath, scopeKey } from './scopes.js';
export { MAX_MARKER_LENGTH, keyPath, scopeKey } from './scopes.js';
export { MAX_GROUPS, MAX_LOCATIONS_PER_FINDING, MAX_PAIR_SITES_PER_GROUP } from './groups.js';
export { MIN_BOUND_LENGTH, MIN_STRING_LENGTH } from './lengths.js';
/** Keyword rules scan at most this many characters of one string; the rest is counted as truncated. */
export const MAX_SCAN_CHARS = 1 << 20;
/** A superseding match replaces other rules' matches in the same string up to this many characters away. */
export const SUPERSEDE_REACH = 8192;

/** Why a candidate was not reported; counted in `Detector.stats.skipped`. */
export type SkipReason =
  | 'short'
  | 'entropy'
  | 'shape'
  | 'allowlist'
  | 'placeholder'
  | 'text-condition'
  | 'superseded'
  | 'unpaired'
  | 'group-limit';

/** Counters of one Detector. */
export interface DetectorStats {
  strings: number;
  /** Characters of strings at least MIN_STRING_LENGTH long. */
  chars: number;
  /** Strings in which at least one keyword occurred. */
  prefilterHits: number;
  /** Pattern executions (one per rule per string, whatever the number of matches). */
  regexRuns: number;
  /** Strings longer than MAX_SCAN_CHARS, scanned only up to it. */
  truncated: number;
  skipped: Record<SkipReason, number>;
}

interface KeywordRule {
  rule: Rule;
  global: RegExp;
}

/**
 * Bound names whose gate answer a Detector remembers: names repeat (a 12 MB JavaScript bundle's 181,535 named
 * literals had 47,196 names); a few MB at most.
 */
export const MAX_NAMES_READ = 65_536;

/** Shape pairs start with values shorter than this (rules/shape-pairs.ts: 13 to 25 characters today). */
const PAIR_LENGTHS = 256;

/** Keys of trigram keyword lists in `keywordsAt`, above the bigram and single-character keys. */
const TRIGRAM_BASE = 1 << 16;

/** ASCII lower case of a UTF-16 code unit, folded into 0..127 (non-ASCII becomes 0, which no keyword starts with). */
function fold(c: number): number {
  if (c >= 128) return 0;
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** `keyword` (lower case) occurs at `at` in `text`, ignoring ASCII case. */
function startsWithFolded(text: string, at: number, keyword: string): boolean {
  if (at + keyword.length > text.length) return false;
  for (let j = 1; j < keyword.length; j++) if (fold(text.charCodeAt(at + j)) !== keyword.charCodeAt(j)) return false;
  return true;
}

function isSpace(code: number): boolean {
  return code <= 32 || code === 0xa0 || code === 0xfeff;
}

/**
 * Rule arrays already checked by ruleProblems (identity: one loaded rules file with the built-in ones). The built-in
 * RULES are checked by the test suite (test/detect/rules.test.ts, detection.test.ts), not by every scan worker again:
 * that took 12-21 ms of each worker's start-up in CPU profiles, before its scan.
 */
const VALIDATED = new WeakSet<readonly Rule[]>([RULES]);

/**
 * The rule engine: compile rules once, then feed decoded strings and collect findings. Checks run cheapest first:
 * length, keyword prefilter (or bound-name and length gates for whole-string rules), pattern, entropy and shape,
 * allowlists and placeholders, text conditions, then severity adjustments; pairing is resolved in `findings()`.
 */
export class Detector {
  readonly stats: DetectorStats = {
    strings: 0,
    chars: 0,
    prefilterHits: 0,
    regexRuns: 0,
    truncated: 0,
    skipped: { short: 0, entropy: 0, shape: 0, allowlist: 0, placeholder: 0, 'text-condition': 0, superseded: 0, unpaired: 0, 'group-limit': 0 },
  };

  private readonly keywordRules: KeywordRule[] = [];
  /**
   * Keyword prefilter: a table of the (case-folded ASCII) first two characters of every keyword, then a comparison
   * with the keywords starting there. With hundreds of keywords this is several times faster than one regex
   * alternation (which V8 cannot scan with a literal search); a few keywords of one character use `single`.
   */
  private readonly prefilter: boolean;
  private readonly bigrams = new Uint8Array(128 * 128);
  private readonly single = new Uint8Array(128);
  /** Keywords (lower case) by their first two folded characters (index c0 * 128 + c1), or by their only character (16384 + c). */
  private readonly keywordsAt = new Map<number, Array<{ keyword: string; rules: number[] }>>();
  /** First three folded characters of keywords of three or more characters (2 MB: 128^3 flags). */
  private readonly trigrams = new Uint8Array(1 << 21);
  private hasShort = false;
  private keywordHit = false;
  private lastKeywordText: string | undefined;
  private lastKeywordHit = false;

  /** Per keyword rule: whether its keywords occurred in the current string. */
  private readonly triggered: Uint8Array;
  private readonly found: Candidate[] = [];
  /** Whole-string rules by trimmed length. */
  private readonly wholeByLength: Rule[][] = [];
  /** The same, only the rules that can fire without a bound name or scope (no `context.require`, or `orPaired`). */
  private readonly wholeFreeByLength: Rule[][] = [];
  /** Distinct `context.scope` regexes; a rule's index here is its mark. */
  private readonly scopeRegexes: RegExp[] = [];
  private readonly scopeIndex = new Map<Rule, number>();
  private readonly scopeMarker: RegExp | undefined;
  /** Marks seen per scope key. */
  private readonly marks = new Map<string, Set<number>>();
  private readonly maxWholeLength: number;
  /** Whole-string rules with only a `context.code` condition, by trimmed length, and their longest match. */
  private readonly wholeCodeByLength: Rule[][] = [];
  private readonly maxCodeWholeLength: number;
  /** Any bound name some whole-string rule requires: one test rejects most contexts. */
  private readonly contextGate: LiteralGate | undefined;
  /** Any bound name some rule's `adjust.when.context` reads. */
  private readonly adjustGate: LiteralGate | undefined;
  /** Whole-string rules that can fire on a value whatever its name (no `context.require`, `orPaired`, or a scope). */
  private readonly wholeValueByLength: Rule[][] = [];
  private readonly groups = new Map<string, Group>();
  private readonly partners = new Map<string, Set<string>>();
  /** Shape pairs by the first value's length (rules/shape-pairs.ts, resolved against this rule set). */
  private readonly pairFirsts = new Map<number, Array<{ rule: Rule; second: Rule; reason: string }>>();
  /** 1 at the lengths of `pairFirsts` (a flag test per string instead of a map lookup). */
  private readonly pairLengths = new Uint8Array(PAIR_LENGTHS);
  private pairPrev: { s: DecodedString; value: string; pairs: Array<{ rule: Rule; second: Rule; reason: string }> } | undefined;

  constructor(rules: readonly Rule[] = RULES) {
    // A rule set is checked once per process: every scan and every shard merge builds a Detector over the same rules.
    if (!VALIDATED.has(rules)) {
      const problems = ruleProblems(rules);
      if (problems.length > 0) throw new Error(`invalid rules:\n${problems.join('\n')}`);
      VALIDATED.add(rules);
    }
    const keywords = new Set<string>();
    const contexts: RegExp[] = [];
    let maxWhole = 0;
    let maxCodeWhole = 0;
    for (const rule of rules.flatMap(expandShapes)) {
      if (rule.whole) {
        const [min, max] = rule.whole.length;
        const free = (!rule.context?.require && !rule.context?.code) || rule.context.orPaired === true;
        // Rules that only a code use can satisfy are looked at only for strings that carry one.
        const codeOnly = rule.context?.code !== undefined && !rule.context.require && !rule.context.orPaired;
        for (let n = min; n <= max; n++) {
          if (codeOnly) (this.wholeCodeByLength[n] ??= []).push(rule);
          else (this.wholeByLength[n] ??= []).push(rule);
          if (free) (this.wholeFreeByLength[n] ??= []).push(rule);
          if (free || rule.context?.scope) (this.wholeValueByLength[n] ??= []).push(rule);
        }
        if (codeOnly) maxCodeWhole = Math.max(maxCodeWhole, max);
        else maxWhole = Math.max(maxWhole, max);
        if (rule.context?.require) {
          contexts.push(rule.context.require);
          this.minNamedWhole = Math.min(this.minNamedWhole, min);
        }
        const scope = rule.context?.scope;
        if (scope) {
          let i = this.scopeRegexes.findIndex((re) => re.source === scope.source && re.flags === scope.flags);
          if (i < 0) i = this.scopeRegexes.push(scope) - 1;
          this.scopeIndex.set(rule, i);
        }
      } else {
        const flags = rule.pattern.flags.includes('g') ? rule.pattern.flags : `${rule.pattern.flags}g`;
        this.keywordRules.push({ rule, global: new RegExp(rule.pattern.source, flags) });
        for (const k of rule.keywords) keywords.add(k);
      }
      if (rule.pairWith) {
        this.link(rule.id, rule.pairWith.ruleId);
        this.link(rule.pairWith.ruleId, rule.id);
      }
    }
    this.maxWholeLength = maxWhole;
    this.maxCodeWholeLength = maxCodeWhole;
    this.prefilter = keywords.size > 0;
    for (const k of keywords) {
      const rulesOf: number[] = [];
      this.keywordRules.forEach((kr, i) => {
        if (kr.rule.keywords.includes(k)) rulesOf.push(i);
      });
      // Keywords are lower case (ruleProblems); non-ASCII first characters never pass the table and are not supported.
      let key: number;
      if (k.length >= 3) {
        key = TRIGRAM_BASE + ((k.charCodeAt(0) & 127) << 14) + ((k.charCodeAt(1) & 127) << 7) + (k.charCodeAt(2) & 127);
        this.trigrams[key - TRIGRAM_BASE] = 1;
      } else if (k.length === 2) {
        key = (k.charCodeAt(0) & 127) * 128 + (k.charCodeAt(1) & 127);
        this.bigrams[key] = 1;
      } else {
        key = 128 * 128 + (k.charCodeAt(0) & 127);
        this.single[k.charCodeAt(0) & 127] = 1;
      }
      this.hasShort ||= k.length < 3;
      let list = this.keywordsAt.get(key);
      if (!list) this.keywordsAt.set(key, (list = []));
      list.push({ keyword: k, rules: rulesOf });
    }
    this.triggered = new Uint8Array(this.keywordRules.length);
    for (const rule of rules.flatMap(expandShapes)) {
      for (const re of [rule.context?.code, ...(rule.adjust ?? []).map((a) => a.when.code)]) {
        if (re && !this.codeRegexes.some((x) => x.source === re.source && x.flags === re.flags)) this.codeRegexes.push(re);
      }
    }
    for (const flags of new Set(this.codeRegexes.map((re) => re.flags))) {
      // Plain alternations: code regexes are anchored at the start and fail at once, faster than a literal pass over
      // the text (measured on 193,082 code texts: 53 ms, 98 ms through LiteralGate).
      this.codeGates.push(new RegExp(this.codeRegexes.filter((re) => re.flags === flags).map((re) => `(?:${re.source})`).join('|'), flags));
    }
    for (const p of SHAPE_PAIRS) {
      const first = rules.find((r) => r.id === p.first);
      const second = rules.find((r) => r.id === p.second);
      if (!first?.whole || !second?.whole) continue;
      for (let n = first.whole.length[0]; n <= first.whole.length[1]; n++) {
        let list = this.pairFirsts.get(n);
        if (!list) this.pairFirsts.set(n, (list = []));
        if (n < this.pairLengths.length) this.pairLengths[n] = 1;
        list.push({ rule: first, second, reason: p.reason });
      }
    }
    // The name gates run their patterns only on names holding one of their literals (factors.ts): 69,720 names of the
    // bench APK took 112 ms through one alternation, 18 ms so.
    this.contextGate = contexts.length > 0 ? new LiteralGate(contexts, 'i') : undefined;
    const adjusts = rules.flatMap(expandShapes).flatMap((r) => (r.adjust ?? []).flatMap((a) => (a.when.context ? [a.when.context] : [])));
    this.adjustGate = adjusts.length > 0 ? new LiteralGate(adjusts, 'i') : undefined;
    this.scopeMarker = this.scopeRegexes.length > 0 ? new RegExp(this.scopeRegexes.map((re) => `(?:${re.source})`).join('|'), 'i') : undefined;
  }

  /** Shortest whole-string match of a rule with `context.require`: shorter named values without code are skipped. */
  private minNamedWhole = MIN_STRING_LENGTH;
  /** Every `context.code` and `adjust.when.code` regex of the rule set. */
  private readonly codeRegexes: RegExp[] = [];

  /**
   * True when a code use matters to these rules (DecodeContext.keepCodeUse): its value may be a finding whatever its
   * name (it holds a keyword, marks a scope, or has the shape of a whole-string rule that fires without a name), its
   * name is one some rule requires or adjusts by, or some rule reads its code text. Any other use cannot make or change
   * a finding (rules read a use only through its value, its name and its code), so decoders need not emit it.
   */
  readonly readsCode = (code: string, text: string, context?: string): boolean => this.reads(text, context, code);

  /** Whether the Detector can read a value with this name and code text (readsCode; no code use when `code` is absent). */
  private reads(text: string, context: string | undefined, code: string | undefined): boolean {
    // The uses of one string come one after another: its value tests are made once.
    if (text !== this.readText) {
      this.readText = text;
      this.readValue = this.valueMatters(text);
    }
    if (this.readValue) return true;
    if (context !== undefined && this.nameMatters(context)) return true;
    return code !== undefined && this.codeGateOpen(code);
  }
  private readText: string | undefined;
  private readValue = false;
  /** Names already asked about by readsCode (a code use's name is often a method's: `append`, `equals`). */
  private readonly namesRead = new Map<string, boolean>();

  /** The prefilters of one walk (DecodeContext.keepRun, keepPlain and keepLiteral): see run-filter.ts. */
  byteFilters(): { keepRun: RunFilter['keep']; keepPlain: RunFilter['keepPlain']; keepLiteral: RunFilter['keepLiteral'] } {
    const f = this.runFilter();
    return { keepRun: f.keep, keepPlain: f.keepPlain, keepLiteral: f.keepLiteral };
  }

  private automaton: KeywordAutomaton | undefined;

  /** A byte prefilter of printable runs for this rule set (DecodeContext.keepRun): see run-filter.ts. One per walk. */
  runFilter(): RunFilter {
    const wholeFree = Array.from(this.wholeFreeByLength, (rules) => rules?.map((r) => r.pattern));
    const pairFirsts: RegExp[][] = [];
    for (const [n, list] of this.pairFirsts) pairFirsts[n] = list.map((p) => p.rule.pattern);
    return new RunFilter({ keywords: this.keywords(), wholeFree, pairFirsts, maxScanChars: MAX_SCAN_CHARS, minLength: MIN_STRING_LENGTH, minBoundLength: MIN_BOUND_LENGTH, reads: (text, context, code) => this.reads(text, context, code), fileScoped: FILE_SCOPED_DECODERS, unordered: UNORDERED_DECODERS });
  }

  /** Whether a value could be a finding without a name: a keyword, a scope marker, a name-free whole rule. */
  private valueMatters(text: string): boolean {
    if (text.length < MIN_BOUND_LENGTH) return false;
    if (text.length >= MIN_STRING_LENGTH) {
      // A decoder emits a string's code uses right after the string itself: its keyword scan is known by then.
      if (text === this.lastKeywordText ? this.lastKeywordHit : this.keywordIn(text)) return true;
      if (this.scopeMarker !== undefined && text.length <= MAX_MARKER_LENGTH && this.scopeMarker.test(text)) return true;
    }
    let value = text;
    if (isSpace(value.charCodeAt(0)) || isSpace(value.charCodeAt(value.length - 1))) value = value.trim();
    const rules = this.wholeValueByLength[value.length];
    if (rules === undefined) return false;
    for (const r of rules) if (r.pattern.test(value)) return true;
    return false;
  }

  /** Whether some whole-string rule requires this bound name, or some rule's severity depends on it. */
  private nameMatters(name: string): boolean {
    let yes = this.namesRead.get(name);
    if (yes === undefined) {
      yes = (this.contextGate !== undefined && this.contextGate.test(name)) || (this.adjustGate !== undefined && this.adjustGate.test(name));
      if (this.namesRead.size < MAX_NAMES_READ) this.namesRead.set(name, yes);
    }
    return yes;
  }

  /** The code regexes joined into one alternation per flag set (most code texts match none: one test each). */
  private readonly codeGates: RegExp[] = [];

  /** Whether any keyword occurs in `text` (the prefilter alone, no rule run). */
  private keywordIn(text: string): boolean {
    if (!this.prefilter) return false;
    // The keyword rules look at the first MAX_SCAN_CHARS characters only (scanKeywords): so does this.
    return this.keywords().occursInText(text, Math.min(text.length, MAX_SCAN_CHARS));
  }

  /** Every keyword as one automaton (built on first use: a Detector that only merges shards never needs it). */
  private keywords(): KeywordAutomaton {
    return (this.automaton ??= new KeywordAutomaton([...this.keywordsAt.values()].flatMap((list) => list.map((k) => k.keyword))));
  }

  /** Forgets every string fed so far (findings, scope marks, counters); the compiled rules stay. */
  reset(): this {
    this.groups.clear();
    this.marks.clear();
    this.pairPrev = undefined;
    this.lastKeywordText = undefined;
    this.found.length = 0;
    const s = this.stats;
    s.strings = s.chars = s.prefilterHits = s.regexRuns = s.truncated = 0;
    for (const k of Object.keys(s.skipped) as (keyof DetectorStats['skipped'])[]) s.skipped[k] = 0;
    return this;
  }

  private link(a: string, b: string): void {
    let set = this.partners.get(a);
    if (!set) this.partners.set(a, (set = new Set()));
    set.add(b);
  }

  /**
   * Scan one decoded string; true when it produced at least one candidate. Feeding only the strings that returned
   * true to another Detector reproduces the same findings.
   */
  feed(s: DecodedString): boolean {
    this.stats.strings++;
    // Shape pairs first: they look at every string's neighbour, named or not, short or long.
    const text = s.text;
    // Most strings can neither start nor end a pair: a flag per length rules them out (table values are exact).
    const pairs = this.pairPrev !== undefined || (text.length < PAIR_LENGTHS && this.pairLengths[text.length] === 1) ? this.shapePairs(s) : false;
    // Short values count only where a name or a code use says what they are, and only for whole-string rules.
    const short = text.length < MIN_STRING_LENGTH;
    if (short && (text.length < MIN_BOUND_LENGTH || (s.code === undefined && (s.context === undefined || text.length < this.minNamedWhole)))) {
      this.stats.skipped.short++;
      return false;
    }
    if (!short) this.stats.chars += text.length;
    const found = this.found;
    const key = s.scope !== undefined || FILE_SCOPED_DECODERS.has(s.location.decoder) ? scopeKey(s) : undefined;
    const marked = !short && key !== undefined && this.scopeMarker !== undefined && text.length <= MAX_MARKER_LENGTH && this.mark(key, text);
    if (short || text.length <= this.maxWholeLength + 64 || (s.code !== undefined && text.length <= this.maxCodeWholeLength + 64)) this.scanWhole(s, found, key);
    // A decoder may emit the same text again right away (a DEX string, then each of its code uses): keyword rules
    // found nothing in it the first time, so they are not run again.
    if (!short && this.prefilter && !(text === this.lastKeywordText && !this.lastKeywordHit)) {
      this.scanKeywords(s, found);
      this.lastKeywordText = text;
      this.lastKeywordHit = this.keywordHit;
    }
    if (found.length === 0) return marked || pairs;
    this.record(s, this.dropSuperseded(found));
    found.length = 0;
    return true;
  }

  /**
   * Tracks the previous unnamed string of the same entry and decoder; when it and `s` have the shapes of a known
   * pair, both are recorded as that pair. True when `s` must reach a merging Detector for pairs to be the same there:
   * a possible first half, the string right after one, or a completed second half.
   */
  private shapePairs(s: DecodedString): boolean {
    const prev = this.pairPrev;
    this.pairPrev = undefined;
    if (this.pairFirsts.size === 0 || s.context !== undefined || s.code !== undefined || UNORDERED_DECODERS.has(s.location.decoder)) return prev !== undefined;
    const value = s.text;
    let forward = prev !== undefined;
    if (prev && prev.s.location.entry === s.location.entry && prev.s.location.decoder === s.location.decoder) {
      for (const { rule: first, second, reason } of prev.pairs) {
        const b = this.shapeCandidate(second, value, s, reason);
        if (!b) continue;
        const a = this.shapeCandidate(first, prev.value, prev.s, reason);
        if (!a) continue;
        this.record(prev.s, [a]);
        this.record(s, [b]);
      }
    }
    const starts = value.length < this.pairLengths.length && this.pairLengths[value.length] === 1 ? this.pairFirsts.get(value.length) : undefined;
    if (starts) {
      // Most strings of a first value's length are not one: no array is made for them.
      let pairs: typeof starts | undefined;
      for (const p of starts) if (p.rule.pattern.test(value)) (pairs ??= []).push(p);
      if (pairs !== undefined) {
        this.pairPrev = { s, value, pairs };
        forward = true;
      }
    }
    return forward;
  }

  private shapeCandidate(rule: Rule, value: string, s: DecodedString, reason: string): Candidate | undefined {
    const m = rule.pattern.exec(value);
    if (!m) return undefined;
    const c = this.check(rule, m.groups?.secret ?? m[0], s, false);
    return c ? { ...c, start: 0, end: value.length, confidence: 'medium', reason, shapeReason: reason } : undefined;
  }

  /** Feed many strings. */
  feedAll(strings: Iterable<DecodedString>): this {
    for (const s of strings) this.feed(s);
    return this;
  }

  /** Records which scope markers `text` is; true when it is one. */
  private mark(key: string, text: string): boolean {
    if (!this.scopeMarker!.test(text)) return false;
    let set = this.marks.get(key);
    if (!set) {
      if (this.marks.size >= MAX_GROUPS) return false;
      this.marks.set(key, (set = new Set()));
    }
    this.scopeRegexes.forEach((re, i) => {
      if (re.test(text)) set.add(i);
    });
    return true;
  }

  private codeGateOpen(code: string): boolean {
    for (const re of this.codeGates) if (re.test(code)) return true;
    return false;
  }

  private scanWhole(s: DecodedString, found: Candidate[], key: string | undefined): void {
    const path = keyPath(s);
    let value = s.text;
    if (isSpace(value.charCodeAt(0)) || isSpace(value.charCodeAt(value.length - 1))) value = value.trim();
    const byName = s.context === undefined && key === undefined && s.code === undefined ? this.wholeFreeByLength[value.length] : this.wholeByLength[value.length];
    const byCode = s.code !== undefined ? this.wholeCodeByLength[value.length] : undefined;
    const rules = byName && byCode ? byName.concat(byCode) : (byName ?? byCode);
    if (!rules) return;
    let gateOpen: boolean | undefined;
    let codeOpen: boolean | undefined;
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r]!;
      const require = rule.context?.require;
      const code = rule.context?.code;
      let needsPair = rule.pairWith?.required === true;
      // The scope mark this match waits for (-1 none): the wait itself is made only for a match.
      let waitMark = -1;
      if (require || code) {
        let named = false;
        if (require) {
          gateOpen ??= this.contextGate !== undefined && ((s.context !== undefined && this.contextGate.test(s.context)) || (path !== undefined && this.contextGate.test(path)));
          named = gateOpen && ((s.context !== undefined && require.test(s.context)) || (path !== undefined && require.test(path)));
        }
        if (!named && code !== undefined && s.code !== undefined) {
          // One test of every code regex at once before each rule's own (a method, not a closure over `s`: a closure
          // would make every call of scanWhole allocate a context for `s`).
          codeOpen ??= this.codeGateOpen(s.code);
          named = codeOpen && code.test(s.code);
        }
        if (!named) {
          if (value.length < MIN_STRING_LENGTH) continue;
          const mark = this.scopeIndex.get(rule);
          if (mark !== undefined && key !== undefined) waitMark = mark;
          else if (!rule.context?.orPaired) continue;
          needsPair = true;
        }
      }
      this.stats.regexRuns++;
      const m = rule.pattern.exec(value);
      if (!m) continue;
      const secret = m.groups?.secret ?? m[0];
      const c = this.check(rule, secret, s, needsPair);
      if (c) found.push({ ...c, start: 0, end: value.length, scopeWait: waitMark >= 0 && key !== undefined ? { key, mark: waitMark } : undefined });
    }
  }

  /** Marks the rules of the keywords of `list` that occur at `at`; returns how many rules it newly triggered. */
  private trigger(list: ReadonlyArray<{ keyword: string; rules: number[] }>, window: string, at: number): number {
    let newly = 0;
    for (const { keyword, rules } of list) {
      if (!startsWithFolded(window, at, keyword)) continue;
      this.keywordHit = true;
      for (const id of rules) {
        if (this.triggered[id] === 0) {
          this.triggered[id] = 1;
          newly++;
        }
      }
    }
    return newly;
  }

  private scanKeywords(s: DecodedString, found: Candidate[]): void {
    let window = s.text;
    if (window.length > MAX_SCAN_CHARS) {
      window = window.slice(0, MAX_SCAN_CHARS);
      this.stats.truncated++;
    }
    const triggered = this.triggered;
    let pending = triggered.length;
    this.keywordHit = false;
    const bigrams = this.bigrams;
    const single = this.single;
    const trigrams = this.trigrams;
    const keywordsAt = this.keywordsAt;
    const short = this.hasShort;
    const n = window.length;
    let c0 = n > 0 ? fold(window.charCodeAt(0)) : 0;
    let c1 = n > 1 ? fold(window.charCodeAt(1)) : 0;
    for (let i = 0; i < n && pending > 0; i++) {
      const c2 = i + 2 < n ? fold(window.charCodeAt(i + 2)) : 0;
      const t = (c0 << 14) | (c1 << 7) | c2;
      if (trigrams[t] === 1) pending -= this.trigger(keywordsAt.get(TRIGRAM_BASE + t)!, window, i);
      if (short) {
        if (bigrams[c0 * 128 + c1] === 1) pending -= this.trigger(keywordsAt.get(c0 * 128 + c1)!, window, i);
        if (single[c0] === 1) pending -= this.trigger(keywordsAt.get(128 * 128 + c0)!, window, i);
      }
      c0 = c1;
      c1 = c2;
    }
    if (!this.keywordHit) return;
    this.stats.prefilterHits++;
    for (let r = 0; r < this.keywordRules.length; r++) {
      if (triggered[r] === 0) continue;
      triggered[r] = 0;
      const k = this.keywordRules[r]!;
      this.stats.regexRuns++;
      const re = k.global;
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(window)) !== null) {
        if (m[0].length === 0) {
          re.lastIndex++;
          continue;
        }
        const secret = m.groups?.secret ?? m[0];
        const c = this.check(k.rule, secret, s, k.rule.pairWith?.required === true, window);
        if (c) found.push({ ...c, start: m.index, end: m.index + m[0].length });
      }
    }
  }

  /** Entropy, shape, allowlists, placeholders, text conditions and adjustments for one match. */
  private check(rule: Rule, secret: string, s: DecodedString, needsPair: boolean, text = s.text): Omit<Candidate, 'start' | 'end'> | undefined {
    const skipped = this.stats.skipped;
    if (rule.minEntropy !== undefined && shannon(secret) < rule.minEntropy) return void skipped.entropy++;
    if (rule.secretMustMatch && !rule.secretMustMatch.every((re) => re.test(secret))) return void skipped.shape++;
    if (rule.looksRandom && !looksRandom(secret)) return void skipped.shape++;
    if (rule.allow?.some((re) => re.test(secret))) return void skipped.allowlist++;
    if (isPlaceholder(secret) && !publishedExampleIn(secret)) return void skipped.placeholder++;
    if (rule.textMustMatch && !rule.textMustMatch.every((re) => re.test(text))) return void skipped['text-condition']++;
    let severity = rule.severity;
    let confidence = rule.confidence;
    let reason = rule.reason;
    for (const a of rule.adjust ?? []) {
      if (a.when.context && !((s.context !== undefined && a.when.context.test(s.context)) || boundPath(s, a.when.context))) continue;
      if (a.when.secret && !a.when.secret.test(secret)) continue;
      if (a.when.code && !(s.code !== undefined && a.when.code.test(s.code))) continue;
      severity = a.severity ?? severity;
      confidence = a.confidence ?? confidence;
      reason = a.reason;
      break;
    }
    return { rule, secret, severity, confidence, reason, needsPair };
  }

  private dropSuperseded(found: Candidate[]): Candidate[] {
    if (found.length >= 2 && found.some((c) => c.rule.fallback) && found.some((c) => !c.rule.fallback && !c.needsPair)) {
      found = found.filter((c) => {
        if (c.rule.fallback) this.stats.skipped.superseded++;
        return !c.rule.fallback;
      });
    }
    if (found.length < 2 || !found.some((c) => c.rule.supersedes)) return found;
    return found.filter((c) => {
      const over = found.some((o) => o !== c && o.rule.supersedes?.includes(c.rule.id) && o.start - SUPERSEDE_REACH < c.end && c.start < o.end + SUPERSEDE_REACH);
      if (over) this.stats.skipped.superseded++;
      return !over;
    });
  }

  private record(s: DecodedString, found: Candidate[]): void {
    for (const c of found) {
      const key = `${c.rule.id}\0${c.secret}`;
      let g = this.groups.get(key);
      if (!g) {
        if (this.groups.size >= MAX_GROUPS) {
          this.stats.skipped['group-limit']++;
          continue;
        }
        g = {
          rule: c.rule,
          secret: c.secret,
          severity: c.severity,
          confidence: c.confidence,
          reason: c.reason,
          standalone: false,
          named: false,
          locations: [],
          locationNeedsPair: [],
          occurrences: 0,
          pairing: c.rule.pairWith,
          standaloneOccurrences: 0,
          sites: [],
          waits: [],
          shapeReason: c.shapeReason,
          plain: false,
        };
        this.groups.set(key, g);
      }
      const named = s.context !== undefined || s.code !== undefined;
      if (!c.needsPair && c.shapeReason === undefined) g.plain = true;
      if (!c.needsPair && (!g.standalone || (named && !g.named) || ((named || !g.named) && higher(c, g)))) {
        g.standalone = true;
        g.named ||= named;
        g.severity = c.severity;
        g.confidence = c.confidence;
        g.reason = c.reason;
      }
      g.occurrences++;
      g.pairing ??= c.rule.pairWith;
      if (!c.needsPair) g.standaloneOccurrences++;
      let location = -1;
      if (g.locations.length < MAX_LOCATIONS_PER_FINDING) {
        location = g.locations.push(toFindingLocation(s.location, s.context)) - 1;
        g.locationNeedsPair.push(c.needsPair);
      }
      let site = -1;
      if (this.partners.has(c.rule.id) && g.sites.length < MAX_PAIR_SITES_PER_GROUP) {
        site = g.sites.push({ entry: s.location.entry, scope: s.scope, needsPair: c.needsPair }) - 1;
      }
      if (c.scopeWait && g.waits.length < MAX_PAIR_SITES_PER_GROUP) {
        g.waits.push({ ...c.scopeWait, location, site, severity: c.severity, confidence: c.confidence, reason: c.reason });
      }
    }
  }

  /** The findings of every string fed so far, with their values: pairs made, scope markers resolved, unpaired occurrences dropped. */
  findings(): FindingWithSecret[] {
    const out = findingsOf(this.partial({ keepSecrets: true }));
    this.stats.skipped.unpaired = out.unpaired;
    return out.findings as FindingWithSecret[];
  }

  /** What was found so far as plain data for findings made elsewhere (partial.ts). */
  partial(opts: PartialOptions): PartialFindings {
    return partialOf(this.groups.values(), this.marks, this.partners, opts);
  }
}

/** The built-in rules followed by `extra`, one array per `extra` (so the rule set is validated once per process). */
const WITH_EXTRA = new WeakMap<readonly Rule[], readonly Rule[]>();
export function rulesWith(extra?: readonly Rule[]): readonly Rule[] {
  if (!extra || extra.length === 0) return RULES;
  let all = WITH_EXTRA.get(extra);
  if (!all) WITH_EXTRA.set(extra, (all = [...RULES, ...extra]));
  return all;
}

/** A fresh Detector with the built-in rules and, if given, user rules. */
export function detectorWith(extra?: readonly Rule[]): Detector {
  return new Detector(rulesWith(extra));
}

/** Findings for a batch of strings with a fresh Detector. */
export function scanStrings(strings: Iterable<DecodedString>, rules: readonly Rule[] = RULES): FindingWithSecret[] {
  return new Detector(rules).feedAll(strings).findings();
}
