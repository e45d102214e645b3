/** Every limit the scan pipeline enforces, named in one place. The service's config overrides them. */
export interface ScanLimits {
  /** Largest artifact accepted, bytes. */
  maxArtifactBytes: number;
  /** Most entries in one archive. */
  maxEntries: number;
  /** Most inflated bytes of one entry. */
  maxEntryBytes: number;
  /** Most inflated bytes of a whole artifact, nested archives included. */
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
  /** Whole-scan timeout, ms. */
  scanTimeoutMs: number;
}

export const DEFAULT_LIMITS: ScanLimits = {
  maxArtifactBytes: 4 * 1024 ** 3,
  maxEntries: 100_000,
  maxEntryBytes: 512 * 1024 ** 2,
  maxTotalBytes: 2 * 1024 ** 3,
  maxRatio: 1000,
  maxNestingDepth: 4,
  maxNestedArchiveBytes: 256 * 1024 ** 2,
  maxStringsPerEntry: 2_000_000,
  workerHeapMb: 1536,
  scanTimeoutMs: 10 * 60_000,
};
