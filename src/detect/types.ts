import type { Location } from '../../decoders/types.js';
import type { Confidence, Severity } from '../../rules/types.js';
import type { FindingBase, FindingLocation } from '../findings.js';

export type { Confidence, FindingLocation, Severity };

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

/**
 * One hardcoded credential as the detector makes it: the shared finding shape plus how often the value was seen.
 * `secret` is there only when the scan keeps values; reports omit it unless --show-secrets.
 */
export interface Finding extends FindingBase {
  /** How many times the value was seen; `locations` is capped, this is not. */
  occurrences?: number;
}

/** A finding of an in-process Detector, which always keeps the value. */
export type FindingWithSecret = Finding & { secret: string };

/** Where a decoded string was found, as a finding location (with the name it is bound to). */
export function toFindingLocation(loc: Location, context?: string): FindingLocation {
  return context === undefined ? { entry: loc.entry, decoder: loc.decoder, pointer: loc.pointer } : { entry: loc.entry, decoder: loc.decoder, pointer: loc.pointer, context };
}
