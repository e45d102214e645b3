/**
 * One finding, one shape: the base every view of a finding is cut from (the detector's, the report's, the store's
 * row, the API's and a version diff's), and one mapper per direction between them. Imports only rule types, so
 * detect/, report/, store/, service/ and cli/ can all use it.
 */
import type { Confidence, Severity } from '../rules/types.js';

/** What a verification found (src/verify, docs/verification.md). */
export type VerificationStatus = 'live' | 'invalid' | 'unverifiable' | 'error' | 'skipped';
export const VERIFICATION_STATUSES: readonly VerificationStatus[] = ['live', 'invalid', 'unverifiable', 'error', 'skipped'];

/** Facts a provider returned about a credential: never the secret, never the data it opens. */
export type VerificationEvidence = Record<string, string | number | boolean | string[]>;

/** A stored finding whose value a tenant's known-compromised feed names (src/service/feeds.ts). */
export interface CompromisedMark {
  feed: string;
  feedId: string;
  /** Where the feed says the value was seen (a breach, a paste), and when (as the feed gives it). */
  source: string | null;
  seenOn: string | null;
  /** When leakdex matched it (ISO 8601). */
  markedAt: string;
  severityBefore: string;
}

/** The outcome of asking the provider whether a finding's credential works (opt-in: `--verify`). */
export interface Verification {
  status: VerificationStatus;
  /** When the provider was asked (ISO 8601); for a cached result, when it was first asked. */
  checkedAt: string;
  /** Why this status, in one sentence (e.g. "the token endpoint issued an app-only token"). */
  reason: string;
  /** Which verifier answered (src/verify/index.ts) and the official origin it called, when it called one. */
  verifier?: string;
  host?: string;
  evidence?: VerificationEvidence;
  /** The severity before a live result raised it to critical. */
  severityBefore?: Severity;
}

/** Where a finding's value was seen. */
export interface FindingLocation {
  entry: string;
  decoder: string;
  pointer: string;
  context?: string;
}

/** One hardcoded credential, possibly seen at several locations. */
export interface FindingBase {
  ruleId: string;
  provider: string;
  title: string;
  severity: Severity;
  confidence: Confidence;
  /** Why this severity/confidence (e.g. "public by design: Firebase client key"). */
  reason?: string;
  redacted: string;
  /**
   * Stable id of (rule, value), used for baselines and version diffs: hex SHA-256 by default, HMAC-SHA256 under the
   * service's key in the service (src/detect/fingerprint.ts).
   */
  fingerprint: string;
  locations: FindingLocation[];
  /** Fingerprints of the other parts when this finding is a pair (key id + secret). */
  pairedWith?: string[];
  /** Whether the credential works, when the scan was asked to verify (`--verify`). */
  verification?: Verification;
  /** The full value: present only when the scan was asked to keep it (--show-secrets, a service storing secrets). Never logged. */
  secret?: string;
  /**
   * The service's keyed MAC of the value (src/detect/fingerprint.ts valueMac), carried from the scan worker to the
   * store like `secret` and never kept in a stored report.
   */
  valueMac?: string;
}

/** A finding of a report (docs/report.md). */
export type ReportFinding = FindingBase;

const SUMMARY_FIELDS = ['fingerprint', 'ruleId', 'provider', 'title', 'severity', 'confidence', 'redacted', 'locations'] as const;

/** What the service keeps of a finding beside its report, and lists in an app's history. */
export type FindingSummary = Pick<FindingBase, (typeof SUMMARY_FIELDS)[number]>;

/** A finding as the store writes it: its summary and its value encrypted (null unless secrets are stored). */
export interface StoredFinding extends FindingSummary {
  /** AES-256-GCM ciphertext of the raw value (see service/crypto.ts); null unless secrets are stored. */
  secretEnc: string | null;
  /** The latest verification (the scan's, then each re-check's); absent when never verified. */
  verification?: Verification | null;
  /**
   * HMAC-SHA256 under the service's fingerprint key of `compromised-v1 NUL sha256hex(value)`: what a known-compromised
   * feed entry (a SHA-256) is compared with, without the value or its plain hash at rest. Null when not made.
   */
  valueMac: string | null;
  /** Set when a known-compromised feed names the value. */
  compromised?: CompromisedMark | null;
}

const DIFF_FIELDS = ['fingerprint', 'ruleId', 'provider', 'title', 'severity', 'redacted'] as const;

/** A finding as listed in a comparison of two versions (reports, webhooks, the remote CLI). */
export type DiffFinding = Pick<FindingBase, (typeof DIFF_FIELDS)[number]>;

function pick<T, K extends keyof T>(from: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) out[k] = from[k];
  return out;
}

/**
 * Detector or report to report: the report's fields in the report's order, `reason` and `pairedWith` only when
 * set, the value only when `keepSecret` and the finding has it.
 */
export function toReportFinding(f: FindingBase, keepSecret: boolean): ReportFinding {
  const out: ReportFinding = {
    ruleId: f.ruleId,
    provider: f.provider,
    title: f.title,
    severity: f.severity,
    confidence: f.confidence,
    redacted: f.redacted,
    fingerprint: f.fingerprint,
    locations: f.locations,
  };
  if (f.reason) out.reason = f.reason;
  if (f.pairedWith?.length) out.pairedWith = f.pairedWith;
  if (f.verification) out.verification = f.verification;
  if (keepSecret && f.secret !== undefined) out.secret = f.secret;
  if (keepSecret && f.valueMac !== undefined) out.valueMac = f.valueMac;
  return out;
}

/** Report to store: the summary and the encrypted value. */
export function toStoredFinding(f: FindingBase, secretEnc: string | null): StoredFinding {
  return { ...pick(f, SUMMARY_FIELDS), secretEnc, ...(f.verification ? { verification: f.verification } : {}), valueMac: f.valueMac ?? null };
}

/** Stored row to API: the summary alone (no row ids, no ciphertext), with its verification when it has one. */
export function toFindingSummary(f: FindingSummary & { verification?: Verification | null; compromised?: CompromisedMark | null }): FindingSummary & { verification?: Verification; compromised?: CompromisedMark } {
  return { ...pick(f, SUMMARY_FIELDS), ...(f.verification ? { verification: f.verification } : {}), ...(f.compromised ? { compromised: f.compromised } : {}) };
}

/** Any view to a diff entry. */
export function toDiffFinding(f: DiffFinding): DiffFinding {
  return pick(f, DIFF_FIELDS);
}
