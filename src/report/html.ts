import { SEVERITIES, type Severity } from '../detect/types.js';
import { countBySeverity } from '../detect/types.js';
import { adviceFor, appLabel, ratingOf, type Rating, type VersionDiff } from './advice.js';
import type { FailOn } from './baseline.js';
import type { Report, ReportFinding } from './types.js';

/** Most diagnostics listed; the JSON report has them all. */
export const MAX_HTML_DIAGNOSTICS = 200;
/** Most locations listed per finding. */
export const MAX_HTML_LOCATIONS = 50;

export interface HtmlOptions {
  /** The comparison with the previous version of the app, when the service has one. */
  diff?: VersionDiff;
  /** The gate applied, to show whether the build passes. */
  failOn?: FailOn;
  /** Findings at or above failOn (unsuppressed). */
  failing?: number;
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESC[c]!);
}
const h = escapeHtml;

const RATING_TEXT: Record<Rating, string> = {
  A: 'no finding above info',
  B: 'low-severity findings only',
  C: 'medium-severity findings',
  D: 'high-severity findings',
  F: 'critical findings',
};

const CSS = `
:root{--crit:#8b0000;--high:#c62828;--med:#b26a00;--low:#00695c;--info:#546e7a;--line:#d9dde3;--bg:#f6f7f9}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d232b;background:var(--bg)}
main{max-width:1100px;margin:0 auto;padding:24px}
header{display:flex;gap:24px;align-items:center;background:#fff;border:1px solid var(--line);border-radius:8px;padding:20px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px}h3{font-size:15px;margin:18px 0 8px}
.rating{font-size:46px;font-weight:700;width:84px;height:84px;border-radius:12px;display:flex;align-items:center;justify-content:center;color:#fff;flex:none}
.r-A{background:#2e7d32}.r-B{background:#00897b}.r-C{background:#b26a00}.r-D{background:#c62828}.r-F{background:#8b0000}
.meta{color:#4a5562;font-size:13px}.meta code{font-size:12px}
.counts{display:flex;flex-wrap:wrap;gap:8px;margin-top:10px}
.chip{border-radius:12px;padding:2px 10px;font-size:12px;color:#fff}
.s-critical{background:var(--crit)}.s-high{background:var(--high)}.s-medium{background:var(--med)}.s-low{background:var(--low)}.s-info{background:var(--info)}
.chip.muted{background:#e3e7ec;color:#1d232b}
.gate{margin-top:10px;font-weight:600}.gate.fail{color:var(--high)}.gate.pass{color:#2e7d32}
section.sev{background:#fff;border:1px solid var(--line);border-radius:8px;padding:4px 20px 16px;margin-top:18px}
.advice{background:#f1f5fb;border-left:4px solid #3b6db3;padding:8px 12px;margin:6px 0 12px;font-size:13px}
.advice p{margin:4px 0}
article.finding{border:1px solid var(--line);border-radius:6px;padding:10px 14px;margin:10px 0}
article.finding h4{margin:0 0 6px;font-size:14px;display:flex;gap:8px;align-items:center;flex-wrap:wrap}
.value{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f3f3f3;padding:1px 6px;border-radius:4px}
.reason{color:#4a5562;margin:4px 0}
table{border-collapse:collapse;width:100%;font-size:12.5px}th,td{text-align:left;border-bottom:1px solid var(--line);padding:4px 6px;vertical-align:top}
td code,th code{font-size:12px;word-break:break-all}
.fp{color:#6b7682;font-size:12px}
.diff{background:#fff;border:1px solid var(--line);border-radius:8px;padding:4px 20px 16px;margin-top:18px}
.new{color:var(--high)}.resolved{color:#2e7d32}
footer{color:#6b7682;font-size:12px;margin:24px 0}
`;

function chip(sev: Severity, n: number): string {
  return `<span class="chip s-${sev}">${n} ${sev}</span>`;
}

