/** One benchmark run in its own process: scans FILE exactly as `leakdex scan` does and prints figures as JSON. */
import { performance } from 'node:perf_hooks';
import { prespawnWorker } from '../src/pipeline/spare.js';

// As bin/leakdex.js does: the worker starts before the rest of the CLI is loaded.
prespawnWorker();
const { scanFileIsolated } = await import('../src/pipeline/run.js');

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: bench-one FILE\n');
  process.exit(2);
}
const t0 = performance.now();
// `--parallelism N` as the third argument: the number of scan workers (default: run.ts decides by size).
const workers = process.argv[3] === '--parallelism' ? Number(process.argv[4]) : undefined;
const report = await scanFileIsolated(file, workers === undefined ? {} : { parallelism: workers });
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
