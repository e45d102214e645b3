import { Buffer, constants as bufferConstants } from 'node:buffer';
import { crc32, inflateRawSync, constants as zlibConstants } from 'node:zlib';
import { DecodeError } from './types.js';
import type { ByteBudget } from './budget.js';
import pako from 'pako';
import {
  CENTRAL_SIZE,
  FLAG_UTF8,
  LOCAL_SIZE,
  MAX_COMMENT_LENGTH,
  METHOD_STORED,
  decodeName,
  fail,
  findEocd,
  parseCentralDirectory,
  readRange,
  u16,
  u32,
  type RandomAccess,
  type ReadInto,
  type Eocd,
  type Warn,
  type ZipEntry,
} from './zip-directory.js';

export { MAX_COMMENT_LENGTH, bufferSource, decodeName, type RandomAccess, type ZipEntry } from './zip-directory.js';

// The ZIP reader: inflates entries with native zlib under hard caps (streams the ones too large to hold, with pako).
// The container's directory is parsed by zip-directory.ts.
// Spec: PKWARE APPNOTE.TXT 6.3.x (sections 4.3.x); Android's loader: AOSP system/libziparchive/zip_archive.cc.

/** Entries larger than this inflated size are subject to the ratio check. */
export const RATIO_MIN_BYTES = 1024 * 1024;
/**
 * Inflate chunk of an entry whose declared size is over its cap (it fails the cap if the declaration is true). An entry
 * within its cap is inflated into one buffer of its declared size: in chunks, zlib's output is every chunk plus their
 * concatenation, and the 12.6 MB JavaScript bundle of the large bench APK took 4 MB chunks, a fifth spare one and a
 * 12.6 MB copy (measured: the scan worker's peak RSS fell by 6-13 MB with one buffer).
 */
const MAX_INFLATE_CHUNK = 4 * 1024 * 1024;
const MIN_INFLATE_CHUNK = 4 * 1024;
/**
 * A result this much smaller than the buffer it came in (a central directory that declared far more than the entry
 * holds) is copied out, so the rest of the buffer is not kept alive with it.
 */
const OVERSIZED_OUTPUT_FACTOR = 2;
const MAX_BUFFER_LENGTH = bufferConstants.MAX_LENGTH;

const LOCAL_SIG = 0x04034b50;
const FLAG_ENCRYPTED = 0x0001;
const METHOD_DEFLATED = 8;
/** Slack read past the central name+extra so a local header with a slightly longer extra (zipalign padding) still needs one read. */
const LOCAL_EXTRA_SLACK = 64;

