/**
 * Dalvik opcode tables for the code walks (source.android.com/docs/core/runtime/dalvik-bytecode and
 * .../instruction-formats): the width of each instruction, the width of payload pseudo-instructions, and what each
 * opcode does to the registers the code-context walk tracks.
 */
// What an opcode does to the walk's registers (source.android.com "Dalvik bytecode"): the register it writes (vA in
// 4 bits, vAA in 8, vAAAA in 16; wide results write the next register too), or the use it may be.
export const K_NONE = 0;
export const K_KILL_A4 = 1;
export const K_KILL_A4_WIDE = 2;
export const K_KILL_A8 = 3;
export const K_KILL_A8_WIDE = 4;
export const K_KILL_16 = 5;
export const K_KILL_16_WIDE = 6;
export const K_MOVE_OBJECT = 7;
export const K_MOVE_RESULT_OBJECT = 8;
export const K_RETURN_OBJECT = 9;
export const K_END = 10;
export const K_CONST_STRING = 11;
export const K_IPUT_OBJECT = 12;
export const K_SPUT_OBJECT = 13;
export const K_INVOKE = 14;
export const K_INVOKE_RANGE = 15;
export const OP_KIND = (() => {
  const k = new Uint8Array(256).fill(K_NONE);
  const set = (kind: number, ...ops: Array<number | [number, number]>) => {
    for (const o of ops) {
      if (typeof o === 'number') k[o] = kind;
      else k.fill(kind, o[0], o[1] + 1);
    }
  };
  // move, const/4, instance-of, array-length, new-array; iget (but wide), unop and binop/2addr and lit16 int results.
  set(K_KILL_A4, 0x01, 0x12, 0x20, 0x21, 0x23, [0x52, 0x58], [0x7b, 0x8f], [0xb0, 0xcf], [0xd0, 0xd7]);
  // move-wide, iget-wide; long/double unop, binop/2addr results.
  set(K_KILL_A4_WIDE, 0x04, 0x53, 0x7d, 0x7e, 0x80, 0x81, 0x83, 0x86, 0x88, 0x89, 0x8b, [0xbb, 0xc5], [0xcb, 0xcf]);
  // move/from16, move-result, move-exception, const/16, const, const/high16, const-class, new-instance,
  // const-method-handle/type, cmp*, aget (but wide), sget (but wide), binop and lit8 int results.
  set(K_KILL_A8, 0x02, 0x0a, 0x0d, 0x13, 0x14, 0x15, 0x1c, 0x22, 0xfe, 0xff, [0x2d, 0x31], [0x44, 0x4a], [0x60, 0x66], [0x90, 0xaf], [0xd8, 0xe2]);
  // move-wide/from16, move-result-wide, const-wide*, aget-wide, sget-wide, long/double binop results.
  set(K_KILL_A8_WIDE, 0x05, 0x0b, [0x16, 0x19], 0x45, 0x61, [0x9b, 0xa5], [0xab, 0xaf]);
  set(K_KILL_16, 0x03);
  set(K_KILL_16_WIDE, 0x06);
  set(K_MOVE_OBJECT, 0x07, 0x08, 0x09);
  set(K_MOVE_RESULT_OBJECT, 0x0c);
  set(K_RETURN_OBJECT, 0x11);
  // return-void/return/return-wide, throw, goto*, switches; unused opcodes end the path too.
  set(K_END, 0x0e, 0x0f, 0x10, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, [0x3e, 0x43], 0x73, 0x79, 0x7a, [0xe3, 0xf9]);
  set(K_CONST_STRING, 0x1a, 0x1b);
  set(K_IPUT_OBJECT, 0x5b);
  set(K_SPUT_OBJECT, 0x69);
  set(K_INVOKE, [0x6e, 0x72]);
  set(K_INVOKE_RANGE, [0x74, 0x78]);
  return k;
})();

/**
 * Width in code units of the nop slot at byte offset `at` whose first unit is `u`, with `left` units left in the
 * method: a payload pseudo-instruction (packed-switch 0x0100, sparse-switch 0x0200, fill-array-data 0x0300) spans its
 * table; a plain nop, or a table cut short, is one unit.
 */
export function nopWidth(view: DataView, at: number, u: number, left: number): number {
  if (u === 0x0100 && left >= 2) return 4 + view.getUint16(at + 2, true) * 2;
  if (u === 0x0200 && left >= 2) return 2 + view.getUint16(at + 2, true) * 4;
  if (u === 0x0300 && left >= 4) return 4 + Math.ceil((view.getUint16(at + 2, true) * view.getUint32(at + 4, true)) / 2);
  return 1;
}

/**
 * Width in 16-bit code units of each Dalvik opcode (source.android.com "Dalvik bytecode" and "instruction formats");
 * 0 marks the nop slot, whose high byte may announce a payload pseudo-instruction.
 */
export const OPCODE_UNITS = (() => {
  const w = new Uint8Array(256).fill(1);
  const set = (from: number, to: number, units: number) => w.fill(units, from, to + 1);
  w[0x00] = 0;
  set(0x02, 0x02, 2); set(0x03, 0x03, 3); set(0x05, 0x05, 2); set(0x06, 0x06, 3); set(0x08, 0x08, 2); set(0x09, 0x09, 3);
  set(0x13, 0x13, 2); set(0x14, 0x14, 3); set(0x15, 0x16, 2); set(0x17, 0x17, 3); set(0x18, 0x18, 5); set(0x19, 0x1a, 2);
  set(0x1b, 0x1b, 3); set(0x1c, 0x1c, 2); set(0x1f, 0x20, 2); set(0x22, 0x23, 2); set(0x24, 0x26, 3); set(0x29, 0x29, 2);
  set(0x2a, 0x2c, 3); set(0x2d, 0x3d, 2); set(0x44, 0x6d, 2); set(0x6e, 0x72, 3); set(0x74, 0x78, 3); set(0x90, 0xaf, 2);
  set(0xd0, 0xe2, 2); set(0xfa, 0xfb, 4); set(0xfc, 0xfd, 3); set(0xfe, 0xff, 2);
  return w;
})();
