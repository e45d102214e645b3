/**
 * Scale-out on real PostgreSQL, as it is deployed: one API process (`serve --no-jobs`) and two `leakdex worker`
 * processes, each with a data directory of its own (they share nothing but PostgreSQL: the queue is pg-boss, the
 * uploads are PostgreSQL large objects). 30 uploads; one worker is killed with SIGKILL in the middle of a scan;
 * every scan must still end `done` exactly once, the dead worker's job must be retried by the other worker, the sweep
 * schedule must fire once per slot across both workers, and no upload may be left in the blob store.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import t from 'tap';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { CLI, CLEAN_APK, LEAKY_APK, LEAKY_V2_APK } from '../helpers/files.js';
import { POSTGRES_MISSING, reachablePostgres, testNeeding } from '../helpers/postgres.js';
import { bootstrapKey, multipart, processLives, scanWorkerPids, spawnServer, type ServerProcess } from '../helpers/service.js';
import { JobQueue, queueSchema, QUEUES } from '../../src/service/queue.js';
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/server.js';
import { createApiKey } from '../../src/service/auth.js';
import { sink } from '../helpers/cli.js';
import { PostgresBlobStore } from '../../src/blobs/postgres.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { S3RVER_CREDENTIALS, startS3Server } from '../helpers/s3-server.js';
import { ORPHAN_AGE_MS, removeOrphanUploads, uploadKey } from '../../src/service/uploads.js';
import { Readable } from 'node:stream';

const pgUrl = await reachablePostgres();

const UPLOADS = 30;

/** A `leakdex worker` process and what it printed. */
interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
}

