/** Every limit the scan pipeline enforces, named in one place. The service's config overrides them. */
export interface ScanLimits {
  /** Largest artifact accepted, bytes. */
  maxArtifactBytes: number;
  /** Most entries in one archive. */
  maxEntries: number;
  /** Most inflated bytes of one entry. */
  maxEntryBytes: number;
  /**
   * Largest entry held whole in memory, bytes. A larger one (up to maxEntryBytes) is streamed in windows through
   * printable runs, the one decoder that needs no whole entry: memory stays bounded whatever an entry inflates to.
   */
  maxWholeEntryBytes: number;
  /**
   * Most inflated bytes of a whole artifact, one budget charged by every level of nested archives while inflating
   * (refused inflation included); once it is spent the walk stops and says how many entries were not read.
   */
  maxTotalBytes: number;
  /** Highest inflated/compressed ratio accepted for large entries. */
  maxRatio: number;
  /** Deepest nesting of archives inside archives (outer.apk!/inner.jar!/x is depth 2). */
  maxNestingDepth: number;
  /** Largest nested archive read into memory, bytes. */
  maxNestedArchiveBytes: number;
  /** Most strings taken from one entry before the rest is skipped with a diagnostic. */
  maxStringsPerEntry: number;
  /** Memory ceiling of the scan worker's heap, MiB. */
  workerHeapMb: number;
  /**
   * Resident memory ceiling of a scan worker, MiB (default: workerHeapMb + WORKER_RSS_HEADROOM_MB). The heap ceiling
   * does not bound Buffers (entries, inflated data) or native memory; past this the worker is stopped by its watchdog.
   */
  workerRssMb?: number;
  /** Whole-scan timeout, ms. */
  scanTimeoutMs: number;
}

/**
 * Resident memory a scan worker may hold beyond its heap ceiling, MiB: one entry of maxWholeEntryBytes (256 MiB) with
 * zlib's output pieces of it while they are joined (another 256 MiB), one nested archive of maxNestedArchiveBytes
 * (256 MiB) held as Buffers, and 256 MiB for the runtime, code and allocator.
 */
export const WORKER_RSS_HEADROOM_MB = 1024;

/** The resident memory ceiling of a scan worker under `limits`, MiB. */
export function workerRssMb(limits: Pick<ScanLimits, 'workerHeapMb' | 'workerRssMb'>): number {
  return limits.workerRssMb ?? limits.workerHeapMb + WORKER_RSS_HEADROOM_MB;
}

export const DEFAULT_LIMITS: ScanLimits = {
  maxArtifactBytes: 4 * 1024 ** 3,
  maxEntries: 100_000,
  maxEntryBytes: 512 * 1024 ** 2,
  maxWholeEntryBytes: 256 * 1024 ** 2,
  maxTotalBytes: 2 * 1024 ** 3,
  maxRatio: 1000,
  maxNestingDepth: 4,
  maxNestedArchiveBytes: 256 * 1024 ** 2,
  maxStringsPerEntry: 2_000_000,
  workerHeapMb: 1536,
  scanTimeoutMs: 10 * 60_000,
};
