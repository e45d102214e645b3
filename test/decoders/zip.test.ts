import t from 'tap';
import { createHash } from 'node:crypto';
import JSZip from 'jszip';
import { DecodeError, type DecodeWarning } from '../../decoders/types.js';
import { ZipArchive, bufferSource, DEFAULT_ZIP_LIMITS, type RandomAccess, type ZipLimits } from '../../decoders/zip.js';
import { apkSigners, MAX_V1_SIGNATURE_BYTES } from '../../decoders/apksig.js';
import { readTlv, children, oidString } from '../../decoders/der.js';
import { decodeErrorCode } from '../helpers/decode.js';
import { readFixture } from '../helpers/files.js';

// Fixtures are rebuilt by test/fixtures/zip/make.py (one per quirk).
const fixture = (name: string): Uint8Array => readFixture('zip', name);

/** Certificate SHA-256 digests printed by `apksigner verify --print-certs` when make.py built the APKs. */
const RSA_FIXTURE_CERT = '175d45406c3500c05c8aa79f8357d1bc5bdaa9fecafeff7cd282cd9e741e77c7';
const EC_FIXTURE_CERT = '32f08479c067d8784702355932b0a9ef20f08b9487fe9caa2d6ce9df55296963';

interface Opened {
  zip: ZipArchive;
  warnings: DecodeWarning[];
}

function open(bytes: Uint8Array, limits?: Partial<ZipLimits>): Opened {
  const warnings: DecodeWarning[] = [];
  const zip = ZipArchive.open(bufferSource(bytes), { limits, warn: (w) => warnings.push(w) });
  return { zip, warnings };
}

function text(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('utf8');
}

function codes(warnings: DecodeWarning[]): string[] {
  return warnings.map((w) => w.code);
}

function entry(zip: ZipArchive, name: string, nth = 0) {
  const found = zip.entries.filter((e) => e.name === name)[nth];
  if (!found) throw new Error(`no entry ${name}`);
  return found;
}

/** Offset of the EOCD record (the last `PK\5\6`). */
function eocdAt(bytes: Uint8Array): number {
  return Buffer.from(bytes).lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
}

/** Offset of the central-directory record of `e`. */
function centralAt(bytes: Uint8Array, zip: ZipArchive, e: { index: number }): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  let p = zip.centralDirectoryOffset;
  for (let i = 0; i < e.index; i++) p += 46 + view.getUint16(p + 28, true) + view.getUint16(p + 30, true) + view.getUint16(p + 32, true);
  return p;
}

/** Sets the central directory's declared sizes of entry `name` (the local header keeps the true ones). */
function setCentralSizes(bytes: Uint8Array, name: string, sizes: { compressed?: number; uncompressed?: number }): void {
  const zip = ZipArchive.open(bufferSource(bytes));
  const at = centralAt(bytes, zip, entry(zip, name));
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  if (sizes.compressed !== undefined) view.setUint32(at + 20, sizes.compressed, true);
  if (sizes.uncompressed !== undefined) view.setUint32(at + 24, sizes.uncompressed, true);
}

/** `n` bytes of 0x30/0x31 from a fixed LCG: deflates about 7:1, well under the ratio cap. */
function lowEntropy(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = 0x30 | (x >>> 31);
  }
  return out;
}

/** A RandomAccess over `bytes` that counts the bytes asked of it. */
function countingSource(bytes: Uint8Array): { src: RandomAccess; log: { bytes: number } } {
  const inner = bufferSource(bytes);
  const log = { bytes: 0 };
  return { src: { size: inner.size, read: (o, l) => ((log.bytes += l), inner.read(o, l)) }, log };
}

t.test('limits and constants', async (t) => {
  t.same(
    { ...DEFAULT_ZIP_LIMITS, maxCommentScan: undefined },
    { maxEntries: 100_000, maxEntryBytes: 512 * 1024 ** 2, maxTotalBytes: 2 * 1024 ** 3, maxRatio: 1000, maxCommentScan: undefined },
  );
});

t.test('normal archive: stored, deflated, directory', async (t) => {
  const bytes = fixture('normal.zip');
  const { zip, warnings } = open(bytes);
  t.same(zip.entries.map((e) => e.name), ['hello.txt', 'dir/', 'data/config.json', 'res/values.xml']);
  t.same(zip.entries.map((e) => e.method), [0, 0, 8, 8]);
  t.same(zip.entries.map((e) => e.isDirectory), [false, true, false, false]);
  t.same(zip.entries.map((e) => e.index), [0, 1, 2, 3]);
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  t.equal(zip.centralDirectoryOffset, view.getUint32(eocdAt(bytes) + 16, true));
  t.equal(zip.comment.length, 0);
  t.equal(text(zip.read(entry(zip, 'hello.txt'))), 'Hello, stored world!\n');
  const config = text(zip.read(entry(zip, 'data/config.json')));
  t.ok(config.startsWith('{"api_key": "not-a-real-key", "items": [1, 1, '));
  t.equal(config.length, entry(zip, 'data/config.json').uncompressedSize);
  const values = zip.read(entry(zip, 'res/values.xml'));
  t.equal(values.length, 20 * 56);
  t.equal(zip.read(entry(zip, 'dir/')).length, 0);
  t.equal(zip.bytesInflated, 21 + config.length + values.length);
  t.equal(zip.bytesRead, zip.entries.reduce((n, e) => n + e.compressedSize, 0));
  t.same(warnings, []);
});

