/**
 * The scan worker's watchdog, started as the worker's first module is evaluated (worker.ts imports this before
 * anything else): its thread then boots while the decoders and rules are evaluated, instead of after them. Measured
 * here, a worker's watchdog thread was created 223 ms after its process started and the scan waited for it.
 */
import { parentPidOf, startWatchdog, type Watchdog } from './watchdog.js';

/** This worker process's watchdog; none when the module is loaded outside a worker (no IPC channel). */
export const watchdog: Watchdog | undefined = process.send ? startWatchdog(parentPidOf()) : undefined;
