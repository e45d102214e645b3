import { readFileSync } from 'node:fs';
import { severityRank, type Severity } from '../detect/types.js';
import type { Report, ReportFinding, SuppressedFinding, Suppression } from './types.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';

/** Version of the baseline file format. */
export const BASELINE_VERSION = 1;
/** Largest baseline or ignore file read, bytes. */
export const MAX_SUPPRESSION_FILE_BYTES = 16 * 1024 * 1024;
/** Shortest fingerprint prefix an ignore entry may use (the text report shows 16 characters). */
export const MIN_FINGERPRINT_PREFIX = 16;
/** The ignore file looked for in the working directory when --ignore-file is not given. */
export const DEFAULT_IGNORE_FILE = '.leakdexignore';

/** A problem in a baseline or ignore file, with the line when there is one. */
export class SuppressionFileError extends Error {
  override name = 'SuppressionFileError';
}

/** One accepted finding of a baseline file. */
export interface BaselineEntry {
  fingerprint: string;
  ruleId?: string;
  severity?: Severity;
  redacted?: string;
  /** First location, `entry pointer`, for people reading the file. */
  location?: string;
}

/** The baseline file (`leakdex baseline create`): fingerprints of the findings a team has accepted. */
export interface BaselineFile {
  leakdexBaseline: number;
  createdAt: string;
  tool: string;
  artifact: { path: string; sha256: string; app: Report['artifact']['app'] };
  findings: BaselineEntry[];
}

/** One line of an ignore file: `FINGERPRINT [expires=YYYY-MM-DD] REASON`. */
export interface IgnoreEntry {
  fingerprint: string;
  reason: string;
  expires?: string;
  line: number;
}

/** Accepted fingerprints from a baseline file and/or an ignore file. */
export interface Suppressions {
  baseline?: { file: string; fingerprints: Set<string> };
  ignore?: { file: string; entries: IgnoreEntry[] };
}

