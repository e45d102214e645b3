import type { WorkBudget } from './budget.js';

// The few ARM instruction forms that compute the address of a literal, decoded exactly (Arm ARM, DDI 0487 "A64
// instruction set encoding" and DDI 0406 "ARM/Thumb instruction set encoding"); no general disassembler:
//   A64: ADR; ADRP followed by ADD (immediate) or LDR (immediate, unsigned offset) on its register; LDR (literal).
//   A32: LDR Rt, [PC, #imm] of a PC-relative offset, then ADD Rd, PC, Rt (or ADD Rd, Rt, PC).
//   T32: LDR Rt, [PC, #imm] (16-bit T1 and 32-bit T2), then ADD Rdn, PC (16-bit T2).
// Any other instruction that names a tracked register in its destination field (bits 0-4 in A64) ends its tracking,
// so a stale page or offset is never paired with a later instruction.

/** One computed address: the instruction that completes it and the address; `load` when the code reads a pointer there. */
export interface CodeRef {
  pc: number;
  target: number;
  load: boolean;
}

/** Reads a little-endian 32-bit word of `code` at byte `i` (bounds checked by the caller). */
function word(code: Uint8Array, i: number): number {
  return (code[i]! | (code[i + 1]! << 8) | (code[i + 2]! << 16) | (code[i + 3]! << 24)) >>> 0;
}

function signExtend(v: number, bits: number): number {
  const m = 2 ** (bits - 1);
  return v >= m ? v - 2 * m : v;
}

/**
 * A64 address computations inside `code` (little-endian instructions, the first at address `base`). Each instruction
 * read is charged to `budget`; the walk stops when it runs out.
 */
export function arm64Refs(code: Uint8Array, base: number, budget: WorkBudget): CodeRef[] {
  const out: CodeRef[] = [];
  const page = new Float64Array(32).fill(NaN);
  const n = code.length & ~3;
  for (let i = 0; i < n; i += 4) {
    if (!budget.charge()) break;
    const insn = word(code, i);
    const pc = base + i;
    const rd = insn & 31;
    if (((insn & 0x9f000000) >>> 0) === 0x90000000) {
      // ADRP Xd, label: immhi:immlo << 12 added to the 4 KiB page of the PC.
      const imm = signExtend((((insn >>> 5) & 0x7ffff) << 2) | ((insn >>> 29) & 3), 21);
      page[rd] = Math.floor(pc / 4096) * 4096 + imm * 4096;
      continue;
    }
    if (((insn & 0x9f000000) >>> 0) === 0x10000000) {
      // ADR Xd, label (what ld64 and lld relax an ADRP+ADD pair into).
      out.push({ pc, target: pc + signExtend((((insn >>> 5) & 0x7ffff) << 2) | ((insn >>> 29) & 3), 21), load: false });
      page[rd] = NaN;
      continue;
    }
    if (((insn & 0xbf000000) >>> 0) === 0x18000000) {
      // LDR Wt/Xt, label (literal): reads the word or pointer at PC + imm19 * 4.
      out.push({ pc, target: pc + signExtend((insn >>> 5) & 0x7ffff, 19) * 4, load: (insn & 0x40000000) !== 0 });
      page[rd] = NaN;
      continue;
    }
    const rn = (insn >>> 5) & 31;
    if (((insn & 0xff800000) >>> 0) === 0x91000000 && !Number.isNaN(page[rn]!)) {
      // ADD Xd, Xn, #imm12 {, LSL #12}.
      const imm = ((insn >>> 10) & 0xfff) * ((insn & 0x00400000) !== 0 ? 4096 : 1);
      out.push({ pc, target: page[rn]! + imm, load: false });
      page[rd] = NaN;
      continue;
    }
    if (((insn & 0xffc00000) >>> 0) === 0xf9400000 && !Number.isNaN(page[rn]!)) {
      // LDR Xt, [Xn, #imm12 * 8].
      out.push({ pc, target: page[rn]! + ((insn >>> 10) & 0xfff) * 8, load: true });
      page[rd] = NaN;
      continue;
    }
    page[rd] = NaN;
    // BL / BLR clobber the argument and temporary registers x0-x18 (AAPCS64).
    if (((insn & 0xfc000000) >>> 0) === 0x94000000 || ((insn & 0xfffffc1f) >>> 0) === 0xd63f0000) for (let r = 0; r <= 18; r++) page[r] = NaN;
  }
  return out;
}

