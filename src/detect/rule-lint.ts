/**
 * Structural checks of a rule set, made once before a Detector compiles it: ids, keywords, flags, anchoring, regex
 * safety (no nested or unbounded quantifiers) and references between rules. `leakdex rules check` and the tests
 * report what these find.
 */
import type { Rule } from '../../rules/types.js';
import { MIN_BOUND_LENGTH, MIN_STRING_LENGTH } from './lengths.js';

/** Problems of one regex source: nested or unbounded quantifiers. `?` over a group is allowed (at most one pass). */
export function patternProblems(source: string): string[] {
  const problems: string[] = [];
  const frames: boolean[] = [false];
  const quantifierAt = (i: number): { length: number; repeats: boolean; bounded: boolean } | undefined => {
    const c = source[i];
    if (c === '*' || c === '+') return { length: 1, repeats: true, bounded: false };
    if (c === '?') return { length: 1, repeats: false, bounded: true };
    if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i, i + 24));
      if (!m) return undefined;
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      return { length: m[0].length, repeats: max > 1, bounded: max !== Infinity };
    }
    return undefined;
  };
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    let atomEnd: number;
    let groupHadQuantifier = false;
    if (c === '\\') {
      atomEnd = i + 2;
    } else if (c === '[') {
      let j = i + 1;
      if (source[j] === '^') j++;
      if (source[j] === ']') j++;
      while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
      atomEnd = j + 1;
    } else if (c === '(') {
      frames.push(false);
      i++;
      continue;
    } else if (c === ')') {
      groupHadQuantifier = frames.pop() ?? false;
      if (frames.length === 0) {
        problems.push(`unbalanced ')' at ${i}`);
        frames.push(false);
      }
      atomEnd = i + 1;
    } else if (c === '|' || c === '^' || c === '$') {
      i++;
      continue;
    } else {
      atomEnd = i + 1;
    }
    const q = quantifierAt(atomEnd);
    if (q) {
      if (!q.bounded) problems.push(`unbounded quantifier at ${atomEnd}`);
      if (c === ')' && groupHadQuantifier && q.repeats) problems.push(`nested quantifier at ${atomEnd}`);
      frames[frames.length - 1] = true;
      let next = atomEnd + q.length;
      if (source[next] === '?') next++;
      i = next;
    } else {
      if (groupHadQuantifier) frames[frames.length - 1] = true;
      i = atomEnd;
    }
  }
  if (frames.length !== 1) problems.push('unbalanced (');
  return problems;
}

/** A rule and each of its further shapes, as rules sharing the id (shape fields replace the rule's own). */
export function expandShapes(rule: Rule): Rule[] {
  if (!rule.shapes || rule.shapes.length === 0) return [rule];
  const base: Rule = { ...rule };
  delete base.shapes;
  return [base, ...rule.shapes.map((shape): Rule => ({ ...base, whole: undefined, context: undefined, minEntropy: undefined, secretMustMatch: undefined, textMustMatch: undefined, pairWith: undefined, supersedes: undefined, allow: undefined, ...shape }))];
}

/** Structural problems of a rule set: ids, keywords, flags, regex safety, references between rules. */
export function ruleProblems(rules: readonly Rule[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const rule of rules) {
    if (ids.has(rule.id)) problems.push(`${rule.id}: duplicate id`);
    ids.add(rule.id);
  }
  for (const r of rules.flatMap(expandShapes)) {
    const at = (msg: string): void => void problems.push(`${r.id}: ${msg}`);
    if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(r.id)) at('id is not kebab-case');
    if (/[gy]/.test(r.pattern.flags)) at('pattern must not carry the g or y flag');
    for (const k of r.keywords) if (k === '' || k !== k.toLowerCase()) at(`keyword ${JSON.stringify(k)} is empty or not lower-case`);
    for (const k of r.keywords) if (!/^[\x20-\x7e]{1,64}$/.test(k)) at(`keyword ${JSON.stringify(k)} must be 1 to 64 printable ASCII characters`);
    if (r.keywords.length === 0 && !r.whole) at('a rule without keywords must be a whole-string rule');
    if (r.whole) {
      const [min, max] = r.whole.length;
      const bound = r.context?.require !== undefined || r.context?.code !== undefined;
      if (!r.pattern.source.startsWith('^') || !r.pattern.source.endsWith('$')) at('whole-string pattern must be anchored with ^...$');
      if (!(min >= (bound ? MIN_BOUND_LENGTH : MIN_STRING_LENGTH) && min <= max && max <= 4096)) at('whole length bounds out of range');
      if (min < MIN_STRING_LENGTH && r.context?.orPaired) at('a whole-string rule shorter than MIN_STRING_LENGTH cannot stand on a pairing alone');
    }
    const regexes: Array<[string, RegExp]> = [['pattern', r.pattern]];
    if (r.context?.require) regexes.push(['context.require', r.context.require]);
    if (r.context?.code) regexes.push(['context.code', r.context.code]);
    if (r.context?.scope) regexes.push(['context.scope', r.context.scope]);
    for (const a of r.adjust ?? []) {
      if (a.when.context) regexes.push(['adjust.when.context', a.when.context]);
      if (a.when.secret) regexes.push(['adjust.when.secret', a.when.secret]);
      if (a.when.code) regexes.push(['adjust.when.code', a.when.code]);
    }
    for (const re of r.textMustMatch ?? []) regexes.push(['textMustMatch', re]);
    for (const re of r.secretMustMatch ?? []) regexes.push(['secretMustMatch', re]);
    for (const re of r.allow ?? []) regexes.push(['allow', re]);
    for (const [what, re] of regexes) {
      for (const p of patternProblems(re.source)) at(`${what}: ${p}`);
      if (what !== 'pattern' && /[gy]/.test(re.flags)) at(`${what} must not carry the g or y flag`);
    }
    if (r.context?.require && !r.context.require.flags.includes('i')) at('context.require must be case-insensitive');
    for (const a of r.adjust ?? []) if (a.when.context && !a.when.context.flags.includes('i')) at('adjust.when.context must be case-insensitive');
    if (r.context?.orPaired && !r.pairWith) at('context.orPaired needs pairWith');
    if (r.context?.scope && (!r.whole || !r.context.require)) at('context.scope applies to whole-string rules with context.require');
    if (r.context?.code && !r.whole) at('context.code applies to whole-string rules');
    if (r.context?.scope && !r.context.scope.flags.includes('i')) at('context.scope must be case-insensitive');
    if (r.examples.match.length === 0 || r.examples.noMatch.length === 0) at('needs match and noMatch examples');
  }
  for (const r of rules.flatMap(expandShapes)) {
    if (r.pairWith && !ids.has(r.pairWith.ruleId)) problems.push(`${r.id}: pairWith names unknown rule ${r.pairWith.ruleId}`);
    for (const s of r.supersedes ?? []) if (!ids.has(s)) problems.push(`${r.id}: supersedes unknown rule ${s}`);
  }
  return problems;
}
