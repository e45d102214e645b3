import type { ParseArgsConfig } from 'node:util';
import { ArgsError, parseCommand } from './args.js';
import { visible } from '../report/escape.js';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createLogger } from '../app.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { startServer, untilSignal } from '../server.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { openBackends } from '../service/backends.js';
import { createApiKey, parseScopes } from '../service/auth.js';
import { findingKeys } from '../service/crypto.js';
import { JobRunner } from '../service/jobs.js';
import { Metrics } from '../service/metrics.js';

/** `leakdex serve --help`. */
export const SERVE_HELP = `Usage: leakdex serve [options]

Runs the HTTP service: uploads, scan jobs, app/version history (docs/service.md).

Options:
  --host HOST          interface to listen on (env HOST, default 127.0.0.1)
  --port PORT          TCP port (env PORT, default 8080)
  --data-dir DIR       SQLite file, uploads and keys (env LEAKDEX_DATA_DIR, default ./data)
  --config FILE        JSON configuration file (env LEAKDEX_CONFIG); the environment overrides it
  --concurrency N      scans run at once (env LEAKDEX_CONCURRENCY, default: number of cores)
  --no-jobs            serve the API only; 'leakdex worker' processes run the scans
  -h, --help           show this help

Environment: DATABASE_URL (use PostgreSQL), LEAKDEX_MAX_UPLOAD_BYTES, LEAKDEX_SCAN_TIMEOUT_MS,
LEAKDEX_RATE_LIMIT, LEAKDEX_STORE_SECRETS=1 with LEAKDEX_SECRETS_KEY (64 hex), LEAKDEX_FINGERPRINT_KEY, LOG_LEVEL.
On first start with no API key, an admin key for tenant "default" is created and printed with a curl example.

Example:
  leakdex serve --port 8080
`;

/** `leakdex worker --help`. */
export const WORKER_HELP = `Usage: leakdex worker [options]

Runs scan jobs without serving the API (scale-out beside 'leakdex serve --no-jobs'). With DATABASE_URL the
jobs come from pg-boss in PostgreSQL and the uploads from the blob store (LEAKDEX_BLOBS=postgres or s3): the
worker shares nothing else with the other nodes. On SIGTERM it stops taking jobs, lets its scans run for
LEAKDEX_DRAIN_MS (20 s) and hands the rest back to the queue (docs/deployment.md).

Options:
  --data-dir DIR       data directory (env LEAKDEX_DATA_DIR, default ./data): temporary files only with a
                       shared blob store; the uploads themselves on the embedded SQLite default
  --config FILE        JSON configuration file (env LEAKDEX_CONFIG)
  --concurrency N      scans run at once (env LEAKDEX_CONCURRENCY, default: number of cores)
  --health-port PORT   serve /healthz (the process answers) and /readyz (the store answers and the worker takes
                       jobs) on 0.0.0.0:PORT for probes (env LEAKDEX_HEALTH_PORT); none by default
  -h, --help           show this help
`;

/** `leakdex keys --help`. */
export const KEYS_HELP = `Usage: leakdex keys <create|list|revoke> [options]

  leakdex keys create --tenant NAME [--scopes read,write,admin] [--name LABEL]
      creates an API key (the tenant too, when new) and prints the key alone on stdout; it is shown only once.
      Default scopes: read,write.
  leakdex keys list [--tenant NAME]
      lists keys (id, tenant, scopes, created, revoked); never the keys themselves.
  leakdex keys revoke ID
      revokes a key by its id.

Options:
  --data-dir DIR       data directory (env LEAKDEX_DATA_DIR, default ./data)
  --config FILE        JSON configuration file (env LEAKDEX_CONFIG)
  -h, --help           show this help

Clients send the key as: Authorization: Bearer KEY
`;

const EXIT_OK = 0;
const EXIT_USAGE = 2;

class CommandError extends Error {}

