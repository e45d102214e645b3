/**
 * Runs the verifiers over a report's findings (opt-in: `leakdex scan --verify`, `?verify=true`, a tenant's setting):
 * one check per distinct credential, results cached by fingerprint for a TTL, live credentials raised to critical
 * with the reason, and the rating recomputed. With `dryRun` nothing is sent: each finding says what would be called.
 */
import { createHash } from 'node:crypto';
import { rate } from '../detect/rating.js';
import { severityRank } from '../detect/types.js';
import { redact } from '../detect/redact.js';
import type { FindingBase, Verification, VerificationEvidence, VerificationStatus } from '../findings.js';
import type { Report, ReportFinding } from '../report/types.js';
import { capRating, scanGaps } from '../report/verdict.js';
import { DEFAULT_PROVIDER_CONCURRENCY, DEFAULT_PROVIDER_SPACING_MS, ProviderLimiter, verifierHttp, VerifyConfigError, type VerifyHttpOptions } from './http.js';
import { VERIFIERS } from './index.js';
import type { Exposure, PlannedCheck, SecretFinding, Verifier, VerifyContext, VerifyOutcome } from './types.js';

/** How long a live or invalid result is reused for the same credential. */
export const DEFAULT_CACHE_TTL_MS = 24 * 3600_000;
/** How long an error is reused: a provider that failed is asked again soon, not at once by every version. */
export const ERROR_CACHE_TTL_MS = 5 * 60_000;
/** Checks of one report run at once (each provider also limits itself). */
export const REPORT_CONCURRENCY = 8;

/** A check's result as cached: the verification and what it implies for the findings it covers. */
export interface CheckResult {
  verification: Verification;
  keepSeverity?: boolean;
  exposures?: Exposure[];
}

/** Where results are kept between scans: in memory for one CLI run, in the store for the service. */
export interface VerifyCache {
  get(key: string): Promise<CheckResult | undefined> | CheckResult | undefined;
  set(key: string, value: CheckResult, ttlMs: number): Promise<void> | void;
}

/** A cache of one process. */
export class MemoryVerifyCache implements VerifyCache {
  private readonly map = new Map<string, { v: CheckResult; until: number }>();
  get(key: string): CheckResult | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    if (hit.until < Date.now()) {
      this.map.delete(key);
      return undefined;
    }
    return hit.v;
  }
  set(key: string, value: CheckResult, ttlMs: number): void {
    this.map.set(key, { v: value, until: Date.now() + ttlMs });
  }
}

export interface VerifyOptions extends VerifyHttpOptions {
  /** List what would be checked, send nothing. */
  dryRun?: boolean;
  cache?: VerifyCache;
  cacheTtlMs?: number;
  /** Ask the providers even when the cache has an answer (scheduled re-checks); the answer is cached again. */
  refresh?: boolean;
  /** Verify only these findings; the others are left as they are (still partners of a pair). */
  only?: (f: ReportFinding) => boolean;
  /** Per-provider limiters shared across reports (the service's); one set per call otherwise. */
  limiters?: Map<string, ProviderLimiter>;
  concurrency?: number;
  spacingMs?: number;
  now?: () => Date;
  /** The verifiers to use (default: all of src/verify/index.ts). */
  verifiers?: readonly Verifier[];
  /** Called with each result as it is made (metrics: provider, status, from the cache or not). */
  onResult?: (provider: string, status: VerificationStatus, cached: boolean) => void;
}

/** What one verification pass did, for the CLI's summary line and the service's metrics. */
export interface VerifySummary {
  checked: number;
  cached: number;
  byStatus: Record<VerificationStatus, number>;
  /** Official origins contacted (or, in a dry run, that would be). */
  hosts: string[];
  /** Findings added because a check established them (an open database). */
  exposures: number;
}

/** The verifier of each rule id. */
function verifierIndex(verifiers: readonly Verifier[]): Map<string, Verifier> {
  const m = new Map<string, Verifier>();
  for (const v of verifiers) for (const id of v.ruleIds) if (!m.has(id)) m.set(id, v);
  return m;
}

