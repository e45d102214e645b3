/**
 * One benchmark run in its own process: scans FILE with `leakdex scan` itself (the CLI's main(), its modules loaded as
 * bin/leakdex.js loads them, the JSON report written to a temporary file) and prints figures as JSON. With
 * `--parallelism N` the scan is made by scanFileIsolated with N workers instead (the CLI has no such option).
 */
import { performance } from 'node:perf_hooks';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { prespawnWorker } from '../src/pipeline/spare.js';
import type { Report } from '../src/report/types.js';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: bench-one FILE [--parallelism N]\n');
  process.exit(2);
}
const workers = process.argv[3] === '--parallelism' ? Number(process.argv[4]) : undefined;

// As bin/leakdex.js does: the worker starts before the rest of the CLI is loaded.
prespawnWorker();
const t0 = performance.now();
let report: Report;
if (workers === undefined) {
  const { main } = await import('../src/cli/main.js');
  const dir = mkdtempSync(join(tmpdir(), 'leakdex-bench-'));
  try {
    const out = join(dir, 'report.json');
    let said = '';
    const err = new Writable({ write: (chunk, _enc, done) => ((said += String(chunk)), done()) });
    const code = await main(['scan', file, '--format', 'json', '--output', out, '--quiet', '--fail-on', 'none'], new Writable({ write: (_c, _e, done) => done() }), err);
    // Any verdict will do (an incomplete scan exits non-zero whatever --fail-on says); no report is a failure.
    if (!existsSync(out)) throw new Error(`leakdex scan ${file} exited with ${code} and wrote no report: ${said.trim()}`);
    report = JSON.parse(readFileSync(out, 'utf8')) as Report;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  const { scanFileIsolated } = await import('../src/pipeline/run.js');
  report = await scanFileIsolated(file, { parallelism: workers });
}
const scanMs = performance.now() - t0;
process.stdout.write(
  JSON.stringify({
    scanMs,
    maxRssMb: process.resourceUsage().maxRSS / 1024 + (report.stats.workersPeakRssMb ?? 0),
    parentRssMb: process.resourceUsage().maxRSS / 1024,
    strings: report.stats.strings,
    bytesInflated: report.stats.bytesInflated,
    findings: report.findings.length,
    stages: report.stats.stages,
  }) + '\n',
);
