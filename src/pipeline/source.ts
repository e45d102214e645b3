import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { RandomAccess } from '../../decoders/zip.js';

/** Largest reused read buffer; longer reads get a buffer of their own. */
const MAX_SCRATCH_BYTES = 64 * 1024 * 1024;
/**
 * Bytes a scratch read fetches from its offset on: compressed entries lie one after another, so one read serves the
 * next hundreds of small ones (uiautomator2: 3,841 entries, a positional read each before).
 */
export const READ_AHEAD_BYTES = 1024 * 1024;

/** A file read by ranges with positional reads: large archives are never loaded whole. */
export class FileSource implements RandomAccess {
  readonly size: number;
  private fd: number;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
    try {
      const st = fstatSync(this.fd);
      if (!st.isFile()) throw new Error(`${path} is not a regular file`);
      this.size = st.size;
    } catch (e) {
      closeSync(this.fd);
      throw e;
    }
  }

  read(offset: number, length: number): Uint8Array {
    return this.readInto(Buffer.allocUnsafe(length), offset, length);
  }

  private readInto(out: Buffer, offset: number, length: number): Uint8Array {
    if (offset < 0 || length < 0 || offset + length > this.size) throw new RangeError(`read ${offset}+${length} outside ${this.size}-byte file`);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, out, done, length - done, offset + done);
      if (n === 0) throw new RangeError(`file ${this.path} shrank while reading`);
      done += n;
    }
    return out.length === length ? out : out.subarray(0, length);
  }

  private scratch: Buffer | undefined;

  /**
   * read() into one reused buffer (valid until the next call). A fresh buffer per entry costs a page fault per 4 KB
   * page on first touch, about 12 us each here: one 17 MB read into a fresh buffer took 50 ms, into a used one 2 ms,
   * and a profile of a 17 MB APK's scan showed about 110 ms in reads into fresh buffers.
   */
  readScratch(offset: number, length: number): Uint8Array {
    if (this.scratch !== undefined && offset >= this.ahead.start && offset + length <= this.ahead.end) return this.scratch.subarray(offset - this.ahead.start, offset - this.ahead.start + length);
    this.ahead = { start: 0, end: 0 };
    if (length >= READ_AHEAD_BYTES || offset < 0 || length < 0 || offset + length > this.size) return this.reused('scratch', offset, length);
    const n = Math.min(this.size - offset, READ_AHEAD_BYTES);
    const window = this.reused('scratch', offset, n);
    this.ahead = { start: offset, end: offset + n };
    return window.subarray(0, length);
  }

  /** The file range whose bytes the scratch buffer holds from its start (read ahead by readScratch). */
  private ahead = { start: 0, end: 0 };

  private held: Buffer | undefined;

  /**
   * read() into a second reused buffer (valid until the next readHeld call): stored entries a scan does not keep. A
   * fresh buffer each would be garbage until V8's next full collection: the 45 MB of stored assets of the bench's large
   * APK raised a worker's array buffers from 16 to 50 MB and its RSS by about 30 MB.
   */
  readHeld(offset: number, length: number): Uint8Array {
    return this.reused('held', offset, length);
  }

  /** read() into one of the reused buffers, grown by doubling up to MAX_SCRATCH_BYTES (longer reads get a fresh one). */
  private reused(which: 'scratch' | 'held', offset: number, length: number): Uint8Array {
    if (length > MAX_SCRATCH_BYTES) return this.read(offset, length);
    let buf = this[which];
    if (!buf || buf.length < length) this[which] = buf = Buffer.allocUnsafeSlow(Math.min(MAX_SCRATCH_BYTES, Math.max(length, 2 * (buf?.length ?? 32 * 1024))));
    return this.readInto(buf, offset, length);
  }

  /** SHA-256 of the whole file, read in 1 MiB ranges. */
  sha256(): string {
    const h = createHash('sha256');
    const chunk = Buffer.allocUnsafe(1 << 20);
    for (let off = 0; off < this.size; ) {
      const n = readSync(this.fd, chunk, 0, Math.min(chunk.length, this.size - off), off);
      if (n === 0) break;
      h.update(chunk.subarray(0, n));
      off += n;
    }
    return h.digest('hex');
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
