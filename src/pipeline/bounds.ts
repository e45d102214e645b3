/**
 * What a scan worker may send its parent. A worker's result is made of strings a file chooses (entry names of up to
 * 64 KiB, key paths, scope keys) repeated per location, site and diagnostic, and the IPC serializer copies each
 * repetition: a 3.5 MB zip of 50 entries with 32,000-character names and 200 tokens each made a 325 MB report and took
 * the CLI to 2.3 GB. Within the budget a result is sent as it is; over it, it is cut in steps that lose the least
 * first, and an error diagnostic says what was cut (the scan is then incomplete).
 */
import { createHash } from 'node:crypto';
import type { PartialGroup } from '../detect/partial.js';
import { severityRank } from '../detect/types.js';
import type { Diagnostic } from '../report/types.js';
import type { ShardResult } from './merge.js';

/** Most diagnostics one worker sends; one `scan.too_many_diagnostics` counts the rest. */
export const MAX_SHARD_DIAGNOSTICS = 10_000;
/** Most characters (all strings counted, plus 8 per other value) in what one worker sends: about 16 to 32 MB. */
export const MAX_SHARD_RESULT_CHARS = 16 * 1024 * 1024;
/** Longest text kept once a result is over its budget; longer ones keep their head and a hash (distinct stays distinct). */
export const MAX_CUT_TEXT_CHARS = 256;
/** Longest message of a failed worker, characters. */
export const MAX_FAILURE_CHARS = 4096;

/** Characters of a structured-clonable value: string lengths, 8 for every other value. */
export function resultChars(value: unknown): number {
  let n = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') n += v.length;
    else if (Array.isArray(v)) {
      n += 8;
      for (const x of v) stack.push(x);
    } else if (v !== null && typeof v === 'object') {
      n += 8;
      for (const [k, x] of Object.entries(v)) {
        n += k.length;
        stack.push(x);
      }
    } else n += 8;
  }
  return n;
}

/** `text` cut to MAX_CUT_TEXT_CHARS: its head, then a hash of the whole. */
export function cutText(text: string): string {
  if (text.length <= MAX_CUT_TEXT_CHARS) return text;
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  return `${text.slice(0, MAX_CUT_TEXT_CHARS - 18)}…#${hash}`;
}

/**
 * The result a worker sends: `result` itself when within MAX_SHARD_DIAGNOSTICS and MAX_SHARD_RESULT_CHARS, else cut
 * in this order until it fits: long texts (entry names, pointers, contexts, scope keys, messages), locations past the
 * first of each finding, repeated pairing sites, then whole findings from the lowest severity up. Changes `result`.
 */
export function boundShardResult(result: ShardResult, maxChars = MAX_SHARD_RESULT_CHARS): ShardResult {
  const { walk, detection } = result;
  const cuts: string[] = [];
  if (walk.diagnostics.length > MAX_SHARD_DIAGNOSTICS) {
    const dropped = walk.diagnostics.length - MAX_SHARD_DIAGNOSTICS;
    walk.diagnostics.length = MAX_SHARD_DIAGNOSTICS;
    walk.diagnostics.push({ entry: '', decoder: 'scan', level: 'warning', code: 'scan.too_many_diagnostics', message: `more than ${MAX_SHARD_DIAGNOSTICS} diagnostics: ${dropped} more are not listed` });
  }
  if (resultChars(result) <= maxChars) return result;

  cuts.push(`texts over ${MAX_CUT_TEXT_CHARS} characters`);
  for (const d of walk.diagnostics) cutDiagnostic(d);
  for (const g of detection.groups) {
    for (const l of g.locations) {
      l.entry = cutText(l.entry);
      l.pointer = cutText(l.pointer);
      if (l.context !== undefined) l.context = cutText(l.context);
    }
    for (const s of g.sites) {
      s.entry = cutText(s.entry);
      if (s.scope !== undefined) s.scope = cutText(s.scope);
    }
    for (const w of g.waits) w.key = cutText(w.key);
  }
  detection.marks = detection.marks.map(([k, v]) => [cutText(k), v]);

  if (resultChars(result) > maxChars) {
    let dropped = 0;
    for (const g of detection.groups) dropped += firstLocationOnly(g);
    if (dropped > 0) cuts.push(`${dropped} locations past the first of each finding`);
  }
  if (resultChars(result) > maxChars) for (const g of detection.groups) distinctSites(g);

  let size = resultChars(result);
  if (size > maxChars) {
    // Lowest severity first, then the last found.
    const order = detection.groups.map((g, i) => ({ g, i })).sort((a, b) => severityRank(a.g.severity) - severityRank(b.g.severity) || b.i - a.i);
    const drop = new Set<PartialGroup>();
    for (const { g } of order) {
      if (size <= maxChars) break;
      drop.add(g);
      size -= resultChars(g);
    }
    detection.groups = detection.groups.filter((g) => !drop.has(g));
    cuts.push(`${drop.size} findings of the lowest severities`);
  }
  walk.diagnostics.push({
    entry: '',
    decoder: 'scan',
    level: 'error',
    code: 'scan.result_truncated',
    message: `what this scan worker found is over ${maxChars} characters; cut: ${cuts.join(', ')}`,
  });
  return result;
}

function cutDiagnostic(d: Diagnostic): void {
  d.entry = cutText(d.entry);
  d.message = cutText(d.message);
}

/** Keeps a group's first location; waits on a dropped one keep their site. The number of locations dropped. */
function firstLocationOnly(g: PartialGroup): number {
  const dropped = Math.max(0, g.locations.length - 1);
  if (dropped === 0) return 0;
  g.locations.length = 1;
  g.locationNeedsPair.length = 1;
  for (const w of g.waits) if (w.location > 0) w.location = -1;
  return dropped;
}

/** Merges a group's identical pairing sites (same entry, scope and need of a pair): pairing reads only whether one exists. */
function distinctSites(g: PartialGroup): void {
  const index = new Map<string, number>();
  const sites: PartialGroup['sites'] = [];
  const moved = g.sites.map((s) => {
    const key = `${s.entry}\0${s.scope ?? ''}\0${s.scope === undefined ? 0 : 1}${s.needsPair ? 1 : 0}`;
    let at = index.get(key);
    if (at === undefined) index.set(key, (at = sites.push(s) - 1));
    return at;
  });
  g.sites = sites;
  for (const w of g.waits) if (w.site >= 0) w.site = moved[w.site]!;
}

/** A failed worker's message, cut to MAX_FAILURE_CHARS. */
export function boundFailure(message: string): string {
  return message.length <= MAX_FAILURE_CHARS ? message : `${message.slice(0, MAX_FAILURE_CHARS)}…`;
}