/** Inflated bytes in a buffer not much larger than they are (see OVERSIZED_OUTPUT_FACTOR). */
function fitted(out: Uint8Array): Uint8Array {
  return out.buffer.byteLength > MIN_INFLATE_CHUNK && out.length * OVERSIZED_OUTPUT_FACTOR < out.buffer.byteLength ? Buffer.from(out) : out;
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

/** How ZipArchive.open is told its limits, where to warn, and the budget it shares with other archives. */
export interface ZipOpenOptions {
  limits?: Partial<ZipLimits>;
  warn?: Warn;
  /**
   * Inflated bytes this archive shares with others (an artifact and the archives nested in it): every read charges
   * it, refused inflation included, and no read may pass what is left of it. Without it, only maxTotalBytes applies.
   */
  budget?: ByteBudget;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The caps of one read() call. */
interface Caps {
  /** Most bytes of this entry: the entry limit, or the call's maxBytes when lower. */
  entry: number;
  /** What this entry may take: `entry`, or less when the archive's or the shared budget is nearly spent. */
  budget: number;
  /** How error messages name `entry`. */
  name: string;
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
  /**
   * Indices of entries whose data overlaps an earlier entry's (see findOverlaps): an overlapping-entry bomb. read()
   * still reads them when asked; a scan leaves them out (src/pipeline/entries.ts ZipSource).
   */
  readonly overlapping: ReadonlySet<number>;
  private inflated = 0;
  private compressedRead = 0;

  private readonly limits: ZipLimits;
  private readonly warn: Warn;
  private readonly rawNames: Uint8Array[];
  private readonly localChecked = new Set<number>();
  private readonly shared: ByteBudget | undefined;

  private constructor(src: RandomAccess, limits: ZipLimits, warn: Warn, eocd: Eocd, directory: ReturnType<typeof parseCentralDirectory>, shared: ByteBudget | undefined) {
    this.source = src;
    this.shared = shared;
    this.overlapping = directory.overlapping;
    this.limits = limits;
    this.warn = warn;
    this.comment = eocd.comment;
    this.centralDirectoryOffset = eocd.cdOffset;
    this.centralDirectorySize = eocd.cdSize;
    this.entries = directory.entries;
    this.rawNames = directory.rawNames;
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
  static open(src: RandomAccess, opts: ZipOpenOptions = {}): ZipArchive {
    const limits: ZipLimits = { ...DEFAULT_ZIP_LIMITS };
    for (const [k, v] of Object.entries(opts.limits ?? {}) as [keyof ZipLimits, number | undefined][]) {
      if (v === undefined) continue;
      if (typeof v !== 'number' || Number.isNaN(v) || v < 0) throw new TypeError(`zip limit ${k} must be a non-negative number`);
      limits[k] = v;
    }
    const warn: Warn = opts.warn ?? (() => {});
    if (!Number.isSafeInteger(src.size) || src.size < 0) fail('bad_source', `archive size ${src.size} is invalid`);
    const eocd = findEocd(src, limits.maxCommentScan ?? MAX_COMMENT_LENGTH, warn);
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
    return new ZipArchive(src, limits, warn, eocd, parseCentralDirectory(cd, eocd, warn), opts.budget);
  }

  /**
   * Bytes of one entry (inflated, capped, CRC-checked). Stored entries may be views into the source. `maxBytes`
   * lowers the entry cap for this call (enforced while inflating, like the others). `transient`: the caller lets go of
   * the bytes (and every view of them) before its next transient read, so a stored entry may come in the source's
   * held buffer (RandomAccess.readHeld) instead of a fresh one. Throws DecodeError('zip.*') for this entry only.
   */
  read(entry: ZipEntry, opts: { maxBytes?: number; transient?: boolean } = {}): Uint8Array {
    const src = this.source;
    const at = entry.localHeaderOffset;
    const { maxBytes } = opts;
    if (maxBytes !== undefined && (typeof maxBytes !== 'number' || Number.isNaN(maxBytes) || maxBytes < 0)) throw new TypeError('maxBytes must be a non-negative number');
    const rawName = this.located(entry);
    const caps = this.caps(maxBytes);
    const entryCap = caps.entry;
    // A deflate stream expands at most by its 5-byte stored-block headers; more compressed bytes than that cannot fit the cap.
    const compressedCap = entryCap + Math.ceil(entryCap / 16384) * 5 + 1024;
    if (entry.compressedSize > compressedCap) {
      fail('entry_too_large', `${entry.name}: ${entry.compressedSize} compressed bytes exceed the ${caps.name}`, at);
    }

    // Stored data is the smaller declared size (see storedLength()); never read past it.
    const dataWant = entry.method === METHOD_STORED ? Math.min(entry.compressedSize, entry.uncompressedSize) : entry.compressedSize;
    // One read for header + data when the local name/extra are no longer than the central name plus a little slack.
    const guessHeader = LOCAL_SIZE + rawName.length + LOCAL_EXTRA_SLACK;
    // Compressed data comes in the source's scratch buffer when it has one (it is inflated at once); data that turns
    // out to be stored after all is copied out of it. Stored data comes in the held buffer for a transient read, else
    // as the source reads it (a fresh buffer from a file: a 2 MB stored PNG is otherwise garbage waiting for a full GC).
    const into: ReadInto = entry.method !== METHOD_STORED ? (src.readScratch !== undefined ? 'scratch' : false) : opts.transient === true && src.readHeld !== undefined ? 'held' : false;
    const keep = (bytes: Uint8Array) => (into === 'scratch' ? bytes.slice() : bytes);
    let chunk = readRange(src, at, Math.min(src.size - at, guessHeader + dataWant), 'local header', into);
    if (u32(chunk, 0) !== LOCAL_SIG) fail('bad_local_header', `${entry.name}: no local header signature at ${at}`, at);
    const localNameLen = u16(chunk, 26);
    const localExtraLen = u16(chunk, 28);
    const headerLen = LOCAL_SIZE + localNameLen + localExtraLen;
    if (headerLen > guessHeader) chunk = readRange(src, at, Math.min(src.size - at, headerLen + dataWant), 'local header', into);
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

  /**
   * Streams one entry in windows of at most `windowBytes`, never holding it whole: for entries too large to read at
   * once. The caps of read() apply as the bytes come (entry limit or `maxBytes`, archive and shared budgets, ratio);
   * when one is reached, the windows already given to `sink` stand and a DecodeError says which cap stopped it. Deflate
   * is inflated by pako, a resumable synchronous inflater (Node's zlib has no synchronous streaming API), at 0.65-0.95x
   * the speed of zlib's one-call inflate (measured on two machines: text 94 against 142 MB/s and 234-240 against
   * 251-351 MB/s; 512 MiB of zeros 289 MB/s, and 503-533 against 586-590 MB/s).
   * Returns the bytes given to `sink`.
   */
  stream(entry: ZipEntry, sink: (window: Uint8Array, offset: number) => void, opts: { windowBytes: number; maxBytes?: number }): number {
    const src = this.source;
    const at = entry.localHeaderOffset;
    const windowBytes = Math.floor(opts.windowBytes);
    if (!(windowBytes >= MIN_INFLATE_CHUNK)) throw new TypeError(`windowBytes must be at least ${MIN_INFLATE_CHUNK}`);
    const rawName = this.located(entry);
    const { maxRatio } = this.limits;
    const { entry: entryCap, name: capName } = this.caps(opts.maxBytes);
    const head = readRange(src, at, LOCAL_SIZE, 'local header');
    if (u32(head, 0) !== LOCAL_SIG) fail('bad_local_header', `${entry.name}: no local header signature at ${at}`, at);
    const localNameLen = u16(head, 26);
    const dataStart = at + LOCAL_SIZE + localNameLen + u16(head, 28);
    if (dataStart > src.size) fail('truncated', `${entry.name}: local header runs past the end of the archive`, at);
    this.checkLocalHeader(entry, rawName, readRange(src, at + LOCAL_SIZE, localNameLen, 'local name'), u16(head, 8));
    const stored = entry.method === METHOD_STORED;
    if (!stored && entry.method !== METHOD_DEFLATED) {
      this.warn({ code: 'zip.unknown_method', message: `${entry.name}: compression method ${entry.method} is read as deflate, as Android before 9 does`, offset: at });
    }
    const compressed = stored ? this.storedLength(entry, src.size - dataStart, dataStart) : entry.compressedSize;
    if (compressed > src.size - dataStart) fail('truncated', `${entry.name}: ${compressed} compressed bytes at ${dataStart} run past the end of the archive`, dataStart);
    const ratioCap = stored ? Infinity : Math.max(RATIO_MIN_BYTES, compressed * maxRatio);

    const window = Buffer.allocUnsafe(windowBytes);
    let filled = 0;
    let given = 0;
    let crc = 0;
    const flush = () => {
      if (filled === 0) return;
      const w = window.subarray(0, filled);
      crc = crc32(w, crc);
      sink(w, given);
      given += filled;
      filled = 0;
    };
    // Every byte is checked against the caps before it is kept.
    const accept = (chunk: Uint8Array) => {
      const total = given + filled + chunk.length;
      const left = this.budgetLeft();
      if (total > entryCap || total > ratioCap || chunk.length > left) {
        this.take(Math.min(chunk.length, left));
        flush();
        if (total > entryCap) fail('entry_too_large', `${entry.name}: inflates to more than the ${capName}; the first ${given} bytes were read`, at);
        if (total > ratioCap) fail('ratio', `${entry.name}: inflates to more than ${ratioCap} bytes from ${compressed} (ratio over ${maxRatio}); the first ${given} bytes were read`, at);
        fail('archive_budget_exhausted', `${entry.name}: inflates past what is left of ${this.budgetName()}; the first ${given} bytes were read`, at);
      }
      this.take(chunk.length);
      let p = 0;
      while (p < chunk.length) {
        const n = Math.min(chunk.length - p, windowBytes - filled);
        window.set(chunk.subarray(p, p + n), filled);
        filled += n;
        p += n;
        if (filled === windowBytes) flush();
      }
    };
    const piece = Math.min(MAX_INFLATE_CHUNK, windowBytes);
    const inflater = stored ? undefined : new pako.Inflate({ raw: true, chunkSize: Math.min(1 << 20, windowBytes) });
    if (inflater) inflater.onData = accept;
    for (let off = 0; off < compressed; off += piece) {
      const n = Math.min(piece, compressed - off);
      const bytes = readRange(src, dataStart + off, n, `data of ${entry.name}`, 'scratch');
      this.compressedRead += n;
      if (!inflater) {
        accept(bytes);
        continue;
      }
      // The last piece is pushed with Z_SYNC_FLUSH (2), so a stream cut short still gives what it holds.
      inflater.push(bytes, off + n >= compressed ? 2 : false);
      if (inflater.err < 0) {
        flush();
        fail('bad_deflate', `${entry.name}: ${inflater.msg || 'invalid deflate data'}; the first ${given} bytes were read`, at);
      }
      if (inflater.ended) break;
    }
    flush();
    if (inflater && !inflater.ended) this.warn({ code: 'zip.truncated_deflate', message: `${entry.name}: deflate stream is cut short; ${given} bytes recovered`, offset: at });
    if ((crc >>> 0) !== entry.crc32) {
      this.warn({ code: 'zip.crc_mismatch', message: `${entry.name}: CRC-32 of the ${stored ? 'stored' : 'inflated'} bytes does not match the central directory`, offset: at });
    }
    return given;
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
    if (length > caps.budget) fail('archive_budget_exhausted', `${entry.name}: ${length} bytes exceed what is left of ${this.budgetName()}`, at);
    this.take(length);
  }

  /** Inflates raw deflate under the entry, archive and ratio caps, enforced by zlib while it runs. */
  private inflate(entry: ZipEntry, data: Uint8Array, caps: Caps, at: number, salvage: boolean): Uint8Array {
    if (data.length === 0) return new Uint8Array(0);
    const ratioCap = Math.max(RATIO_MIN_BYTES, Math.floor(data.length * this.limits.maxRatio));
    const cap = Math.min(caps.budget, ratioCap, MAX_BUFFER_LENGTH - 1);
    // One more byte than declared: zlib stops with room left over instead of starting another chunk.
    const chunkSize = entry.uncompressedSize <= cap ? Math.max(MIN_INFLATE_CHUNK, entry.uncompressedSize + 1) : Math.min(MAX_INFLATE_CHUNK, cap + 1);
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
        this.take(out.length);
        this.warn({ code: 'zip.truncated_deflate', message: `${entry.name}: deflate stream is cut short; ${out.length} bytes recovered`, offset: at });
        return fitted(out);
      }
      fail('bad_deflate', `${entry.name}: ${(e as Error).message}`, at);
    }
    if (out.length > cap) this.overCap(entry, cap, caps, ratioCap, data.length, at);
    this.take(out.length);
    return fitted(out);
  }

  /** The raw central name of `entry`, once it is known to be one of this archive's and its local header offset to be inside it. */
  private located(entry: ZipEntry): Uint8Array {
    const rawName = this.rawNames[entry.index];
    if (rawName === undefined || this.entries[entry.index] !== entry) fail('unknown_entry', `entry ${entry.index} does not belong to this archive`);
    const at = entry.localHeaderOffset;
    if (at > this.source.size - LOCAL_SIZE) fail('bad_offset', `local header of ${entry.name} at ${at} is outside the ${this.source.size}-byte archive`, at);
    return rawName;
  }

  /** The caps of one read or stream: the entry limit or `maxBytes` when lower, and what is left of the budgets. */
  private caps(maxBytes: number | undefined): Caps {
    const { maxEntryBytes } = this.limits;
    const entry = maxBytes !== undefined && maxBytes < maxEntryBytes ? maxBytes : maxEntryBytes;
    return {
      entry,
      budget: Math.max(0, Math.min(entry, this.budgetLeft())),
      name: entry < maxEntryBytes ? `${entry}-byte limit of this read` : `${maxEntryBytes}-byte entry limit`,
    };
  }

  /** Counts bytes handed out, against this archive's cap and the shared budget. */
  private take(n: number): void {
    this.inflated += n;
    this.shared?.charge(n);
  }

  /** Bytes this archive may still hand out: what is left of its own budget and of the shared one. */
  private budgetLeft(): number {
    return Math.min(this.limits.maxTotalBytes - this.inflated, this.shared ? this.shared.left : Infinity);
  }

  /** The budget that ran out, for messages: the shared one when it is the smaller. */
  private budgetName(): string {
    const own = this.limits.maxTotalBytes - this.inflated;
    return this.shared && this.shared.left <= own ? `the ${this.shared.limit}-byte budget shared with the archives around and inside it` : `the ${this.limits.maxTotalBytes}-byte archive budget`;
  }

  private overCap(entry: ZipEntry, cap: number, caps: Caps, ratioCap: number, compressed: number, at: number): never {
    // zlib inflated `cap` bytes before it stopped: refused work is charged like kept bytes, so a thousand entries that
    // each inflate to just past a cap spend the budget instead of multiplying it.
    this.shared?.charge(cap);
    if (cap === ratioCap && ratioCap < caps.budget) {
      fail('ratio', `${entry.name}: inflates to more than ${ratioCap} bytes from ${compressed} (ratio over ${this.limits.maxRatio})`, at);
    }
    if (caps.budget >= caps.entry) fail('entry_too_large', `${entry.name}: inflates to more than the ${caps.name}`, at);
    fail('archive_budget_exhausted', `${entry.name}: inflates past what is left of ${this.budgetName()}`, at);
  }
}
