import { verificationText } from './verification.js';
import { SEVERITIES, type Severity } from '../detect/types.js';
import { countBySeverity } from '../detect/types.js';
import { adviceFor, appLabel, type Rating, type VersionDiff } from './advice.js';
import { htmlText } from './escape.js';
import { humanBytes } from './text.js';
import type { Report, ReportFinding } from './types.js';
import { GAP_LABEL, verdictOf, verdictText, type Gate, type Verdict } from './verdict.js';

/** Most diagnostics listed; the JSON report has them all. */
export const MAX_HTML_DIAGNOSTICS = 200;
/** Most locations listed per finding. */
export const MAX_HTML_LOCATIONS = 50;
/** Locations listed open on a card; the rest of MAX_HTML_LOCATIONS fold into a <details>. */
export const OPEN_HTML_LOCATIONS = 3;
/** Most unscanned parts listed. */
export const MAX_HTML_GAPS = 100;

export interface HtmlOptions extends Gate {
  /** The comparison with the previous version of the app, when the service has one. */
  diff?: VersionDiff;
}

/** Escapes text from the file (and everything else) for HTML: visible control escapes, then entities. */
export const escapeHtml = htmlText;
const h = htmlText;

const RATING_TEXT: Record<Rating, string> = {
  A: 'no finding above info',
  B: 'low-severity findings only',
  C: 'medium-severity findings',
  D: 'high-severity findings',
  F: 'critical findings',
};

function ratingMeaning(v: Verdict): string {
  const r = v.rating;
  return r.capped ? `incomplete scan, capped at ${r.grade} (the findings alone give ${r.capped.from}: ${RATING_TEXT[r.capped.from]})` : RATING_TEXT[r.grade];
}

/** The severity filter: one radio per severity, read by CSS alone (the page carries no script). */
const FILTER_CSS =
  SEVERITIES.map((s) => `#filter-${s}:checked~.view section.sev:not(#sev-${s}),#filter-${s}:checked~.view tr[data-severity]:not([data-severity=${s}]){display:none}`).join('\n') +
  `\n#filter-all:checked~.filters label[for=filter-all],${SEVERITIES.map((s) => `#filter-${s}:checked~.filters label[for=filter-${s}]`).join(',')}{background:#1d232b;color:#fff}`;

/** The report's style sheet (the dashboard serves it too, src/web/assets.ts). */
export const REPORT_CSS = `
:root{--crit:#8b0000;--high:#c62828;--med:#9a5b00;--low:#00695c;--info:#546e7a;--line:#d9dde3;--bg:#f6f7f9}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d232b;background:var(--bg)}
main{max-width:1100px;margin:0 auto;padding:24px}
header{display:flex;gap:24px;align-items:center;background:#fff;border:1px solid var(--line);border-radius:8px;padding:20px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:22px 0 10px}h3{font-size:15px;margin:14px 0 6px}
.rating{font-size:46px;font-weight:700;width:84px;height:84px;border-radius:12px;display:flex;align-items:center;justify-content:center;color:#fff;flex:none}
.r-A{background:#2e7d32}.r-B{background:#00796b}.r-C{background:#9a5b00}.r-D{background:#c62828}.r-F{background:#8b0000}
.meta{color:#4a5562;font-size:13px}.meta code{font-size:12px}
.counts{display:flex;flex-wrap:wrap;gap:8px;margin-top:10px}
.chip{border-radius:12px;padding:2px 10px;font-size:12px;color:#fff;white-space:nowrap}
.s-critical{background:var(--crit)}.s-high{background:var(--high)}.s-medium{background:var(--med)}.s-low{background:var(--low)}.s-info{background:var(--info)}
.chip.muted{background:#e3e7ec;color:#1d232b}
.gate{margin-top:10px;font-weight:600}.gate.fail{color:var(--high)}.gate.pass{color:#2e7d32}.gate.incomplete{color:var(--med)}
nav.toc{background:#fff;border:1px solid var(--line);border-radius:8px;padding:8px 20px;margin-top:18px;font-size:13px}
nav.toc a{margin-right:14px;white-space:nowrap}
section.sev,section.box{background:#fff;border:1px solid var(--line);border-radius:8px;padding:4px 20px 14px;margin-top:18px}
section.incomplete{border-left:6px solid var(--med)}
.advice{background:#f1f5fb;border-left:4px solid #3b6db3;padding:6px 12px;margin:6px 0 10px;font-size:13px}
.advice p{margin:3px 0}
article.finding{border:1px solid var(--line);border-radius:6px;padding:6px 12px;margin:6px 0}
article.finding h3{margin:0 0 4px;font-size:14px;display:flex;gap:8px;align-items:center;flex-wrap:wrap}
.value{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f3f3f3;padding:1px 6px;border-radius:4px;word-break:break-all}
.reason{color:#4a5562;margin:2px 0}
.verify{margin:2px 0;font-weight:600}.v-live{color:#a1001c}.v-invalid{color:#2f5f2f}.v-error,.v-skipped,.v-unverifiable{color:#4a5562;font-weight:400}
ul.locs{margin:4px 0 0;padding-left:18px;font-size:12.5px}ul.locs li{margin:1px 0;overflow-wrap:anywhere}ul.locs code{font-size:12px}
table{border-collapse:collapse;width:100%;font-size:12.5px}th,td{text-align:left;border-bottom:1px solid var(--line);padding:3px 6px;vertical-align:top}
td code,th code{font-size:12px;word-break:break-all}
details summary{cursor:pointer;color:#3b6db3;font-size:12.5px;margin:4px 0}
.fp{color:#6b7682;font-size:12px}
.new{color:var(--high)}.resolved{color:#2e7d32}
.filter{position:absolute;opacity:0;pointer-events:none}
.filters{margin:18px 0 0;display:flex;flex-wrap:wrap;gap:6px;align-items:center;font-size:13px}
.filters label{border:1px solid var(--line);background:#fff;border-radius:12px;padding:2px 10px;cursor:pointer}
${FILTER_CSS}
footer{color:#6b7682;font-size:12px;margin:24px 0}
`;

