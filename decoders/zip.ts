import { constants as bufferConstants } from 'node:buffer';
import { crc32, inflateRawSync, constants as zlibConstants } from 'node:zlib';
import { DecodeError, type DecodeWarning } from './types.js';

// Spec: PKWARE APPNOTE.TXT 6.3.x (sections 4.3.x); Android's loader: AOSP system/libziparchive/zip_archive.cc.

/** Longest ZIP comment, hence how far back from the end the EOCD can sit. */
export const MAX_COMMENT_LENGTH = 0xffff;
/** Entries larger than this inflated size are subject to the ratio check. */
export const RATIO_MIN_BYTES = 1024 * 1024;
/** Largest inflate chunk handed to zlib (bigger chunks mean fewer JS<->C++ round trips on big entries). */
const MAX_INFLATE_CHUNK = 4 * 1024 * 1024;
const MIN_INFLATE_CHUNK = 4 * 1024;
const MAX_BUFFER_LENGTH = bufferConstants.MAX_LENGTH;

const EOCD_SIG = 0x06054b50;
const EOCD_SIZE = 22;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_EOCD_SIG = 0x06064b50;
const ZIP64_EOCD_SIZE = 56;
const CENTRAL_SIG = 0x02014b50;
const CENTRAL_SIZE = 46;
const LOCAL_SIG = 0x04034b50;
const LOCAL_SIZE = 30;
const ZIP64_EXTRA_ID = 0x0001;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_UTF8 = 0x0800;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;
/** Slack read past the central name+extra so a local header with a slightly longer extra (zipalign padding) still needs one read. */
const LOCAL_EXTRA_SLACK = 64;

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
}

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

/** Hard limits applied while reading one archive. */
export interface ZipLimits {
  /** Most central-directory entries (more is fatal for the archive). */
  maxEntries: number;
  /** Most inflated bytes of one entry. */
  maxEntryBytes: number;
  /** Most inflated bytes of all entries read from this archive. */
  maxTotalBytes: number;
  /** Highest inflated/compressed ratio, applied to entries inflating to more than RATIO_MIN_BYTES. */
  maxRatio: number;
  /** How many comment bytes to scan back for the EOCD (default and maximum 65535). */
  maxCommentScan?: number;
}

/** 100k entries, 512 MiB per entry, 2 GiB per archive, ratio 1000. */
export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 100_000,
  maxEntryBytes: 512 * 1024 ** 2,
  maxTotalBytes: 2 * 1024 ** 3,
  maxRatio: 1000,
  maxCommentScan: MAX_COMMENT_LENGTH,
};

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

type Warn = (w: DecodeWarning) => void;

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

