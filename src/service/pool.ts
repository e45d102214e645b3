/** A task that ran past its time limit. */
export class PoolTimeout extends Error {
  override name = 'PoolTimeout';
}

/**
 * Runs at most `concurrency` tasks at once (each scan already runs in its own worker processes with a heap
 * ceiling); the others wait in FIFO order. A task that exceeds `timeoutMs` rejects with PoolTimeout; its slot is freed.
 */
export class Pool {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be a positive integer');
  }

  /** Tasks running now. */
  get active(): number {
    return this.running;
  }

  async run<T>(task: () => Promise<T>, timeoutMs: number): Promise<T> {
    if (this.running >= this.concurrency) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        task(),
        new Promise<never>((_r, reject) => {
          timer = setTimeout(() => reject(new PoolTimeout(`timed out after ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
