/**
 * When a scan worker runs V8's full garbage collection itself. What a scan frees is mostly Buffers: entry bytes,
 * inflated and let go. V8 sees only their small handles and collects them late, so the buffers of the entries before
 * a large one were still held while the large one was decoded, and the worker's peak came there. Measured on the large
 * bench APK (one such entry: its 12.6 MB JavaScript bundle) in-process: peak RSS 123-128 MB against 140-147 MB; the
 * one collection takes 10-20 ms. Entries decoded one after another make no larger peak than their largest.
 */

/** Entries declared at least this large are preceded by a collection (see COLLECT_AFTER_BYTES). */
export const COLLECT_BEFORE_BYTES = 4 * 1024 * 1024;
/** ... when at least this much was declared by the entries since the last one: less garbage is not worth 10-20 ms. */
export const COLLECT_AFTER_BYTES = 16 * 1024 * 1024;

export class CollectPolicy {
  private declaredSince = 0;

  /** `collect`: V8's full collection. */
  constructor(private readonly collect: () => void) {}

  /** The policy of this process: undefined unless it runs with `--expose-gc` (spare.ts starts workers so). */
  static ofProcess(): CollectPolicy | undefined {
    const gc = (globalThis as { gc?: () => void }).gc;
    return typeof gc === 'function' ? new CollectPolicy(gc) : undefined;
  }

  /** Called before each entry is read, with its declared size; collects when the policy says so. True when it did. */
  beforeEntry(declaredSize: number): boolean {
    const since = this.declaredSince;
    this.declaredSince += declaredSize;
    if (declaredSize < COLLECT_BEFORE_BYTES || since < COLLECT_AFTER_BYTES) return false;
    this.collect();
    this.declaredSince = declaredSize;
    return true;
  }
}
