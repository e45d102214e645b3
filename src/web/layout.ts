/** The dashboard's page shell and the small pieces every page uses. Every text from an app or a user goes through h(). */
import { htmlText } from '../report/escape.js';
import type { Rating } from '../store/types.js';
import type { WebCaller } from './session.js';

export const h = htmlText;

const NAV: [path: string, label: string][] = [
  ['/ui', 'Apps'],
  ['/ui/upload', 'Upload'],
  ['/ui/watches', 'Watches'],
  ['/ui/rules', 'Rules'],
];

export interface PageOptions {
  title: string;
  body: string;
  caller?: WebCaller;
  /** The nav entry of this page. */
  active?: string;
}

/** A whole page: skip link, navigation (with the sign-out form), the content in <main>. */
export function page(o: PageOptions): string {
  const nav = o.caller
    ? `<nav class="topbar" aria-label="Main"><span class="brand">leakdex</span>${NAV.map(([p, l]) => `<a href="${p}"${o.active === p ? ' aria-current="page"' : ''}>${l}</a>`).join('')}<a href="/docs">API</a>
<span class="who">${h(o.caller.tenantName)}</span><form method="post" action="/ui/sign-out">${csrfField(o.caller)}<button type="submit">Sign out</button></form></nav>`
    : '<nav class="topbar" aria-label="Main"><span class="brand">leakdex</span><a href="/docs">API</a></nav>';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(o.title)} · leakdex</title>
<link rel="icon" href="/ui/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/ui/assets/app.css">
<script src="/ui/assets/app.js" defer></script>
</head><body><a class="skip" href="#main">Skip to content</a>
${nav}
<main id="main" tabindex="-1">
${o.body}
</main></body></html>
`;
}

/** The hidden anti-CSRF field of every form. */
export function csrfField(caller: WebCaller): string {
  return `<input type="hidden" name="_csrf" value="${h(caller.session.csrf)}">`;
}

/** A date as <time>: ISO 8601 UTC in the page, the reader's locale once the script runs. */
export function when(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '<span class="muted">never</span>';
  const iso = new Date(ms).toISOString();
  return `<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`;
}

export function grade(r: Rating | null | undefined): string {
  return r ? `<span class="grade r-${r}" title="rating ${r}">${r}</span>` : '<span class="grade none" title="not rated">–</span>';
}

/** Previous / next links of a paginated list. */
export function pager(base: string, params: Record<string, string>, offset: number, limit: number, total: number): string {
  const link = (o: number, text: string) => {
    const q = new URLSearchParams({ ...params, offset: String(o) });
    return `<a href="${h(`${base}?${q}`)}">${text}</a>`;
  };
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(total, offset + limit);
  return `<nav class="pager" aria-label="Pages">${offset > 0 ? link(Math.max(0, offset - limit), '← previous') : ''}<span>${from}–${to} of ${total}</span>${to < total ? link(offset + limit, 'next →') : ''}</nav>`;
}
