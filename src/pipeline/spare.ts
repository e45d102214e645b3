/**
 * Scan worker processes: started on demand, or one ahead of need (a spare) so that its start-up overlaps the
 * caller's. Imports nothing but Node built-ins, the limits and the watchdog's constants, so the CLI can start a spare before loading itself.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setPriority } from 'node:os';
import { statSync } from 'node:fs';
import { DEFAULT_LIMITS } from '../limits.js';
import { PARENT_PID_ENV } from './watchdog.js';

/** Scheduling niceness of scan workers (0 normal, 19 lowest). */
export const WORKER_NICENESS = 10;
/** Bytes of a worker's stderr kept to explain how it died. */
const STDERR_TAIL = 4096;

/**
 * Largest semi-space of a worker's young generation, MB. Most of what a scan allocates dies within one entry; with
 * smaller semi-spaces V8 scavenges more often and the heap grows less. Measured with `leakdex scan`'s two processes
 * on this 2-core machine, 5 alternating runs of each (with the collection policy of collect.ts):
 *   large bench APK: 2 MB 4,169-4,573 ms, 173-199 MB peak RSS; 4 MB 3,963-4,573 ms, 179-184 MB; 8 MB 3,926-4,549 ms,
 *   189-197 MB. uiautomator2: 2 MB 2,107-2,519 ms, 168-178 MB; 4 MB 2,108-2,413 ms, 169-174 MB; 8 MB 2,018-2,513 ms,
 *   187-191 MB. 16 had cost 15-20 MB more than 8 on a 17 MB APK for no speed.
 * The workers used to run with MALLOC_MMAP_THRESHOLD_=128 MiB and MALLOC_TRIM_THRESHOLD_=1 GiB (fewer page faults on
 * big buffers, 1,856 -> 1,755 ms on a 17 MB APK when measured): measured again in 4 alternating runs, without them
 * the large APK's peak RSS was 185-195 against 197-217 MB at the same speed (wall 3.7-4.8 s against 3.5-4.5 s) and
 * uiautomator2's 164-178 against 176-177 MB (2.35-2.56 s against 2.24-2.53 s), since freed memory is returned.
 */
export const WORKER_SEMI_SPACE_MB = 4;

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));
const WORKER_BUNDLE = fileURLToPath(new URL('./worker.bundle.js', import.meta.url));
/** Written by every tsc build: a bundle older than it may hold code that has changed since. */
const TS_BUILD_INFO = fileURLToPath(new URL('../../.tsbuildinfo', import.meta.url));

/** The bundled worker (one file: loads faster) when the last build made it, else the compiled worker.js. */
function workerScript(): string {
  let bundled: number;
  try {
    bundled = statSync(WORKER_BUNDLE).mtimeMs;
  } catch {
    return WORKER;
  }
  try {
    return statSync(TS_BUILD_INFO).mtimeMs > bundled ? WORKER : WORKER_BUNDLE;
  } catch {
    return WORKER_BUNDLE;
  }
}

export interface WorkerProcess {
  child: ChildProcess;
  heapMb: number;
  /** The last bytes the worker wrote to stderr (how it died). */
  stderrTail: () => string;
}

function spawnWorker(heapMb: number): WorkerProcess {
  const child = fork(workerScript(), [], {
    // The heap ceiling of this scan; none of the parent's flags or loaders (a test runner's hooks).
    execArgv: [`--max-old-space-size=${heapMb}`, `--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`, '--expose-gc'],
    serialization: 'advanced',
    // glibc's own malloc settings: freed buffers go back to the system (see WORKER_SEMI_SPACE_MB for the figures).
    env: { ...process.env, [PARENT_PID_ENV]: String(process.pid) },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  // Scans yield the CPU to whoever else runs here: the service's event loop answers reads while they decode.
  if (child.pid !== undefined) {
    try {
      setPriority(child.pid, WORKER_NICENESS);
    } catch {
      /* not permitted here: scans run at normal priority */
    }
  }
  let tail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    tail = (tail + d).slice(-STDERR_TAIL);
  });
  child.on('error', () => {
    /* reported to the scan that uses this worker (or none, for a spare that is never used) */
  });
  return { child, heapMb, stderrTail: () => tail };
}

function alive(w: WorkerProcess): boolean {
  return w.child.exitCode === null && w.child.signalCode === null && w.child.connected;
}

/** Holds a worker's handles in (or out of) its parent's event loop. */
function holdOpen(w: WorkerProcess, hold: boolean): void {
  const handles = [w.child, w.child.channel, w.child.stderr] as Array<{ ref(): void; unref(): void } | null | undefined>;
  for (const h of handles) {
    if (hold) h?.ref();
    else h?.unref();
  }
}

let spare: WorkerProcess | undefined;

/**
 * Starts a scan worker before it is needed, so that its start-up (a Node process, then the decoders and rules:
 * about 0.3 s here) overlaps whatever the caller does first. The next scan with the same heap ceiling takes it. A
 * spare never keeps its parent alive, and exits with it.
 */
export function prespawnWorker(heapMb: number = DEFAULT_LIMITS.workerHeapMb): void {
  if (spare && alive(spare) && spare.heapMb === heapMb) return;
  if (spare) spare.child.kill('SIGKILL');
  spare = spawnWorker(heapMb);
  holdOpen(spare, false);
}

/** Process id of the waiting spare worker, if there is one. */
export function spareWorkerPid(): number | undefined {
  return spare && alive(spare) ? spare.child.pid : undefined;
}

/** A worker for one scan: the spare when it is alive and has this heap ceiling, else a new one. */
export function takeWorker(heapMb: number): WorkerProcess {
  const w = spare;
  spare = undefined;
  if (w && alive(w) && w.heapMb === heapMb) {
    holdOpen(w, true);
    return w;
  }
  w?.child.kill('SIGKILL');
  return spawnWorker(heapMb);
}

