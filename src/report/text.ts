import type { Report } from './types.js';
import { SEVERITIES, countBySeverity, type Severity } from '../detect/types.js';

const COLORS: Record<Severity, string> = { critical: '\x1b[1;31m', high: '\x1b[31m', medium: '\x1b[33m', low: '\x1b[36m', info: '\x1b[2m' };
const RESET = '\x1b[0m';

/** The human-readable report: summary, findings with locations, diagnostics. */
export function renderText(report: Report, opts: { color?: boolean } = {}): string {
  const c = (sev: Severity, s: string) => (opts.color ? COLORS[sev] + s + RESET : s);
  const a = report.artifact;
  const lines: string[] = [];
  const app = a.app;
  lines.push(`${a.path}  (${a.kind}, ${a.platform}, ${a.size} bytes, sha256 ${a.sha256.slice(0, 16)}…)`);
  if (app.id) {
    const ver = [app.versionName, app.versionCode ? `(${app.versionCode})` : undefined].filter(Boolean).join(' ');
    lines.push(`app ${app.id}${ver ? ' ' + ver : ''}${app.name ? ` "${app.name}"` : ''}${app.signer ? `  signer ${app.signer.slice(0, 16)}… (${app.signatureScheme})` : ''}`);
  }
  if (app.teamId || app.minOs) lines.push(`ios ${[app.minOs ? `min iOS ${app.minOs}` : '', app.teamId ? `team ${app.teamId}` : '', app.profileType ? `${app.profileType} profile` : '', app.profileExpires ? `expires ${app.profileExpires.slice(0, 10)}` : ''].filter(Boolean).join(', ')}`);
  if (app.encrypted) {
    for (const b of app.encryptedBinaries ?? []) lines.push(`binary encrypted: resources only: ${b} (FairPlay) was not scanned`);
    lines.push('NOT CLEAN: encrypted code could not be scanned, so this app cannot be called clean whatever the findings below');
  }
  const counts = countBySeverity(report.findings);
  lines.push(`${report.findings.length} finding(s): ` + SEVERITIES.map((s) => `${counts[s]} ${s}`).join(', '));
  lines.push('');
  for (const f of report.findings) {
    lines.push(`${c(f.severity, f.severity.toUpperCase().padEnd(8))} ${f.title} [${f.ruleId}] confidence ${f.confidence}`);
    lines.push(`         value ${f.secret ?? f.redacted}   fingerprint ${f.fingerprint.slice(0, 16)}`);
    if (f.reason) lines.push(`         ${f.reason}`);
    for (const l of f.locations.slice(0, 5)) lines.push(`         at ${l.entry} ${l.pointer}${l.context ? `  (${l.context})` : ''}`);
    if (f.locations.length > 5) lines.push(`         … and ${f.locations.length - 5} more location(s)`);
  }
  const errors = report.diagnostics.filter((d) => d.level === 'error').length;
  const warnings = report.diagnostics.filter((d) => d.level === 'warning').length;
  if (report.diagnostics.length) {
    lines.push('');
    lines.push(`${report.diagnostics.length} diagnostic(s): ${errors} error(s), ${warnings} warning(s)`);
    for (const d of report.diagnostics.slice(0, 20)) lines.push(`  ${d.level.padEnd(7)} ${d.code}  ${d.entry || '(archive)'}: ${d.message}`);
    if (report.diagnostics.length > 20) lines.push(`  … ${report.diagnostics.length - 20} more (see --format json)`);
  }
  const s = report.stats;
  lines.push('');
  lines.push(`${s.entries} entries, ${s.strings} strings, ${(s.bytesInflated / 1048576).toFixed(1)} MB inflated in ${s.durationMs} ms`);
  return lines.join('\n') + '\n';
}
