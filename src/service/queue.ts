/**
 * The job queue of the PostgreSQL (scale-out) mode: pg-boss 10, in its own schema of the same database. Scans,
 * marketplace sweeps and verification re-checks are pg-boss jobs; pg-boss brings what a queue written here would have
 * to get right itself: SKIP LOCKED fetching, retries with backoff, expiry of jobs whose worker died, dead-lettering
 * after the last retry, and cron schedules that fire once across every node (its cron monitor takes a lock, and each
 * scheduled job is a singleton for its minute). The embedded SQLite mode keeps the store's own queue
 * (src/service/jobs.ts) and needs no extra process.
 *
 * pg-boss 10.4 is the newest line that supports Node.js 20 (11 and later need 22).
 */
import PgBoss from 'pg-boss';
import type { Config } from '../config.js';
import type { ScanRecord } from '../store/types.js';
import { scanBudgetMs } from './budget.js';

/** The queues, by purpose. Names are pg-boss queue names (at most 50 characters). */
export const QUEUES = {
  scan: 'leakdex-scan',
  /** Scans whose last attempt failed or expired: each is marked failed in the store, and stays listed here. */
  scanDead: 'leakdex-scan-dead',
  sweep: 'leakdex-sweep',
  recheck: 'leakdex-recheck',
} as const;

/** The scan job's payload: ids only (the upload is in the blob store, the scan row in the store). */
export interface ScanJobData {
  scanId: string;
  tenantId: string;
}

/** A job in a queue, as the admin API lists it. */
export interface QueueJob {
  id: string;
  queue: string;
  state: string;
  data: unknown;
  retryCount: number;
  createdAt: string;
  completedAt: string | null;
  output: unknown;
}

/** Counts of one queue's jobs by state (pg-boss states), kept jobs only (archived ones are gone from here). */
export type QueueCounts = Record<'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed', number>;

/** Longest a sweep or a re-check pass may run before its job expires and may be retried, s. */
const SWEEP_EXPIRE_S = 15 * 60;
/** Dead-lettered and failed jobs are kept this long for the admin API and metrics before pg-boss archives them, s. */
const KEEP_FAILED_S = 14 * 24 * 3600;
/** How often an idle worker asks for a scan job, s (pg-boss's minimum is 0.5). */
const SCAN_POLL_S = 0.5;
/** Most jobs the admin listing returns. */
export const MAX_JOBS_LISTED = 500;

/** The pg-boss schema beside the store's: `<schema>_jobs`, or `leakdex_jobs` when the store uses the default. */
export function queueSchema(databaseSchema: string | undefined): string {
  return databaseSchema ? `${databaseSchema.slice(0, 58)}_jobs` : 'leakdex_jobs';
}

/**
 * When a scan job expires: the scan's time budget, plus `expireGraceMs` for fetching its upload from the blob store,
 * starting a worker process and writing the outcome. A worker killed mid-scan leaves its job active; once this has
 * passed, pg-boss's maintenance fails it and the job is retried on another worker.
 */
export function scanExpireSeconds(config: Config, size: number): number {
  return Math.max(1, Math.ceil((scanBudgetMs(config.limits, size) + config.jobs.expireGraceMs) / 1000));
}

export interface QueueLog {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** pg-boss over the service's database: the scan, sweep and re-check queues, their schedules and dead letters. */
export class JobQueue {
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly boss: PgBoss,
    private readonly config: Config,
    readonly schema: string,
  ) {}

  /**
   * Connects, installs or migrates pg-boss's schema (pg-boss serialises that with an advisory lock), and creates the
   * queues. `schedule` makes this node take part in firing cron schedules (every worker does; only one fires each).
   */
  static async open(config: Config, log: QueueLog, opts: { schedule: boolean }): Promise<JobQueue> {
    if (!config.databaseUrl) throw new Error('the job queue needs PostgreSQL (DATABASE_URL)');
    const schema = queueSchema(config.databaseSchema);
    const boss = new PgBoss({
      connectionString: config.databaseUrl,
      schema,
      application_name: 'leakdex-queue',
      max: 4,
      supervise: true,
      schedule: opts.schedule,
      migrate: true,
      maintenanceIntervalSeconds: Math.max(1, Math.round(config.jobs.maintenanceMs / 1000)),
      cronMonitorIntervalSeconds: Math.max(1, Math.round(config.jobs.cronMonitorMs / 1000)),
      monitorStateIntervalSeconds: 30,
      archiveFailedAfterSeconds: KEEP_FAILED_S,
    });
    boss.on('error', (e: Error) => log.error({ err: e.message }, 'job queue error'));
    await boss.start();
    const queue = new JobQueue(boss, config, schema);
    await queue.ensureQueues();
    return queue;
  }

  private async ensureQueues(): Promise<void> {
    const { jobs } = this.config;
    const existing = new Set((await this.boss.getQueues()).map((q) => q.name));
    const create = async (name: string, options: Omit<PgBoss.Queue, 'name'>) => {
      if (existing.has(name)) await this.boss.updateQueue(name, { name, ...options });
      else {
        // Two nodes starting at once may both try: the second finds it made.
        await this.boss.createQueue(name, { name, ...options }).catch(async (e: unknown) => {
          if (!(await this.boss.getQueue(name))) throw e;
        });
      }
    };
    await create(QUEUES.scanDead, { policy: 'standard', retryLimit: 3, retryDelay: 5, retryBackoff: true });
    // Scans: a job that fails (its worker's store call threw) or expires (its worker died) is retried with backoff,
    // until the scan has been started jobs.maxAttempts times; then it is dead-lettered.
    await create(QUEUES.scan, { policy: 'standard', retryLimit: jobs.maxAttempts - 1, retryDelay: jobs.retryDelaySeconds, retryBackoff: true, deadLetter: QUEUES.scanDead });
    // Sweeps and re-checks: at most one queued and one active at a time across the cluster.
    await create(QUEUES.sweep, { policy: 'stately', retryLimit: 1, retryDelay: 30, expireInSeconds: SWEEP_EXPIRE_S });
    await create(QUEUES.recheck, { policy: 'stately', retryLimit: 1, retryDelay: 30, expireInSeconds: SWEEP_EXPIRE_S });
  }

