/**
 * The rules' code tests as one gate: whether any `context.code` or `adjust.when.code` regex matches a code text
 * (docs/code-context.md), asked of every code use a decoder finds, and the same question asked by parts before the
 * text exists.
 *
 * A DEX code text is parts joined by single spaces (`arg 0 of a.B.c`, `in`, `x.Y.z`, and `via`/`after` parts). Most
 * uses are never read by any rule, but building their text and running the alternations on it cost about a fifth of
 * the large bench APK's scan (186,474 uses). Every text a code regex matches must hold some literals (factors.ts:
 * `Requirement`); cut at spaces, each piece of a literal is itself required, and a piece without a space occurs in a
 * text made of parts joined by spaces only inside one part. So a decoder can keep one keyword mask per part (per
 * callee, per method: shared by thousands of uses) and ask `mayRead` of their union: false means no code regex can
 * match, and the use's fate rests on its value and name alone. The answer is exact by construction: a clear bit means
 * the piece is in no part, a requirement it fails is one every match meets. Pieces that only count together (the
 * options of one `any`) share a bit; masks hold 52 bits (masks.ts), and more groups than that would share bits, which
 * weakens the test without ever making it wrong. The rules of today make 41 groups of 60 pieces.
 */

import { KeywordAutomaton } from './keyword-automaton.js';
import { ALL_MASK_BITS, maskBit, maskMeets, maskOr } from './masks.js';
import { requirementOf, type Requirement } from './factors.js';

/** Pieces shorter than this are dropped from requirements (`arg`, `of`, `put`): they hold in most texts. */
const MIN_PIECE = 4;

/** A requirement on the pieces of a text: a piece, all of, any of, or always met (true). */
type Need = { piece: string } | { all: Need[] } | { any: Need[] } | true;

/** A weaker requirement (every text meeting `req` meets it) over pieces without spaces, in lower case. */
function needOf(req: Requirement): Need {
  if (req === 'none') return true;
  if ('lit' in req) {
    // The automaton folds ASCII only; a piece it cannot hold is no requirement.
    const pieces = req.lit.toLowerCase().split(' ').filter((p) => p.length >= MIN_PIECE && !/[^\x01-\x7f]/.test(p));
    return all(pieces.map((piece) => ({ piece })));
  }
  if ('all' in req) return all(req.all.map(needOf));
  return any(req.any.map(needOf));
}

function pieceOf(need: Need): string | undefined {
  return need !== true && 'piece' in need ? need.piece : undefined;
}

function all(parts: Need[]): Need {
  const flat = parts.flatMap((n) => (n !== true && 'all' in n ? n.all : [n])).filter((n) => n !== true);
  // A piece that another piece holds, or that came before, adds nothing: `witter` next to `twitter`.
  const pieces = flat.map(pieceOf);
  const kept = flat.filter((_, i) => {
    const p = pieces[i];
    return p === undefined || !pieces.some((q, j) => q !== undefined && (q === p ? j < i : q.includes(p)));
  });
  return kept.length === 0 ? true : kept.length === 1 ? kept[0]! : { all: kept };
}

function any(options: Need[]): Need {
  if (options.some((n) => n === true)) return true;
  const flat = options.flatMap((n) => (n !== true && 'any' in n ? n.any : [n]));
  // An option that holds another option's piece is met whenever that one is: `witter` stands for `twitter`.
  const pieces = flat.map(pieceOf);
  const kept = flat.filter((_, i) => {
    const p = pieces[i];
    return p === undefined || !pieces.some((q, j) => q !== undefined && (q === p ? j < i : p.includes(q)));
  });
  return kept.length === 1 ? kept[0]! : { any: kept };
}

/** The key of a need that is one group of pieces (a piece, or an `any` of pieces); undefined for any other. */
function groupKey(need: Need): string | undefined {
  if (need === true) return undefined;
  if ('piece' in need) return need.piece;
  if (!('any' in need) || !need.any.every((n) => n !== true && 'piece' in n)) return undefined;
  return need.any.map((n) => (n as { piece: string }).piece).sort().join(' ');
}

