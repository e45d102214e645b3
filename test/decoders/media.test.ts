/**
 * Media layouts (decoders/media.ts, issue 20) on real files made by real tools (test/fixtures/media/make.sh: ImageMagick,
 * cjpeg, exiftool, cwebp/webpmux/gif2webp, oggenc, opusenc, lame, flac, fontTools, xz, zstd, bzip2, 7z): the planted
 * markers stay in kept ranges and are still found as printable runs; payloads are skipped, checked against what
 * pngcheck, flac -a, ttx -l and xz --list report; printable runs over the kept ranges are the whole file's runs
 * wherever a run does not reach into a gap; appended bytes are kept; hand-made quirks; truncation and byte-flip
 * sweeps; inputs that must not be taken as media.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { mediaLayout, readMediaLayout, type MediaLayout } from '../../decoders/media.js';
import { printableRuns } from '../../decoders/runs.js';
import { collectingContext, type DecodedString } from '../../decoders/types.js';
import { decodeErrorCode, hostileVariants } from '../helpers/decode.js';
import { ROOT, readFixture } from '../helpers/files.js';

const DIR = join(ROOT, 'test/fixtures/media');
const fixture = (name: string): Uint8Array => readFixture('media', name);
const listing = (name: string): string => readFileSync(join(DIR, name), 'utf8');
const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

/** Every fixture: the format it is, the markers a scan must still find in it, the least share of it skipped. */
const FIXTURES: Array<{ file: string; format: string; markers: string[]; minSkipped: number }> = [
  { file: 'png-text-noise.png', format: 'png', markers: ['LEAKDEX_MEDIA_MARKER_PNG_TEXT'], minSkipped: 0.9 },
  { file: 'jpeg-exif-com.jpg', format: 'jpeg', markers: ['LEAKDEX_MEDIA_MARKER_JPEG_EXIF', 'LEAKDEX_MEDIA_MARKER_JPEG_XMP', 'LEAKDEX_MEDIA_MARKER_JPEG_COM'], minSkipped: 0.5 },
  { file: 'jpeg-progressive-restart.jpg', format: 'jpeg', markers: ['LEAKDEX_MEDIA_MARKER_JPEG_PROGRESSIVE'], minSkipped: 0.6 },
  { file: 'gif-comment.gif', format: 'gif', markers: ['LEAKDEX_MEDIA_MARKER_GIF_COMMENT'], minSkipped: 0.8 },
  { file: 'webp-lossy-meta.webp', format: 'webp', markers: ['LEAKDEX_MEDIA_MARKER_JPEG_EXIF', 'LEAKDEX_MEDIA_MARKER_WEBP_XMP'], minSkipped: 0.8 },
  { file: 'webp-lossless.webp', format: 'webp', markers: [], minSkipped: 0.95 },
  { file: 'webp-alpha.webp', format: 'webp', markers: [], minSkipped: 0.9 },
  { file: 'webp-animated.webp', format: 'webp', markers: ['LEAKDEX_MEDIA_MARKER_WEBP_XMP'], minSkipped: 0.7 },
  { file: 'ogg-vorbis-comment.ogg', format: 'ogg', markers: ['LEAKDEX_MEDIA_MARKER_OGG_COMMENT'], minSkipped: 0.3 },
  { file: 'opus-comment.opus', format: 'ogg', markers: ['LEAKDEX_MEDIA_MARKER_OPUS_COMMENT'], minSkipped: 0.5 },
  { file: 'mp3-id3.mp3', format: 'mp3', markers: ['LEAKDEX_MEDIA_MARKER_MP3_ID3V2', 'LEAKDEX_MEDIA_MARKER_MP3_V1'], minSkipped: 0.7 },
  { file: 'mp3-mpeg2-bare.mp3', format: 'mp3', markers: [], minSkipped: 0.9 },
  { file: 'flac-picture.flac', format: 'flac', markers: ['LEAKDEX_MEDIA_MARKER_FLAC_COMMENT', 'LEAKDEX_MEDIA_MARKER_FLAC_PICTURE_PNG'], minSkipped: 0.8 },
  { file: 'font-name.ttf', format: 'font', markers: ['LEAKDEX_MEDIA_MARKER_FONT_NAME'], minSkipped: 0.2 },
  { file: 'font-cff.otf', format: 'font', markers: ['LEAKDEX_MEDIA_MARKER_OTF_NAME', 'LEAKDEX_MEDIA_MARKER_CFF_NOTICE'], minSkipped: 0.25 },
  { file: 'font-collection.ttc', format: 'font', markers: ['LEAKDEX_MEDIA_MARKER_FONT_NAME', 'LEAKDEX_MEDIA_MARKER_TTC_SECOND'], minSkipped: 0.25 },
  { file: 'font-name.woff', format: 'font', markers: [], minSkipped: 0.2 },
  { file: 'xz-blocks.xz', format: 'xz', markers: [], minSkipped: 0.8 },
  { file: 'xz-stored.xz', format: 'xz', markers: ['LEAKDEX_MEDIA_MARKER_XZ_STORED'], minSkipped: 0 },
  { file: 'zstd-short.zst', format: 'zstd', markers: ['LEAKDEX_MEDIA_MARKER_ZSTD_LITERALS'], minSkipped: 0 },
  { file: 'zstd-text.zst', format: 'zstd', markers: [], minSkipped: 0.9 },
  { file: 'bzip2-text.bz2', format: 'bzip2', markers: [], minSkipped: 0.9 },
];

