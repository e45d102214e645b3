import { DecodeError, type DecodeWarning } from './types.js';

// The ZIP container's directory: end record, zip64 records, central-directory headers and entry names, and the
// overlap check that catches the overlapping-entry bomb before anything is inflated. The reader (zip.ts) inflates.
// Spec: PKWARE APPNOTE.TXT 6.3.x (sections 4.3.x); Android's loader: AOSP system/libziparchive/zip_archive.cc.

/** Longest ZIP comment, hence how far back from the end the EOCD can sit. */
export const MAX_COMMENT_LENGTH = 0xffff;

const EOCD_SIG = 0x06054b50;
export const EOCD_SIZE = 22;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_EOCD_SIG = 0x06064b50;
const ZIP64_EOCD_SIZE = 56;
const CENTRAL_SIG = 0x02014b50;
export const CENTRAL_SIZE = 46;
export const LOCAL_SIZE = 30;
const ZIP64_EXTRA_ID = 0x0001;
export const FLAG_UTF8 = 0x0800;
/** Compression method 0: the data is stored as is. */
export const METHOD_STORED = 0;

/** Synchronous random access to the archive bytes (a file via fs.readSync, or a buffer). */
export interface RandomAccess {
  /** Total size in bytes. */
  readonly size: number;
  /** Exactly `length` bytes at `offset`; may return a view into a shared buffer. */
  read(offset: number, length: number): Uint8Array;
  /**
   * Like read(), but the bytes are only valid until the next read or readScratch call on this source (a reused
   * buffer). The zip reader takes compressed data this way: it is inflated at once and never kept.
   */
  readScratch?(offset: number, length: number): Uint8Array;
  /**
   * Like readScratch(), in a second reused buffer: the bytes are valid until the next readHeld call. The zip reader
   * takes a stored entry this way when its caller reads it as transient (ZipArchive.read's `transient`).
   */
  readHeld?(offset: number, length: number): Uint8Array;
}

/** How readRange reads: a fresh or shared view (read), the scratch buffer, or the held buffer (RandomAccess). */
export type ReadInto = false | 'scratch' | 'held';

/** A RandomAccess over bytes already in memory; reads are views, not copies. */
export function bufferSource(bytes: Uint8Array): RandomAccess {
  return {
    size: bytes.length,
    read(offset: number, length: number): Uint8Array {
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset > bytes.length - length) {
        throw new DecodeError('zip.truncated', `read of ${length} bytes at ${offset} is outside the ${bytes.length}-byte archive`, offset);
      }
      return bytes.subarray(offset, offset + length);
    },
  };
}

/** One central-directory record. */
export interface ZipEntry {
  /** Position in the central directory. */
  index: number;
  /** Central-directory name: UTF-8 when flag bit 11 is set or the bytes are valid UTF-8, else CP437. */
  name: string;
  /** Compression method as declared in the central directory. */
  method: number;
  /** General-purpose flags from the central directory. */
  flags: number;
  /** Declared CRC-32 of the inflated data. */
  crc32: number;
  /** Declared compressed size (zip64 extra applied). */
  compressedSize: number;
  /** Declared uncompressed size (zip64 extra applied); a claim, never trusted for allocation. */
  uncompressedSize: number;
  /** Offset of the local header (zip64 extra applied). */
  localHeaderOffset: number;
  /** Name ends with `/`. */
  isDirectory: boolean;
  /** Set by `read()` when the local header's name differs from the central one. */
  localName?: string;
}

export type Warn = (w: DecodeWarning) => void;

const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const utf8Lenient = new TextDecoder('utf-8');
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

/** Decodes an entry name: ASCII fast path, UTF-8 when flagged or valid, CP437 (APPNOTE appendix D) otherwise. */
export function decodeName(bytes: Uint8Array, utf8Flag: boolean): string {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  if (utf8Flag) return utf8Lenient.decode(bytes);
  try {
    return utf8Strict.decode(bytes);
  } catch {
    let s = '';
    for (const b of bytes) s += b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80];
    return s;
  }
}