function u16(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8);
}
function u32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}
/** Little-endian u64 as a number, or -1 above 2^53 (no real offset or size is that large). */
function u64(b: Uint8Array, at: number): number {
  const lo = u32(b, at);
  const hi = u32(b, at + 4);
  if (hi > 0x1fffff) return -1;
  return hi * 0x100000000 + lo;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function fail(code: string, message: string, offset?: number): never {
  throw new DecodeError(`zip.${code}`, message, offset);
}

/** Reads `length` bytes at `offset`, checking the range and that the source returned what was asked. */
function readRange(src: RandomAccess, offset: number, length: number, what: string, scratch = false): Uint8Array {
  if (offset < 0 || length < 0 || offset > src.size || length > src.size - offset) {
    fail('truncated', `${what} (${length} bytes at ${offset}) runs past the end of the ${src.size}-byte archive`, offset);
  }
  const out = scratch && src.readScratch ? src.readScratch(offset, length) : src.read(offset, length);
  if (out.length !== length) fail('truncated', `${what}: short read (${out.length} of ${length} bytes)`, offset);
  return out;
}

/** The caps of one read() call. */
interface Caps {
  /** Most bytes of this entry: the entry limit, or the call's maxBytes when lower. */
  entry: number;
  /** What this entry may take: `entry`, or less when the archive budget is nearly spent. */
  budget: number;
  /** How error messages name `entry`. */
  name: string;
}

interface Eocd {
  offset: number;
  count: number;
  cdSize: number;
  cdOffset: number;
  comment: Uint8Array;
  /** Where the central directory must end: the zip64 EOCD record when there is one, else the EOCD. */
  cdLimit: number;
}

/** Central-directory ZIP reader over random access; inflates with native zlib under hard caps. */
export class ZipArchive {
  /** Central-directory records in order, duplicates kept. */
  readonly entries: ZipEntry[];
  /** The EOCD comment bytes. */
  readonly comment: Uint8Array;
  /** Offset of the central directory (the APK Signing Block ends right before it). */
  readonly centralDirectoryOffset: number;
  /** Size of the central directory in bytes. */
  readonly centralDirectorySize: number;
  /** The archive bytes. */
  readonly source: RandomAccess;
  private inflated = 0;
  private compressedRead = 0;

  private readonly limits: ZipLimits;
  private readonly warn: Warn;
  private readonly rawNames: Uint8Array[];
  private readonly localChecked = new Set<number>();

  private constructor(src: RandomAccess, limits: ZipLimits, warn: Warn, eocd: Eocd, entries: ZipEntry[], rawNames: Uint8Array[]) {
    this.source = src;
    this.limits = limits;
    this.warn = warn;
    this.comment = eocd.comment;
    this.centralDirectoryOffset = eocd.cdOffset;
    this.centralDirectorySize = eocd.cdSize;
    this.entries = entries;
    this.rawNames = rawNames;
  }

  /** Running total of bytes handed out by read() (inflated or stored); the per-archive cap applies to it. */
  get bytesInflated(): number {
    return this.inflated;
  }

  /** Running total of compressed bytes read from the source by read(). */
  get bytesRead(): number {
    return this.compressedRead;
  }

  /** Parses the EOCD and the central directory; throws DecodeError('zip.*') when the archive cannot be read at all. */
  static open(src: RandomAccess, opts: { limits?: Partial<ZipLimits>; warn?: Warn } = {}): ZipArchive {
    const limits: ZipLimits = { ...DEFAULT_ZIP_LIMITS };
    for (const [k, v] of Object.entries(opts.limits ?? {}) as [keyof ZipLimits, number | undefined][]) {
      if (v === undefined) continue;
      if (typeof v !== 'number' || Number.isNaN(v) || v < 0) throw new TypeError(`zip limit ${k} must be a non-negative number`);
      limits[k] = v;
    }
    const warn: Warn = opts.warn ?? (() => {});
    if (!Number.isSafeInteger(src.size) || src.size < 0) fail('bad_source', `archive size ${src.size} is invalid`);
    const eocd = findEocd(src, limits, warn);
    if (eocd.count > limits.maxEntries) {
      fail('too_many_entries', `${eocd.count} entries exceed the limit of ${limits.maxEntries}`, eocd.offset);
    }
    if (eocd.cdOffset > eocd.cdLimit || eocd.cdSize > eocd.cdLimit - eocd.cdOffset) {
      fail('bad_central_directory', `central directory (${eocd.cdSize} bytes at ${eocd.cdOffset}) is outside the archive before its end record at ${eocd.cdLimit}`, eocd.offset);
    }
    if (eocd.count > Math.floor(eocd.cdSize / CENTRAL_SIZE)) {
      fail('bad_count', `${eocd.count} entries cannot fit in a ${eocd.cdSize}-byte central directory`, eocd.offset);
    }
    if (eocd.cdOffset + eocd.cdSize < eocd.cdLimit) {
      warn({ code: 'zip.gap_before_eocd', message: `${eocd.cdLimit - eocd.cdOffset - eocd.cdSize} unexplained bytes between the central directory and its end record`, offset: eocd.cdOffset + eocd.cdSize });
    }
    const cd = readRange(src, eocd.cdOffset, eocd.cdSize, 'central directory');
    const { entries, rawNames } = parseCentralDirectory(cd, eocd, warn);
    return new ZipArchive(src, limits, warn, eocd, entries, rawNames);
  }

  /**
   * Bytes of one entry (inflated, capped, CRC-checked). Stored entries may be views into the source. `maxBytes`
   * lowers the entry cap for this call (enforced while inflating, like the others). Throws DecodeError('zip.*') for
   * this entry only.
   */
  read(entry: ZipEntry, opts: { maxBytes?: number } = {}): Uint8Array {
    const src = this.source;
    const at = entry.localHeaderOffset;
    const rawName = this.rawNames[entry.index];
    if (rawName === undefined || this.entries[entry.index] !== entry) fail('unknown_entry', `entry ${entry.index} does not belong to this archive`);
    const { maxBytes } = opts;
    if (maxBytes !== undefined && (typeof maxBytes !== 'number' || Number.isNaN(maxBytes) || maxBytes < 0)) throw new TypeError('maxBytes must be a non-negative number');
    if (at > src.size - LOCAL_SIZE) fail('bad_offset', `local header of ${entry.name} at ${at} is outside the ${src.size}-byte archive`, at);

    const { maxEntryBytes, maxTotalBytes } = this.limits;
    const entryCap = maxBytes !== undefined && maxBytes < maxEntryBytes ? maxBytes : maxEntryBytes;
    const caps: Caps = {
      entry: entryCap,
      budget: Math.max(0, Math.min(entryCap, maxTotalBytes - this.inflated)),
      name: entryCap < maxEntryBytes ? `${entryCap}-byte limit of this read` : `${maxEntryBytes}-byte entry limit`,
    };
    // A deflate stream expands at most by its 5-byte stored-block headers; more compressed bytes than that cannot fit the cap.
    const compressedCap = entryCap + Math.ceil(entryCap / 16384) * 5 + 1024;
    if (entry.compressedSize > compressedCap) {
      fail('entry_too_large', `${entry.name}: ${entry.compressedSize} compressed bytes exceed the ${caps.name}`, at);
    }

    // Stored data is the smaller declared size (see storedLength()); never read past it.
    const dataWant = entry.method === METHOD_STORED ? Math.min(entry.compressedSize, entry.uncompressedSize) : entry.compressedSize;
    // One read for header + data when the local name/extra are no longer than the central name plus a little slack.
    const guessHeader = LOCAL_SIZE + rawName.length + LOCAL_EXTRA_SLACK;
    // Compressed data comes in the source's scratch buffer when it has one (it is inflated at once); stored data is
    // read as before, and data that turns out to be stored after all is copied out of the scratch buffer.
    const scratch = entry.method !== METHOD_STORED && src.readScratch !== undefined;
    const keep = (bytes: Uint8Array) => (scratch ? bytes.slice() : bytes);
    let chunk = readRange(src, at, Math.min(src.size - at, guessHeader + dataWant), 'local header', scratch);
    if (u32(chunk, 0) !== LOCAL_SIG) fail('bad_local_header', `${entry.name}: no local header signature at ${at}`, at);
    const localNameLen = u16(chunk, 26);
    const localExtraLen = u16(chunk, 28);
    const headerLen = LOCAL_SIZE + localNameLen + localExtraLen;
    if (headerLen > guessHeader) chunk = readRange(src, at, Math.min(src.size - at, headerLen + dataWant), 'local header', scratch);
    // Before the name is compared: a name cut by the end of the archive is no mismatch.
    if (headerLen > chunk.length) fail('truncated', `${entry.name}: local header runs past the end of the archive`, at);
    this.checkLocalHeader(entry, rawName, chunk.subarray(LOCAL_SIZE, LOCAL_SIZE + localNameLen), u16(chunk, 8));

    // Local sizes and CRC are ignored (zero when flag bit 3 defers them to a data descriptor): the central ones rule.
    const dataStart = at + headerLen;
    const available = chunk.length - headerLen;
    let method = entry.method;
    const encryptedFlag = (entry.flags & FLAG_ENCRYPTED) !== 0;
    let out: Uint8Array;
    let readLen: number;

    // Stored data, and the fallback for unknown methods whose bytes are not deflate.
    const stored = (): Uint8Array => {
      const bytes = keep(chunk.subarray(headerLen, headerLen + this.storedLength(entry, available, dataStart)));
      this.chargeStored(entry, bytes.length, caps, at);
      return bytes;
    };

    if (method === METHOD_STORED) {
      out = stored();
      readLen = out.length;
    } else {
      if (entry.compressedSize > available) {
        fail('truncated', `${entry.name}: ${entry.compressedSize} compressed bytes at ${dataStart} run past the end of the archive`, dataStart);
      }
      readLen = entry.compressedSize;
      const data = chunk.subarray(headerLen, headerLen + readLen);
      const known = method === METHOD_DEFLATED;
      if (!known) {
        this.warn({ code: 'zip.unknown_method', message: `${entry.name}: compression method ${method} is read as deflate, as Android before 9 does`, offset: at });
      }
      try {
        out = this.inflate(entry, data, caps, at, known);
        method = METHOD_DEFLATED;
        if (!known && (crc32(out) >>> 0) !== entry.crc32 && data.length === entry.uncompressedSize && (crc32(data) >>> 0) === entry.crc32) {
          this.inflated -= out.length;
          throw new DecodeError('zip.bad_deflate', 'inflated bytes fail the CRC; the raw bytes pass it', at);
        }
      } catch (e) {
        if (!(e instanceof DecodeError) || e.code !== 'zip.bad_deflate') throw e;
        if (known && encryptedFlag) fail('encrypted', `${entry.name} is encrypted`, at);
        if (known) throw e;
        // Unknown method whose bytes are not deflate: try them as stored.
        out = stored();
        readLen = out.length;
        method = METHOD_STORED;
        this.warn({ code: 'zip.unknown_method_stored', message: `${entry.name}: method ${entry.method} data is not deflate; read as stored`, offset: at });
      }
    }
    this.compressedRead += readLen;

    const crcOk = (crc32(out) >>> 0) === entry.crc32;
    if (encryptedFlag) {
      if (!crcOk) {
        // Real encryption (ZipCrypto/AES) makes the bytes unreadable; a wrong CRC is the tell.
        this.inflated -= out.length;
        fail('encrypted', `${entry.name} is encrypted`, at);
      }
      this.warn({ code: 'zip.fake_encrypted', message: `${entry.name}: "encrypted" flag set on unencrypted data (read anyway, as Android does)`, offset: at });
    } else if (!crcOk) {
      this.warn({ code: 'zip.crc_mismatch', message: `${entry.name}: CRC-32 of the ${method === METHOD_STORED ? 'stored' : 'inflated'} bytes does not match the central directory`, offset: at });
    }
    if (out.length !== entry.uncompressedSize && method !== METHOD_STORED) {
      this.warn({ code: 'zip.size_mismatch', message: `${entry.name}: inflated to ${out.length} bytes, central directory says ${entry.uncompressedSize}`, offset: at });
    }
    return out;
  }

  /** Finds the entries with a given central-directory name (duplicates included). */
  find(name: string): ZipEntry[] {
    return this.entries.filter((e) => e.name === name);
  }

  /** Records (once per entry) where the local header disagrees with the central directory, which is what Android uses. */
  private checkLocalHeader(entry: ZipEntry, central: Uint8Array, local: Uint8Array, localMethod: number): void {
    if (this.localChecked.has(entry.index)) return;
    this.localChecked.add(entry.index);
    if (localMethod !== entry.method) {
      this.warn({ code: 'zip.local_method_mismatch', message: `${entry.name}: local header says method ${localMethod}, central directory ${entry.method} (central method used)`, offset: entry.localHeaderOffset });
    }
    if (bytesEqual(central, local)) return;
    entry.localName = decodeName(local, (entry.flags & FLAG_UTF8) !== 0);
    this.warn({ code: 'zip.local_name_mismatch', message: `local header names ${JSON.stringify(entry.localName)}, central directory ${JSON.stringify(entry.name)} (central name used)`, offset: entry.localHeaderOffset });
  }

  /** Length of a stored entry's data: the declared sizes when they agree, else the smaller one that fits in the archive. */
  private storedLength(entry: ZipEntry, available: number, dataStart: number): number {
    const { compressedSize: c, uncompressedSize: u } = entry;
    if (c === u) {
      if (c > available) fail('truncated', `${entry.name}: ${c} stored bytes at ${dataStart} run past the end of the archive`, dataStart);
      return c;
    }
    const fits = [c, u].filter((n) => n <= available);
    if (fits.length === 0) fail('truncated', `${entry.name}: stored sizes ${c}/${u} at ${dataStart} run past the end of the archive`, dataStart);
    const len = Math.min(...fits);
    this.warn({ code: 'zip.stored_size_mismatch', message: `${entry.name}: stored entry declares ${c} compressed and ${u} uncompressed bytes; read ${len}`, offset: entry.localHeaderOffset });
    return len;
  }

  private chargeStored(entry: ZipEntry, length: number, caps: Caps, at: number): void {
    if (length > caps.entry) fail('entry_too_large', `${entry.name}: ${length} stored bytes exceed the ${caps.name}`, at);
    if (length > caps.budget) fail('archive_budget_exhausted', `${entry.name}: ${length} bytes exceed what is left of the ${this.limits.maxTotalBytes}-byte archive budget`, at);
    this.inflated += length;
  }

  /** Inflates raw deflate under the entry, archive and ratio caps, enforced by zlib while it runs. */
  private inflate(entry: ZipEntry, data: Uint8Array, caps: Caps, at: number, salvage: boolean): Uint8Array {
    if (data.length === 0) return new Uint8Array(0);
    const ratioCap = Math.max(RATIO_MIN_BYTES, Math.floor(data.length * this.limits.maxRatio));
    const cap = Math.min(caps.budget, ratioCap, MAX_BUFFER_LENGTH - 1);
    const hint = entry.uncompressedSize <= cap ? entry.uncompressedSize : cap;
    const chunkSize = Math.min(MAX_INFLATE_CHUNK, Math.max(MIN_INFLATE_CHUNK, hint + 1));
    let out: Uint8Array;
    try {
      out = inflateRawSync(data, { maxOutputLength: cap + 1, chunkSize });
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') this.overCap(entry, cap, caps, ratioCap, data.length, at);
      if (code === 'Z_BUF_ERROR' && salvage) {
        // Truncated stream: keep what inflates, as `unzip` does, and say so.
        try {
          out = inflateRawSync(data, { maxOutputLength: cap + 1, chunkSize, finishFlush: zlibConstants.Z_SYNC_FLUSH });
        } catch (e2) {
          if ((e2 as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') this.overCap(entry, cap, caps, ratioCap, data.length, at);
          fail('bad_deflate', `${entry.name}: ${(e2 as Error).message}`, at);
        }
        if (out.length === 0) fail('bad_deflate', `${entry.name}: deflate stream ends before any data`, at);
        if (out.length > cap) this.overCap(entry, cap, caps, ratioCap, data.length, at);
        this.inflated += out.length;
        this.warn({ code: 'zip.truncated_deflate', message: `${entry.name}: deflate stream is cut short; ${out.length} bytes recovered`, offset: at });
        return out;
      }
      fail('bad_deflate', `${entry.name}: ${(e as Error).message}`, at);
    }
    if (out.length > cap) this.overCap(entry, cap, caps, ratioCap, data.length, at);
    this.inflated += out.length;
    return out;
  }

  private overCap(entry: ZipEntry, cap: number, caps: Caps, ratioCap: number, compressed: number, at: number): never {
    if (cap === ratioCap && ratioCap < caps.budget) {
      fail('ratio', `${entry.name}: inflates to more than ${ratioCap} bytes from ${compressed} (ratio over ${this.limits.maxRatio})`, at);
    }
    if (caps.budget >= caps.entry) fail('entry_too_large', `${entry.name}: inflates to more than the ${caps.name}`, at);
    fail('archive_budget_exhausted', `${entry.name}: inflates past what is left of the ${this.limits.maxTotalBytes}-byte archive budget`, at);
  }
}

/** Scans back from the end for the EOCD (AOSP zip_archive.cc MapCentralDirectory) and applies the zip64 records. */
function findEocd(src: RandomAccess, limits: ZipLimits, warn: Warn): Eocd {
  const size = src.size;
  if (size < EOCD_SIZE) fail('no_eocd', `${size} bytes is too short for a ZIP archive`, 0);
  const maxComment = Math.max(0, Math.min(MAX_COMMENT_LENGTH, limits.maxCommentScan ?? MAX_COMMENT_LENGTH));
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
function parseCentralDirectory(cd: Uint8Array, eocd: Eocd, warn: Warn): { entries: ZipEntry[]; rawNames: Uint8Array[] } {
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
  warnOverlaps(entries, rawNames, warn);
  if (entries.length === eocd.count && pos < cd.length) {
    warn({ code: 'zip.central_directory_slack', message: `${cd.length - pos} bytes after the ${eocd.count} declared central headers are ignored, as Android does`, offset: eocd.cdOffset + pos });
  }
  return { entries, rawNames };
}

/** Warns once when entries share data (the overlapping-entry bomb, https://www.bamsoftware.com/hacks/zipbomb/); the caps bound the damage. */
function warnOverlaps(entries: ZipEntry[], rawNames: Uint8Array[], warn: Warn): void {
  const sorted = entries.slice().sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  let overlaps = 0;
  let end = -1;
  for (const e of sorted) {
    if (e.localHeaderOffset < end) overlaps++;
    // Lower bound of the entry's extent (the local extra may be longer): no false alarms.
    end = Math.max(end, e.localHeaderOffset + LOCAL_SIZE + rawNames[e.index]!.length + e.compressedSize);
  }
  if (overlaps > 0) warn({ code: 'zip.overlapping_entries', message: `${overlaps} entries overlap the data of another entry` });
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
