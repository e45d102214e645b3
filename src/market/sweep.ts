/** The marketplace sweep wired to a store: the sweeper with its own scan service, and the ticker of `leakdex serve`. */
import { Cron } from 'croner';
import type { Config } from '../config.js';
import { findingKeys } from '../service/crypto.js';
import { HistoryService } from '../service/history.js';
import type { JobRunner } from '../service/jobs.js';
import { QUEUES, type JobQueue } from '../service/queue.js';
import { removeOrphanUploads } from '../service/uploads.js';
import { Metrics } from '../service/metrics.js';
import { ScanService } from '../service/scans.js';
import type { Store } from '../store/types.js';
import { endpointsFromEnv } from './sources.js';
import { FeedService } from '../service/feeds.js';
import { MAX_ORGS_PER_PASS, OrgService } from './orgs.js';
import { snapshotOrgRating } from './org-rating.js';
import { Rechecker } from './rechecks.js';
import { Sweeper, WatchService } from './watches.js';
import { ServiceVerifier } from '../service/verification.js';

/** The sweeper over a store, with its own scan service (scans are queued into the service's job queue). */
export function sweeperFor(store: Store, config: Config, runner?: JobRunner, log?: SweepLog, opts: { recheck?: boolean } = {}): Sweeper {
  const keys = findingKeys(config);
  // Uploads go to the runner's blob store and, in PostgreSQL mode, its queue.
  const scans = new ScanService({ store, config, metrics: new Metrics(), keys, runner });
  const watches = new WatchService(store);
  const rechecker = new Rechecker({ store, config, keys, verifier: new ServiceVerifier(store, config), watches, ...(log ? { log } : {}) });
  const endpoints = endpointsFromEnv();
  const githubToken = process.env.LEAKDEX_GITHUB_TOKEN;
  const orgs = new OrgService({ store, watches, endpoints, githubToken, ...(log ? { log } : {}) });
  const feeds = new FeedService({ store, keys, ...(log ? { log } : {}) });
  return new Sweeper({
    store,
    config,
    scans,
    history: new HistoryService(store, config.limits.maxListItems),
    endpoints,
    githubToken,
    log,
    ...(opts.recheck === false ? {} : { recheck: () => rechecker.run() }),
    discover: () => orgs.discoverDue(MAX_ORGS_PER_PASS),
    feeds: () => feeds.fetchDue(),
    snapshot: () => snapshotAll(store),
  });
}

/** A trend point for every organization whose rating changed; how many did. */
export async function snapshotAll(store: Store, now = Date.now()): Promise<number> {
  let n = 0;
  for (const o of await store.orgs.listAll(10_000)) if (await snapshotOrgRating(store, o.tenantId, o.id, now)) n++;
  return n;
}
export type SweepLog = { info(o: object, m: string): void; warn(o: object, m: string): void };

/** How often a PostgreSQL-mode cluster looks for keys to verify again (each pass checks only what is due), cron. */
export const RECHECK_CRON = '*/15 * * * *';

/**
 * PostgreSQL mode: the sweep and the verification re-checks are pg-boss schedules. Every worker registers them and
 * works their jobs; pg-boss fires each schedule once per slot across the cluster (its cron monitor holds a lock, and
 * the job is a singleton for its minute), and the queues' `stately` policy keeps one pass of each running at a time.
 */
export async function scheduleSweeps(queue: JobQueue, store: Store, config: Config, runner: JobRunner, log: SweepLog & { error(o: object, m: string): void }): Promise<void> {
  const sweeper = sweeperFor(store, config, runner, log, { recheck: false });
  const rechecker = new Rechecker({ store, config, keys: findingKeys(config), verifier: new ServiceVerifier(store, config), watches: sweeper.watches, log });
  await queue.scheduleAndWork(QUEUES.sweep, config.jobs.sweepCron, async () => {
    const r = await sweeper.sweepOnce();
    const orphans = await removeOrphanUploads(runner.blobs, store, config.jobs.keepUploads).catch((e: unknown) => {
      log.warn({ err: e instanceof Error ? e.message : String(e) }, 'removing orphaned uploads failed');
      return 0;
    });
    log.info({ ...r, orphans }, 'sweep done');
    return { ...r, orphans };
  });
  await queue.scheduleAndWork(QUEUES.recheck, RECHECK_CRON, async () => {
    const r = await rechecker.run();
    if (r.checked > 0) log.info({ ...r }, 're-check done');
    return { ...r };
  });
}

/** The embedded scheduler of `leakdex serve`: one croner ticker in UTC, overrun-protected, claiming due watches. */
export function startSweepTicker(store: Store, config: Config, runner: JobRunner | undefined, log: SweepLog & { error(o: object, m: string): void }, pattern = '* * * * *'): { stop(): void; sweeper: Sweeper } {
  const sweeper = sweeperFor(store, config, runner, log);
  const job = new Cron(pattern, { timezone: 'UTC', protect: true, catch: (e: unknown) => log.error({ err: e instanceof Error ? e.message : String(e) }, 'sweep failed') }, async () => {
    const r = await sweeper.sweepOnce();
    if (r.claimed > 0 || (r.rechecked ?? 0) > 0) log.info({ ...r }, 'sweep done');
  });
  return { stop: () => job.stop(), sweeper };
}
