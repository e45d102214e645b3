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

/** Growable struct-of-arrays of uses, linked per string index. */
export class CodeUses {
  count = 0;
  dropped = 0;
  private readonly head: Int32Array;
  private readonly perString: Uint8Array;
  private method = new Int32Array(1024);
  private pc = new Int32Array(1024);
  private kind = new Int8Array(1024);
  private target = new Int32Array(1024);
  private arg = new Int32Array(1024);
  private after = new Int32Array(1024);
  private next = new Int32Array(1024);
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
    if (i >= this.method.length) this.grow();
    this.method[i] = method;
    this.pc[i] = pc;
    this.kind[i] = kind;
    this.target[i] = target;
    this.arg[i] = arg;
    this.after[i] = after;
    // Appended at the end of the string's list so uses come out in code order.
    this.next[i] = -1;
    if (via !== undefined && via.length > 0) this.via.set(i, via);
    let h = this.head[string]!;
    if (h < 0) this.head[string] = i;
    else {
      while (this.next[h]! >= 0) h = this.next[h]!;
      this.next[h] = i;
    }
  }

  private grow(): void {
    const n = this.method.length * 2;
    const g32 = (a: Int32Array) => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.method = g32(this.method);
    this.pc = g32(this.pc);
    this.target = g32(this.target);
    this.arg = g32(this.arg);
    this.after = g32(this.after);
    this.next = g32(this.next);
    const k = new Int8Array(n);
    k.set(this.kind);
    this.kind = k;
  }

  /** Record indexes of the uses of string_ids[string], in code order (read them with the accessors below). */
  indexes(string: number, out: number[]): number[] {
    out.length = 0;
    for (let i = this.head[string]!; i >= 0; i = this.next[i]!) out.push(i);
    return out;
  }

  methodOf(i: number): number {
    return this.method[i]!;
  }
  pcOf(i: number): number {
    return this.pc[i]!;
  }
  kindOf(i: number): number {
    return this.kind[i]!;
  }
  targetOf(i: number): number {
    return this.target[i]!;
  }
  argOf(i: number): number {
    return this.arg[i]!;
  }
  afterOf(i: number): number {
    return this.after[i]!;
  }
  viaOf(i: number): readonly number[] | undefined {
    return this.via.get(i);
  }

  has(string: number): boolean {
    return this.head[string]! >= 0;
  }
}
