/**
 * Code context for Hermes bytecode strings: walks each function body and records what the code does with a string
 * (stores it as a property, passes it to a call, returns it, builds an object literal around it), like dex-code.ts
 * does for DEX. Instruction widths come from decoders/hermes-opcodes.ts, one table per bytecode version; a version
 * without a table, an opcode outside it or a function whose instructions do not end exactly at its size stops the
 * walk of that file or function with a warning. docs/code-context.md ("Hermes") is the contract.
 */
import { HERMES_OPCODES } from './hermes-opcodes.js';
import { nameBefore } from './literal-names.js';

/** A tracked register stops being followed this many instructions after its string was loaded. */
export const MAX_FLOW_INSTRUCTIONS = 64;
/** Instructions walked per file, as a multiple of the file size (two passes over every body; bodies may overlap). */
export const CODE_WORK_FACTOR = 4;
/** Uses kept per file. */
export const MAX_USES_PER_FILE = 1 << 20;
/** Uses kept per string (a string used everywhere says nothing more after a few). */
export const MAX_USES_PER_STRING = 16;
/** Properties read from one object literal buffer (a shape lists at most this many keys). */
const MAX_LITERAL_PROPS = 4096;
/** Warnings of one code per file. */
const MAX_WARNINGS = 8;

const W: Record<string, number> = { r: 1, R: 4, b: 1, h: 2, w: 4, a: 1, A: 4, i: 4, d: 8 };

// What an opcode does, as far as the walk cares.
const K_OTHER = 0;
const K_LOAD_STRING = 1;
const K_PUT_ID = 2; // obj, value, [cache,] string id (last operand)
const K_STORE_ENV = 3; // env, slot, value
const K_LOAD_ENV = 4; // dst, env, slot
const K_CALL = 5; // Call1..Call4: dst, closure, this, args...
const K_RET = 6;
const K_END = 7; // Throw, unconditional jumps, switches
const K_GET_ID = 8; // dst, obj, [cache,] string id
const K_MOV = 9;
const K_NEW_OBJ_BUFFER = 10;
const K_PUT_SLOT = 11; // obj, value, slot (v98+ object literal with non-constant values)
const K_GLOBAL = 12; // GetGlobalObject dst
const K_CREATE_ENV = 13; // CreateFunctionEnvironment / CreateEnvironment / CreateTopLevelEnvironment dst
const K_PARENT_ENV = 14; // GetParentEnvironment dst, level
const K_CLOSURE = 15; // CreateClosure dst, env, function
const K_NEW_ARR_BUFFER = 16; // NewArrayWithBuffer(Long) dst, sizeHint, count, buffer offset

/** Opcodes whose first register operand is read, not written. */
const NO_DEST = /^(Put|Store|Define|Ret|Throw|J|Switch|UIntSwitchImm|StringSwitchImm|DeclareGlobalVar|Debugger|ProfilePoint|AsyncBreakCheck|Unreachable|IteratorClose|SaveGenerator|StartGenerator|CompleteGenerator|FastArrayStore|FastArrayPush|FastArrayAppend|AddOwnPrivateBySym|TypedStoreParent)/;

export interface OpcodeTable {
  names: string[];
  width: Uint8Array;
  kind: Uint8Array;
  /** Byte offset of the string id operand (K_PUT_ID, K_GET_ID, K_LOAD_STRING) and its size. */
  idAt: Uint8Array;
  idSize: Uint8Array;
  /** 1 when the first operand is a written Reg8. */
  dest: Uint8Array;
}

const tables = new Map<number, OpcodeTable | undefined>();