function spawnWorker(env: Record<string, string>): Promise<WorkerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'worker', '--concurrency', '1'], { env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${text}`)), 30_000);
    const onData = (d: Buffer) => {
      text += String(d);
      if (text.includes('leakdex worker running')) {
        clearTimeout(timer);
        resolve({ child, output: () => text });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`worker exited with ${code}:\n${text}`)));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

testNeeding('a cluster of one API process and two workers keeps its promises through a SIGKILL', pgUrl ? undefined : POSTGRES_MISSING, async (t) => {
  const schema = `cluster_${randomBytes(4).toString('hex')}`;
  const jobs = queueSchema(schema);
  const db = new pg.Client({ connectionString: pgUrl });
  await db.connect();
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  t.teardown(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await sleep(200);
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await db.query(`DROP SCHEMA IF EXISTS "${jobs}" CASCADE`).catch(() => {});
    await db.end();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'leakdex-cluster-'));
    dirs.push(d);
    return d;
  };
  // Short times, so that an expired job is seen within seconds (a scan of these samples takes well under a second;
  // the budget leaves room for a machine loaded by other suites).
  const configFile = join(dir(), 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({ jobs: { expireGraceMs: 3000, retryDelaySeconds: 1, maintenanceMs: 1000, cronMonitorMs: 1000, drainMs: 5000 }, limits: { scanBudgetBaseMs: 15000 } }),
  );
  const env = {
    DATABASE_URL: pgUrl!,
    LEAKDEX_DATABASE_SCHEMA: schema,
    LEAKDEX_BLOBS: 'postgres',
    LEAKDEX_CONFIG: configFile,
    LEAKDEX_FINGERPRINT_KEY: randomBytes(32).toString('hex'),
    LEAKDEX_SWEEP_CRON: '* * * * *',
  };
  // Each process has a data directory of its own: nothing but PostgreSQL is shared.
  const api: ServerProcess = await spawnServer(dir(), env, ['--no-jobs']);
  children.push(api.child);
  const key = bootstrapKey(api);
  const a = await spawnWorker({ ...env, LEAKDEX_DATA_DIR: dir(), LEAKDEX_HEALTH_PORT: '0' });
  children.push(a.child);
  // A worker's probes (docs/deployment.md): the process, and the store plus its registration with the queue.
  const probe = /"url":"(http:\/\/[^"]+)"[^\n]*worker health endpoint listening/.exec(a.output())![1]!;
  t.same(await (await fetch(`${probe}/healthz`)).json(), { status: 'ok' });
  const ready = await fetch(`${probe}/readyz`);
  t.equal(ready.status, 200);
  t.same(await ready.json(), { status: 'ready', store: true, workers: true });
  t.equal((await fetch(`${probe}/metrics`)).status, 404, 'nothing else is served');
  const b = await spawnWorker({ ...env, LEAKDEX_DATA_DIR: dir() });
  children.push(b.child);
  t.match(api.output(), /"concurrency":0/, 'the API process scans nothing itself');

  const samples = [LEAKY_APK, LEAKY_V2_APK, CLEAN_APK].map((p) => readFileSync(p));
  const ids: string[] = [];
  for (let i = 0; i < UPLOADS; i++) {
    const { payload, headers } = multipart(samples[i % samples.length]!, `app-${i}.apk`);
    const res = await fetch(`${api.url}/v1/scans?force=true`, { method: 'POST', headers: { ...headers, authorization: `Bearer ${key}` }, body: payload });
    t.equal(res.status, 202, `upload ${i} accepted`);
    ids.push(((await res.json()) as { id: string }).id);
  }
  t.equal(new Set(ids).size, UPLOADS, 'every upload is its own scan');

  /**
   * Freezes worker `pid` (SIGSTOP: it can neither finish its scan nor give it up) at a moment it holds a running
   * scan, and resolves with that scan's id; the caller signals the frozen worker, then continues or kills it.
   */
  const frozenWithScan = (name: string, pid: number) =>
    until(`worker ${name} to hold a running scan`, 60_000, async () => {
      process.kill(pid, 'SIGSTOP');
      const r = await db.query(`SELECT id FROM "${schema}".scans WHERE status = 'running' AND runner LIKE $1`, [`%:${pid}:%`]);
      if (r.rows[0]) return String(r.rows[0].id);
      process.kill(pid, 'SIGCONT');
      await sleep(20);
      return undefined;
    });

  // Freeze worker A while it holds a running scan, then kill it.
  const aPid = a.child.pid!;
  const victim = await frozenWithScan('A', aPid);
  const aScanWorkers = scanWorkerPids(aPid);
  process.kill(aPid, 'SIGKILL');
  await until('worker A to be gone', 5000, async () => !processLives(aPid));
  t.pass(`worker A killed with SIGKILL while scanning ${victim}`);

  const statuses = await until('every scan to end', 180_000, async () => {
    const r = await db.query(`SELECT status, COUNT(*)::int AS n FROM "${schema}".scans GROUP BY status`);
    const by = Object.fromEntries(r.rows.map((x) => [x.status, x.n]));
    return (by.queued ?? 0) + (by.running ?? 0) === 0 ? by : undefined;
  });
  const errors = (await db.query(`SELECT error FROM "${schema}".scans WHERE status = 'failed'`)).rows.map((r) => r.error);
  t.same(statuses, { done: UPLOADS }, `all ${UPLOADS} scans are done, none failed ${JSON.stringify(errors)}`);
  t.notOk(aScanWorkers.some(processLives), "the dead worker's scan processes ended too (their watchdog saw the parent go)");

  // The dead worker's scan: started twice, finished by worker B, its job retried once.
  const v = (await db.query(`SELECT attempts, status FROM "${schema}".scans WHERE id = $1`, [victim])).rows[0];
  t.match(v, { attempts: 2, status: 'done' }, 'the interrupted scan was started again and finished');
  // pg-boss marks a job completed after its handler returns, which is after the handler has marked the scan done.
  const job = await until('the retried job to leave the active state', 15_000, async () => {
    const row = (await db.query(`SELECT state::text AS state, retry_count FROM "${jobs}".job WHERE name = $1 AND id = $2`, [QUEUES.scan, victim])).rows[0];
    return row !== undefined && row.state !== 'active' ? row : undefined;
  });
  t.match(job, { state: 'completed', retry_count: 1 }, 'its pg-boss job expired, was retried once and completed');
  t.match(b.output(), new RegExp(`"scanId":"${victim}"[^\\n]*scan job retried`), 'worker B logged taking over the retried job');
  const retried = Number((await db.query(`SELECT COUNT(*)::int AS n FROM "${jobs}".job WHERE name = $1 AND retry_count > 0`, [QUEUES.scan])).rows[0].n);
  t.equal(retried, 1, 'no other scan job was retried');
  t.equal(Number((await db.query(`SELECT COUNT(*)::int AS n FROM "${jobs}".job WHERE name = $1`, [QUEUES.scanDead])).rows[0].n), 0, 'nothing was dead-lettered');

  // Exactly once: one report per scan; each version holds exactly the findings of the scan that last wrote it (a
  // version scanned again replaces its findings), no finding twice.
  const reports = await db.query(`SELECT scan_id, COUNT(*)::int AS n FROM "${schema}".reports GROUP BY scan_id`);
  t.equal(reports.rows.length, UPLOADS, 'a report for every scan');
  t.ok(reports.rows.every((r) => r.n === 1), 'and only one');
  const dup = await db.query(`SELECT version_id, fingerprint FROM "${schema}".findings GROUP BY version_id, fingerprint HAVING COUNT(*) > 1`);
  t.equal(dup.rows.length, 0, 'no finding is stored twice for a version');
  const counts = await db.query(
    `SELECT v.id, v.findings AS reported, (SELECT COUNT(*)::int FROM "${schema}".findings f WHERE f.version_id = v.id AND f.scan_id = v.scan_id) AS stored,
       (SELECT COUNT(*)::int FROM "${schema}".findings f WHERE f.version_id = v.id) AS total FROM "${schema}".versions v`,
  );
  t.ok(counts.rows.length >= 2, 'the samples are several versions');
  t.equal(counts.rows.filter((r) => r.reported !== r.stored || r.stored !== r.total).length, 0, "every version holds exactly its latest scan's findings");
  t.ok(counts.rows.some((r) => r.reported > 0), 'the leaky samples have findings');
  const doneJobs = Number((await db.query(`SELECT COUNT(*)::int AS n FROM "${jobs}".job WHERE name = $1 AND state = 'completed'`, [QUEUES.scan])).rows[0].n);
  t.equal(doneJobs, UPLOADS, 'one completed job per upload');

  // No orphaned upload: every blob was removed once its scan ended (a scan is done, then its upload is removed).
  const blobsLeft = () => db.query(`SELECT COUNT(*)::int AS n FROM "${schema}".blobs`).then((r) => Number(r.rows[0].n));
  await until('the uploads to be removed', 10_000, async () => (await blobsLeft()) === 0).catch(() => {});
  t.equal(await blobsLeft(), 0, 'the blob store holds no upload after the scans');

  // The sweep schedule: fired, and never twice for one minute, although both workers take part in firing it.
  await until('a sweep to run', 90_000, async () => {
    const r = await db.query(`SELECT COUNT(*)::int AS n FROM "${jobs}".job WHERE name = $1 AND state = 'completed'`, [QUEUES.sweep]);
    return r.rows[0].n > 0;
  });
  // pg-boss fires a schedule through its internal send-it queue, one job per minute slot (its singleton); each makes
  // the sweep job. Minutes of creation are no measure: a slot fired late in its minute makes its job in the next one.
  const slots = await db.query(`SELECT singleton_on, COUNT(*)::int AS n FROM "${jobs}".job WHERE name = '__pgboss__send-it' AND singleton_key = $1 GROUP BY 1`, [QUEUES.sweep]);
  t.ok(slots.rows.length >= 1, 'the schedule fired');
  t.same(
    slots.rows.filter((r) => r.n > 1),
    [],
    'one sweep job per minute across the cluster',
  );
  const made = Number((await db.query(`SELECT COUNT(*)::int AS n FROM "${jobs}".job WHERE name = $1`, [QUEUES.sweep])).rows[0].n);
  t.ok(made <= slots.rows.length, `no more sweep jobs (${made}) than minute slots fired (${slots.rows.length}), although both workers watch the schedule`);
  const swept = (b.output().match(/sweep done/g) ?? []).length + (a.output().match(/sweep done/g) ?? []).length;
  const sweepJobs = Number((await db.query(`SELECT COUNT(*)::int AS n FROM "${jobs}".job WHERE name = $1 AND state = 'completed'`, [QUEUES.sweep])).rows[0].n);
  t.equal(swept, sweepJobs, 'each sweep job ran once, on one worker');

  // The admin API lists the queue.
  const listed = await fetch(`${api.url}/v1/admin/jobs?queue=${QUEUES.scan}&limit=50`, { headers: { authorization: `Bearer ${key}` } });
  t.equal(listed.status, 200);
  const body = (await listed.json()) as { counts: Record<string, Record<string, number>>; jobs: { id: string; retryCount: number }[] };
  t.equal(body.counts[QUEUES.scan]!.completed, UPLOADS);
  t.equal(body.jobs.length, UPLOADS);
  t.equal(body.jobs.find((j) => j.id === victim)?.retryCount, 1);
  const metrics = await (await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${key}` } })).text();
  t.match(metrics, new RegExp(`leakdex_jobs\\{queue="${QUEUES.scan}",state="completed"\\} ${UPLOADS}`));
  t.match(metrics, new RegExp(`leakdex_jobs\\{queue="${QUEUES.scanDead}",state="created"\\} 0`));

  // Graceful drain: SIGTERM while a scan runs lets it finish within the drain time, and the worker exits 0.
  const more: string[] = [];
  for (let i = 0; i < 6; i++) {
    const { payload, headers } = multipart(samples[0]!, `more-${i}.apk`);
    const res = await fetch(`${api.url}/v1/scans?force=true`, { method: 'POST', headers: { ...headers, authorization: `Bearer ${key}` }, body: payload });
    more.push(((await res.json()) as { id: string }).id);
  }
  const bPid = b.child.pid!;
  // Frozen while it holds a running scan, so the SIGTERM lands while that scan is in progress.
  const draining = await frozenWithScan('B', bPid);
  const exited = new Promise<number | null>((resolve) => b.child.once('exit', (code) => resolve(code)));
  b.child.kill('SIGTERM');
  process.kill(bPid, 'SIGCONT');
  t.equal(await exited, 0, 'worker B drained and exited 0 on SIGTERM');
  t.match(b.output(), new RegExp(`"scanId":"${draining}"[^\\n]*"msg":"scan done"`), 'it finished the scan it was running when it was told to stop');
  t.match((await db.query(`SELECT attempts, status FROM "${schema}".scans WHERE id = $1`, [draining])).rows[0], { attempts: 1, status: 'done' }, 'in its one attempt');
  // A worker with no drain time hands its scan back at once: the job is failed and retried (no wait for expiry).
  const c = await spawnWorker({ ...env, LEAKDEX_DATA_DIR: dir(), LEAKDEX_DRAIN_MS: '0' });
  children.push(c.child);
  const cPid = c.child.pid!;
  const handed = await frozenWithScan('C', cPid);
  const cExited = new Promise<number | null>((resolve) => c.child.once('exit', (code) => resolve(code)));
  c.child.kill('SIGTERM');
  process.kill(cPid, 'SIGCONT');
  const termAt = Date.now();
  t.equal(await cExited, 0, 'worker C exited 0');
  t.match(c.output(), /handing scans in progress back to the queue/);
  const d = await spawnWorker({ ...env, LEAKDEX_DATA_DIR: dir() });
  children.push(d.child);
  await until('the last scans to end', 60_000, async () => {
    const r = await db.query(`SELECT COUNT(*)::int AS n FROM "${schema}".scans WHERE id = ANY($1) AND status = 'done'`, [more]);
    return r.rows[0].n === more.length;
  });
  const expireS = Number((await db.query(`SELECT EXTRACT(EPOCH FROM expire_in)::int AS s FROM "${jobs}".job WHERE id = $1`, [handed])).rows[0].s);
  // When its second attempt started (started_at is set by each attempt), not when the last of the others was done:
  // worker D runs them one after another, and on a loaded machine all six took 22.6 s.
  const startedAt = Number((await db.query(`SELECT started_at FROM "${schema}".scans WHERE id = $1`, [handed])).rows[0].started_at);
  t.ok(startedAt - termAt < expireS * 1000, `the handed-back scan started again before its job would have expired (${startedAt - termAt} ms < ${expireS} s)`);
  t.match((await db.query(`SELECT attempts FROM "${schema}".scans WHERE id = $1`, [handed])).rows[0], { attempts: 2 }, 'it was started again');
  t.match((await db.query(`SELECT retry_count FROM "${jobs}".job WHERE id = $1`, [handed])).rows[0], { retry_count: 1 }, 'its job was retried once');
  t.pass('the scans left by the stopped workers were finished by a new one');
  await until('the last uploads to be removed', 10_000, async () => (await blobsLeft()) === 0).catch(() => {});
  t.equal(await blobsLeft(), 0, 'and no upload is left');

  // Orphans: a blob whose scan row was never written, or whose ended scan failed to remove it, goes at the next sweep;
  // a queued scan's upload and a fresh blob stay.
  const store = new PostgresStore(pgUrl!, schema);
  const blobStore = new PostgresBlobStore({ connectionString: pgUrl!, schema });
  t.teardown(async () => {
    await blobStore.close();
    await store.close();
  });
  const tenant = (await store.ensureTenant('orphans')).id;
  const queuedId = '00000000-0000-4000-8000-000000000001';
  await store.insertScan({ id: queuedId, tenantId: tenant, sha256: 'b'.repeat(64), size: 3, filename: 'q.apk', uploadPath: uploadKey(queuedId), entriesTotal: 1, createdAt: Date.now() });
  const never = uploadKey('00000000-0000-4000-8000-000000000002');
  for (const k of [never, uploadKey(victim), uploadKey(queuedId)]) await blobStore.put(k, Readable.from([Buffer.from('abc')]), 3);
  t.equal(await removeOrphanUploads(blobStore, store, false), 0, 'nothing younger than the orphan age is touched');
  t.equal(await removeOrphanUploads(blobStore, store, false, Date.now() + ORPHAN_AGE_MS + 1000), 2, 'the blob with no scan and the ended scan\'s blob are removed');
  t.same((await blobStore.list('uploads/', 10)).map((b) => b.key), [uploadKey(queuedId)], "the queued scan's upload stays");
});

