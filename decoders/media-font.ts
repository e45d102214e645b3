/**
 * Font walker for decoders/media.ts: TrueType/OpenType (OpenType 1.9 "Font file"), TrueType collections and WOFF 1.0.
 * Skipped: the data of the outline and metric tables (glyf, loca, CFF2, gvar, hmtx, vmtx, kern) and of a CFF table
 * after its String INDEX. Kept: the table directories, name, and every other table. WOFF2 is not walked: its single
 * Brotli stream may hold uncompressed meta-blocks, so the name table's text can sit in it verbatim.
 */
import { type Gaps, isTag, tagAt, u16be, u32be } from './media-layout.js';

/** Tables whose data is glyph outlines, metrics or kerning: numbers, never text. */
const SKIPPED_TABLES = new Set(['glyf', 'loca', 'CFF2', 'gvar', 'hmtx', 'vmtx', 'kern']);
/** Most tables in one font's directory; numTables is 16-bit, real fonts have a few dozen. */
const MAX_TABLES = 1024;
/** Most fonts in one collection; Noto CJK's collection has 10. */
const MAX_COLLECTION_FONTS = 256;
/** sfnt versions (OpenType "Table Directory"): TrueType 1.0, CFF ("OTTO"), Apple "true" and "typ1". */
const SFNT_VERSIONS = [0x00010000, 0x4f54544f, 0x74727565, 0x74797031];
const OFFSET_TABLE = 12;
const TABLE_RECORD = 16;
const WOFF_HEADER = 44;
const WOFF_RECORD = 20;
const DIRECTORY = 'directory';

/** One table or directory: where it lies, and from where on it is skipped (its end when kept). */
interface Region {
  tag: string;
  start: number;
  end: number;
  skipFrom: number;
}

/** True when `bytes` start like a TrueType/OpenType font, a collection or a WOFF file. */
export function isFont(bytes: Uint8Array): boolean {
  if (bytes.length < OFFSET_TABLE) return false;
  const version = u32be(bytes, 0);
  return SFNT_VERSIONS.includes(version) || version === 0x74746366 /* ttcf */ || version === 0x774f4646 /* wOFF */;
}

/** Fonts: the directories walked, every table checked to lie in the file without overlapping another. */
export function fontLayout(bytes: Uint8Array, g: Gaps): void {
  const regions: Region[] = [];
  const records = { count: 0 };
  const version = u32be(bytes, 0);
  if (version === 0x774f4646) woffDirectory(bytes, g, regions);
  else if (version === 0x74746366) {
    // OpenType "TTC Header": tag, version, numFonts, then one offset per font (a 2.0 header adds DSIG fields).
    g.need(0, 12, 'TTC header');
    const count = u32be(bytes, 8);
    if (count < 1 || count > MAX_COLLECTION_FONTS) g.fail('bad_count', `collection of ${count} fonts`, 8);
    g.need(12, 4 * count, 'TTC offsets');
    regions.push({ tag: 'ttcf', start: 0, end: 12 + 4 * count, skipFrom: 12 + 4 * count });
    for (let i = 0; i < count; i++) sfntDirectory(bytes, g, u32be(bytes, 12 + 4 * i), regions, records);
  } else sfntDirectory(bytes, g, 0, regions, records);
  regions.sort((a, b) => a.start - b.start || a.end - b.end);
  let last: Region | undefined;
  for (const r of regions) {
    if (r.end === r.start) continue;
    if (last !== undefined && r.start < last.end) {
      // Fonts of a collection share tables (the same tag at the same place), never a directory.
      if (r.start !== last.start || r.end !== last.end || r.tag !== last.tag || r.tag === DIRECTORY) g.fail('overlap', `'${r.tag}' overlaps '${last.tag}'`, r.start);
      continue;
    }
    g.skip(r.skipFrom, r.end);
    last = r;
  }
}

/** The table directory of the font at `at` (OpenType "Table Directory"), its tables added to `regions`. */
function sfntDirectory(bytes: Uint8Array, g: Gaps, at: number, regions: Region[], records: { count: number }): void {
  g.need(at, OFFSET_TABLE, 'offset table');
  if (!SFNT_VERSIONS.includes(u32be(bytes, at))) g.fail('bad_version', 'not an sfnt version', at);
  const count = u16be(bytes, at + 4);
  if (count < 1 || count > MAX_TABLES) g.fail('bad_count', `${count} tables`, at + 4);
  const end = at + OFFSET_TABLE + TABLE_RECORD * count;
  g.need(at, end - at, 'table records');
  // Directories cannot overlap, so their records fit in the file: this bounds the work of a collection.
  records.count += count;
  if (records.count * TABLE_RECORD > bytes.length) g.fail('bad_count', `${records.count} table records in ${bytes.length} bytes`, at + 4);
  regions.push({ tag: DIRECTORY, start: at, end, skipFrom: end });
  for (let r = at + OFFSET_TABLE; r < end; r += TABLE_RECORD) {
    if (!isTag(bytes, r)) g.fail('bad_tag', 'table tag is not printable', r);
    const offset = u32be(bytes, r + 8);
    const length = u32be(bytes, r + 12);
    g.need(offset, length, `table '${tagAt(bytes, r)}'`);
    regions.push(tableRegion(bytes, g, tagAt(bytes, r), offset, length));
  }
}

