/**
 * The dashboard's pages as pure functions: data in, HTML out (src/routes/web.ts fetches the data). Every value from
 * an app, a user or a remote server goes through h(); values are redacted unless an admin asked to reveal them.
 */
import { SEVERITIES, type Severity } from '../detect/types.js';
import type { VersionDiff } from '../report/advice.js';
import { reportBody } from '../report/html.js';
import type { Report } from '../report/types.js';
import type { FindingView, VersionView } from '../service/history.js';
import type { AppOverview, Rating, ScanRecord, SeverityCounts } from '../store/types.js';
import { csrfField, grade, h, page, pager, when } from './layout.js';
import type { WebCaller } from './session.js';

const SEV_COLOR: Record<Severity, string> = { critical: '#8b0000', high: '#c62828', medium: '#9a5b00', low: '#00695c', info: '#546e7a' };

function countChips(c: SeverityCounts): string {
  const shown = SEVERITIES.filter((s) => c[s] > 0);
  return shown.length ? shown.map((s) => `<span class="chip s-${s}">${c[s]} ${s}</span>`).join(' ') : '<span class="muted">none</span>';
}

export function signInPage(o: { next: string; error?: string }): string {
  return page({
    title: 'Sign in',
    body: `<div class="center panel"><h1>Sign in to leakdex</h1>
<p class="muted">Paste an API key (<code>leakdex keys create --tenant NAME</code>). It is exchanged for a session cookie and not kept in the browser.</p>
${o.error ? `<p class="error" role="alert">${h(o.error)}</p>` : ''}
<form method="post" action="/ui/sign-in"><input type="hidden" name="next" value="${h(o.next)}">
<label class="field" for="key">API key<input type="password" id="key" name="key" autocomplete="off" required spellcheck="false"></label>
<p><button class="primary" type="submit">Sign in</button></p></form></div>`,
  });
}

export function overviewPage(caller: WebCaller, o: { apps: AppOverview[]; total: number; q: string; offset: number; limit: number }): string {
  const rows = o.apps
    .map((a) => {
      const v = a.latest;
      const version = v ? `${h(v.versionName ?? '')}${v.versionCode ? ` <span class="muted">(${h(v.versionCode)})</span>` : ''}` : '<span class="muted">–</span>';
      return `<tr><td>${grade(v?.rating)}</td><td><a href="/ui/apps/${encodeURIComponent(a.id)}">${h(a.name ?? a.packageId)}</a><br><span class="muted">${h(a.packageId)}</span></td>
<td class="wide">${h(a.platform)}</td><td>${version} <span class="muted wide">${a.versions} version(s)</span></td><td>${countChips(a.counts)}</td>
<td>${a.live ? `<span class="verify v-live">${a.live} live</span>` : '<span class="muted">0</span>'}${a.compromised ? ` <span class="verify v-live">${a.compromised} compromised</span>` : ''}</td><td class="wide">${when(a.lastScanAt)}</td></tr>`;
    })
    .join('\n');
  const table = o.apps.length
    ? `<table class="grid apps"><caption class="muted">Each app's newest version</caption><thead><tr><th scope="col">Rating</th><th scope="col">App</th><th scope="col" class="wide">Platform</th><th scope="col">Latest version</th><th scope="col">Findings</th><th scope="col">Live keys</th><th scope="col" class="wide">Last scan</th></tr></thead><tbody>
${rows}</tbody></table>${pager('/ui', o.q ? { q: o.q } : {}, o.offset, o.limit, o.total)}`
    : `<p>${o.q ? 'No app matches this search.' : 'No app yet: <a href="/ui/upload">upload a build</a>, or add a <a href="/ui/watches">watch</a>.'}</p>`;
  return page({
    title: 'Apps',
    caller,
    active: '/ui',
    body: `<h1>Apps</h1>
<form method="get" action="/ui" class="toolbar" role="search"><label class="field" for="q">Search by name or package<input type="search" id="q" name="q" value="${h(o.q)}" maxlength="200"></label><button class="secondary" type="submit">Search</button></form>
<section class="panel">${table}</section>`,
  });
}