t.test('reads by ranges: one read for the tail, one for the central directory, one per entry', async (t) => {
  const bytes = fixture('normal.zip');
  const reads: [number, number][] = [];
  const inner = bufferSource(bytes);
  const src: RandomAccess = { size: inner.size, read: (o, l) => (reads.push([o, l]), inner.read(o, l)) };
  const zip = ZipArchive.open(src);
  t.equal(reads.length, 2, 'EOCD scan + central directory');
  for (const e of zip.entries) zip.read(e);
  t.equal(reads.length, 2 + zip.entries.length);
  zip.entries.forEach((e, i) => {
    const [offset, length] = reads[2 + i]!;
    t.equal(offset, e.localHeaderOffset);
    t.ok(length <= 30 + 64 + Buffer.byteLength(e.name) + e.compressedSize, `${e.name}: local header + data, not more`);
  });
  const big = fixture('max-comment.zip');
  const tail: number[] = [];
  const src2 = bufferSource(big);
  ZipArchive.open({ size: src2.size, read: (o, l) => (tail.push(l), src2.read(o, l)) });
  t.equal(tail[0], 22 + 65535, 'the EOCD scan reads at most the largest comment');
});

t.test('a source with a scratch buffer: compressed data read into it, nothing handed out aliases it', async (t) => {
  // The scratch buffer is overwritten by every read, as FileSource's is.
  const scratchOf = (bytes: Uint8Array) => {
    const inner = bufferSource(bytes);
    const scratch = new Uint8Array(bytes.length);
    const held = new Uint8Array(bytes.length);
    const log = { scratch: 0, plain: 0, held: 0 };
    const src: RandomAccess = {
      size: inner.size,
      read: (o, l) => (log.plain++, inner.read(o, l).slice()),
      readScratch: (o, l) => {
        log.scratch++;
        scratch.fill(0xee);
        scratch.set(inner.read(o, l));
        return scratch.subarray(0, l);
      },
      readHeld: (o, l) => {
        log.held++;
        held.fill(0xdd);
        held.set(inner.read(o, l));
        return held.subarray(0, l);
      },
    };
    return { src, log };
  };
  for (const name of ['normal.zip', 'unknown-method.zip']) {
    const expected = open(fixture(name)).zip;
    const want = expected.entries.map((e) => (e.isDirectory ? '' : Buffer.from(expected.read(e)).toString('latin1')));
    const { src, log } = scratchOf(fixture(name));
    const zip = ZipArchive.open(src);
    const got = zip.entries.map((e) => (e.isDirectory ? undefined : zip.read(e)));
    // Every entry read once more, overwriting the scratch buffer: the first results must still hold their own bytes.
    for (const e of [...zip.entries].reverse()) if (!e.isDirectory) zip.read(e);
    t.same(got.map((b) => (b ? Buffer.from(b).toString('latin1') : '')), want, `${name}: every entry intact after all were read`);
    t.ok(log.scratch > 0, `${name}: compressed data went through the scratch buffer`);
    t.equal(log.held, 0, `${name}: reads that are not transient never use the held buffer`);
  }
  // Transient reads: each entry is right when read; stored ones come in the held buffer, which the next one reuses.
  const views: Uint8Array[] = [];
  let storedCount = 0;
  let heldReads = 0;
  for (const name of ['normal.zip', 'names.zip']) {
    const expected = open(fixture(name)).zip;
    const { src, log } = scratchOf(fixture(name));
    const zip = ZipArchive.open(src);
    for (const e of zip.entries) {
      if (e.isDirectory) continue;
      const b = zip.read(e, { transient: true });
      t.same(Buffer.from(b).toString('latin1'), Buffer.from(expected.read(expected.entries[e.index]!)).toString('latin1'), `${name} ${e.name}: right bytes when read`);
      if (e.method === 0) {
        storedCount++;
        if (name === 'names.zip') views.push(b);
      }
    }
    heldReads += log.held;
  }
  t.equal(storedCount, 4, 'the two archives hold 4 stored files');
  t.equal(heldReads, storedCount, 'each stored entry read once, into the held buffer');
  t.ok(views.every((v) => v.buffer === views[0]!.buffer), 'stored entries share the held buffer');
});

t.test('a short read from the source is a DecodeError', async (t) => {
  const bytes = fixture('normal.zip');
  const src: RandomAccess = { size: bytes.length, read: (o, l) => bytes.subarray(o, o + Math.max(0, l - 1)) };
  t.equal(decodeErrorCode(() => ZipArchive.open(src)), 'zip.truncated');
});

t.test('entry names: UTF-8 flag, unflagged valid UTF-8, CP437', async (t) => {
  const { zip } = open(fixture('names.zip'));
  t.same(zip.entries.map((e) => e.name), ['caf\u00e9.txt', 'na\u00efve.txt', '\u00c7\u00df-cp437.txt']);
  t.same(zip.entries.map((e) => (e.flags & 0x800) !== 0), [true, false, false]);
  t.equal(text(zip.read(zip.entries[2]!)), 'cp437\n');
});

