import { availableParallelism } from 'node:os';
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Report } from '../report/types.js';
import { DEFAULT_LIMITS, workerRssMb, type ScanLimits } from '../limits.js';
import type { ScanOptions } from './index.js';
import { mergeShards, type ShardResult } from './merge.js';
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { WorkerInput, WorkerMessage } from './worker.js';
import { takeWorker } from './spare.js';
import { watchdogReason } from './watchdog.js';
import { DirectorySource } from './directory.js';
import { artifactProblem, identityChange, identityOf, type FileIdentity } from './app-check.js';

export { prespawnWorker, WORKER_NICENESS } from './spare.js';

export interface IsolatedScanOptions extends Omit<ScanOptions, 'skip' | 'onEntry' | 'shard'> {
  /** An entry that takes longer than this stops its worker and is skipped on retry, ms. */
  entryTimeoutMs?: number;
  /** Called with each entry path as a worker reaches it (progress). */
  onEntry?: (path: string) => void;
  /** Workers sharing one scan (default: the machine's cores, at most 4; 1 for small files). */
  parallelism?: number;
  /** The file's SHA-256 when the caller already has it (an upload hashed while streaming). */
  sha256?: string;
}

/**
 * SHA-256 of a file, read in 1 MiB pieces into one reused buffer: never blocks the event loop for more than one
 * piece, and adds 1 MiB to the process's memory where a stream's fresh chunks added about 18 MB for a 17 MB file.
 */
export async function hashFile(path: string): Promise<string> {
  const h = createHash('sha256');
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return h.digest('hex');
}

/** Most worker restarts for one shard before the scan is given up. */
export const MAX_WORKER_RESTARTS = 8;
export const DEFAULT_ENTRY_TIMEOUT_MS = 60_000;
/**
 * Files smaller than this are scanned by one worker. Each worker is a fresh process whose JIT warms up on its own:
 * measured on a 17 MB APK, one cold worker took 1.9 s where a warm one took 1.34 s, so two workers saved only about
 * 5 % of the wall time for 70 % more memory. Larger files amortise the warm-up.
 */
export const PARALLEL_MIN_BYTES = 64 * 1024 * 1024;
export const MAX_PARALLELISM = 4;

/** A scan that could not produce a report at all (unreadable file, every retry failed). */
export class ScanFailure extends Error {
  override name = 'ScanFailure';
}

/**
 * Scans a file or a directory in worker processes with a heap ceiling, split into shards of entries that run in
 * parallel. When decoding an entry kills a worker (out of memory, a hang), that entry is recorded as a diagnostic and
 * its shard is re-run without it: nothing else is lost.
 */
export async function scanFileIsolated(path: string, opts: IsolatedScanOptions = {}): Promise<Report> {
  const started = performance.now();
  const limits: ScanLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const { onEntry, entryTimeoutMs = DEFAULT_ENTRY_TIMEOUT_MS, parallelism, displayPath } = opts;
  let size: number;
  let directory: DirectorySource | undefined;
  let identity: FileIdentity;
  let problem: string | undefined;
  try {
    const st = statSync(path);
    // A directory is listed here for its size and digest; each worker lists it again and reads its share in place.
    if (st.isDirectory()) directory = DirectorySource.open(path, { limits });
    else if (!st.isFile()) throw new Error(`${path} is not a regular file`);
    size = directory ? directory.size : st.size;
    identity = identityOf(st, directory);
    if (size <= limits.maxArtifactBytes && !directory) problem = await artifactProblem(path, displayPath ?? path, { maxEntries: limits.maxEntries });
  } catch (e) {
    throw new ScanFailure((e as Error).message);
  }
  if (size > limits.maxArtifactBytes) throw new ScanFailure(`${path} is ${size} bytes, over the ${limits.maxArtifactBytes}-byte limit`);
  if (problem !== undefined) throw new ScanFailure(problem);
  const count = Math.max(1, Math.min(MAX_PARALLELISM, parallelism ?? (size >= PARALLEL_MIN_BYTES ? Math.min(availableParallelism(), MAX_PARALLELISM) : 1)));
  const deadline = Date.now() + limits.scanTimeoutMs;
  const budget: WorkerBudget = { heapMb: limits.workerHeapMb, rssMb: workerRssMb(limits), entryTimeoutMs, deadline };
  const shards = Array.from({ length: count }, (_, index) => runShard(path, shardOptions(opts, { index, count }), budget, onEntry));
  // A file changed under the workers was not read whole, and the hash taken meanwhile is of no one version of it.
  const unchanged = () => {
    const change = identityChange(path, identity, limits);
    if (change !== undefined) throw new ScanFailure(`the file changed while it was being scanned (${change}): scan a finished file`);
  };
  let sha256: string;
  let results: ShardResult[];
  try {
    // Hash while the workers decode, without blocking the event loop (the service may pass the upload's hash).
    [sha256, ...results] = await Promise.all([opts.sha256 ?? (directory ? directory.sha256() : hashFile(path)), ...shards]);
  } catch (e) {
    // A shard that failed on a file cut short failed because of the change: say that instead.
    unchanged();
    throw e;
  }
  unchanged();
  return mergeShards(displayPath ?? path, sha256, size, results, performance.now() - started);
}

