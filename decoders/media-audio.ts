/**
 * Audio walkers for decoders/media.ts. Skipped: Ogg audio pages' data (after the codec's header packets), MPEG audio
 * frames that chain one after another, FLAC audio frames. Kept: Ogg page headers and header packets (Vorbis/Opus
 * comments), ID3v2 tags, the first MPEG frame (Xing/Info/LAME header), whatever follows the last frame (ID3v1, APE,
 * appended data), FLAC metadata blocks (a PICTURE's image walked as an image), the last FLAC frame and what follows.
 */
import { Buffer } from 'node:buffer';
import { DecodeError } from './types.js';
import { Gaps, hasMagic, u16be, u24be, u32be, u32le } from './media-layout.js';
import { imageWalker } from './media-image.js';

export const OGG_MAGIC = [0x4f, 0x67, 0x67, 0x53] as const;
/** RFC 3533 §6: the fixed part of a page header, before the segment table. */
const OGG_PAGE_HEADER = 27;
/** Most pages walked in one Ogg file; each is at least 27 bytes, and libogg pages are 4-8 KB. */
const MAX_OGG_PAGES = 1 << 20;
/** Most logical streams open at once; a multiplexed file has one per track (audio, video, subtitles, skeleton). */
const MAX_OGG_STREAMS = 64;
/** Most extra header packets a Speex or FLAC-in-Ogg header may announce before the stream is kept whole. */
const MAX_EXTRA_HEADERS = 64;
const OGG_CONTINUED = 0x01;
const OGG_BOS = 0x02;
const OGG_EOS = 0x04;

/** One logical stream: its next page sequence number and the header packets still to come (Infinity: keep all). */
interface OggStream {
  next: number;
  headers: number;
}

/** Ogg (RFC 3533): pages to the last one; an audio page's data is skipped once its stream's header packets are over. */
export function oggLayout(bytes: Uint8Array, g: Gaps): void {
  const streams = new Map<number, OggStream>();
  let p = 0;
  for (let pages = 0; hasMagic(bytes, OGG_MAGIC, p); pages++) {
    if (pages >= MAX_OGG_PAGES) g.fail('too_many_pages', `more than ${MAX_OGG_PAGES} pages`, p);
    g.need(p, OGG_PAGE_HEADER, 'page header');
    const flags = bytes[p + 5]!;
    if (bytes[p + 4] !== 0 || flags > (OGG_CONTINUED | OGG_BOS | OGG_EOS)) g.fail('bad_page', 'unknown page version or flags', p);
    const granuleZero = u32le(bytes, p + 6) === 0 && u32le(bytes, p + 10) === 0;
    const serial = u32le(bytes, p + 14);
    const sequence = u32le(bytes, p + 18);
    const segments = bytes[p + 26]!;
    const table = p + OGG_PAGE_HEADER;
    g.need(table, segments, 'segment table');
    let length = 0;
    for (let k = 0; k < segments; k++) length += bytes[table + k]!;
    const data = table + segments;
    g.need(data, length, 'page data');
    let s = streams.get(serial);
    if (flags & OGG_BOS) {
      if (s !== undefined) g.fail('duplicate_stream', `a second BOS page for stream ${serial}`, p);
      if (streams.size >= MAX_OGG_STREAMS) g.fail('too_many_streams', `more than ${MAX_OGG_STREAMS} streams at once`, p);
      s = { next: sequence, headers: headerPackets(bytes, data, data + length) };
      streams.set(serial, s);
    } else if (s === undefined) g.fail('no_stream', `page of stream ${serial} before its BOS page`, p);
    if (sequence !== s.next) g.fail('bad_sequence', `page ${sequence} of stream ${serial} where ${s.next} was due`, p);
    s.next = (sequence + 1) >>> 0;
    if (s.headers > 0) {
      // RFC 3533 §6: a lacing value below 255 ends a packet.
      for (let k = 0; k < segments && s.headers > 0; k++) if (bytes[table + k]! < 255) s.headers--;
    } else if (!granuleZero) g.skip(data, data + length);
    if (flags & OGG_EOS) streams.delete(serial);
    p = data + length;
  }
  if (p === 0) g.fail('bad_magic', 'no Ogg page', 0);
}