t.test('data descriptors (flag bit 3): sizes come from the central directory', async (t) => {
  const bytes = fixture('data-descriptor.zip');
  const { zip, warnings } = open(bytes);
  t.same(zip.entries.map((e) => e.flags & 8), [8, 8]);
  const localCompressedSize = new DataView(bytes.buffer, bytes.byteOffset).getUint32(18, true);
  t.equal(localCompressedSize, 0, 'the local header really defers its sizes');
  t.equal(text(zip.read(zip.entries[0]!)), 'streamed entry A\n'.repeat(30));
  const b = zip.read(zip.entries[1]!);
  t.equal(b.length, 1024);
  t.equal(b[255], 255);
  t.same(warnings, []);
});

t.test('zip64 end records and extra fields', async (t) => {
  const bytes = fixture('zip64.zip');
  t.ok(Buffer.from(bytes).includes(Buffer.from('PK\x06\x06', 'latin1')), 'fixture has a zip64 end record');
  const eocd = eocdAt(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  t.equal(view.getUint16(eocd + 10, true), 0xffff, '32-bit count is saturated');
  const { zip, warnings } = open(bytes);
  t.same(zip.entries.map((e) => e.name), ['z64/first.txt', 'z64/second.txt']);
  t.equal(text(zip.read(zip.entries[0]!)), 'first zip64 entry\n'.repeat(10));
  t.equal(text(zip.read(zip.entries[1]!)), 'second, stored\n');
  t.equal(zip.entries[1]!.uncompressedSize, 15);
  t.ok(zip.entries[1]!.localHeaderOffset > 0, 'offset taken from the zip64 extra');
  t.same(warnings, []);

  // Broken locator with saturated 32-bit fields is fatal; the zip64 record gone is fatal too.
  const noRecord = bytes.slice();
  noRecord.set([0x50, 0x4b, 0, 0], bytes.indexOf(0x50, Buffer.from(bytes).indexOf(Buffer.from('PK\x06\x06', 'latin1'))));
  t.equal(decodeErrorCode(() => open(noRecord)), 'zip.bad_zip64');
});

t.test('fake "encrypted" flag is read anyway; real ZipCrypto is an entry error', async (t) => {
  const fake = open(fixture('fake-encrypted.zip'));
  t.same(fake.zip.entries.map((e) => e.flags & 1), [1, 1]);
  t.ok(text(fake.zip.read(entry(fake.zip, 'classes.dex'))).startsWith('dex\n035\0fake dex body'));
  t.equal(text(fake.zip.read(entry(fake.zip, 'plain.txt'))), 'plain stored text\n');
  t.same(codes(fake.warnings), ['zip.fake_encrypted', 'zip.fake_encrypted']);

  const real = open(fixture('encrypted.zip'));
  t.equal(decodeErrorCode(() => real.zip.read(entry(real.zip, 'secret.txt'))), 'zip.encrypted');
  t.equal(text(real.zip.read(entry(real.zip, 'open.txt'))), 'readable\n', 'the next entry still reads');
  t.equal(real.zip.bytesInflated, 9, 'the failed entry is not charged');
});

t.test('unknown methods: deflate first, stored when the bytes are not deflate', async (t) => {
  const { zip, warnings } = open(fixture('unknown-method.zip'));
  t.same(zip.entries.map((e) => e.method), [99, 12]);
  t.equal(text(zip.read(zip.entries[0]!)), 'deflate data under an unknown method\n'.repeat(8));
  t.equal(Buffer.from(zip.read(zip.entries[1]!)).toString('latin1'), '\xff\xffplain bytes under an unknown method\n');
  t.same(codes(warnings), ['zip.unknown_method', 'zip.unknown_method', 'zip.unknown_method_stored']);
});

t.test('local header name differs from the central one', async (t) => {
  const { zip, warnings } = open(fixture('local-name-mismatch.zip'));
  const dex = entry(zip, 'classes.dex');
  t.equal(dex.localName, undefined, 'known only once the local header is read');
  t.equal(text(zip.read(dex)), 'dex\n035\0hidden dex\n');
  t.equal(dex.localName, 'decoy.txt.x');
  zip.read(dex);
  t.same(codes(warnings), ['zip.local_name_mismatch'], 'warned once');
  zip.read(entry(zip, 'readme.txt'));
  t.equal(entry(zip, 'readme.txt').localName, undefined);
});

t.test('duplicate names are kept and warned once per name', async (t) => {
  const { zip, warnings } = open(fixture('duplicate-names.zip'));
  t.same(zip.entries.map((e) => e.name), ['classes.dex', 'a.txt', 'classes.dex', 'a.txt', 'a.txt', 'b.txt']);
  t.same(codes(warnings), ['zip.duplicate_name', 'zip.duplicate_name']);
  t.match(warnings[0]!.message, /classes\.dex/);
  t.match(warnings[1]!.message, /a\.txt/);
  t.equal(text(zip.read(entry(zip, 'classes.dex', 0))), 'first dex\n');
  t.equal(text(zip.read(entry(zip, 'classes.dex', 1))), 'second dex\n');
  t.same(zip.find('a.txt').map((e) => text(zip.read(e))), ['a1\n', 'a2\n', 'a3\n']);
});

t.test('deflate bomb: caps enforced while inflating', async (t) => {
  const bytes = fixture('bomb.zip');
  const zeros = (z: ZipArchive) => entry(z, 'zeros.bin');
  const MiB = 1024 * 1024;

  const byRatio = open(bytes).zip;
  t.equal(decodeErrorCode(() => byRatio.read(zeros(byRatio))), 'zip.ratio');
  t.equal(text(byRatio.read(entry(byRatio, 'small.txt'))), 'small entry\n', 'other entries still read');
  t.equal(byRatio.bytesInflated, 12);

  const byEntry = open(bytes, { maxEntryBytes: MiB, maxRatio: 1e9 }).zip;
  t.equal(decodeErrorCode(() => byEntry.read(zeros(byEntry))), 'zip.entry_too_large');

  const byArchive = open(bytes, { maxTotalBytes: 10 * MiB, maxRatio: 1e9 }).zip;
  byArchive.read(entry(byArchive, 'small.txt'));
  t.equal(decodeErrorCode(() => byArchive.read(zeros(byArchive))), 'zip.archive_budget_exhausted');

  const exact = open(bytes, { maxEntryBytes: 50 * MiB, maxRatio: 2000 }).zip;
  const out = exact.read(zeros(exact));
  t.equal(out.length, 50 * MiB, 'exactly at the entry cap is fine');
  t.equal(out.indexOf(1), -1);
  t.equal(exact.bytesInflated, 50 * MiB);

  const budget = open(bytes, { maxTotalBytes: 50 * MiB + 5, maxRatio: 2000 }).zip;
  budget.read(zeros(budget));
  t.equal(decodeErrorCode(() => budget.read(entry(budget, 'small.txt'))), 'zip.archive_budget_exhausted', 'stored bytes count toward the budget');

  t.equal(decodeErrorCode(() => open(bytes, { maxEntries: 1 })), 'zip.too_many_entries');
});

t.test('declared sizes that lie', async (t) => {
  const { zip, warnings } = open(fixture('lying-sizes.zip'));
  const huge = entry(zip, 'huge-claim.txt');
  t.equal(huge.uncompressedSize, 0xfffffff0);
  t.equal(zip.read(huge).length, 195, 'real size, not the claim');
  t.equal(text(zip.read(entry(zip, 'stored-mismatch.txt'))), 'stored, uncompressed size lies\n');
  t.equal(text(zip.read(entry(zip, 'bad-crc.txt'))), 'crc is wrong\n');
  t.equal(decodeErrorCode(() => zip.read(entry(zip, 'overrun.txt'))), 'zip.truncated');
  t.equal(text(zip.read(entry(zip, 'last.txt'))), 'still readable\n');
  t.same(codes(warnings), ['zip.overlapping_entries', 'zip.size_mismatch', 'zip.stored_size_mismatch', 'zip.crc_mismatch']);

  const tiny = open(fixture('lying-sizes.zip'), { maxEntryBytes: 100 }).zip;
  t.equal(decodeErrorCode(() => tiny.read(entry(tiny, 'huge-claim.txt'))), 'zip.entry_too_large');
});

t.test('stored entry with a lying size: only the smaller declared size is read from the source', async (t) => {
  const j = new JSZip();
  j.file('a.txt', '0123456789', { compression: 'STORE' });
  j.file('pad.bin', new Uint8Array(256 * 1024), { compression: 'STORE' });
  const clean = new Uint8Array(await j.generateAsync({ type: 'uint8array' }));
  // Uncompressed size lies upwards, then the compressed size does: either way 10 bytes are the data.
  for (const sizes of [{ uncompressed: 0x7ffffff0 }, { compressed: 200_000 }]) {
    const bytes = clean.slice();
    setCentralSizes(bytes, 'a.txt', sizes);
    const { src, log } = countingSource(bytes);
    const warnings: DecodeWarning[] = [];
    const zip = ZipArchive.open(src, { warn: (w) => warnings.push(w) });
    log.bytes = 0;
    t.equal(text(zip.read(entry(zip, 'a.txt'))), '0123456789', JSON.stringify(sizes));
    t.ok(log.bytes <= 30 + 'a.txt'.length + 64 + 10, `${JSON.stringify(sizes)}: ${log.bytes} bytes asked of the source`);
    // Stored data ends at the smaller declared size, so a compressed size that lies upwards does not reach over the
    // entry after it: pad.bin is no overlap (a scan would leave an overlapping entry unread).
    t.same(codes(warnings), ['zip.stored_size_mismatch'], `${JSON.stringify(sizes)}: a size mismatch, no overlap`);
    t.equal(zip.overlapping.size, 0);
    t.equal(zip.read(entry(zip, 'pad.bin')).length, 256 * 1024);
  }
});

t.test('a local name cut by the end of the archive is a truncation, not a name mismatch', async (t) => {
  const j = new JSZip();
  j.file('a.txt', 'hello', { compression: 'STORE' });
  const clean = new Uint8Array(await j.generateAsync({ type: 'uint8array' }));
  t.equal(eocdAt(clean), clean.length - 22, 'no comment yet');
  // A local header for a.txt in the end record's comment, cut 3 bytes into its name.
  const fake = new Uint8Array(30 + 2);
  const fv = new DataView(fake.buffer);
  fv.setUint32(0, 0x04034b50, true);
  fv.setUint16(26, 'a.txt'.length, true);
  fake.set(Buffer.from('a.'), 30);
  const bytes = new Uint8Array(clean.length + fake.length);
  bytes.set(clean);
  bytes.set(fake, clean.length);
  const view = new DataView(bytes.buffer);
  view.setUint16(clean.length - 22 + 20, fake.length, true);
  const cd = centralAt(bytes, ZipArchive.open(bufferSource(bytes)), { index: 0 });
  view.setUint32(cd + 42, clean.length, true);
  const { zip, warnings } = open(bytes);
  const a = entry(zip, 'a.txt');
  let error: unknown;
  try {
    zip.read(a);
  } catch (e) {
    error = e;
  }
  t.ok(error instanceof DecodeError && error.code === 'zip.truncated', 'a truncation');
  t.match((error as Error).message, /local header runs past the end/);
  t.same(codes(warnings), [], 'no name mismatch for a cut name');
  t.equal(a.localName, undefined);
});

t.test('an entry inflates into one buffer of its declared size; a gross overstatement is not kept alive', async (t) => {
  const KiB = 1024;
  const j = new JSZip();
  const body = lowEntropy(5000 * KiB);
  j.file('bundle.js', body, { compression: 'DEFLATE' });
  j.file('over.bin', lowEntropy(128 * KiB), { compression: 'DEFLATE' });
  j.file('under.bin', lowEntropy(64 * KiB), { compression: 'DEFLATE' });
  const bytes = new Uint8Array(await j.generateAsync({ type: 'uint8array' }));
  setCentralSizes(bytes, 'over.bin', { uncompressed: 1024 * KiB });
  setCentralSizes(bytes, 'under.bin', { uncompressed: 1000 });
  const { zip, warnings } = open(bytes);
  const whole = zip.read(entry(zip, 'bundle.js'));
  t.equal(Buffer.compare(whole, body), 0, 'inflated bytes are right');
  // In chunks, zlib hands back a concatenation of several (4 MB at most each, before this change): one buffer here.
  t.equal(whole.buffer.byteLength, 5000 * KiB + 1, 'one buffer: the declared size and the one byte that ends the loop');
  const over = zip.read(entry(zip, 'over.bin'));
  t.equal(over.length, 128 * KiB);
  t.equal(over.buffer.byteLength, 128 * KiB, 'declared 1 MiB, holds 128 KiB: copied out of the 1 MiB buffer');
  const under = zip.read(entry(zip, 'under.bin'));
  t.equal(Buffer.compare(under, lowEntropy(64 * KiB)), 0, 'declared 1000 bytes, holds 64 KiB: all of it, in several chunks');
  t.same(codes(warnings), ['zip.size_mismatch', 'zip.size_mismatch']);
});

t.test('read(entry, { maxBytes }): a lower cap for one read, enforced while inflating', async (t) => {
  const KiB = 1024;
  const j = new JSZip();
  j.file('big.bin', lowEntropy(128 * KiB), { compression: 'DEFLATE' });
  j.file('stored.bin', lowEntropy(2000), { compression: 'STORE' });
  const bytes = new Uint8Array(await j.generateAsync({ type: 'uint8array' }));
  setCentralSizes(bytes, 'big.bin', { uncompressed: 1000 });
  const { zip } = open(bytes);
  const big = entry(zip, 'big.bin');
  t.ok(big.compressedSize < 64 * KiB && big.uncompressedSize === 1000, 'declares 1000 bytes, compressed under 64 KiB');
  let error: unknown;
  try {
    zip.read(big, { maxBytes: 64 * KiB });
  } catch (e) {
    error = e;
  }
  t.ok(error instanceof DecodeError && error.code === 'zip.entry_too_large', 'refused while inflating');
  t.match((error as Error).message, /inflates to more than the 65536-byte limit of this read/);
  t.equal(zip.bytesInflated, 0, 'nothing charged');
  t.equal(zip.read(big, { maxBytes: 128 * KiB }).length, 128 * KiB, 'exactly at the cap is fine');
  t.equal(zip.read(big).length, 128 * KiB, 'without maxBytes only the archive limits apply');

  const stored = entry(zip, 'stored.bin');
  t.equal(decodeErrorCode(() => zip.read(stored, { maxBytes: 1999 })), 'zip.entry_too_large');
  t.equal(zip.read(stored, { maxBytes: 2000 }).length, 2000);
  // Refused before reading when even the compressed bytes exceed the cap.
  const { src, log } = countingSource(bytes);
  const counted = ZipArchive.open(src);
  log.bytes = 0;
  t.equal(decodeErrorCode(() => counted.read(entry(counted, 'big.bin'), { maxBytes: 100 })), 'zip.entry_too_large');
  t.equal(log.bytes, 0, 'no bytes read');

  const small = open(bytes, { maxEntryBytes: 1000 }).zip;
  t.equal(decodeErrorCode(() => small.read(entry(small, 'stored.bin'), { maxBytes: 1e9 })), 'zip.entry_too_large', 'maxBytes never raises the entry limit');
  t.throws(() => zip.read(stored, { maxBytes: -1 }), TypeError);
  t.throws(() => zip.read(stored, { maxBytes: NaN }), TypeError);
});

t.test('EOCD behind a 65535-byte comment holding a fake signature', async (t) => {
  const bytes = fixture('max-comment.zip');
  const { zip, warnings } = open(bytes);
  t.equal(zip.comment.length, 65535);
  t.same(zip.entries.map((e) => e.name), ['inside.txt']);
  t.equal(text(zip.read(zip.entries[0]!)), 'entry behind a 64 KiB comment\n');
  t.same(warnings, []);
  t.equal(decodeErrorCode(() => open(bytes, { maxCommentScan: 1000 })), 'zip.no_eocd');
});

t.test('archive-level failures are DecodeErrors from open', async (t) => {
  t.equal(decodeErrorCode(() => open(fixture('truncated.zip'))), 'zip.no_eocd');
  t.equal(decodeErrorCode(() => open(fixture('cd-outside.zip'))), 'zip.bad_central_directory');
  t.equal(decodeErrorCode(() => open(new Uint8Array(10))), 'zip.no_eocd');
  t.equal(decodeErrorCode(() => open(new Uint8Array(0))), 'zip.no_eocd');

  const normal = fixture('normal.zip');
  const eocd = eocdAt(normal);
  const overCount = normal.slice();
  new DataView(overCount.buffer).setUint16(eocd + 10, 0xfff0, true);
  t.equal(decodeErrorCode(() => open(overCount)), 'zip.bad_count');
  const badFirst = normal.slice();
  const cdAt = new DataView(normal.buffer, normal.byteOffset).getUint32(eocd + 16, true);
  badFirst[cdAt] = 0;
  t.equal(decodeErrorCode(() => open(badFirst)), 'zip.bad_central_directory');

  // An empty archive is just empty.
  const empty = new Uint8Array(22);
  empty.set([0x50, 0x4b, 0x05, 0x06]);
  t.same(open(empty).zip.entries, []);
});

t.test('entry-level failures leave the rest readable', async (t) => {
  const normal = fixture('normal.zip');
  const { zip } = open(normal);
  const moved = { ...entry(zip, 'hello.txt') };
  t.equal(decodeErrorCode(() => zip.read(moved)), 'zip.unknown_entry', 'entries of other archives are refused');

  const badLocal = normal.slice();
  badLocal[0] = 0; // first local header signature
  const broken = open(badLocal).zip;
  t.equal(decodeErrorCode(() => broken.read(entry(broken, 'hello.txt'))), 'zip.bad_local_header');
  t.equal(broken.read(entry(broken, 'res/values.xml')).length, 1120);

  const badDeflate = normal.slice();
  const config = entry(zip, 'data/config.json');
  badDeflate[config.localHeaderOffset + 30 + 'data/config.json'.length] = 0xff; // block type 3 is invalid
  const z2 = open(badDeflate).zip;
  t.equal(decodeErrorCode(() => z2.read(entry(z2, 'data/config.json'))), 'zip.bad_deflate');
});

t.test('entries sharing data (overlap bomb) are warned about once', async (t) => {
  const normal = fixture('normal.zip');
  const { zip } = open(normal);
  const shared = normal.slice();
  const view = new DataView(shared.buffer);
  let p = zip.centralDirectoryOffset;
  for (const e of zip.entries) {
    view.setUint32(p + 42, entry(zip, 'data/config.json').localHeaderOffset, true);
    p += 46 + Buffer.byteLength(e.name);
  }
  const w = open(shared);
  t.same(codes(w.warnings), ['zip.overlapping_entries']);
  t.match(w.warnings[0]!.message, /^3 entries/);
  t.equal(w.zip.read(entry(w.zip, 'hello.txt')).length, 21, 'central sizes rule, whatever the bytes');
  t.equal(entry(w.zip, 'hello.txt').localName, 'data/config.json');
  t.ok(text(w.zip.read(entry(w.zip, 'res/values.xml'))).startsWith('{"api_key"'), 'deflated bytes of the shared entry');
});

t.test('truncated deflate stream: what inflates is kept, with a warning', async (t) => {
  const normal = fixture('normal.zip');
  const { zip } = open(normal);
  const values = entry(zip, 'res/values.xml');
  const cut = normal.slice();
  // Claim a shorter compressed size in the central directory so zlib runs out of input.
  const cdAt = zip.centralDirectoryOffset;
  const view = new DataView(cut.buffer);
  let p = cdAt;
  for (let i = 0; i < values.index; i++) p += 46 + view.getUint16(p + 28, true) + view.getUint16(p + 30, true) + view.getUint16(p + 32, true);
  view.setUint32(p + 20, Math.floor(values.compressedSize / 2), true);
  const w = open(cut);
  const out = w.zip.read(entry(w.zip, 'res/values.xml'));
  t.ok(out.length > 0 && out.length < 1120);
  t.ok(text(out).startsWith('<resources>'));
  t.ok(text(zip.read(values)).startsWith(text(out)), 'a prefix of the real content');
  t.same(codes(w.warnings), ['zip.truncated_deflate', 'zip.crc_mismatch', 'zip.size_mismatch']);
});

t.test('APK signers: v3, v2 and v1 of an apksigner-signed APK', async (t) => {
  const { zip } = open(fixture('signed-v1v2v3.apk'));
  const warnings: DecodeWarning[] = [];
  const signers = apkSigners(zip, (w) => warnings.push(w));
  t.same(
    signers.map((s) => [s.scheme, s.certSha256, s.certificates, s.subject]),
    ['v3', 'v2', 'v1'].map((scheme) => [scheme, RSA_FIXTURE_CERT, 1, 'CN=leakdex RSA fixture, O=leakdex, C=ZZ']),
  );
  t.same(warnings, []);
});

t.test('APK signers: v1-only with an EC key', async (t) => {
  const { zip } = open(fixture('signed-v1-ec.apk'));
  t.ok(zip.entries.some((e) => e.name.endsWith('.EC')));
  t.same(apkSigners(zip), [{ scheme: 'v1', certSha256: EC_FIXTURE_CERT, certificates: 1, subject: 'CN=leakdex EC fixture, O=leakdex, C=ZZ' }]);
  t.same(apkSigners(open(fixture('normal.zip')).zip), [], 'unsigned archive');
});

t.test('APK signers: damaged blocks are warnings, other schemes still count', async (t) => {
  const bytes = fixture('signed-v1v2v3.apk');
  const { zip } = open(bytes);
  const cd = zip.centralDirectoryOffset;
  t.equal(Buffer.from(bytes.subarray(cd - 16, cd)).toString('latin1'), 'APK Sig Block 42');

  const badSize = bytes.slice();
  badSize[cd - 24 + 6] = 0x7f; // footer size field now far larger than the file
  const w1: DecodeWarning[] = [];
  t.same(apkSigners(open(badSize).zip, (w) => w1.push(w)).map((s) => s.scheme), ['v1']);
  t.same(codes(w1), ['apksig.bad_signing_block']);

  // A v2 certificate length that overruns its sequence: the v2 block is dropped, v3 and v1 remain.
  const blockSize = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(cd - 24, true));
  const blockStart = cd - blockSize - 8;
  const buf = Buffer.from(bytes);
  const v2Id = Buffer.from([0x1a, 0x87, 0x09, 0x71]);
  const v2At = buf.indexOf(v2Id, blockStart);
  t.ok(v2At > blockStart);
  const damaged = bytes.slice();
  // value: signers len, signer len, signed data len, digests len -> overwrite the signed-data length.
  new DataView(damaged.buffer).setUint32(v2At + 4 + 8, 0x7ffffff0, true);
  const w2: DecodeWarning[] = [];
  t.same(apkSigners(open(damaged).zip, (w) => w2.push(w)).map((s) => s.scheme), ['v3', 'v1']);
  t.same(codes(w2), ['apksig.bad_v2_block']);
});