/** The cache key of a check: verifier and the fingerprints of every value it sends (keyed fingerprints in the service). */
function cacheKey(v: Verifier, check: PlannedCheck): string {
  return createHash('sha256').update(`${v.id}\0${[...check.fingerprints].sort().join('\0')}`).digest('hex');
}

/** Any secret of the check's inputs that slipped into a reason or evidence string is redacted. */
function scrub(s: string, secrets: readonly string[]): string {
  for (const x of secrets) if (x.length >= 6 && s.includes(x)) s = s.split(x).join(redact(x));
  return s;
}

function scrubEvidence(e: VerificationEvidence, secrets: readonly string[]): VerificationEvidence {
  return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, typeof v === 'string' ? scrub(v, secrets) : Array.isArray(v) ? v.map((x) => scrub(x, secrets)) : v]));
}

function scrubOutcome(o: VerifyOutcome, secrets: readonly string[]): VerifyOutcome {
  const out: VerifyOutcome = { ...o, reason: scrub(o.reason, secrets) };
  if (o.evidence) out.evidence = scrubEvidence(o.evidence, secrets);
  if (o.exposures) out.exposures = o.exposures.map((x) => ({ ...x, reason: scrub(x.reason, secrets), ...(x.evidence ? { evidence: scrubEvidence(x.evidence, secrets) } : {}) }));
  return out;
}

/** Runs `fn` over `items`, at most `n` at once. */
async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(workers);
}

/**
 * Verifies the findings of `report` in place (they must carry their values: scan with showSecrets) and returns what
 * was done. A finding without its value is `skipped`; a rule without a verifier is `unverifiable`, said plainly.
 */
