/**
 * `npm run bench:service`: the service's scan throughput against the CLI on the same files, and GET latency while
 * scans run. Usage: node dist/tools/bench-service.js [--n 40] [--concurrency 20] [--rounds 1] [FILE...]
 * With several rounds the modes alternate and each keeps its best round, so a burst of load elsewhere on the
 * machine does not decide the comparison.
 *
 * `--workers 1,2` measures the scale-out shape instead (tools/bench-cluster.ts): PostgreSQL (LEAKDEX_BENCH_DATABASE_URL,
 * default the local server), one `serve --no-jobs` and N `leakdex worker` processes sharing the cores, uploads in
 * PostgreSQL large objects; and the queue's own cost per job (pg-boss send, fetch and complete of an empty job).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { scanFileIsolated } from '../src/pipeline/run.js';
import { parallel } from './parallel.js';

const CLI_JS = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
/** Clients polling GET routes while the scans run, and the pause between two requests of one client, ms. */
const GET_CLIENTS = 4;
const GET_PAUSE_MS = 50;
const TARGET_THROUGHPUT_SHARE = 0.8;
const TARGET_P99_MS = 50;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function runCli(file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_JS, 'scan', file, '--format', 'json', '--fail-on', 'none'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`leakdex scan ${file} exited ${code}: ${err}`))));
  });
}

function startService(dataDir: string, concurrency: number): Promise<{ child: ChildProcess; url: string; key: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(process.env.LEAKDEX_BENCH_SERVER_FLAGS ?? '').split(' ').filter(Boolean), CLI_JS, 'serve'], {
      env: { ...process.env, LEAKDEX_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LEAKDEX_CONCURRENCY: String(concurrency), LOG_LEVEL: 'warn', LEAKDEX_RATE_LIMIT: '1000000' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout!.on('data', (d) => {
      text += String(d);
      const key = /(ldx_[0-9a-f]{16}_[A-Za-z0-9_-]{43})/.exec(text)?.[1];
      const url = /curl .* "(http:\/\/[^/]+)\/v1\/scans/.exec(text)?.[1];
      if (key && url) resolve({ child, url, key });
    });
    child.on('exit', (code) => reject(new Error(`service exited with ${code}`)));
  });
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { n: { type: 'string', default: '40' }, concurrency: { type: 'string', default: '20' }, rounds: { type: 'string', default: '1' }, 'service-only': { type: 'boolean', default: false }, workers: { type: 'string' } },
    allowPositionals: true,
  });
  if (values.workers !== undefined) {
    const { benchCluster } = await import('./bench-cluster.js');
    return benchCluster({ n: Number(values.n), clients: Number(values.concurrency), rounds: Math.max(1, Number(values.rounds)), workers: values.workers.split(',').map(Number), files: positionals });
  }
  const n = Number(values.n);
  const clientConcurrency = Number(values.concurrency);
  const cores = availableParallelism();
  const sources = positionals.length ? positionals : readdirSync('samples/android').filter((f) => f.endsWith('.apk')).map((f) => join('samples/android', f));
  const files = Array.from({ length: n }, (_, i) => sources[i % sources.length]!);
  const bytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
  console.log(`leakdex service bench: ${n} uploads of ${sources.length} file(s), ${(bytes / 1024 ** 2).toFixed(1)} MiB in all, ${cores} cores, ${clientConcurrency} concurrent clients`);

  const rounds = Math.max(1, Number(values.rounds));
  let cliSeconds = Infinity;
  let engineSeconds = Infinity;
  let best: ServiceRun | undefined;
  const serviceOnly = values['service-only'];
  for (let round = 1; round <= rounds; round++) {
    let cli = NaN;
    let engine = NaN;
    if (!serviceOnly) {
      let t0 = performance.now();
      await parallel(files, cores, (f) => runCli(f));
      cli = (performance.now() - t0) / 1000;
      cliSeconds = Math.min(cliSeconds, cli);
      t0 = performance.now();
      await parallel(files, cores, async (f) => {
        await scanFileIsolated(f);
      });
      engine = (performance.now() - t0) / 1000;
      engineSeconds = Math.min(engineSeconds, engine);
    }
    const run = await serviceRun(files, cores, clientConcurrency);
    console.log(`round ${round}: ${serviceOnly ? '' : `CLI ${(n / cli).toFixed(2)} scans/s, engine ${(n / engine).toFixed(2)} scans/s, `}service ${(n / run.seconds).toFixed(2)} scans/s, GET p99 ${percentile(run.latencies, 99).toFixed(1)} ms`);
    if (!best || run.seconds < best.seconds) best = run;
  }
  const run = best!;
  const throughput = n / run.seconds;
  const share = throughput / (n / cliSeconds);
  const p50 = percentile(run.latencies, 50);
  const p99 = percentile(run.latencies, 99);
  if (!serviceOnly) {
    console.log(`CLI    (leakdex scan, one process per file, ${cores} at once): ${(n / cliSeconds).toFixed(2)} scans/s (${cliSeconds.toFixed(1)} s)`);
    console.log(`engine (scanFileIsolated in one process, ${cores} at once): ${(n / engineSeconds).toFixed(2)} scans/s (${engineSeconds.toFixed(1)} s)`);
  }
  console.log(`service (upload + queue + scan, ${cores} scans at once): ${throughput.toFixed(2)} scans/s (${run.seconds.toFixed(1)} s; uploads took ${run.uploadSeconds.toFixed(1)} s; ${run.failed} failed)`);
  if (!serviceOnly) console.log(`        = ${(share * 100).toFixed(0)} % of the CLI, ${((throughput / (n / engineSeconds)) * 100).toFixed(0)} % of the in-process engine`);
  console.log(`GET latency during scans (${run.latencies.length} requests): p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${run.latencies.at(-1)?.toFixed(1)} ms`);
  const throughputTarget = serviceOnly ? '' : `throughput >= ${TARGET_THROUGHPUT_SHARE * 100} % of the CLI: ${share >= TARGET_THROUGHPUT_SHARE ? 'met' : 'MISSED'}; `;
  console.log(`targets: ${throughputTarget}GET p99 < ${TARGET_P99_MS} ms: ${p99 < TARGET_P99_MS ? 'met' : 'MISSED'}`);
  if (run.failed) process.exitCode = 1;
}

