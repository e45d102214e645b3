/**
 * Most client addresses whose failed authentications are remembered at once. Past it, expired windows are dropped
 * first, then the oldest: an attacker rotating addresses costs this map at most this many entries (about 100 bytes
 * each), never unbounded memory.
 */
export const MAX_TRACKED_ADDRESSES = 100_000;

interface Window {
  failures: number;
  /** When this window ends and the address starts afresh, ms since the epoch. */
  endsAt: number;
}

/**
 * Failed authentications per client address in fixed windows: once an address has failed `max` times in a window
 * that started with its first failure, it is refused (429) until the window ends, whatever it sends, so guessing
 * keys or signed links from one address is throttled and a correct guess cannot be told from a wrong one.
 */
export class FailedAuthLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly maxTracked = MAX_TRACKED_ADDRESSES,
  ) {}

  /** Seconds until `address` may try again (rounded up), or 0 when it may now. */
  retryAfter(address: string, now = Date.now()): number {
    const w = this.windows.get(address);
    if (!w) return 0;
    if (w.endsAt <= now) {
      this.windows.delete(address);
      return 0;
    }
    return w.failures >= this.max ? Math.ceil((w.endsAt - now) / 1000) : 0;
  }

  /** Counts a failed authentication from `address`. */
  fail(address: string, now = Date.now()): void {
    const w = this.windows.get(address);
    if (w && w.endsAt > now) {
      w.failures++;
      return;
    }
    if (w) this.windows.delete(address);
    if (this.windows.size >= this.maxTracked) this.evict(now);
    this.windows.set(address, { failures: 1, endsAt: now + this.windowMs });
  }

  /** Addresses tracked now. */
  get size(): number {
    return this.windows.size;
  }

  /**
   * Windows are inserted as they start and all last windowMs, so the map's insertion order is the order they end:
   * expired ones are at its front, and the first is the one that started longest ago.
   */
  private evict(now: number): void {
    for (const [address, w] of this.windows) {
      if (w.endsAt > now) break;
      this.windows.delete(address);
    }
    if (this.windows.size >= this.maxTracked) this.windows.delete(this.windows.keys().next().value!);
  }
}
