/** What a Detector accumulates per (rule, secret) while strings are fed (partial.ts turns it into findings). */
import type { Confidence, Rule, RulePairing, Severity } from '../../rules/types.js';
import { type FindingLocation, severityRank } from './types.js';

/** Locations kept per finding; `occurrences` keeps counting. */
export const MAX_LOCATIONS_PER_FINDING = 50;
/** Distinct (rule, secret) groups kept per scan; more are counted and dropped. */
export const MAX_GROUPS = 20_000;
/** Places remembered per group for pairing. */
export const MAX_PAIR_SITES_PER_GROUP = 200;

const CONFIDENCE_RANK: Record<Confidence, number> = { high: 2, medium: 1, low: 0 };

/** Whether `a` outranks `b`: higher severity, then higher confidence. */
export function higher(a: { severity: Severity; confidence: Confidence }, b: { severity: Severity; confidence: Confidence }): boolean {
  const d = severityRank(a.severity) - severityRank(b.severity);
  return d > 0 || (d === 0 && CONFIDENCE_RANK[a.confidence] > CONFIDENCE_RANK[b.confidence]);
}

export interface Candidate {
  rule: Rule;
  secret: string;
  start: number;
  end: number;
  severity: Severity;
  confidence: Confidence;
  reason: string | undefined;
  /** Kept only if a partner is found (value without its required context, or a pairing that is required). */
  needsPair: boolean;
  /** Also kept if a marker of this rule's `context.scope` occurs in the same scope. */
  scopeWait?: { key: string; mark: number };
  /** Found only as half of a shape pair (rules/shape-pairs.ts), with the pair's reason. */
  shapeReason?: string;
}

export interface ScopeWait {
  key: string;
  mark: number;
  /** Index into `locations`, or -1 when the locations were full. */
  location: number;
  /** Index into `sites`, or -1. */
  site: number;
  severity: Severity;
  confidence: Confidence;
  reason: string | undefined;
}

export interface PairSite {
  entry: string;
  scope: string | undefined;
  needsPair: boolean;
}

export interface Group {
  rule: Rule;
  secret: string;
  severity: Severity;
  confidence: Confidence;
  reason: string | undefined;
  /** At least one occurrence stands on its own (not waiting for a partner). */
  standalone: boolean;
  /**
   * The severity comes from an occurrence with a bound name or a code use: a name that explains a value (a Google
   * key given to the Firebase SDK) outranks the same value seen with no name at all (its DEX string table entry).
   */
  named: boolean;
  locations: FindingLocation[];
  /** Whether each kept location waits for a partner, index-aligned with `locations`. */
  locationNeedsPair: boolean[];
  occurrences: number;
  /** The pairing of the shape that produced the group. */
  pairing: RulePairing | undefined;
  /** Occurrences that do not wait for a partner. */
  standaloneOccurrences: number;
  sites: PairSite[];
  /** Occurrences waiting for a scope marker, resolved in `findings()`. */
  waits: ScopeWait[];
  /** The first occurrence came from a shape pair (rules/shape-pairs.ts): its reason, confidence at most medium... */
  shapeReason: string | undefined;
  /** ...unless some occurrence stood on its own without one: then the shape reason does not apply. */
  plain: boolean;
}