/** The header packets a stream starts with, by the codec its first packet names; Infinity for codecs not known here. */
function headerPackets(bytes: Uint8Array, start: number, end: number): number {
  // Vorbis I spec §4.2.1: identification, comment and setup headers.
  if (end - start >= 7 && hasMagic(bytes, [0x01, 0x76, 0x6f, 0x72, 0x62, 0x69, 0x73], start)) return 3;
  // RFC 7845 §5: OpusHead, then OpusTags.
  if (end - start >= 8 && hasMagic(bytes, [0x4f, 0x70, 0x75, 0x73, 0x48, 0x65, 0x61, 0x64], start)) return 2;
  // FLAC-in-Ogg mapping (xiph.org/flac/ogg_mapping.html): 0x7F "FLAC", version, then the count of header packets after this one.
  if (end - start >= 9 && hasMagic(bytes, [0x7f, 0x46, 0x4c, 0x41, 0x43], start)) {
    const more = u16be(bytes, start + 7);
    return more > 0 && more <= MAX_EXTRA_HEADERS ? 1 + more : Infinity;
  }
  return Infinity;
}

export const ID3_MAGIC = [0x49, 0x44, 0x33] as const;
/** Most ID3v2 tags walked before the audio; taggers write one, a few files carry two. */
const MAX_ID3V2_TAGS = 4;
/** Zero bytes allowed between an ID3v2 tag and the first frame (padding some taggers leave outside the tag). */
const MAX_ID3V2_PADDING = 1 << 16;
/** Most MPEG frames walked: 26 hours of 48 kHz MPEG-1 Layer III. */
const MAX_MP3_FRAMES = 1 << 22;
/** Frames that must chain from the first before any is skipped: a chance sync is then about 2^-36. */
const MIN_MP3_CHAIN = 3;
/** ISO 11172-3 / 13818-3 bitrates in kbit/s by [MPEG-1 ? 0 : 1][layer 1..3][index]. */
const BITRATES = [
  [
    [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
    [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
    [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  ],
  [
    [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  ],
] as const;
const SAMPLE_RATES = [44100, 48000, 32000] as const;

/** End of the ID3v2 tags at `p` (id3.org id3v2.4.0-structure §3.1), or `p` when none starts there. */
export function id3v2End(bytes: Uint8Array, g: Gaps, p: number): number {
  for (let tags = 0; hasMagic(bytes, ID3_MAGIC, p); tags++) {
    if (tags >= MAX_ID3V2_TAGS) g.fail('too_many_tags', `more than ${MAX_ID3V2_TAGS} ID3v2 tags`, p);
    g.need(p, 10, 'ID3v2 header');
    const major = bytes[p + 3]!;
    const flags = bytes[p + 5]!;
    if (major < 2 || major > 4 || bytes[p + 4] === 0xff || (flags & 0x0f) !== 0) g.fail('bad_id3', 'not an ID3v2.2-2.4 header', p);
    let size = 0;
    for (let k = p + 6; k < p + 10; k++) {
      if (bytes[k]! >= 0x80) g.fail('bad_id3', 'ID3v2 size is not syncsafe', k);
      size = size * 128 + bytes[k]!;
    }
    size += 10 + (major === 4 && flags & 0x10 ? 10 : 0); // §3.4: a footer repeats the header
    g.need(p, size, 'ID3v2 tag');
    p += size;
  }
  return p;
}

/** Length of the MPEG audio frame at `q` (ISO 11172-3 §2.4.2.3), or 0 when no valid header of the stream `like` is there. */
function frameLength(bytes: Uint8Array, q: number, like: number): number {
  if (q + 4 > bytes.length) return 0;
  const b1 = bytes[q + 1]!;
  const b2 = bytes[q + 2]!;
  if (bytes[q] !== 0xff || (b1 & 0xe0) !== 0xe0) return 0;
  if (like !== 0 && ((b1 & 0xfe) !== like >> 8 || (b2 & 0x0c) !== (like & 0xff))) return 0;
  const version = (b1 >> 3) & 3; // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5, 1: reserved
  const layer = 4 - ((b1 >> 1) & 3); // 1..3; 4 is reserved
  const rate = (b2 >> 2) & 3;
  const index = b2 >> 4;
  if (version === 1 || layer === 4 || rate === 3 || index === 0 || index === 15) return 0;
  const kbps = BITRATES[version === 3 ? 0 : 1][layer - 1]![index]!;
  const sampleRate = SAMPLE_RATES[rate]! >> (version === 3 ? 0 : version === 2 ? 1 : 2);
  const padding = (b2 >> 1) & 1;
  if (layer === 1) return (Math.floor((12000 * kbps) / sampleRate) + padding) * 4;
  const perSlot = layer === 3 && version !== 3 ? 72000 : 144000;
  return Math.floor((perSlot * kbps) / sampleRate) + padding;
}

/**
 * MP3: ID3v2 tags, then MPEG audio frames that chain header to header from the first; the frames after the first
 * (which holds any Xing/Info/LAME header) are skipped up to where the chain stops; the rest is kept.
 */
export function mp3Layout(bytes: Uint8Array, g: Gaps): void {
  let p = id3v2End(bytes, g, 0);
  const padEnd = Math.min(bytes.length, p + MAX_ID3V2_PADDING);
  while (p < padEnd && bytes[p] === 0) p++;
  const firstLength = frameLength(bytes, p, 0);
  if (firstLength === 0) g.fail('no_frame', 'no MPEG audio frame header', p);
  // Every frame of the stream has the first one's version, layer and sample rate.
  const like = ((bytes[p + 1]! & 0xfe) << 8) | (bytes[p + 2]! & 0x0c);
  let q = p;
  let frames = 0;
  for (;;) {
    const length = frameLength(bytes, q, like);
    if (length === 0 || length > bytes.length - q) break;
    if (++frames > MAX_MP3_FRAMES) g.fail('too_many_frames', `more than ${MAX_MP3_FRAMES} frames`, q);
    q += length;
  }
  if (frames < MIN_MP3_CHAIN) g.fail('short_chain', `${frames} chained frames, fewer than ${MIN_MP3_CHAIN}`, p);
  g.skip(p + firstLength, q);
}

export const FLAC_MAGIC = [0x66, 0x4c, 0x61, 0x43] as const;
/** Most metadata blocks in one FLAC file; the reference encoder writes under ten. */
const MAX_FLAC_BLOCKS = 1024;
/** Most audio frames walked: 4096-sample frames of 48 kHz audio for 100 hours. */
const MAX_FLAC_FRAMES = 1 << 22;
const STREAMINFO_LENGTH = 34;
const PICTURE = 6;
const INVALID_BLOCK = 127;

/** A FLAC frame header's place in the stream: frame number (fixed block size) or first sample (variable). */
interface FlacFrame {
  number: number;
  blockSize: number;
}

/**
 * FLAC (RFC 9639): metadata blocks kept (a PICTURE's image walked as an image); audio frames from the first to the
 * last one found by its header (sync, CRC-8 and the next frame or sample number) skipped; the last frame kept.
 */
export function flacLayout(bytes: Uint8Array, g: Gaps): void {
  let p = id3v2End(bytes, g, 0);
  if (!hasMagic(bytes, FLAC_MAGIC, p)) g.fail('bad_magic', 'no "fLaC" marker', p);
  p += 4;
  for (let blocks = 0, last = false; !last; blocks++) {
    if (blocks >= MAX_FLAC_BLOCKS) g.fail('too_many_blocks', `more than ${MAX_FLAC_BLOCKS} metadata blocks`, p);
    g.need(p, 4, 'metadata block header');
    last = (bytes[p]! & 0x80) !== 0;
    const type = bytes[p]! & 0x7f;
    const length = u24be(bytes, p + 1);
    g.need(p + 4, length, 'metadata block');
    if (type === INVALID_BLOCK || (blocks === 0 && (type !== 0 || length !== STREAMINFO_LENGTH))) g.fail('bad_block', `metadata block type ${type} of ${length} bytes`, p);
    if (type === PICTURE) pictureData(bytes, g, p + 4, p + 4 + length);
    p += 4 + length;
  }
  if (p === bytes.length) return;
  const strategy = bytes[p + 1]! & 1;
  let frame = flacFrame(bytes, p, strategy, undefined);
  if (frame === undefined) g.fail('no_frame', 'no audio frame header after the metadata', p);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sync = Buffer.from([0xff, 0xf8 | strategy]);
  let start = p;
  let from = p + 2;
  for (let frames = 1; ; ) {
    const c = buf.indexOf(sync, from);
    if (c < 0) break;
    const next = flacFrame(bytes, c, strategy, frame);
    from = c + 1;
    if (next === undefined) continue;
    if (++frames > MAX_FLAC_FRAMES) g.fail('too_many_frames', `more than ${MAX_FLAC_FRAMES} frames`, c);
    g.skip(start, c);
    start = c;
    frame = next;
    from = c + 2;
  }
}

/** A PICTURE block (RFC 9639 §8.8): its text fields kept, its picture data walked as an image when it is one. */
function pictureData(bytes: Uint8Array, g: Gaps, p: number, end: number): void {
  const field = (at: number, what: string) => {
    if (at + 4 > end) g.fail('bad_picture', `PICTURE ${what} past the block`, at);
    const length = u32be(bytes, at);
    if (length > end - at - 4) g.fail('bad_picture', `PICTURE ${what} of ${length} bytes past the block`, at);
    return at + 4 + length;
  };
  const afterMime = field(p + 4, 'media type');
  const afterDescription = field(afterMime, 'description');
  const dataAt = afterDescription + 16; // width, height, depth, colors
  const dataEnd = field(dataAt, 'data');
  const image = bytes.subarray(dataAt + 4, dataEnd);
  const walker = imageWalker(image);
  if (walker === undefined) return;
  const inner = new Gaps(walker.format, image.length);
  try {
    walker.walk(image, inner);
  } catch (e) {
    if (e instanceof DecodeError) return; // not a valid image: all of it kept
    throw e;
  }
  g.absorb(inner, dataAt + 4);
}

/** CRC-8 (polynomial 0x07) of FLAC frame headers, by byte. */
const CRC8 = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
  CRC8[i] = c;
}

/**
 * The FLAC frame header at `c` (RFC 9639 §9.1) when it is valid, its CRC-8 matches and, after `prev`, it carries the
 * next frame number (fixed block size) or the next first sample (variable); otherwise undefined.
 */
function flacFrame(bytes: Uint8Array, c: number, strategy: number, prev: FlacFrame | undefined): FlacFrame | undefined {
  const n = bytes.length;
  if (c + 6 > n || bytes[c] !== 0xff || bytes[c + 1] !== (0xf8 | strategy)) return undefined;
  const sizeCode = bytes[c + 2]! >> 4;
  const rateCode = bytes[c + 2]! & 0x0f;
  const channels = bytes[c + 3]! >> 4;
  if (sizeCode === 0 || rateCode === 15 || channels > 10 || ((bytes[c + 3]! >> 1) & 7) === 3 || bytes[c + 3]! & 1) return undefined;
  // §9.1.5: the coded number, UTF-8-like with up to 7 bytes (36 bits).
  let q = c + 4;
  const lead = bytes[q++]!;
  let extra = 0;
  let number = lead;
  if (lead >= 0x80) {
    if (lead < 0xc0 || lead === 0xff) return undefined;
    extra = lead >= 0xfe ? 6 : lead >= 0xfc ? 5 : lead >= 0xf8 ? 4 : lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : 1;
    number = lead & (0x3f >> extra);
    if (q + extra > n) return undefined;
    for (let k = 0; k < extra; k++) {
      const b = bytes[q++]!;
      if ((b & 0xc0) !== 0x80) return undefined;
      number = number * 64 + (b & 0x3f);
    }
  }
  let blockSize = sizeCode === 1 ? 192 : sizeCode <= 5 ? 576 << (sizeCode - 2) : sizeCode >= 8 ? 256 << (sizeCode - 8) : 0;
  const sizeBytes = sizeCode === 6 ? 1 : sizeCode === 7 ? 2 : 0;
  const rateBytes = rateCode === 12 ? 1 : rateCode === 13 || rateCode === 14 ? 2 : 0;
  if (q + sizeBytes + rateBytes + 1 > n) return undefined;
  if (sizeBytes === 1) blockSize = bytes[q]! + 1;
  if (sizeBytes === 2) blockSize = u16be(bytes, q) + 1;
  q += sizeBytes + rateBytes;
  let crc = 0;
  for (let k = c; k < q; k++) crc = CRC8[crc ^ bytes[k]!]!;
  if (crc !== bytes[q]) return undefined;
  if (prev !== undefined && number !== prev.number + (strategy === 0 ? 1 : prev.blockSize)) return undefined;
  return { number, blockSize };
}