function findingCard(f: ReportFinding): string {
  const locs = f.locations.slice(0, MAX_HTML_LOCATIONS);
  const rows = locs.map((l) => `<tr><td><code>${h(l.entry)}</code></td><td><code>${h(l.pointer)}</code></td><td>${l.context ? `<code>${h(l.context)}</code>` : ''}</td><td>${h(l.decoder)}</td></tr>`).join('');
  const more = f.locations.length > locs.length ? `<tr><td colspan="4">… and ${f.locations.length - locs.length} more</td></tr>` : '';
  const paired = f.pairedWith?.length ? `<p class="fp">paired with ${f.pairedWith.map((p) => `<code>${h(p.slice(0, 16))}</code>`).join(', ')}</p>` : '';
  return `<article class="finding" data-rule="${h(f.ruleId)}" data-fingerprint="${h(f.fingerprint)}" data-severity="${f.severity}">
<h4><span class="chip s-${f.severity}">${f.severity}</span>${h(f.title)} <span class="fp">${h(f.ruleId)} · confidence ${h(f.confidence)}</span></h4>
<div>value <span class="value">${h(f.secret ?? f.redacted)}</span></div>
${f.reason ? `<p class="reason">${h(f.reason)}</p>` : ''}
<table><thead><tr><th>entry</th><th>where</th><th>bound to</th><th>decoder</th></tr></thead><tbody>${rows}${more}</tbody></table>
<p class="fp">fingerprint <code>${h(f.fingerprint)}</code></p>${paired}
</article>`;
}

function diffSection(d: VersionDiff): string {
  const list = (cls: string, items: VersionDiff['new']) =>
    items.length === 0
      ? '<p class="meta">none</p>'
      : `<ul>${items.map((f) => `<li class="${cls}"><span class="chip s-${f.severity}">${f.severity}</span> ${h(f.title)} <span class="value">${h(f.redacted)}</span> <span class="fp">${h(f.fingerprint.slice(0, 16))}</span></li>`).join('')}</ul>`;
  return `<section class="diff" id="diff"><h2>Compared with ${h(d.previous)}</h2>
<p>${d.new.length} new, ${d.resolved.length} resolved, ${d.persisting.length} still present${d.signerChanged ? ' · <strong class="new">the signing certificate changed</strong>' : ''}</p>
<h3>New since ${h(d.previous)}</h3>${list('new', d.new)}
<h3>Resolved</h3>${list('resolved', d.resolved)}
</section>`;
}

