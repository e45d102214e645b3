/** The code uses recorded by the DEX code walk (decoders/dex-code.ts), stored compactly per file. */

/** Uses kept per string (a string used everywhere, such as a log tag, says nothing more after a few). */
export const MAX_USES_PER_STRING = 16;
/** Use records kept per DEX file (32 bytes each: 32 MiB at most). */
export const MAX_USES_PER_FILE = 1 << 20;

export const USE_SPUT = 0;
export const USE_IPUT = 1;
export const USE_RETURN = 2;
export const USE_ARG = 3;
export const USE_RECEIVER = 4;

/** Fields of one use record. */
const F_METHOD = 0;
const F_PC = 1;
const F_KIND = 2;
const F_TARGET = 3;
const F_ARG = 4;
const F_AFTER = 5;
const F_NEXT = 6;
const FIELDS = 7;
/** Records the store starts with (most DEX files need fewer; a large one doubles a few times). */
const INITIAL_RECORDS = 4096;

/** Growable array of use records (one Int32Array, FIELDS per record), linked per string index. */
export class CodeUses {
  count = 0;
  dropped = 0;
  private readonly head: Int32Array;
  private readonly perString: Uint8Array;
  private rec = new Int32Array(INITIAL_RECORDS * FIELDS);
  private readonly via = new Map<number, readonly number[]>();

  constructor(stringCount: number) {
    this.head = new Int32Array(stringCount).fill(-1);
    this.perString = new Uint8Array(stringCount);
  }

  add(string: number, method: number, pc: number, kind: number, target: number, arg: number, after: number, via: readonly number[] | undefined): void {
    if (this.perString[string]! >= MAX_USES_PER_STRING || this.count >= MAX_USES_PER_FILE) {
      this.dropped++;
      return;
    }
    this.perString[string]!++;
    const i = this.count++;
    if ((i + 1) * FIELDS > this.rec.length) {
      const grown = new Int32Array(this.rec.length * 2);
      grown.set(this.rec);
      this.rec = grown;
    }
    const rec = this.rec;
    const at = i * FIELDS;
    rec[at + F_METHOD] = method;
    rec[at + F_PC] = pc;
    rec[at + F_KIND] = kind;
    rec[at + F_TARGET] = target;
    rec[at + F_ARG] = arg;
    rec[at + F_AFTER] = after;
    // Appended at the end of the string's list so uses come out in code order.
    rec[at + F_NEXT] = -1;
    if (via !== undefined && via.length > 0) this.via.set(i, via);
    let h = this.head[string]!;
    if (h < 0) this.head[string] = i;
    else {
      while (rec[h * FIELDS + F_NEXT]! >= 0) h = rec[h * FIELDS + F_NEXT]!;
      rec[h * FIELDS + F_NEXT] = i;
    }
  }

  /** Record indexes of the uses of string_ids[string], in code order (read them with the accessors below). */
  indexes(string: number, out: number[]): number[] {
    out.length = 0;
    for (let i = this.head[string]!; i >= 0; i = this.rec[i * FIELDS + F_NEXT]!) out.push(i);
    return out;
  }

  methodOf(i: number): number {
    return this.rec[i * FIELDS + F_METHOD]!;
  }
  pcOf(i: number): number {
    return this.rec[i * FIELDS + F_PC]!;
  }
  kindOf(i: number): number {
    return this.rec[i * FIELDS + F_KIND]!;
  }
  targetOf(i: number): number {
    return this.rec[i * FIELDS + F_TARGET]!;
  }
  argOf(i: number): number {
    return this.rec[i * FIELDS + F_ARG]!;
  }
  afterOf(i: number): number {
    return this.rec[i * FIELDS + F_AFTER]!;
  }
  viaOf(i: number): readonly number[] | undefined {
    return this.via.get(i);
  }

  has(string: number): boolean {
    return this.head[string]! >= 0;
  }
}
