/** What an entry's bytes are, judged by magic numbers and, for text, by encoding and printability. */
export type ContentKind = 'zip' | 'dex' | 'axml' | 'arsc' | 'elf' | 'macho' | 'bplist' | 'gzip' | 'text' | 'binary'
  | 'hermes' | 'pe' | 'xalz' | 'assembly-store' | 'il2cpp';

/** Bytes of the head looked at to decide whether an entry is text. */
export const SNIFF_TEXT_BYTES = 8192;
/** Largest share of control characters (other than tab, LF, CR, FF) text may contain. */
const MAX_CONTROL_SHARE = 0.02;

/** Text encodings {@link textEncoding} recognises. */
export type TextEncoding = 'utf8' | 'utf8-bom' | 'utf16le-bom' | 'utf16be-bom' | 'utf16le';

function startsWith(head: Uint8Array, magic: readonly number[], at = 0): boolean {
  if (head.length < at + magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (head[at + i] !== magic[i]) return false;
  return true;
}

function isControl(c: number): boolean {
  return (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) || c === 0x7f;
}

/** True when `bytes` is valid UTF-8 (a sequence cut by the end of the head is allowed) and mostly printable. */
function looksUtf8(bytes: Uint8Array): boolean {
  let control = 0;
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      if (b === 0) return false;
      if (isControl(b)) control++;
      i++;
      continue;
    }
    // RFC 3629 section 4: lead byte ranges and their continuation counts (no overlongs, no surrogates).
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return false;
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return true;
      const c = bytes[i + k]!;
      if (c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return false;
    }
    i += need + 1;
  }
  return control <= n * MAX_CONTROL_SHARE;
}

/** True when `bytes` (from `start`, in 16-bit units) is UTF-16 without NULs or unpaired surrogates and mostly printable. */
function looksUtf16(bytes: Uint8Array, start: number, littleEndian: boolean): boolean {
  let control = 0;
  let units = 0;
  const end = bytes.length - ((bytes.length - start) & 1);
  for (let i = start; i < end; i += 2) {
    const u = littleEndian ? bytes[i]! | (bytes[i + 1]! << 8) : (bytes[i]! << 8) | bytes[i + 1]!;
    units++;
    if (u === 0) return false;
    if (u < 0x80 && isControl(u)) control++;
    if (u >= 0xd800 && u <= 0xdbff) {
      if (i + 3 >= end) break;
      const next = littleEndian ? bytes[i + 2]! | (bytes[i + 3]! << 8) : (bytes[i + 2]! << 8) | bytes[i + 3]!;
      if (next < 0xdc00 || next > 0xdfff) return false;
      i += 2;
    } else if (u >= 0xdc00 && u <= 0xdfff) return false;
  }
  return control <= units * MAX_CONTROL_SHARE;
}

/** BOM-less UTF-16LE as written by some Windows tools: printable ASCII in every even byte, zero in every odd one. */
function looksBomlessUtf16le(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  const end = bytes.length & ~1;
  for (let i = 0; i < end; i += 2) {
    const lo = bytes[i]!;
    if (bytes[i + 1] !== 0 || lo === 0 || isControl(lo)) return false;
  }
  return true;
}

/** The text encoding of `head`, or undefined when it does not look like text. */
export function textEncoding(head: Uint8Array): TextEncoding | undefined {
  const h = head.length > SNIFF_TEXT_BYTES ? head.subarray(0, SNIFF_TEXT_BYTES) : head;
  if (startsWith(h, [0xef, 0xbb, 0xbf])) return looksUtf8(h.subarray(3)) ? 'utf8-bom' : undefined;
  if (startsWith(h, [0xff, 0xfe])) return looksUtf16(h, 2, true) ? 'utf16le-bom' : undefined;
  if (startsWith(h, [0xfe, 0xff])) return looksUtf16(h, 2, false) ? 'utf16be-bom' : undefined;
  if (looksBomlessUtf16le(h)) return 'utf16le';
  return looksUtf8(h) ? 'utf8' : undefined;
}

