/** The service under test, wired as server.ts wires it, or as a `leakdex serve` process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { buildApp, createLogger } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { findingKeys } from '../../src/service/crypto.js';
import { JobRunner, type ScanFn } from '../../src/service/jobs.js';
import { Metrics } from '../../src/service/metrics.js';
import { createApiKey } from '../../src/service/auth.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { sink } from './cli.js';
import { CLI, tempDir } from './files.js';

export interface TestService {
  app: Awaited<ReturnType<typeof buildApp>>;
  store: Store;
  runner: JobRunner;
  config: Config;
  /** Everything the service logged so far (JSON lines). */
  logText: () => string;
  /** An admin API key of `tenant`. */
  admin: string;
  dataDir: string;
  uploadsDir: string;
}

export interface TestServiceOptions {
  /** The data directory (default: a new temporary one). */
  dataDir?: string;
  /** Tenant of the admin key (default "acme"). */
  tenant?: string;
  logLevel?: 'warn' | 'info';
  /** Scans run at once (default 2). */
  concurrency?: number;
  /** More configuration, over the defaults above. */
  overrides?: Record<string, unknown>;
  /** The scan the runner runs (default: the real isolated scan). */
  scan?: ScanFn;
}

/**
 * The app on a SQLite store in a temporary directory with a started job runner, as server.ts builds it, without
 * listening (requests through app.inject); closed when `tt` ends.
 */
export async function startService(tt: { teardown(fn: () => unknown): void }, opts: TestServiceOptions = {}): Promise<TestService> {
  const dataDir = opts.dataDir ?? tempDir('leakdex-service-');
  const logLevel = opts.logLevel ?? 'info';
  const config = loadConfig({ env: { LEAKDEX_DATA_DIR: dataDir }, overrides: { bootstrapKey: false, logLevel, jobs: { concurrency: opts.concurrency ?? 2, pollMs: 50 }, ...opts.overrides } });
  const store = await openStore(config);
  const out = sink();
  const logger = createLogger(logLevel, out.stream);
  const metrics = new Metrics();
  const keys = findingKeys(config);
  const runner = new JobRunner({ store, config, keys, metrics, log: logger, scan: opts.scan });
  const app = await buildApp({ config, store, metrics, keys, runner }, logger);
  await app.ready();
  await runner.start();
  tt.teardown(async () => {
    await app.close();
    await runner.stop();
    await store.close();
  });
  const { token } = await createApiKey(store, opts.tenant ?? 'acme', ['admin']);
  return { app, store, runner, config, logText: out.text, admin: token, dataDir, uploadsDir: join(dataDir, 'uploads') };
}

/** A `leakdex serve` process under test. */
export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Everything it printed so far (stdout and stderr). */
  output: () => string;
}

/** Starts `node dist/src/cli/main.js serve` on a free port; resolves with its URL and everything it printed. */
export function spawnServer(dataDir: string): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve'], {
      env: { ...process.env, LEAKDEX_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LEAKDEX_CONCURRENCY: '1', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${text}`)), 20_000);
    const onData = (d: Buffer) => {
      text += String(d);
      const m = /"url":"(http:\/\/[^"]+)".*leakdex service listening/.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, output: () => text });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${text}`)));
  });
}
