import type { Config } from '../config.js';

/**
 * The time a scan of `size` bytes may run: a base plus a share per MiB of upload, never past the whole-scan timeout.
 * A legitimate app scans at several MiB/s, so its budget leaves a wide margin, while a small archive bomb is ended
 * in seconds instead of holding a scan slot until the timeout.
 */
export function scanBudgetMs(limits: Config['limits'], size: number): number {
  return Math.min(limits.scanTimeoutMs, limits.scanBudgetBaseMs + Math.ceil((limits.scanBudgetMsPerMb * size) / 1024 ** 2));
}