/** The outcome of applying suppressions: the report split, and ignore entries whose date has passed. */
export interface SuppressionResult {
  report: Report;
  expired: IgnoreEntry[];
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Builds a baseline accepting every finding of `report`. */
export function createBaseline(report: Report, now = new Date()): BaselineFile {
  const all = [...report.findings, ...(report.suppressed ?? [])];
  const seen = new Set<string>();
  const findings: BaselineEntry[] = [];
  for (const f of all) {
    if (seen.has(f.fingerprint)) continue;
    seen.add(f.fingerprint);
    const l = f.locations[0];
    const e: BaselineEntry = { fingerprint: f.fingerprint, ruleId: f.ruleId, severity: f.severity, redacted: f.redacted };
    if (l) e.location = `${l.entry} ${l.pointer}`;
    findings.push(e);
  }
  return {
    leakdexBaseline: BASELINE_VERSION,
    createdAt: now.toISOString(),
    tool: `${TOOL_NAME} ${TOOL_VERSION}`,
    artifact: { path: report.artifact.path, sha256: report.artifact.sha256, app: report.artifact.app },
    findings,
  };
}

function readLimited(file: string, what: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SuppressionFileError(`cannot read ${what} ${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  if (bytes.length > MAX_SUPPRESSION_FILE_BYTES) throw new SuppressionFileError(`${what} ${file} is over ${MAX_SUPPRESSION_FILE_BYTES} bytes`);
  return bytes.toString('utf8');
}

/**
 * Parses a baseline: a file written by `leakdex baseline create`, or any leakdex JSON report (its findings, suppressed
 * ones included, are the accepted set).
 */
export function parseBaseline(text: string, file: string): Set<string> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new SuppressionFileError(`baseline ${file} is not JSON: ${(e as Error).message}`);
  }
  const obj = doc as { leakdexBaseline?: unknown; schemaVersion?: unknown; findings?: unknown; suppressed?: unknown };
  if (typeof obj !== 'object' || obj === null || (obj.leakdexBaseline === undefined && obj.schemaVersion === undefined)) {
    throw new SuppressionFileError(`${file} is neither a leakdex baseline nor a leakdex JSON report`);
  }
  if (obj.leakdexBaseline !== undefined && obj.leakdexBaseline !== BASELINE_VERSION) {
    throw new SuppressionFileError(`baseline ${file} has version ${String(obj.leakdexBaseline)}; this leakdex reads version ${BASELINE_VERSION}`);
  }
  const out = new Set<string>();
  const lists = [obj.findings, obj.suppressed].filter((l) => l !== undefined);
  for (const list of lists) {
    if (!Array.isArray(list)) throw new SuppressionFileError(`baseline ${file}: "findings" is not a list`);
    list.forEach((f: unknown, i) => {
      const fp = (f as { fingerprint?: unknown } | null)?.fingerprint;
      if (typeof fp !== 'string' || !HEX64.test(fp)) throw new SuppressionFileError(`baseline ${file}: finding ${i} has no 64-hex fingerprint`);
      out.add(fp);
    });
  }
  return out;
}

export function loadBaseline(file: string): Set<string> {
  return parseBaseline(readLimited(file, 'baseline'), file);
}

/**
 * Parses an ignore file. One entry a line: `FINGERPRINT [expires=YYYY-MM-DD] REASON`; `#` starts a comment line.
 * The fingerprint is the full 64-hex value or a prefix of at least 16; the reason is required.
 */
export function parseIgnoreFile(text: string, file: string): IgnoreEntry[] {
  const entries: IgnoreEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const where = `${file} line ${i + 1}`;
    const m = /^([0-9a-fA-F]+)(?:\s+expires=(\S+))?(?:\s+(.*))?$/.exec(raw);
    if (!m) throw new SuppressionFileError(`${where}: expected 'FINGERPRINT [expires=YYYY-MM-DD] REASON'`);
    const fingerprint = m[1]!.toLowerCase();
    if (fingerprint.length < MIN_FINGERPRINT_PREFIX || fingerprint.length > 64) {
      throw new SuppressionFileError(`${where}: a fingerprint is 64 hex characters (a prefix of at least ${MIN_FINGERPRINT_PREFIX} is accepted)`);
    }
    const expires = m[2];
    if (expires !== undefined && !validDate(expires)) throw new SuppressionFileError(`${where}: expires=${expires} is not a date (YYYY-MM-DD)`);
    const reason = (m[3] ?? '').trim();
    if (reason === '') throw new SuppressionFileError(`${where}: give a reason after the fingerprint`);
    const e: IgnoreEntry = { fingerprint, reason, line: i + 1 };
    if (expires !== undefined) e.expires = expires;
    entries.push(e);
  }
  return entries;
}

export function loadIgnoreFile(file: string): IgnoreEntry[] {
  return parseIgnoreFile(readLimited(file, 'ignore file'), file);
}

function validDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
}

/** Today as YYYY-MM-DD in UTC. */
export function today(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Moves accepted findings from `findings` to `suppressed`. An ignore entry whose expiry date has passed suppresses
 * nothing and is returned in `expired`. Baseline entries win over ignore entries when both accept a finding.
 */
export function applySuppressions(report: Report, s: Suppressions, now = new Date()): SuppressionResult {
  const day = today(now);
  const expired: IgnoreEntry[] = [];
  const live: IgnoreEntry[] = [];
  for (const e of s.ignore?.entries ?? []) (e.expires !== undefined && e.expires < day ? expired : live).push(e);
  const byIgnore = (fp: string) => live.find((e) => fp.startsWith(e.fingerprint));
  const findings: ReportFinding[] = [];
  const suppressed: SuppressedFinding[] = [...(report.suppressed ?? [])];
  for (const f of report.findings) {
    let suppression: Suppression | undefined;
    if (s.baseline?.fingerprints.has(f.fingerprint)) suppression = { kind: 'baseline', file: s.baseline.file };
    else {
      const e = byIgnore(f.fingerprint);
      if (e) {
        suppression = { kind: 'ignore', file: s.ignore!.file, reason: e.reason };
        if (e.expires) suppression.expires = e.expires;
      }
    }
    if (suppression) suppressed.push({ ...f, suppression });
    else findings.push(f);
  }
  const out: Report = { ...report, findings };
  if (suppressed.length > 0) out.suppressed = suppressed;
  else delete out.suppressed;
  return { report: out, expired: expired.filter((e) => report.findings.some((f) => f.fingerprint.startsWith(e.fingerprint))) };
}

/** `--fail-on` values: a severity, `live` (only credentials that verification found working: needs --verify), or `none` to never fail. */
export const FAIL_ON = ['critical', 'high', 'medium', 'low', 'info', 'live', 'none'] as const;
export type FailOn = (typeof FAIL_ON)[number];

/** The findings that fail the build at `failOn` (suppressed findings never do). */
export function gatingFindings(report: Report, failOn: FailOn): ReportFinding[] {
  if (failOn === 'none') return [];
  if (failOn === 'live') return report.findings.filter((f) => f.verification?.status === 'live');
  const threshold = severityRank(failOn);
  return report.findings.filter((f) => severityRank(f.severity) >= threshold);
}
