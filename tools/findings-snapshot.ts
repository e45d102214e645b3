/**
 * `node dist/tools/findings-snapshot.js --out DIR FILE...` writes, per scanned file, every finding as the CLI scans it
 * (rule, severity, confidence, reason, fingerprint, redacted value, occurrences, every location) to DIR as JSON;
 * `--compare DIR FILE...` scans again and prints each difference. This is how a change that must not change findings
 * (issue 20's byte prefilter) is checked on the samples and on ../shared/corpus: snapshot before, compare after.
 * Timing, string counts and diagnostics are not compared (they are what such a change is allowed to change).
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { scanFileIsolated } from '../src/pipeline/run.js';
import type { Report } from '../src/report/types.js';

interface Snapshot {
  file: string;
  findings: Array<Record<string, unknown>>;
  strings: number;
}

function snapshotOf(file: string, report: Report): Snapshot {
  const findings = report.findings
    .map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      confidence: f.confidence,
      reason: f.reason ?? null,
      fingerprint: f.fingerprint,
      redacted: f.redacted,
      occurrences: (f as { occurrences?: number }).occurrences ?? null,
      pairedWith: f.pairedWith ?? null,
      locations: f.locations.map((l) => `${l.entry} | ${l.decoder} | ${l.pointer} | ${l.context ?? ''}`),
    }))
    .sort((a, b) => (a.fingerprint + a.ruleId < b.fingerprint + b.ruleId ? -1 : 1));
  return { file, findings, strings: report.stats.strings };
}

function nameOf(file: string): string {
  return createHash('sha256').update(file).digest('hex').slice(0, 16) + '.json';
}

const args = process.argv.slice(2);
const mode = args[0];
const dir = args[1];
const files = args.slice(2);
if ((mode !== '--out' && mode !== '--compare') || !dir || files.length === 0) {
  process.stderr.write('usage: findings-snapshot --out DIR FILE... | --compare DIR FILE...\n');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
let differ = 0;
let findings = 0;
let stringsBefore = 0;
let stringsAfter = 0;
for (const file of files) {
  let snap: Snapshot;
  try {
    snap = snapshotOf(file, await scanFileIsolated(file));
  } catch (e) {
    snap = { file, findings: [{ failed: (e as Error).message }], strings: 0 };
  }
  const path = join(dir, nameOf(file));
  if (mode === '--out') {
    writeFileSync(path, JSON.stringify(snap, null, 1));
    findings += snap.findings.length;
    continue;
  }
  if (!existsSync(path)) {
    process.stdout.write(`${file}: no snapshot\n`);
    differ++;
    continue;
  }
  const before = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  findings += snap.findings.length;
  stringsBefore += before.strings;
  stringsAfter += snap.strings;
  const a = JSON.stringify(before.findings);
  const b = JSON.stringify(snap.findings);
  if (a !== b) {
    differ++;
    process.stdout.write(`${file}: findings differ\n`);
    const was = new Set(before.findings.map((f) => JSON.stringify(f)));
    const now = new Set(snap.findings.map((f) => JSON.stringify(f)));
    for (const f of was) if (!now.has(f)) process.stdout.write(`  - ${f.slice(0, 400)}\n`);
    for (const f of now) if (!was.has(f)) process.stdout.write(`  + ${f.slice(0, 400)}\n`);
  }
}
process.stdout.write(
  mode === '--out'
    ? `${files.length} files, ${findings} findings written to ${dir}\n`
    : `${files.length} files compared, ${differ} differ; ${findings} findings; strings made ${stringsBefore} before, ${stringsAfter} now\n`,
);
process.exit(differ > 0 ? 1 : 0);