/** Throws unless the layout's ranges are sorted, non-overlapping, non-empty, inside `length`, and `skipped` is their complement. */
function checkLayout(layout: MediaLayout, length: number): void {
  let at = 0;
  let kept = 0;
  for (const { start, end } of layout.keep) {
    if (!(Number.isInteger(start) && Number.isInteger(end) && start >= at && end > start && end <= length)) {
      throw new Error(`bad range [${start}, ${end}) after ${at} in ${length} bytes`);
    }
    if (start === at && at > 0) throw new Error(`ranges [.., ${at}) and [${start}, ..) not merged`);
    kept += end - start;
    at = end;
  }
  if (kept + layout.skipped !== length) throw new Error(`kept ${kept} + skipped ${layout.skipped} is not ${length}`);
}

/** Printable runs over only the kept ranges, with pointers into the whole file. */
function keptRuns(bytes: Uint8Array, layout: MediaLayout): DecodedString[] {
  const ctx = collectingContext('x');
  return layout.keep.flatMap(({ start, end }) => [...printableRuns(bytes.subarray(start, end), ctx, { baseOffset: start })]);
}

/** A run's byte extent, from its pointer and text. */
function extent(s: DecodedString): { start: number; end: number } {
  const m = /^(utf16le)?\+0x([0-9a-f]+)$/.exec(s.location.pointer)!;
  const start = parseInt(m[2]!, 16);
  return { start, end: start + s.text.length * (m[1] ? 2 : 1) };
}

const isKept = (layout: MediaLayout, start: number, end: number) => layout.keep.some((k) => k.start <= start && end <= k.end);
const has = (bytes: Uint8Array, text: string): number => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(text, 0, 'latin1');

for (const f of FIXTURES) {
  t.test(`${f.file}: ${f.format}, markers kept and found, payload skipped`, async (t) => {
    const bytes = fixture(f.file);
    const layout = readMediaLayout(bytes)!;
    t.ok(layout, 'recognised');
    t.equal(layout.format, f.format, 'format');
    checkLayout(layout, bytes.length);
    t.ok(layout.skipped >= f.minSkipped * bytes.length, `skipped ${layout.skipped} of ${bytes.length} bytes (at least ${f.minSkipped * 100} %)`);
    if (f.minSkipped > 0) t.ok(layout.skipped > 0, 'some payload skipped');
    const runs = keptRuns(bytes, layout);
    for (const marker of f.markers) {
      const at = has(bytes, marker);
      t.ok(at >= 0 && isKept(layout, at, at + marker.length), `${marker} (at ${at}) lies in a kept range`);
      t.ok(runs.some((r) => r.text.includes(marker)), `${marker} found by printable runs over the kept ranges`);
    }
    // Same runs wherever a run does not reach into a gap; a kept run that is not a whole-file run ends at a gap.
    const whole = [...printableRuns(bytes, collectingContext('x'))];
    const keptSet = new Set(runs.map((r) => `${r.location.pointer} ${r.text}`));
    const wholeSet = new Set(whole.map((r) => `${r.location.pointer} ${r.text}`));
    const lost = whole.filter((r) => {
      const e = extent(r);
      return isKept(layout, e.start, e.end) && !keptSet.has(`${r.location.pointer} ${r.text}`);
    });
    t.same(lost.map((r) => r.location.pointer), [], 'every whole-file run inside a kept range is found there');
    const cut = runs.filter((r) => {
      const e = extent(r);
      return !wholeSet.has(`${r.location.pointer} ${r.text}`) && !layout.keep.some((k) => e.start === k.start || e.end === k.end);
    });
    t.same(cut.map((r) => r.location.pointer), [], `every other kept run is cut by a gap (${runs.length} runs kept of ${whole.length})`);
  });
}

