import type { Confidence, Severity } from '../../rules/types.js';

/** Points per finding by severity (before the confidence factor). */
export const SEVERITY_POINTS: Record<Severity, number> = { critical: 40, high: 15, medium: 5, low: 1, info: 0 };
/** How much of its points a finding contributes, by confidence. */
export const CONFIDENCE_FACTOR: Record<Confidence, number> = { high: 1, medium: 0.7, low: 0.4 };
/** A finding that completes a credential with another (key id + secret) counts this much more. */
export const PAIRED_FACTOR = 1.5;
/** Grade boundaries: the grade is the first whose bound the score stays below; F otherwise. */
export const GRADE_BOUNDS: ReadonlyArray<readonly [Grade, number]> = [
  ['A', 1],
  ['B', 5],
  ['C', 15],
  ['D', 40],
];

export type Grade = 'A' | 'B' | 'C' | 'D' | 'F';
/** The best grade of an incomplete scan (src/report/verdict.ts): what was not scanned may hold anything, so never A or B. */
export const INCOMPLETE_GRADE_CAP: Grade = 'C';

/** The artifact's exposure rating: a grade and the score behind it. */
export interface Rating {
  grade: Grade;
  /** Sum over findings of severity points x confidence factor (x 1.5 when paired), rounded to one decimal. */
  score: number;
  /** Findings per severity. */
  counts: Record<Severity, number>;
  /** Present when the grade was lowered from what the findings alone give: part of the artifact was not scanned (src/report/verdict.ts). */
  capped?: { from: Grade; reason: 'incomplete' };
}

/** The fields of a finding the rating reads. */
export interface RatedFinding {
  severity: Severity;
  confidence: Confidence;
  pairedWith?: string[];
}

/**
 * A-F exposure rating ("NHI exposure") of one artifact. score = sum of SEVERITY_POINTS[severity] x
 * CONFIDENCE_FACTOR[confidence] x (PAIRED_FACTOR if the finding is paired). A: score < 1 (nothing above info),
 * B: < 5 (a few public-by-design or low findings), C: < 15 (medium), D: < 40 (a high or an unconfirmed critical),
 * F: 40 and more (a confirmed critical, or enough lesser findings to add up to one).
 */
export function rate(findings: readonly RatedFinding[]): Rating {
  const counts: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  let score = 0;
  for (const f of findings) {
    counts[f.severity]++;
    score += SEVERITY_POINTS[f.severity] * CONFIDENCE_FACTOR[f.confidence] * (f.pairedWith && f.pairedWith.length > 0 ? PAIRED_FACTOR : 1);
  }
  score = Math.round(score * 10) / 10;
  const grade = GRADE_BOUNDS.find(([, bound]) => score < bound)?.[0] ?? 'F';
  return { grade, score, counts };
}