/** The content kind of an entry by its magic bytes; `text` when the head is valid UTF-8 (or UTF-16 with BOM) and mostly printable. */
export function sniff(head: Uint8Array, _path?: string): ContentKind {
  // Local header, empty archive (EOCD), spanning marker, or the "PK00" marker old tools put before the first header.
  if (startsWith(head, [0x50, 0x4b]) && (startsWith(head, [3, 4], 2) || startsWith(head, [5, 6], 2) || startsWith(head, [7, 8], 2) || startsWith(head, [0x30, 0x30], 2))) return 'zip';
  // Dalvik executable format, "header_item": "dex\n" + three-digit version + NUL.
  if (startsWith(head, [0x64, 0x65, 0x78, 0x0a]) && head.length >= 8 && head[7] === 0) return 'dex';
  if (startsWith(head, [0x7f, 0x45, 0x4c, 0x46])) return 'elf';
  // ResourceTypes.h ResChunk_header: RES_XML_TYPE 0x0003 / RES_TABLE_TYPE 0x0002 with their fixed header sizes.
  if (startsWith(head, [0x03, 0x00, 0x08, 0x00])) return 'axml';
  if (startsWith(head, [0x02, 0x00, 0x0c, 0x00])) return 'arsc';
  if (startsWith(head, [0x62, 0x70, 0x6c, 0x69, 0x73, 0x74])) return 'bplist';
  if (startsWith(head, [0x1f, 0x8b])) return 'gzip';
  // App runtimes: Hermes bytecode (hbc::MAGIC 0x1F1903C103BC1FC6 LE), Xamarin XALZ/XABA, IL2CPP metadata 0xFAB11BAF, PE (MZ..PE\0\0).
  if (startsWith(head, [0xc6, 0x1f, 0xbc, 0x03, 0xc1, 0x03, 0x19, 0x1f])) return 'hermes';
  if (startsWith(head, [0x58, 0x41, 0x4c, 0x5a]) && head.length >= 12) return 'xalz';
  if (startsWith(head, [0x58, 0x41, 0x42, 0x41]) && head.length >= 8) return 'assembly-store';
  if (startsWith(head, [0xaf, 0x1b, 0xb1, 0xfa]) && head.length >= 8) return 'il2cpp';
  if (startsWith(head, [0x4d, 0x5a]) && head.length >= 0x40) {
    const pe = head[0x3c]! | (head[0x3d]! << 8) | (head[0x3e]! << 16);
    if (pe + 4 <= head.length && startsWith(head, [0x50, 0x45, 0, 0], pe)) return 'pe';
  }
  // <mach-o/loader.h> MH_MAGIC(_64) in either byte order.
  if (startsWith(head, [0xfe, 0xed, 0xfa, 0xce]) || startsWith(head, [0xfe, 0xed, 0xfa, 0xcf])) return 'macho';
  if (startsWith(head, [0xce, 0xfa, 0xed, 0xfe]) || startsWith(head, [0xcf, 0xfa, 0xed, 0xfe])) return 'macho';
  // <mach-o/fat.h> FAT_MAGIC(_64) shares 0xCAFEBABE with Java class files; a fat header's nfat_arch is small, a class file's version is not.
  if ((startsWith(head, [0xca, 0xfe, 0xba, 0xbe]) || startsWith(head, [0xca, 0xfe, 0xba, 0xbf])) && head.length >= 8) {
    const nfat = ((head[4]! << 24) >>> 0) + (head[5]! << 16) + (head[6]! << 8) + head[7]!;
    if (nfat >= 1 && nfat < 20) return 'macho';
    return 'binary';
  }
  if (head.length === 0) return 'binary';
  return textEncoding(head) === undefined ? 'binary' : 'text';
}