/** What a scan worker is told about one shard of a scan made with `opts`: plain data (it is structured-cloned). */
export function shardOptions(opts: IsolatedScanOptions, shard: { index: number; count: number }): WorkerInput['options'] {
  const options: WorkerInput['options'] = { limits: opts.limits ?? {}, shard };
  if (opts.rules?.length) options.rules = opts.rules;
  if (opts.fingerprintKey !== undefined) options.fingerprintKey = opts.fingerprintKey;
  if (opts.showSecrets === true) options.showSecrets = true;
  return options;
}

/** What each worker of a scan may use: heap and resident memory (MiB), time per entry (ms), the scan's deadline (epoch ms). */
interface WorkerBudget {
  heapMb: number;
  rssMb: number;
  entryTimeoutMs: number;
  deadline: number;
}

/** Runs one shard to completion, restarting its worker without each entry that killed it. */
async function runShard(path: string, options: WorkerInput['options'], budget: WorkerBudget, onEntry?: (path: string) => void): Promise<ShardResult> {
  const crashed = new Map<string, string>();
  let last = '';
  // Progress is reported sparsely until a worker dies; from then on every entry, so the culprit is known exactly.
  let exact = false;
  for (let attempt = 0; attempt <= MAX_WORKER_RESTARTS; attempt++) {
    const outcome = await runOnce({ path, options, skip: [...crashed.keys()], exact, deadline: budget.deadline, rssMb: budget.rssMb }, budget, onEntry);
    if (outcome.kind === 'done') {
      for (const d of outcome.result.walk.diagnostics) {
        const why = d.code === 'scan.entry_crashed_worker' ? crashed.get(d.entry) : undefined;
        if (why) d.message = `decoding this entry stopped the scan worker (${why}); it was skipped`;
      }
      return outcome.result;
    }
    if (outcome.kind === 'failed') throw new ScanFailure(outcome.message);
    last = outcome.reason;
    if (!exact) {
      exact = true;
      continue;
    }
    if (outcome.entry === undefined || crashed.has(outcome.entry)) throw new ScanFailure(`scan worker stopped outside any entry: ${outcome.reason}`);
    crashed.set(outcome.entry, outcome.reason);
  }
  throw new ScanFailure(`scan worker stopped ${MAX_WORKER_RESTARTS + 1} times (last: ${last}); giving up`);
}

type Outcome = { kind: 'done'; result: ShardResult } | { kind: 'failed'; message: string } | { kind: 'crashed'; entry?: string; reason: string };

function runOnce(input: WorkerInput, budget: WorkerBudget, onEntry?: (path: string) => void): Promise<Outcome> {
  const { entryTimeoutMs, deadline } = budget;
  return new Promise((resolve) => {
    const worker = takeWorker(budget.heapMb);
    const child = worker.child;
    let current: string | undefined;
    let settled = false;
    let entryTimer: NodeJS.Timeout | undefined;
    const finish = (o: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(entryTimer);
      clearTimeout(overall);
      resolve(o);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const armEntryTimer = () => {
      clearTimeout(entryTimer);
      entryTimer = setTimeout(() => finish({ kind: 'crashed', entry: current, reason: `no progress for ${Math.round(entryTimeoutMs / 1000)} s` }), entryTimeoutMs);
    };
    const overall = setTimeout(() => finish({ kind: 'failed', message: `scan of ${input.path} timed out` }), Math.max(0, deadline - Date.now()));
    armEntryTimer();
    child.on('message', (m: WorkerMessage) => {
      if (m.type === 'entry') {
        current = m.paths[m.paths.length - 1];
        armEntryTimer();
        if (onEntry) for (const p of m.paths) onEntry(p);
      } else if (m.type === 'done') finish({ kind: 'done', result: m.result });
      else finish({ kind: 'failed', message: m.message });
    });
    child.on('error', (e) => finish({ kind: 'crashed', entry: current, reason: e.message }));
    child.on('exit', (code, signal) => {
      const tail = worker.stderrTail();
      const oom = /heap out of memory|Reached heap limit/.test(tail);
      const stopped = watchdogReason(tail);
      // Let any message still queued on the channel be handled first.
      setImmediate(() => {
        if (Date.now() >= deadline) finish({ kind: 'failed', message: `scan of ${input.path} timed out` });
        else finish({ kind: 'crashed', entry: current, reason: oom ? 'out of memory' : (stopped ?? (signal ? `worker killed by ${signal}` : `worker exited with code ${code}`)) });
      });
    });
    child.send(input);
  });
}
