import type { DecodeWarning } from './types.js';

/**
 * A named work budget: work a file can multiply (fixups walked, symbols read, instructions decoded) is charged here.
 * When it runs out, one warning is recorded and `charge` returns false from then on, so each loop ends early and the
 * decoder keeps what it already has.
 */
export class WorkBudget {
  private used = 0;
  private warned = false;

  constructor(
    /** Warning code when the budget runs out, e.g. `macho.fixup_budget`. */
    readonly code: string,
    /** What is counted, for the message: `fixups`, `instructions`. */
    readonly what: string,
    readonly limit: number,
    private readonly warn: (w: DecodeWarning) => void,
  ) {}

  /** Charges `n` units; false (after one warning) once the limit is passed. */
  charge(n = 1, offset?: number): boolean {
    if (this.warned) return false;
    this.used += n;
    if (this.used <= this.limit) return true;
    this.warned = true;
    this.warn({ code: this.code, message: `more than ${this.limit} ${this.what}: the rest were not read`, offset });
    return false;
  }

  get exhausted(): boolean {
    return this.warned;
  }
}

/**
 * Bytes that several readers may produce together: one artifact's inflation budget, charged by the artifact's own
 * archive and by every archive nested in it, so that nesting cannot multiply it. Work that produced bytes and was then
 * refused (an entry inflated up to a cap and dropped) is charged too: it cost as much as bytes kept.
 */
export class ByteBudget {
  private used = 0;

  constructor(
    /** Most bytes, in all. */
    readonly limit: number,
  ) {}

  /** Bytes still available (0 when spent). */
  get left(): number {
    return Math.max(0, this.limit - this.used);
  }

  /** Bytes charged so far (may pass the limit by what the last charge found out). */
  get spent(): number {
    return this.used;
  }

  get exhausted(): boolean {
    return this.used >= this.limit;
  }

  charge(n: number): void {
    this.used += n;
  }
}