function chip(sev: Severity, n: number): string {
  return `<span class="chip s-${sev}">${n} ${sev}</span>`;
}

const cardId = (f: ReportFinding) => `f-${f.fingerprint}`;
const adviceId = (provider: string) => `advice-${provider.replace(/[^A-Za-z0-9_-]/g, '_')}`;

function locationItem(l: ReportFinding['locations'][number]): string {
  return `<li><code>${h(l.entry)}</code> <code>${h(l.pointer)}</code>${l.context ? ` <span class="fp">bound to</span> <code>${h(l.context)}</code>` : ''} <span class="fp">${h(l.decoder)}</span></li>`;
}

function findingCard(f: ReportFinding): string {
  const locs = f.locations.slice(0, MAX_HTML_LOCATIONS);
  const folded = locs.slice(OPEN_HTML_LOCATIONS);
  const beyond = f.locations.length - locs.length;
  const more = folded.length
    ? `<details><summary>${folded.length + beyond} more location(s)</summary><ul class="locs">${folded.map(locationItem).join('')}${beyond > 0 ? `<li>… and ${beyond} more</li>` : ''}</ul></details>`
    : '';
  const paired = f.pairedWith?.length ? ` · paired with ${f.pairedWith.map((p) => `<code>${h(p.slice(0, 16))}</code>`).join(', ')}` : '';
  return `<article class="finding" id="${h(cardId(f))}" data-rule="${h(f.ruleId)}" data-fingerprint="${h(f.fingerprint)}" data-severity="${f.severity}">
<h3><span class="chip s-${f.severity}">${f.severity}</span>${h(f.title)} <span class="fp">${h(f.ruleId)} · confidence ${h(f.confidence)} · <a href="#${h(adviceId(f.provider))}">${h(adviceFor(f.provider).name)}: what to do</a></span></h3>
<div>value <span class="value">${h(f.secret ?? f.redacted)}</span> <span class="fp">fingerprint <code>${h(f.fingerprint)}</code>${paired}</span></div>
${f.reason ? `<p class="reason">${h(f.reason)}</p>` : ''}${f.verification ? `<p class="verify v-${f.verification.status}">${h(verificationText(f.verification))}</p>` : ''}<ul class="locs">${locs.slice(0, OPEN_HTML_LOCATIONS).map(locationItem).join('')}</ul>${more}
</article>`;
}

function diffSection(d: VersionDiff): string {
  const list = (cls: string, items: VersionDiff['new']) =>
    items.length === 0
      ? '<p class="meta">none</p>'
      : `<ul>${items.map((f) => `<li class="${cls}"><span class="chip s-${f.severity}">${f.severity}</span> ${h(f.title)} <span class="value">${h(f.redacted)}</span> <span class="fp">${h(f.fingerprint.slice(0, 16))}</span></li>`).join('')}</ul>`;
  return `<section class="box" id="diff"><h2>Compared with ${h(d.previous)}</h2>
<p>${d.new.length} new, ${d.resolved.length} resolved, ${d.persisting.length} still present${d.signerChanged ? ' · <strong class="new">the signing certificate changed</strong>' : ''}</p>
<h3>New since ${h(d.previous)}</h3>${list('new', d.new)}
<h3>Resolved</h3>${list('resolved', d.resolved)}
</section>`;
}

