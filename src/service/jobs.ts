import { EventEmitter } from 'node:events';
import { mkdir, rm } from 'node:fs/promises';
import { availableParallelism, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import { MAX_PARALLELISM, PARALLEL_MIN_BYTES, type IsolatedScanOptions } from '../pipeline/run.js';
import type { Report } from '../report/types.js';
import type { ScanCompletion, ScanRecord, Store } from '../store/types.js';
import type { FindingKeys } from './crypto.js';
import type { Metrics } from './metrics.js';
import { Pool } from './pool.js';
import { prepareCompletion } from './results.js';
import type { SupervisedScanOptions } from './scan-supervisor.js';
import { ScanThread } from './scan-thread.js';
import { FeedService } from './feeds.js';
import { scanBudgetMs } from './budget.js';
import type { JobQueue, ScanJobData } from './queue.js';
import { BlobNotFoundError, type BlobStore } from '../blobs/types.js';
import { LocalBlobStore } from '../blobs/local.js';
import { removeUploadOf, uploadInput } from './uploads.js';
import { ServiceVerifier, type CompletionWithValues } from './verification.js';

/**
 * Runs one scan in this thread (tests wrap scanFileIsolated with one). Without one, the runner scans in its
 * supervisor thread (src/service/scan-thread.ts), off the thread that answers HTTP requests.
 */
export type ScanFn = (path: string, opts: IsolatedScanOptions) => Promise<Report>;

/** The little logging the runner does (a pino logger fits). */
export interface RunnerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Extra time the pool allows past the pipeline's own scan timeout before it gives up on a scan. */
const TIMEOUT_GRACE_MS = 5_000;
/** Longest interval between two heartbeats of a running scan, ms. */
const MAX_HEARTBEAT_MS = 2_000;

export interface RunnerOptions {
  store: Store;
  config: Config;
  keys: FindingKeys;
  metrics: Metrics;
  log: RunnerLog;
  scan?: ScanFn;
  /** The scan thread to use when no `scan` is given (shared with the upload path); one of its own otherwise. */
  thread?: ScanThread;
  /** Where uploads wait for their scan (src/blobs); the data directory when absent. */
  blobs?: BlobStore;
  /** PostgreSQL mode: scans come from pg-boss (src/service/queue.ts) instead of the store's own queue. */
  queue?: JobQueue;
}

/** How often a PostgreSQL-mode runner queues again scans the store has as queued but no job holds (a node died between the two writes), ms. */
const RECONCILE_MS = 60_000;
/** A queued scan this old with no job is queued again, ms (younger ones may be between their row and their job). */
const RECONCILE_AGE_MS = 30_000;
/** Most scans queued again by one reconciling pass. */
const RECONCILE_BATCH = 1_000;

/** Thrown by a scan job's handler when its worker stops mid-scan: pg-boss fails the job, and it is retried elsewhere. */
class HandedBack extends Error {
  override name = 'HandedBack';
}

/** A process's identity as a runner: host, pid and a random part (a restarted process never reuses one). */
function runnerId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

const seconds = (ms: number) => `${ms < 10_000 ? Math.round(ms / 100) / 10 : Math.round(ms / 1000)} s`;

/** How a scan's time budget is made, for messages. */
function budgetText(l: Config['limits']): string {
  return `${seconds(l.scanBudgetBaseMs)} + ${seconds(l.scanBudgetMsPerMb)} per MiB, at most ${seconds(l.scanTimeoutMs)}`;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The job queue lives in the store: a runner claims the oldest queued scan (or one whose runner stopped
 * heartbeating), scans it in the pool, and writes the outcome. Several runners (serve, `leakdex worker`) can share
 * one database. Emits `finished` (scan id) after each scan this runner ends.
 */
export class JobRunner extends EventEmitter {
  readonly id = runnerId();
  /** Where uploads wait for their scan. */
  readonly blobs: BlobStore;
  /** PostgreSQL mode: the job queue scans come from. */
  readonly queue: JobQueue | undefined;
  private readonly pool: Pool;
  private readonly scan: ScanFn | undefined;
  private readonly thread: ScanThread | undefined;
  private readonly ownThread: boolean;
  private readonly verifier: ServiceVerifier;
  /** Known-compromised matching of each finished scan's findings (src/service/feeds.ts). */
  private readonly feeds: FeedService;
  private readonly active = new Set<string>();
  private stopping = false;
  private wake: (() => void) | undefined;
  private loopDone: Promise<void> | undefined;
  /** PostgreSQL mode: pg-boss workers are registered. */
  private working = false;
  /** PostgreSQL mode: told to stop; no new job is taken (readiness answers 503). */
  private draining = false;
  private reconciler: NodeJS.Timeout | undefined;
  /** Where uploads fetched from a remote blob store are put while they are scanned. */
  private readonly scratch = join(tmpdir(), `leakdex-scans-${process.pid}`);

  constructor(private readonly opts: RunnerOptions) {
    super();
    // Every request waiting on a scan (`?wait=`) listens for `finished`.
    this.setMaxListeners(0);
    this.pool = new Pool(opts.config.jobs.concurrency);
    this.blobs = opts.blobs ?? new LocalBlobStore(opts.config.dataDir);
    this.queue = opts.queue;
    this.scan = opts.scan;
    this.thread = opts.scan ? undefined : (opts.thread ?? new ScanThread());
    this.ownThread = !opts.scan && !opts.thread;
    this.verifier = new ServiceVerifier(opts.store, opts.config);
    this.feeds = new FeedService({ store: opts.store, keys: opts.keys, log: opts.log });
  }

  /** Scans running in this process. */
  get running(): number {
    return this.active.size;
  }

  get concurrency(): number {
    return this.pool.concurrency;
  }

  /** True while the claim loop runs (PostgreSQL mode: while the queue's workers are registered). */
  get healthy(): boolean {
    return (this.loopDone !== undefined || this.working) && !this.stopping && !this.draining;
  }

  /**
   * SQLite: requeues scans left running by dead processes on this host, then starts claiming from the store.
   * PostgreSQL: registers pg-boss workers for scan jobs and dead-lettered scans (a dead process's job is retried by
   * pg-boss once it expires), and queues again any queued scan that no job holds.
   */
  async start(): Promise<void> {
    const queue = this.opts.queue;
    this.keepSpare();
    if (!queue) {
      await this.recover();
      this.loopDone = this.loop();
      return;
    }
    await this.reconcile();
    await queue.workScans(this.pool.concurrency, (job) => this.runJob(job.data, job.retryCount));
    await queue.workDeadScans((job) => this.abandon(job.data));
    this.working = true;
    this.reconciler = setInterval(() => void this.reconcile(), RECONCILE_MS);
    this.reconciler.unref();
  }

  /** Looks for work now (after an upload). */
  notify(): void {
    this.wake?.();
  }

  /**
   * Stops claiming and hands the scans in progress back to the queue, so a restart or another runner finishes them.
   * PostgreSQL mode drains first: no new job is taken, scans in progress get `jobs.drainMs` to end, and the rest are
   * stopped and their jobs failed, to be retried by another worker (never lost: a job left active expires).
   */
  async stop(): Promise<void> {
    if (this.opts.queue) return this.drain(this.opts.queue);
    this.stopping = true;
    this.notify();
    await this.loopDone;
    for (const id of this.active) await this.opts.store.requeueScan(id, this.id).catch(() => false);
    if (this.ownThread) await this.thread?.close();
  }

  private async drain(queue: JobQueue): Promise<void> {
    this.draining = true;
    clearInterval(this.reconciler);
    await queue.stopWorking();
    const deadline = Date.now() + this.opts.config.jobs.drainMs;
    while (this.active.size > 0 && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, Math.min(250, deadline - Date.now())));
        this.once('finished', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (this.active.size > 0) this.opts.log.warn({ scans: [...this.active] }, 'handing scans in progress back to the queue');
    this.stopping = true;
    // Ends the scans still running (their worker processes lose their channel and exit); the thread restarts on use.
    await this.thread?.close();
    await queue.close(5_000);
    this.working = false;
  }

  /** One scan job (PostgreSQL mode): takes the scan over in the store, scans it, records the outcome. */
  private async runJob(data: ScanJobData, retries: number): Promise<void> {
    if (this.stopping) throw new HandedBack('the worker is stopping');
    const scan = await this.opts.store.startScan(data.scanId, this.id, Date.now(), this.opts.config.jobs.leaseMs);
    // Done, failed or deleted since it was queued: nothing left to do.
    if (!scan) return;
    if (retries > 0) this.opts.log.warn({ scanId: scan.id, attempt: scan.attempts, retries }, 'scan job retried');
    this.active.add(scan.id);
    try {
      await this.execute(scan);
    } finally {
      this.active.delete(scan.id);
      this.emit('finished', scan.id);
    }
    if (this.stopping && (await this.opts.store.requeueScan(scan.id, this.id))) throw new HandedBack('the worker stopped during the scan');
  }

  /** A scan whose every attempt failed or expired (dead-lettered by pg-boss): failed in the store, its upload removed. */
  private async abandon(data: ScanJobData): Promise<void> {
    const { store, config, metrics, log } = this.opts;
    const scan = await store.getScan(data.tenantId, data.scanId);
    if (!scan || (scan.status !== 'queued' && scan.status !== 'running')) return;
    const message = `scan abandoned after ${config.jobs.maxAttempts} attempts: its worker stopped, or ran out of time, during each one`;
    if (await store.failScan(scan.id, null, message, Date.now())) {
      metrics.scanFinished('failed', (Date.now() - (scan.startedAt ?? scan.createdAt)) / 1000, scan.size);
      log.warn({ scanId: scan.id, attempts: scan.attempts }, 'scan dead-lettered');
      await this.removeUpload(scan);
    }
  }

  /** Queues again the scans the store has as queued, for longer than a node takes to queue one, that no job holds. */
  private async reconcile(): Promise<void> {
    const queue = this.opts.queue;
    if (!queue || this.stopping) return;
    try {
      const stale = await this.opts.store.listQueuedBefore(Date.now() - RECONCILE_AGE_MS, RECONCILE_BATCH);
      for (const s of stale) await queue.enqueueScan(s, 0);
    } catch (e) {
      this.opts.log.error({ err: e instanceof Error ? e.message : String(e) }, 'queueing stale scans again failed');
    }
  }

  private async recover(): Promise<void> {
    const host = `${hostname()}:`;
    for (const scan of await this.opts.store.listRunning()) {
      if (!scan.runner?.startsWith(host)) continue;
      const pid = Number(scan.runner.slice(host.length).split(':')[0]);
      const dead = !Number.isInteger(pid) || pid === process.pid || !pidAlive(pid);
      if (dead && (await this.opts.store.requeueScan(scan.id, scan.runner))) this.opts.log.warn({ scanId: scan.id, runner: scan.runner }, 'requeued a scan left running by a stopped process');
    }
  }

  private async loop(): Promise<void> {
    const { store, config, log } = this.opts;
    while (!this.stopping) {
      while (!this.stopping && this.active.size < this.pool.concurrency) {
        let job: ScanRecord | undefined;
        try {
          job = await store.claimScan(this.id, Date.now(), config.jobs.leaseMs);
        } catch (e) {
          log.error({ err: e }, 'claiming a scan failed');
        }
        if (!job) break;
        this.active.add(job.id);
        void this.execute(job).finally(() => {
          this.active.delete(job.id);
          this.emit('finished', job.id);
          this.notify();
        });
      }
      if (this.stopping) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, config.jobs.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private async execute(job: ScanRecord): Promise<void> {
    const { store, config, keys, metrics, log } = this.opts;
    const started = performance.now();
    const fail = async (message: string) => {
      const ok = await store.failScan(job.id, this.id, message, Date.now());
      if (ok) {
        metrics.scanFinished('failed', (performance.now() - started) / 1000, job.size);
        log.warn({ scanId: job.id, error: message }, 'scan failed');
        await this.removeUpload(job);
      }
    };
    if (job.attempts > config.jobs.maxAttempts) {
      await fail(`scan abandoned after ${config.jobs.maxAttempts} attempts: the service stopped during each one`);
      return;
    }
    let input: { path: string; fetched: boolean };
    try {
      input = await this.fetchUpload(job);
    } catch (e) {
      if (e instanceof BlobNotFoundError) {
        await fail('the uploaded file is missing from the blob store');
        return;
      }
      // PostgreSQL mode: the job fails and pg-boss retries it (the blob store may answer again). The store's own
      // queue has no such retry, and nothing above this call would catch the error: the scan fails with it.
      if (this.queue) throw e;
      await fail(`the upload could not be read: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    log.info({ scanId: job.id, attempt: job.attempts, size: job.size }, 'scan started');
    let entriesDone = 0;
    let lost = false;
    const beat = setInterval(
      () => {
        if (this.stopping) return;
        store.heartbeat(job.id, this.id, Date.now() + config.jobs.leaseMs, entriesDone).then(
          (owned) => {
            if (!owned) lost = true;
          },
          (e) => log.error({ err: e, scanId: job.id }, 'heartbeat failed'),
        );
      },
      Math.min(MAX_HEARTBEAT_MS, Math.floor(config.jobs.leaseMs / 3)),
    );
    const l = config.limits;
    const budgetMs = scanBudgetMs(l, job.size);
    try {
      // Fingerprints are keyed in the scan worker (with keys.fingerprint); raw values leave it only to be stored encrypted.
      const options: SupervisedScanOptions = {
        // Values leave the scan worker only to be stored encrypted, or to be verified (then dropped unless stored).
        showSecrets: keys.encryption !== undefined || job.verify,
        displayPath: job.filename,
        // Hashed while it was uploaded: not read again here.
        sha256: job.sha256,
        parallelism: this.parallelismFor(job.size),
        entryTimeoutMs: l.entryTimeoutMs,
        limits: {
          maxArtifactBytes: l.maxUploadBytes,
          maxEntries: l.maxEntries,
          maxEntryBytes: l.maxEntryBytes,
          maxTotalBytes: l.maxTotalBytes,
          maxNestingDepth: l.maxNestingDepth,
          workerHeapMb: l.workerHeapMb,
          ...(l.workerRssMb === undefined ? {} : { workerRssMb: l.workerRssMb }),
          scanTimeoutMs: budgetMs,
        },
      };
      let completion: ScanCompletion;
      try {
        const scanned = await this.pool.run(async (): Promise<CompletionWithValues> => {
          if (this.thread) return this.thread.scan(input.path, options, keys, job.filename, (n) => (entriesDone += n), job.verify);
          const report = await this.scan!(input.path, { ...options, fingerprintKey: keys.fingerprint, onEntry: () => void entriesDone++ });
          const c: CompletionWithValues = prepareCompletion(report, keys, job.filename);
          if (job.verify) c.values = report.findings.filter((f) => f.secret !== undefined).map((f) => [f.fingerprint, f.secret!]);
          return c;
        }, budgetMs + TIMEOUT_GRACE_MS);
        // Verification waits on providers (their rate limits included), not on the file: outside the scan's time budget.
        completion = scanned;
        if (job.verify) {
          try {
            completion = await this.verifier.verifyCompletion(scanned, keys, job.filename);
          } catch (e) {
            // The scan stands without its verification (each check's own failures are results; this is the pass failing).
            log.error({ err: e instanceof Error ? e.message : String(e), scanId: job.id }, 'verification failed; the scan is stored unverified');
          }
        }
        delete (completion as CompletionWithValues).values;
        delete scanned.values;
      } catch (e) {
        if (this.stopping || lost) return;
        const elapsed = performance.now() - started;
        const message =
          elapsed >= budgetMs
            ? `timed out after ${seconds(budgetMs)}, the time budget of this upload (${budgetText(l)}); an app that needs longer is likely an archive bomb`
            : (e instanceof Error ? e.message : String(e)).split(input.path).join(job.filename);
        await fail(`scan failed: ${message}`);
        return;
      }
      if (this.stopping || lost) return;
      const done = await store.completeScan(job.id, this.id, completion, Date.now());
      if (!done) return;
      metrics.scanFinished('done', (performance.now() - started) / 1000, job.size, completion.findings.map((f) => f.severity));
      log.info({ scanId: job.id, findings: completion.summary.findings, rating: completion.rating, ms: Math.round(performance.now() - started) }, 'scan done');
      await this.removeUpload(job);
      if (completion.findings.length) await this.feeds.match(job.tenantId).catch((e: unknown) => log.error({ err: e, scanId: job.id }, 'matching known-compromised feeds failed'));
    } catch (e) {
      log.error({ err: e, scanId: job.id }, 'recording a scan outcome failed');
    } finally {
      clearInterval(beat);
      if (input.fetched) await rm(input.path, { force: true }).catch(() => {});
      this.keepSpare();
    }
  }

  /** The upload as a local file: the blob itself (local store, or a path stored before blobs), or a fetched copy. */
  private async fetchUpload(job: ScanRecord): Promise<{ path: string; fetched: boolean }> {
    const where = uploadInput(this.blobs, job.uploadPath);
    if (!where) throw new BlobNotFoundError(String(job.uploadPath));
    if (where.path) return { path: where.path, fetched: false };
    await mkdir(this.scratch, { recursive: true, mode: 0o700 });
    const path = join(this.scratch, `${job.id}.upload`);
    try {
      await this.blobs.getToFile(where.key!, path);
    } catch (e) {
      await rm(path, { force: true }).catch(() => {});
      throw e;
    }
    return { path, fetched: true };
  }

  /**
   * Keeps one scan worker started and loaded (about 50 MB) for the next job, so a scan does not wait for a process
   * start and module loading (about 0.3 s here) before it reads its first entry.
   */
  private keepSpare(): void {
    if (!this.stopping) this.thread?.prespawn(this.opts.config.limits.workerHeapMb);
  }

  /** Worker processes for one scan: large files share the cores left by the other scans running here. */
  private parallelismFor(size: number): number {
    if (size < PARALLEL_MIN_BYTES) return 1;
    return Math.max(1, Math.min(MAX_PARALLELISM, Math.floor(availableParallelism() / Math.max(1, this.active.size))));
  }

  private async removeUpload(job: ScanRecord): Promise<void> {
    if (this.opts.config.jobs.keepUploads) return;
    await removeUploadOf(this.blobs, job.uploadPath).catch((e: unknown) => this.opts.log.warn({ scanId: job.id, err: e instanceof Error ? e.message : String(e) }, 'removing an upload failed'));
  }
}