interface ServiceRun {
  seconds: number;
  uploadSeconds: number;
  failed: number;
  /** GET latencies measured while the scans ran, sorted, ms. */
  latencies: number[];
}

/** Starts a fresh service, uploads `files` with `clientConcurrency` clients, waits for every scan, probes GETs meanwhile. */
async function serviceRun(files: string[], cores: number, clientConcurrency: number): Promise<ServiceRun> {
  const dataDir = mkdtempSync(join(tmpdir(), 'leakdex-bench-'));
  const service = await startService(dataDir, cores);
  try {
    const h = { authorization: `Bearer ${service.key}` };
    const ids: string[] = [];
    const latencies: number[] = [];
    let scanning = true;
    const probe = async () => {
      while (scanning) {
        const url = ids.length && Math.random() < 0.7 ? `${service.url}/v1/scans/${ids[Math.floor(Math.random() * ids.length)]}` : `${service.url}/v1/apps`;
        const s = performance.now();
        const res = await fetch(url, { headers: h });
        await res.arrayBuffer();
        latencies.push(performance.now() - s);
        await new Promise((r) => setTimeout(r, GET_PAUSE_MS));
      }
    };
    // Warm-up, not measured: one scan end to end and each probed route once, so one-time costs (lazy schema
    // compilation, first module loads, JIT) stay out of the steady-state figures.
    // Both answers of an upload are warmed: 200 (it waited for the scan) and 202 (queued), each with its serializer.
    let warmScan: { id: string } | undefined;
    for (const query of ['force=true&wait=120', 'force=true']) {
      const warm = new FormData();
      warm.append('file', new Blob([readFileSync(files[0]!)]), 'warm-up.apk');
      warmScan = (await (await fetch(`${service.url}/v1/scans?${query}`, { method: 'POST', body: warm, headers: h })).json()) as { id: string };
      await (await fetch(`${service.url}/v1/scans/${warmScan.id}?wait=120`, { headers: h })).arrayBuffer();
    }
    for (const url of [`${service.url}/v1/scans/${warmScan!.id}`, `${service.url}/v1/apps`]) await (await fetch(url, { headers: h })).arrayBuffer();
    const t0 = performance.now();
    const probes = Array.from({ length: GET_CLIENTS }, probe);
    await parallel(files, clientConcurrency, async (f, i) => {
      const form = new FormData();
      form.append('file', new Blob([readFileSync(f)]), `bench-${i}.apk`);
      const res = await fetch(`${service.url}/v1/scans?force=true`, { method: 'POST', body: form, headers: h });
      if (res.status !== 202) throw new Error(`upload ${f} answered ${res.status}: ${await res.text()}`);
      ids.push(((await res.json()) as { id: string }).id);
    });
    const uploadSeconds = (performance.now() - t0) / 1000;
    let failed = 0;
    await parallel(ids, clientConcurrency, async (id) => {
      for (;;) {
        const res = await fetch(`${service.url}/v1/scans/${id}?wait=600`, { headers: h });
        const scan = (await res.json()) as { status: string };
        if (scan.status === 'done' || scan.status === 'failed') {
          if (scan.status === 'failed') failed++;
          return;
        }
      }
    });
    const seconds = (performance.now() - t0) / 1000;
    scanning = false;
    await Promise.all(probes);
    return { seconds, uploadSeconds, failed, latencies: latencies.sort((a, b) => a - b) };
  } finally {
    service.child.kill('SIGTERM');
    await new Promise((r) => service.child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
