/**
 * The scan worker: a child process that walks one shard of an artifact and reports back over IPC. A process, not a
 * thread: V8 may abort the whole process when a heap fills inside native code (JSON.parse of a hostile entry), and
 * only a process boundary keeps that from taking the CLI or the service down with it.
 */
// First: the watchdog thread starts before the rest of the worker is evaluated.
import { watchdog } from './worker-watch.js';
import { prepareShardDetector, walkShardSync, type ShardOptions, type ShardResult } from './index.js';
import { boundFailure, boundShardResult } from './bounds.js';
import { CollectPolicy } from './collect.js';

/**
 * Message from a scan worker to its parent. `entry`: the entries reached since the last such message, in order; the
 * last is the one being decoded. `done`: findings are made here, so raw values cross to the parent only when the
 * input's `showSecrets` asks for them; its size is bounded (bounds.ts).
 */
export type WorkerMessage = { type: 'entry'; paths: string[] } | { type: 'done'; result: ShardResult } | { type: 'failed'; message: string };

export interface WorkerInput {
  path: string;
  /**
   * `rules`: user rules (plain data with RegExps, structured-cloned), used with the built-in ones. `fingerprintKey`:
   * the HMAC key of fingerprints (bytes over the IPC channel, never in argv or the environment).
   */
  options: Pick<ShardOptions, 'limits' | 'shard' | 'rules' | 'fingerprintKey' | 'showSecrets'>;
  skip: string[];
  /**
   * Send every entry as it starts. Otherwise entries are sent in batches, at most one message per
   * PROGRESS_INTERVAL_MS (one message per entry cost about 10 % of a scan of an APK with 3,800 entries), so the
   * last entry the parent knows of may not be the one being decoded. After a crash the shard is run again with
   * `exact` set, so the entry that killed the worker is known for certain.
   */
  exact?: boolean;
  /** When the whole scan must be over (epoch ms): the worker stops itself soon after, even if its parent cannot. */
  deadline?: number;
  /** Resident memory ceiling of the worker, MiB (its heap ceiling does not bound Buffers and native memory). */
  rssMb?: number;
}

/** Least time between two progress messages of a worker that is not in exact mode, ms. */
export const PROGRESS_INTERVAL_MS = 50;

const send = process.send?.bind(process);
const dog = watchdog;
if (send && dog) {
  // A worker whose parent is gone (or never used it: a spare) has nothing left to do: an idle one hears it on its IPC
  // channel, a scanning one from its watchdog thread.
  process.once('disconnect', () => process.exit(0));
  // While it waits for its scan (a spare, or a CLI still loading itself), the worker builds the built-in rules'
  // Detector; a scan with user rules builds its own. Invalid rules fail the scan itself, with its message.
  const idle = setImmediate(() => {
    try {
      prepareShardDetector();
    } catch {
      /* reported by the scan */
    }
  });
  process.once('message', async (input: WorkerInput) => {
    clearImmediate(idle);
    dog.arm({ deadline: input.deadline, rssMb: input.rssMb });
    // Not built yet (the scan came first, or has user rules): built while the watchdog thread may still be starting.
    try {
      prepareShardDetector(input.options.rules);
    } catch {
      /* the walk builds it again and fails the scan with the reason */
    }
    await dog.ready;
    const post = (m: WorkerMessage, then?: () => void) => send(m, undefined, undefined, then);
    let lastProgress = 0;
    const collect = CollectPolicy.ofProcess();
    let reached: string[] = [];
    const flush = () => {
      if (reached.length === 0) return;
      post({ type: 'entry', paths: reached });
      reached = [];
    };
    try {
      const result = walkShardSync(input.path, {
        ...input.options,
        skip: new Set(input.skip),
        onEntry: (path, declaredSize) => {
          collect?.beforeEntry(declaredSize);
          reached.push(path);
          const now = Date.now();
          if (input.exact !== true && now - lastProgress < PROGRESS_INTERVAL_MS) return;
          lastProgress = now;
          flush();
        },
      });
      flush();
      post({ type: 'done', result: { ...boundShardResult(result), peakRssMb: process.resourceUsage().maxRSS / 1024 } }, () => process.disconnect());
    } catch (e) {
      post({ type: 'failed', message: boundFailure(e instanceof Error ? e.message : String(e)) }, () => process.disconnect());
    }
  });
}