/** The opcode table of a bytecode version, or undefined when none was generated for it. */
export function opcodeTable(version: number): OpcodeTable | undefined {
  if (tables.has(version)) return tables.get(version);
  const spec = HERMES_OPCODES[version];
  let t: OpcodeTable | undefined;
  if (spec !== undefined) {
    const entries = spec.split(' ').filter((e) => e !== '');
    const n = entries.length;
    t = { names: [], width: new Uint8Array(256), kind: new Uint8Array(256), idAt: new Uint8Array(256), idSize: new Uint8Array(256), dest: new Uint8Array(256) };
    for (let op = 0; op < n && op < 256; op++) {
      const [name = '', ops = ''] = entries[op]!.split(':');
      t.names.push(name);
      let width = 1;
      for (const c of ops) width += W[c] ?? 0;
      t.width[op] = width;
      const lastAt = width - (W[ops[ops.length - 1] ?? 'r'] ?? 1);
      const kind = opKind(name);
      t.kind[op] = kind;
      if (kind === K_PUT_ID || kind === K_GET_ID || kind === K_LOAD_STRING) {
        t.idAt[op] = lastAt;
        t.idSize[op] = W[ops[ops.length - 1]!] ?? 1;
      }
      t.dest[op] = ops[0] === 'r' && !NO_DEST.test(name) ? 1 : 0;
    }
  }
  tables.set(version, t);
  return t;
}

function opKind(name: string): number {
  if (name === 'LoadConstString' || name === 'LoadConstStringLongIndex') return K_LOAD_STRING;
  if (/^(PutById|TryPutById|PutNewOwnById|PutNewOwnNEById|DefineOwnById)/.test(name)) return K_PUT_ID;
  if (/^(GetById|TryGetById)/.test(name) && !name.includes('WithReceiver')) return K_GET_ID;
  if (/^Store(NP)?ToEnvironment/.test(name)) return K_STORE_ENV;
  if (/^LoadFromEnvironment/.test(name)) return K_LOAD_ENV;
  if (/^Call[1-4]$/.test(name)) return K_CALL;
  if (name === 'Ret') return K_RET;
  if (/^(Throw$|Jmp$|JmpLong$|SwitchImm|UIntSwitchImm|StringSwitchImm|Unreachable)/.test(name)) return K_END;
  if (name === 'Mov') return K_MOV;
  if (name === 'NewObjectWithBuffer' || name === 'NewObjectWithBufferLong') return K_NEW_OBJ_BUFFER;
  if (name === 'NewArrayWithBuffer' || name === 'NewArrayWithBufferLong') return K_NEW_ARR_BUFFER;
  if (name === 'PutOwnBySlotIdx' || name === 'PutOwnBySlotIdxLong') return K_PUT_SLOT;
  if (name === 'GetGlobalObject') return K_GLOBAL;
  if (name === 'CreateFunctionEnvironment' || name === 'CreateEnvironment' || name === 'CreateTopLevelEnvironment') return K_CREATE_ENV;
  if (name === 'GetParentEnvironment') return K_PARENT_ENV;
  if (name === 'CreateClosure' || name === 'CreateClosureLongIndex') return K_CLOSURE;
  return K_OTHER;
}

/** One function body, already checked to lie inside the file. */
export interface HermesFunction {
  offset: number;
  size: number;
  /** String id of its name (may be the empty string). */
  name: number;
}

/** Object literal buffers (v98+: shape table + key buffer + value buffer; older: key buffer + value buffer). */
export interface LiteralBuffers {
  shaped: boolean;
  values: Uint8Array;
  keys: Uint8Array;
  /** Array literal values (v98+: the value buffer itself). */
  arrays: Uint8Array;
  /** v98+: shape table (keyBufferOffset u32, numProps u32 per entry). */
  shapes: DataView | undefined;
  shapeCount: number;
}

export const USE_PUT = 0;
export const USE_ARG = 1;
export const USE_RETURN = 2;
export const USE_LITERAL = 3;
/** An element of a constant array literal (`arg` is its index): no name, emitted in array order. */
export const USE_ELEMENT = 4;