t.test('APK signers: a v1 signature block without its .SF is ignored', async (t) => {
  const apk = open(fixture('signed-v1-ec.apk')).zip;
  const ec = apk.read(entry(apk, 'META-INF/FX.EC'));
  const sf = apk.read(entry(apk, 'META-INF/FX.SF'));
  const build = async (withSf: boolean) => {
    const j = new JSZip();
    j.file('AndroidManifest.xml', 'x');
    if (withSf) j.file('META-INF/CERT.SF', sf);
    j.file('META-INF/CERT.EC', ec);
    return new Uint8Array(await j.generateAsync({ type: 'uint8array', compression: 'DEFLATE' }));
  };
  const warnings: DecodeWarning[] = [];
  t.same(apkSigners(open(await build(false)).zip, (w) => warnings.push(w)), []);
  t.same(codes(warnings), ['apksig.partial_v1']);
  t.same(apkSigners(open(await build(true)).zip).map((s) => s.certSha256), [EC_FIXTURE_CERT]);

  const garbage = new JSZip();
  garbage.file('META-INF/CERT.SF', 'x');
  garbage.file('META-INF/CERT.RSA', new Uint8Array([0x30, 0x82, 0xff, 0xff, 0x06]));
  const w3: DecodeWarning[] = [];
  t.same(apkSigners(open(new Uint8Array(await garbage.generateAsync({ type: 'uint8array' }))).zip, (w) => w3.push(w)), []);
  t.same(codes(w3), ['apksig.bad_v1_signature']);
});