/** The version timeline: findings per version stacked by severity, the grade above each bar, signer changes marked. */
export function timelineChart(versions: VersionView[], counts: Map<string, SeverityCounts>): string {
  const w = Math.max(320, Math.min(900, 60 + versions.length * 48));
  const hgt = 200;
  const top = 28;
  const bottom = 40;
  const max = Math.max(1, ...versions.map((v) => SEVERITIES.reduce((n, s) => n + (counts.get(v.id)?.[s] ?? 0), 0)));
  const step = (w - 50) / Math.max(1, versions.length);
  const bw = Math.max(6, Math.min(30, step * 0.6));
  const scale = (hgt - top - bottom) / max;
  const bars = versions.map((v, i) => {
    const x = 40 + i * step + (step - bw) / 2;
    let y = hgt - bottom;
    const c = counts.get(v.id);
    const rects = SEVERITIES.map((s) => {
      const n = c?.[s] ?? 0;
      if (!n) return '';
      const bh = n * scale;
      y -= bh;
      return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${bw.toFixed(1)}" height="${bh.toFixed(1)}" fill="${SEV_COLOR[s]}"><title>${h(`${v.versionName ?? v.versionCode ?? ''}: ${n} ${s}`)}</title></rect>`;
    }).join('');
    const label = h((v.versionName ?? v.versionCode ?? '?').slice(0, 10));
    const signer = v.signerChanged ? `<line x1="${(x - 4).toFixed(1)}" x2="${(x - 4).toFixed(1)}" y1="${top}" y2="${hgt - bottom}" stroke="#a1001c" stroke-dasharray="3 2"><title>signer changed</title></line>` : '';
    return `<g class="version" data-version="${h(v.versionName ?? v.versionCode ?? v.id)}">${signer}${rects}<text x="${(x + bw / 2).toFixed(1)}" y="${(y - 6).toFixed(1)}" text-anchor="middle" font-weight="700">${v.rating ?? '–'}</text><text x="${(x + bw / 2).toFixed(1)}" y="${hgt - bottom + 16}" text-anchor="middle">${label}</text></g>`;
  });
  const desc = versions.map((v) => `${v.versionName ?? v.versionCode ?? v.id}: rating ${v.rating ?? 'none'}, ${v.findings} finding(s)${v.signerChanged ? ', signer changed' : ''}`).join('; ');
  return `<svg class="chart" width="${w}" height="${hgt}" viewBox="0 0 ${w} ${hgt}" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg"><title id="chart-title">Findings and rating per version</title><desc id="chart-desc">${h(desc)}</desc>
<line x1="36" x2="${w - 6}" y1="${hgt - bottom}" y2="${hgt - bottom}" stroke="#8a96a3"/><text x="4" y="${top + 4}">${max}</text><text x="4" y="${hgt - bottom}">0</text>${bars.join('')}</svg>`;
}

export function appPage(
  caller: WebCaller,
  o: { app: { id: string; platform: string; packageId: string; name: string | null }; listed: VersionView[]; charted: VersionView[]; total: number; offset: number; limit: number; counts: Map<string, SeverityCounts>; findings: FindingView[]; latest?: VersionView },
): string {
  const rows = o.listed
    .map((v) => {
      const c = o.counts.get(v.id);
      return `<tr><td>${grade(v.rating)}</td><td><a href="/ui/apps/${encodeURIComponent(o.app.id)}/versions/${encodeURIComponent(v.id)}">${h(v.versionName ?? v.id)}</a>${v.versionCode ? ` <span class="muted">(${h(v.versionCode)})</span>` : ''}</td><td>${c ? countChips(c) : '<span class="muted">none</span>'}</td><td class="wide">${v.signerChanged ? '<span class="signer">signer changed</span>' : '<span class="muted">same signer</span>'}</td><td class="wide">${when(Date.parse(v.createdAt))}</td></tr>`;
    })
    .join('\n');
  const vlabel = (r: { versionName: string | null; versionCode: string | null }) => h(r.versionName ?? r.versionCode ?? '?');
  const frows = o.findings
    .map((f) => `<tr data-severity="${f.severity}"><td><span class="chip s-${f.severity}">${f.severity}</span></td><td>${h(f.title)}${f.verification?.status === 'live' ? ' <span class="verify v-live">live</span>' : ''}${f.compromised ? ' <span class="verify v-live">known compromised</span>' : ''}</td><td><span class="value">${h(f.redacted)}</span></td><td>${vlabel(f.firstSeen)}</td><td>${vlabel(f.lastSeen)}</td></tr>`)
    .join('\n');
  return page({
    title: o.app.name ?? o.app.packageId,
    caller,
    active: '/ui',
    body: `<h1>${h(o.app.name ?? o.app.packageId)}</h1><p class="muted">${h(o.app.platform)} · <code>${h(o.app.packageId)}</code> · ${o.total} version(s)</p>
<section class="panel" aria-labelledby="tl"><h2 id="tl">Version timeline</h2>${timelineChart(o.charted, o.counts)}${o.total > o.charted.length ? `<p class="muted">The chart shows the newest ${o.charted.length} of ${o.total} versions; the table lists them all.</p>` : ''}
<table class="grid"><thead><tr><th scope="col">Rating</th><th scope="col">Version</th><th scope="col">Findings</th><th scope="col" class="wide">Signer</th><th scope="col" class="wide">Stored</th></tr></thead><tbody>${rows}</tbody></table>${o.total > o.limit ? pager(`/ui/apps/${encodeURIComponent(o.app.id)}`, {}, o.offset, o.limit, o.total) : ''}</section>
${o.latest ? `<section class="panel" aria-labelledby="lf"><h2 id="lf">Findings of the newest version (${vlabel(o.latest)})</h2>${o.findings.length ? `<table class="grid"><thead><tr><th scope="col">Severity</th><th scope="col">Finding</th><th scope="col">Value</th><th scope="col">First seen</th><th scope="col">Last seen</th></tr></thead><tbody>${frows}</tbody></table>` : '<p>No hardcoded credentials found.</p>'}</section>` : ''}`,
  });
}

