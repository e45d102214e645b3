import { verificationText } from './verification.js';
import type { Report } from './types.js';
import { SEVERITIES, countBySeverity, type Severity } from '../detect/types.js';
import { visible } from './escape.js';
import { GAP_LABEL, ratingText, verdictOf, verdictText, type Gate } from './verdict.js';

const COLORS: Record<Severity, string> = { critical: '\x1b[1;31m', high: '\x1b[31m', medium: '\x1b[33m', low: '\x1b[36m', info: '\x1b[2m' };
const RESET = '\x1b[0m';
/** Most suppressed findings and diagnostics listed; the JSON report has them all. */
export const MAX_TEXT_SUPPRESSED = 20;
export const MAX_TEXT_DIAGNOSTICS = 20;
/** Most unscanned parts listed under the INCOMPLETE line. */
export const MAX_TEXT_GAPS = 10;

/** A byte count for people: `512 B`, `17.5 KiB`, `41.2 MiB`, `2.0 GiB`. */
export function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

/**
 * The human-readable report: summary, findings with locations, suppressed findings, diagnostics, figures, and the
 * verdict as its last line. Everything taken from the file is printed through `visible` (no control character
 * reaches the terminal).
 */
export function renderText(report: Report, opts: { color?: boolean } & Gate = {}): string {
  const c = (sev: Severity, s: string) => (opts.color ? COLORS[sev] + s + RESET : s);
  const v = visible;
  const verdict = verdictOf(report, opts);
  const a = report.artifact;
  const lines: string[] = [];
  const app = a.app;
  lines.push(`${v(a.path)}  (${a.kind}, ${a.platform}, ${humanBytes(a.size)}, sha256 ${a.sha256.slice(0, 16)}…)`);
  if (app.id) {
    const ver = [app.versionName, app.versionCode ? `(${app.versionCode})` : undefined].filter(Boolean).join(' ');
    lines.push(v(`app ${app.id}${ver ? ' ' + ver : ''}${app.name ? ` "${app.name}"` : ''}${app.signer ? `  signer ${app.signer.slice(0, 16)}… (${app.signatureScheme})` : ''}`));
  }
  if (app.teamId || app.minOs) lines.push(v(`ios ${[app.minOs ? `min iOS ${app.minOs}` : '', app.teamId ? `team ${app.teamId}` : '', app.profileType ? `${app.profileType} profile` : '', app.profileExpires ? `expires ${app.profileExpires.slice(0, 10)}` : ''].filter(Boolean).join(', ')}`));
  for (const b of app.encrypted ? (app.encryptedBinaries ?? []) : []) lines.push(`binary encrypted: resources only: ${v(b)} (FairPlay) was not scanned`);
  if (!verdict.complete) {
    lines.push(`INCOMPLETE SCAN: ${verdict.gaps.length} part(s) of the app not scanned, so it cannot be called clean whatever the findings below`);
    const others = verdict.gaps.filter((g) => g.kind !== 'encrypted');
    for (const g of others.slice(0, MAX_TEXT_GAPS)) lines.push(`  not scanned (${GAP_LABEL[g.kind]}): ${v(g.entry || '(archive)')} [${v(g.code)}]`);
    if (others.length > MAX_TEXT_GAPS) lines.push(`  … and ${others.length - MAX_TEXT_GAPS} more (see the diagnostics)`);
  }
  const counts = countBySeverity(report.findings);
  lines.push(`${report.findings.length} finding(s): ` + SEVERITIES.map((s) => `${counts[s]} ${s}`).join(', '));
  lines.push('');
  for (const f of report.findings) {
    lines.push(`${c(f.severity, f.severity.toUpperCase().padEnd(8))} ${v(f.title)} [${v(f.ruleId)}] confidence ${f.confidence}`);
    lines.push(`         value ${v(f.secret ?? f.redacted)}   fingerprint ${f.fingerprint.slice(0, 16)}`);
    if (f.reason) lines.push(`         ${v(f.reason)}`);
    if (f.verification) lines.push(`         ${v(verificationText(f.verification))}`);
    for (const l of f.locations.slice(0, 5)) lines.push(`         at ${v(l.entry)} ${v(l.pointer)}${l.context ? `  (${v(l.context)})` : ''}`);
    if (f.locations.length > 5) lines.push(`         … and ${f.locations.length - 5} more location(s)`);
  }
  const sup = report.suppressed ?? [];
  if (sup.length) {
    lines.push('');
    lines.push(`${sup.length} suppressed finding(s), not counted by --fail-on:`);
    for (const f of sup.slice(0, MAX_TEXT_SUPPRESSED)) {
      const s = f.suppression;
      const why = s.kind === 'baseline' ? `baseline ${s.file}` : `${s.reason ?? ''}${s.expires ? ` (until ${s.expires})` : ''}`;
      lines.push(`  ${f.severity.padEnd(8)} ${v(f.title)} [${v(f.ruleId)}] ${v(f.redacted)}  ${v(why)}`);
    }
    if (sup.length > MAX_TEXT_SUPPRESSED) lines.push(`  … ${sup.length - MAX_TEXT_SUPPRESSED} more (see --format json)`);
  }
  const errors = report.diagnostics.filter((d) => d.level === 'error').length;
  const warnings = report.diagnostics.filter((d) => d.level === 'warning').length;
  if (report.diagnostics.length) {
    lines.push('');
    lines.push(`${report.diagnostics.length} diagnostic(s): ${errors} error(s), ${warnings} warning(s)`);
    for (const d of report.diagnostics.slice(0, MAX_TEXT_DIAGNOSTICS)) lines.push(`  ${d.level.padEnd(7)} ${v(d.code)}  ${v(d.entry || '(archive)')}: ${v(d.message)}`);
    if (report.diagnostics.length > MAX_TEXT_DIAGNOSTICS) lines.push(`  … ${report.diagnostics.length - MAX_TEXT_DIAGNOSTICS} more (see --format json)`);
  }
  const s = report.stats;
  lines.push('');
  lines.push(`${s.entries} entries, ${s.strings} strings, ${humanBytes(s.bytesInflated)} inflated in ${s.durationMs} ms`);
  lines.push(`rating ${ratingText(verdict.rating)} · ${v(verdictText(verdict))}`);
  return lines.join('\n') + '\n';
}
