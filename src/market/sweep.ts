/** The marketplace sweep wired to a store: the sweeper with its own scan service, and the ticker of `leakdex serve`. */
import { Cron } from 'croner';
import type { Config } from '../config.js';
import { findingKeys } from '../service/crypto.js';
import { HistoryService } from '../service/history.js';
import type { JobRunner } from '../service/jobs.js';
import { Metrics } from '../service/metrics.js';
import { ScanService } from '../service/scans.js';
import type { Store } from '../store/types.js';
import { endpointsFromEnv } from './sources.js';
import { Rechecker } from './rechecks.js';
import { Sweeper, WatchService } from './watches.js';
import { ServiceVerifier } from '../service/verification.js';

/** The sweeper over a store, with its own scan service (scans are queued into the service's job queue). */
export function sweeperFor(store: Store, config: Config, runner?: JobRunner, log?: SweepLog): Sweeper {
  const keys = findingKeys(config);
  const scans = new ScanService({ store, config, metrics: new Metrics(), keys, runner });
  const rechecker = new Rechecker({ store, config, keys, verifier: new ServiceVerifier(store, config), watches: new WatchService(store), ...(log ? { log } : {}) });
  return new Sweeper({ store, config, scans, history: new HistoryService(store, config.limits.maxListItems), endpoints: endpointsFromEnv(), githubToken: process.env.LEAKDEX_GITHUB_TOKEN, log, recheck: () => rechecker.run() });
}
export type SweepLog = { info(o: object, m: string): void; warn(o: object, m: string): void };

/** The embedded scheduler of `leakdex serve`: one croner ticker in UTC, overrun-protected, claiming due watches. */
export function startSweepTicker(store: Store, config: Config, runner: JobRunner | undefined, log: SweepLog & { error(o: object, m: string): void }, pattern = '* * * * *'): { stop(): void; sweeper: Sweeper } {
  const sweeper = sweeperFor(store, config, runner, log);
  const job = new Cron(pattern, { timezone: 'UTC', protect: true, catch: (e: unknown) => log.error({ err: e instanceof Error ? e.message : String(e) }, 'sweep failed') }, async () => {
    const r = await sweeper.sweepOnce();
    if (r.claimed > 0 || (r.rechecked ?? 0) > 0) log.info({ ...r }, 'sweep done');
  });
  return { stop: () => job.stop(), sweeper };
}