t.test('uploads in S3-compatible object storage (s3rver): stored at upload, fetched by the runner, removed after the scan', async (t) => {
  const s3 = await startS3Server({ bucket: 'leakdex-uploads' });
  t.teardown(() => s3.stop());
  const dataDir = mkdtempSync(join(tmpdir(), 'leakdex-s3-service-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const server = await spawnServer(dataDir, {
    LEAKDEX_BLOBS: 's3',
    LEAKDEX_S3_ENDPOINT: s3.endpoint,
    LEAKDEX_S3_BUCKET: s3.bucket,
    LEAKDEX_S3_REGION: s3.region,
    LEAKDEX_S3_PREFIX: 'leakdex',
    LEAKDEX_S3_FORCE_PATH_STYLE: '1',
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  });
  t.teardown(() => void server.child.kill('SIGKILL'));
  const key = bootstrapKey(server);
  const { payload, headers } = multipart(readFileSync(LEAKY_APK), 'leaky.apk');
  const res = await fetch(`${server.url}/v1/scans?wait=60`, { method: 'POST', headers: { ...headers, authorization: `Bearer ${key}` }, body: payload });
  const scan = (await res.json()) as { id: string; status: string; summary: { findings: number } };
  t.equal(scan.status, 'done');
  t.ok(scan.summary.findings > 0, 'the scan read the upload it fetched from the bucket');
  const objectPath = `/${s3.bucket}/leakdex/uploads/${scan.id}.upload`;
  await until('the upload to be removed', 10_000, async () => (await s3.requests()).some((r) => r.method === 'DELETE' && r.url.startsWith(objectPath)));
  const seen = (await s3.requests()).filter((r) => r.url.startsWith(objectPath)).map((r) => r.method);
  t.ok(seen.includes('PUT'), 'the API node put the upload in the bucket');
  t.ok(seen.includes('GET'), 'the runner fetched it from there');
  t.equal(seen.at(-1), 'DELETE', 'and it was deleted once the scan ended');
  t.same(readdirSync(join(dataDir, 'uploads')).filter((n) => !n.startsWith('.')), [], 'nothing waits in the data directory');
});

