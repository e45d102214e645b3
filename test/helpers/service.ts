/** The service under test, wired as server.ts wires it, or as a process of its own. */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
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

/** A `leakdex serve` process. */
export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Everything it printed so far. */
  output: () => string;
}

/**
 * Starts `node dist/src/cli/main.js serve` on a free port with one scan at a time (`env` over that); resolves with its
 * URL once it listens.
 */
export function spawnServer(dataDir: string, env: Record<string, string> = {}, args: string[] = []): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', ...args], {
      env: { ...process.env, LEAKDEX_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LEAKDEX_CONCURRENCY: '1', LOG_LEVEL: 'info', ...env },
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

/** The admin key a first start printed. */
export function bootstrapKey(server: ServerProcess): string {
  const key = /(ldx_[0-9a-f]{16}_[A-Za-z0-9_-]{43})/.exec(server.output())?.[1];
  if (!key) throw new Error(`no bootstrap key in:\n${server.output()}`);
  return key;
}

/** Whether process `pid` exists and is not a zombie (a zombie holds no memory and runs nothing; only its exit status waits to be read). */
export function processLives(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Pids of the living scan worker processes (worker.js or worker.bundle.js) whose parent is `parent`. */
export function scanWorkerPids(parent: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== parent || fields[0] === 'Z') continue;
      if (/pipeline\/worker(\.bundle)?\.js/.test(readFileSync(`/proc/${name}/cmdline`, 'utf8'))) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Resolves once no scan is queued or running (at most 60 s). */
export async function scansDone(store: Store): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const n = await store.countScansByStatus();
    if (n.queued + n.running === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('scans did not finish');
}

/** One file as the multipart/form-data body of an upload (field 'file'). */
export function multipart(content: Buffer, filename = 'app.apk'): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----leakdex${randomBytes(8).toString('hex')}`;
  const payload = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`), content, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
