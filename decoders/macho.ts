import { Buffer } from 'node:buffer';
import { printableRuns } from './runs.js';
import { fatSlices, isFat } from './macho-fat.js';
import { DecodeError, type DecodeContext, type DecodedString, type Decoder, type DecodeWarning } from './types.js';
import { hex } from './reader.js';
import { machoBoundStrings } from './macho-bind.js';
import { cstrings, isCstringSection, MACHO_MAX_STRING, sectionAt, sectionBytes, sectionRanges, type MachoSection, type MachoSlice, type SectionRange } from './macho-sections.js';

export { cstrings, MACHO_MAX_STRING, type MachoEncryption, type MachoSection, type MachoSlice } from './macho-sections.js';

// Apple <mach-o/loader.h> (mach_header(_64), load_command, segment_command(_64), section(_64), dylib_command,
// encryption_info_command(_64), version_min_command, build_version_command) and <mach/machine.h> (cpu types).

/** Most load commands read from one slice. */
export const MAX_LOAD_COMMANDS = 65_536;
/** Most sections read from one slice. */
export const MAX_MACHO_SECTIONS = 65_536;
/** Shortest printable run taken from `__const`/`__data` sections. */
export const MACHO_DATA_MIN_RUN = 8;
/** Longest dylib path read from a load command. */
const MAX_DYLIB_NAME = 4096;

const MH_MAGIC = 0xfeedface;
const MH_MAGIC_64 = 0xfeedfacf;
const MH_CIGAM = 0xcefaedfe;
const MH_CIGAM_64 = 0xcffaedfe;
const MH_DSYM = 0xa;
const LC_REQ_DYLD = 0x80000000;
const LC_SEGMENT = 0x1;
const LC_SEGMENT_64 = 0x19;
const LC_LOAD_DYLIB = 0xc;
const LC_ID_DYLIB = 0xd;
const LC_LOAD_WEAK_DYLIB = (0x18 | LC_REQ_DYLD) >>> 0;
const LC_REEXPORT_DYLIB = (0x1f | LC_REQ_DYLD) >>> 0;
const LC_LAZY_LOAD_DYLIB = 0x20;
const LC_LOAD_UPWARD_DYLIB = (0x23 | LC_REQ_DYLD) >>> 0;
const LC_ENCRYPTION_INFO = 0x21;
const LC_ENCRYPTION_INFO_64 = 0x2c;
const LC_VERSION_MIN_MACOSX = 0x24;
const LC_VERSION_MIN_IPHONEOS = 0x25;
const LC_VERSION_MIN_TVOS = 0x2f;
const LC_VERSION_MIN_WATCHOS = 0x30;
const LC_BUILD_VERSION = 0x32;
const LC_CODE_SIGNATURE = 0x1d;
const LC_SYMTAB = 0x2;
const LC_DYLD_INFO = 0x22;
const LC_DYLD_INFO_ONLY = (0x22 | LC_REQ_DYLD) >>> 0;
const LC_FUNCTION_STARTS = 0x26;
const LC_DYLD_CHAINED_FIXUPS = (0x34 | LC_REQ_DYLD) >>> 0;
const CPU_ARCH_ABI64 = 0x01000000;
const CPU_ARCH_ABI64_32 = 0x02000000;
const CPU_TYPE_X86 = 7;
const CPU_TYPE_ARM = 12;
const CPU_TYPE_POWERPC = 18;
/** <mach-o/loader.h> PLATFORM_*: the platform of LC_BUILD_VERSION. */
const PLATFORMS: Record<number, string> = { 1: 'macos', 2: 'ios', 3: 'tvos', 4: 'watchos', 5: 'bridgeos', 6: 'maccatalyst', 7: 'ios-simulator', 8: 'tvos-simulator', 9: 'watchos-simulator', 10: 'driverkit', 11: 'visionos', 12: 'visionos-simulator' };


