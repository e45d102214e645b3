import { countBySeverity } from '../detect/types.js';
import type { Report } from '../report/types.js';
import type { Rating, ScanCompletion, ScanSummary, SeverityCounts } from '../store/types.js';
import { encryptSecret, keyedFingerprint, type FindingKeys } from './crypto.js';

/** The report's A-F exposure rating (formula in docs/rules.md, "Exposure rating"); worst-finding grade for old reports. */
export function rate(report: Report, counts: SeverityCounts): Rating {
  if (report.rating?.grade) return report.rating.grade;
  if (counts.critical > 0) return 'F';
  if (counts.high > 0) return 'D';
  if (counts.medium > 0) return 'C';
  if (counts.low > 0) return 'B';
  return 'A';
}

/** The short outcome kept on the scan row. */
export function summarize(report: Report): ScanSummary {
  const a = report.artifact.app;
  const app: ScanSummary['app'] = {};
  if (a.id) app.id = a.id;
  if (a.name) app.name = a.name;
  if (a.versionName) app.versionName = a.versionName;
  if (a.versionCode) app.versionCode = a.versionCode;
  if (a.signer) app.signer = a.signer;
  return {
    findings: report.findings.length,
    bySeverity: countBySeverity(report.findings),
    diagnostics: report.diagnostics.length,
    durationMs: report.stats.durationMs,
    kind: report.artifact.kind,
    platform: report.artifact.platform,
    app,
  };
}

/**
 * Turns a report made with secrets into what is stored: fingerprints re-keyed with the server's HMAC key (pairs
 * follow), secret values removed from the report, and encrypted beside each finding only when `keys.encryption` is set.
 */
export function prepareCompletion(report: Report, keys: FindingKeys, displayPath: string): ScanCompletion {
  const rekey = new Map<string, string>();
  for (const f of report.findings) rekey.set(f.fingerprint, keyedFingerprint(keys.fingerprint, f.ruleId, f.secret ?? f.fingerprint));
  const findings: ScanCompletion['findings'] = [];
  const stored: Report = {
    ...report,
    artifact: { ...report.artifact, path: displayPath },
    findings: report.findings.map((f) => {
      const fingerprint = rekey.get(f.fingerprint)!;
      const { secret, ...rest } = f;
      findings.push({
        fingerprint,
        ruleId: f.ruleId,
        provider: f.provider,
        title: f.title,
        severity: f.severity,
        confidence: f.confidence,
        redacted: f.redacted,
        locations: f.locations,
        secretEnc: keys.encryption && secret !== undefined ? encryptSecret(keys.encryption, secret, fingerprint) : null,
      });
      const out = { ...rest, fingerprint };
      if (f.pairedWith) out.pairedWith = f.pairedWith.map((p) => rekey.get(p) ?? p);
      return out;
    }),
  };
  const summary = summarize(stored);
  const app = report.artifact.app;
  const completion: ScanCompletion = { summary, rating: rate(report, summary.bySeverity), report: JSON.stringify(stored), findings };
  if (app.id) {
    completion.app = { platform: report.artifact.platform, packageId: app.id, name: app.name ?? null };
    completion.version = { versionName: app.versionName ?? null, versionCode: app.versionCode ?? null, signer: app.signer ?? null };
  }
  return completion;
}