export function versionPage(caller: WebCaller, o: { app: { id: string; packageId: string; name: string | null }; version: VersionView; versions: VersionView[]; report: Report; diff?: VersionDiff; compare?: string; revealed: boolean; canReveal: boolean }): string {
  const providers = [...new Set(o.report.findings.map((f) => f.provider))].sort();
  const others = o.versions.filter((v) => v.id !== o.version.id);
  const base = `/ui/apps/${encodeURIComponent(o.app.id)}/versions/${encodeURIComponent(o.version.id)}`;
  const compare = others.length
    ? `<form method="get" action="${h(base)}" class="toolbar"><label class="field" for="compare">Compare with version<select id="compare" name="compare">${others.map((v) => `<option value="${h(v.id)}"${o.compare === v.id ? ' selected' : ''}>${h(v.versionName ?? v.versionCode ?? v.id)}${v.versionCode && v.versionName ? ` (${h(v.versionCode)})` : ''}</option>`).join('')}</select></label><button class="secondary" type="submit">Compare</button></form>`
    : '';
  const filter = providers.length > 1 ? `<label class="field" for="provider-filter">Provider<select id="provider-filter"><option value="">all providers</option>${providers.map((p) => `<option value="${h(p)}">${h(p)}</option>`).join('')}</select></label>` : '';
  const reveal = o.canReveal
    ? `<form method="post" action="/ui/reveal">${csrfField(caller)}<input type="hidden" name="reveal" value="${o.revealed ? '0' : '1'}"><input type="hidden" name="next" value="${h(base)}"><button class="${o.revealed ? 'secondary' : 'danger'}" type="submit">${o.revealed ? 'Hide values' : 'Reveal values (admin)'}</button></form>`
    : '';
  return page({
    title: `${o.app.name ?? o.app.packageId} ${o.version.versionName ?? ''}`,
    caller,
    active: '/ui',
    body: `<p><a href="/ui/apps/${encodeURIComponent(o.app.id)}">← ${h(o.app.name ?? o.app.packageId)}</a></p>
<div class="toolbar">${compare}${filter}${reveal}</div>
${reportBody(o.report, o.diff ? { diff: o.diff } : {})}`,
  });
}