t.test('payloads match what independent tools report', async (t) => {
  // pngcheck -v: the IDAT chunk lengths are exactly what is skipped (it gives the offset of each chunk's type).
  const idat = [...listing('png-text-noise.pngcheck.txt').matchAll(/chunk IDAT at offset 0x([0-9a-f]+), length (\d+)/g)].map((m) => ({ type: parseInt(m[1]!, 16), length: Number(m[2]) }));
  const png = readMediaLayout(fixture('png-text-noise.png'))!;
  t.equal(png.skipped, idat.reduce((n, c) => n + c.length, 0), 'PNG: skipped = sum of IDAT lengths');
  t.ok(idat.every((c) => isKept(png, c.type - 4, c.type + 4) && !isKept(png, c.type + 4, c.type + 5)), 'PNG: each IDAT length and type kept, its data not');

  // flac -a: frame offsets. Skipped from the first frame to the last, which is kept with what follows.
  const flacBytes = fixture('flac-picture.flac');
  const frames = [...listing('flac-picture.frames.txt').matchAll(/offset=(\d+)/g)].map((m) => Number(m[1]));
  const flac = readMediaLayout(flacBytes)!;
  t.ok(frames.length >= 5, `${frames.length} frames`);
  t.same(flac.keep.at(-1), { start: frames.at(-1), end: flacBytes.length }, 'FLAC: the last frame and after kept');
  t.equal(flac.keep.at(-2)!.end, frames[0], 'FLAC: the gap starts at the first frame');

  // ttx -l: the outline and metric tables are exactly what is skipped (CFF after its String INDEX).
  for (const file of ['font-name.ttf', 'font-name.woff', 'font-cff.otf']) {
    const tables = new Map([...listing(`${file}.ttx.txt`).matchAll(/^\s+(\S{3,4})\s+0x[0-9A-F]+\s+(\d+)\s+(\d+)$/gm)].map((m) => [m[1]!, { length: Number(m[2]), offset: Number(m[3]) }]));
    const layout = readMediaLayout(fixture(file))!;
    const outlines = ['glyf', 'loca', 'hmtx'].filter((tag) => tables.has(tag)).reduce((n, tag) => n + tables.get(tag)!.length, 0);
    const name = tables.get('name')!;
    t.ok(isKept(layout, name.offset, name.offset + name.length), `${file}: name table kept`);
    const cff = tables.get('CFF');
    if (cff === undefined) t.equal(layout.skipped, outlines, `${file}: skipped = glyf + loca + hmtx`);
    else {
      const gap = layout.keep.find((k) => k.start <= cff.offset && cff.offset < k.end)!;
      t.ok(gap.end > cff.offset && gap.end < cff.offset + cff.length, `${file}: CFF kept from its start to its String INDEX`);
      t.equal(layout.skipped, outlines + cff.offset + cff.length - gap.end, `${file}: skipped = hmtx + the rest of CFF`);
    }
  }

  // xz --robot --list -vv: per block, the LZMA2 data but its end marker is skipped (all chunks compressed here).
  const blocks = [...listing('xz-blocks.list.txt').matchAll(/^block(?:\t[^\t]*){12}\t(\d+)\t/gm)].map((m) => Number(m[1]));
  t.equal(blocks.length, 4, 'four blocks');
  t.equal(readMediaLayout(fixture('xz-blocks.xz'))!.skipped, blocks.reduce((n, b) => n + b - 1, 0), 'xz: skipped = LZMA2 data of every block, less the end markers');
});

