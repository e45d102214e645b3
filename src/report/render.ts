import type { VersionDiff } from './advice.js';
import type { FailOn } from './baseline.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import { renderText } from './text.js';
import type { Report } from './types.js';
import { safeJson } from './escape.js';
import { reportVerdict, verdictOf, type Gate } from './verdict.js';

/** Report formats, shared by `leakdex scan --format` and the service's `GET /v1/scans/:id/report?format=`. */
export const FORMATS = ['text', 'json', 'sarif', 'html', 'markdown'] as const;
export type Format = (typeof FORMATS)[number];

/** Media type of each format (content negotiation on the service; `--output` needs none). */
export const MEDIA_TYPES: Record<Format, string> = {
  text: 'text/plain; charset=utf-8',
  json: 'application/json; charset=utf-8',
  sarif: 'application/sarif+json; charset=utf-8',
  html: 'text/html; charset=utf-8',
  markdown: 'text/markdown; charset=utf-8',
};

/** Accepts `md` for markdown. */
export function parseFormat(s: string): Format | undefined {
  const f = s === 'md' ? 'markdown' : s;
  return (FORMATS as readonly string[]).includes(f) ? (f as Format) : undefined;
}

/** The format an Accept header asks for (first match by q-value order), or undefined when none of ours is named. */
export function negotiateFormat(accept: string | undefined): Format | undefined {
  if (!accept) return undefined;
  const ranges = accept
    .split(',')
    .map((part, i) => {
      const [type, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { type: type!.trim(), q: q ? Number(q.slice(2)) : 1, i };
    })
    .filter((r) => r.q > 0)
    .sort((x, y) => y.q - x.q || x.i - y.i);
  for (const r of ranges) {
    const hit = (Object.entries(MEDIA_TYPES) as [Format, string][]).find(([, mt]) => mt.split(';')[0] === r.type);
    if (hit) return hit[0];
    if (r.type === 'application/*' || r.type === '*/*') return 'json';
    if (r.type === 'text/*') return 'text';
  }
  return undefined;
}

/** The JSON report under a gate: `completeness` (reports stored before it existed lack it) and `verdict` filled in. */
export function jsonReport(report: Report, gate: Gate = {}): Report {
  const v = verdictOf(report, gate);
  return { ...report, completeness: { complete: v.complete, gaps: v.gaps }, verdict: reportVerdict(v) };
}

export interface RenderOptions {
  color?: boolean;
  /** The gate the verdict is given for (default `high`, as `leakdex scan`). */
  failOn?: FailOn;
  /** --allow-incomplete: an incomplete scan may pass. */
  allowIncomplete?: boolean;
  diff?: VersionDiff;
  baselineApplied?: boolean;
}

/**
 * Renders a report in one of FORMATS, each with the same verdict (src/report/verdict.ts) under the gate in `opts`.
 * The JSON report gains `completeness` (when it was made before that field) and `verdict`. SARIF, which lists every
 * built-in rule, loads the rule registry only when asked for: the CLI's own process otherwise never needs it (about
 * 8 MB of its resident memory; the rules run in the scan workers).
 */
export async function renderReport(report: Report, format: Format, opts: RenderOptions = {}): Promise<string> {
  const gate = { failOn: opts.failOn, allowIncomplete: opts.allowIncomplete };
  switch (format) {
    case 'json':
      return safeJson(jsonReport(report, gate)) + '\n';
    case 'sarif':
      return (await import('./sarif.js')).renderSarif(report, { baselineApplied: opts.baselineApplied, ...gate });
    case 'html':
      return renderHtml(report, { diff: opts.diff, ...gate });
    case 'markdown':
      return renderMarkdown(report, { diff: opts.diff, ...gate });
    case 'text':
      return renderText(report, { color: opts.color, ...gate });
  }
}
