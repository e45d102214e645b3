/**
 * The dashboard's only static files, served from this process with an ETag (no CDN, no external asset): one style
 * sheet (the report's, then the dashboard's) and one small script. Every page works without the script; it adds
 * local dates, the provider filter, drag and drop with upload progress, and live scan progress.
 */
import { createHash } from 'node:crypto';
import { REPORT_CSS } from '../report/html.js';

const DASHBOARD_CSS = `
[hidden]{display:none!important}
.skip{position:absolute;left:-9999px;top:0;background:#fff;padding:8px;z-index:10}.skip:focus{left:8px}
.topbar{background:#1d232b;color:#fff;display:flex;flex-wrap:wrap;align-items:center;gap:4px 18px;padding:8px 20px}
.topbar a,.topbar button{color:#fff;text-decoration:none;font:inherit;background:none;border:0;cursor:pointer;padding:6px 2px}
.topbar a[aria-current=page]{border-bottom:2px solid #fff}
.topbar a:focus-visible,.topbar button:focus-visible,a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid #3b6db3;outline-offset:2px}
.brand{font-weight:700;margin-right:12px}.who{margin-left:auto;color:#dfe4ea;font-size:13px}
.topbar form{display:inline}
a{color:#1f4f99}
main:focus{outline:none}
footer{color:#4a5562}
main>header{margin-top:18px}
nav.toc{display:flex;flex-wrap:wrap;gap:4px 14px}nav.toc a{margin-right:0}
.panel>h2:first-child{margin-top:4px}
.panel{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 20px;margin-top:18px}
.grid{width:100%;border-collapse:collapse;font-size:13.5px}.grid th,.grid td{padding:6px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:middle}
.grade{display:inline-flex;width:30px;height:30px;border-radius:6px;color:#fff;font-weight:700;align-items:center;justify-content:center}
.grade.none{background:#e3e7ec;color:#1d232b}
.toolbar{display:flex;flex-wrap:wrap;gap:8px;align-items:end;margin-top:12px}.grid .toolbar{margin-top:0}
label.field{display:flex;flex-direction:column;font-size:13px;gap:3px}
input[type=text],input[type=search],input[type=url],input[type=password],select{font:inherit;padding:6px 8px;border:1px solid #8a96a3;border-radius:6px;min-width:220px;background:#fff;color:#1d232b}
button.primary,a.button{font:inherit;background:#1f4f99;color:#fff;border:0;border-radius:6px;padding:7px 14px;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary{font:inherit;background:#fff;color:#1d232b;border:1px solid #8a96a3;border-radius:6px;padding:5px 10px;cursor:pointer}
button.danger{font:inherit;background:#fff;color:#a1001c;border:1px solid #a1001c;border-radius:6px;padding:5px 10px;cursor:pointer}
.pager{display:flex;gap:12px;align-items:center;margin-top:10px;font-size:13px}
.error{color:#a1001c;font-weight:600}.ok{color:#2e6b30}
.drop{border:2px dashed #8a96a3;border-radius:8px;padding:28px;text-align:center;background:#fafbfc}
.drop.over{border-color:#1f4f99;background:#eef3fb}
progress{width:100%;height:18px}
.chart{display:block;max-width:100%;height:auto}
.chart text{font-size:11px;fill:#1d232b}
.signer{color:#a1001c;font-weight:600}
.muted{color:#4a5562}
.center{max-width:420px;margin:60px auto}
@media (max-width:700px){
main{padding:10px}.grid .wide{display:none}
input[type=text],input[type=search],input[type=url],input[type=password],select{min-width:0;width:100%}
.toolbar{flex-direction:column;align-items:stretch}
.panel,section.sev,section.box{padding-left:12px;padding-right:12px}
.grid th,.grid td{padding-left:4px;padding-right:4px}.grid td{overflow-wrap:anywhere}
main>header{flex-direction:column;align-items:flex-start;gap:12px;padding:14px}
main>header>div{min-width:0;max-width:100%}article.finding{overflow-wrap:anywhere}.meta code,article.finding code{word-break:break-all}
.rating{width:64px;height:64px;font-size:36px}
#glance th:nth-child(3),#glance td:nth-child(3){display:none}
.stack thead{display:none}.stack tr{display:flex;flex-wrap:wrap;gap:2px 14px;padding:8px 0;border-bottom:1px solid var(--line)}
.stack td{border:0;padding:0}.stack td:first-child,.stack td:last-child{flex-basis:100%}.stack td:nth-child(2){flex:1 1 60%}
.apps thead{display:none}.apps tr{display:grid;grid-template-columns:auto 1fr auto;gap:6px 10px;align-items:center;padding:10px 0;border-bottom:1px solid var(--line)}
.apps td{border:0;padding:0}.apps td:nth-child(5),.apps td:nth-child(6){grid-column:1/-1}.apps td:nth-child(6)::before{content:"Live keys: ";color:#4a5562}
}
`;