/** The architecture name of a cpu type and subtype (<mach/machine.h>). */
export function archName(cputype: number, cpusubtype: number): string {
  const sub = cpusubtype & 0x00ffffff;
  switch (cputype) {
    case CPU_TYPE_X86:
      return 'i386';
    case CPU_TYPE_X86 | CPU_ARCH_ABI64:
      return sub === 8 ? 'x86_64h' : 'x86_64';
    case CPU_TYPE_ARM:
      return ({ 5: 'armv4t', 6: 'armv6', 7: 'armv5', 9: 'armv7', 10: 'armv7f', 11: 'armv7s', 12: 'armv7k', 14: 'armv6m', 15: 'armv7m', 16: 'armv7em' } as Record<number, string>)[sub] ?? 'arm';
    case CPU_TYPE_ARM | CPU_ARCH_ABI64:
      return sub === 2 ? 'arm64e' : 'arm64';
    case CPU_TYPE_ARM | CPU_ARCH_ABI64_32:
      return 'arm64_32';
    case CPU_TYPE_POWERPC:
      return 'ppc';
    case CPU_TYPE_POWERPC | CPU_ARCH_ABI64:
      return 'ppc64';
    default:
      return `cpu${cputype}`;
  }
}

function name16(bytes: Uint8Array, at: number): string {
  let end = at;
  while (end < at + 16 && bytes[end] !== 0) end++;
  return Buffer.from(bytes.buffer, bytes.byteOffset + at, end - at).toString('latin1');
}

function version(v: number): string {
  const parts = [v >>> 16, (v >>> 8) & 0xff, v & 0xff];
  if (parts[2] === 0) parts.pop();
  return parts.join('.');
}

