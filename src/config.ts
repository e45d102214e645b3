import { parseEndpoints } from './verify/http.js';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { DEFAULT_LIMITS } from './limits.js';
import { checkS3Options } from './blobs/s3-options.js';

const Positive = (description: string, extra: { minimum?: number; maximum?: number } = {}) => Type.Integer({ minimum: 1, ...extra, description });

/** The service configuration: every limit the service enforces is named here. */
export const ConfigSchema = Type.Object(
  {
    host: Type.String({ minLength: 1, description: 'Interface to listen on (HOST).' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, description: 'TCP port (PORT); 0 picks a free one.' }),
    dataDir: Type.String({ minLength: 1, description: 'Directory of the SQLite file, uploads and generated keys (LEAKDEX_DATA_DIR).' }),
    databaseUrl: Type.Optional(Type.String({ minLength: 1, description: 'PostgreSQL connection string (DATABASE_URL); SQLite when absent.' })),
    databaseSchema: Type.Optional(Type.String({ pattern: '^[a-z_][a-z0-9_]{0,62}$', description: 'PostgreSQL schema to use (LEAKDEX_DATABASE_SCHEMA).' })),
    logLevel: Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')]),
    logFormat: Type.Union([Type.Literal('json'), Type.Literal('pretty')], { description: 'Log lines as JSON (for collectors) or pretty: one readable line each, for a terminal (LOG_FORMAT).' }),
    trustProxy: Type.Boolean({ description: 'Take client addresses from X-Forwarded-For (only behind a trusted proxy).' }),
    jobs: Type.Object({
      enabled: Type.Boolean({ description: 'Run scans in this process (false: API only, `leakdex worker` processes scan).' }),
      concurrency: Positive('Scans run at once by this process (LEAKDEX_CONCURRENCY); default: number of cores.', { maximum: 256 }),
      pollMs: Positive('How often an idle runner looks for queued scans, ms.', { maximum: 60_000 }),
      leaseMs: Positive('How long a running scan stays owned without a heartbeat before another runner takes it over, ms.', { minimum: 1000 }),
      maxAttempts: Positive('Times a scan is started (restarts after a crash included) before it is failed.', { maximum: 100 }),
      keepUploads: Type.Boolean({ description: 'Keep uploaded files after their scan ends.' }),
      expireGraceMs: Positive('PostgreSQL mode: time a scan job gets past its scan budget (fetching the upload, starting a worker, writing the outcome) before it expires and is retried elsewhere, ms.', { minimum: 1000 }),
      retryDelaySeconds: Type.Integer({ minimum: 0, maximum: 3600, description: 'PostgreSQL mode: delay before a failed or expired scan job is retried, s (doubled each retry).' }),
      maintenanceMs: Positive('PostgreSQL mode: how often the queue looks for expired jobs (pg-boss maintenance), ms.', { minimum: 1000 }),
      cronMonitorMs: Positive('PostgreSQL mode: how often a node checks whether a cron schedule is due, ms.', { minimum: 1000 }),
      drainMs: Type.Integer({ minimum: 0, description: 'PostgreSQL mode: on SIGTERM, how long scans in progress may run to their end before they are handed back to the queue, ms (LEAKDEX_DRAIN_MS).' }),
      sweepCron: Type.String({ minLength: 9, maxLength: 100, description: 'Cron pattern (UTC) of the marketplace sweep (LEAKDEX_SWEEP_CRON).' }),
    }),
    blobs: Type.Object({
      kind: Type.Union([Type.Literal('local'), Type.Literal('postgres'), Type.Literal('s3')], { description: 'Where uploads wait for their scan (LEAKDEX_BLOBS): the data directory, PostgreSQL large objects, or S3-compatible object storage.' }),
      s3: Type.Optional(
        Type.Object({
          endpoint: Type.Optional(Type.String({ minLength: 1, description: 'S3 endpoint URL (LEAKDEX_S3_ENDPOINT); AWS when absent.' })),
          region: Type.String({ minLength: 1, description: 'Region (LEAKDEX_S3_REGION).' }),
          bucket: Type.String({ minLength: 3, maxLength: 63, description: 'Bucket (LEAKDEX_S3_BUCKET).' }),
          prefix: Type.Optional(Type.String({ maxLength: 200, description: 'Key prefix (LEAKDEX_S3_PREFIX).' })),
          forcePathStyle: Type.Optional(Type.Boolean({ description: 'Path-style addressing (LEAKDEX_S3_FORCE_PATH_STYLE), as most S3-compatible servers need.' })),
        }),
      ),
    }),
    limits: Type.Object({
      maxUploadBytes: Positive('Largest accepted upload, bytes (LEAKDEX_MAX_UPLOAD_BYTES).'),
      maxWaitSeconds: Positive('Longest `?wait=` a client may ask for, seconds.', { maximum: 3600 }),
      scanTimeoutMs: Positive('Whole-scan timeout, ms (LEAKDEX_SCAN_TIMEOUT_MS).', { minimum: 100 }),
      scanBudgetBaseMs: Positive('Time budget of every scan before its size is counted, ms: a scan runs at most this plus scanBudgetMsPerMb per MiB of upload (and never past scanTimeoutMs).', { minimum: 100 }),
      scanBudgetMsPerMb: Type.Integer({ minimum: 0, description: 'Time budget a scan gets per MiB of its upload, ms.' }),
      entryTimeoutMs: Positive('An entry making no progress this long stops its worker and is skipped, ms.', { minimum: 100 }),
      workerHeapMb: Positive('Heap ceiling (--max-old-space-size) of each scan worker process, MiB.', { minimum: 64 }),
      workerRssMb: Type.Optional(Positive('Resident memory ceiling of each scan worker process, MiB; default workerHeapMb + 1024. Its watchdog stops it past this.', { minimum: 64 })),
      maxEntries: Positive('Most entries in one archive.'),
      maxEntryBytes: Positive('Most inflated bytes of one entry.'),
      maxTotalBytes: Positive('Most inflated bytes of a whole artifact.'),
      maxNestingDepth: Type.Integer({ minimum: 0, maximum: 16, description: 'Deepest archive nesting.' }),
      maxListItems: Positive('Most rows one list request returns.', { maximum: 10_000 }),
      bodyLimitBytes: Positive('Largest non-upload request body, bytes.'),
      requestTimeoutMs: Type.Integer({ minimum: 0, description: 'Time allowed to receive a whole request (uploads included), ms; 0 = none.' }),
    }),
    rateLimit: Type.Object({
      max: Positive('Requests one API key (or one address without a key) may make per window (LEAKDEX_RATE_LIMIT).'),
      windowMs: Positive('Rate-limit window, ms.'),
      authFailures: Positive('Failed authentications (wrong key, bad signed link) one address may make per authWindowMs before it is answered 429 until the window ends.'),
      authWindowMs: Positive('Window of authFailures, ms.', { minimum: 1000 }),
    }),
    secrets: Type.Object({
      store: Type.Boolean({ description: 'Store raw secret values, encrypted (LEAKDEX_STORE_SECRETS=1). Off by default.' }),
      encryptionKey: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{64}$', description: 'AES-256-GCM key, 64 hex characters (LEAKDEX_SECRETS_KEY); required when secrets.store.' })),
      fingerprintKey: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{64}$', description: 'HMAC-SHA256 key of finding fingerprints, 64 hex characters (LEAKDEX_FINGERPRINT_KEY); generated in dataDir when absent.' })),
    }),
    verify: Type.Object({
      recheckIntervalMs: Type.Integer({ minimum: 0, description: 'How often live and unknown keys of watched apps are verified again, ms (LEAKDEX_VERIFY_RECHECK_HOURS); 0 = never.' }),
      cacheTtlMs: Positive('How long a live or invalid result is reused for the same key, ms.'),
      endpoints: Type.Optional(Type.String({ description: 'LEAKDEX_VERIFY_ENDPOINTS: JSON object of official origin -> replacement origin (docs/verification.md).' })),
    }),
    metricsPublic: Type.Boolean({ description: 'Serve /metrics without an admin key (LEAKDEX_METRICS_PUBLIC=1).' }),
    bootstrapKey: Type.Boolean({ description: 'On first start with no API key, create an admin key for tenant "default" and print it.' }),
  },
  { additionalProperties: false },
);

