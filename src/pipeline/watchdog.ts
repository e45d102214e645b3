/**
 * The scan worker's watchdog: a thread of the worker process that stops it (SIGKILL to itself) when its parent is
 * gone, when its scan is past its deadline, or when its resident memory is over its ceiling. A thread, because a
 * scan is one synchronous loop: the worker's own event loop (its IPC `disconnect` event, its timers) does not run
 * until the scan ends, so an orphaned worker of a killed service would scan on for minutes. Node cannot ask the kernel
 * for a parent-death signal (prctl PR_SET_PDEATHSIG) without native code; a changed parent pid says the same.
 */
import { Worker } from 'node:worker_threads';

/** How often the watchdog looks, ms: a worker outlives its parent, deadline or ceiling by at most about this. */
export const WATCHDOG_INTERVAL_MS = 100;
/**
 * Time a worker gives its parent past the scan deadline before stopping itself, ms: the parent's own timer normally
 * ends the scan first and says why.
 */
export const WORKER_DEADLINE_GRACE_MS = 1_000;
/** Environment variable that tells a worker its parent's pid (read before anything can have made it an orphan). */
export const PARENT_PID_ENV = 'LEAKDEX_WORKER_PARENT_PID';
/** What a worker writes on stderr when its watchdog stops it; the parent reads the reason from its stderr tail. */
export const WATCHDOG_STOP = 'leakdex worker stopped: ';

// Plain JavaScript run by the thread (eval: it must survive bundling into worker.bundle.js as it is). state[0]: the
// deadline (epoch ms, 0 none); state[1]: the memory ceiling (bytes, 0 none).
const THREAD = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const { parentPid, state, intervalMs, prefix } = workerData;
const stop = (why) => {
  try { writeSync(2, '\\n' + prefix + why + '\\n'); } catch {}
  process.kill(process.pid, 'SIGKILL');
};
setInterval(() => {
  if (process.ppid !== parentPid) return stop('its parent process ' + parentPid + ' is gone');
  const deadline = state[0];
  if (deadline > 0 && Date.now() > deadline) return stop('past the scan deadline');
  const ceiling = state[1];
  if (ceiling > 0) {
    const rss = process.memoryUsage.rss();
    if (rss > ceiling) stop('resident memory ' + Math.round(rss / 1048576) + ' MiB is over the ' + Math.round(ceiling / 1048576) + ' MiB ceiling');
  }
}, intervalMs);
`;

/** The running watchdog of this process. */
export interface Watchdog {
  /** Stops the process at `deadline` (epoch ms) and when its resident memory passes `rssMb`. */
  arm(limits: { deadline?: number; rssMb?: number }): void;
  /**
   * Resolves once the thread runs (or could not start). Its start takes 40-100 ms here, more on a loaded machine: a
   * scan begun before would run unwatched until then, and a scan never yields to let it start sooner.
   */
  ready: Promise<void>;
}

/** Starts the watchdog thread of a worker whose parent is `parentPid`. It never keeps the process alive on its own. */
export function startWatchdog(parentPid: number): Watchdog {
  const state = new Float64Array(new SharedArrayBuffer(2 * Float64Array.BYTES_PER_ELEMENT));
  // About 9 MB of resident memory (a second isolate): 63 -> 72 MB for an idle worker here.
  const thread = new Worker(THREAD, { eval: true, workerData: { parentPid, state, intervalMs: WATCHDOG_INTERVAL_MS, prefix: WATCHDOG_STOP } });
  thread.unref();
  const ready = new Promise<void>((resolve) => {
    thread.once('online', resolve);
    thread.once('error', () => resolve());
  });
  thread.on('error', () => {
    /* the scan goes on without it; the parent's timers still hold while the parent lives */
  });
  return {
    ready,
    arm({ deadline, rssMb }) {
      if (rssMb !== undefined && rssMb > 0) state[1] = rssMb * 1024 * 1024;
      if (deadline !== undefined) state[0] = deadline + WORKER_DEADLINE_GRACE_MS;
    },
  };
}

/** The parent pid a worker was started by: the one its parent wrote down, else its parent now. */
export function parentPidOf(env: NodeJS.ProcessEnv = process.env): number {
  const given = Number(env[PARENT_PID_ENV]);
  return Number.isInteger(given) && given > 0 ? given : process.ppid;
}

/** The reason a watchdog gave for stopping a worker, from the worker's stderr tail; undefined when it did not. */
export function watchdogReason(stderrTail: string): string | undefined {
  const at = stderrTail.lastIndexOf(WATCHDOG_STOP);
  if (at < 0) return undefined;
  return stderrTail.slice(at + WATCHDOG_STOP.length).split('\n')[0]!.trim() || undefined;
}
