import type { CompletionWithValues } from './verification.js';
import { Worker } from 'node:worker_threads';
import type { FindingKeys } from './crypto.js';
import { HttpError } from './errors.js';
import type { Inspected } from './inspect.js';
import type { SupervisedScanOptions, SupervisorError, SupervisorReply, SupervisorRequest } from './scan-supervisor.js';

const SUPERVISOR = new URL('./scan-supervisor.js', import.meta.url);

interface Pending {
  resolve: (result: never) => void;
  reject: (e: Error) => void;
  onEntries?: (n: number) => void;
}

/** A scan the supervisor thread could not finish; the message is the scan's own (ScanFailure, timeout). */
export class SupervisedScanError extends Error {
  override name = 'SupervisedScanError';
}

function fromSupervisor(e: SupervisorError): Error {
  return e.http ? new HttpError(e.http.statusCode, e.http.code, e.message) : new SupervisedScanError(e.message);
}

/**
 * The main thread's end of the scan supervisor (src/service/scan-supervisor.ts): uploads are hashed and classified
 * and scans run there, from starting their worker processes to the stored form of the report, so the thread
 * answering HTTP requests only receives results. The thread is started on first use, holds the process open only
 * while work is in flight, and is started again after it stops.
 */
export class ScanThread {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  /** Scans `path` with fingerprints keyed by `keys`; `onEntries` gets progress (entries reached since the last call). */
  scan(path: string, options: SupervisedScanOptions, keys: FindingKeys, displayPath: string, onEntries: (n: number) => void, keepValues = false): Promise<CompletionWithValues> {
    const id = this.nextId++;
    return this.request(id, { op: 'scan', id, path, options, keys: { fingerprint: keys.fingerprint, ...(keys.encryption ? { encryption: keys.encryption } : {}) }, displayPath, keepValues }, onEntries);
  }

  /** Hashes and classifies an upload (src/service/inspect.ts); rejects with its HttpError when it is not an app. */
  inspect(path: string, maxEntries: number): Promise<Inspected> {
    const id = this.nextId++;
    return this.request(id, { op: 'inspect', id, path, maxEntries });
  }

  /** Starts a scan worker process ahead of the next scan (pipeline/spare.ts), from the supervisor thread. */
  prespawn(heapMb: number): void {
    this.thread().postMessage({ op: 'prespawn', heapMb } satisfies SupervisorRequest);
  }

  /** Stops the thread; work in flight rejects (scan worker processes lose their parent's channel and exit). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
    this.failAll(new SupervisedScanError('the scan supervisor was stopped'));
  }

  private request<T>(id: number, message: SupervisorRequest, onEntries?: (n: number) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: never) => void, reject, onEntries });
      const worker = this.thread();
      worker.ref();
      worker.postMessage(message);
    });
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    // None of the parent's flags or loaders (a test runner's hooks): the thread runs the compiled modules as they are.
    const worker = new Worker(SUPERVISOR, { execArgv: [] });
    worker.unref();
    worker.on('message', (reply: SupervisorReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      if ('entries' in reply) return p.onEntries?.(reply.entries);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if ('result' in reply) p.resolve(reply.result as never);
      else p.reject(fromSupervisor(reply.error));
    });
    const stopped = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failAll(new SupervisedScanError(`the scan supervisor stopped: ${why}`));
    };
    worker.on('error', (e) => stopped(e.message));
    worker.on('exit', (code) => stopped(`exit code ${code}`));
    this.worker = worker;
    return worker;
  }

  private failAll(e: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(e);
  }
}
