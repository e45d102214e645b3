/**
 * Paths, fixtures and scratch directories shared by the test suites. Tap runs them from the repository root, on the
 * compiled tests under dist/test/.
 */
import t from 'tap';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';
import { ZipArchive, bufferSource } from '../../decoders/zip.js';

/** The repository root. */
export const ROOT = process.cwd();
/** The CLI built beside these compiled tests (dist/src/cli/main.js). */
export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
/** The main leaky Android sample (version 1.2.0, code 12). */
export const LEAKY_APK = join(ROOT, 'samples/android/leaky-multidex.apk');
/** The next version of the leaky sample (1.3.0, code 13): the same leaks and a few new ones. */
export const LEAKY_V2_APK = join(ROOT, 'samples/android/leaky-v2.apk');
/** An Android sample with no finding at all. */
export const CLEAN_APK = join(ROOT, 'samples/android/clean-app.apk');

/** The bytes of test/fixtures/`dir`/`name`. */
export function readFixture(dir: string, name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(ROOT, 'test/fixtures', dir, name)));
}

/** The `*.expected.json` files of a sample directory, in name order, with the name they share with their sample. */
export function sampleExpectations<T>(dir: string): { base: string; expected: T }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.expected.json'))
    .sort()
    .map((f) => ({ base: f.replace(/\.expected\.json$/, ''), expected: JSON.parse(readFileSync(join(dir, f), 'utf8')) as T }));
}

/** A new directory under the system temporary directory, removed when the test file ends. */
export function tempDir(prefix = 'leakdex-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Every file entry of a ZIP archive (an APK, an IPA), by name. */
export function zipEntries(file: string): Map<string, Uint8Array> {
  const zip = ZipArchive.open(bufferSource(readFileSync(file)));
  const out = new Map<string, Uint8Array>();
  for (const e of zip.entries) if (!e.isDirectory) out.set(e.name, Uint8Array.from(zip.read(e)));
  return out;
}

/**
 * A binary plist shaped as a DAG: a dict `{AWS_SECRET_ACCESS_KEY: <fake 40-character value>}`, then `depth` arrays
 * that each hold `width` references to the one before: `width ** depth` copies of the dict when expanded.
 */
export function dagBplist(width: number, depth: number): Uint8Array {
  const ascii = (s: string) => (s.length < 15 ? [0x50 | s.length, ...Buffer.from(s)] : [0x5f, 0x10, s.length, ...Buffer.from(s)]);
  const objects: number[][] = [[0xd1, 1, 2], ascii('AWS_SECRET_ACCESS_KEY'), ascii('wJalrXUtnFEMI/K7MDENG/bPxRfiCYZQ9xW3vT1a')];
  for (let level = 0; level < depth; level++) {
    const count = width < 15 ? [0xa0 | width] : [0xaf, 0x10, width];
    objects.push([...count, ...Array<number>(width).fill(level === 0 ? 0 : objects.length - 1)]);
  }
  const body = [...Buffer.from('bplist00')];
  const offsets = objects.map((o) => {
    const at = body.length;
    body.push(...o);
    return at;
  });
  const table = body.length;
  for (const off of offsets) body.push(off >> 8, off & 0xff);
  // CFBinaryPList trailer: 6 unused bytes, offset size 2, ref size 1, object count, top object, offset table.
  const trailer = Buffer.alloc(32);
  trailer[6] = 2;
  trailer[7] = 1;
  trailer.writeBigUInt64BE(BigInt(objects.length), 8);
  trailer.writeBigUInt64BE(BigInt(objects.length - 1), 16);
  trailer.writeBigUInt64BE(BigInt(table), 24);
  return Uint8Array.from([...body, ...trailer]);
}

/** An IPA holding `plist` as Payload/Bomb.app/Config.plist beside a plain Info.plist. */
export async function ipaWithPlist(plist: Uint8Array): Promise<Buffer> {
  const zip = new JSZip();
  zip.file('Payload/Bomb.app/Info.plist', '<?xml version="1.0"?><plist version="1.0"><dict><key>CFBundleIdentifier</key><string>com.example.bomb</string></dict></plist>');
  zip.file('Payload/Bomb.app/Config.plist', plist);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

/**
 * An APK-shaped zip that takes the scanner seconds (`lines` .env lines, each with the same fake secret under its own
 * name: about 25-65 us of detection each here) in a small file.
 */
export async function slowApk(lines: number): Promise<Buffer> {
  const zip = new JSZip();
  zip.file('AndroidManifest.xml', 'not binary XML');
  zip.file('assets/.env', Array.from({ length: lines }, (_, i) => `SECRET_${i}=wJalrXUtnFEMI/K7MDENG/bPxRfiCYZQ9xW3vT1a\n`).join(''));
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}
