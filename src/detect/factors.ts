/**
 * Required literals of a regular expression: strings one of which every text it matches in must contain. The Detector's gates
 * (the bound names some rule requires, the code texts some rule reads) are long alternations that V8 runs at every
 * position of every text; most texts hold none of their literals, and an Aho-Corasick pass over the text
 * (keyword-automaton.ts) rules those out before the regex runs. The gate's answer is the regex's in every case: a
 * text that holds a literal still goes to the regex, and a pattern whose literals cannot be told is always run.
 *
 * The reading is deliberately small and conservative: a literal is a run of plain characters (or escaped
 * punctuation) that every path through a branch must cross, positive lookarounds included; classes, `.`, escapes
 * such as `\w`, optional parts (`?`, `*`, `{0,n}`), negative lookarounds and anything not understood give none.
 */

import { KeywordAutomaton } from './keyword-automaton.js';

type Factors = string[] | undefined;

/** Escapes that stand for themselves (outside classes). */
const LITERAL_ESCAPES = new Set([...'.\\/-$^*+?()[]{}|:=!<>,#&~\'"@%` ']);

class Reader {
  i = 0;
  constructor(readonly s: string) {}
  get done(): boolean {
    return this.i >= this.s.length;
  }
  peek(): string {
    return this.s[this.i] ?? '';
  }
}

/** Parses a disjunction until `)` or the end; returns its factors (undefined: none can be told). */
function disjunction(r: Reader): Factors {
  const branches: Factors[] = [alternative(r)];
  while (r.peek() === '|') {
    r.i++;
    branches.push(alternative(r));
  }
  if (branches.some((b) => b === undefined)) return undefined;
  // A branch without a literal lets a match avoid every other branch's literals.
  if (branches.some((b) => b!.length === 0)) return [];
  return [...new Set(branches.flat() as string[])];
}

/** One alternative: a sequence of terms; its factors are the most selective of the mandatory parts. */
function alternative(r: Reader): Factors {
  let best: Factors;
  let run = '';
  const take = (f: Factors) => {
    if (f === undefined || f.length === 0) return;
    if (best === undefined || Math.min(...f.map((x) => x.length)) > Math.min(...best.map((x) => x.length))) best = f;
  };
  const endRun = () => {
    if (run.length > 0) take([run]);
    run = '';
  };
  while (!r.done && r.peek() !== '|' && r.peek() !== ')') {
    const atom = term(r);
    // A quantifier after the atom: optional (min 0) gives nothing, min >= 1 keeps the atom's own factors.
    const q = quantifier(r);
    if (atom.kind === 'char' && q === 'one') {
      run += atom.char;
      continue;
    }
    if (atom.kind === 'char') {
      // `ab+`: the run ends before the repeated character, which itself is required once when min >= 1.
      endRun();
      if (q === 'some') run = atom.char;
      endRun();
      continue;
    }
    endRun();
    if (atom.kind === 'group' && q !== 'optional') take(atom.factors);
    if (atom.kind === 'bad') return undefined;
  }
  endRun();
  return best ?? [];
}

type Atom = { kind: 'char'; char: string } | { kind: 'group'; factors: Factors } | { kind: 'other' } | { kind: 'bad' };

function term(r: Reader): Atom {
  const c = r.s[r.i++]!;
  if (c === '\\') {
    const e = r.s[r.i++];
    if (e === undefined) return { kind: 'bad' };
    if (LITERAL_ESCAPES.has(e)) return { kind: 'char', char: e };
    if (e === 'n') return { kind: 'char', char: '\n' };
    if (e === 't') return { kind: 'char', char: '\t' };
    // \d \w \s \b \B, backreferences, \uXXXX, \xHH, \p{...}, \k<name>: no literal.
    if (e === 'u' || e === 'x' || e === 'p' || e === 'P' || e === 'k' || e === 'c') return skipEscapeBody(r, e);
    return { kind: 'other' };
  }
  if (c === '[') {
    for (;;) {
      if (r.done) return { kind: 'bad' };
      const d = r.s[r.i++];
      if (d === '\\') r.i++;
      else if (d === ']') return { kind: 'other' };
    }
  }
  if (c === '(') {
    let negative = false;
    if (r.s.startsWith('?:', r.i) || r.s.startsWith('?=', r.i)) r.i += 2;
    else if (r.s.startsWith('?!', r.i)) {
      r.i += 2;
      negative = true;
    } else if (r.s.startsWith('?<=', r.i)) r.i += 3;
    else if (r.s.startsWith('?<!', r.i)) {
      r.i += 3;
      negative = true;
    } else if (r.s.startsWith('?<', r.i)) {
      const end = r.s.indexOf('>', r.i);
      if (end < 0) return { kind: 'bad' };
      r.i = end + 1;
    } else if (r.peek() === '?') return { kind: 'bad' };
    const factors = disjunction(r);
    if (factors === undefined || r.peek() !== ')') return { kind: 'bad' };
    r.i++;
    // A positive lookaround's text need not be in the match, but it is in the text, which is what a gate asks about;
    // a negative one's is not.
    return negative ? { kind: 'other' } : { kind: 'group', factors };
  }
  if (c === '.' || c === '^' || c === '$') return { kind: 'other' };
  if (c === '*' || c === '+' || c === '?' || c === '{' || c === '}' || c === ']' || c === ')') return { kind: 'bad' };
  return { kind: 'char', char: c };
}