  /**
   * Queues a scan. The job's id is the scan's, so queueing the same scan again is a no-op (the reconciler relies on
   * it). Tenants take turns: a job's priority is minus the tenant's scans already queued, so one tenant's long queue
   * does not hold another tenant's first scan back.
   */
  async enqueueScan(scan: Pick<ScanRecord, 'id' | 'tenantId' | 'size'>, queuedAhead: number): Promise<void> {
    const data: ScanJobData = { scanId: scan.id, tenantId: scan.tenantId };
    await this.boss.send(QUEUES.scan, data, { id: scan.id, priority: -Math.min(queuedAhead, 1_000_000), expireInSeconds: scanExpireSeconds(this.config, scan.size) });
  }

  /** Runs `handler` for each scan job, `concurrency` at a time; a handler that throws fails its job (retried). */
  async workScans(concurrency: number, handler: (job: PgBoss.JobWithMetadata<ScanJobData>) => Promise<void>): Promise<void> {
    for (let i = 0; i < concurrency; i++) {
      // The worker's id is known once work() resolves; the handler first runs after a fetch, so later than that.
      const worker: { id?: string } = {};
      worker.id = await this.boss.work<ScanJobData>(QUEUES.scan, { batchSize: 1, pollingIntervalSeconds: SCAN_POLL_S, includeMetadata: true }, async ([job]) => {
        if (!job) return;
        try {
          await handler(job);
        } finally {
          // pg-boss waits a polling interval after each job unless notified: ask for the next one at once, so a
          // backlog of short scans is not paced at one per interval.
          if (worker.id) this.boss.notifyWorker(worker.id);
        }
      });
    }
  }

  /** Runs `handler` for each dead-lettered scan. */
  async workDeadScans(handler: (job: PgBoss.Job<ScanJobData>) => Promise<void>): Promise<void> {
    await this.boss.work<ScanJobData>(QUEUES.scanDead, { batchSize: 1, pollingIntervalSeconds: 2 }, async ([job]) => {
      if (job) await handler(job);
    });
  }

  /** A cron schedule (UTC) for `queue`, and this node's handler for its jobs. */
  async scheduleAndWork(queue: typeof QUEUES.sweep | typeof QUEUES.recheck, cron: string, handler: () => Promise<object | void>): Promise<void> {
    await this.boss.schedule(queue, cron, {}, { tz: 'UTC' });
    await this.boss.work(queue, { batchSize: 1, pollingIntervalSeconds: 2 }, async () => (await handler()) ?? undefined);
  }

  /** Stops asking for jobs of every queue (jobs in progress go on). */
  async stopWorking(): Promise<void> {
    for (const q of Object.values(QUEUES)) await this.boss.offWork(q);
  }

  /** Counts by state of every leakdex queue. */
  async counts(): Promise<Record<string, QueueCounts>> {
    const rows = await this.boss
      .getDb()
      .executeSql(`SELECT name, state::text AS state, COUNT(*)::int AS n FROM "${this.schema}".job WHERE name = ANY($1) GROUP BY name, state`, [Object.values(QUEUES)]);
    const out: Record<string, QueueCounts> = {};
    for (const q of Object.values(QUEUES)) out[q] = { created: 0, retry: 0, active: 0, completed: 0, cancelled: 0, failed: 0 };
    for (const r of rows.rows as { name: string; state: keyof QueueCounts; n: number }[]) if (out[r.name] && r.state in out[r.name]!) out[r.name]![r.state] = r.n;
    return out;
  }

  /** Jobs of `queue` (newest first), optionally in one state: dead-lettered scans are QUEUES.scanDead's jobs. */
  async list(queue: string, limit: number, state?: string): Promise<QueueJob[]> {
    const n = Math.max(1, Math.min(limit, MAX_JOBS_LISTED));
    const rows = await this.boss
      .getDb()
      .executeSql(
        `SELECT id, name, state::text AS state, data, retry_count, created_on, completed_on, output FROM "${this.schema}".job
         WHERE name = $1 AND ($2::text IS NULL OR state::text = $2) ORDER BY created_on DESC LIMIT ${n}`,
        [queue, state ?? null],
      );
    return (rows.rows as Record<string, unknown>[]).map((r) => ({
      id: String(r.id),
      queue: String(r.name),
      state: String(r.state),
      data: r.data,
      retryCount: Number(r.retry_count),
      createdAt: new Date(r.created_on as string).toISOString(),
      completedAt: r.completed_on ? new Date(r.completed_on as string).toISOString() : null,
      output: r.output ?? null,
    }));
  }

  /** Stops the workers, waiting up to `timeoutMs` for jobs in progress (pg-boss fails what is left: retried). Once. */
  close(timeoutMs: number): Promise<void> {
    return (this.closing ??= this.boss.stop({ graceful: true, wait: true, timeout: Math.max(1000, timeoutMs) }));
  }
}
