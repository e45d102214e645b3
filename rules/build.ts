/**
 * Builders for the two common rule shapes, so each provider module states only the documented format:
 * `prefixed` (a distinctive literal prefix and a fixed body, found anywhere in a string) and `bound` (a bare value
 * that only the name it is bound to, a partner or a marker string in the same scope identifies). Both derive the
 * pattern, the keywords and a base set of examples (the value, the value in a config line, a truncated value, a
 * placeholder-filled value, a glued prefix) from the same shape; modules add their own look-alikes.
 */
import { fake } from './fake.js';
import type { Confidence, Rule, RuleAdjustment, RuleExample, RulePairing, Severity } from './types.js';

/** A character class: its regex text and its alphabet (for generated examples). */
export interface Charset {
  cls: string;
  chars: string;
}

const range = (a: string, b: string): string => Array.from({ length: b.charCodeAt(0) - a.charCodeAt(0) + 1 }, (_, i) => String.fromCharCode(a.charCodeAt(0) + i)).join('');
const LOWER = range('a', 'z');
const UPPER = range('A', 'Z');
const DIG = range('0', '9');

/** Character classes used by provider formats. */
export const CS = {
  hex: { cls: '[0-9a-f]', chars: `${DIG}abcdef` },
  HEX: { cls: '[0-9A-F]', chars: `${DIG}ABCDEF` },
  anyHex: { cls: '[0-9a-fA-F]', chars: `${DIG}abcdef` },
  digits: { cls: '[0-9]', chars: DIG },
  alnum: { cls: '[A-Za-z0-9]', chars: `${UPPER}${LOWER}${DIG}` },
  lowerAlnum: { cls: '[a-z0-9]', chars: `${LOWER}${DIG}` },
  upperAlnum: { cls: '[A-Z0-9]', chars: `${UPPER}${DIG}` },
  lower: { cls: '[a-z]', chars: LOWER },
  alpha: { cls: '[A-Za-z]', chars: `${UPPER}${LOWER}` },
  b64: { cls: '[A-Za-z0-9+/]', chars: `${UPPER}${LOWER}${DIG}+/` },
  b64url: { cls: '[A-Za-z0-9_-]', chars: `${UPPER}${LOWER}${DIG}_-` },
  base32: { cls: '[A-Z2-7]', chars: `${UPPER}234567` },
  lowerBase32: { cls: '[a-z2-7]', chars: `${LOWER}234567` },
} satisfies Record<string, Charset>;

/** One piece of a format: a literal, or `[charset, length]` / `[charset, min, max]`. */
export type Part = string | [Charset, number] | [Charset, number, number];

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function partsSource(parts: readonly Part[]): string {
  return parts.map((p) => (typeof p === 'string' ? escape(p) : p.length === 2 ? `${p[0].cls}{${p[1]}}` : `${p[0].cls}{${p[1]},${p[2]}}`)).join('');
}

/** A value of the shape; `delta` changes the length of the last variable part (to make a too-short look-alike). */
function sample(parts: readonly Part[], seed: number, delta = 0, fill?: string): string {
  const lastVar = parts.reduce((acc, p, i) => (typeof p === 'string' ? acc : i), -1);
  return parts
    .map((p, i) => {
      if (typeof p === 'string') return p;
      const base = p.length === 2 ? p[1] : Math.min(p[2], Math.max(p[1], p[1] + 8));
      const n = i === lastVar ? (delta < 0 && p.length === 3 ? p[1] + delta : base + delta) : base;
      return fill ? fill.repeat(n).slice(0, n) : fake(p[0].chars, n, seed + i * 7919);
    })
    .join('');
}

function lengthOf(parts: readonly Part[]): [number, number] {
  let min = 0;
  let max = 0;
  for (const p of parts) {
    if (typeof p === 'string') {
      min += p.length;
      max += p.length;
    } else {
      min += p[1];
      max += p.length === 2 ? p[1] : p[2];
    }
  }
  return [min, max];
}

interface Common {
  id: string;
  provider: string;
  title: string;
  severity: Severity;
  confidence?: Confidence;
  reason?: string;
  adjust?: RuleAdjustment[];
  pairWith?: RulePairing;
  minEntropy?: number;
  secretMustMatch?: RegExp[];
  allow?: RegExp[];
  supersedes?: string[];
  /** Seed for generated examples: any number unique to the rule. */
  seed: number;
  match?: Array<string | RuleExample>;
  noMatch?: Array<string | RuleExample>;
}

function common(c: Common): Pick<Rule, 'id' | 'provider' | 'title' | 'severity' | 'confidence'> & Partial<Rule> {
  const r: Pick<Rule, 'id' | 'provider' | 'title' | 'severity' | 'confidence'> & Partial<Rule> = { id: c.id, provider: c.provider, title: c.title, severity: c.severity, confidence: c.confidence ?? 'high' };
  if (c.reason) r.reason = c.reason;
  if (c.adjust) r.adjust = c.adjust;
  if (c.pairWith) r.pairWith = c.pairWith;
  if (c.minEntropy !== undefined) r.minEntropy = c.minEntropy;
  if (c.secretMustMatch) r.secretMustMatch = c.secretMustMatch;
  if (c.allow) r.allow = c.allow;
  if (c.supersedes) r.supersedes = c.supersedes;
  return r;
}