const COMMON = { help: { type: 'boolean', short: 'h' }, 'data-dir': { type: 'string' }, config: { type: 'string' } } as const;

function parse<O extends NonNullable<ParseArgsConfig['options']>>(command: string, args: string[], options: O) {
  return parseCommand(command, args, { ...COMMON, ...options } as typeof COMMON & O);
}

function integer(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new CommandError(`${flag} needs an integer, got '${String(value)}'`);
  return n;
}

function config(values: Record<string, unknown>, overrides: Record<string, unknown> = {}): Config {
  const o: Record<string, unknown> = { ...overrides };
  if (values['data-dir'] !== undefined) o.dataDir = String(values['data-dir']);
  return loadConfig({ file: values.config as string | undefined, overrides: o });
}

async function guarded(err: NodeJS.WritableStream, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof CommandError || e instanceof ConfigError || e instanceof ArgsError) {
      err.write(`leakdex: error: ${e.message}${e instanceof ArgsError && e.hint ? ` (hint: ${e.hint})` : ''}\n`);
      return EXIT_USAGE;
    }
    err.write(`leakdex: error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

/** `leakdex serve`: runs until SIGINT/SIGTERM; resolves with the exit code. */
export function serveCommand(args: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  return guarded(err, async () => {
    const { values } = parse('serve', args, { host: { type: 'string' }, port: { type: 'string' }, concurrency: { type: 'string' }, 'no-jobs': { type: 'boolean' } } as const);
    if (values.help) {
      out.write(SERVE_HELP);
      return EXIT_OK;
    }
    const jobs: Record<string, unknown> = {};
    if (values.concurrency !== undefined) jobs.concurrency = integer(values.concurrency, '--concurrency');
    if (values['no-jobs']) jobs.enabled = false;
    const cfg = config(values, { host: values.host, port: integer(values.port, '--port'), jobs });
    const logger = createLogger(cfg.logLevel, undefined, cfg.logFormat);
    const server = await startServer(cfg, { logger, out });
    // Marketplace watches. SQLite: one croner ticker in UTC claims due watches (src/market/sweep.ts), also with
    // --no-jobs. PostgreSQL: pg-boss schedules, fired once across the cluster and run by the nodes that scan.
    const sweeps = await import('../market/sweep.js');
    const sweepLog = logger.child({ component: 'sweep' });
    const queue = server.backends.queue;
    const ticker = queue ? undefined : sweeps.startSweepTicker(server.store, cfg, server.runner, sweepLog);
    if (queue && server.runner) await sweeps.scheduleSweeps(queue, server.store, cfg, server.runner, sweepLog);
    const code = await untilSignal(async () => {
      ticker?.stop();
      await server.close();
    }, logger, server.backends.queue && server.runner ? cfg.jobs.drainMs : 0);
    // Scan worker processes abandoned at shutdown (and their IPC channels) must not hold the process open.
    setTimeout(() => process.exit(code), 200).unref();
    return code;
  });
}

/** `leakdex worker`: claims and runs scans until SIGINT/SIGTERM; resolves with the exit code. */
export function workerCommand(args: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  return guarded(err, async () => {
    const { values } = parse('worker', args, { concurrency: { type: 'string' }, 'health-port': { type: 'string' } } as const);
    if (values.help) {
      out.write(WORKER_HELP);
      return EXIT_OK;
    }
    const jobs: Record<string, unknown> = { enabled: true };
    if (values.concurrency !== undefined) jobs.concurrency = integer(values.concurrency, '--concurrency');
    const cfg = config(values, { jobs });
    mkdirSync(cfg.dataDir, { recursive: true });
    const logger = createLogger(cfg.logLevel, undefined, cfg.logFormat);
    const store = await openStore(cfg);
    const backends = await openBackends(cfg, logger.child({ component: 'queue' }), { schedule: true }).catch(async (e: unknown) => {
      await store.close();
      throw e;
    });
    const { blobs, queue } = backends;
    const runner = new JobRunner({ store, config: cfg, keys: findingKeys(cfg), metrics: new Metrics(), log: logger.child({ component: 'runner' }), blobs, ...(queue ? { queue } : {}) });
    await runner.start();
    if (queue) await (await import('../market/sweep.js')).scheduleSweeps(queue, store, cfg, runner, logger.child({ component: 'sweep' }));
    const healthPort = values['health-port'] ?? process.env.LEAKDEX_HEALTH_PORT;
    const health = healthPort === undefined || healthPort === '' ? undefined : await serveWorkerHealth(integer(healthPort, '--health-port')!, store, runner, logger);
    logger.info({ runner: runner.id, store: store.dialect, blobs: blobs.kind, queue: queue ? 'pg-boss' : 'store', concurrency: runner.concurrency }, 'leakdex worker running');
    const code = await untilSignal(async () => {
      health?.close();
      await runner.stop();
      await backends.close();
      await store.close();
    }, logger, cfg.jobs.drainMs);
    setTimeout(() => process.exit(code), 200).unref();
    return code;
  });
}

/** A worker's probes: /healthz (the process answers), /readyz (the store answers, the runner takes jobs). */
async function serveWorkerHealth(port: number, store: Store, runner: JobRunner, logger: { info(o: object, m: string): void }): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || (path !== '/healthz' && path !== '/readyz')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not_found' }));
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
      return;
    }
    void store.ping().then((storeUp) => {
      const ready = storeUp && runner.healthy;
      res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: ready ? 'ready' : 'unavailable', store: storeUp, workers: runner.healthy }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => resolve());
  });
  const address = server.address();
  logger.info({ url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}` }, 'worker health endpoint listening');
  return server;
}

