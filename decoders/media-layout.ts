/**
 * What the media walkers (decoders/media-*.ts) share: the layout type, the collector of skipped payloads and the
 * bounds-checked big/little-endian reads. A walker records only payloads it has positively identified; every other
 * byte stays in a kept range.
 */
import { DecodeError } from './types.js';

/** The text-bearing layout of a media or compressed file: which bytes are still searched as printable runs. */
export interface MediaLayout {
  /** The container recognised: 'png' | 'jpeg' | 'gif' | 'webp' | 'ogg' | 'mp3' | 'flac' | 'font' | 'xz' | 'zstd' | 'bzip2'. */
  format: string;
  /** Byte ranges [start, end) that are still searched as printable runs: sorted, non-overlapping, inside the buffer. */
  keep: Array<{ start: number; end: number }>;
  /** Bytes not searched (the sum of the gaps), for statistics. */
  skipped: number;
}

/**
 * Most separate skipped ranges in one layout. Each becomes two small objects; a 100 MB PNG written in libpng's 8 KB
 * IDAT chunks has 12,800, so a file with more is not one worth the bookkeeping (it is scanned whole).
 */
export const MAX_GAPS = 1 << 18;

/** The payloads a walker skips, in file order as it finds them (adjacent ones merged), and its bounds checks. */
export class Gaps {
  /** Flat [start, end, start, end, ...] pairs. */
  private readonly pairs: number[] = [];
  private sorted = true;

  constructor(
    /** Format name, used in error codes (`media.<format>.<code>`) and in the layout. */
    readonly format: string,
    /** Length of the bytes walked. */
    readonly length: number,
  ) {}

  fail(code: string, message: string, offset?: number): never {
    throw new DecodeError(`media.${this.format}.${code}`, message, offset);
  }

  /** Throws unless `n` bytes are present at `at`. */
  need(at: number, n: number, what: string): void {
    if (!(n >= 0 && at >= 0 && at <= this.length && n <= this.length - at)) {
      this.fail('truncated', `${what} needs ${n} bytes at ${at}, ${Math.max(0, this.length - at)} left`, at);
    }
  }

  /** Records [start, end) as a payload not searched. */
  skip(start: number, end: number): void {
    if (end <= start) return;
    const p = this.pairs;
    const k = p.length;
    if (k > 0) {
      if (p[k - 1] === start) {
        p[k - 1] = end;
        return;
      }
      if (start < p[k - 1]!) this.sorted = false;
    }
    if (k >= 2 * MAX_GAPS) this.fail('too_many_gaps', `more than ${MAX_GAPS} separate payloads`, start);
    p.push(start, end);
  }

  /** Adds the gaps a nested walk found in bytes that sit at `base` in these. */
  absorb(inner: Gaps, base: number): void {
    const q = inner.pairs;
    for (let i = 0; i < q.length; i += 2) this.skip(base + q[i]!, base + q[i + 1]!);
  }

  /** The kept ranges: the complement of the gaps (sorted and merged) within [0, length). */
  layout(): MediaLayout {
    let p = this.pairs;
    if (!this.sorted) {
      const order = Array.from({ length: p.length / 2 }, (_, i) => i).sort((a, b) => p[2 * a]! - p[2 * b]! || p[2 * a + 1]! - p[2 * b + 1]!);
      p = order.flatMap((i) => [p[2 * i]!, p[2 * i + 1]!]);
    }
    const keep: Array<{ start: number; end: number }> = [];
    let at = 0;
    let skipped = 0;
    for (let i = 0; i < p.length; i += 2) {
      const start = Math.max(at, p[i]!);
      const end = Math.min(this.length, p[i + 1]!);
      if (end <= start) continue;
      if (start > at) keep.push({ start: at, end: start });
      skipped += end - start;
      at = end;
    }
    if (at < this.length) keep.push({ start: at, end: this.length });
    return { format: this.format, keep, skipped };
  }
}

/** Walks one format from offset 0 of `bytes`, recording payloads in `gaps`; throws DecodeError on any structural error. */
export type MediaWalker = (bytes: Uint8Array, gaps: Gaps) => void;

/** True when `bytes` holds `magic` at `at`. */
export function hasMagic(bytes: Uint8Array, magic: readonly number[], at = 0): boolean {
  if (at < 0 || bytes.length - at < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[at + i] !== magic[i]) return false;
  return true;
}

/** True when the four bytes at `at` are printable ASCII (a chunk, table or FourCC tag). */
export function isTag(bytes: Uint8Array, at: number): boolean {
  for (let i = at; i < at + 4; i++) if (!(bytes[i]! >= 0x20 && bytes[i]! <= 0x7e)) return false;
  return true;
}

/** The four-character tag at `at` as text. */
export function tagAt(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
}

// Reads at offsets the caller has checked with Gaps.need.
export const u16be = (b: Uint8Array, p: number): number => (b[p]! << 8) | b[p + 1]!;
export const u24be = (b: Uint8Array, p: number): number => (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
export const u32be = (b: Uint8Array, p: number): number => ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
export const u16le = (b: Uint8Array, p: number): number => b[p]! | (b[p + 1]! << 8);
export const u24le = (b: Uint8Array, p: number): number => b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16);
export const u32le = (b: Uint8Array, p: number): number => (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
