/**
 * Media and compressed payloads (issue 20): which bytes of an image, audio file, font or compressed blob can hold
 * text, so the printable-run fallback need not read the rest. A format is recognised by its magic, then walked; only
 * payloads positively identified by a structure that parses exactly are skipped (PNG IDAT, JPEG scans, GIF image
 * data, WebP bitstreams, Ogg audio pages, chained MPEG frames, FLAC frames, outline tables, entropy-coded streams).
 * Headers, metadata (tEXt, EXIF, XMP, ID3, comments, name tables), unknown chunks and bytes after the end marker are
 * kept, so printable runs over the kept ranges are those over the whole file except where a run reaches into a gap.
 * Any structural error means the file is not taken as media and the caller scans every byte.
 */
import { DecodeError } from './types.js';
import { Gaps, type MediaLayout, type MediaWalker, hasMagic } from './media-layout.js';
import { imageWalker } from './media-image.js';
import { FLAC_MAGIC, ID3_MAGIC, OGG_MAGIC, flacLayout, id3v2End, mp3Layout, oggLayout } from './media-audio.js';
import { fontLayout, isFont } from './media-font.js';
import { XZ_MAGIC, bzip2Layout, isBzip2, isZstd, xzLayout, zstdLayout } from './media-packed.js';

export type { MediaLayout } from './media-layout.js';

/** The walker for `bytes` by its magic, or undefined when no format known here starts them. */
function walkerFor(bytes: Uint8Array): { format: string; walk: MediaWalker } | undefined {
  const image = imageWalker(bytes);
  if (image !== undefined) return image;
  if (hasMagic(bytes, OGG_MAGIC)) return { format: 'ogg', walk: oggLayout };
  if (hasMagic(bytes, FLAC_MAGIC)) return { format: 'flac', walk: flacLayout };
  if (hasMagic(bytes, ID3_MAGIC)) {
    // FLAC files sometimes carry an ID3v2 tag before "fLaC", as MP3s do before their frames.
    let end = 0;
    try {
      end = id3v2End(bytes, new Gaps('mp3', bytes.length), 0);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
    }
    return hasMagic(bytes, FLAC_MAGIC, end) ? { format: 'flac', walk: flacLayout } : { format: 'mp3', walk: mp3Layout };
  }
  // ISO 11172-3 §2.4.2.3: 11 sync bits, a version that is not reserved (01) and a layer that is not reserved (00).
  if (bytes.length >= 4 && bytes[0] === 0xff && (bytes[1]! & 0xe0) === 0xe0 && (bytes[1]! & 0x18) !== 0x08 && (bytes[1]! & 0x06) !== 0) {
    return { format: 'mp3', walk: mp3Layout };
  }
  if (isFont(bytes)) return { format: 'font', walk: fontLayout };
  if (hasMagic(bytes, XZ_MAGIC)) return { format: 'xz', walk: xzLayout };
  if (isZstd(bytes)) return { format: 'zstd', walk: zstdLayout };
  if (isBzip2(bytes)) return { format: 'bzip2', walk: bzip2Layout };
  return undefined;
}

/**
 * The text-bearing layout of a media or compressed file; undefined when `bytes` is not one of the formats known here;
 * throws DecodeError (`media.<format>.<code>`, with the offset) when it starts like one but its structure is not
 * exactly valid.
 */
export function readMediaLayout(bytes: Uint8Array): MediaLayout | undefined {
  const walker = walkerFor(bytes);
  if (walker === undefined) return undefined;
  const gaps = new Gaps(walker.format, bytes.length);
  walker.walk(bytes, gaps);
  return gaps.layout();
}

/** The text-bearing layout of a media or compressed file, or undefined when `bytes` is not one of the formats known here or its structure is not exactly valid (the caller then scans every byte). */
export function mediaLayout(bytes: Uint8Array): MediaLayout | undefined {
  try {
    return readMediaLayout(bytes);
  } catch (e) {
    if (e instanceof DecodeError) return undefined;
    throw e;
  }
}
