import { toDiffFinding } from '../findings.js';
import type { VersionDiff } from '../report/advice.js';
import { MEDIA_TYPES, negotiateFormat, parseFormat, renderReport, type Format } from '../report/render.js';
import type { Report } from '../report/types.js';
import type { AuthContext } from './auth.js';
import { HttpError } from './errors.js';
import type { HistoryService } from './history.js';

/** `?format=` wins over the Accept header; neither (or `*\/*`) means the JSON report. */
export function reportFormat(query: string | undefined, accept: string | undefined): Format {
  if (query !== undefined) {
    const f = parseFormat(query);
    if (!f) throw new HttpError(400, 'bad_format', `unknown format ${query}: use text, json, sarif, html or markdown`);
    return f;
  }
  return negotiateFormat(accept) ?? 'json';
}

/** The diff between the scan's version and the app's previous version, when the history has one. */
export async function previousVersionDiff(history: HistoryService, auth: AuthContext, scan: { appId: string | null; versionId: string | null }): Promise<VersionDiff | undefined> {
  if (!scan.appId || !scan.versionId) return undefined;
  const { versions } = await history.versions(auth, scan.appId);
  const i = versions.findIndex((v) => v.id === scan.versionId);
  if (i <= 0) return undefined;
  const prev = versions[i - 1]!;
  const d = await history.diff(auth, scan.appId, prev.id, scan.versionId);
  const label = prev.versionName && prev.versionCode ? `${prev.versionName} (${prev.versionCode})` : (prev.versionName ?? prev.versionCode ?? prev.id);
  return { previous: label, new: d.new.map(toDiffFinding), resolved: d.resolved.map(toDiffFinding), persisting: d.persisting.map(toDiffFinding), signerChanged: d.signerChanged };
}

/** A stored report rendered in `format` (not json) with its media type; HTML and Markdown carry the version diff. */
export async function renderStoredReport(
  report: Report,
  format: Exclude<Format, 'json'>,
  diff: () => Promise<VersionDiff | undefined>,
): Promise<{ body: string; type: string }> {
  const withDiff = format === 'html' || format === 'markdown' ? await diff().catch(() => undefined) : undefined;
  return { body: await renderReport(report, format, { diff: withDiff }), type: MEDIA_TYPES[format] };
}
