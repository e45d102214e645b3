/**
 * Image walkers for decoders/media.ts. Only compressed pixel data is skipped: PNG IDAT/fdAT data, JPEG entropy-coded
 * scans, GIF LZW sub-blocks, WebP VP8/VP8L/ALPH bitstreams. Text chunks, metadata segments and extensions, unknown
 * chunks and everything after the end marker are kept.
 */
import { Buffer } from 'node:buffer';
import { crc32 } from 'node:zlib';
import { type Gaps, type MediaWalker, hasMagic, isTag, u16be, u32be, u32le } from './media-layout.js';

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;
/** PNG 3rd edition §5.3: a chunk's length is at most 2^31 - 1. */
const PNG_MAX_CHUNK_LENGTH = 0x7fffffff;
/** Most chunks walked in one PNG. Each is at least 12 bytes; libpng writes 8 KB IDATs, so 1 GB of image has 131,072. */
const MAX_PNG_CHUNKS = 1 << 20;
const IHDR = 0x49484452;
const IDAT = 0x49444154;
const IEND = 0x49454e44;
/** APNG frame data: a 4-byte sequence number, then compressed pixels like IDAT. */
const FDAT = 0x66644154;
/** Apple's "CgBI" chunk, written before IHDR by Xcode's pngcrush in iOS apps. */
const CGBI = 0x43674249;
const IHDR_LENGTH = 13;

/** PNG: chunks from the signature to IEND; IDAT (and APNG fdAT) data skipped, every chunk's 12-byte frame kept. */
export function pngLayout(bytes: Uint8Array, g: Gaps): void {
  let p = PNG_SIGNATURE.length;
  g.need(p, 8, 'first chunk');
  if (u32be(bytes, p + 4) === CGBI) p += 12 + chunkLength(bytes, g, p);
  g.need(p, 12 + IHDR_LENGTH, 'IHDR');
  if (u32be(bytes, p + 4) !== IHDR || u32be(bytes, p) !== IHDR_LENGTH) g.fail('no_ihdr', 'the first chunk is not a 13-byte IHDR', p);
  // PNG §5.3: the CRC covers the type and data. Checked for IHDR only: the others' cost would rival a scan.
  if ((crc32(bytes.subarray(p + 4, p + 8 + IHDR_LENGTH)) >>> 0) !== u32be(bytes, p + 8 + IHDR_LENGTH)) g.fail('bad_crc', 'IHDR fails its CRC', p);
  for (let chunks = 0; ; chunks++) {
    if (chunks >= MAX_PNG_CHUNKS) g.fail('too_many_chunks', `more than ${MAX_PNG_CHUNKS} chunks`, p);
    const length = chunkLength(bytes, g, p);
    const type = u32be(bytes, p + 4);
    if (type === IDAT) g.skip(p + 8, p + 8 + length);
    else if (type === FDAT && length >= 4) g.skip(p + 12, p + 8 + length);
    else if (type === IEND) {
      if (length !== 0) g.fail('bad_iend', `IEND has ${length} bytes of data`, p);
      return;
    }
    p += 12 + length;
  }
}

/** The data length of the chunk at `p`, checked: a letter-only type and the whole chunk (with its CRC) present. */
function chunkLength(bytes: Uint8Array, g: Gaps, p: number): number {
  g.need(p, 12, 'chunk header');
  const length = u32be(bytes, p);
  if (length > PNG_MAX_CHUNK_LENGTH) g.fail('bad_length', `chunk length ${length} exceeds 2^31-1`, p);
  for (let i = p + 4; i < p + 8; i++) {
    const c = bytes[i]! | 0x20;
    if (c < 0x61 || c > 0x7a) g.fail('bad_chunk_type', 'chunk type is not four letters', p + 4);
  }
  g.need(p + 8, length + 4, 'chunk data and CRC');
  return length;
}

/** Most marker segments walked in one JPEG (each at least 2 bytes); real files have tens. */
const MAX_JPEG_SEGMENTS = 1 << 16;
/** Most scans (SOS) in one JPEG: progressive files have about ten, a hierarchical one a few per frame. */
const MAX_JPEG_SCANS = 4096;
const SOS = 0xda;
const EOI = 0xd9;
const SOI = 0xd8;
/** T.81 Table B.1: markers without a length (RSTm, TEM). */
const isStandalone = (m: number) => (m >= 0xd0 && m <= 0xd7) || m === 0x01;
/** T.81 Table B.1: SOFn, which are C0-CF except DHT (C4), JPG (C8) and DAC (CC). */
const isFrame = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