export async function verifyReport(report: Report, opts: VerifyOptions = {}): Promise<VerifySummary> {
  const now = opts.now ?? (() => new Date());
  const index = verifierIndex(opts.verifiers ?? VERIFIERS);
  const limiters = opts.limiters ?? new Map<string, ProviderLimiter>();
  const limiterOf = (provider: string) => {
    let l = limiters.get(provider);
    if (!l) limiters.set(provider, (l = new ProviderLimiter(opts.concurrency ?? DEFAULT_PROVIDER_CONCURRENCY, opts.spacingMs ?? DEFAULT_PROVIDER_SPACING_MS)));
    return l;
  };
  const summary: VerifySummary = { checked: 0, cached: 0, byStatus: { live: 0, invalid: 0, unverifiable: 0, error: 0, skipped: 0 }, hosts: [], exposures: 0 };
  const hosts = new Set<string>();
  const withSecret = report.findings.filter((f): f is ReportFinding & { secret: string } => typeof f.secret === 'string' && f.secret.length > 0);
  const byFingerprint = new Map(withSecret.map((f) => [f.fingerprint, f]));
  const ctx: VerifyContext = {
    partners(f, ruleId) {
      const paired = (f.pairedWith ?? []).map((fp) => byFingerprint.get(fp)).filter((p): p is SecretFinding => p !== undefined && p.ruleId === ruleId);
      if (paired.length) return paired.slice(0, 3);
      return withSecret.filter((p) => p.ruleId === ruleId && p !== f).slice(0, 3);
    },
  };
  const set = (f: FindingBase, v: Verification) => {
    f.verification = v;
    summary.byStatus[v.status]++;
  };
  // One check per distinct (verifier, values): the same credential at two rule ids or locations is asked once.
  const jobs = new Map<string, { v: Verifier; check: PlannedCheck; findings: (ReportFinding & { secret: string })[]; secrets: string[] }>();
  for (const f of report.findings) {
    if (opts.only && !opts.only(f)) continue;
    const v = index.get(f.ruleId);
    if (!v) {
      set(f, { status: 'unverifiable', checkedAt: now().toISOString(), reason: `no read-only check exists for ${f.ruleId}` });
      continue;
    }
    if (typeof f.secret !== 'string' || f.secret.length === 0) {
      set(f, { status: 'skipped', checkedAt: now().toISOString(), verifier: v.id, reason: 'the value was not kept, so it cannot be checked' });
      continue;
    }
    const sf = f as ReportFinding & { secret: string };
    const check = v.plan(sf, ctx);
    if ('unverifiable' in check) {
      set(f, { status: 'unverifiable', checkedAt: now().toISOString(), verifier: v.id, reason: check.unverifiable });
      continue;
    }
    const key = cacheKey(v, check);
    const secrets = [sf.secret, ...check.fingerprints.map((fp) => byFingerprint.get(fp)?.secret).filter((s): s is string => s !== undefined)];
    const job = jobs.get(key);
    if (job) job.findings.push(sf);
    else jobs.set(key, { v, check, findings: [sf], secrets });
  }
  const exposures: ReportFinding[] = [];
  await pool([...jobs.entries()], REPORT_CONCURRENCY, async ([key, { v, check, findings, secrets }]) => {
    hosts.add(check.host);
    if (opts.dryRun) {
      for (const f of findings) set(f, { status: 'skipped', checkedAt: now().toISOString(), verifier: v.id, host: check.host, reason: `dry run: would call ${check.call} on ${check.host}` });
      return;
    }
    const cached = opts.refresh ? undefined : await opts.cache?.get(key);
    let result: CheckResult;
    if (cached) {
      result = cached;
      summary.cached++;
    } else {
      const checkedAt = now().toISOString();
      let outcome: VerifyOutcome;
      try {
        outcome = scrubOutcome(await check.run(verifierHttp(v, limiterOf(v.provider), opts)), secrets);
      } catch (e) {
        if (e instanceof VerifyConfigError) throw e;
        outcome = { status: 'error', reason: scrub(e instanceof Error ? e.message : String(e), secrets) };
      }
      summary.checked++;
      result = { verification: { status: outcome.status, checkedAt, reason: outcome.reason, verifier: v.id, host: check.host, ...(outcome.evidence ? { evidence: outcome.evidence } : {}) } };
      if (outcome.keepSeverity) result.keepSeverity = true;
      if (outcome.exposures?.length) result.exposures = outcome.exposures;
      await opts.cache?.set(key, result, result.verification.status === 'error' ? ERROR_CACHE_TTL_MS : (opts.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS));
    }
    const verification = result.verification;
    for (const f of findings) {
      opts.onResult?.(v.provider, verification.status, cached !== undefined);
      const own: Verification = { ...verification };
      if (verification.status === 'live' && !result.keepSeverity) {
        if (f.severity !== 'critical') own.severityBefore = f.severity;
        f.severity = 'critical';
        // The provider accepted it: that it is a working credential is no longer a guess.
        f.confidence = 'high';
        f.reason = `verified live: ${verification.reason}`;
      }
      set(f, own);
      if (verification.status === 'live') for (const x of result.exposures ?? []) exposures.push(exposureFinding(f, own, x));
    }
  });
  for (const x of exposures) {
    if (report.findings.some((f) => f.fingerprint === x.fingerprint)) continue;
    report.findings.push(x);
    summary.exposures++;
    summary.byStatus.live++;
  }
  summary.hosts = [...hosts].sort();
  report.rating = capRating(rate(report.findings), scanGaps(report));
  return summary;
}

/**
 * Lists the findings worst first again after verification raised some and added exposures (stable: the scan's order
 * within a severity). Separate from verifyReport, which keeps each finding at its index.
 */
export function orderBySeverity(report: Report): void {
  report.findings.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
}

/** The finding a check established (e.g. `firebase-database-open`): critical, at the checked finding's locations. */
function exposureFinding(f: ReportFinding, v: Verification, x: Exposure): ReportFinding {
  return {
    ruleId: x.ruleId,
    provider: f.provider,
    title: x.title,
    severity: 'critical',
    confidence: 'high',
    reason: x.reason,
    redacted: f.redacted,
    fingerprint: createHash('sha256').update(`${x.ruleId}\0${f.fingerprint}`).digest('hex'),
    locations: f.locations,
    verification: { ...v, reason: x.reason, ...(x.evidence ? { evidence: x.evidence } : {}) },
  };
}

export { VerifyConfigError };