function incompleteSection(v: Verdict): string {
  const rows = v.gaps
    .slice(0, MAX_HTML_GAPS)
    .map((g) => `<tr><td><code>${h(g.entry || '(archive)')}</code></td><td>${h(GAP_LABEL[g.kind])}</td><td><code>${h(g.code)}</code></td></tr>`)
    .join('');
  const more = v.gaps.length > MAX_HTML_GAPS ? `<p class="meta">… ${v.gaps.length - MAX_HTML_GAPS} more in the JSON report</p>` : '';
  return `<section class="box incomplete" id="incomplete"><h2>Incomplete scan: ${v.gaps.length} part(s) not scanned</h2>
<p>What was not scanned may hold credentials, so this app cannot be called clean whatever the findings below${v.allowIncomplete ? ' (accepted with --allow-incomplete)' : ''}.</p>
<table><thead><tr><th>entry</th><th>why</th><th>diagnostic</th></tr></thead><tbody>${rows}</tbody></table>${more}</section>`;
}

/** One row per finding, worst first, each linking to its card. */
function glanceTable(findings: readonly ReportFinding[]): string {
  const rows = findings
    .map((f) => {
      const l = f.locations[0];
      const where = l ? `<code>${h(l.entry)}</code>${f.locations.length > 1 ? ` <span class="fp">+${f.locations.length - 1}</span>` : ''}` : '';
      return `<tr data-severity="${f.severity}" data-provider="${h(f.provider)}"><td><span class="chip s-${f.severity}">${f.severity}</span></td><td><a href="#${h(cardId(f))}">${h(f.title)}</a>${f.verification?.status === 'live' ? ' <span class="verify v-live">verified live</span>' : ''}</td><td>${h(adviceFor(f.provider).name)}</td><td><span class="value">${h(f.secret ?? f.redacted)}</span></td><td>${where}</td></tr>`;
    })
    .join('');
  return `<section class="box" id="glance"><h2>Findings at a glance</h2>
<table><thead><tr><th>severity</th><th>finding</th><th>provider</th><th>value</th><th>first seen in</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

/** What to do, once per provider, with links to its findings. */
function adviceSection(findings: readonly ReportFinding[]): string {
  const providers = [...new Set(findings.map((f) => f.provider))].sort();
  const blocks = providers.map((p) => {
    const adv = adviceFor(p);
    const of = findings.filter((f) => f.provider === p);
    const links = of.map((f) => `<a href="#${h(cardId(f))}">${h(f.title)}</a>`).join(', ');
    return `<div class="provider-advice" id="${h(adviceId(p))}" data-provider="${h(p)}"><h3>${h(adv.name)} (${of.length})</h3>
<div class="advice"><p><strong>What to do.</strong> ${h(adv.revoke)}</p><p><strong>Instead.</strong> ${h(adv.instead)}</p></div><p class="fp">${links}</p></div>`;
  });
  return `<section class="box" id="advice"><h2>What to do, by provider</h2>${blocks.join('\n')}</section>`;
}

/** One self-contained HTML page (inline CSS, no script, no external resource) for a report. */
export function renderHtml(report: Report, opts: HtmlOptions = {}): string {
  const label = appLabel(report);
  const rating = verdictOf(report, opts).rating.grade;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>leakdex: ${h(label)} — rating ${rating}</title>
<style>${REPORT_CSS}</style></head><body><main>
${reportBody(report, opts)}
</main></body></html>
`;
}