export function uploadPage(caller: WebCaller, o: { error?: string; maxBytes: number }): string {
  return page({
    title: 'Upload',
    caller,
    active: '/ui/upload',
    body: `<h1>Scan a build</h1>${o.error ? `<p class="error" role="alert">${h(o.error)}</p>` : ''}
<section class="panel" aria-labelledby="up"><h2 id="up">Upload a file</h2>
<form id="upload-form" method="post" action="/ui/upload" enctype="multipart/form-data">${csrfField(caller)}
<div class="drop" id="drop"><p>Drop an APK, AAB, IPA, XAPK, APKS or APKM here (at most ${Math.round(o.maxBytes / 1024 / 1024)} MiB), or choose it:</p>
<label class="field" for="file">Build file<input type="file" id="file" name="file" required></label></div>
<p><button class="primary" type="submit">Upload and scan</button></p>
<progress id="upload-progress" max="100" value="0" aria-label="Upload and scan progress"></progress>
<p id="upload-status" role="status" aria-live="polite"></p></form></section>
<section class="panel" aria-labelledby="byurl"><h2 id="byurl">Or give a URL</h2>
<form method="post" action="/ui/upload-url">${csrfField(caller)}<div class="toolbar"><label class="field" for="url">Direct download, F-Droid, GitHub release or itms-services URL<input type="url" id="url" name="url" required maxlength="4096"></label><button class="primary" type="submit">Download and scan</button></div></form></section>`,
  });
}

export function scanPage(caller: WebCaller, scan: ScanRecord): string {
  const done = scan.status === 'done' || scan.status === 'failed';
  const pct = scan.entriesTotal ? Math.round((100 * scan.entriesDone) / scan.entriesTotal) : 0;
  return page({
    title: `Scan ${scan.filename}`,
    caller,
    active: '/ui/upload',
    body: `<h1>Scan of ${h(scan.filename)}</h1><section class="panel"${done ? '' : ` data-follow="/ui/scans/${encodeURIComponent(scan.id)}/status"`}>
<p id="upload-status" role="status" aria-live="polite">${scan.status === 'failed' ? `The scan failed: ${h(scan.error ?? '')}` : scan.status === 'done' ? 'Scan done.' : `Scanning: ${scan.entriesDone}${scan.entriesTotal ? ` of ${scan.entriesTotal}` : ''} entries (${scan.status}). This page follows it (or reload).`}</p>
<progress id="upload-progress" max="100" value="${done ? 100 : pct}" aria-label="Scan progress"></progress>
${scan.status === 'done' && scan.appId && scan.versionId ? `<p><a class="button" href="/ui/apps/${encodeURIComponent(scan.appId)}/versions/${encodeURIComponent(scan.versionId)}">Open the report</a></p>` : ''}
${scan.status === 'done' && !scan.versionId ? `<p><a class="button" href="/v1/scans/${encodeURIComponent(scan.id)}/report?format=html">Open the report</a> (the build names no app, so it has no history)</p>` : ''}</section>`,
  });
}

export interface WatchRow {
  id: string;
  url: string;
  kind: string;
  paused: boolean;
  intervalSeconds: number;
  nextCheckAt: string;
  lastCheckedAt: string | null;
  errors: number;
  lastError: string | null;
  lastVersion: string | null;
  /** Why the newest found version failed to download or scan, if it did. */
  lastVersionError: string | null;
}