/** WOFF 1.0 (W3C WOFF §3-5): header, table directory, tables (zlib-compressed or not), metadata and private blocks. */
function woffDirectory(bytes: Uint8Array, g: Gaps, regions: Region[]): void {
  g.need(0, WOFF_HEADER, 'WOFF header');
  const length = u32be(bytes, 8);
  const count = u16be(bytes, 12);
  g.need(0, length, 'WOFF file');
  if (count < 1 || count > MAX_TABLES || u16be(bytes, 14) !== 0) g.fail('bad_header', `WOFF header with ${count} tables`, 12);
  const end = WOFF_HEADER + WOFF_RECORD * count;
  if (end > length) g.fail('truncated', 'WOFF table directory past the declared length', WOFF_HEADER);
  regions.push({ tag: DIRECTORY, start: 0, end, skipFrom: end });
  const block = (tag: string, offset: number, size: number) => {
    if (size > 0 && (offset > length || size > length - offset)) g.fail('bad_block', `${tag} block past the declared length`, offset);
    regions.push({ tag, start: offset, end: offset + size, skipFrom: offset + size });
  };
  block('metadata', u32be(bytes, 24), u32be(bytes, 28));
  block('private', u32be(bytes, 36), u32be(bytes, 40));
  for (let r = WOFF_HEADER; r < end; r += WOFF_RECORD) {
    if (!isTag(bytes, r)) g.fail('bad_tag', 'table tag is not printable', r);
    const offset = u32be(bytes, r + 4);
    const compLength = u32be(bytes, r + 8);
    if (compLength > u32be(bytes, r + 12) || offset > length || compLength > length - offset) g.fail('bad_table', `table '${tagAt(bytes, r)}' past the declared length`, r);
    const tag = tagAt(bytes, r);
    // A compressed CFF cannot be read in place: it is kept whole, like every table not known to hold no text.
    regions.push(compLength < u32be(bytes, r + 12) && tag === 'CFF ' ? { tag, start: offset, end: offset + compLength, skipFrom: offset + compLength } : tableRegion(bytes, g, tag, offset, compLength));
  }
}

/** A table's region: skipped whole when its data is outlines or metrics, after its String INDEX for CFF, else kept. */
function tableRegion(bytes: Uint8Array, g: Gaps, tag: string, start: number, length: number): Region {
  const end = start + length;
  if (SKIPPED_TABLES.has(tag)) return { tag, start, end, skipFrom: start };
  if (tag === 'CFF ' && length > 0) return { tag, start, end, skipFrom: cffTextEnd(bytes, g, start, end) };
  return { tag, start, end, skipFrom: end };
}

/**
 * End of the text of a CFF table (Adobe TN 5176 §6-10): header, Name INDEX, Top DICT INDEX and String INDEX hold the
 * font names, notice and copyright; what follows (subroutines, charstrings, private DICTs) is numbers.
 */
function cffTextEnd(bytes: Uint8Array, g: Gaps, start: number, end: number): number {
  if (end - start < 4 || bytes[start] !== 1) g.fail('bad_cff', 'CFF header is not version 1', start);
  const headerSize = bytes[start + 2]!;
  if (headerSize < 4) g.fail('bad_cff', `CFF header size ${headerSize}`, start);
  let p = start + headerSize;
  for (let i = 0; i < 3; i++) p = indexEnd(bytes, g, p, end);
  return p;
}

/** End of the CFF INDEX at `p` (TN 5176 §5): count, offSize, count + 1 offsets from 1, then the data. */
function indexEnd(bytes: Uint8Array, g: Gaps, p: number, end: number): number {
  if (p > end - 2) g.fail('bad_cff', 'CFF INDEX past the table', p);
  const count = u16be(bytes, p);
  if (count === 0) return p + 2;
  const offSize = p + 3 <= end ? bytes[p + 2]! : 0;
  const offsets = p + 3;
  if (offSize < 1 || offSize > 4 || (count + 1) * offSize > end - offsets) g.fail('bad_cff', 'CFF INDEX offsets past the table', p);
  const read = (at: number) => {
    let v = 0;
    for (let k = 0; k < offSize; k++) v = v * 256 + bytes[at + k]!;
    return v;
  };
  const data = offsets + (count + 1) * offSize - 1;
  const last = read(offsets + count * offSize);
  if (read(offsets) !== 1 || last < 1 || last > end - data) g.fail('bad_cff', 'CFF INDEX data past the table', p);
  return data + last;
}