/** The report's content (header, contents, sections, footer) without the page around it: the dashboard's version page. */
export function reportBody(report: Report, opts: HtmlOptions = {}): string {
  const a = report.artifact;
  const verdict = verdictOf(report, opts);
  const rating = verdict.rating.grade;
  const counts = countBySeverity(report.findings);
  const suppressed = report.suppressed ?? [];
  const label = appLabel(report);
  const present = SEVERITIES.filter((s) => counts[s] > 0);
  const parts: string[] = [];
  parts.push(`<header><div class="rating r-${rating}" id="rating" title="${h(ratingMeaning(verdict))}">${rating}</div><div>
<h1>${h(label)}</h1>
<div class="meta"><code>${h(a.path)}</code> · ${h(a.kind)} · ${h(a.platform)} · ${humanBytes(a.size)} (${a.size.toLocaleString('en-US')} bytes) · sha256 <code>${h(a.sha256)}</code></div>
${a.app.signer ? `<div class="meta">signer <code>${h(a.app.signer)}</code>${a.app.signatureScheme ? ` (${h(a.app.signatureScheme)})` : ''}</div>` : ''}
<div class="counts" id="summary"><span class="chip muted">${report.findings.length} finding(s)</span>${SEVERITIES.map((s) => chip(s, counts[s])).join('')}${suppressed.length ? `<span class="chip muted">${suppressed.length} suppressed</span>` : ''}</div>
<div class="meta">Rating ${rating}: ${h(ratingMeaning(verdict))}.</div>
<div class="gate ${verdict.status}" id="verdict" data-status="${verdict.status}">${h(verdictText(verdict))}</div>
</div></header>`);
  const toc = [
    ...(verdict.complete ? [] : [['incomplete', 'not scanned']]),
    ...(opts.diff ? [['diff', 'changes']] : []),
    ...(report.findings.length ? [['glance', 'at a glance']] : []),
    ...present.map((s) => [`sev-${s}`, `${s} (${counts[s]})`]),
    ...(report.findings.length ? [['advice', 'what to do']] : []),
    ...(suppressed.length ? [['suppressed', `suppressed (${suppressed.length})`]] : []),
    ...(report.diagnostics.length ? [['diagnostics', `diagnostics (${report.diagnostics.length})`]] : []),
  ];
  if (toc.length > 1) parts.push(`<nav class="toc" id="toc">${toc.map(([id, text]) => `<a href="#${id}">${text}</a>`).join('')}</nav>`);
  if (!verdict.complete) parts.push(incompleteSection(verdict));
  if (opts.diff) parts.push(diffSection(opts.diff));
  if (report.findings.length === 0) parts.push('<section class="sev" id="findings"><h2>No hardcoded credentials found</h2></section>');
  else {
    // Radios first, then the labels and the view they filter (CSS sibling selectors; no script).
    parts.push(['all', ...present].map((s) => `<input type="radio" class="filter" name="severity-filter" id="filter-${s}"${s === 'all' ? ' checked' : ''}>`).join(''));
    parts.push(`<div class="filters" id="filters">show: <label for="filter-all">all (${report.findings.length})</label>${present.map((s) => `<label for="filter-${s}">${s} (${counts[s]})</label>`).join('')}</div>`);
    parts.push('<div class="view">');
    parts.push(glanceTable(report.findings));
    for (const sev of present) {
      const of = report.findings.filter((f) => f.severity === sev);
      parts.push(`<section class="sev" id="sev-${sev}"><h2><span class="chip s-${sev}">${sev}</span> ${of.length} finding(s)</h2>`);
      for (const p of [...new Set(of.map((f) => f.provider))].sort()) {
        const pf = of.filter((f) => f.provider === p);
        parts.push(`<div class="provider" data-provider="${h(p)}">`);
        for (const f of pf) parts.push(findingCard(f));
        parts.push('</div>');
      }
      parts.push('</section>');
    }
    parts.push('</div>');
    parts.push(adviceSection(report.findings));
  }
  if (suppressed.length) {
    const rows = suppressed
      .map((f) => {
        const s = f.suppression;
        const why = s.kind === 'baseline' ? `baseline ${s.file}` : `${s.reason ?? ''} (${s.file}${s.expires ? `, until ${s.expires}` : ''})`;
        return `<tr><td><span class="chip s-${f.severity}">${f.severity}</span></td><td>${h(f.title)}</td><td><span class="value">${h(f.redacted)}</span></td><td>${h(why)}</td><td><code>${h(f.fingerprint.slice(0, 16))}</code></td></tr>`;
      })
      .join('');
    parts.push(`<section class="box" id="suppressed"><h2>${suppressed.length} suppressed finding(s)</h2><p class="meta">Accepted by a baseline or an ignore file: reported, never failing the build.</p>
<table><thead><tr><th>severity</th><th>finding</th><th>value</th><th>accepted by</th><th>fingerprint</th></tr></thead><tbody>${rows}</tbody></table></section>`);
  }
  if (report.diagnostics.length) {
    const shown = report.diagnostics.slice(0, MAX_HTML_DIAGNOSTICS);
    const rows = shown.map((d) => `<tr><td>${h(d.level)}</td><td><code>${h(d.code)}</code></td><td><code>${h(d.entry || '(archive)')}</code></td><td>${h(d.message)}</td></tr>`).join('');
    const more = report.diagnostics.length > shown.length ? `<p class="meta">… ${report.diagnostics.length - shown.length} more in the JSON report</p>` : '';
    parts.push(`<section class="box" id="diagnostics"><h2>${report.diagnostics.length} diagnostic(s)</h2><p class="meta">Problems met while reading the app; the scan went on.</p>
<table><thead><tr><th>level</th><th>code</th><th>entry</th><th>message</th></tr></thead><tbody>${rows}</tbody></table>${more}</section>`);
  }
  const s = report.stats;
  parts.push(`<footer>${h(report.tool.name)} ${h(report.tool.version)} · ${s.entries} entries, ${s.strings} strings, ${humanBytes(s.bytesInflated)} inflated in ${s.durationMs} ms · values are redacted unless the report was made with --show-secrets</footer>`);
  return parts.join('\n');
}
