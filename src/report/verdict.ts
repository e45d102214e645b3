/**
 * The one verdict on a scan: what was not scanned (gaps), the grade, and whether it passes the gate. Every format, the
 * service and the CLI's exit code take it from here, so an incomplete scan never reads "clean" in one place and
 * "failing" in another.
 */
import { INCOMPLETE_GRADE_CAP, rate, type Grade, type Rating } from '../detect/rating.js';
import { severityRank, type Severity } from '../detect/types.js';
import { gatingFindings, type FailOn } from './baseline.js';
import type { Diagnostic, Gap, GapKind, Report, ReportVerdict } from './types.js';

export type { Gap, GapKind };

/** How each kind reads in a report. */
export const GAP_LABEL: Record<GapKind, string> = {
  encrypted: 'encrypted code',
  crashed: 'stopped the scan worker',
  limit: 'over a scan limit',
  unread: 'could not be read',
};

/** Diagnostic codes that always mean content went unscanned, whatever their level. */
const GAP_CODES: Record<string, GapKind> = {
  'macho.encrypted': 'encrypted',
  'scan.entry_crashed_worker': 'crashed',
  'scan.entry_too_large': 'limit',
  'scan.nested_too_large': 'limit', // the inner archive's compressed entries were never inflated
  'scan.nesting_too_deep': 'limit',
  'scan.nested_bomb': 'limit', // a nested archive declaring more than its ratio allows is not opened
  'scan.budget_exhausted': 'limit', // the artifact's inflation budget was spent: the entries after it were not read
  'zip.overlap_bomb': 'unread', // entries sharing compressed data with another entry are not read
  'scan.too_many_strings': 'limit',
  'scan.result_truncated': 'limit', // findings or their locations were cut from what a worker sent (pipeline/bounds.ts)
  'json.too_deep': 'limit', // the subtree is skipped
  'dir.too_deep': 'limit', // the subdirectory is not listed
};
/** Warnings of a decoder that stopped early (`<decoder>.too_many_strings|nodes`): the rest of its entry was not read. A decoder's fatal error is not a gap: its entry's printable runs are scanned instead. */
const STOPPED_EARLY = /\.too_many_(?:strings|nodes)$/;
/** Readers of entries (decoder names of src/pipeline/entries.ts readerName, and gzip): an error of theirs means the bytes were never read. */
const READERS = new Set(['zip', 'dir', 'scan', 'gzip']);

/** The gap a diagnostic reports, if it reports one. */
export function gapOf(d: Diagnostic): GapKind | undefined {
  const known = GAP_CODES[d.code];
  if (known) return known;
  if (d.level === 'warning' && STOPPED_EARLY.test(d.code)) return 'limit';
  if (d.level === 'error' && READERS.has(d.decoder)) return 'unread';
  return undefined;
}

/** What was not scanned: one gap per (entry, code), from the report's diagnostics and its encrypted binaries. */
export function scanGaps(report: Pick<Report, 'diagnostics' | 'artifact'>): Gap[] {
  const gaps: Gap[] = [];
  const seen = new Set<string>();
  const add = (entry: string, code: string, kind: GapKind) => {
    const key = `${entry}\0${code}`;
    if (seen.has(key)) return;
    seen.add(key);
    gaps.push({ entry, code, kind });
  };
  for (const d of report.diagnostics) {
    const kind = gapOf(d);
    if (kind) add(d.entry, d.code, kind);
  }
  for (const b of report.artifact.app.encryptedBinaries ?? []) add(b, 'macho.encrypted', 'encrypted');
  return gaps;
}

export { INCOMPLETE_GRADE_CAP };
const GRADES: readonly Grade[] = ['A', 'B', 'C', 'D', 'F'];

/** The rating of the findings, lowered to INCOMPLETE_GRADE_CAP when anything was not scanned (`capped` says from what). */
export function capRating(rating: Rating, gaps: readonly Gap[]): Rating {
  const plain: Rating = { grade: rating.grade, score: rating.score, counts: rating.counts };
  if (gaps.length === 0 || GRADES.indexOf(plain.grade) >= GRADES.indexOf(INCOMPLETE_GRADE_CAP)) return plain;
  return { ...plain, grade: INCOMPLETE_GRADE_CAP, capped: { from: plain.grade, reason: 'incomplete' } };
}

/** The gate a scan is judged by: `--fail-on` and `--allow-incomplete`. */
export interface Gate {
  /** Default `high`, as `leakdex scan`. */
  failOn?: FailOn;
  /** Accept an incomplete scan (default false: an incomplete scan never passes). */
  allowIncomplete?: boolean;
}