t.test('APK signers: a v1 signature block that inflates past its declared size is refused while inflating', async (t) => {
  const j = new JSZip();
  j.file('AndroidManifest.xml', 'x');
  j.file('META-INF/CERT.SF', 'Signature-Version: 1.0\n');
  j.file('META-INF/CERT.RSA', lowEntropy(MAX_V1_SIGNATURE_BYTES + 4096), { compression: 'DEFLATE' });
  const bytes = new Uint8Array(await j.generateAsync({ type: 'uint8array' }));
  setCentralSizes(bytes, 'META-INF/CERT.RSA', { uncompressed: 1000 });
  const { zip } = open(bytes);
  t.ok(entry(zip, 'META-INF/CERT.RSA').compressedSize < MAX_V1_SIGNATURE_BYTES, 'both declared sizes pass the size check');
  const warnings: DecodeWarning[] = [];
  t.same(apkSigners(zip, (w) => warnings.push(w)), []);
  t.same(codes(warnings), ['apksig.bad_v1_signature']);
  t.match(warnings[0]!.message, /inflates to more than the 1048576-byte limit of this read/);
  t.equal(zip.bytesInflated, 0, 'nothing past the cap was inflated and kept');
});

t.test('APK signers: v1 takes the certificate the SignerInfo names among the first 64, and counts them all', async (t) => {
  const tlv = (tag: number, ...content: Uint8Array[]): Uint8Array => {
    const body = Buffer.concat(content);
    const len = body.length < 128 ? [body.length] : [0x82, body.length >> 8, body.length & 0xff];
    return Buffer.concat([Buffer.from([tag, ...len]), body]);
  };
  const int = (n: number) => tlv(0x02, Uint8Array.of(n));
  const cn = (s: string) => tlv(0x30, tlv(0x31, tlv(0x30, tlv(0x06, Uint8Array.of(0x55, 0x04, 0x03)), tlv(0x0c, Buffer.from(s)))));
  const cert = (serial: number, subject: string) => tlv(0x30, tlv(0x30, tlv(0xa0, int(2)), int(serial), tlv(0x30), cn('issuer'), tlv(0x30), cn(subject)), tlv(0x30), tlv(0x03, Uint8Array.of(0)));
  const signerInfo = tlv(0x30, int(1), tlv(0x30, cn('issuer'), int(2)));
  const oid = Uint8Array.of(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02);
  const pkcs7 = (certs: Uint8Array[], withSignerInfo: boolean) =>
    tlv(0x30, oid, tlv(0xa0, tlv(0x30, int(1), tlv(0x31), tlv(0x30), tlv(0xa0, ...certs, tlv(0xa1)), ...(withSignerInfo ? [tlv(0x31, signerInfo)] : []))));
  const three = [cert(1, 'first'), cert(2, 'named'), cert(3, 'third')];
  // Only the first 64 certificates are compared with the SignerInfo (empty ones fail to parse, at a cost each).
  const late = [cert(1, 'first'), ...Array.from({ length: 64 }, () => tlv(0x30)), cert(2, 'named')];
  const cases = [
    [three, true, 1, 'CN=named'],
    [three, false, 0, 'CN=first'],
    [late, true, 0, 'CN=first'],
  ] as const;
  for (const [certs, withSignerInfo, pick, subject] of cases) {
    const j = new JSZip();
    j.file('META-INF/CERT.SF', 'x');
    j.file('META-INF/CERT.RSA', pkcs7([...certs], withSignerInfo));
    const { zip } = open(new Uint8Array(await j.generateAsync({ type: 'uint8array' })));
    t.same(apkSigners(zip), [{ scheme: 'v1', certSha256: createHash('sha256').update(certs[pick]!).digest('hex'), certificates: certs.length, subject }]);
  }
});

