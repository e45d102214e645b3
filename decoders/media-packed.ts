/**
 * Walkers for compressed blobs with a strong magic (decoders/media.ts): xz, zstd and bzip2. Only entropy-coded data is
 * skipped; data a format stores verbatim stays kept: xz's uncompressed LZMA2 chunks, zstd's raw blocks and the blocks
 * whose literals are raw (short text compressed by zstd is there in the clear), zstd skippable frames. 7z is not
 * walked: its packed streams may be stored (Copy) or hold LZMA2 uncompressed chunks, and which coders it used is in a
 * header that is itself compressed by default. lz4 is not either: its literals are copied verbatim.
 */
import { Buffer } from 'node:buffer';
import { crc32 } from 'node:zlib';
import { type Gaps, hasMagic, u16be, u24le, u32le } from './media-layout.js';

export const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] as const;
/** Most concatenated streams walked in one xz file. */
const MAX_XZ_STREAMS = 1024;
/** Most blocks in one xz stream; xz -T splits by 3 x the dictionary (24 MB at -6), so 64 GB of input has 2,730. */
const MAX_XZ_BLOCKS = 1 << 16;
/** Most LZMA2 chunks walked in one file; each holds up to 2 MB of output and is at least 1 byte. */
const MAX_LZMA2_CHUNKS = 1 << 22;
/** xz file format 1.1.0 §3.1.6: the last filter is LZMA2, whose properties are one byte. */
const LZMA2_FILTER = 0x21;
/** xz §2.1.1.2: check sizes by check type (None, CRC32, CRC64, SHA-256 and reserved ids). */
const CHECK_SIZES = [0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64] as const;
/** xz §1.2: a variable-length integer has at most 9 bytes. */
const MAX_VLI_BYTES = 9;

let vliEnd = 0;
/** The xz multibyte integer at `p`, which must end before `limit` (its end in vliEnd). */
function vli(bytes: Uint8Array, g: Gaps, p: number, limit: number): number {
  let value = 0;
  for (let k = 0; k < MAX_VLI_BYTES && p + k < limit; k++) {
    const b = bytes[p + k]!;
    value += (b & 0x7f) * 2 ** (7 * k);
    if ((b & 0x80) === 0) {
      if (b === 0 && k > 0) break;
      vliEnd = p + k + 1;
      return value;
    }
  }
  return g.fail('bad_integer', 'bad multibyte integer', p);
}

/** xz (tukaani.org xz-file-format 1.1.0): streams of blocks, index and footer; LZMA chunks skipped, stored chunks kept. */
export function xzLayout(bytes: Uint8Array, g: Gaps): void {
  const n = bytes.length;
  let p = 0;
  const chunks = { left: MAX_LZMA2_CHUNKS };
  for (let streams = 0; ; streams++) {
    if (streams >= MAX_XZ_STREAMS) g.fail('too_many_streams', `more than ${MAX_XZ_STREAMS} streams`, p);
    g.need(p, 12, 'stream header');
    const flags = bytes[p + 7]!;
    if (bytes[p + 6] !== 0 || flags > 0x0f) g.fail('bad_flags', 'reserved stream flags set', p + 6);
    if ((crc32(bytes.subarray(p + 6, p + 8)) >>> 0) !== u32le(bytes, p + 8)) g.fail('bad_crc', 'stream header fails its CRC32', p);
    const checkSize = CHECK_SIZES[flags]!;
    const unpadded: number[] = [];
    let q = p + 12;
    for (;;) {
      g.need(q, 1, 'block or index');
      if (bytes[q] === 0) break; // §4: the index starts with a zero indicator, a block header never does
      if (unpadded.length >= MAX_XZ_BLOCKS) g.fail('too_many_blocks', `more than ${MAX_XZ_BLOCKS} blocks`, q);
      q = xzBlock(bytes, g, q, checkSize, unpadded, chunks);
    }
    const footer = xzIndex(bytes, g, q, unpadded);
    // §2.1.2: CRC32 of backward size and flags, backward size, the header's flags again, "YZ".
    g.need(footer, 12, 'stream footer');
    if ((crc32(bytes.subarray(footer + 4, footer + 10)) >>> 0) !== u32le(bytes, footer)) g.fail('bad_crc', 'stream footer fails its CRC32', footer);
    if ((u32le(bytes, footer + 4) + 1) * 4 !== footer - q) g.fail('bad_footer', 'backward size is not the index size', footer + 4);
    if (bytes[footer + 8] !== 0 || bytes[footer + 9] !== flags || bytes[footer + 10] !== 0x59 || bytes[footer + 11] !== 0x5a) g.fail('bad_footer', 'stream footer does not match its header', footer);
    p = footer + 12;
    // §2.2: stream padding (zeros in fours) may separate concatenated streams; anything else after a stream is kept.
    let z = p;
    while (z + 4 <= n && u32le(bytes, z) === 0) z += 4;
    if (!hasMagic(bytes, XZ_MAGIC, z)) return;
    p = z;
  }
}

