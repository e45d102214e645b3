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
