import { verificationText } from './verification.js';
import { SEVERITIES, type Severity } from '../detect/types.js';
import { countBySeverity } from '../detect/types.js';
import { adviceFor, appLabel, type VersionDiff } from './advice.js';
import { mdCode, mdText } from './escape.js';
import type { Report } from './types.js';
import { verdictOf, verdictText, type Gate } from './verdict.js';

/** Longest comment produced: GitHub rejects comments over 65,536 characters; GitLab allows more. */
export const MAX_MARKDOWN_CHARS = 60_000;
/** Most finding rows in the table; the rest are counted. */
export const MAX_MARKDOWN_FINDINGS = 100;
/** Most diagnostics listed. */
export const MAX_MARKDOWN_DIAGNOSTICS = 20;

export interface MarkdownOptions extends Gate {
  diff?: VersionDiff;
  /** Character budget (default MAX_MARKDOWN_CHARS). */
  maxChars?: number;
}

const ICON: Record<Severity, string> = { critical: '🟥', high: '🟧', medium: '🟨', low: '🟦', info: '⬜' };

// Everything from the file goes through mdText (prose: markup escaped) or mdCode (inline code), see escape.ts.
const cell = mdText;
const code = (s: string) => mdCode(s, true);
const STATUS_ICON = { pass: '✅', fail: '❌', incomplete: '⚠️' } as const;

/** A report as Markdown sized for a pull/merge-request comment. */
export function renderMarkdown(report: Report, opts: MarkdownOptions = {}): string {
  const budget = opts.maxChars ?? MAX_MARKDOWN_CHARS;
  const counts = countBySeverity(report.findings);
  const verdict = verdictOf(report, opts);
  const rating = verdict.rating;
  const suppressed = report.suppressed ?? [];
  const out: string[] = [];
  const status = ` — ${STATUS_ICON[verdict.status]} **${verdict.status.toUpperCase()}**`;
  out.push(`### leakdex: ${mdCode(appLabel(report))} — rating **${rating.grade}**${rating.capped ? ' (capped: incomplete scan)' : ''}${status}`);
  out.push('');
  out.push(cell(verdictText(verdict)));
  out.push('');
  out.push(`| ${SEVERITIES.map((s) => `${ICON[s]} ${s}`).join(' | ')} | suppressed |`);
  out.push(`|${SEVERITIES.map(() => '---:').join('|')}|---:|`);
  out.push(`| ${SEVERITIES.map((s) => String(counts[s])).join(' | ')} | ${suppressed.length} |`);
  out.push('');
  if (opts.diff) {
    const d = opts.diff;
    out.push(`Compared with **${cell(d.previous)}**: ${d.new.length} new, ${d.resolved.length} resolved, ${d.persisting.length} still present${d.signerChanged ? ', **signing certificate changed**' : ''}.`);
    for (const f of d.new.slice(0, 20)) out.push(`- 🆕 ${ICON[f.severity]} ${cell(f.title)} ${mdCode(f.redacted)}`);
    for (const f of d.resolved.slice(0, 20)) out.push(`- ✔️ resolved: ${cell(f.title)} ${mdCode(f.redacted)}`);
    out.push('');
  }
  const tail: string[] = [];
  const a = report.artifact;
  tail.push('');
  tail.push(`<sub>${cell(a.path)} · ${cell(a.kind)} · sha256 \`${a.sha256.slice(0, 16)}…\` · ${report.stats.entries} entries in ${report.stats.durationMs} ms · ${report.tool.name} ${report.tool.version} · values redacted</sub>`);

  if (report.findings.length === 0) out.push('No hardcoded credentials found.');
  else {
    out.push('| severity | finding | value | where | fingerprint |');
    out.push('|---|---|---|---|---|');
    let shown = 0;
    const reserve = tail.join('\n').length + 3000;
    let used = out.join('\n').length;
    for (const f of report.findings) {
      if (shown >= MAX_MARKDOWN_FINDINGS) break;
      const l = f.locations[0];
      const where = l ? `${code(l.entry)} ${code(l.pointer)}${f.locations.length > 1 ? ` (+${f.locations.length - 1})` : ''}` : '';
      const row = `| ${ICON[f.severity]} ${f.severity} | ${cell(f.title)}${f.reason ? `<br><sub>${cell(f.reason)}</sub>` : ''}${f.verification ? `<br><sub>${f.verification.status === 'live' ? '🔴 ' : ''}${cell(verificationText(f.verification))}</sub>` : ''} | ${code(f.secret ?? f.redacted)} | ${where} | ${code(f.fingerprint.slice(0, 16))} |`;
      if (used + row.length + 1 > budget - reserve) break;
      out.push(row);
      used += row.length + 1;
      shown++;
    }
    if (shown < report.findings.length) out.push(`\n… and ${report.findings.length - shown} more finding(s): see the full report.`);
    out.push('');
    const providers = [...new Set(report.findings.map((f) => f.provider))].sort();
    const advice: string[] = ['<details><summary>What to do</summary>', ''];
    for (const p of providers) {
      const adv = adviceFor(p);
      advice.push(`- **${cell(adv.name)}**: ${cell(adv.revoke)} ${cell(adv.instead)}`);
    }
    advice.push('', '</details>');
    const block = advice.join('\n');
    if (used + block.length < budget - tail.join('\n').length - 1500) {
      out.push(block);
      used += block.length;
    }
  }
  const extras: string[] = [];
  if (suppressed.length) {
    extras.push('', `<details><summary>${suppressed.length} suppressed finding(s)</summary>`, '');
    for (const f of suppressed.slice(0, 50)) {
      const s = f.suppression;
      extras.push(`- ${cell(f.title)} ${mdCode(f.redacted)} — ${s.kind === 'baseline' ? `baseline ${cell(s.file)}` : `${cell(s.reason ?? '')}${s.expires ? ` (until ${cell(s.expires)})` : ''}`}`);
    }
    if (suppressed.length > 50) extras.push(`- … and ${suppressed.length - 50} more`);
    extras.push('', '</details>');
  }
  if (report.diagnostics.length) {
    extras.push('', `<details><summary>${report.diagnostics.length} diagnostic(s)</summary>`, '');
    for (const d of report.diagnostics.slice(0, MAX_MARKDOWN_DIAGNOSTICS)) extras.push(`- ${d.level} ${mdCode(d.code)} ${mdCode(d.entry || '(archive)')}: ${cell(d.message)}`);
    if (report.diagnostics.length > MAX_MARKDOWN_DIAGNOSTICS) extras.push(`- … ${report.diagnostics.length - MAX_MARKDOWN_DIAGNOSTICS} more`);
    extras.push('', '</details>');
  }
  const body = out.join('\n');
  const extra = extras.join('\n');
  const end = tail.join('\n');
  const text = body.length + extra.length + end.length < budget ? body + extra + end : body + end;
  return text.slice(0, budget) + '\n';
}