/** Walks the block at `p` (§3): header (CRC-checked), LZMA2 chunks, padding, check; returns its end. */
function xzBlock(bytes: Uint8Array, g: Gaps, p: number, checkSize: number, unpadded: number[], chunks: { left: number }): number {
  const size = (bytes[p]! + 1) * 4;
  g.need(p, size, 'block header');
  const crcAt = p + size - 4;
  if ((crc32(bytes.subarray(p, crcAt)) >>> 0) !== u32le(bytes, crcAt)) g.fail('bad_crc', 'block header fails its CRC32', p);
  const flags = bytes[p + 1]!;
  if (flags & 0x3c) g.fail('bad_block_header', 'reserved block flags set', p + 1);
  let r = p + 2;
  let compressed = -1;
  if (flags & 0x40) {
    compressed = vli(bytes, g, r, crcAt);
    r = vliEnd;
  }
  if (flags & 0x80) {
    vli(bytes, g, r, crcAt);
    r = vliEnd;
  }
  let filter = 0;
  let propsSize = 0;
  for (let f = 0; f <= (flags & 3); f++) {
    filter = vli(bytes, g, r, crcAt);
    propsSize = vli(bytes, g, vliEnd, crcAt);
    r = vliEnd;
    if (propsSize > crcAt - r) g.fail('bad_block_header', 'filter properties past the block header', r);
    r += propsSize;
  }
  if (filter !== LZMA2_FILTER || propsSize !== 1) g.fail('bad_filter', `last filter 0x${filter.toString(16)} is not LZMA2`, p);
  for (; r < crcAt; r++) if (bytes[r] !== 0) g.fail('bad_block_header', 'block header padding is not zero', r);
  const data = p + size;
  const end = lzma2Chunks(bytes, g, data, chunks);
  if (compressed >= 0 && end - data !== compressed) g.fail('bad_size', `LZMA2 data of ${end - data} bytes where the header says ${compressed}`, p);
  let q = end;
  for (; (q - p) & 3; q++) {
    g.need(q, 1, 'block padding');
    if (bytes[q] !== 0) g.fail('bad_padding', 'block padding is not zero', q);
  }
  g.need(q, checkSize, 'block check');
  unpadded.push(size + (end - data) + checkSize);
  return q + checkSize;
}

/**
 * Walks LZMA2 chunks from `p` to their end marker (xz-embedded's xz_dec_lzma2.c, "LZMA2 control byte"): LZMA chunks
 * (control 0x80-0xFF: sizes, optional properties, range-coded data) skipped; uncompressed chunks (0x01, 0x02) kept.
 */
function lzma2Chunks(bytes: Uint8Array, g: Gaps, p: number, chunks: { left: number }): number {
  for (let first = true; ; first = false) {
    if (--chunks.left < 0) g.fail('too_many_chunks', `more than ${MAX_LZMA2_CHUNKS} LZMA2 chunks`, p);
    g.need(p, 1, 'LZMA2 chunk');
    const control = bytes[p]!;
    if (control === 0) return p + 1;
    if (first && control !== 0x01 && control < 0xe0) g.fail('bad_chunk', 'the first LZMA2 chunk does not reset the dictionary', p);
    if (control === 0x01 || control === 0x02) {
      g.need(p, 3, 'LZMA2 chunk header');
      const size = u16be(bytes, p + 1) + 1;
      g.need(p + 3, size, 'uncompressed chunk');
      p += 3 + size;
    } else if (control >= 0x80) {
      const header = control >= 0xc0 ? 6 : 5;
      g.need(p, header, 'LZMA2 chunk header');
      const packed = u16be(bytes, p + 3) + 1;
      g.need(p + header, packed, 'LZMA chunk');
      g.skip(p, p + header + packed);
      p += header + packed;
    } else g.fail('bad_chunk', `LZMA2 control byte 0x${control.toString(16)}`, p);
  }
}