/**
 * A32 or T32 address computations (`thumb` picks the instruction set): a PC-relative offset loaded from a literal
 * pool, then added to the PC. `code` starts at address `base`; each instruction read is charged to `budget`.
 */
export function arm32Refs(code: Uint8Array, base: number, thumb: boolean, budget: WorkBudget): CodeRef[] {
  const out: CodeRef[] = [];
  const lit = new Float64Array(16).fill(NaN);
  const literal = (addr: number): number | undefined => {
    const at = addr - base;
    return at >= 0 && at + 4 <= code.length ? word(code, at) : undefined;
  };
  if (!thumb) {
    const n = code.length & ~3;
    for (let i = 0; i < n; i += 4) {
      if (!budget.charge()) break;
      const insn = word(code, i);
      const pc = base + i;
      const rd = (insn >>> 12) & 15;
      if (((insn & 0x0f7f0000) >>> 0) === 0x051f0000) {
        // LDR Rt, [PC, #+/-imm12]: PC reads as the instruction address + 8.
        const addr = pc + 8 + ((insn & 0x00800000) !== 0 ? 1 : -1) * (insn & 0xfff);
        const v = literal(addr);
        lit[rd] = v === undefined ? NaN : v;
        continue;
      }
      if (((insn & 0x0fe00ff0) >>> 0) === 0x00800000) {
        // ADD Rd, Rn, Rm (register, no shift) with PC as one operand.
        const rn = (insn >>> 16) & 15;
        const rm = insn & 15;
        const other = rn === 15 ? rm : rm === 15 ? rn : -1;
        if (other >= 0 && other !== 15 && !Number.isNaN(lit[other]!)) {
          out.push({ pc, target: (pc + 8 + lit[other]!) >>> 0, load: false });
          lit[rd] = NaN;
          continue;
        }
      }
      lit[rd] = NaN;
    }
    return out;
  }
  for (let i = 0; i + 2 <= code.length; ) {
    if (!budget.charge()) break;
    const h = code[i]! | (code[i + 1]! << 8);
    const pc = base + i;
    const wide = (h & 0xe000) === 0xe000 && (h & 0x1800) !== 0;
    if (!wide) {
      if ((h & 0xf800) === 0x4800) {
        // LDR Rt, [PC, #imm8 * 4] (T1): PC is Align(instruction + 4, 4).
        const v = literal(Math.floor((pc + 4) / 4) * 4 + (h & 0xff) * 4);
        lit[(h >>> 8) & 7] = v === undefined ? NaN : v;
      } else if ((h & 0xff78) === 0x4478) {
        // ADD Rdn, PC (T2): Rdn = Rdn + instruction + 4.
        const rdn = ((h >>> 4) & 8) | (h & 7);
        if (!Number.isNaN(lit[rdn]!)) out.push({ pc, target: (pc + 4 + lit[rdn]!) >>> 0, load: false });
        lit[rdn] = NaN;
      } else if ((h & 0xc000) === 0 || (h & 0xfc00) === 0x4000 || (h & 0xff00) === 0x4600 || (h & 0xf800) === 0x6800) {
        // Shift/add/sub/mov/cmp immediates, data processing, MOV (register), LDR (immediate): Rd in bits 0-2
        // (MOV high registers: D:Rd); CMP/TST write nothing but clearing only loses a pair.
        lit[(h & 0xff00) === 0x4600 ? ((h >>> 4) & 8) | (h & 7) : (h & 0xe000) === 0x2000 ? (h >>> 8) & 7 : h & 7] = NaN;
      } else if ((h & 0xff80) === 0x4780) lit.fill(NaN); // BLX Rm clobbers r0-r3, r12, lr
      i += 2;
      continue;
    }
    if (i + 4 > code.length) break;
    const h2 = code[i + 2]! | (code[i + 3]! << 8);
    if ((h & 0xff7f) === 0xf85f) {
      // LDR Rt, [PC, #+/-imm12] (T2).
      const addr = Math.floor((pc + 4) / 4) * 4 + ((h & 0x80) !== 0 ? 1 : -1) * (h2 & 0xfff);
      const v = literal(addr);
      lit[h2 >>> 12] = v === undefined ? NaN : v;
    } else if ((h & 0xf800) === 0xf000 && (h2 & 0xc000) === 0xc000) {
      lit.fill(NaN); // BL / BLX
    } else {
      // Other 32-bit data processing and loads name Rd in bits 8-11 or Rt in bits 12-15 of the second halfword.
      lit[(h2 >>> 8) & 15] = NaN;
      lit[h2 >>> 12] = NaN;
    }
    i += 4;
  }
  return out;
}
