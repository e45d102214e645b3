/**
 * Paths, fixtures and scratch directories shared by the test suites. Tap runs them from the repository root, on the
 * compiled tests under dist/test/.
 */
import t from 'tap';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
