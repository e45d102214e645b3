/**
 * Code context for DEX strings: follows each `const-string` forward inside its method and records what the code does
 * with the string (stores it in a field, returns it, passes it to a method, compares it), without decompiling.
 * Instruction formats: source.android.com/docs/core/runtime/dalvik-bytecode and .../instruction-formats.
 * docs/code-context.md is the contract (what is followed, what ends it, how a use is written).
 */
import { CodeUses, USE_ARG, USE_IPUT, USE_RECEIVER, USE_RETURN, USE_SPUT } from './dex-uses.js';
import { K_CONST_STRING, K_END, K_INVOKE, K_INVOKE_RANGE, K_IPUT_OBJECT, K_KILL_16, K_KILL_16_WIDE, K_KILL_A4, K_KILL_A4_WIDE, K_KILL_A8, K_KILL_A8_WIDE, K_MOVE_OBJECT, K_MOVE_RESULT_OBJECT, K_RETURN_OBJECT, K_SPUT_OBJECT, OP_KIND, OPCODE_UNITS, nopWidth } from './dex-opcodes.js';
import { nameBefore } from './literal-names.js';
import { TRANSFORMS, dotted, simpleClassName } from './dex-names.js';
/** A tracked register stops being followed this many instructions after its const-string (a bounded walk). */
export const MAX_FLOW_INSTRUCTIONS = 64;
/** Strings shorter than this get no code context: no rule reads them. */
export const MIN_USE_CHARS = 4;
/** Arguments of one invoke/range instruction (the format allows 255). */
const MAX_INVOKE_ARGS = 255;


/** `owners` value of a string that the code of more than one class references. */
export const SHARED_OWNER = -2;
/** Registers are 16-bit numbers; a wide write touches the next one too. */
const REGISTER_SLOTS = 0x10000 + 1;


const METHOD_ID_SIZE = 8;
const PROTO_ID_SIZE = 12;
const FIELD_ID_SIZE = 8;

/** The tables a walk resolves names from, already checked against the file by the caller. */
export interface DexTables {
  stringIdsSize: number;
  stringIdsOff: number;
  typeIdsSize: number;
  typeIdsOff: number;
  protoIdsSize: number;
  protoIdsOff: number;
  fieldIdsSize: number;
  fieldIdsOff: number;
  methodIdsSize: number;
  methodIdsOff: number;
}

/** The names of one method_ids entry. */
interface MethodNames {
  /** `Lcom/x/Keys;->consumerSecret()Ljava/lang/String;`, built when first asked for. */
  ref: string | undefined;
  /** `com.x.Keys.consumerSecret` */
  dotted: string;
  /** `com.x.Keys` */
  cls: string;
  /** `consumerSecret` */
  name: string;
  classIdx: number;
  protoIdx: number;
}

/** What a callee is, as far as the walk cares. */
interface Callee {
  /** Register slot -> declared parameter index (receiver -1, second half of a wide parameter -2). */
  slots: readonly number[];
  /** Its result is the same secret in another form (getBytes, Base64.decode, hex decoders). */
  transform: boolean;
  /** StringBuilder/StringBuffer: 1 append, 2 <init>, 3 toString, 0 anything else. */
  builder: number;
}


/**
 * Per-register state of the walk, valid while gen[r] equals the walk's current generation (one bump clears every
 * register). One per process: a walk runs to its end before the next starts, and 1.8 MB of arrays per DEX file
 * cost more to allocate and zero than the walk itself.
 */
const REGISTERS = {
  gen: new Uint32Array(REGISTER_SLOTS + 1),
  str: new Int32Array(REGISTER_SLOTS + 1),
  born: new Int32Array(REGISTER_SLOTS + 1),
  via: [] as (readonly number[] | undefined)[],
  sbGen: new Uint32Array(REGISTER_SLOTS + 1),
  sbLit: new Int32Array(REGISTER_SLOTS + 1),
  g: 1,
};


/**
 * Resolves ids to names (cached) and walks code items. One per DEX file; `walk` is called once per code item by the
 * pass that visits them, which charges the instructions to its own budget.
 */