function piecesOf(need: Need, out: Set<string>): Set<string> {
  if (need === true) return out;
  if ('piece' in need) out.add(need.piece);
  else for (const n of 'all' in need ? need.all : need.any) piecesOf(n, out);
  return out;
}

export class CodeGate {
  /** One alternation per flag set (code regexes are anchored: they fail at once on most texts). */
  private readonly alternations: RegExp[] = [];
  private readonly pieces: string[];
  /** Groups of pieces with a mask bit each (more groups than bits share bits: a weaker test, never a wrong one). */
  readonly groups: number;
  private readonly automaton: KeywordAutomaton;
  /** What a text must hold for each regex to match it; undefined when some regex cannot be read (then every mask may). */
  private readonly needs: BitNeed[] | undefined;

  constructor(regexes: readonly RegExp[]) {
    for (const flags of new Set(regexes.map((re) => re.flags))) {
      this.alternations.push(new RegExp(regexes.filter((re) => re.flags === flags).map((re) => `(?:${re.source})`).join('|'), flags));
    }
    const needs: Need[] = [];
    for (const re of regexes) {
      const req = requirementOf(re);
      if (req === undefined) break;
      needs.push(needOf(req));
    }
    // One bit per group of pieces that only count together (a piece, or the pieces of an `any` of pieces: a text meets
    // it when it holds any of them), so that fewer groups than pieces share the bits.
    const groups = new Map<string, string[]>();
    const visit = (need: Need): void => {
      const k = groupKey(need);
      if (k !== undefined) groups.set(k, [...piecesOf(need, new Set())]);
      else if (need !== true) for (const n of 'all' in need ? need.all : (need as { any: Need[] }).any) visit(n);
    };
    needs.forEach(visit);
    const groupBits = new Map([...groups.keys()].map((k, i) => [k, maskBit(i)]));
    const compile = (need: Need): BitNeed => {
      const k = groupKey(need);
      if (k !== undefined) return { bits: groupBits.get(k)! };
      if (need === true) return true;
      return 'all' in need ? { all: need.all.map(compile) } : { any: (need as { any: Need[] }).any.map(compile) };
    };
    this.needs = needs.length === regexes.length ? needs.map(compile) : undefined;
    this.pieces = [...piecesOf({ any: needs }, new Set())];
    this.groups = groups.size;
    const bitsOfPiece = this.pieces.map((p) => [...groups].reduce((bits, [k, members]) => (members.includes(p) ? maskOr(bits, groupBits.get(k)!) : bits), 0));
    this.automaton = new KeywordAutomaton(this.pieces, bitsOfPiece);
  }

  /** Whether some code regex matches `code`. */
  test(code: string): boolean {
    for (const re of this.alternations) if (re.test(code)) return true;
    return false;
  }

  /** The mask of the pieces that occur in `part` (one part of a text made of parts joined by single spaces). */
  readonly partMask = (part: string): number => (this.needs === undefined ? ALL_MASK_BITS : this.automaton.maskOfText(part));

  /**
   * False when no code regex can match a text made of parts joined by single spaces whose masks OR to `mask`; true
   * when one may (test() says whether one does).
   */
  readonly mayRead = (mask: number): boolean => {
    if (this.needs === undefined) return true;
    for (const need of this.needs) if (met(need, mask)) return true;
    return false;
  };

  /** The union of two masks. */
  readonly or = maskOr;

  /** How many distinct pieces the masks track (tests and tools). */
  get pieceCount(): number {
    return this.pieces.length;
  }
}

/** A requirement on mask bits: one of the bits set, all of, any of, or always met. */
type BitNeed = { bits: number } | { all: BitNeed[] } | { any: BitNeed[] } | true;

function met(need: BitNeed, mask: number): boolean {
  if (need === true) return true;
  if ('bits' in need) return maskMeets(mask, need.bits);
  if ('all' in need) {
    for (const n of need.all) if (!met(n, mask)) return false;
    return true;
  }
  for (const n of need.any) if (met(n, mask)) return true;
  return false;
}