/** The validated service configuration. */
export type Config = Static<typeof ConfigSchema>;

/** A configuration that failed validation: the message lists every problem. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Defaults: the embedded SQLite store under ./data, 127.0.0.1:8080, one scan per core. */
export function defaultConfig(): Config {
  return {
    host: '127.0.0.1',
    port: 8080,
    dataDir: './data',
    logLevel: 'info',
    logFormat: 'json',
    trustProxy: false,
    jobs: {
      enabled: true,
      concurrency: Math.max(1, availableParallelism()),
      pollMs: 500,
      leaseMs: 30_000,
      maxAttempts: 3,
      keepUploads: false,
      expireGraceMs: 30_000,
      retryDelaySeconds: 2,
      maintenanceMs: 10_000,
      cronMonitorMs: 10_000,
      drainMs: 20_000,
      sweepCron: '* * * * *',
    },
    blobs: { kind: 'local' },
    limits: {
      maxUploadBytes: 1024 ** 3,
      maxWaitSeconds: 600,
      scanTimeoutMs: DEFAULT_LIMITS.scanTimeoutMs,
      scanBudgetBaseMs: 15_000,
      scanBudgetMsPerMb: 1_000,
      entryTimeoutMs: 60_000,
      workerHeapMb: DEFAULT_LIMITS.workerHeapMb,
      maxEntries: DEFAULT_LIMITS.maxEntries,
      maxEntryBytes: DEFAULT_LIMITS.maxEntryBytes,
      maxTotalBytes: DEFAULT_LIMITS.maxTotalBytes,
      maxNestingDepth: DEFAULT_LIMITS.maxNestingDepth,
      maxListItems: 500,
      bodyLimitBytes: 1024 * 1024,
      requestTimeoutMs: 15 * 60_000,
    },
    rateLimit: { max: 600, windowMs: 60_000, authFailures: 20, authWindowMs: 5 * 60_000 },
    secrets: { store: false },
    verify: { recheckIntervalMs: 24 * 3600_000, cacheTtlMs: 24 * 3600_000 },
    metricsPublic: false,
    bootstrapKey: true,
  };
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] = isObject(v) && isObject(base[k]) ? merge(base[k] as Json, v) : v;
  }
  return out;
}

function envInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new ConfigError(`${name}=${JSON.stringify(raw)} is not an integer`);
  return n;
}

function envBool(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name}=${JSON.stringify(raw)} is not a boolean (use 1 or 0)`);
}

function envStr(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : raw;
}

/** The environment's part of the configuration (unset variables leave the value alone). */
function fromEnv(env: NodeJS.ProcessEnv): Json {
  return {
    host: envStr(env, 'HOST'),
    port: envInt(env, 'PORT'),
    dataDir: envStr(env, 'LEAKDEX_DATA_DIR'),
    databaseUrl: envStr(env, 'DATABASE_URL'),
    databaseSchema: envStr(env, 'LEAKDEX_DATABASE_SCHEMA'),
    logLevel: envStr(env, 'LOG_LEVEL'),
    logFormat: envStr(env, 'LOG_FORMAT'),
    trustProxy: envBool(env, 'LEAKDEX_TRUST_PROXY'),
    jobs: { concurrency: envInt(env, 'LEAKDEX_CONCURRENCY'), sweepCron: envStr(env, 'LEAKDEX_SWEEP_CRON'), drainMs: envInt(env, 'LEAKDEX_DRAIN_MS') },
    blobs: {
      kind: envStr(env, 'LEAKDEX_BLOBS'),
      s3: envStr(env, 'LEAKDEX_S3_BUCKET')
        ? {
            endpoint: envStr(env, 'LEAKDEX_S3_ENDPOINT'),
            region: envStr(env, 'LEAKDEX_S3_REGION') ?? envStr(env, 'AWS_REGION') ?? 'us-east-1',
            bucket: envStr(env, 'LEAKDEX_S3_BUCKET'),
            prefix: envStr(env, 'LEAKDEX_S3_PREFIX'),
            forcePathStyle: envBool(env, 'LEAKDEX_S3_FORCE_PATH_STYLE'),
          }
        : undefined,
    },
    limits: {
      maxUploadBytes: envInt(env, 'LEAKDEX_MAX_UPLOAD_BYTES'),
      scanTimeoutMs: envInt(env, 'LEAKDEX_SCAN_TIMEOUT_MS'),
    },
    rateLimit: { max: envInt(env, 'LEAKDEX_RATE_LIMIT') },
    secrets: {
      store: envBool(env, 'LEAKDEX_STORE_SECRETS'),
      encryptionKey: envStr(env, 'LEAKDEX_SECRETS_KEY'),
      fingerprintKey: envStr(env, 'LEAKDEX_FINGERPRINT_KEY'),
    },
    verify: {
      recheckIntervalMs: envInt(env, 'LEAKDEX_VERIFY_RECHECK_HOURS') === undefined ? undefined : envInt(env, 'LEAKDEX_VERIFY_RECHECK_HOURS')! * 3600_000,
      endpoints: envStr(env, 'LEAKDEX_VERIFY_ENDPOINTS'),
    },
    metricsPublic: envBool(env, 'LEAKDEX_METRICS_PUBLIC'),
  };
}

/** Checks a configuration object against the schema and the cross-field rules; throws ConfigError listing every problem. */
export function validateConfig(candidate: unknown): Config {
  const problems = [...Value.Errors(ConfigSchema, candidate)].map((e) => `${e.path || '/'}: ${e.message}`);
  if (problems.length) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  const config = candidate as Config;
  if (config.secrets.store && !config.secrets.encryptionKey) {
    throw new ConfigError('invalid configuration:\n  /secrets/store: storing raw secrets needs LEAKDEX_SECRETS_KEY (64 hex characters: an AES-256 key)');
  }
  if (config.blobs.kind === 's3' && !config.blobs.s3) {
    throw new ConfigError('invalid configuration:\n  /blobs/s3: LEAKDEX_BLOBS=s3 needs LEAKDEX_S3_BUCKET (and LEAKDEX_S3_ENDPOINT for a server other than AWS)');
  }
  if (config.blobs.s3) {
    const s3 = config.blobs.s3;
    try {
      checkS3Options({ region: s3.region, bucket: s3.bucket, ...(s3.endpoint ? { endpoint: s3.endpoint } : {}), ...(s3.prefix ? { prefix: s3.prefix } : {}) });
    } catch (e) {
      throw new ConfigError(`invalid configuration:\n  /blobs/s3: ${(e as Error).message}`);
    }
  }
  if (config.blobs.kind === 'postgres' && !config.databaseUrl) {
    throw new ConfigError('invalid configuration:\n  /blobs/kind: LEAKDEX_BLOBS=postgres needs DATABASE_URL');
  }
  try {
    parseEndpoints(config.verify.endpoints);
  } catch (e) {
    throw new ConfigError(`invalid configuration:\n  /verify/endpoints: ${(e as Error).message}`);
  }
  return config;
}

/**
 * Builds the configuration once at boot: defaults, then the JSON file named by `file` (or LEAKDEX_CONFIG), then the
 * environment, then `overrides` (command-line flags). Throws ConfigError when anything is invalid.
 */
export function loadConfig(opts: { env?: NodeJS.ProcessEnv; file?: string; overrides?: Record<string, unknown> } = {}): Config {
  const env = opts.env ?? process.env;
  let config: Json = defaultConfig() as unknown as Json;
  const file = opts.file ?? envStr(env, 'LEAKDEX_CONFIG');
  if (file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new ConfigError(`cannot read configuration file ${file}: ${(e as Error).message}`);
    }
    if (!isObject(parsed)) throw new ConfigError(`configuration file ${file} must hold a JSON object`);
    config = merge(config, parsed);
  }
  config = merge(config, fromEnv(env));
  if (opts.overrides) config = merge(config, opts.overrides);
  const valid = validateConfig(config);
  return { ...valid, dataDir: resolve(valid.dataDir) };
}
