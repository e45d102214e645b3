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
 * glibc malloc settings for scan workers. A scan allocates and frees buffers of every size (compressed entries,
 * inflated entries); by default the large ones are mapped and unmapped each time, and every first touch of a fresh
 * page is a page fault, which costs about 12 us here (17 MB read into a new buffer: 50 ms; into a used one: 2 ms).
 * Serving them from the heap and keeping freed memory for reuse cut a 17 MB APK's page faults from about 21,800 to
 * 15,800 and the CLI's scan of it from 1,856 to 1,755 ms (median of 9). A worker lives for one scan, so the memory kept is returned when it exits.
 */
export const WORKER_MALLOC_ENV = { MALLOC_MMAP_THRESHOLD_: String(128 * 1024 * 1024), MALLOC_TRIM_THRESHOLD_: String(1024 * 1024 * 1024) };

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
    // The heap ceiling of this scan; none of the parent's flags or loaders (a test runner's hooks). Young generation
    // at most 8 MB per semi-space: 16 cost 15-20 MB more peak RSS on a 17 MB APK for no measurable speed.
    execArgv: [`--max-old-space-size=${heapMb}`, '--max-semi-space-size=8'],
    serialization: 'advanced',
    env: { ...process.env, ...WORKER_MALLOC_ENV, [PARENT_PID_ENV]: String(process.pid) },
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