export function u16(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8);
}
export function u32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}
/** Little-endian u64 as a number, or -1 above 2^53 (no real offset or size is that large). */
function u64(b: Uint8Array, at: number): number {
  const lo = u32(b, at);
  const hi = u32(b, at + 4);
  if (hi > 0x1fffff) return -1;
  return hi * 0x100000000 + lo;
}

export function fail(code: string, message: string, offset?: number): never {
  throw new DecodeError(`zip.${code}`, message, offset);
}

/** Reads `length` bytes at `offset`, checking the range and that the source returned what was asked. */
export function readRange(src: RandomAccess, offset: number, length: number, what: string, into: ReadInto = false): Uint8Array {
  if (offset < 0 || length < 0 || offset > src.size || length > src.size - offset) {
    fail('truncated', `${what} (${length} bytes at ${offset}) runs past the end of the ${src.size}-byte archive`, offset);
  }
  const out = into === 'scratch' && src.readScratch ? src.readScratch(offset, length) : into === 'held' && src.readHeld ? src.readHeld(offset, length) : src.read(offset, length);
  if (out.length !== length) fail('truncated', `${what}: short read (${out.length} of ${length} bytes)`, offset);
  return out;
}

export interface Eocd {
  offset: number;
  count: number;
  cdSize: number;
  cdOffset: number;
  comment: Uint8Array;
  /** Where the central directory must end: the zip64 EOCD record when there is one, else the EOCD. */
  cdLimit: number;
}

/** Scans back from the end for the EOCD (AOSP zip_archive.cc MapCentralDirectory) and applies the zip64 records. */
export function findEocd(src: RandomAccess, maxCommentScan: number, warn: Warn): Eocd {
  const size = src.size;
  if (size < EOCD_SIZE) fail('no_eocd', `${size} bytes is too short for a ZIP archive`, 0);
  const maxComment = Math.max(0, Math.min(MAX_COMMENT_LENGTH, maxCommentScan));
  const tailLen = Math.min(size, EOCD_SIZE + maxComment);
  const tailStart = size - tailLen;
  const tail = readRange(src, tailStart, tailLen, 'end of central directory');
  let found = -1;
  for (let i = tailLen - EOCD_SIZE; i >= 0; i--) {
    if (tail[i] !== 0x50 || u32(tail, i) !== EOCD_SIG) continue;
    // A signature inside the comment whose own comment length overruns the file is not the record.
    if (u16(tail, i + 20) <= tailLen - i - EOCD_SIZE) {
      found = i;
      break;
    }
  }
  if (found < 0) fail('no_eocd', 'no end-of-central-directory record', size);
  const offset = tailStart + found;
  const diskNumber = u16(tail, found + 4);
  const cdDisk = u16(tail, found + 6);
  const diskEntries = u16(tail, found + 8);
  let count = u16(tail, found + 10);
  let cdSize = u32(tail, found + 12);
  let cdOffset = u32(tail, found + 16);
  const commentLen = u16(tail, found + 20);
  const comment = tail.subarray(found + EOCD_SIZE, found + EOCD_SIZE + commentLen);
  if (found + EOCD_SIZE + commentLen < tailLen) {
    warn({ code: 'zip.trailing_data', message: `${tailLen - found - EOCD_SIZE - commentLen} bytes after the end record's comment`, offset: offset + EOCD_SIZE + commentLen });
  }
  let cdLimit = offset;
  let diskInfo = [diskNumber, cdDisk];
  let zip64Entries = diskEntries;

  const saturated = count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff;
  const locatorAt = offset - ZIP64_LOCATOR_SIZE;
  let locator: Uint8Array | undefined;
  if (locatorAt >= 0) {
    locator = locatorAt >= tailStart ? tail.subarray(found - ZIP64_LOCATOR_SIZE, found) : readRange(src, locatorAt, ZIP64_LOCATOR_SIZE, 'zip64 locator');
    if (u32(locator, 0) !== ZIP64_LOCATOR_SIG) locator = undefined;
  }
  if (locator) {
    // APPNOTE 4.3.15 locator, 4.3.14 zip64 end of central directory record.
    const recordAt = u64(locator, 8);
    const problem = (msg: string): void => {
      if (saturated) fail('bad_zip64', msg, locatorAt);
      warn({ code: 'zip.bad_zip64', message: `${msg}; using the 32-bit end record`, offset: locatorAt });
    };
    if (recordAt < 0 || recordAt > locatorAt - ZIP64_EOCD_SIZE) {
      problem(`zip64 end record offset ${recordAt} is outside the archive`);
    } else {
      const rec = readRange(src, recordAt, ZIP64_EOCD_SIZE, 'zip64 end record');
      const c = u64(rec, 32);
      const s = u64(rec, 40);
      const o = u64(rec, 48);
      if (u32(rec, 0) !== ZIP64_EOCD_SIG) problem(`no zip64 end record signature at ${recordAt}`);
      else if (c < 0 || s < 0 || o < 0) problem('zip64 end record values are too large');
      else {
        count = c;
        cdSize = s;
        cdOffset = o;
        zip64Entries = u64(rec, 24);
        diskInfo = [u32(rec, 16), u32(rec, 20)];
        cdLimit = recordAt;
      }
    }
  } else if (saturated) {
    warn({ code: 'zip.missing_zip64', message: 'end record has saturated fields but no zip64 locator; using them as they are', offset });
  }
  if (diskInfo[0] !== 0 || diskInfo[1] !== 0 || zip64Entries !== count) {
    warn({ code: 'zip.multi_disk', message: `end record claims a multi-disk archive (disk ${diskInfo[0]}, directory disk ${diskInfo[1]}); read as one file`, offset });
  }
  return { offset, count, cdSize, cdOffset, comment, cdLimit };
}

