import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp, createLogger } from './app.js';
import type { Config } from './config.js';
import { createApiKey } from './service/auth.js';
import { findingKeys } from './service/crypto.js';
import { JobRunner, type ScanFn } from './service/jobs.js';
import { Metrics } from './service/metrics.js';
import { ScanThread } from './service/scan-thread.js';
import { removePartialUploads, UPLOADS_DIR } from './service/scans.js';
import { openStore } from './store/index.js';
import { openBackends, type Backends } from './service/backends.js';
import type { Store } from './store/types.js';

/** The sample the first-start message tells users to upload. */
export const SAMPLE_APK = 'samples/android/leaky-multidex.apk';
/** How long a graceful shutdown may take before the process exits anyway, ms. */
export const SHUTDOWN_GRACE_MS = 10_000;

/** A listening service and what it runs on. */
export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  runner?: JobRunner;
  /** The blob store and, in PostgreSQL mode, the job queue. */
  backends: Backends;
  config: Config;
  /** Base URL, e.g. http://127.0.0.1:8080. */
  url: string;
  /** Stops accepting requests, hands running scans back to the queue, closes the store. */
  close(): Promise<void>;
}

/** Opens the store, builds the app, listens, and starts the scan runner (unless jobs are disabled). */
export async function startServer(config: Config, opts: { logger?: Logger; out?: NodeJS.WritableStream; scan?: ScanFn } = {}): Promise<RunningServer> {
  mkdirSync(config.dataDir, { recursive: true });
  const logger = opts.logger ?? createLogger(config.logLevel, undefined, config.logFormat);
  // Uploads cut short by a process that stopped (kill -9 mid-upload): nothing written to them since this one started.
  const removed = await removePartialUploads(join(config.dataDir, UPLOADS_DIR), performance.timeOrigin);
  if (removed > 0) logger.warn({ removed }, 'removed partial uploads left by a stopped process');
  const store = await openStore(config);
  let backends: Backends | undefined;
  try {
    // PostgreSQL mode: pg-boss; a node that scans takes part in firing the sweep schedules.
    backends = await openBackends(config, logger.child({ component: 'queue' }), { schedule: config.jobs.enabled });
    const { blobs, queue } = backends;
    const keys = findingKeys(config);
    const metrics = new Metrics();
    // One thread for the CPU and process work of uploads and scans, off the thread that answers requests.
    const thread = new ScanThread();
    const runner = config.jobs.enabled ? new JobRunner({ store, config, keys, metrics, log: logger.child({ component: 'runner' }), scan: opts.scan, thread, blobs, ...(queue ? { queue } : {}) }) : undefined;
    const app = await buildApp({ config, store, metrics, keys, runner, thread, blobs, ...(queue ? { queue } : {}) }, logger);
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `http://${host}:${port}`;
    if (config.bootstrapKey && (await store.countApiKeys()) === 0) {
      const { token } = await createApiKey(store, 'default', ['read', 'write', 'admin'], 'bootstrap');
      (opts.out ?? process.stdout).write(
        `\nleakdex: first start, created an admin API key for tenant "default" (shown once; create more with 'leakdex keys create'):\n\n  ${token}\n\n` +
          `Dashboard: open ${url}/ in a browser and sign in with this key.\n\n` +
          `Upload a sample and wait for its result:\n\n  curl -sS -H "Authorization: Bearer ${token}" -F file=@${SAMPLE_APK} "${url}/v1/scans?wait=60"\n\n` +
          `API docs: ${url}/docs\n\n`,
      );
    }
    await runner?.start();
    logger.info({ url, store: store.dialect, concurrency: runner?.concurrency ?? 0 }, 'leakdex service listening');
    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        await app.close();
        await runner?.stop();
        await thread.close();
        await backends!.close();
        await store.close();
      })());
    return { app, store, runner, backends, config, url, close };
  } catch (e) {
    await backends?.close().catch(() => {});
    await store.close().catch(() => {});
    throw e;
  }
}

/**
 * Closes `server` on SIGINT/SIGTERM; resolves with the exit code once it is closed (or the grace time ran out:
 * SHUTDOWN_GRACE_MS past `drainMs`, the time scans in progress are given to end).
 */
export function untilSignal(close: () => Promise<void>, log: Pick<Logger, 'info' | 'error'>, drainMs = 0): Promise<number> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      log.info({ signal }, 'shutting down');
      const timer = setTimeout(() => {
        log.error({}, 'shutdown took too long; exiting');
        resolve(1);
      }, SHUTDOWN_GRACE_MS + drainMs);
      timer.unref();
      close().then(
        () => {
          clearTimeout(timer);
          resolve(0);
        },
        (e) => {
          log.error({ err: e }, 'shutdown failed');
          clearTimeout(timer);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