/** Checks the index at `p` (§4) against the blocks walked; returns where the stream footer starts. */
function xzIndex(bytes: Uint8Array, g: Gaps, p: number, unpadded: number[]): number {
  const n = bytes.length;
  const count = vli(bytes, g, p + 1, n);
  if (count !== unpadded.length) g.fail('bad_index', `index lists ${count} blocks, the stream has ${unpadded.length}`, p);
  let r = vliEnd;
  for (let i = 0; i < count; i++) {
    if (vli(bytes, g, r, n) !== unpadded[i]) g.fail('bad_index', `index record ${i} does not match its block`, r);
    vli(bytes, g, vliEnd, n);
    r = vliEnd;
  }
  for (; (r - p) & 3; r++) {
    g.need(r, 1, 'index padding');
    if (bytes[r] !== 0) g.fail('bad_padding', 'index padding is not zero', r);
  }
  g.need(r, 4, 'index CRC32');
  if ((crc32(bytes.subarray(p, r)) >>> 0) !== u32le(bytes, r)) g.fail('bad_crc', 'index fails its CRC32', r);
  return r + 4;
}

export const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd] as const;
/** Most frames (and skippable frames) walked in one zstd file. */
const MAX_ZSTD_FRAMES = 1 << 16;
/** Most blocks walked in one zstd file; each is at least 4 bytes. */
const MAX_ZSTD_BLOCKS = 1 << 22;
/** RFC 8878 §3.1.1.2: Block_Maximum_Size is at most 128 KB. */
const ZSTD_MAX_BLOCK = 128 << 10;
const ZSTD_SKIPPABLE = 0x184d2a50;
const DICT_ID_BYTES = [0, 1, 2, 4] as const;
const CONTENT_SIZE_BYTES = [0, 2, 4, 8] as const;

/**
 * zstd (RFC 8878): frames and skippable frames to the first bytes that are neither (kept). Compressed blocks are
 * skipped unless their literals section is Raw_Literals (§3.1.1.3.1.1: the literals in the clear), RLE blocks skipped;
 * raw blocks, frame headers, checksums and skippable frames kept.
 */
export function zstdLayout(bytes: Uint8Array, g: Gaps): void {
  let p = 0;
  let real = 0;
  let blocks = 0;
  for (let frames = 0; p + 4 <= bytes.length; frames++) {
    if (frames >= MAX_ZSTD_FRAMES) g.fail('too_many_frames', `more than ${MAX_ZSTD_FRAMES} frames`, p);
    const magic = u32le(bytes, p);
    if ((magic & 0xfffffff0) >>> 0 === ZSTD_SKIPPABLE) {
      g.need(p, 8, 'skippable frame header');
      const size = u32le(bytes, p + 4);
      g.need(p + 8, size, 'skippable frame');
      p += 8 + size;
      continue;
    }
    if (!hasMagic(bytes, ZSTD_MAGIC, p)) break;
    real++;
    g.need(p, 5, 'frame header');
    const descriptor = bytes[p + 4]!;
    if (descriptor & 0x08) g.fail('bad_frame_header', 'reserved frame header bit set', p + 4);
    const single = (descriptor >> 5) & 1;
    const sizeFlag = descriptor >> 6;
    let q = p + 5 + (single ? 0 : 1) + DICT_ID_BYTES[descriptor & 3]! + (sizeFlag === 0 ? single : CONTENT_SIZE_BYTES[sizeFlag]!);
    g.need(p, q - p, 'frame header');
    for (let last = false; !last; ) {
      if (++blocks > MAX_ZSTD_BLOCKS) g.fail('too_many_blocks', `more than ${MAX_ZSTD_BLOCKS} blocks`, q);
      g.need(q, 3, 'block header');
      const header = u24le(bytes, q);
      last = (header & 1) === 1;
      const type = (header >> 1) & 3;
      const size = header >>> 3;
      if (type === 3 || size > ZSTD_MAX_BLOCK) g.fail('bad_block', `block of type ${type} and size ${size}`, q);
      const stored = type === 1 ? 1 : size;
      g.need(q + 3, stored, 'block');
      if (type === 1 || (type === 2 && (size === 0 || (bytes[q + 3]! & 3) !== 0))) g.skip(q, q + 3 + stored);
      q += 3 + stored;
    }
    if (descriptor & 0x04) {
      g.need(q, 4, 'content checksum');
      q += 4;
    }
    p = q;
  }
  if (real === 0) g.fail('no_frame', 'no zstd frame', 0);
}

