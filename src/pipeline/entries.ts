import { gunzipSync } from 'node:zlib';
import { basename } from 'node:path';
import { DecodeError } from '../../decoders/types.js';
import { bufferSource, type RandomAccess, type ZipArchive, type ZipEntry } from '../../decoders/zip.js';

// Where the walker's entries come from: a zip archive (an APK, an IPA, a zip nested in one), a directory on disk,
// or one file. The walker reads entries only through this interface, so every kind of container gets the same
// classification, sharding, limits and locations.

/** One named entry of an EntrySource. */
export interface SourceEntry {
  /** Path inside the source, `/`-separated: `lib/arm64-v8a/libapp.so`, `X.app/Info.plist`. */
  readonly name: string;
  /** Size the source declares: a zip's central directory (a claim, never trusted for allocation), a file's length when listed. */
  readonly size: number;
  /** Position in the source's listing: a zip's central-directory order, a directory's sorted walk order. */
  readonly index: number;
  /** A directory record (zips may hold them); it has no bytes to read. */
  readonly isDirectory: boolean;
}

/** The kinds of entry source; each names its reader in diagnostics (`zip`, `dir`, `scan`). */
export type SourceKind = 'zip' | 'directory' | 'file';

/** A set of named entries with sizes that can be read, each read bounded by the source's limits. */
export interface EntrySource {
  readonly kind: SourceKind;
  /** Every entry, in listing order. */
  readonly entries: readonly SourceEntry[];
  /**
   * The bytes of one of `entries`. `maxBytes` lowers the entry limit for this read. `transient`: the caller lets go of
   * the bytes and every view of them before its next transient read of this source, which may then reuse their buffer
   * (ZipArchive.read). Throws DecodeError when the entry cannot be read within the limits; the other entries stay readable.
   */
  read(entry: SourceEntry, opts?: { maxBytes?: number; transient?: boolean }): Uint8Array;
  /**
   * The bytes of one of `entries` in windows of at most `windowBytes` (each valid only during the call), for entries
   * too large to hold whole; the same limits as read() apply as bytes come. Windows given before a limit stopped it
   * stand; the DecodeError says which limit. Returns the bytes given.
   */
  stream?(entry: SourceEntry, sink: (window: Uint8Array, offset: number) => void, opts: { windowBytes: number }): number;
  /** Bytes of entries this source had to extract so far (inflated from a zip, read from a directory; 0 for a loose file). */
  readonly bytesInflated: number;
  /** Bytes taken from the underlying storage so far (compressed bytes of a zip). */
  readonly bytesRead: number;
  /** The zip archive itself, when the source is one: APK signatures live outside its entries. */
  readonly archive?: ZipArchive;
}

/** The name diagnostics give the reader of a source kind. */
export function readerName(kind: SourceKind): string {
  return kind === 'zip' ? 'zip' : kind === 'directory' ? 'dir' : 'scan';
}

/**
 * A zip archive as an entry source: its central-directory records, read with the archive's caps. Entries whose data
 * overlaps another's (an overlapping-entry bomb, ZipArchive.overlapping) are left out: `overlapping` counts them, and
 * the walker reports them once.
 */
export class ZipSource implements EntrySource {
  readonly kind = 'zip';
  readonly entries: readonly SourceEntry[];
  /** Central-directory records left out because their data overlaps an earlier entry's. */
  readonly overlapping: number;
  private readonly records: readonly ZipEntry[];

  constructor(readonly archive: ZipArchive) {
    this.records = archive.entries.filter((e) => !archive.overlapping.has(e.index));
    this.overlapping = archive.entries.length - this.records.length;
    this.entries = this.records.map((e, index) => ({ name: e.name, size: e.uncompressedSize, index, isDirectory: e.isDirectory }));
  }

  read(entry: SourceEntry, opts: { maxBytes?: number; transient?: boolean } = {}): Uint8Array {
    return this.archive.read(this.zipEntry(entry), opts);
  }

  stream(entry: SourceEntry, sink: (window: Uint8Array, offset: number) => void, opts: { windowBytes: number }): number {
    return this.archive.stream(this.zipEntry(entry), sink, opts);
  }

  /** The central-directory record behind one of `entries`. */
  zipEntry(entry: SourceEntry): ZipEntry {
    const z = this.records[entry.index];
    if (!z || this.entries[entry.index] !== entry) throw new DecodeError('zip.unknown_entry', `entry ${entry.index} does not belong to this archive`);
    return z;
  }

  get bytesInflated(): number {
    return this.archive.bytesInflated;
  }

  get bytesRead(): number {
    return this.archive.bytesRead;
  }
}

/**
 * One file as a source of a single entry: a loose artifact (a .dex, a .so) named by its file name, or what a gzip
 * entry inflated to. The caller checks its size against the entry limit before making it.
 */
export class SingleFileSource implements EntrySource {
  readonly kind = 'file';
  readonly entries: readonly SourceEntry[];
  private taken = 0;

  /** `inflated`: the bytes were extracted (a gzip entry's content) and count as inflated when read. */
  constructor(
    name: string,
    private readonly src: RandomAccess,
    private readonly inflated = false,
  ) {
    this.entries = [{ name, size: src.size, index: 0, isDirectory: false }];
  }

  read(entry: SourceEntry, opts: { maxBytes?: number } = {}): Uint8Array {
    if (entry !== this.entries[0]) throw new DecodeError('scan.unknown_entry', `entry ${entry.name} does not belong to this file`);
    if (opts.maxBytes !== undefined && this.src.size > opts.maxBytes) throw new DecodeError('scan.entry_too_large', `file of ${this.src.size} bytes is over the ${opts.maxBytes}-byte limit of this read`);
    const bytes = this.src.read(0, this.src.size);
    this.taken += bytes.length;
    return bytes;
  }

  stream(entry: SourceEntry, sink: (window: Uint8Array, offset: number) => void, opts: { windowBytes: number }): number {
    if (entry !== this.entries[0]) throw new DecodeError('scan.unknown_entry', `entry ${entry.name} does not belong to this file`);
    const step = Math.max(1, Math.floor(opts.windowBytes));
    for (let off = 0; off < this.src.size; off += step) {
      const bytes = this.src.read(off, Math.min(step, this.src.size - off));
      this.taken += bytes.length;
      sink(bytes, off);
    }
    return this.src.size;
  }

  get bytesInflated(): number {
    return this.inflated ? this.taken : 0;
  }

  get bytesRead(): number {
    return this.taken;
  }
}

/**
 * A gzip entry as a source of one entry, `data` after `x.json.gz` (`data` when the name has nothing left). Inflates
 * at once, capped at `maxBytes` while inflating; throws when the data is not gzip or inflates past the cap.
 */
export function gunzipSource(path: string, bytes: Uint8Array, maxBytes: number): SingleFileSource {
  const inner = gunzipSync(bytes, { maxOutputLength: Math.max(1, maxBytes) });
  const name = basename(path).replace(/\.(t?gz|gzip)$/i, '') || 'data';
  return new SingleFileSource(name, bufferSource(inner), true);
}