/** pass: nothing at or above failOn, and everything scanned (or --allow-incomplete); fail: a finding at or above failOn; incomplete: none, but part of the app was not scanned. */
export type VerdictStatus = ReportVerdict['status'];

/** Exit code of `leakdex scan` for each status (a contract with CI scripts; 2 and 3 are errors, src/cli/main.ts). */
export const VERDICT_EXIT: Record<VerdictStatus, number> = { pass: 0, fail: 1, incomplete: 4 };

/** The one verdict on a scan. */
export interface Verdict {
  status: VerdictStatus;
  failOn: FailOn;
  allowIncomplete: boolean;
  /** Unsuppressed findings at or above failOn. */
  failing: number;
  complete: boolean;
  gaps: Gap[];
  /** The A-F rating over the unsuppressed findings, capped when incomplete. */
  rating: Rating;
  exitCode: number;
}

/** The status from its two inputs; the service, which keeps counts rather than findings, calls this too. */
export function decide(failing: number, gapCount: number, gate: Gate = {}): VerdictStatus {
  if (failing > 0) return 'fail';
  return gapCount > 0 && gate.allowIncomplete !== true ? 'incomplete' : 'pass';
}

/** Findings at or above `failOn` from per-severity counts. */
export function failingOfCounts(counts: Record<Severity, number>, failOn: FailOn): number {
  if (failOn === 'none') return 0;
  if (failOn === 'live') return 0; // counts carry no verification: a live gate needs the findings (gatingFindings)
  return (Object.keys(counts) as Severity[]).filter((s) => severityRank(s) >= severityRank(failOn)).reduce((n, s) => n + counts[s], 0);
}

/** The verdict on `report` (after suppressions) under `gate`. */
export function verdictOf(report: Report, gate: Gate = {}): Verdict {
  const failOn = gate.failOn ?? 'high';
  const gaps = scanGaps(report);
  const failing = gatingFindings(report, failOn).length;
  const status = decide(failing, gaps.length, gate);
  return {
    status,
    failOn,
    allowIncomplete: gate.allowIncomplete === true,
    failing,
    complete: gaps.length === 0,
    gaps,
    rating: capRating(rate(report.findings), gaps),
    exitCode: VERDICT_EXIT[status],
  };
}

/** The gaps in a few words: `encrypted code: Payload/X.app/X; over a scan limit: a.json, b.json and 3 more`. */
export function gapsText(gaps: readonly Gap[], maxEntries = 3): string {
  const kinds = [...new Set(gaps.map((g) => g.kind))];
  return kinds
    .map((k) => {
      const entries = [...new Set(gaps.filter((g) => g.kind === k).map((g) => g.entry || '(archive)'))];
      const shown = entries.slice(0, maxEntries).join(', ');
      return `${GAP_LABEL[k]}: ${shown}${entries.length > maxEntries ? ` and ${entries.length - maxEntries} more` : ''}`;
    })
    .join('; ');
}

/** The verdict as one line (plain text, file-derived entry names unescaped: each format escapes the whole line). */
export function verdictText(v: Verdict): string {
  const n = v.gaps.length;
  const parts = `${n} part(s) of the app not scanned (${gapsText(v.gaps)})`;
  const rest = v.failOn === 'none' ? 'findings not gating (--fail-on none)' : v.failOn === 'live' ? 'no credential verified live' : `nothing at or above ${v.failOn}`;
  switch (v.status) {
    case 'fail':
      return `FAIL: ${v.failing} ${v.failOn === 'live' ? 'credential(s) verified live' : `finding(s) at or above ${v.failOn}`}${n ? `; and ${parts}` : ''}`;
    case 'incomplete':
      return `INCOMPLETE: ${parts}, so it cannot pass; ${rest} in what was scanned (--allow-incomplete accepts this)`;
    case 'pass':
      return `PASS: ${rest}${n ? `; ${parts}, accepted with --allow-incomplete` : ''}`;
  }
}

/** The rating in words, with the cap when there is one: `C (capped: incomplete scan; the findings alone give A)`. */
export function ratingText(r: Rating): string {
  return r.capped ? `${r.grade} (capped: incomplete scan; the findings alone give ${r.capped.from})` : r.grade;
}

/** The verdict as the JSON report carries it. */
export function reportVerdict(v: Verdict): ReportVerdict {
  return { status: v.status, failOn: v.failOn, allowIncomplete: v.allowIncomplete, failing: v.failing, exitCode: v.exitCode };
}
