/**
 * `npm run bench:service -- --workers 1,2`: end-to-end throughput of the scale-out shape on this machine (one
 * `serve --no-jobs`, N `leakdex worker` processes splitting the cores, PostgreSQL for the store, the pg-boss queue and
 * the uploads), and the queue's own cost per job. Rounds alternate the worker counts; each keeps its best round.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { parallel } from './parallel.js';

const CLI_JS = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const DATABASE_URL = process.env.LEAKDEX_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Empty jobs sent and worked to measure the queue's cost per job. */
const OVERHEAD_JOBS = 500;

interface Proc {
  child: ChildProcess;
  text: () => string;
}

function start(args: string[], env: Record<string, string>, ready: RegExp): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_JS, ...args], { env: { ...process.env, LOG_LEVEL: 'info', LEAKDEX_RATE_LIMIT: '1000000', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not start:\n${text}`)), 60_000);
    const on = (d: Buffer) => {
      text += String(d);
      if (ready.test(text)) {
        clearTimeout(timer);
        resolve({ child, text: () => text });
      }
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.on('exit', (code) => reject(new Error(`${args[0]} exited ${code}:\n${text}`)));
  });
}

async function stop(p: Proc): Promise<void> {
  if (p.child.exitCode !== null) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGTERM');
  await exited;
}

/** One measured run: a fresh schema, the API node and `workers` workers; seconds from the first upload to the last scan's end. */
async function clusterRun(files: string[], workers: number, clients: number): Promise<{ seconds: number; failed: number }> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'leakdex-bench-cluster-'));
    dirs.push(d);
    return d;
  };
  const env = { DATABASE_URL, LEAKDEX_DATABASE_SCHEMA: schema, LEAKDEX_BLOBS: 'postgres', LEAKDEX_FINGERPRINT_KEY: randomBytes(32).toString('hex') };
  const procs: Proc[] = [];
  try {
    const api = await start(['serve', '--no-jobs'], { ...env, LEAKDEX_DATA_DIR: dir(), PORT: '0', HOST: '127.0.0.1' }, /leakdex service listening/);
    procs.push(api);
    const key = /(ldx_[0-9a-f]{16}_[A-Za-z0-9_-]{43})/.exec(api.text())![1]!;
    const url = /"url":"(http:\/\/[^"]+)"/.exec(api.text())![1]!;
    // The cores are split between the workers: N workers scan as many files at once as one worker would.
    const each = Math.max(1, Math.floor(availableParallelism() / workers));
    for (let i = 0; i < workers; i++) procs.push(await start(['worker', '--concurrency', String(each)], { ...env, LEAKDEX_DATA_DIR: dir() }, /leakdex worker running/));
    const h = { authorization: `Bearer ${key}` };
    const upload = async (f: string, name: string, query = 'force=true') => {
      const form = new FormData();
      form.append('file', new Blob([readFileSync(f)]), name);
      const res = await fetch(`${url}/v1/scans?${query}`, { method: 'POST', body: form, headers: h });
      if (res.status !== 202 && res.status !== 200) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { id: string }).id;
    };
    // Warm-up, not measured: one scan through every worker's first job is not guaranteed, but each process has loaded.
    const warm = await upload(files[0]!, 'warm-up.apk');
    await (await fetch(`${url}/v1/scans/${warm}?wait=120`, { headers: h })).arrayBuffer();
    const t0 = performance.now();
    const ids: string[] = [];
    await parallel(files, clients, async (f, i) => void ids.push(await upload(f, `bench-${i}.apk`)));
    let failed = 0;
    await parallel(ids, clients, async (id) => {
      for (;;) {
        const scan = (await (await fetch(`${url}/v1/scans/${id}?wait=600`, { headers: h })).json()) as { status: string };
        if (scan.status === 'done' || scan.status === 'failed') {
          if (scan.status === 'failed') failed++;
          return;
        }
      }
    });
    return { seconds: (performance.now() - t0) / 1000, failed };
  } finally {
    for (const p of procs.reverse()) await stop(p).catch(() => {});
    const db = new pg.Client({ connectionString: DATABASE_URL });
    await db.connect();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.query(`DROP SCHEMA IF EXISTS "${schema}_jobs" CASCADE`);
    await db.end();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

/** The queue's cost per job: pg-boss send, then fetch and complete by one worker loop (notified after each job, as the scan workers are). */
async function queueOverhead(): Promise<{ sendMs: number; roundMs: number }> {
  const schema = `bench_q_${randomBytes(4).toString('hex')}`;
  const boss = new PgBoss({ connectionString: DATABASE_URL, schema, max: 4, supervise: false, schedule: false });
  boss.on('error', () => {});
  await boss.start();
  try {
    await boss.createQueue('bench', { name: 'bench', policy: 'standard' });
    let t0 = performance.now();
    for (let i = 0; i < OVERHEAD_JOBS; i++) await boss.send('bench', { i }, { priority: -i });
    const sendMs = (performance.now() - t0) / OVERHEAD_JOBS;
    let done = 0;
    let finish!: () => void;
    const all = new Promise<void>((r) => (finish = r));
    t0 = performance.now();
    const worker: { id?: string } = {};
    worker.id = await boss.work('bench', { batchSize: 1, pollingIntervalSeconds: 0.5 }, async () => {
      if (++done === OVERHEAD_JOBS) finish();
      if (worker.id) boss.notifyWorker(worker.id);
    });
    await all;
    return { sendMs, roundMs: (performance.now() - t0) / OVERHEAD_JOBS };
  } finally {
    await boss.stop({ graceful: false, wait: true, timeout: 2000 }).catch(() => {});
    const db = new pg.Client({ connectionString: DATABASE_URL });
    await db.connect();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.end();
  }
}

export async function benchCluster(o: { n: number; clients: number; rounds: number; workers: number[]; files: string[] }): Promise<void> {
  const sources = o.files.length ? o.files : readdirSync('samples/android').filter((f) => f.endsWith('.apk')).map((f) => join('samples/android', f));
  const files = Array.from({ length: o.n }, (_, i) => sources[i % sources.length]!);
  const bytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
  const cores = availableParallelism();
  console.log(`leakdex cluster bench: ${o.n} uploads of ${sources.length} file(s), ${(bytes / 1024 ** 2).toFixed(1)} MiB in all, ${cores} cores, ${o.clients} clients; PostgreSQL store, pg-boss queue, uploads as large objects`);
  const best = new Map<number, number>();
  for (let round = 1; round <= o.rounds; round++) {
    for (const w of o.workers) {
      const r = await clusterRun(files, w, o.clients);
      if (r.failed) process.exitCode = 1;
      console.log(`round ${round}, ${w} worker(s) x ${Math.max(1, Math.floor(cores / w))} scans: ${(o.n / r.seconds).toFixed(2)} scans/s (${r.seconds.toFixed(1)} s, ${r.failed} failed)`);
      best.set(w, Math.min(best.get(w) ?? Infinity, r.seconds));
    }
  }
  for (const [w, s] of best) console.log(`${w} worker process(es): ${(o.n / s).toFixed(2)} scans/s end to end (best of ${o.rounds})`);
  const q = await queueOverhead();
  console.log(`queue overhead per job (pg-boss, ${OVERHEAD_JOBS} empty jobs): send ${q.sendMs.toFixed(2)} ms, fetch + complete ${q.roundMs.toFixed(2)} ms`);
}