t.test('DER walker: definite, indefinite, high tags, limits', async (t) => {
  // SEQUENCE { INTEGER 5, OID 1.2.840.113549.1.7.2 }
  const seq = new Uint8Array([0x30, 0x0e, 0x02, 0x01, 0x05, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]);
  const top = readTlv(seq, 0);
  t.same([top.tag, top.contentStart, top.end], [0x30, 2, 16]);
  const kids = [...children(seq, top)];
  t.same(kids.map((k) => k.tag), [0x02, 0x06]);
  t.equal(oidString(seq, kids[1]!), '1.2.840.113549.1.7.2');
  // BER indefinite length: SEQUENCE(indef) { INTEGER 5 } EOC
  const indef = new Uint8Array([0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00]);
  t.same([readTlv(indef, 0).contentEnd, readTlv(indef, 0).end], [5, 7]);
  // high tag number [31] primitive, long-form length
  const high = new Uint8Array([0x9f, 0x1f, 0x81, 0x01, 0x41]);
  t.same([readTlv(high, 0).number, readTlv(high, 0).end], [31, 5]);
  const code = (b: number[]) => decodeErrorCode(() => readTlv(new Uint8Array(b), 0));
  t.equal(code([0x30, 0x05, 0x02]), 'der.truncated');
  t.equal(code([0x30, 0x85, 1, 0, 0, 0, 0]), 'der.bad_length');
  t.equal(code([0x02, 0x80, 0x00, 0x00]), 'der.bad_length');
  t.equal(code([0x30, 0x80, 0x02, 0x01]), 'der.truncated');
  t.equal(code(Array.from({ length: 100 }, () => [0x30, 0x80]).flat()), 'der.too_deep');
});