/** JPEG (ITU T.81 Annex B): marker segments from SOI to EOI; entropy-coded data after each SOS skipped. */
export function jpegLayout(bytes: Uint8Array, g: Gaps): void {
  const n = bytes.length;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 2;
  let frame = false;
  let scans = 0;
  for (let segments = 0; ; segments++) {
    if (segments >= MAX_JPEG_SEGMENTS) g.fail('too_many_segments', `more than ${MAX_JPEG_SEGMENTS} marker segments`, p);
    g.need(p, 2, 'marker');
    if (bytes[p] !== 0xff) g.fail('bad_marker', `0x${bytes[p]!.toString(16)} where a marker should start`, p);
    let m = p + 1;
    while (m < n && bytes[m] === 0xff) m++; // B.1.1.2: fill bytes before a marker
    g.need(m, 1, 'marker');
    const marker = bytes[m]!;
    const body = m + 1;
    if (marker === EOI) return;
    if (isStandalone(marker)) {
      p = body;
      continue;
    }
    if (marker < 0xc0 || marker === SOI) g.fail('bad_marker', `marker 0x${marker.toString(16)} cannot start a segment`, m);
    g.need(body, 2, 'segment length');
    const length = u16be(bytes, body);
    if (length < 2) g.fail('bad_length', `segment length ${length}`, body);
    g.need(body, length, 'segment');
    p = body + length;
    if (isFrame(marker)) frame = true;
    if (marker !== SOS) continue;
    // B.2.3: Ls = 6 + 2 x Ns, with 1 to 4 components per scan.
    const components = length >= 3 ? bytes[body + 2]! : 0;
    if (components < 1 || components > 4 || length !== 6 + 2 * components) g.fail('bad_scan_header', `SOS of ${length} bytes for ${components} components`, m);
    if (!frame) g.fail('scan_before_frame', 'SOS before any SOFn', m);
    if (++scans > MAX_JPEG_SCANS) g.fail('too_many_scans', `more than ${MAX_JPEG_SCANS} scans`, m);
    const end = entropyEnd(bytes, buf, g, p);
    g.skip(p, end);
    p = end;
  }
}

/** Where the entropy-coded data from `from` ends: the 0xFF of the first marker other than RSTm or a stuffed 0xFF00. */
function entropyEnd(bytes: Uint8Array, buf: Buffer, g: Gaps, from: number): number {
  let q = from;
  for (;;) {
    const f = buf.indexOf(0xff, q);
    if (f < 0 || f + 1 >= bytes.length) g.fail('truncated', 'entropy-coded data runs to the end without a marker', from);
    const next = bytes[f + 1]!;
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) q = f + 2; // B.1.1.5: stuffing and restart markers
    else return f;
  }
}

/** Most blocks (images and extensions) walked in one GIF; an animation has two per frame. */
const MAX_GIF_BLOCKS = 1 << 20;
/** GIF89a §22: LZW code sizes; a code is at most 12 bits, so the minimum size is at most 11. */
const MAX_LZW_MIN_CODE_SIZE = 11;
const GIF_HEADER = 13;

/** GIF87a/89a: blocks to the trailer; image data sub-blocks skipped, extensions (comments, application data) kept. */
export function gifLayout(bytes: Uint8Array, g: Gaps): void {
  g.need(0, GIF_HEADER, 'logical screen descriptor');
  let p = GIF_HEADER + colorTableSize(bytes[10]!);
  for (let blocks = 0; ; blocks++) {
    if (blocks >= MAX_GIF_BLOCKS) g.fail('too_many_blocks', `more than ${MAX_GIF_BLOCKS} blocks`, p);
    // The trailer; some encoders end the file after the last block without one, which decoders accept.
    if (p === bytes.length) return;
    g.need(p, 1, 'block');
    const introducer = bytes[p]!;
    if (introducer === 0x3b) return;
    if (introducer === 0x2c) {
      g.need(p, 10, 'image descriptor');
      p += 10 + colorTableSize(bytes[p + 9]!);
      g.need(p, 1, 'LZW minimum code size');
      const codeSize = bytes[p]!;
      if (codeSize < 1 || codeSize > MAX_LZW_MIN_CODE_SIZE) g.fail('bad_code_size', `LZW minimum code size ${codeSize}`, p);
      const end = subBlocksEnd(bytes, g, p + 1);
      g.skip(p + 1, end);
      p = end + 1;
    } else if (introducer === 0x21) {
      g.need(p, 2, 'extension');
      p = subBlocksEnd(bytes, g, p + 2) + 1;
    } else g.fail('bad_block', `block introducer 0x${introducer.toString(16)}`, p);
  }
}