/** Parses the header and load commands of one thin slice; overrunning commands end the walk with a warning. */
export function parseMachoSlice(bytes: Uint8Array, warn: (w: DecodeWarning) => void, base = 0): MachoSlice {
  if (bytes.length < 28) throw new DecodeError('macho.truncated', `Mach-O header needs 28 bytes, ${bytes.length} left`, base);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rawMagic = view.getUint32(0, true);
  let le: boolean;
  let is64: boolean;
  if (rawMagic === MH_MAGIC || rawMagic === MH_MAGIC_64) {
    le = true;
    is64 = rawMagic === MH_MAGIC_64;
  } else if (rawMagic === MH_CIGAM || rawMagic === MH_CIGAM_64) {
    le = false;
    is64 = rawMagic === MH_CIGAM_64;
  } else throw new DecodeError('macho.bad_magic', `not a Mach-O header (magic 0x${rawMagic.toString(16)})`, base);
  const u32 = (at: number) => view.getUint32(at, le);
  const u64 = (at: number) => {
    const v = view.getBigUint64(at, le);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  };
  const headerSize = is64 ? 32 : 28;
  if (bytes.length < headerSize) throw new DecodeError('macho.truncated', `Mach-O header needs ${headerSize} bytes`, base);
  const cputype = view.getInt32(4, le);
  const cpusubtype = view.getInt32(8, le);
  const slice: MachoSlice = {
    arch: archName(cputype, cpusubtype),
    cputype,
    cpusubtype,
    is64,
    littleEndian: le,
    filetype: u32(12),
    base,
    bytes,
    sections: [],
    segments: [],
    dylibs: [],
  };
  const ncmds = u32(16);
  let sizeofcmds = u32(20);
  if (sizeofcmds > bytes.length - headerSize) {
    warn({ code: 'macho.bad_load_commands', message: `load commands claim ${sizeofcmds} bytes but only ${bytes.length - headerSize} follow the header`, offset: base + 20 });
    sizeofcmds = bytes.length - headerSize;
  }
  if (ncmds > MAX_LOAD_COMMANDS || ncmds * 8 > sizeofcmds) {
    warn({ code: 'macho.bad_load_commands', message: `${ncmds} load commands cannot fit in ${sizeofcmds} bytes: read what fits`, offset: base + 16 });
  }
  const end = headerSize + sizeofcmds;
  let at = headerSize;
  for (let i = 0; i < Math.min(ncmds, MAX_LOAD_COMMANDS); i++) {
    if (at + 8 > end) {
      warn({ code: 'macho.bad_load_commands', message: `load command ${i} of ${ncmds} starts past the load command area`, offset: base + at });
      break;
    }
    const cmd = u32(at);
    const cmdsize = u32(at + 4);
    if (cmdsize < 8 || cmdsize > end - at) {
      warn({ code: 'macho.bad_load_command', message: `load command ${i} (0x${cmd.toString(16)}) of size ${cmdsize} overruns the load command area: the rest were skipped`, offset: base + at });
      break;
    }
    switch (cmd) {
      case LC_SEGMENT:
      case LC_SEGMENT_64:
        readSegment(slice, at, cmdsize, cmd === LC_SEGMENT_64, u32, u64, warn);
        break;
      case LC_LOAD_DYLIB:
      case LC_LOAD_WEAK_DYLIB:
      case LC_REEXPORT_DYLIB:
      case LC_LAZY_LOAD_DYLIB:
      case LC_LOAD_UPWARD_DYLIB:
      case LC_ID_DYLIB: {
        const name = cmdsize >= 24 ? lcString(bytes, at, cmdsize, u32(at + 8)) : undefined;
        if (name === undefined) warn({ code: 'macho.bad_dylib', message: `dylib command ${i} has no valid name`, offset: base + at });
        else if (cmd === LC_ID_DYLIB) slice.idDylib = name;
        else slice.dylibs.push(name);
        break;
      }
      case LC_ENCRYPTION_INFO:
      case LC_ENCRYPTION_INFO_64:
        if (cmdsize >= 20) slice.encryption = { cryptoff: u32(at + 8), cryptsize: u32(at + 12), cryptid: u32(at + 16) };
        break;
      case LC_VERSION_MIN_IPHONEOS:
      case LC_VERSION_MIN_MACOSX:
      case LC_VERSION_MIN_TVOS:
      case LC_VERSION_MIN_WATCHOS:
        if (cmdsize >= 16 && slice.minOs === undefined) {
          slice.minOs = version(u32(at + 8));
          slice.platform = cmd === LC_VERSION_MIN_IPHONEOS ? 'ios' : cmd === LC_VERSION_MIN_MACOSX ? 'macos' : cmd === LC_VERSION_MIN_TVOS ? 'tvos' : 'watchos';
        }
        break;
      case LC_BUILD_VERSION:
        if (cmdsize >= 24) {
          slice.platform = PLATFORMS[u32(at + 8)] ?? `platform${u32(at + 8)}`;
          slice.minOs = version(u32(at + 12));
        }
        break;
      case LC_CODE_SIGNATURE:
        if (cmdsize >= 16) slice.codeSignature = { offset: u32(at + 8), size: u32(at + 12) };
        break;
      case LC_SYMTAB:
        if (cmdsize >= 24) slice.symtab = { symoff: u32(at + 8), nsyms: u32(at + 12), stroff: u32(at + 16), strsize: u32(at + 20) };
        break;
      case LC_DYLD_INFO:
      case LC_DYLD_INFO_ONLY:
        if (cmdsize >= 48) {
          slice.rebase = { offset: u32(at + 8), size: u32(at + 12) };
          slice.bind = { offset: u32(at + 16), size: u32(at + 20) };
        }
        break;
      case LC_DYLD_CHAINED_FIXUPS:
        if (cmdsize >= 16) slice.chainedFixups = { offset: u32(at + 8), size: u32(at + 12) };
        break;
      case LC_FUNCTION_STARTS:
        if (cmdsize >= 16) slice.functionStarts = { offset: u32(at + 8), size: u32(at + 12) };
        break;
      default:
        break;
    }
    at += cmdsize;
  }
  return slice;
}