/** Opens, reads every entry and takes the signers; anything but a DecodeError is a bug. */
function exercise(bytes: Uint8Array): string {
  try {
    const zip = ZipArchive.open(bufferSource(bytes), { limits: { maxTotalBytes: 1 << 24 } });
    const parts: string[] = [];
    for (const e of zip.entries) {
      try {
        parts.push(createHash('sha1').update(zip.read(e)).digest('hex').slice(0, 8));
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
        parts.push(err.code);
      }
    }
    apkSigners(zip);
    return parts.join(',');
  } catch (err) {
    if (err instanceof DecodeError) return err.code;
    throw err;
  }
}

t.test('sweep: every truncation and many byte flips end in a result or a DecodeError', async (t) => {
  const names = ['normal.zip', 'zip64.zip', 'data-descriptor.zip', 'unknown-method.zip', 'signed-v1-ec.apk', 'signed-v1v2v3.apk'];
  for (const name of names) {
    const bytes = fixture(name);
    let failures = 0;
    let runs = 0;
    const attempt = (b: Uint8Array, what: string) => {
      runs++;
      try {
        exercise(b);
      } catch (err) {
        if (failures++ < 3) t.fail(`${name} ${what}: ${(err as Error).stack}`);
      }
    };
    for (let len = 0; len < bytes.length; len++) attempt(bytes.subarray(0, len), `truncated to ${len}`);
    const step = bytes.length > 4000 ? 3 : 1;
    for (let at = 0; at < bytes.length; at += step) {
      for (const v of [0x00, 0xff, bytes[at]! ^ 0x80]) {
        const b = bytes.slice();
        b[at] = v;
        attempt(b, `byte ${at} = ${v}`);
      }
    }
    t.equal(failures, 0, `${name}: ${runs} mutated archives`);
  }
  t.equal(exercise(fixture('normal.zip')).split(',').length, 4, 'the unmutated archive reads fully');
});
