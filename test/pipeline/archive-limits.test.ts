/**
 * Archive bombs from the attack campaign (issue 15, items 1-3), built byte by byte by test/helpers/zip-bombs.ts and
 * scanned by the real pipeline: the overlapping-entry bomb, archives nested deepest-first, the 42.zip shape, one entry
 * of 1 GiB of zeros, and a large entry whose secret straddles two stream windows. Each ends quickly, inside its
 * budgets, with a report that names what was not read and a verdict that does not pass.
 */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateRawSync, constants as zlibConstants } from 'node:zlib';
import { scanBytesSync, scanFileSync } from '../../src/pipeline/index.js';
import { scanFileIsolated } from '../../src/pipeline/run.js';
import { verdictOf } from '../../src/report/verdict.js';
import { DEFAULT_LIMITS } from '../../src/limits.js';
import type { Report } from '../../src/report/types.js';
import { tempDir } from '../helpers/files.js';
import { deflated, fortyTwo, nestedDeepestFirst, overlapBomb, stored, writeZip, type RawEntry } from '../helpers/zip-bombs.js';

const MiB = 1024 * 1024;
const GITHUB_TOKEN = 'ghp_' + 'Zq3xW8vN2mR7tY5uK1pL9sD4fG6hJ0aBcE1x';
const manifest = stored('AndroidManifest.xml', Buffer.from('not a real manifest: the archive is what is tested\n'));

function codes(report: Report, code: string) {
  return report.diagnostics.filter((d) => d.code === code);
}

function file(name: string, bytes: Uint8Array): string {
  const path = join(tempDir('leakdex-bombs-'), name);
  writeFileSync(path, bytes);
  return path;
}

t.test('overlapping-entry bomb: found from the central directory, only the outer entry is read, the scan is not passed', async (t) => {
  // 1,000 entries sharing one 32 MiB kernel: about 32 GB if each were inflated (the scan ran into its 10-minute timeout).
  const bomb = overlapBomb(1000, 32 * MiB);
  t.ok(bomb.length < 200_000, `the bomb is ${bomb.length} bytes`);
  const report = await scanFileIsolated(file('bomb.apk', bomb));
  const found = codes(report, 'zip.overlap_bomb');
  t.equal(found.length, 1, 'one diagnostic names the bomb');
  t.match(found[0]!.message, /^999 of 1000 entries share their compressed data/);
  t.equal(found[0]!.level, 'error');
  t.ok(report.stats.bytesInflated <= 33 * MiB, `${report.stats.bytesInflated} bytes inflated: the first entry only`);
  const v = verdictOf(report);
  t.equal(v.complete, false, 'the scan is incomplete');
  t.not(v.status, 'pass', 'and does not pass');
  t.not(v.exitCode, 0);
  t.ok(v.gaps.some((g) => g.code === 'zip.overlap_bomb'), 'the bomb is a gap');
});

t.test('archives nested deepest-first share one inflation budget: every level charges it, the walk stops when it is spent', async (t) => {
  // Five levels of 48 MiB each under a 64 MiB budget: a budget per archive let each level inflate its own.
  const limits = { maxTotalBytes: 64 * MiB, maxRatio: 1e6 };
  const report = scanBytesSync(nestedDeepestFirst(4, 48 * MiB), 'nested.apk', { limits });
  t.ok(report.stats.bytesInflated <= 64 * MiB, `${report.stats.bytesInflated} bytes inflated, within the 64 MiB budget`);
  const spent = report.diagnostics.filter((d) => d.code === 'zip.archive_budget_exhausted' || d.code === 'scan.budget_exhausted');
  t.ok(spent.length >= 1, 'the spent budget is reported');
  t.match(codes(report, 'zip.archive_budget_exhausted')[0]?.message ?? '', /budget shared with the archives around and inside it/, 'the shared budget is named');
  const stop = codes(report, 'scan.budget_exhausted');
  t.equal(stop.length, 1, 'one diagnostic for the entries left unread');
  t.match(stop[0]!.message, /\d+ entries were not read/);
  t.equal(verdictOf(report).complete, false, 'the scan is incomplete');
});

t.test('the 42.zip shape: nested archives whose entries declare a bomb are not opened; refused inflation spends the budget', async (t) => {
  // 4 levels of 16: 65,536 leaf archives of 4 MiB each (256 GiB in all) under a 64 MiB budget.
  const bomb = fortyTwo(4, 16, 4 * MiB);
  t.ok(bomb.length < 1_000_000, `${bomb.length} bytes`);
  const report = scanBytesSync(bomb, '42.apk', { limits: { maxTotalBytes: 64 * MiB } });
  t.ok(report.stats.bytesInflated <= 64 * MiB, `${report.stats.bytesInflated} bytes inflated`);
  const bombs = codes(report, 'scan.nested_bomb');
  t.ok(bombs.length >= 1, `${bombs.length} nested bombs reported`);
  t.ok(bombs.length <= 21, 'nested bombs past the first 20 are summed up in one diagnostic');
  t.match(bombs[0]!.message, /declares 4194304 bytes of entries \(ratio over 1000\): a zip bomb, not opened/);
  t.equal(codes(report, 'scan.budget_exhausted').length, 1, 'the walk stopped when the budget was spent');
  t.equal(verdictOf(report).complete, false);

  // The same leaf with ratio checks out of the way: each refused leaf is charged what zlib inflated before it stopped.
  const leaves = writeZip(Array.from({ length: 64 }, (_, i) => deflated(`${i}.bin`, Buffer.alloc(4 * MiB))));
  const refused = scanBytesSync(leaves, 'leaves.zip', { limits: { maxTotalBytes: 16 * MiB, maxEntryBytes: 3 * MiB, maxWholeEntryBytes: 3 * MiB } });
  t.equal(codes(refused, 'zip.entry_too_large').length + codes(refused, 'zip.archive_budget_exhausted').length <= 7, true, 'at most 16 MiB / 3 MiB refusals before the budget is spent');
  t.equal(codes(refused, 'scan.budget_exhausted').length, 1);
  t.match(codes(refused, 'scan.budget_exhausted')[0]!.message, /: 5\d entries were not read/);
});