/** One recorded use of a string. */
export interface HermesUse {
  string: number;
  fn: number;
  pc: number;
  kind: number;
  /** Property name (put, literal), callee name (arg), or -1. */
  name: number;
  /** Argument index (arg), -1 otherwise. */
  arg: number;
  /** Callee takes exactly this many arguments (arg). */
  argc: number;
  /** String id of the literal before this argument, or -1. */
  after: number;
  /** Name of the object the property is on: a string id, -2 the global object, -1 unknown. */
  obj: number;
  /** Object literal record the property belongs to (its name is resolved when the object is stored), or -1. */
  literal: number;
  /** The value came out of an environment slot (a closure variable) before this use. */
  viaEnv: boolean;
}

const REGS = 65536;

/** Walks every function of one file; `stringText` resolves names (quiet), `warn` reports once per code. */
export class HermesCodeWalker {
  readonly uses: HermesUse[] = [];
  /** Object literal record -> string id of the name it was stored under (-1 none yet). */
  readonly literalNames: number[] = [];
  dropped = 0;
  private readonly perString = new Map<number, number>();
  private readonly warned = new Map<string, number>();
  private work = 0;
  private readonly budget: number;
  private stopped = false;
  // Register state, valid while gen[r] === g.
  private readonly gen = new Uint32Array(REGS);
  private readonly str = new Int32Array(REGS);
  private readonly born = new Int32Array(REGS);
  private readonly prop = new Int32Array(REGS);
  private readonly lit = new Int32Array(REGS);
  private readonly env = new Int32Array(REGS);
  private readonly fromEnv = new Uint8Array(REGS);
  private g = 0;
  /** Environment slot (function * 65536 + slot) -> string id stored there (pass 1). */
  private readonly envStrings = new Map<number, number>();
  /** Lexical parent of each function (pass 1), -1 unknown. */
  private readonly parent: Int32Array;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly table: OpcodeTable,
    private readonly functions: readonly HermesFunction[],
    private readonly stringCount: number,
    private readonly literals: LiteralBuffers | undefined,
    private readonly warnFn: (code: string, message: string, offset?: number) => void,
  ) {
    this.budget = CODE_WORK_FACTOR * bytes.length + 1024;
    this.parent = new Int32Array(functions.length).fill(-1);
  }

  private warn(code: string, message: string, offset?: number): void {
    const n = (this.warned.get(code) ?? 0) + 1;
    this.warned.set(code, n);
    if (n <= MAX_WARNINGS) this.warnFn(code, message, offset);
  }

  /** Both passes over every function. */
  run(): void {
    for (const pass of [1, 2]) {
      for (let f = 0; f < this.functions.length && !this.stopped; f++) this.walk(f, pass === 2);
    }
    for (const [code, n] of this.warned) if (n > MAX_WARNINGS) this.warnFn(code, `${n - MAX_WARNINGS} more ${code} warnings not shown`);
  }

  private fresh(r: number, icount: number): boolean {
    return this.gen[r] === this.g && this.str[r]! >= 0 && icount - this.born[r]! <= MAX_FLOW_INSTRUCTIONS;
  }

  private kill(r: number): void {
    if (this.gen[r] !== this.g) {
      this.gen[r] = this.g;
    }
    this.str[r] = -1;
    this.prop[r] = -1;
    this.lit[r] = -1;
    this.env[r] = -1;
    this.fromEnv[r] = 0;
  }

  private touch(r: number): void {
    if (this.gen[r] !== this.g) this.kill(r);
  }

  /** Walks function `f`; in pass 1 only closure parents and environment strings are collected. */
  private walk(f: number, record: boolean): void {
    const { bytes, table } = this;
    const fn = this.functions[f]!;
    const end = fn.offset + fn.size;
    this.g++;
    const pending: HermesUse[] = [];
    let icount = 0;
    let pc = fn.offset;
    while (pc < end) {
      const op = bytes[pc]!;
      const width = table.width[op]!;
      if (op >= table.names.length || width === 0) {
        this.warn('hermes.bad_opcode', `function ${f}: opcode ${op} at +${pc - fn.offset} is not in the HBC table; rest of the function not walked`, pc);
        return;
      }
      if (pc + width > end) break;
      if (++this.work > this.budget) {
        this.warn('hermes.code_budget', `more than ${CODE_WORK_FACTOR}x the file size in instructions: function bodies overlap; code context stopped`, pc);
        this.stopped = true;
        return;
      }
      icount++;
      const kind = table.kind[op]!;
      const a = bytes[pc + 1]!;
      const b = bytes[pc + 2]!;
      const c = bytes[pc + 3]!;
      switch (kind) {
        case K_LOAD_STRING: {
          const id = this.id(pc, op);
          this.kill(a);
          if (id < this.stringCount) {
            this.str[a] = id;
            this.born[a] = icount;
          }
          break;
        }
        case K_GET_ID: {
          const id = this.id(pc, op);
          this.kill(a);
          this.prop[a] = id;
          break;
        }
        case K_PUT_ID: {
          const id = this.id(pc, op);
          this.touch(a);
          this.touch(b);
          if (record && id < this.stringCount) {
            const objName = this.prop[a]! >= 0 ? this.prop[a]! : this.env[a] === -2 ? -2 : -1;
            if (this.fresh(b, icount)) pending.push(this.use(this.str[b]!, f, pc - fn.offset, USE_PUT, id, -1, 0, -1, objName, -1, this.fromEnv[b] === 1));
            // An object literal stored under a name gives its properties that name as scope.
            if (this.lit[b]! >= 0 && this.literalNames[this.lit[b]!] === -1) this.literalNames[this.lit[b]!] = id;
          }
          break;
        }
        case K_STORE_ENV: {
          // env, slot (UInt8 or UInt16), value
          const wide = width === 5;
          const slot = wide ? bytes[pc + 2]! | (bytes[pc + 3]! << 8) : b;
          const v = wide ? bytes[pc + 4]! : c;
          this.touch(a);
          this.touch(v);
          if (!record && this.fresh(v, icount) && this.env[a]! >= 0) this.envStrings.set(this.env[a]! * 65536 + slot, this.str[v]!);
          break;
        }
        case K_LOAD_ENV: {
          const wide = width === 5;
          const slot = wide ? c | (bytes[pc + 4]! << 8) : c;
          this.touch(b);
          const owner = this.env[b]!;
          this.kill(a);
          const s = owner >= 0 ? this.envStrings.get(owner * 65536 + slot) : undefined;
          if (s !== undefined) {
            this.str[a] = s;
            this.born[a] = icount;
            this.fromEnv[a] = 1;
          }
          break;
        }
        case K_CREATE_ENV:
          this.kill(a);
          this.env[a] = f;
          break;
        case K_PARENT_ENV: {
          this.kill(a);
          let p = this.parent[f]!;
          for (let k = 0; k < b && p >= 0; k++) p = this.parent[p]!;
          this.env[a] = p;
          break;
        }
        case K_CLOSURE: {
          const id = width === 5 ? c | (bytes[pc + 4]! << 8) : c | (bytes[pc + 4]! << 8) | (bytes[pc + 5]! << 16) | (bytes[pc + 6]! << 24);
          this.touch(b);
          if (!record && id >>> 0 < this.functions.length && this.env[b]! >= 0) this.parent[id >>> 0] = this.env[b]!;
          this.kill(a);
          break;
        }
        case K_GLOBAL:
          this.kill(a);
          this.env[a] = -2;
          break;
        case K_MOV:
          this.touch(b);
          if (a !== b) {
            this.kill(a);
            this.str[a] = this.str[b]!;
            this.born[a] = this.born[b]!;
            this.prop[a] = this.prop[b]!;
            this.lit[a] = this.lit[b]!;
            this.env[a] = this.env[b]!;
            this.fromEnv[a] = this.fromEnv[b]!;
          }
          break;
        case K_CALL: {
          // CallN dst, closure, this, arg1..argN-1: argument k of the callee is operand 4 + k.
          const argc = width - 4;
          if (record) {
            this.touch(b);
            const callee = this.prop[b]!;
            for (let k = 0; k < argc; k++) {
              const r = bytes[pc + 4 + k]!;
              this.touch(r);
              if (!this.fresh(r, icount)) continue;
              const prev = k > 0 ? bytes[pc + 3 + k]! : -1;
              const after = prev >= 0 && this.fresh(prev, icount) ? this.str[prev]! : -1;
              pending.push(this.use(this.str[r]!, f, pc - fn.offset, USE_ARG, callee, k, argc, after, -1, -1, this.fromEnv[r] === 1));
            }
            for (let k = 0; k < argc; k++) {
              const r = bytes[pc + 4 + k]!;
              if (this.lit[r]! >= 0 && this.literalNames[this.lit[r]!] === -1 && argc === 1 && callee >= 0) this.literalNames[this.lit[r]!] = callee;
            }
          }
          this.kill(a);
          break;
        }
        case K_RET:
          this.touch(a);
          if (record && this.fresh(a, icount)) pending.push(this.use(this.str[a]!, f, pc - fn.offset, USE_RETURN, fn.name, -1, 0, -1, -1, -1, this.fromEnv[a] === 1));
          this.g++;
          break;
        case K_END:
          this.g++;
          break;
        case K_NEW_OBJ_BUFFER:
          this.kill(a);
          if (record) this.objectLiteral(f, pc, fn.offset, width, a, pending);
          break;
        case K_NEW_ARR_BUFFER:
          this.kill(a);
          if (record) this.arrayLiteral(f, pc, fn.offset, width, pending);
          break;
        case K_PUT_SLOT:
          this.touch(a);
          this.touch(b);
          break;
        default:
          if (table.dest[op] === 1) this.kill(a);
      }
      pc += width;
    }
    if (pc !== end) {
      this.warn('hermes.code_desync', `function ${f}: instructions end at +${pc - fn.offset}, not at its size ${fn.size}; its code context is dropped`, fn.offset);
      return;
    }
    for (const u of pending) this.keep(u);
  }

  private id(pc: number, op: number): number {
    const at = pc + this.table.idAt[op]!;
    const size = this.table.idSize[op]!;
    const b = this.bytes;
    return size === 1 ? b[at]! : size === 2 ? b[at]! | (b[at + 1]! << 8) : (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
  }

  private use(string: number, fn: number, pc: number, kind: number, name: number, arg: number, argc: number, after: number, obj: number, literal: number, viaEnv: boolean): HermesUse {
    return { string, fn, pc, kind, name, arg, argc, after, obj, literal, viaEnv };
  }

  private keep(u: HermesUse): void {
    const n = this.perString.get(u.string) ?? 0;
    if (n >= MAX_USES_PER_STRING || this.uses.length >= MAX_USES_PER_FILE) {
      this.dropped++;
      return;
    }
    this.perString.set(u.string, n + 1);
    this.uses.push(u);
  }

  /** The string values of an object literal buffer, each bound to its key; the register remembers the literal. */
  private objectLiteral(f: number, pc: number, base: number, width: number, reg: number, pending: HermesUse[]): void {
    const L = this.literals;
    if (!L) return;
    const bytes = this.bytes;
    const u16 = (at: number) => bytes[at]! | (bytes[at + 1]! << 8);
    const u32 = (at: number) => (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
    let keyOffset: number;
    let valueOffset: number;
    let count: number;
    if (L.shaped) {
      // NewObjectWithBuffer dst, shapeIndex, valueOffset (UInt16 or UInt32 each).
      const long = width === 10;
      const shape = long ? u32(pc + 2) : u16(pc + 2);
      valueOffset = long ? u32(pc + 6) : u16(pc + 4);
      if (shape >= L.shapeCount || !L.shapes) return this.warn('hermes.bad_literal', `function ${f}: shape ${shape} of ${L.shapeCount}`, pc);
      keyOffset = L.shapes.getUint32(shape * 8, true);
      count = L.shapes.getUint32(shape * 8 + 4, true);
    } else {
      // NewObjectWithBuffer dst, sizeHint, count, keyOffset, valueOffset.
      const long = width === 14;
      count = u16(pc + 4);
      keyOffset = long ? u32(pc + 6) : u16(pc + 6);
      valueOffset = long ? u32(pc + 10) : u16(pc + 8);
    }
    if (count > MAX_LITERAL_PROPS) return this.warn('hermes.bad_literal', `function ${f}: object literal of ${count} properties`, pc);
    const keys = readLiteral(L.keys, keyOffset, count);
    const values = readLiteral(L.values, valueOffset, count);
    this.work += count;
    if (keys === undefined || values === undefined) return this.warn('hermes.bad_literal', `function ${f}: object literal buffer at key ${keyOffset} / value ${valueOffset} cannot be read`, pc);
    const record = this.literalNames.push(-1) - 1;
    this.lit[reg] = record;
    for (let k = 0; k < count; k++) {
      const v = values[k]!;
      const key = keys[k]!;
      if (v >= 0 && v < this.stringCount && key >= 0 && key < this.stringCount) pending.push(this.use(v, f, pc - base, USE_LITERAL, key, -1, 0, -1, -1, record, false));
    }
  }

  /** The string elements of a constant array literal, in order (their order is the program's, unlike the string table's). */
  private arrayLiteral(f: number, pc: number, base: number, width: number, pending: HermesUse[]): void {
    const L = this.literals;
    if (!L) return;
    const b = this.bytes;
    // NewArrayWithBuffer dst, sizeHint (UInt16), count (UInt16), offset (UInt16, UInt32 for the Long form).
    const count = b[pc + 4]! | (b[pc + 5]! << 8);
    const offset = width === 10 ? (b[pc + 6]! | (b[pc + 7]! << 8) | (b[pc + 8]! << 16) | (b[pc + 9]! << 24)) >>> 0 : b[pc + 6]! | (b[pc + 7]! << 8);
    if (count > MAX_LITERAL_PROPS) return this.warn('hermes.bad_literal', `function ${f}: array literal of ${count} elements`, pc);
    const values = readLiteral(L.arrays, offset, count);
    this.work += count;
    if (values === undefined) return this.warn('hermes.bad_literal', `function ${f}: array literal buffer at ${offset} cannot be read`, pc);
    for (let k = 0; k < count; k++) {
      const v = values[k]!;
      if (v >= 0 && v < this.stringCount) pending.push(this.use(v, f, pc - base, USE_ELEMENT, -1, k, count, -1, -1, -1, false));
    }
  }
}

/**
 * `count` entries of a serialized literal buffer from `offset` (SerializedLiteralGenerator): string ids, -1 for other
 * values; undefined when the buffer is malformed. Each group starts with a tag byte `tag | length` (tag in bits 4-6),
 * or two bytes `0x80 | tag | length >> 8, length & 0xff` for lengths above 15.
 */
export function readLiteral(buf: Uint8Array, offset: number, count: number): number[] | undefined {
  const out: number[] = [];
  let at = offset;
  while (out.length < count) {
    if (at >= buf.length) return undefined;
    const h = buf[at++]!;
    let len = h & 0x0f;
    if (h & 0x80) {
      if (at >= buf.length) return undefined;
      len = ((h & 0x0f) << 8) | buf[at++]!;
    }
    if (len === 0) return undefined;
    const tag = (h >> 4) & 0x07;
    const size = [0, 0, 0, 8, 4, 2, 1, 4][tag]!;
    if (at + len * size > buf.length) return undefined;
    for (let k = 0; k < len && out.length < count; k++, at += size) {
      if (tag === 4) out.push((buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24)) >>> 0);
      else if (tag === 5) out.push(buf[at]! | (buf[at + 1]! << 8));
      else if (tag === 6) out.push(buf[at]!);
      else out.push(-1);
    }
  }
  return out;
}

/** The name the literal before an argument gives it (dex-code's rule), re-exported for the describer. */
export { nameBefore };
