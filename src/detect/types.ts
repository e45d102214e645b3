import type { Location } from '../../decoders/types.js';
import type { Confidence, Severity } from '../../rules/types.js';

export type { Confidence, Severity };

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** Findings per severity, every severity present (zero when none). */
export function countBySeverity(findings: Iterable<{ severity: Severity }>): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** Rank for comparisons: critical = 4 ... info = 0. */
export function severityRank(s: Severity): number {
  return 4 - SEVERITIES.indexOf(s);
}

/** Where a finding's value was seen. */
export interface FindingLocation {
  entry: string;
  decoder: string;
  pointer: string;
  context?: string;
}

/** One hardcoded credential, possibly seen at several locations. `secret` is stripped from reports unless asked for. */
export interface Finding {
  ruleId: string;
  provider: string;
  title: string;
  severity: Severity;
  confidence: Confidence;
  /** Why this severity/confidence (e.g. "public by design: Firebase client key"). */
  reason?: string;
  /** The full value. Never logged; reports omit it unless --show-secrets. */
  secret: string;
  redacted: string;
  /** Stable id of (rule, value): hex SHA-256, used for baselines and version diffs. */
  fingerprint: string;
  locations: FindingLocation[];
  /** How many times the value was seen; `locations` is capped, this is not. */
  occurrences?: number;
  /** Fingerprints of the other parts when this finding is a pair (key id + secret). */
  pairedWith?: string[];
}

export function toFindingLocation(loc: Location, context?: string): FindingLocation {
  return context === undefined ? { entry: loc.entry, decoder: loc.decoder, pointer: loc.pointer } : { entry: loc.entry, decoder: loc.decoder, pointer: loc.pointer, context };
}