/** A load-command string (lc_str): `offset` from the command start, NUL-terminated within the command. */
function lcString(bytes: Uint8Array, cmdAt: number, cmdsize: number, offset: number): string | undefined {
  if (offset < 8 || offset >= cmdsize) return undefined;
  const start = cmdAt + offset;
  const limit = Math.min(cmdAt + cmdsize, start + MAX_DYLIB_NAME);
  let end = start;
  while (end < limit && bytes[end] !== 0) end++;
  if (end === start) return undefined;
  return new TextDecoder().decode(bytes.subarray(start, end));
}

function readSegment(
  slice: MachoSlice,
  at: number,
  cmdsize: number,
  is64: boolean,
  u32: (at: number) => number,
  u64: (at: number) => number,
  warn: (w: DecodeWarning) => void,
): void {
  const head = is64 ? 72 : 56;
  const sectSize = is64 ? 80 : 68;
  if (cmdsize < head) {
    warn({ code: 'macho.bad_segment', message: `segment command of ${cmdsize} bytes is shorter than its ${head}-byte header`, offset: slice.base + at });
    return;
  }
  const bytes = slice.bytes;
  const segname = name16(bytes, at + 8);
  const seg = is64
    ? { segname, vmaddr: u64(at + 24), vmsize: u64(at + 32), fileoff: u64(at + 40), filesize: u64(at + 48) }
    : { segname, vmaddr: u32(at + 24), vmsize: u32(at + 28), fileoff: u32(at + 32), filesize: u32(at + 36) };
  slice.segments.push(seg);
  const nsects = u32(at + (is64 ? 64 : 48));
  const fits = Math.floor((cmdsize - head) / sectSize);
  let count = nsects;
  if (nsects > fits) {
    warn({ code: 'macho.bad_section_count', message: `segment ${segname} claims ${nsects} sections but its command holds ${fits}: read ${fits}`, offset: slice.base + at });
    count = fits;
  }
  if (slice.sections.length + count > MAX_MACHO_SECTIONS) {
    warn({ code: 'macho.too_many_sections', message: `more than ${MAX_MACHO_SECTIONS} sections: the rest were skipped`, offset: slice.base + at });
    count = Math.max(0, MAX_MACHO_SECTIONS - slice.sections.length);
  }
  for (let s = 0; s < count; s++) {
    const p = at + head + s * sectSize;
    slice.sections.push(
      is64
        ? { sectname: name16(bytes, p), segname: name16(bytes, p + 16), addr: u64(p + 32), size: u64(p + 40), offset: u32(p + 48), flags: u32(p + 64) }
        : { sectname: name16(bytes, p), segname: name16(bytes, p + 16), addr: u32(p + 32), size: u32(p + 36), offset: u32(p + 40), flags: u32(p + 56) },
    );
  }
}

/** Every slice of a thin or fat Mach-O; a slice that cannot be parsed is a warning while others remain. */
export function machoSlices(bytes: Uint8Array, warn: (w: DecodeWarning) => void): MachoSlice[] {
  if (!isFat(bytes)) return [parseMachoSlice(bytes, warn)];
  const out: MachoSlice[] = [];
  let firstError: unknown;
  for (const f of fatSlices(bytes, warn)) {
    try {
      out.push(parseMachoSlice(bytes.subarray(f.offset, f.offset + f.size), warn, f.offset));
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      firstError ??= e;
      warn({ code: e.code, message: `slice ${archName(f.cputype, f.cpusubtype)}: ${e.message}`, offset: e.offset });
    }
  }
  if (out.length === 0) throw firstError ?? new DecodeError('macho.bad_fat', 'no readable slice', 0);
  return out;
}