export interface PrefixedSpec extends Common {
  /** The whole format, starting with its distinctive literal (alternative literals: several specs, or `prefixes`). */
  parts: Part[];
  /** Alternative literal starts replacing `parts[0]` (e.g. `sk_live_` and `sk_test_`). */
  prefixes?: string[];
  /** Characters that may not touch the value on either side (default: letters, digits, `_`). */
  boundary?: string;
  /** Prefilter keywords when the literal start is not distinctive on its own (default: the prefixes). */
  keywords?: string[];
}

/** A token with a distinctive literal prefix, found anywhere in a string. */
export function prefixed(spec: PrefixedSpec): Rule {
  const [head, ...rest] = spec.parts;
  if (typeof head !== 'string') throw new Error(`${spec.id}: the first part must be the literal prefix`);
  const prefixes = spec.prefixes ?? [head];
  const boundary = spec.boundary ?? 'A-Za-z0-9_';
  const source = `(?<![${boundary}])(?:${prefixes.map(escape).join('|')})${partsSource(rest)}(?![${boundary}])`;
  const keywords = spec.keywords ?? [...new Set(prefixes.map((p) => p.toLowerCase().slice(0, 12)))];
  const rule = { ...common(spec), pattern: new RegExp(source), keywords };
  return withExamples(rule, () => {
    const v = (seed: number, delta = 0, fill?: string, prefix = 0): string => prefixes[prefix] + sample(rest, seed, delta, fill);
    const s = spec.seed;
    const glue = /[A-Za-z0-9]/.test(boundary) ? [`a${v(s + 4)}`] : [];
    const others = prefixes.slice(1).map((_, i) => v(s + 10 + i, 0, undefined, i + 1));
    return {
      match: [v(s), `"${v(s + 1)}"`, { text: v(s + 2), context: 'apiKey' }, ...others, ...(spec.match ?? [])],
      noMatch: [v(s + 5, -1), v(s + 6, 0, 'x'), ...glue, ...(spec.noMatch ?? [])],
    };
  });
}

/**
 * `rule` with its examples made on first read. 296 of the 340 rules come from prefixed() and bound(): their examples
 * are 2,335 of the 2,507 fake() calls made for all rules (66,989 of 74,411 characters), which every scan worker made
 * at start-up and never read (tests, the rules listing and user-rule checks do).
 */
function withExamples(rule: Omit<Rule, 'examples'>, make: () => Rule['examples']): Rule {
  let made: Rule['examples'] | undefined;
  return Object.defineProperty(rule, 'examples', { get: () => (made ??= make()), enumerable: true, configurable: true }) as Rule;
}

export interface BoundSpec extends Common {
  /** The value's format; the whole (trimmed) string must be this. */
  parts: Part[];
  /** The name the value must be bound to (case-insensitive). */
  context: RegExp;
  /** Names that must satisfy `context` (examples). */
  names: string[];
  /** Without its name, keep the value only when it pairs with `pairWith.ruleId`. */
  orPaired?: boolean;
  /** Without its name, keep the value when another string of its scope (DEX class, config file) matches this. */
  scope?: RegExp;
  /** Or when the code hands it to the SDK call that means it (code context, docs/code-context.md), with an example. */
  code?: { use: RegExp; example: string };
}

/** A bare value identified by the name it is bound to (resource, meta-data, plist key, JSON key, static field). */
export function bound(spec: BoundSpec): Rule {
  const [min, max] = lengthOf(spec.parts);
  const rule: Omit<Rule, 'examples'> = {
    ...common({ ...spec, confidence: spec.confidence ?? 'medium' }),
    pattern: new RegExp(`^${partsSource(spec.parts)}$`),
    keywords: [],
    whole: { length: [min, max] },
    context: { require: spec.context },
  };
  if (spec.orPaired) rule.context!.orPaired = true;
  if (spec.scope) rule.context!.scope = spec.scope;
  if (spec.code) rule.context!.code = spec.code.use;
  return withExamples(rule, () => {
    const s = spec.seed;
    const v = (seed: number, delta = 0, fill?: string): string => sample(spec.parts, seed, delta, fill);
    const name = spec.names[0]!;
    const examples: Rule['examples'] = {
      match: [...spec.names.map((n, i) => ({ text: v(s + i), context: n })), ...(spec.match ?? [])],
      noMatch: [v(s + 20), { text: v(s + 21), context: 'app_name' }, { text: v(s + 22, -1), context: name }, { text: v(s + 23, 0, 'x'), context: name }, ...(spec.noMatch ?? [])],
    };
    if (spec.code) {
      examples.match.push({ text: v(s + 30), code: spec.code.example });
      examples.noMatch.push({ text: v(s + 31), code: 'arg 0 of java.lang.StringBuilder.append in a.b.c.a' });
    }
    return examples;
  });
}

/** A 36-character UUID (lower-case hex, the common form). */
export const UUID: Part[] = [[CS.hex, 8], '-', [CS.hex, 4], '-', [CS.hex, 4], '-', [CS.hex, 4], '-', [CS.hex, 12]];
