import { countBySeverity } from '../detect/types.js';
import { toReportFinding, toStoredFinding } from '../findings.js';
import type { Report, ReportFinding } from '../report/types.js';
import { scanGaps } from '../report/verdict.js';
import type { Rating, ScanCompletion, ScanSummary, SeverityCounts } from '../store/types.js';
import { encryptSecret, type FindingKeys } from './crypto.js';

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
    unscanned: scanGaps(report).length,
    durationMs: report.stats.durationMs,
    kind: report.artifact.kind,
    platform: report.artifact.platform,
    app,
  };
}

/**
 * Turns a scan's report into what is stored: fingerprints are already keyed (the scan worker keyed them with the
 * server's HMAC key); values, present only when secrets are stored, are encrypted beside each finding and removed from
 * the report.
 */
export function prepareCompletion(report: Report, keys: FindingKeys, displayPath: string): ScanCompletion {
  const encrypt = (f: ReportFinding) => (keys.encryption && f.secret !== undefined ? encryptSecret(keys.encryption, f.secret, f.fingerprint) : null);
  const findings = report.findings.map((f) => toStoredFinding(f, encrypt(f)));
  const stored: Report = { ...report, artifact: { ...report.artifact, path: displayPath }, findings: report.findings.map((f) => toReportFinding(f, false)) };
  const summary = summarize(stored);
  const app = report.artifact.app;
  const completion: ScanCompletion = { summary, rating: rate(report, summary.bySeverity), report: JSON.stringify(stored), findings };
  if (app.id) {
    completion.app = { platform: report.artifact.platform, packageId: app.id, name: app.name ?? null };
    completion.version = { versionName: app.versionName ?? null, versionCode: app.versionCode ?? null, signer: app.signer ?? null };
  }
  return completion;
}