/** True when a slice's FairPlay encryption is on (`cryptid != 0`). */
export function isEncrypted(slice: MachoSlice): boolean {
  return slice.encryption !== undefined && slice.encryption.cryptid !== 0;
}



/** Each NUL-terminated UTF-16 string of a `__ustring` section with its offset. */
function* ustrings(bytes: Uint8Array, le: boolean): Generator<[number, string]> {
  const units = bytes.length >> 1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let start = 0;
  while (start < units) {
    let end = start;
    while (end < units && view.getUint16(end * 2, le) !== 0) end++;
    if (end > start) {
      const n = Math.min(end - start, MACHO_MAX_STRING);
      const units16 = Buffer.from(bytes.subarray(start * 2, (start + n) * 2));
      if (!le) units16.swap16();
      yield [start * 2, units16.toString('utf16le')];
    }
    start = end + 1;
  }
}



/** Strings of one slice: C-string sections, `__ustring`, CFString literals not already covered, `__const`/`__data` runs. */
function* sliceStrings(slice: MachoSlice, ctx: DecodeContext, seen: Set<string> | undefined): Generator<DecodedString> {
  const arch = `[${slice.arch}]`;
  const enc = isEncrypted(slice) ? slice.encryption! : undefined;
  let ranges: SectionRange[] | undefined;
  const emit = function* (sect: MachoSection, off: number, text: string, pointer?: string): Generator<DecodedString> {
    const where = `${sect.segname},${sect.sectname}`;
    if (seen) {
      const key = `${where}\0${text}`;
      if (seen.has(key)) return;
      seen.add(key);
    }
    yield { text, location: { entry: ctx.entry, decoder: 'macho', pointer: pointer ?? `${arch} ${where}+${hex(off)}` } };
  };
  for (const s of slice.sections) {
    const data = sectionBytes(slice, s);
    if (!data) continue;
    // A dSYM (MH_DSYM) keeps section headers but not their bytes, except its __DWARF segment.
    if (slice.filetype === MH_DSYM && s.segname !== '__DWARF') continue;
    if (enc && s.offset < enc.cryptoff + enc.cryptsize && enc.cryptoff < s.offset + s.size) continue;
    if (isCstringSection(s)) {
      for (const [off, text] of cstrings(data)) yield* emit(s, off, text);
    } else if (s.sectname === '__ustring') {
      for (const [off, text] of ustrings(data, slice.littleEndian)) yield* emit(s, off, text);
    } else if (s.sectname === '__cfstring') {
      ranges ??= sectionRanges(slice.sections);
      yield* cfstrings(slice, ranges, s, data, arch, ctx, seen);
    } else if (s.sectname === '__const' || s.sectname === '__data') {
      for (const run of printableRuns(data, ctx, { minLength: MACHO_DATA_MIN_RUN, utf16: false, pointerPrefix: `${arch} ${s.segname},${s.sectname}` }, 'macho')) {
        if (seen) {
          const key = `${s.segname},${s.sectname}\0${run.text}`;
          if (seen.has(key)) continue;
          seen.add(key);
        }
        yield run;
      }
    }
  }
  yield* machoBoundStrings(slice, ctx, seen);
}

/**
 * `__cfstring`: CFString literals {isa, flags, str, length}. Those whose bytes sit in a C-string or `__ustring`
 * section were emitted from there; the others (bytes elsewhere) are emitted here as `__DATA,__cfstring[N]`.
 */