/** `leakdex keys create|list|revoke`. `create` prints the key alone on stdout. */
export function keysCommand(args: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  return guarded(err, async () => {
    const { values, positionals } = parse('keys', args, { tenant: { type: 'string' }, scopes: { type: 'string' }, name: { type: 'string' } } as const);
    const [action, ...rest] = positionals;
    if (values.help || action === undefined) {
      out.write(KEYS_HELP);
      return values.help ? EXIT_OK : EXIT_USAGE;
    }
    if (!['create', 'list', 'revoke'].includes(action)) throw new CommandError(`unknown keys action '${action}' (use create, list or revoke)`);
    let scopes;
    if (action === 'create') {
      if (!values.tenant || !/^[A-Za-z0-9._-]{1,100}$/.test(values.tenant)) throw new CommandError('keys create needs --tenant NAME (letters, digits, . _ -; at most 100)');
      try {
        scopes = parseScopes(values.scopes ?? 'read,write');
      } catch (e) {
        throw new CommandError((e as Error).message);
      }
    }
    if (action === 'revoke' && rest.length !== 1) throw new CommandError('keys revoke takes exactly one key id');
    const cfg = config(values);
    const store = await openStore(cfg);
    try {
      if (action === 'create') {
        const { token } = await createApiKey(store, values.tenant!, scopes!, values.name ?? null);
        out.write(`${token}\n`);
        return EXIT_OK;
      }
      if (action === 'list') {
        out.write('id\ttenant\tscopes\tcreated\tstatus\tname\n');
        for (const k of (await store.listApiKeys()).filter((key) => !values.tenant || key.tenantName === values.tenant)) {
          out.write(`${k.id}\t${k.tenantName}\t${k.scopes.join(',')}\t${new Date(k.createdAt).toISOString()}\t${k.revokedAt ? `revoked ${new Date(k.revokedAt).toISOString()}` : 'active'}${k.name ? `\t${visible(k.name)}` : ''}\n`);
        }
        return EXIT_OK;
      }
      if (!(await store.revokeApiKey(rest[0]!, Date.now()))) throw new CommandError(`no active key ${rest[0]}`);
      out.write(`revoked ${rest[0]}\n`);
      return EXIT_OK;
    } finally {
      await store.close();
    }
  });
}