/** A deflate stream of `mib` MiB of zeros built from one flushed 1 MiB block repeated (cheap to build, about 1 KB per MiB). */
function zerosEntry(name: string, mib: number): RawEntry {
  const block = deflateRawSync(Buffer.alloc(MiB), { level: 9, finishFlush: zlibConstants.Z_FULL_FLUSH });
  const end = deflateRawSync(Buffer.alloc(0));
  const zeros = Buffer.alloc(MiB);
  let crc = 0;
  for (let i = 0; i < mib; i++) crc = crc32(zeros, crc);
  return { name, method: 8, data: Buffer.concat([...Array.from({ length: mib }, () => block), end]), size: mib * MiB, crc: crc >>> 0 };
}

t.test('one entry of 1 GiB of zeros is streamed, never held whole: the worker stays under a 400 MiB resident ceiling', async (t) => {
  const apk = writeZip([manifest, zerosEntry('assets/zeros.bin', 1024), stored('assets/config.txt', Buffer.from(`token=${GITHUB_TOKEN}\n`))]);
  t.ok(apk.length < 2 * MiB, `${apk.length} bytes`);
  // Holding the entry (512 MiB at the entry limit, more while zlib joins its pieces) passed this ceiling and the
  // watchdog stopped the worker; streamed, the worker stays near 150 MiB.
  const report = await scanFileIsolated(file('zeros.apk', apk), { limits: { workerRssMb: 400 }, showSecrets: true });
  t.same(codes(report, 'scan.entry_crashed_worker'), [], 'the worker was never stopped');
  const streamed = codes(report, 'scan.entry_streamed');
  t.same(streamed.map((d) => d.entry), ['assets/zeros.bin'], 'the entry was streamed');
  t.match(streamed[0]!.message, new RegExp(`over the ${DEFAULT_LIMITS.maxWholeEntryBytes}-byte limit for holding one entry whole`));
  const cut = codes(report, 'scan.entry_too_large');
  t.same(cut.map((d) => d.entry), ['assets/zeros.bin'], 'and cut at the entry limit');
  t.match(cut[0]!.message, new RegExp(`the first ${DEFAULT_LIMITS.maxEntryBytes} bytes were read`));
  t.ok(report.findings.some((f) => f.secret === GITHUB_TOKEN), 'the entry after it is scanned');
  t.equal(verdictOf(report).complete, false, 'an entry cut at a limit makes the scan incomplete');
});

t.test('a streamed entry: a secret across two windows is found once, at its offset in the whole entry', async (t) => {
  // 20 MiB of bytes above 0x7f (no printable runs; random enough to stay under the ratio limit) with a token
  // straddling the 8 MiB window boundary and one near the end.
  const body = Buffer.alloc(20 * MiB);
  for (let i = 0, x = 12345; i < body.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    body[i] = 0x80 | ((x >>> 24) & 0x7f);
  }
  const at = 8 * MiB - 10;
  body.write(`key=${GITHUB_TOKEN}`, at, 'latin1');
  body.write(GITHUB_TOKEN.replace('Zq3', 'Yq3'), 20 * MiB - 100, 'latin1');
  const zip = writeZip([manifest, deflated('assets/blob.bin', body)]);
  const report = scanFileSync(file('blob.apk', zip), { showSecrets: true, limits: { maxWholeEntryBytes: MiB } });
  t.same(codes(report, 'scan.entry_streamed').map((d) => d.entry), ['assets/blob.bin']);
  const first = report.findings.find((f) => f.secret === GITHUB_TOKEN);
  t.ok(first, 'the token across the window boundary is found');
  t.same(first?.locations.map((l) => `${l.entry} ${l.decoder} ${l.pointer}`), [`assets/blob.bin runs +0x${at.toString(16)}`], 'at its offset in the entry, once');
  t.ok(report.findings.some((f) => f.secret === GITHUB_TOKEN.replace('Zq3', 'Yq3')), 'the token in the last window is found');
  t.equal(verdictOf(report).complete, true, 'a streamed entry read to its end leaves no gap');

  // The same entry held whole (the default limit) gives the same finding at the same place.
  const whole = scanFileSync(file('blob.apk', zip), { showSecrets: true });
  t.same(whole.findings.find((f) => f.secret === GITHUB_TOKEN)?.locations.map((l) => l.pointer), first?.locations.map((l) => l.pointer));
});
