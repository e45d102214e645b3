import { parentPort, workerData } from 'node:worker_threads';
import { walkShardSync, type ShardResult } from './index.js';
import type { WalkOptions } from './scan.js';
import type { Rule } from '../../rules/types.js';

/** Message from a scan worker to its parent. */
export type WorkerMessage = { type: 'entry'; path: string } | { type: 'done'; result: ShardResult } | { type: 'failed'; message: string };

export interface WorkerInput {
  path: string;
  /** `rules`: user rules (plain data with RegExps, structured-cloned), used with the built-in ones. */
  options: Pick<WalkOptions, 'limits' | 'shard'> & { rules?: Rule[] };
  skip: string[];
}

const input = workerData as WorkerInput;
const port = parentPort;
if (port) {
  try {
    const result = walkShardSync(input.path, {
      ...input.options,
      skip: new Set(input.skip),
      onEntry: (path) => port.postMessage({ type: 'entry', path } satisfies WorkerMessage),
    });
    port.postMessage({ type: 'done', result } satisfies WorkerMessage);
  } catch (e) {
    port.postMessage({ type: 'failed', message: e instanceof Error ? e.message : String(e) } satisfies WorkerMessage);
  }
}