export function watchesPage(caller: WebCaller, o: { watches: WatchRow[]; total: number; offset: number; limit: number; error?: string; added?: string; canWrite: boolean }): string {
  const rows = o.watches
    .map((w) => {
      const action = (path: string, label: string, cls: string) => `<form method="post" action="/ui/watches/${encodeURIComponent(w.id)}/${path}">${csrfField(caller)}<button class="${cls}" type="submit">${label}<span class="skip"> ${h(w.url)}</span></button></form>`;
      const found = w.lastVersion ? ` · last found ${h(w.lastVersion)}${w.lastVersionError ? `: <span class="error">${h(w.lastVersionError)}</span>` : ''}` : '';
      const result = (w.lastError ? `<span class="error">${h(w.lastError)}</span>${w.errors > 1 ? ` <span class="muted">(${w.errors} failures in a row)</span>` : ''}` : w.lastCheckedAt ? '<span class="ok">ok</span>' : '<span class="muted">not checked yet</span>') + found;
      return `<tr><td><code>${h(w.url)}</code></td><td>${h(w.kind)}</td><td>${w.paused ? '<strong>paused</strong>' : 'active'}</td><td>${when(w.lastCheckedAt ? Date.parse(w.lastCheckedAt) : null)}<br>${result}</td><td class="wide">${w.paused ? '–' : when(Date.parse(w.nextCheckAt))}</td>
<td>${o.canWrite ? `<div class="toolbar">${w.paused ? action('resume', 'Resume', 'secondary') : action('pause', 'Pause', 'secondary')}${action('remove', 'Remove', 'danger')}</div>` : ''}</td></tr>`;
    })
    .join('\n');
  return page({
    title: 'Watches',
    caller,
    active: '/ui/watches',
    body: `<h1>Watches</h1>${o.error ? `<p class="error" role="alert">${h(o.error)}</p>` : ''}${o.added ? `<p class="ok" role="status">${h(o.added)}</p>` : ''}
${o.canWrite ? `<section class="panel" aria-labelledby="add"><h2 id="add">Watch a source</h2><form method="post" action="/ui/watches">${csrfField(caller)}<div class="toolbar">
<label class="field" for="watch-url">URL (direct, F-Droid, GitHub releases, itms-services, App Store or Google Play page)<input type="url" id="watch-url" name="url" required maxlength="4096"></label>
<label class="field" for="interval">Check every<select id="interval" name="interval"><option value="1h">hour</option><option value="6h">6 hours</option><option value="1d">day</option></select></label>
<button class="primary" type="submit">Add watch</button></div></form></section>` : ''}
<section class="panel">${o.watches.length ? `<table class="grid"><thead><tr><th scope="col">Source</th><th scope="col">Kind</th><th scope="col">State</th><th scope="col">Last sweep</th><th scope="col" class="wide">Next check</th><th scope="col">Actions</th></tr></thead><tbody>${rows}</tbody></table>${pager('/ui/watches', {}, o.offset, o.limit, o.total)}` : '<p>No watch yet.</p>'}</section>`,
  });
}

export interface RuleRow {
  id: string;
  provider: string;
  title: string;
  severity: string;
  confidence: string;
  keywords: string[];
  match: string[];
  noMatch: string[];
  origin: 'built-in' | 'user';
}

export function rulesPage(caller: WebCaller, o: { rules: RuleRow[]; q: string; total: number; offset: number; limit: number }): string {
  const rows = o.rules
    .map((r) => `<tr><td><code>${h(r.id)}</code><br><span class="muted">${h(r.origin)}</span></td><td>${h(r.provider)}<br>${h(r.title)}</td><td><span class="chip s-${h(r.severity)}">${h(r.severity)}</span><br><span class="muted">${h(r.confidence)}</span></td><td class="wide">${r.keywords.map((k) => `<code>${h(k)}</code>`).join(' ')}</td>
<td><details><summary>${r.match.length} match, ${r.noMatch.length} no match</summary><p>Must match:</p><ul>${r.match.map((e) => `<li><code>${h(e)}</code></li>`).join('')}</ul><p>Must not match:</p><ul>${r.noMatch.map((e) => `<li><code>${h(e)}</code></li>`).join('')}</ul></details></td></tr>`)
    .join('\n');
  return page({
    title: 'Rules',
    caller,
    active: '/ui/rules',
    body: `<h1>Detection rules</h1><p class="muted">${o.total} rule(s)${o.q ? ` matching “${h(o.q)}”` : ''}. Examples are the rule's own tests (fake values). The service runs the built-in rules; user rules apply to CLI scans (<code>--rules FILE</code>).</p>
<form method="get" action="/ui/rules" class="toolbar" role="search"><label class="field" for="rq">Search rules (id, provider, title, keyword)<input type="search" id="rq" name="q" value="${h(o.q)}" maxlength="200"></label><button class="secondary" type="submit">Search</button></form>
<section class="panel"><table class="grid stack"><thead><tr><th scope="col">Rule</th><th scope="col">Provider</th><th scope="col">Severity</th><th scope="col" class="wide">Keywords</th><th scope="col">Examples</th></tr></thead><tbody>${rows}</tbody></table>${pager('/ui/rules', o.q ? { q: o.q } : {}, o.offset, o.limit, o.total)}</section>`,
  });
}

export function errorPage(caller: WebCaller | undefined, status: number, message: string): string {
  return page({ title: `Error ${status}`, caller, body: `<h1>${status === 404 ? 'Not found' : status === 403 ? 'Not allowed' : 'Something went wrong'}</h1><p>${h(message)}</p><p><a href="/ui">Back to the apps</a></p>` });
}

export type { Rating };
