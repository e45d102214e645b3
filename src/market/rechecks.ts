/**
 * Continuous re-checks (docs/verification.md): the keys of watched apps' latest versions that were verified live, or
 * whose check failed or was skipped, are verified again every `verify.recheckIntervalMs`. A key that turns live, or
 * that was live and is now refused (revoked), is an event in the app's history and a signed webhook to the watch's
 * targets. Only keys a verified scan already checked are re-checked (verification stays opt-in), and only when the
 * service stores values (LEAKDEX_STORE_SECRETS): a re-check needs the value itself.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import type { Verification, VerificationStatus } from '../findings.js';
import type { Report, ReportFinding } from '../report/types.js';
import { decryptSecret, type FindingKeys } from '../service/crypto.js';
import type { ServiceVerifier } from '../service/verification.js';
import type { RecheckCandidate, Store } from '../store/types.js';
import { slackText } from '../report/escape.js';
import type { WatchRecord, WatchService } from './watches.js';

/** Most stored findings looked at per pass. */
export const MAX_RECHECK_CANDIDATES = 5_000;
/** Least time between two passes (a shorter re-check interval shortens it). */
export const RECHECK_PASS_MS = 10 * 60_000;
/** Statuses a re-check looks at again: what worked (is it still live?) and what could not be told. */
const RECHECKED: readonly VerificationStatus[] = ['live', 'error', 'skipped'];

export interface RecheckResult {
  checked: number;
  changed: number;
  /** Why nothing was looked at, when nothing was. */
  idle?: string;
}

export interface RecheckDeps {
  store: Store;
  config: Config;
  keys: FindingKeys;
  verifier: ServiceVerifier;
  watches: WatchService;
  now?: () => number;
  log?: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

/** A change worth an event: turned live, or was live and is now refused. */
export function isStatusChange(from: VerificationStatus | undefined, to: VerificationStatus): boolean {
  return (to === 'live' && from !== 'live') || (from === 'live' && to === 'invalid');
}

export class Rechecker {
  private lastPass = -Infinity;
  private readonly now: () => number;
  constructor(private readonly deps: RecheckDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** One pass when due (at most every RECHECK_PASS_MS, or the re-check interval when shorter). */
  async run(): Promise<RecheckResult> {
    const { config, keys, store } = this.deps;
    const interval = config.verify.recheckIntervalMs;
    if (interval === 0) return { checked: 0, changed: 0, idle: 're-checks are off (LEAKDEX_VERIFY_RECHECK_HOURS=0)' };
    if (!keys.encryption) return { checked: 0, changed: 0, idle: 'values are not stored (LEAKDEX_STORE_SECRETS), so no key can be checked again' };
    const now = this.now();
    if (now - this.lastPass < Math.min(interval, RECHECK_PASS_MS)) return { checked: 0, changed: 0, idle: 'not due' };
    this.lastPass = now;
    await store.verifications.cachePurge(now);
    const byScan = new Map<string, RecheckCandidate[]>();
    for (const c of await store.verifications.listRecheckCandidates(MAX_RECHECK_CANDIDATES)) {
      const list = byScan.get(c.scanId) ?? [];
      list.push(c);
      byScan.set(c.scanId, list);
    }
    const res: RecheckResult = { checked: 0, changed: 0 };
    for (const rows of byScan.values()) {
      const due = new Set(rows.filter((r) => r.verification && RECHECKED.includes(r.verification.status) && now - Date.parse(r.verification.checkedAt) >= interval).map((r) => r.id));
      if (due.size === 0) continue;
      const findings = rows.map((r) => this.asFinding(r, keys.encryption!)).filter((f): f is ReportFinding & { rowId: string } => f !== undefined);
      const report = { findings, diagnostics: [], artifact: { app: {} }, rating: {} } as unknown as Report;
      await this.deps.verifier.verify(report, true, (f) => due.has((f as ReportFinding & { rowId: string }).rowId));
      for (const f of findings) {
        if (!due.has(f.rowId) || !f.verification) continue;
        res.checked++;
        const row = rows.find((r) => r.id === f.rowId)!;
        const before = row.verification ?? undefined;
        const after = f.verification;
        // A failed re-check of a live key leaves it live: the next pass asks again.
        if (after.status === 'error' && before?.status === 'live') continue;
        await store.verifications.setFindingVerification(row.id, JSON.stringify(after), f.severity, f.confidence);
        if (isStatusChange(before?.status, after.status)) {
          res.changed++;
          // A live key is critical with high confidence, which alone grades a report F (docs/rules.md): so is the version.
          if (after.status === 'live' && f.severity === 'critical') await store.verifications.setVersionRating(row.versionId, 'F');
          await this.announce(row, before, after);
        }
      }
    }
    if (res.checked) this.deps.log?.info({ ...res }, 'keys re-checked');
    return res;
  }

  /** The stored finding with its value decrypted; undefined (left alone) when the value cannot be read. */
  private asFinding(r: RecheckCandidate, key: Buffer): (ReportFinding & { rowId: string }) | undefined {
    let secret: string;
    try {
      secret = decryptSecret(key, r.secretEnc!, r.fingerprint);
    } catch {
      this.deps.log?.warn({ findingId: r.id }, 'a stored value could not be decrypted (another key?); not re-checked');
      return undefined;
    }
    return { rowId: r.id, ruleId: r.ruleId, provider: r.provider, title: r.title, severity: r.severity, confidence: r.confidence, redacted: r.redacted, fingerprint: r.fingerprint, locations: r.locations, secret };
  }

  /** An event in the app's history and a webhook to each of the watch's targets. */
  private async announce(row: RecheckCandidate, before: Verification | undefined, after: Verification): Promise<void> {
    const { store, watches } = this.deps;
    const id = randomUUID();
    const at = this.now();
    await store.verifications.insertEvent({ id, tenantId: row.tenantId, appId: row.appId, versionId: row.versionId, fingerprint: row.fingerprint, ruleId: row.ruleId, redacted: row.redacted, fromStatus: before?.status ?? null, toStatus: after.status, reason: after.reason, createdAt: at });
    const w = await watches.get(row.tenantId, row.watchId);
    if (!w) return;
    const payload = {
      event: after.status === 'live' ? 'key_live' : 'key_revoked',
      watch: { id: w.id, url: w.url, kind: w.source.kind },
      appId: row.appId,
      versionId: row.versionId,
      finding: { fingerprint: row.fingerprint, ruleId: row.ruleId, title: row.title, redacted: row.redacted, severity: after.status === 'live' ? 'critical' : row.severity },
      verification: { from: before?.status ?? null, to: after.status, reason: after.reason, checkedAt: after.checkedAt, host: after.host ?? null, evidence: after.evidence ?? {} },
    };
    for (const t of w.notify) {
      const body = t.format === 'slack' ? { text: slackLine(w, payload) } : payload;
      await store.watches.insertDelivery({ id: randomUUID(), tenantId: w.tenantId, watchId: w.id, watchVersionId: `verification:${id}`, target: t.url, payload: JSON.stringify(body), createdAt: at });
    }
  }
}

function slackLine(w: WatchRecord, p: { event: string; finding: { title: string; redacted: string }; verification: { reason: string } }): string {
  const what = p.event === 'key_live' ? 'KEY IS LIVE' : 'key revoked';
  return `leakdex: ${slackText(w.url)}: ${what}: ${slackText(p.finding.title)} ${slackText(p.finding.redacted)} (${slackText(p.verification.reason)})`;
}