testNeeding("pg-boss queue: tenants take turns, one tenant's backlog does not hold another's first scan back", pgUrl ? undefined : POSTGRES_MISSING, async (t) => {
  const schema = `queue_${randomBytes(4).toString('hex')}`;
  const config = loadConfig({ env: { DATABASE_URL: pgUrl!, LEAKDEX_DATABASE_SCHEMA: schema, LEAKDEX_DATA_DIR: tmpdir() } });
  const queue = await JobQueue.open(config, { error: () => {}, warn: () => {} }, { schedule: false });
  t.teardown(async () => {
    await queue.close(1000);
    const db = new pg.Client({ connectionString: pgUrl });
    await db.connect();
    await db.query(`DROP SCHEMA IF EXISTS "${queueSchema(schema)}" CASCADE`);
    await db.end();
  });
  const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  // Tenant a queues three scans (each behind its earlier ones), then tenant b queues one.
  for (let i = 0; i < 3; i++) await queue.enqueueScan({ id: id(i), tenantId: 'a', size: 1000 }, i);
  await queue.enqueueScan({ id: id(9), tenantId: 'b', size: 1000 }, 0);
  await queue.enqueueScan({ id: id(0), tenantId: 'a', size: 1000 }, 0);
  const order: string[] = [];
  let all!: () => void;
  const done = new Promise<void>((r) => (all = r));
  await queue.workScans(1, async (job) => {
    order.push(`${job.data.tenantId}:${job.id.slice(-1)}`);
    if (order.length === 4) all();
  });
  await done;
  t.same(order, ['a:0', 'b:9', 'a:1', 'a:2'], "b's first scan runs second, not after all of a's");
  // pg-boss completes a job just after its handler returns.
  const completed = await until('the jobs to complete', 10_000, async () => ((await queue.counts())[QUEUES.scan]!.completed === 4 ? 4 : undefined)).catch(() => -1);
  t.equal(completed, 4, 'queueing a scan twice made one job');
  const jobs = await queue.list(QUEUES.scan, 10);
  t.equal(jobs.length, 4);
  t.ok(jobs.every((j) => j.state === 'completed' && j.retryCount === 0));
});

