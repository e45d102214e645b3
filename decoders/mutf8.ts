/**
 * Modified UTF-8 as used by DEX string_data_item and JNI: U+0000 is `C0 80`, supplementary characters are two
 * 3-byte surrogates (CESU-8), lone surrogates occur. Spec: source.android.com "Dalvik executable format", MUTF-8.
 */

/** Code units passed to String.fromCharCode per call, well under engines' argument limits. */
const FROM_CHAR_CODE_CHUNK = 8192;
/** Largest scratch buffer kept between calls (code units); longer strings get a one-off buffer. */
const RETAINED_BUFFER_UNITS = 1 << 16;

let unitBuffer = new Uint16Array(1024);

type NativeSlice = (this: Uint8Array, start: number, end: number) => string;
const nodeBuffer = (globalThis as { Buffer?: { prototype: { latin1Slice?: NativeSlice; ucs2Slice?: NativeSlice } } }).Buffer?.prototype;
/** Node's native one-byte-per-char slice (the fastest ASCII path); TextDecoder where Buffer is absent. */
const nodeLatin1Slice = nodeBuffer?.latin1Slice;
/** Node's native UTF-16LE slice keeps lone surrogates (TextDecoder would replace them); only on little-endian hosts. */
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const nodeUcs2Slice = littleEndian ? nodeBuffer?.ucs2Slice : undefined;
const asciiDecoder = new TextDecoder('latin1');

/** ASCII bytes [start, end) as a string; callers guarantee every byte is below 0x80 (where latin1 = windows-1252 = ASCII). */
function asciiToString(bytes: Uint8Array, start: number, end: number): string {
  if (nodeLatin1Slice !== undefined) return nodeLatin1Slice.call(bytes, start, end);
  return end - start <= 64 ? unitsToString(bytes, start, end) : asciiDecoder.decode(bytes.subarray(start, end));
}

function unitsToString(units: Uint16Array | Uint8Array, start: number, end: number): string {
  if (end - start <= FROM_CHAR_CODE_CHUNK) {
    return String.fromCharCode.apply(null, units.subarray(start, end) as unknown as number[]);
  }
  const parts: string[] = [];
  for (let i = start; i < end; i += FROM_CHAR_CODE_CHUNK) {
    parts.push(String.fromCharCode.apply(null, units.subarray(i, Math.min(end, i + FROM_CHAR_CODE_CHUNK)) as unknown as number[]));
  }
  return parts.join('');
}

/**
 * Decode MUTF-8 bytes [start, end) to a JS string (UTF-16 code units). `C0 80` gives U+0000, 3-byte surrogates are
 * kept as code units (pairs form supplementary characters, lone surrogates stay lone). A byte that cannot start a
 * sequence, or a sequence cut by `end`, gives U+FFFD for that one byte; continuation bits are not checked (the same
 * leniency as androguard's decoder and the corpus oracle).
 */
export function decodeMutf8(bytes: Uint8Array, start: number, end: number): string {
  if (start < 0) start = 0;
  if (end > bytes.length) end = bytes.length;
  if (end <= start) return '';
  let i = start;
  while (i < end && bytes[i]! < 0x80) i++;
  if (i === end) return asciiToString(bytes, start, end);

  let units = unitBuffer;
  if (units.length < end - start) {
    units = new Uint16Array(Math.max(end - start, units.length * 2));
    if (units.length <= RETAINED_BUFFER_UNITS) unitBuffer = units;
  }
  let n = 0;
  for (let j = start; j < i; j++) units[n++] = bytes[j]!;
  while (i < end) {
    const c = bytes[i]!;
    if (c < 0x80) {
      units[n++] = c;
      i += 1;
    } else if ((c & 0xe0) === 0xc0 && i + 1 < end) {
      units[n++] = ((c & 0x1f) << 6) | (bytes[i + 1]! & 0x3f);
      i += 2;
    } else if ((c & 0xf0) === 0xe0 && i + 2 < end) {
      units[n++] = ((c & 0x0f) << 12) | ((bytes[i + 1]! & 0x3f) << 6) | (bytes[i + 2]! & 0x3f);
      i += 3;
    } else {
      units[n++] = 0xfffd;
      i += 1;
    }
  }
  if (nodeUcs2Slice !== undefined) return nodeUcs2Slice.call(new Uint8Array(units.buffer, 0, n * 2), 0, n * 2);
  return unitsToString(units, 0, n);
}