/** One self-contained HTML page (inline CSS, no script, no external resource) for a report. */
export function renderHtml(report: Report, opts: HtmlOptions = {}): string {
  const a = report.artifact;
  const rating = ratingOf(report);
  const counts = countBySeverity(report.findings);
  const suppressed = report.suppressed ?? [];
  const label = appLabel(report);
  const parts: string[] = [];
  parts.push(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>leakdex: ${h(label)} — rating ${rating}</title>
<style>${CSS}</style></head><body><main>`);
  const gate =
    opts.failOn === undefined
      ? ''
      : opts.failOn === 'none'
        ? '<div class="gate pass">gate: --fail-on none (never fails)</div>'
        : (opts.failing ?? 0) > 0
          ? `<div class="gate fail">fails the build: ${opts.failing} finding(s) at or above ${h(opts.failOn)}</div>`
          : `<div class="gate pass">passes: nothing at or above ${h(opts.failOn)}</div>`;
  parts.push(`<header><div class="rating r-${rating}" id="rating" title="${RATING_TEXT[rating]}">${rating}</div><div>
<h1>${h(label)}</h1>
<div class="meta"><code>${h(a.path)}</code> · ${h(a.kind)} · ${h(a.platform)} · ${a.size.toLocaleString('en-US')} bytes · sha256 <code>${h(a.sha256)}</code></div>
${a.app.signer ? `<div class="meta">signer <code>${h(a.app.signer)}</code>${a.app.signatureScheme ? ` (${h(a.app.signatureScheme)})` : ''}</div>` : ''}
<div class="counts" id="summary"><span class="chip muted">${report.findings.length} finding(s)</span>${SEVERITIES.map((s) => chip(s, counts[s])).join('')}${suppressed.length ? `<span class="chip muted">${suppressed.length} suppressed</span>` : ''}</div>
<div class="meta">Rating ${rating}: ${RATING_TEXT[rating]}.</div>${gate}
</div></header>`);
  if (opts.diff) parts.push(diffSection(opts.diff));
  if (report.findings.length === 0) parts.push('<section class="sev" id="findings"><h2>No hardcoded credentials found</h2></section>');
  for (const sev of SEVERITIES) {
    const of = report.findings.filter((f) => f.severity === sev);
    if (of.length === 0) continue;
    parts.push(`<section class="sev" id="sev-${sev}"><h2><span class="chip s-${sev}">${sev}</span> ${of.length} finding(s)</h2>`);
    const providers = [...new Set(of.map((f) => f.provider))].sort();
    for (const p of providers) {
      const adv = adviceFor(p);
      const pf = of.filter((f) => f.provider === p);
      parts.push(`<div class="provider" data-provider="${h(p)}"><h3>${h(adv.name)} (${pf.length})</h3>
<div class="advice"><p><strong>What to do.</strong> ${h(adv.revoke)}</p><p><strong>Instead.</strong> ${h(adv.instead)}</p></div>`);
      for (const f of pf) parts.push(findingCard(f));
      parts.push('</div>');
    }
    parts.push('</section>');
  }
  if (suppressed.length) {
    const rows = suppressed
      .map((f) => {
        const s = f.suppression;
        const why = s.kind === 'baseline' ? `baseline ${s.file}` : `${s.reason ?? ''} (${s.file}${s.expires ? `, until ${s.expires}` : ''})`;
        return `<tr><td><span class="chip s-${f.severity}">${f.severity}</span></td><td>${h(f.title)}</td><td><span class="value">${h(f.redacted)}</span></td><td>${h(why)}</td><td><code>${h(f.fingerprint.slice(0, 16))}</code></td></tr>`;
      })
      .join('');
    parts.push(`<section class="sev" id="suppressed"><h2>${suppressed.length} suppressed finding(s)</h2><p class="meta">Accepted by a baseline or an ignore file: reported, never failing the build.</p>
<table><thead><tr><th>severity</th><th>finding</th><th>value</th><th>accepted by</th><th>fingerprint</th></tr></thead><tbody>${rows}</tbody></table></section>`);
  }
  if (report.diagnostics.length) {
    const shown = report.diagnostics.slice(0, MAX_HTML_DIAGNOSTICS);
    const rows = shown.map((d) => `<tr><td>${h(d.level)}</td><td><code>${h(d.code)}</code></td><td><code>${h(d.entry || '(archive)')}</code></td><td>${h(d.message)}</td></tr>`).join('');
    const more = report.diagnostics.length > shown.length ? `<p class="meta">… ${report.diagnostics.length - shown.length} more in the JSON report</p>` : '';
    parts.push(`<section class="sev" id="diagnostics"><h2>${report.diagnostics.length} diagnostic(s)</h2><p class="meta">Problems met while reading the app; the scan went on.</p>
<table><thead><tr><th>level</th><th>code</th><th>entry</th><th>message</th></tr></thead><tbody>${rows}</tbody></table>${more}</section>`);
  }
  const s = report.stats;
  parts.push(`<footer>${h(report.tool.name)} ${h(report.tool.version)} · ${s.entries} entries, ${s.strings} strings, ${(s.bytesInflated / 1048576).toFixed(1)} MB inflated in ${s.durationMs} ms · values are redacted unless the report was made with --show-secrets</footer>
</main></body></html>
`);
  return parts.join('\n');
}