/** Parses `eocd.count` central headers (APPNOTE 4.3.12), as Android does; bad records stop the walk. */
export function parseCentralDirectory(cd: Uint8Array, eocd: Eocd, warn: Warn): { entries: ZipEntry[]; rawNames: Uint8Array[]; overlapping: Set<number> } {
  const entries: ZipEntry[] = [];
  const rawNames: Uint8Array[] = [];
  const seen = new Map<string, number>();
  let pos = 0;
  for (let index = 0; index < eocd.count; index++) {
    const at = eocd.cdOffset + pos;
    let problem: string | undefined;
    if (pos > cd.length - CENTRAL_SIZE) problem = `central header ${index} runs past the central directory`;
    else if (u32(cd, pos) !== CENTRAL_SIG) problem = `no central header signature for entry ${index}`;
    const nameLen = problem ? 0 : u16(cd, pos + 28);
    const extraLen = problem ? 0 : u16(cd, pos + 30);
    const commentLen = problem ? 0 : u16(cd, pos + 32);
    const recordLen = CENTRAL_SIZE + nameLen + extraLen + commentLen;
    if (!problem && recordLen > cd.length - pos) problem = `central header ${index} (${recordLen} bytes) runs past the central directory`;
    if (problem) {
      if (entries.length === 0) fail('bad_central_directory', problem, at);
      warn({ code: 'zip.central_directory_truncated', message: `${problem}; kept the ${entries.length} entries before it`, offset: at });
      break;
    }
    const flags = u16(cd, pos + 8);
    const method = u16(cd, pos + 10);
    const crc = u32(cd, pos + 16);
    let compressedSize = u32(cd, pos + 20);
    let uncompressedSize = u32(cd, pos + 24);
    let localHeaderOffset = u32(cd, pos + 42);
    const rawName = cd.subarray(pos + CENTRAL_SIZE, pos + CENTRAL_SIZE + nameLen);
    const name = decodeName(rawName, (flags & FLAG_UTF8) !== 0);
    if (uncompressedSize === 0xffffffff || compressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
      const extra = cd.subarray(pos + CENTRAL_SIZE + nameLen, pos + CENTRAL_SIZE + nameLen + extraLen);
      const z = zip64Extra(extra, uncompressedSize === 0xffffffff, compressedSize === 0xffffffff, localHeaderOffset === 0xffffffff);
      if (z === undefined) {
        warn({ code: 'zip.bad_zip64_extra', message: `${name}: saturated sizes without a readable zip64 extra field`, offset: at });
      } else {
        uncompressedSize = z.uncompressed ?? uncompressedSize;
        compressedSize = z.compressed ?? compressedSize;
        localHeaderOffset = z.offset ?? localHeaderOffset;
      }
    }
    const entry: ZipEntry = {
      index,
      name,
      method,
      flags,
      crc32: crc,
      compressedSize,
      uncompressedSize,
      localHeaderOffset,
      isDirectory: name.endsWith('/'),
    };
    const dup = seen.get(name);
    if (dup === 1) warn({ code: 'zip.duplicate_name', message: `more than one entry is named ${JSON.stringify(name)}; all are kept`, offset: at });
    seen.set(name, (dup ?? 0) + 1);
    entries.push(entry);
    rawNames.push(rawName);
    pos += recordLen;
  }
  const overlapping = findOverlaps(entries, rawNames, warn);
  if (entries.length === eocd.count && pos < cd.length) {
    warn({ code: 'zip.central_directory_slack', message: `${cd.length - pos} bytes after the ${eocd.count} declared central headers are ignored, as Android does`, offset: eocd.cdOffset + pos });
  }
  return { entries, rawNames, overlapping };
}

