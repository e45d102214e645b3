import { Worker } from 'node:worker_threads';
import type { Report } from '../report/types.js';
import { DEFAULT_LIMITS } from '../limits.js';
import type { ScanOptions } from './index.js';
import type { WorkerInput, WorkerMessage } from './worker.js';

export interface IsolatedScanOptions extends Omit<ScanOptions, 'skip' | 'onEntry'> {
  /** An entry that takes longer than this stops the worker and is skipped on retry, ms. */
  entryTimeoutMs?: number;
  /** Called with each entry path as the worker reaches it (progress). */
  onEntry?: (path: string) => void;
}

/** Most worker restarts for one scan before it is given up. */
export const MAX_WORKER_RESTARTS = 8;
export const DEFAULT_ENTRY_TIMEOUT_MS = 60_000;

/** A scan that could not produce a report at all (unreadable file, every retry failed). */
export class ScanFailure extends Error {
  override name = 'ScanFailure';
}

/**
 * Scans a file in a worker thread with a heap ceiling. When decoding an entry kills the worker (out of memory, a
 * hang), that entry is recorded as a diagnostic and the scan is re-run without it: nothing else is lost.
 */
export async function scanFileIsolated(path: string, opts: IsolatedScanOptions = {}): Promise<Report> {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const { onEntry, entryTimeoutMs = DEFAULT_ENTRY_TIMEOUT_MS, ...options } = opts;
  const crashed = new Map<string, string>();
  const deadline = Date.now() + limits.scanTimeoutMs;
  for (let attempt = 0; attempt <= MAX_WORKER_RESTARTS; attempt++) {
    const outcome = await runOnce(path, { path, options, skip: [...crashed.keys()] }, limits.workerHeapMb, entryTimeoutMs, deadline, onEntry);
    if (outcome.kind === 'done') {
      for (const d of outcome.report.diagnostics) {
        const why = d.code === 'scan.entry_crashed_worker' ? crashed.get(d.entry) : undefined;
        if (why) d.message = `decoding this entry stopped the scan worker (${why}); it was skipped`;
      }
      return outcome.report;
    }
    if (outcome.kind === 'failed') throw new ScanFailure(outcome.message);
    if (outcome.entry === undefined || crashed.has(outcome.entry)) throw new ScanFailure(`scan worker stopped outside any entry: ${outcome.reason}`);
    crashed.set(outcome.entry, outcome.reason);
  }
  throw new ScanFailure(`scan worker stopped ${MAX_WORKER_RESTARTS + 1} times; giving up`);
}

type Outcome = { kind: 'done'; report: Report } | { kind: 'failed'; message: string } | { kind: 'crashed'; entry?: string; reason: string };

function runOnce(path: string, input: WorkerInput, heapMb: number, entryTimeoutMs: number, deadline: number, onEntry?: (path: string) => void): Promise<Outcome> {
  return new Promise((resolve) => {
    const worker = new Worker(new URL('./worker.js', import.meta.url), {
      workerData: input,
      // The worker needs no loaders or flags of the parent (a test runner's hooks change how V8 handles its OOM).
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 64, stackSizeMb: 8 },
      stdout: false,
      stderr: false,
    });
    let current: string | undefined;
    let settled = false;
    let entryTimer: NodeJS.Timeout | undefined;
    const finish = (o: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(entryTimer);
      clearTimeout(overall);
      resolve(o);
      void worker.terminate();
    };
    const armEntryTimer = () => {
      clearTimeout(entryTimer);
      entryTimer = setTimeout(() => finish({ kind: 'crashed', entry: current, reason: `no progress for ${Math.round(entryTimeoutMs / 1000)} s` }), entryTimeoutMs);
    };
    const overall = setTimeout(() => finish({ kind: 'failed', message: `scan of ${path} timed out` }), Math.max(0, deadline - Date.now()));
    armEntryTimer();
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'entry') {
        current = m.path;
        armEntryTimer();
        onEntry?.(m.path);
      } else if (m.type === 'done') finish({ kind: 'done', report: m.report });
      else finish({ kind: 'failed', message: m.message });
    });
    worker.on('error', (e) => {
      const code = (e as NodeJS.ErrnoException).code;
      finish({ kind: 'crashed', entry: current, reason: code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'out of memory' : e.message });
    });
    worker.on('exit', (code) => finish({ kind: 'crashed', entry: current, reason: `worker exited with code ${code}` }));
  });
}