const SCRIPT = `'use strict';
(function () {
  // Dates in the reader's locale (the page prints ISO 8601 UTC without the script).
  for (const t of document.querySelectorAll('time[datetime]')) {
    const d = new Date(t.getAttribute('datetime'));
    if (!isNaN(d)) t.textContent = d.toLocaleString();
  }
  // Provider filter of the version page.
  const pf = document.getElementById('provider-filter');
  if (pf) pf.addEventListener('change', function () {
    const v = pf.value;
    for (const el of document.querySelectorAll('[data-provider]')) el.hidden = v !== '' && el.getAttribute('data-provider') !== v;
  });
  // Upload: drag and drop, upload progress, then the scan's progress until its report opens.
  const form = document.getElementById('upload-form');
  const drop = document.getElementById('drop');
  const input = document.getElementById('file');
  const bar = document.getElementById('upload-progress');
  const status = document.getElementById('upload-status');
  function say(text) { if (status) status.textContent = text; }
  function follow(url) {
    fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' }).then(function (r) { return r.json(); }).then(function (s) {
      if (s.status === 'done') { say('Scan done: opening the report…'); location.assign(s.report); return; }
      if (s.status === 'failed') { say('The scan failed: ' + s.error); return; }
      const p = s.entriesTotal ? Math.round(100 * s.entriesDone / s.entriesTotal) : 0;
      if (bar) { bar.max = 100; bar.value = p; }
      say('Scanning: ' + s.entriesDone + (s.entriesTotal ? ' of ' + s.entriesTotal : '') + ' entries (' + s.status + ')');
      setTimeout(function () { follow(url); }, 500);
    }).catch(function () { setTimeout(function () { follow(url); }, 1500); });
  }
  function send(file) {
    const data = new FormData(form);
    data.set('file', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.addEventListener('progress', function (e) {
      if (e.lengthComputable && bar) { bar.max = e.total; bar.value = e.loaded; }
      say('Uploading: ' + Math.round(100 * e.loaded / (e.total || 1)) + '%');
    });
    xhr.addEventListener('load', function () {
      let r = {};
      try { r = JSON.parse(xhr.responseText); } catch (e) { r = { message: xhr.responseText }; }
      if (xhr.status >= 300) { say('Upload refused: ' + (r.message || xhr.status)); return; }
      say('Uploaded: waiting for the scan…');
      follow(r.statusUrl);
    });
    xhr.addEventListener('error', function () { say('The upload failed: the connection was lost.'); });
    xhr.send(data);
  }
  if (form && input) {
    form.addEventListener('submit', function (e) {
      if (!input.files || !input.files[0]) return;
      e.preventDefault();
      send(input.files[0]);
    });
  }
  if (drop && input) {
    drop.addEventListener('dragover', function (e) { e.preventDefault(); drop.classList.add('over'); });
    drop.addEventListener('dragleave', function () { drop.classList.remove('over'); });
    drop.addEventListener('drop', function (e) {
      e.preventDefault();
      drop.classList.remove('over');
      if (e.dataTransfer && e.dataTransfer.files[0]) send(e.dataTransfer.files[0]);
    });
  }
  // A scan page opened directly follows its scan too.
  const watch = document.querySelector('[data-follow]');
  if (watch) follow(watch.getAttribute('data-follow'));
})();
`;

export interface Asset {
  body: string;
  type: string;
  etag: string;
}

const asset = (body: string, type: string): Asset => ({ body, type, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 20)}"` });

/** The tab icon: served here, so that the browser's own request for /favicon.ico is not made (nor fails). */
const FAVICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1d232b"/><path d="M5 3v10h7" stroke="#fff" stroke-width="2.2" fill="none"/></svg>';

export const ASSETS: Record<string, Asset> = {
  'app.css': asset(REPORT_CSS + DASHBOARD_CSS, 'text/css; charset=utf-8'),
  'app.js': asset(SCRIPT, 'text/javascript; charset=utf-8'),
  'favicon.svg': asset(FAVICON, 'image/svg+xml'),
};

/** The dashboard's Content-Security-Policy: its own files only, no inline script or style, no framing. */
export const DASHBOARD_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