function* cfstrings(slice: MachoSlice, ranges: readonly SectionRange[], s: MachoSection, data: Uint8Array, arch: string, ctx: DecodeContext, seen: Set<string> | undefined): Generator<DecodedString> {
  const ptr = slice.is64 ? 8 : 4;
  const size = ptr * 4;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const read = (at: number) => (slice.is64 ? Number(view.getBigUint64(at, slice.littleEndian) & 0xfffffffffn) : view.getUint32(at, slice.littleEndian));
  const textBase = slice.segments.find((g) => g.segname === '__TEXT')?.vmaddr ?? 0;
  for (let i = 0; (i + 1) * size <= data.length; i++) {
    const at = i * size;
    const flags = view.getUint32(at + ptr, slice.littleEndian);
    const addr = read(at + ptr * 2);
    const length = read(at + ptr * 3);
    // A rebased pointer (chained fixups) holds a target relative to the image base in its low 36 bits.
    const hit = sectionAt(ranges, addr) ?? sectionAt(ranges, textBase + addr);
    if (!hit) continue;
    const { s: target, off } = hit;
    if (isCstringSection(target) || target.sectname === '__ustring') continue;
    const bytes = sectionBytes(slice, target);
    if (!bytes) continue;
    // __kCFIsUnicode (0x10), set in the 0x7d0 of UTF-16 literals and clear in the 0x7c8 of 8-bit ones.
    const utf16 = (flags & 0x10) !== 0;
    const n = Math.min(length, MACHO_MAX_STRING) * (utf16 ? 2 : 1);
    if (off + n > bytes.length) continue;
    const text = utf16 ? Buffer.from(bytes.buffer, bytes.byteOffset + off, n).toString('utf16le') : new TextDecoder().decode(bytes.subarray(off, off + n));
    if (text === '') continue;
    if (seen) {
      const key = `cfstring\0${text}`;
      if (seen.has(key)) continue;
      seen.add(key);
    }
    yield { text, location: { entry: ctx.entry, decoder: 'macho', pointer: `${arch} ${s.segname},${s.sectname}[${i}]` } };
  }
}

/** The strings of a thin or fat Mach-O, each slice scanned and each string reported once (at its first slice). */
export function* machoStrings(bytes: Uint8Array, ctx: DecodeContext): Generator<DecodedString> {
  const slices = machoSlices(bytes, (w) => ctx.warn(w));
  const seen = slices.length > 1 ? new Set<string>() : undefined;
  for (const slice of slices) {
    if (isEncrypted(slice)) {
      ctx.warn({ code: 'macho.encrypted', message: `binary encrypted: resources only (${slice.arch} slice has LC_ENCRYPTION_INFO cryptid ${slice.encryption!.cryptid}; its encrypted range was not scanned)`, offset: slice.base });
    }
    yield* sliceStrings(slice, ctx, seen);
  }
}

/** Decoder `macho`: thin and fat Mach-O executables, dylibs and bundles. */
export const decodeMacho: Decoder = (bytes, ctx) => machoStrings(bytes, ctx);

/** App-level facts of a Mach-O: its architectures, encryption, linked libraries and minimum OS. */
export interface MachoInfo {
  archs: string[];
  /** Architectures whose slice is FairPlay-encrypted (`cryptid != 0`). */
  encryptedArchs: string[];
  /** Linked libraries of every slice, deduplicated, in first-seen order. */
  dylibs: string[];
  minOs?: string;
  platform?: string;
  filetype: number;
}

/** Reads the load commands only: what the artifact metadata needs. */
export function machoInfo(bytes: Uint8Array, warn: (w: DecodeWarning) => void = () => undefined): MachoInfo {
  const slices = machoSlices(bytes, warn);
  const dylibs: string[] = [];
  for (const s of slices) for (const d of s.dylibs) if (!dylibs.includes(d)) dylibs.push(d);
  const withOs = slices.find((s) => s.minOs !== undefined && s.platform !== undefined && !s.platform.endsWith('simulator')) ?? slices.find((s) => s.minOs !== undefined);
  const info: MachoInfo = {
    archs: slices.map((s) => s.arch),
    encryptedArchs: slices.filter(isEncrypted).map((s) => s.arch),
    dylibs,
    filetype: slices[0]!.filetype,
  };
  if (withOs?.minOs) info.minOs = withOs.minOs;
  if (withOs?.platform) info.platform = withOs.platform;
  return info;
}