t.test('the text formats store verbatim stays kept', async (t) => {
  // xz stores incompressible input in uncompressed LZMA2 chunks; zstd keeps short text as raw literals.
  for (const [file, marker] of [['xz-stored.xz', 'LEAKDEX_MEDIA_MARKER_XZ_STORED'], ['zstd-short.zst', 'LEAKDEX_MEDIA_MARKER_ZSTD_LITERALS']] as const) {
    const bytes = fixture(file);
    t.ok(has(bytes, marker) >= 0, `${file}: the compressor left ${marker} in the clear`);
    t.equal(readMediaLayout(bytes)!.skipped, 0, `${file}: nothing skipped`);
  }
  // The Windows name record of a TrueType font is UTF-16BE: found as UTF-16 at odd alignment over the kept ranges.
  const ttf = fixture('font-name.ttf');
  const runs = keptRuns(ttf, readMediaLayout(ttf)!).filter((r) => r.text.includes('LEAKDEX_MEDIA_MARKER_FONT_NAME'));
  t.same(runs.map((r) => r.location.pointer.replace(/0x.*/, '')).sort(), ['+', 'utf16le+'], 'the Mac (ASCII) and Windows (UTF-16) name records');
});

const APPENDED = ascii('\n# LEAKDEX_MEDIA_MARKER_APPENDED aws_secret_access_key=not/a/real/secret/value/for/tests\n');

t.test('bytes appended after the end are kept, the payload the same', async (t) => {
  for (const f of FIXTURES) {
    const bytes = fixture(f.file);
    const layout = mediaLayout(concat(bytes, APPENDED));
    if (f.format === 'bzip2') {
      t.equal(layout, undefined, `${f.file}: bzip2 has no byte-aligned end, so appended bytes make it unknown`);
      continue;
    }
    t.equal(layout?.format, f.format, `${f.file}: still ${f.format}`);
    t.ok(layout && isKept(layout, bytes.length, bytes.length + APPENDED.length), `${f.file}: the appended bytes are kept`);
    t.equal(layout?.skipped, readMediaLayout(bytes)!.skipped, `${f.file}: the same payload skipped`);
  }
});