/** Bytes of the color table a GIF packed-fields byte announces. */
const colorTableSize = (packed: number) => (packed & 0x80 ? 3 << ((packed & 7) + 1) : 0);

/** Offset of the zero-length block that ends the sub-blocks starting at `p`. */
function subBlocksEnd(bytes: Uint8Array, g: Gaps, p: number): number {
  for (;;) {
    g.need(p, 1, 'sub-block');
    const size = bytes[p]!;
    if (size === 0) return p;
    p += 1 + size;
  }
}

/** Most RIFF chunks walked in one WebP, counting those inside ANMF frames; an animation has a few per frame. */
const MAX_WEBP_CHUNKS = 1 << 18;
const VP8 = 0x56503820;
const VP8L = 0x5650384c;
const VP8X = 0x56503858;
const ALPH = 0x414c5048;
const ANMF = 0x414e4d46;
/** RFC 9649 §2.7.1.1: ANMF data starts with 16 bytes of frame position, size, duration and flags. */
const ANMF_HEADER = 16;
/** RFC 9649 §2.5: a VP8 key frame is a 3-byte frame tag, the start code 9d 01 2a, then two 16-bit sizes. */
const VP8_MIN = 10;
/** RFC 9649 §3.2: a VP8L bitstream starts with the signature 0x2f, then 4 bytes of size and flags. */
const VP8L_MIN = 5;

/** WebP (RFC 9649): RIFF chunks; VP8, VP8L and ALPH data skipped (also inside ANMF frames), EXIF, XMP, ICCP kept. */
export function webpLayout(bytes: Uint8Array, g: Gaps): void {
  g.need(0, 20, 'RIFF header');
  const size = u32le(bytes, 4);
  g.need(8, size, 'RIFF data');
  if (size < 12) g.fail('bad_riff_size', `RIFF size ${size}`, 4);
  const count = { chunks: 0 };
  webpChunks(bytes, g, 12, 8 + size, false, count);
}

/** Walks the chunks in [p, end), which must fill it exactly (a last odd chunk may lack its pad byte). */
function webpChunks(bytes: Uint8Array, g: Gaps, p: number, end: number, inFrame: boolean, count: { chunks: number }): void {
  const first = p;
  while (p < end) {
    if (++count.chunks > MAX_WEBP_CHUNKS) g.fail('too_many_chunks', `more than ${MAX_WEBP_CHUNKS} chunks`, p);
    if (end - p < 8 || !isTag(bytes, p)) g.fail('bad_chunk', 'not a chunk header', p);
    const size = u32le(bytes, p + 4);
    const data = p + 8;
    if (size > end - data) g.fail('bad_chunk_size', `chunk of ${size} bytes overruns its parent`, p);
    const tag = u32be(bytes, p);
    if (p === first && !inFrame && tag !== VP8 && tag !== VP8L && tag !== VP8X) g.fail('bad_first_chunk', 'the first chunk is not VP8, VP8L or VP8X', p);
    if (tag === VP8) {
      if (size < VP8_MIN || !hasMagic(bytes, [0x9d, 0x01, 0x2a], data + 3)) g.fail('bad_vp8', 'VP8 data is not a key frame', data);
      g.skip(data, data + size);
    } else if (tag === VP8L) {
      if (size < VP8L_MIN || bytes[data] !== 0x2f) g.fail('bad_vp8l', 'VP8L data lacks its 0x2f signature', data);
      g.skip(data, data + size);
    } else if (tag === ALPH) {
      g.skip(data, data + size);
    } else if (tag === ANMF && !inFrame) {
      if (size < ANMF_HEADER) g.fail('bad_anmf', `ANMF of ${size} bytes`, p);
      webpChunks(bytes, g, data + ANMF_HEADER, data + size, true, count);
    }
    p = data + size + (size & 1);
  }
}

/** The image walker for `bytes` by its magic, or undefined. */
export function imageWalker(bytes: Uint8Array): { format: string; walk: MediaWalker } | undefined {
  if (hasMagic(bytes, PNG_SIGNATURE)) return { format: 'png', walk: pngLayout };
  if (hasMagic(bytes, [0xff, 0xd8, 0xff])) return { format: 'jpeg', walk: jpegLayout };
  if (hasMagic(bytes, [0x47, 0x49, 0x46, 0x38]) && (bytes[4] === 0x37 || bytes[4] === 0x39) && bytes[5] === 0x61) return { format: 'gif', walk: gifLayout };
  if (hasMagic(bytes, [0x52, 0x49, 0x46, 0x46]) && hasMagic(bytes, [0x57, 0x45, 0x42, 0x50], 8)) return { format: 'webp', walk: webpLayout };
  return undefined;
}
