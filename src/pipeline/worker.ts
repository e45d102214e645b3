import { parentPort, workerData } from 'node:worker_threads';
import { scanFileSync, type ScanOptions } from './index.js';

/** Message from the scan worker to its parent. */
export type WorkerMessage =
  | { type: 'entry'; path: string }
  | { type: 'done'; report: import('../report/types.js').Report }
  | { type: 'failed'; message: string };

export interface WorkerInput {
  path: string;
  options: Omit<ScanOptions, 'skip' | 'onEntry'>;
  skip: string[];
}

const input = workerData as WorkerInput;
const port = parentPort;
if (port) {
  try {
    const report = scanFileSync(input.path, {
      ...input.options,
      skip: new Set(input.skip),
      onEntry: (path) => port.postMessage({ type: 'entry', path } satisfies WorkerMessage),
    });
    port.postMessage({ type: 'done', report } satisfies WorkerMessage);
  } catch (e) {
    port.postMessage({ type: 'failed', message: e instanceof Error ? e.message : String(e) } satisfies WorkerMessage);
  }
}