/** A PNG chunk: length, type, data, CRC over type and data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const body = concat(ascii(type), data);
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(body, 4);
  view.setUint32(8 + data.length, crc32(body) >>> 0);
  return out;
}
const PNG_SIG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
//                                   width 16        height 16       depth, RGB, deflate, filter, no interlace
const IHDR = Uint8Array.from([0, 0, 0, 16, 0, 0, 0, 16, 8, 2, 0, 0, 0]);

t.test('hand-made quirks', async (t) => {
  // PNG written by Xcode for iOS: CgBI before IHDR.
  const cgbi = concat(PNG_SIG, chunk('CgBI', Uint8Array.from([0x50, 0, 0x20, 6])), chunk('IHDR', IHDR), chunk('IDAT', new Uint8Array(100).fill(0x41)), chunk('IEND', new Uint8Array(0)));
  t.same(readMediaLayout(cgbi)?.keep, [{ start: 0, end: 8 + 16 + 25 + 8 }, { start: 8 + 16 + 25 + 8 + 100, end: cgbi.length }], 'CgBI PNG: IDAT data skipped');
  const badCrc = Uint8Array.from(cgbi);
  badCrc[8 + 16 + 10] ^= 1;
  t.equal(decodeErrorCode(() => readMediaLayout(badCrc)), 'media.png.bad_crc', 'an IHDR failing its CRC is not a PNG');

  // JPEG: fill bytes before markers, stuffed 0xFF00 and RST inside the scan, fill bytes before EOI.
  const jpeg = Uint8Array.from([
    0xff, 0xd8, //                                                 SOI
    0xff, 0xff, 0xfe, 0x00, 0x0e, ...ascii('LEAKDEX_COM'), 0x00, // fill, COM of 14 bytes
    0xff, 0xc0, 0x00, 0x0b, 8, 0, 8, 0, 8, 1, 1, 0x11, 0, //       SOF0: 8x8, one component
    0xff, 0xda, 0x00, 0x08, 1, 1, 0, 0, 0x3f, 0, //                SOS: one component
    0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56, 0x78, //             entropy-coded data, 0xFF00 stuffing, RST0
    0xff, 0xff, 0xd9, //                                           fill, EOI
  ]);
  const scan = jpeg.indexOf(0x12);
  t.same(readMediaLayout(jpeg)?.keep, [{ start: 0, end: scan }, { start: scan + 8, end: jpeg.length }], 'JPEG: the scan up to the fill byte skipped');
  const noFrame = Uint8Array.from(jpeg);
  noFrame[noFrame.indexOf(0xc0)] = 0xc4; // SOF0 made DHT
  t.equal(decodeErrorCode(() => readMediaLayout(noFrame)), 'media.jpeg.scan_before_frame', 'SOS before any frame header');
  t.equal(decodeErrorCode(() => readMediaLayout(jpeg.subarray(0, jpeg.length - 3))), 'media.jpeg.truncated', 'a scan running to the end');

  // WebP: an odd-sized last chunk may lack its pad byte.
  const vp8l = Uint8Array.from([0x2f, 1, 2, 3, 4, 5, 6]);
  const webp = concat(ascii('RIFF'), Uint8Array.from([4 + 8 + 8 + 7, 0, 0, 0]), ascii('WEBPVP8L'), Uint8Array.from([7, 0, 0, 0]), vp8l, Uint8Array.from([0]), ascii('EXIF'), Uint8Array.from([7, 0, 0, 0]), ascii('LEAKDEX'));
  webp[4] = webp.length - 8;
  t.same(readMediaLayout(webp)?.keep, [{ start: 0, end: 20 }, { start: 27, end: webp.length }], 'WebP: VP8L skipped, unpadded EXIF kept');

  // Ogg: a stream whose codec is not known here is kept whole.
  const ogg = Uint8Array.from(fixture('ogg-vorbis-comment.ogg'));
  ogg[28 + 1 + 1] = 0x58; // "\x01vorbis" -> "\x01vXrbis" in the BOS packet
  t.equal(readMediaLayout(ogg)?.skipped, 0, 'Ogg: unknown codec, every page kept');
  const reordered = Uint8Array.from(fixture('ogg-vorbis-comment.ogg'));
  reordered[18] ^= 1; // the first page's sequence number
  t.equal(decodeErrorCode(() => readMediaLayout(reordered)), 'media.ogg.bad_sequence', 'Ogg: a page out of sequence');

  // zstd: a skippable frame (user data) is kept; bzip2 streams concatenate (pbzip2).
  const skippable = concat(Uint8Array.from([0x5a, 0x2a, 0x4d, 0x18, 16, 0, 0, 0]), ascii('LEAKDEX_SKIPPABL'), fixture('zstd-text.zst'));
  t.ok(isKept(readMediaLayout(skippable)!, 8, 24), 'zstd: skippable frame kept');
  const bz = fixture('bzip2-text.bz2');
  const twice = readMediaLayout(concat(bz, bz))!;
  t.equal(twice.skipped, 2 * readMediaLayout(bz)!.skipped, 'bzip2: two streams, both skipped');
  t.ok(isKept(twice, bz.length, bz.length + 10), 'bzip2: the second stream header kept');
  // xz: concatenated streams with stream padding.
  const xz = fixture('xz-blocks.xz');
  t.equal(readMediaLayout(concat(xz, new Uint8Array(4), xz))!.skipped, 2 * readMediaLayout(xz)!.skipped, 'xz: two streams walked');

  // MP3: fewer than three chained frames is not enough.
  const mp3 = fixture('mp3-mpeg2-bare.mp3');
  t.equal(decodeErrorCode(() => readMediaLayout(mp3.subarray(0, 72 * 2 + 10))), 'media.mp3.short_chain', 'two frames and a bit');
  t.equal(readMediaLayout(mp3.subarray(0, 72 * 5 + 10))?.keep.at(-1)?.start, 72 * 5, 'MP3: a cut last frame is kept');

  // FLAC: a PICTURE whose data is not an image is kept whole.
  const flac = Uint8Array.from(fixture('flac-picture.flac'));
  const sig = has(flac, '\x89PNG');
  const withPng = readMediaLayout(flac)!;
  flac[sig + 1] = 0x51;
  const noPng = readMediaLayout(flac)!;
  t.ok(!isKept(withPng, sig + 200, sig + 201), 'the PNG picture\'s IDAT skipped');
  t.ok(isKept(noPng, sig, sig + 2000), 'the picture kept when it is not a PNG');

  // GIF: some encoders end the file after the last block without the trailer byte.
  const gif = fixture('gif-comment.gif');
  t.equal(gif.at(-1), 0x3b, 'the fixture ends in its trailer');
  t.equal(readMediaLayout(gif.subarray(0, gif.length - 1))?.skipped, readMediaLayout(gif)!.skipped, 'GIF without its trailer: the same layout');

  // Fonts: a collection's fonts share tables, never a directory.
  const ttc = Uint8Array.from(fixture('font-collection.ttc'));
  new DataView(ttc.buffer).setUint32(16, new DataView(ttc.buffer).getUint32(12));
  t.equal(decodeErrorCode(() => readMediaLayout(ttc)), 'media.font.overlap', 'two fonts of a collection on one directory');
  // Fonts: a table overlapping another is not a font.
  const ttf = Uint8Array.from(fixture('font-name.ttf'));
  const records = [...Array(new DataView(ttf.buffer).getUint16(4)).keys()].map((i) => 12 + 16 * i);
  const loca = records.find((r) => Buffer.from(ttf.subarray(r, r + 4)).toString('latin1') === 'loca')!;
  new DataView(ttf.buffer).setUint32(loca + 8, new DataView(ttf.buffer).getUint32(loca + 8) + 8);
  t.equal(decodeErrorCode(() => readMediaLayout(ttf)), 'media.font.overlap', 'loca moved into glyf');
});

t.test('bytes that sit inside a larger buffer give the same layout', async (t) => {
  for (const f of FIXTURES) {
    const bytes = fixture(f.file);
    const big = new Uint8Array(bytes.length + 7);
    big.set(bytes, 3);
    t.same(readMediaLayout(big.subarray(3, 3 + bytes.length)), readMediaLayout(bytes), f.file);
  }
});

t.test('truncated and byte-flipped fixtures: undefined or a sound layout, never a throw', async (t) => {
  let inputs = 0;
  let layouts = 0;
  const bad: string[] = [];
  for (const f of FIXTURES) {
    const good = fixture(f.file);
    for (const v of hostileVariants(good)) {
      inputs++;
      try {
        const layout = mediaLayout(v);
        if (layout === undefined) continue;
        layouts++;
        checkLayout(layout, v.length);
      } catch (e) {
        if (bad.length < 5) bad.push(`${f.file} (${v.length} bytes): ${(e as Error).message}`);
      }
    }
    // Cut in the middle: formats with an end structure are no longer valid; MP3 and FLAC keep the cut tail.
    const half = good.subarray(0, good.length >> 1);
    if (f.format === 'mp3' || f.format === 'flac') checkLayout(mediaLayout(half)!, half.length);
    else t.equal(mediaLayout(half), undefined, `${f.file} cut in half: undefined`);
  }
  t.same(bad, [], `${inputs} inputs, ${layouts} still laid out, none threw or gave a bad layout`);
});

t.test('inputs that are not media', async (t) => {
  let seed = 20;
  const random = (n: number) => Uint8Array.from({ length: n }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
  let found = 0;
  for (let i = 0; i < 2000; i++) if (mediaLayout(random(i % 700)) !== undefined) found++;
  t.equal(found, 0, '2000 random inputs: none taken as media');
  // Random bytes after each magic: recognised, then refused by the structure.
  const magics = [[...PNG_SIG], [0xff, 0xd8, 0xff], [...ascii('GIF89a')], [...ascii('OggS')], [...ascii('fLaC')], [...ascii('ID3')], [0xff, 0xfb],
    [0, 1, 0, 0], [...ascii('ttcf')], [...ascii('wOFF')], [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0], [0x28, 0xb5, 0x2f, 0xfd], [...ascii('BZh91AY&SY')]];
  const taken = magics.filter((m) => [...Array(50).keys()].some((i) => mediaLayout(concat(Uint8Array.from(m), random(i * 40))) !== undefined));
  t.same(taken, [], 'magic + random bytes: never a layout');
  t.equal(mediaLayout(concat(ascii('RIFF\x00\x10\x00\x00WEBP'), random(4096))), undefined, 'RIFF WEBP + random');
  for (const [dir, name] of [['dex', 'main.dex'], ['zip', 'normal.zip'], ['elf', 'libx86_64.so'], ['text', 'strings.xml'], ['media', 'archive.7z']]) {
    t.equal(mediaLayout(readFixture(dir!, name!)), undefined, `${dir}/${name}`);
  }
  t.equal(mediaLayout(new Uint8Array(0)), undefined, 'empty');
});

t.test('speed: a 5 MB PNG is laid out far faster than it is scanned', async (t) => {
  // Deflated noise looks like noise: xorshift32 bytes in libpng's 8 KB IDAT chunks.
  const data = new Uint8Array(8192);
  const chunks = [PNG_SIG, chunk('IHDR', IHDR)];
  let x = 2463534242;
  for (let i = 0; i < 640; i++) {
    for (let k = 0; k < data.length; k++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      data[k] = x >>> 24;
    }
    chunks.push(chunk('IDAT', data));
  }
  chunks.push(chunk('tEXt', ascii('Comment\0LEAKDEX_MEDIA_MARKER_BIG_PNG')), chunk('IEND', new Uint8Array(0)));
  const png = concat(...chunks);
  t.ok(png.length > 5_000_000, `${png.length} bytes`);
  const time = (fn: () => unknown, rounds: number) => {
    const start = performance.now();
    for (let i = 0; i < rounds; i++) fn();
    return (performance.now() - start) / rounds;
  };
  time(() => mediaLayout(png), 20);
  const layoutMs = time(() => mediaLayout(png), 50);
  const scanMs = time(() => [...printableRuns(png, collectingContext('x'))].length, 3);
  const layout = mediaLayout(png)!;
  t.ok(layout.skipped > 0.99 * png.length, 'all IDAT data skipped');
  t.ok(layoutMs * 20 < scanMs, `layout ${layoutMs.toFixed(3)} ms, printable runs over every byte ${scanMs.toFixed(1)} ms`);
});

t.test('decodeRuns reads a media file by its layout: text parts and appended bytes, in whole-buffer order, not the payload', async (t) => {
  const { decodeRuns } = await import('../../decoders/runs.js');
  const png = fixture('png-text-noise.png');
  const appended = Buffer.concat([Buffer.from(png), Buffer.from('\0LEAKDEX_APPENDED_AFTER_IEND_0123456789\0')]);
  const texts = (bytes: Uint8Array, all: boolean): DecodedString[] => [...(all ? printableRuns(bytes, collectingContext('a.png')) : decodeRuns(bytes, collectingContext('a.png')))];
  const whole = texts(appended, true);
  const read = texts(appended, false);
  t.ok(read.length < whole.length, `${read.length} runs of ${whole.length}`);
  t.ok(read.some((s) => s.text.includes('LEAKDEX_MEDIA_MARKER')), 'the tEXt marker is read');
  t.ok(read.some((s) => s.text.includes('LEAKDEX_APPENDED_AFTER_IEND')), 'bytes after IEND are read');
  // Runs wholly inside kept ranges come as they did from the whole buffer, in the same relative order.
  const layout = mediaLayout(appended)!;
  const inside = (s: DecodedString) => {
    const off = parseInt(s.location.pointer.replace(/^.*\+0x/, ''), 16);
    const units = s.location.pointer.startsWith('utf16le') ? 2 : 1;
    return layout.keep.some((r) => off >= r.start && off + s.text.length * units <= r.end);
  };
  const key = (s: DecodedString) => `${s.location.pointer} ${s.text}`;
  const expected = whole.filter(inside).map(key);
  t.same(read.filter(inside).map(key), expected, `${expected.length} runs inside kept ranges, same text, pointer and order`);
  // A file that is not exactly a PNG (a broken IDAT length) is read whole.
  const broken = Uint8Array.from(appended);
  const idat = Buffer.from(broken).indexOf('IDAT');
  broken[idat - 4] = 0xff;
  t.equal(texts(broken, false).length, texts(broken, true).length, 'a damaged PNG: every byte is read');
});