/**
 * Entries whose local header starts inside the data of an entry before it: the overlapping-entry bomb
 * (https://www.bamsoftware.com/hacks/zipbomb/), where thousands of central records share one compressed kernel and
 * a 10 MB file inflates to 281 TB. Found from the central directory alone, before anything is inflated; warned
 * about once. Each extent is a lower bound (the local extra may be longer than the central one), so a well-formed
 * archive never has an overlap. Of entries sharing one place, the first by offset (then central order) is kept.
 */
export function findOverlaps(entries: readonly ZipEntry[], rawNames: readonly Uint8Array[], warn: Warn): Set<number> {
  const sorted = entries.slice().sort((a, b) => a.localHeaderOffset - b.localHeaderOffset || a.index - b.index);
  const overlapping = new Set<number>();
  let end = -1;
  for (const e of sorted) {
    if (e.localHeaderOffset < end) overlapping.add(e.index);
    // Stored data is read to the smaller declared size (ZipArchive's storedLength), so a stored entry whose compressed
    // size alone lies upwards does not reach over the entries after it.
    const data = e.method === METHOD_STORED ? Math.min(e.compressedSize, e.uncompressedSize) : e.compressedSize;
    end = Math.max(end, e.localHeaderOffset + LOCAL_SIZE + rawNames[e.index]!.length + data);
  }
  if (overlapping.size > 0) warn({ code: 'zip.overlapping_entries', message: `${overlapping.size} entries overlap the data of another entry` });
  return overlapping;
}

/** Reads the zip64 extended-information extra field (APPNOTE 4.5.3): only the saturated fields are present, in order. */
function zip64Extra(extra: Uint8Array, wantU: boolean, wantC: boolean, wantO: boolean): { uncompressed?: number; compressed?: number; offset?: number } | undefined {
  let p = 0;
  while (p + 4 <= extra.length) {
    const id = u16(extra, p);
    const len = u16(extra, p + 2);
    const body = p + 4;
    if (len > extra.length - body) return undefined;
    if (id === ZIP64_EXTRA_ID) {
      const out: { uncompressed?: number; compressed?: number; offset?: number } = {};
      let q = body;
      const take = (): number | undefined => {
        if (q + 8 > body + len) return undefined;
        const v = u64(extra, q);
        q += 8;
        return v < 0 ? undefined : v;
      };
      if (wantU && (out.uncompressed = take()) === undefined) return undefined;
      if (wantC && (out.compressed = take()) === undefined) return undefined;
      if (wantO && (out.offset = take()) === undefined) return undefined;
      return out;
    }
    p = body + len;
  }
  return undefined;
}