/** Most concatenated streams in one bzip2 file; pbzip2 writes one per 900 KB of input. */
const MAX_BZIP2_STREAMS = 1 << 16;
/** bzip2's block magic (BCD of pi), "1AY&SY"; right after the 4-byte stream header it starts the first block. */
const BLOCK_MAGIC = [0x31, 0x41, 0x59, 0x26, 0x53, 0x59] as const;
/** bzip2's end-of-stream magic (BCD of sqrt(pi)), bit-aligned, followed by the 32-bit stream CRC and zero padding. */
const EOS_MAGIC = [0x17, 0x72, 0x45, 0x38, 0x50, 0x90] as const;
const BLOCK_NEEDLE = Buffer.from(BLOCK_MAGIC);

/** True for "BZh" and a block size digit 1-9 at `p`. */
const isBzip2Header = (bytes: Uint8Array, p: number) => hasMagic(bytes, [0x42, 0x5a, 0x68], p) && bytes[p + 3]! >= 0x31 && bytes[p + 3]! <= 0x39;

/**
 * bzip2: streams ("BZh" + digit + first block magic) to the end of the file, each ending in the end-of-stream magic at
 * the bit position that leaves exactly its CRC and under a byte of zero padding. The blocks (Huffman-coded, never
 * verbatim) are skipped; the header and first block magic, and the end-of-stream bytes, are kept. Bytes appended after
 * the last stream fail the check, and the file is scanned whole.
 */
export function bzip2Layout(bytes: Uint8Array, g: Gaps): void {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const starts = [0];
  for (let from = 10; ; ) {
    const at = buf.indexOf(BLOCK_NEEDLE, from);
    if (at < 0) break;
    from = at + 1;
    if (!isBzip2Header(bytes, at - 4) || at - 4 < starts[starts.length - 1]! + 14) continue;
    if (starts.length >= MAX_BZIP2_STREAMS) g.fail('too_many_streams', `more than ${MAX_BZIP2_STREAMS} streams`, at - 4);
    starts.push(at - 4);
  }
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i]!;
    const end = starts[i + 1] ?? bytes.length;
    const blocks = hasMagic(bytes, BLOCK_MAGIC, start + 4);
    if (!blocks && !hasMagic(bytes, EOS_MAGIC, start + 4)) g.fail('bad_stream', 'no block or end-of-stream magic after the header', start);
    const eos = endOfStream(bytes, start + (blocks ? 10 : 4), end);
    if (eos < 0) g.fail('no_end', 'the stream does not end in its end-of-stream magic, CRC and padding', end);
    if (blocks) g.skip(start + 10, eos);
  }
}

/** Byte offset where the end-of-stream magic starts when it ends a stream at `end`, -1 when it does not. */
function endOfStream(bytes: Uint8Array, from: number, end: number): number {
  for (let pad = 0; pad < 8; pad++) {
    const bit = end * 8 - 80 - pad;
    if (bit < from * 8) break;
    if ((bytes[end - 1]! & ((1 << pad) - 1)) !== 0) continue;
    let k = 0;
    for (; k < 48; k++) {
      const b = bit + k;
      if (((bytes[b >> 3]! >> (7 - (b & 7))) & 1) !== ((EOS_MAGIC[k >> 3]! >> (7 - (k & 7))) & 1)) break;
    }
    if (k === 48) return bit >> 3;
  }
  return -1;
}

/** True when `bytes` start with a bzip2 stream header and a block or end-of-stream magic. */
export const isBzip2 = (bytes: Uint8Array): boolean => isBzip2Header(bytes, 0) && (hasMagic(bytes, BLOCK_MAGIC, 4) || hasMagic(bytes, EOS_MAGIC, 4));

/** True when `bytes` start with a zstd frame or a skippable frame. */
export const isZstd = (bytes: Uint8Array): boolean => hasMagic(bytes, ZSTD_MAGIC) || (bytes.length >= 4 && (u32le(bytes, 0) & 0xfffffff0) >>> 0 === ZSTD_SKIPPABLE);