function skipEscapeBody(r: Reader, e: string): Atom {
  if (e === 'u' && r.peek() === '{') {
    const end = r.s.indexOf('}', r.i);
    if (end < 0) return { kind: 'bad' };
    r.i = end + 1;
  } else if (e === 'u') r.i += 4;
  else if (e === 'x') r.i += 2;
  else if (e === 'c') r.i += 1;
  else if (e === 'k' && r.peek() === '<') {
    const end = r.s.indexOf('>', r.i);
    if (end < 0) return { kind: 'bad' };
    r.i = end + 1;
  } else if (r.peek() === '{') {
    const end = r.s.indexOf('}', r.i);
    if (end < 0) return { kind: 'bad' };
    r.i = end + 1;
  }
  return { kind: 'other' };
}

/** The quantifier after an atom: none ('one'), min >= 1 ('some') or min 0 ('optional'). */
function quantifier(r: Reader): 'one' | 'some' | 'optional' {
  const c = r.peek();
  let q: 'one' | 'some' | 'optional' = 'one';
  if (c === '*' || c === '?') {
    r.i++;
    q = 'optional';
  } else if (c === '+') {
    r.i++;
    q = 'some';
  } else if (c === '{') {
    const m = /^\{(\d+)(,\d*)?\}/.exec(r.s.slice(r.i, r.i + 24));
    if (!m) return 'one';
    r.i += m[0].length;
    const min = Number(m[1]);
    q = min === 0 ? 'optional' : m[2] === undefined && min === 1 ? 'one' : 'some';
  }
  if (q !== 'one' && r.peek() === '?') r.i++;
  else if (q === 'one' && c === '{' && r.peek() === '?') r.i++;
  return q;
}

/**
 * Lower-case literals one of which every text `re` matches in contains (ASCII case ignored), or undefined when they cannot
 * be told: then the regex must be run on every text. Unicode-mode case-insensitive patterns fold non-ASCII
 * characters onto ASCII ones (the Kelvin sign onto `k`) and are never given literals.
 */
export function requiredFactors(re: RegExp): string[] | undefined {
  if (re.flags.includes('i') && (re.flags.includes('u') || re.flags.includes('v'))) return undefined;
  const r = new Reader(re.source);
  const factors = disjunction(r);
  if (!r.done || factors === undefined || factors.length === 0) return undefined;
  const lower = factors.map((f) => f.toLowerCase());
  // Only ASCII literals are folded exactly by the automaton.
  if (lower.some((f) => f.length === 0 || /[^\x01-\x7f]/.test(f))) return undefined;
  return [...new Set(lower)];
}

/**
 * A gate: whether any of `regexes` (each run with `flags`) matches a text, the same answer as their alternation.
 * The patterns whose literals can be told are run only on texts that hold one of them (one automaton pass); the
 * others are run on every text.
 */
export class LiteralGate {
  private readonly filtered: RegExp | undefined;
  private readonly always: RegExp | undefined;
  private readonly literals: KeywordAutomaton;

  constructor(regexes: readonly RegExp[], flags: string) {
    const filtered: string[] = [];
    const always: string[] = [];
    const literals: string[] = [];
    for (const re of regexes) {
      const factors = requiredFactors(new RegExp(re.source, flags));
      if (factors === undefined) always.push(`(?:${re.source})`);
      else {
        filtered.push(`(?:${re.source})`);
        literals.push(...factors);
      }
    }
    this.filtered = filtered.length > 0 ? new RegExp(filtered.join('|'), flags) : undefined;
    this.always = always.length > 0 ? new RegExp(always.join('|'), flags) : undefined;
    this.literals = new KeywordAutomaton(new Set(literals));
  }

  test(text: string): boolean {
    if (this.always !== undefined && this.always.test(text)) return true;
    return this.filtered !== undefined && this.literals.occursInText(text, text.length) && this.filtered.test(text);
  }

  /** Whether some of the patterns run only after one of their literals is found. */
  get prefiltered(): boolean {
    return this.filtered !== undefined;
  }
}
