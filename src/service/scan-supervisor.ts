/**
 * The service's scan supervisor: a worker thread that does the CPU and process work of uploads and scans, so the
 * thread answering HTTP requests only sends requests and receives results (src/service/scan-thread.ts is its other
 * end). It hashes and classifies uploads, starts scan worker processes and talks to them, merges their shards and
 * turns the report into what is stored. Measured under `npm run bench:service`, starting a worker process blocked
 * the thread that starts it for 10-26 ms of CPU (fork copies the page tables of the service's 130-200 MB, then waits
 * for the child's exec), the largest stalls of the service's event loop.
 */
import { parentPort } from 'node:worker_threads';
import { prespawnWorker, scanFileIsolated, type IsolatedScanOptions } from '../pipeline/run.js';
import type { ScanCompletion } from '../store/types.js';
import { HttpError } from './errors.js';
import { inspectUpload, type Inspected } from './inspect.js';
import { prepareCompletion } from './results.js';
import type { CompletionWithValues } from './verification.js';

/** Longest time progress (entries reached) waits before it is sent to the main thread, ms. */
export const PROGRESS_FLUSH_MS = 100;

/** A scan's options as they cross to the thread: plain data (structured-cloned), no callbacks. */
export type SupervisedScanOptions = Omit<IsolatedScanOptions, 'onEntry' | 'fingerprintKey'>;

/** What the main thread asks of the supervisor. */
export type SupervisorRequest =
  | { op: 'scan'; id: number; path: string; options: SupervisedScanOptions; keys: { fingerprint: Uint8Array; encryption?: Uint8Array }; displayPath: string; keepValues?: boolean }
  | { op: 'inspect'; id: number; path: string; maxEntries: number }
  | { op: 'prespawn'; heapMb: number };

/** A failure as it crosses back: an HttpError keeps its status and code. */
export interface SupervisorError {
  message: string;
  http?: { statusCode: number; code: string };
}

/** What the supervisor answers: progress of a scan, then its result or its error. */
export type SupervisorReply = { id: number; entries: number } | { id: number; result: ScanCompletion | Inspected } | { id: number; error: SupervisorError };

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

function asError(e: unknown): SupervisorError {
  if (e instanceof HttpError) return { message: e.message, http: { statusCode: e.statusCode, code: e.code } };
  return { message: e instanceof Error ? e.message : String(e) };
}

async function scan(port: NonNullable<typeof parentPort>, req: Extract<SupervisorRequest, { op: 'scan' }>): Promise<ScanCompletion> {
  let entries = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    if (entries === 0) return;
    port.postMessage({ id: req.id, entries } satisfies SupervisorReply);
    entries = 0;
  };
  const keys = { fingerprint: asBuffer(req.keys.fingerprint), ...(req.keys.encryption ? { encryption: asBuffer(req.keys.encryption) } : {}) };
  try {
    const report = await scanFileIsolated(req.path, {
      ...req.options,
      fingerprintKey: keys.fingerprint,
      onEntry: () => {
        entries++;
        timer ??= setTimeout(flush, PROGRESS_FLUSH_MS);
      },
    });
    const completion: CompletionWithValues = prepareCompletion(report, keys, req.displayPath);
    // For the verification that follows in the runner (src/service/verification.ts): in memory only, never stored.
    if (req.keepValues) completion.values = report.findings.filter((f) => f.secret !== undefined).map((f) => [f.fingerprint, f.secret!]);
    return completion;
  } finally {
    clearTimeout(timer);
    flush();
  }
}

const port = parentPort;
if (port) {
  port.on('message', (req: SupervisorRequest) => {
    if (req.op === 'prespawn') return prespawnWorker(req.heapMb);
    const work = req.op === 'scan' ? scan(port, req) : inspectUpload(req.path, req.maxEntries);
    work.then(
      (result) => port.postMessage({ id: req.id, result } satisfies SupervisorReply),
      (e: unknown) => port.postMessage({ id: req.id, error: asError(e) } satisfies SupervisorReply),
    );
  });
}