testNeeding('pg-boss queue: a scan whose every attempt expires is dead-lettered, failed with the reason, and listed', pgUrl ? undefined : POSTGRES_MISSING, async (t) => {
  const schema = `dead_${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'leakdex-dead-'));
  const config = loadConfig({
    env: { DATABASE_URL: pgUrl!, LEAKDEX_DATABASE_SCHEMA: schema, LEAKDEX_DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
    // One attempt; the job expires 2 s after it starts (a 1 s budget plus 1 s), before the runner's own timeout.
    overrides: { bootstrapKey: false, jobs: { maxAttempts: 1, expireGraceMs: 1000, maintenanceMs: 1000, concurrency: 1 }, limits: { scanBudgetBaseMs: 1000, scanBudgetMsPerMb: 0 } },
  });
  // A scan that never ends, as a worker stuck in a kernel call would be.
  const server = await startServer(config, { out: sink().stream, scan: () => new Promise(() => {}) });
  t.teardown(async () => {
    await server.close();
    const db = new pg.Client({ connectionString: pgUrl });
    await db.connect();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.query(`DROP SCHEMA IF EXISTS "${queueSchema(schema)}" CASCADE`);
    await db.end();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const { token } = await createApiKey(server.store, 'acme', ['read', 'write', 'admin']);
  const { payload, headers } = multipart(readFileSync(LEAKY_APK), 'stuck.apk');
  const res = await fetch(`${server.url}/v1/scans`, { method: 'POST', headers: { ...headers, authorization: `Bearer ${token}` }, body: payload });
  const { id } = (await res.json()) as { id: string };
  const scan = await until('the scan to fail', 30_000, async () => {
    const s = (await (await fetch(`${server.url}/v1/scans/${id}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { status: string; error: string };
    return s.status === 'failed' ? s : undefined;
  });
  t.match(scan.error, /scan abandoned after 1 attempts/, 'the scan fails with the reason');
  const listed = (await (await fetch(`${server.url}/v1/admin/jobs`, { headers: { authorization: `Bearer ${token}` } })).json()) as { jobs: { data: { scanId: string } }[]; counts: Record<string, Record<string, number>> };
  t.equal(listed.jobs.length, 1, 'the dead-lettered job is listed (the default listing)');
  t.equal(listed.jobs[0]?.data.scanId, id);
  t.equal(listed.counts[QUEUES.scan]!.failed, 1, 'the scan job itself ended failed');
  const metrics = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
  t.match(metrics, new RegExp(`leakdex_jobs\\{queue="${QUEUES.scanDead}",state="(created|active|completed)"\\} 1`), 'metrics count it');
  await until('the upload to be removed', 10_000, async () => (await server.backends.blobs.list('uploads/', 10)).length === 0).catch(() => {});
  t.same(await server.backends.blobs.list('uploads/', 10), [], 'its upload is removed');
});