export class CodeWalker {
  readonly uses: CodeUses;
  /** The class_defs index whose code is being walked (set by the caller before each class). */
  ownerClass = -1;
  private readonly callees = new Map<number, Callee | null>();
  private readonly typeNames = new Map<number, string>();
  private readonly shortStrings: Int8Array;
  // Per-register state, valid while gen[r] === this.gen (one bump clears every register).
  private readonly gen = REGISTERS.gen;
  private readonly str = REGISTERS.str;
  private readonly born = REGISTERS.born;
  private readonly via = REGISTERS.via;
  /** Last literal appended to a StringBuilder held in the register (-1 none). */
  private readonly sbGen = REGISTERS.sbGen;
  private readonly sbLit = REGISTERS.sbLit;
  private g = 0;
  badIndexes = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly view: DataView,
    private readonly t: DexTables,
    /**
     * Decoded strings by index (quiet), undefined when unreadable. An object, not a closure: one call target for every
     * file, so optimised code made for one DEX file is not thrown away for the next.
     */
    private readonly strings: { name(index: number): string | undefined },
    /**
     * By string index, the class_defs index of the class whose code references it: -1 none yet, SHARED_OWNER when
     * several do (class scopes). Updated for every const-string of class `ownerClass`.
     */
    private readonly owners: Int32Array,
  ) {
    this.uses = new CodeUses(t.stringIdsSize);
    // 0 unknown, 1 short (no code context), 2 long enough.
    this.shortStrings = new Int8Array(t.stringIdsSize);
  }

  /** True when string_ids[index] has at least MIN_USE_CHARS UTF-16 units (read from its utf16_size, no decoding). */
  private longEnough(index: number): boolean {
    const known = this.shortStrings[index]!;
    if (known !== 0) return known === 2;
    const off = this.view.getUint32(this.t.stringIdsOff + index * 4, true);
    // utf16_size is a ULEB128: a first byte with its high bit set means 128 or more.
    const first = off < this.bytes.length ? this.bytes[off]! : 0;
    const ok = (first & 0x80) !== 0 || first >= MIN_USE_CHARS;
    this.shortStrings[index] = ok ? 2 : 1;
    return ok;
  }

  private typeName(typeIdx: number): string {
    let name = this.typeNames.get(typeIdx);
    if (name === undefined) {
      const t = this.t;
      const descIdx = typeIdx < t.typeIdsSize ? this.view.getUint32(t.typeIdsOff + typeIdx * 4, true) : t.stringIdsSize;
      name = (descIdx < t.stringIdsSize ? this.strings.name(descIdx) : undefined) ?? `type_ids[${typeIdx}]`;
      this.typeNames.set(typeIdx, name);
    }
    return name;
  }

  /** Parameter type indexes of a proto (type_list), checked; undefined when the list is outside the file. */
  private protoParams(protoIdx: number): number[] | undefined {
    const off = this.view.getUint32(this.t.protoIdsOff + protoIdx * PROTO_ID_SIZE + 8, true);
    if (off === 0) return [];
    if (off + 4 > this.bytes.length) return undefined;
    const size = this.view.getUint32(off, true);
    if (size > MAX_INVOKE_ARGS || off + 4 + size * 2 > this.bytes.length) return undefined;
    const out: number[] = [];
    for (let k = 0; k < size; k++) out.push(this.view.getUint16(off + 4 + k * 2, true));
    return out;
  }

  private readonly methods = new Map<number, MethodNames>();
  private readonly typeDotted = new Map<number, string>();
  private readonly protoSigs = new Map<number, string>();

  /** Names of a method_ids entry, built once per file from per-type and per-proto caches. */
  private names(methodIdx: number): MethodNames {
    let m = this.methods.get(methodIdx);
    if (m !== undefined) return m;
    const t = this.t;
    if (methodIdx >= t.methodIdsSize) {
      const bad = `method_ids[${methodIdx}]`;
      m = { ref: bad, dotted: bad, cls: bad, name: bad, classIdx: -1, protoIdx: -1 };
    } else {
      const at = t.methodIdsOff + methodIdx * METHOD_ID_SIZE;
      const classIdx = this.view.getUint16(at, true);
      const protoIdx = this.view.getUint16(at + 2, true);
      const nameIdx = this.view.getUint32(at + 4, true);
      const name = (nameIdx < t.stringIdsSize ? this.strings.name(nameIdx) : undefined) ?? `method_ids[${methodIdx}]`;
      let cls = this.typeDotted.get(classIdx);
      if (cls === undefined) this.typeDotted.set(classIdx, (cls = dotted(this.typeName(classIdx))));
      m = { ref: undefined, dotted: `${cls}.${name}`, cls, name, classIdx, protoIdx };
    }
    this.methods.set(methodIdx, m);
    return m;
  }

  /** `Lcom/x/Keys;->consumerSecret()Ljava/lang/String;` for a method_ids index (only kept uses need it). */
  methodRef(methodIdx: number): string {
    const m = this.names(methodIdx);
    if (m.ref === undefined) {
      const t = this.t;
      let sig = this.protoSigs.get(m.protoIdx);
      if (sig === undefined) {
        sig = '(?)?';
        if (m.protoIdx < t.protoIdsSize) {
          const params = this.protoParams(m.protoIdx);
          const ret = this.typeName(this.view.getUint32(t.protoIdsOff + m.protoIdx * PROTO_ID_SIZE + 4, true));
          sig = params === undefined ? `(?)${ret}` : `(${params.map((p) => this.typeName(p)).join('')})${ret}`;
        }
        this.protoSigs.set(m.protoIdx, sig);
      }
      m.ref = `${this.typeName(m.classIdx)}->${m.name}${sig}`;
    }
    return m.ref;
  }

  /** `com.x.Keys.consumerSecret` for a method_ids index. */
  methodDotted(methodIdx: number): string {
    return this.names(methodIdx).dotted;
  }

  /** The method's simple name (`consumerSecret`, `<init>`). */
  methodName(methodIdx: number): string {
    return this.names(methodIdx).name;
  }

  /** The declaring class of a method, dotted. */
  methodClass(methodIdx: number): string {
    return this.names(methodIdx).cls;
  }

  private readonly fields = new Map<number, { cls: string; name: string }>();

  /** `com.x.Keys` and `apiSecret` for a field_ids index (cached). */
  field(fieldIdx: number): { cls: string; name: string } {
    let f = this.fields.get(fieldIdx);
    if (f === undefined) this.fields.set(fieldIdx, (f = this.readField(fieldIdx)));
    return f;
  }

  private readField(fieldIdx: number): { cls: string; name: string } {
    const t = this.t;
    if (fieldIdx >= t.fieldIdsSize) return { cls: '?', name: `field_ids[${fieldIdx}]` };
    const at = t.fieldIdsOff + fieldIdx * FIELD_ID_SIZE;
    const nameIdx = this.view.getUint32(at + 4, true);
    return { cls: dotted(this.typeName(this.view.getUint16(at, true))), name: (nameIdx < t.stringIdsSize ? this.strings.name(nameIdx) : undefined) ?? `field_ids[${fieldIdx}]` };
  }

  private callee(methodIdx: number, isStatic: boolean): Callee | null {
    const key = isStatic ? methodIdx : -1 - methodIdx;
    let c = this.callees.get(key);
    if (c !== undefined) return c;
    c = null;
    const t = this.t;
    if (methodIdx < t.methodIdsSize) {
      const at = t.methodIdsOff + methodIdx * METHOD_ID_SIZE;
      const cls = this.typeName(this.view.getUint16(at, true));
      const protoIdx = this.view.getUint16(at + 2, true);
      const nameIdx = this.view.getUint32(at + 4, true);
      const name = nameIdx < t.stringIdsSize ? this.strings.name(nameIdx) : undefined;
      const params = protoIdx < t.protoIdsSize ? this.protoParams(protoIdx) : undefined;
      if (name !== undefined && params !== undefined) {
        const slotList: number[] = isStatic ? [] : [-1];
        params.forEach((p, k) => {
          slotList.push(k);
          const d = this.typeName(p);
          if (d === 'J' || d === 'D') slotList.push(-2);
        });
        const ret = this.typeName(this.view.getUint32(t.protoIdsOff + protoIdx * PROTO_ID_SIZE + 4, true));
        const builder = cls === 'Ljava/lang/StringBuilder;' || cls === 'Ljava/lang/StringBuffer;' ? (name === 'append' ? 1 : name === '<init>' ? 2 : name === 'toString' ? 3 : 0) : 0;
        // A static String -> byte[]/char[] method is a decoder (hex, base64) whatever its name.
        const decoder = isStatic && params.length === 1 && this.typeName(params[0]!) === 'Ljava/lang/String;' && (ret === '[B' || ret === '[C');
        c = {
          slots: slotList,
          transform: decoder || TRANSFORMS.has(`${cls}.${name}`),
          builder,
        };
      }
    }
    if (c === null) this.badIndexes++;
    this.callees.set(key, c);
    return c;
  }

  private tracked(r: number, icount: number): boolean {
    return this.gen[r] === this.g && icount - this.born[r]! <= MAX_FLOW_INSTRUCTIONS;
  }

  /** Registers whose string or builder literal is current: when none is, the walk takes its fast path. */
  private live = 0;

  private setGen(r: number): void {
    if (this.gen[r] !== this.g) {
      if (this.sbGen[r] !== this.g) this.live++;
      this.gen[r] = this.g;
    }
  }

  private clearGen(r: number): void {
    if (this.gen[r] === this.g) {
      this.gen[r] = 0;
      if (this.sbGen[r] !== this.g) this.live--;
    }
  }

  private setSb(r: number): void {
    if (this.sbGen[r] !== this.g) {
      if (this.gen[r] !== this.g) this.live++;
      this.sbGen[r] = this.g;
    }
  }

  private clearSb(r: number): void {
    if (this.sbGen[r] === this.g) {
      this.sbGen[r] = 0;
      if (this.gen[r] !== this.g) this.live--;
    }
  }

  /** A new generation: every register's string and builder literal are forgotten at once. */
  private bump(): void {
    this.g++;
    this.live = 0;
  }

  private kill(r: number): void {
    this.clearGen(r);
    this.clearSb(r);
  }

  private copy(to: number, from: number): void {
    if (this.gen[from] === this.g) {
      this.setGen(to);
      this.str[to] = this.str[from]!;
      this.born[to] = this.born[from]!;
      this.via[to] = this.via[from];
    } else this.clearGen(to);
    if (this.sbGen[from] === this.g) {
      this.setSb(to);
      this.sbLit[to] = this.sbLit[from]!;
    } else this.clearSb(to);
  }

  private sbLast(r: number): number {
    return this.sbGen[r] === this.g ? this.sbLit[r]! : -1;
  }

  /**
   * Walks the `units` code units at `base` (a code_item's insns, already checked to lie inside the file) of method
   * `methodIdx`. Returns the work done (instructions read plus invoke arguments looked at), for the caller's budget.
   */
  walk(base: number, units: number, methodIdx: number): number {
    const view = this.view;
    const t = this.t;
    let icount = 0;
    let work = 0;
    // Generations go on across walkers (the register file is shared): a stale entry is never current.
    this.g = REGISTERS.g + 1;
    this.live = 0;
    if (this.g >= 0x80000000) {
      this.gen.fill(0);
      this.sbGen.fill(0);
      this.g = 1;
    }
    // The result of the last invoke, for a move-result-object that follows it at once.
    let resultAt = -1;
    let resultStr = -1;
    let resultVia: readonly number[] | undefined;
    let resultBorn = 0;
    let resultSb = -1;
    // Past this instruction count nothing can still be tracked: the walk only looks for the next const-string.
    let liveUntil = -1;
    for (let pc = 0; pc < units; ) {
      if (icount > liveUntil || this.live === 0) {
        this.bump();
        resultAt = -1;
        pc = this.nextConstString(base, pc, units);
        icount += this.skipped;
        if (pc >= units) break;
      }
      const u = view.getUint16(base + pc * 2, true);
      const op = u & 0xff;
      const left = units - pc;
      let width = OPCODE_UNITS[op]!;
      if (width === 0) {
        // nop, or a payload table: only reached by a jump, never by falling through.
        width = nopWidth(view, base + pc * 2, u, left);
        if (u !== 0) this.bump();
        pc += width;
        icount++;
        continue;
      }
      if (width > left) break;
      icount++;
      const a4 = (u >> 8) & 0xf;
      const a8 = u >> 8;
      // Second and third code units (present: width <= left was checked).
      const at = base + pc * 2;
      const justInvoked = resultAt === pc;
      switch (OP_KIND[op]) {
        case K_KILL_A4:
          this.kill(a4);
          break;
        case K_KILL_A4_WIDE:
          this.kill(a4);
          this.kill(a4 + 1);
          break;
        case K_KILL_A8:
          this.kill(a8);
          break;
        case K_KILL_A8_WIDE:
          this.kill(a8);
          this.kill(a8 + 1);
          break;
        case K_KILL_16:
          this.kill(view.getUint16(at + 2, true));
          break;
        case K_KILL_16_WIDE:
          this.kill(view.getUint16(at + 2, true));
          this.kill(view.getUint16(at + 2, true) + 1);
          break;
        case K_MOVE_OBJECT:
          if (op === 0x07) this.copy(a4, u >> 12);
          else if (op === 0x08) this.copy(a8, view.getUint16(at + 2, true));
          else this.copy(view.getUint16(at + 2, true), view.getUint16(at + 4, true));
          break;
        case K_MOVE_RESULT_OBJECT:
          if (justInvoked && resultStr >= 0) {
            this.setGen(a8);
            this.str[a8] = resultStr;
            this.born[a8] = resultBorn;
            this.via[a8] = resultVia;
          } else this.clearGen(a8);
          if (justInvoked && resultSb >= 0) {
            this.setSb(a8);
            this.sbLit[a8] = resultSb;
          } else this.clearSb(a8);
          break;
        case K_RETURN_OBJECT:
          if (this.tracked(a8, icount)) this.record(this.str[a8]!, methodIdx, pc, USE_RETURN, -1, -1, -1, this.via[a8]);
          this.bump();
          break;
        case K_END:
          this.bump();
          break;
        case K_CONST_STRING: {
          const idx = op === 0x1a ? view.getUint16(at + 2, true) : view.getUint32(at + 2, true);
          if (idx < t.stringIdsSize) {
            const o = this.owners[idx]!;
            this.owners[idx] = o === -1 || o === this.ownerClass ? this.ownerClass : SHARED_OWNER;
            liveUntil = icount + MAX_FLOW_INSTRUCTIONS;
            this.setGen(a8);
            this.str[a8] = idx;
            this.born[a8] = icount;
            this.via[a8] = undefined;
            this.clearSb(a8);
          } else {
            this.badIndexes++;
            this.kill(a8);
          }
          break;
        }
        case K_IPUT_OBJECT: // iput-object vA, vB, field
          if (this.tracked(a4, icount)) this.record(this.str[a4]!, methodIdx, pc, USE_IPUT, view.getUint16(at + 2, true), -1, -1, this.via[a4]);
          break;
        case K_SPUT_OBJECT: // sput-object vAA, field
          if (this.tracked(a8, icount)) this.record(this.str[a8]!, methodIdx, pc, USE_SPUT, view.getUint16(at + 2, true), -1, -1, this.via[a8]);
          break;
        case K_INVOKE: { // invoke-kind {vC, vD, vE, vF, vG}
          const count = u >> 12;
          if (count > 5) break;
          const w = view.getUint16(at + 4, true);
          const regs = this.regs;
          regs[0] = w & 0xf;
          regs[1] = (w >> 4) & 0xf;
          regs[2] = (w >> 8) & 0xf;
          regs[3] = w >> 12;
          regs[4] = a4;
          work += this.invoke(view.getUint16(at + 2, true), op === 0x71, count, methodIdx, pc, icount);
          if (this.result.sb >= 0 || this.result.str >= 0) liveUntil = Math.max(liveUntil, icount + MAX_FLOW_INSTRUCTIONS);
          resultAt = pc + width;
          ({ str: resultStr, via: resultVia, born: resultBorn, sb: resultSb } = this.result);
          break;
        }
        case K_INVOKE_RANGE: { // invoke-kind/range {vCCCC .. vNNNN}
          const first = view.getUint16(at + 4, true);
          const regs = this.regs;
          let count = 0;
          for (; count < a8 && first + count < REGISTER_SLOTS; count++) regs[count] = first + count;
          work += this.invoke(view.getUint16(at + 2, true), op === 0x77, count, methodIdx, pc, icount);
          if (this.result.sb >= 0 || this.result.str >= 0) liveUntil = Math.max(liveUntil, icount + MAX_FLOW_INSTRUCTIONS);
          resultAt = pc + width;
          ({ str: resultStr, via: resultVia, born: resultBorn, sb: resultSb } = this.result);
          break;
        }
        default:
          // K_NONE: monitor, check-cast, if-*, aput, iput/sput of non-objects, fill-array-data, filled-new-array,
          // invoke-polymorphic/custom (no tracked result): no register written.
          break;
      }
      if (resultAt !== pc + width) resultAt = -1;
      pc += width;
    }
    REGISTERS.g = this.g;
    return icount + work;
  }

  /** Instructions passed over by the last nextConstString. */
  private skipped = 0;

  /**
   * The pc of the next const-string at or after `pc` (or `units`), stepping by instruction widths; sets `skipped`.
   * The walk's fast path: between strings, no instruction needs more than its width.
   */
  private nextConstString(base: number, pc: number, units: number): number {
    const view = this.view;
    let n = 0;
    while (pc < units) {
      const u = view.getUint16(base + pc * 2, true);
      const op = u & 0xff;
      if (op === 0x1a || op === 0x1b) break;
      let width = OPCODE_UNITS[op]!;
      if (width === 0) width = nopWidth(view, base + pc * 2, u, units - pc);
      pc += width;
      n++;
    }
    this.skipped = n;
    return pc;
  }

  /** The value an invoke leaves for move-result-object. */
  private readonly result = { str: -1, via: undefined as readonly number[] | undefined, born: 0, sb: -1 };

  /** Argument registers of the invoke being read. */
  private readonly regs = new Int32Array(MAX_INVOKE_ARGS + 1);

  /** Records the tracked arguments of one invoke (registers in `this.regs[0..count)`); returns the work done. */
  private invoke(methodIdx: number, isStatic: boolean, count: number, enclosing: number, pc: number, icount: number): number {
    const res = this.result;
    res.str = -1;
    res.via = undefined;
    res.sb = -1;
    const regs = this.regs;
    // Most invokes carry no tracked string and no builder with a literal: their callee is never resolved.
    let any = false;
    for (let k = 0; k < count; k++) {
      const r = regs[k]!;
      if (this.gen[r] === this.g || this.sbGen[r] === this.g) {
        any = true;
        break;
      }
    }
    if (!any) return 1;
    const c = this.callee(methodIdx, isStatic);
    if (c === null) return 1;
    const receiver = isStatic ? -1 : regs[0]!;
    if (c.builder === 1 || c.builder === 2) {
      // append(x) / <init>(x): a tracked literal is used, and becomes the builder's preceding literal.
      const argReg = count > 1 ? regs[1] : undefined;
      const before = receiver >= 0 ? this.sbLast(receiver) : -1;
      let lit = -1;
      if (argReg !== undefined && this.tracked(argReg, icount)) {
        lit = this.str[argReg]!;
        this.record(lit, enclosing, pc, USE_ARG, methodIdx, 0, before, this.via[argReg]);
      }
      if (receiver >= 0) {
        if (lit >= 0) {
          this.setSb(receiver);
          this.sbLit[receiver] = lit;
        } else this.clearSb(receiver);
      }
      res.sb = lit;
      return 2;
    }
    if (c.builder === 3) {
      // toString(): the last appended literal goes on, as the tail of the built string.
      const lit = receiver >= 0 ? this.sbLast(receiver) : -1;
      if (lit >= 0) {
        res.str = lit;
        res.via = [methodIdx];
        res.born = icount;
      }
      return 1;
    }
    const n = Math.min(count, c.slots.length);
    for (let k = 0; k < n; k++) {
      const r = regs[k]!;
      const param = c.slots[k]!;
      if (param === -2 || !this.tracked(r, icount)) continue;
      const s = this.str[r]!;
      const via = this.via[r];
      if (c.transform) {
        res.str = s;
        res.via = via === undefined ? [methodIdx] : [...via, methodIdx];
        res.born = this.born[r]!;
        continue;
      }
      // The literal just before this argument: the previous argument's, or a builder receiver's last append.
      let after = -1;
      for (let j = k - 1; j >= 0; j--) {
        if (c.slots[j] === -2) continue;
        const p = regs[j]!;
        if (c.slots[j] === -1) after = this.sbLast(p);
        else if (this.tracked(p, icount)) after = this.str[p]!;
        break;
      }
      this.record(s, enclosing, pc, param === -1 ? USE_RECEIVER : USE_ARG, methodIdx, param === -1 ? -1 : param, after, via);
    }
    return 1 + n;
  }

  private record(string: number, method: number, pc: number, kind: number, target: number, arg: number, after: number, via: readonly number[] | undefined): void {
    if (!this.longEnough(string)) return;
    this.uses.add(string, method, pc, kind, target, arg, after, via);
  }

  private readonly paramCounts = new Map<number, number>();

  /** Declared parameter count of a method (0 when its proto cannot be read), cached. */
  paramCount(methodIdx: number): number {
    let n = this.paramCounts.get(methodIdx);
    if (n === undefined) this.paramCounts.set(methodIdx, (n = this.readParamCount(methodIdx)));
    return n;
  }

  private readParamCount(methodIdx: number): number {
    const t = this.t;
    if (methodIdx >= t.methodIdsSize) return 0;
    const protoIdx = this.view.getUint16(t.methodIdsOff + methodIdx * METHOD_ID_SIZE + 2, true);
    return protoIdx < t.protoIdsSize ? (this.protoParams(protoIdx)?.length ?? 0) : 0;
  }

  private readonly useTexts = new Map<number, { use: string; context: string | undefined; scope: string | undefined }>();
  private readonly afterNames = new Map<number, string | undefined>();

  /**
   * One use as a code context (docs/code-context.md): the location pointer, the bound name, the scope and the code
   * text. The parts that only depend on the callee or field are built once per file.
   */
  describe(i: number, text: string, keep?: (code: string, text: string, context?: string) => boolean): { pointer: string; context: string | undefined; scope: string; code: string } | undefined {
    const u = this.uses;
    const method = u.methodOf(i);
    const kind = u.kindOf(i);
    const target = u.targetOf(i);
    const key = (kind === USE_RETURN ? method : target) * 1024 + kind * 256 + (u.argOf(i) + 1);
    let base = this.useTexts.get(key);
    if (base === undefined) {
      if (kind === USE_SPUT || kind === USE_IPUT) {
        const f = this.field(target);
        base = { use: `${kind === USE_SPUT ? 'sput' : 'iput'} ${f.cls}.${f.name}`, context: f.name, scope: f.cls };
      } else if (kind === USE_RETURN) {
        base = { use: 'return', context: this.methodName(method), scope: undefined };
      } else {
        const callee = this.methodDotted(target);
        let context: string | undefined;
        if (kind === USE_ARG && this.paramCount(target) === 1) {
          const name = this.methodName(target);
          context = name === '<init>' ? simpleClassName(this.methodClass(target)) : name;
        }
        base = { use: kind === USE_RECEIVER ? `receiver of ${callee}` : `arg ${u.argOf(i)} of ${callee}`, context, scope: undefined };
      }
      this.useTexts.set(key, base);
    }
    let use = base.use;
    let context = base.context;
    const via = u.viaOf(i);
    if (via !== undefined) for (const v of via) use += ` via ${this.methodDotted(v)}`;
    const afterIdx = u.afterOf(i);
    if (afterIdx >= 0 && (kind === USE_ARG || kind === USE_RECEIVER)) {
      let after = this.afterNames.get(afterIdx);
      if (after === undefined && !this.afterNames.has(afterIdx)) this.afterNames.set(afterIdx, (after = this.afterText(afterIdx)));
      if (after !== undefined) {
        use += ` after ${JSON.stringify(after)}`;
        context = after;
      }
    }
    const code = `${use} in ${this.methodDotted(method)}`;
    // A use is described only when the caller keeps it (a scan: when some rule can read its value, name or code).
    if (keep !== undefined && !keep(code, text, context)) return undefined;
    const pc = u.pcOf(i).toString(16).padStart(4, '0');
    return { pointer: `${this.methodRef(method)}+0x${pc}: ${use}`, context, scope: base.scope ?? this.methodClass(method), code };
  }

  /**
   * The name part of the literal before a value (`after "..."`): a trailing query parameter or header prefix
   * (`?apikey=`, `Bearer `), or the whole literal when it is a short name (`X-Api-Key`, `api_key`). Anything else
   * (a long literal, one that could itself be a secret) gives no name: code contexts never carry another value.
   */
  afterText(stringIdx: number): string | undefined {
    const s = this.strings.name(stringIdx);
    return s === undefined ? undefined : nameBefore(s);
  }
}
