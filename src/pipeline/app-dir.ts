import { closeSync, lstatSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
/** Most files packed from a `.app` directory given on the command line. */
export const MAX_APP_DIR_FILES = 65_000;
/** Deepest directory nesting followed inside a `.app` directory. */
export const MAX_APP_DIR_DEPTH = 32;
/** Largest `.app` directory packed (the temporary archive is a 32-bit zip). */
export const MAX_APP_DIR_BYTES = 4 * 1024 ** 3 - 64 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------------
// A `.app` directory given on the command line: packed into a temporary stored zip, scanned like a zipped .app.

/** True when `dir` is an app bundle directory (`X.app/` holding an Info.plist). */
export function isAppDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory() && statSync(join(dir, 'Info.plist')).isFile();
  } catch {
    return false;
  }
}

function listFiles(root: string): { rel: string; abs: string; size: number }[] {
  const out: { rel: string; abs: string; size: number }[] = [];
  const walk = (abs: string, rel: string, depth: number) => {
    if (depth > MAX_APP_DIR_DEPTH) throw new Error(`${root}: directories nested deeper than ${MAX_APP_DIR_DEPTH}`);
    for (const name of readdirSync(abs).sort()) {
      const a = join(abs, name);
      const r = rel === '' ? name : `${rel}/${name}`;
      // Symbolic links are not followed: they could point outside the bundle.
      const st = lstatSync(a);
      if (st.isDirectory()) walk(a, r, depth + 1);
      else if (st.isFile()) {
        out.push({ rel: r, abs: a, size: st.size });
        if (out.length > MAX_APP_DIR_FILES) throw new Error(`${root}: more than ${MAX_APP_DIR_FILES} files`);
      }
    }
  };
  walk(root, '', 0);
  return out;
}

/**
 * Packs a `.app` directory into a temporary stored (uncompressed) zip whose entries read `X.app/...`, so the scan
 * pipeline (workers, shards, limits) treats it exactly like a zipped simulator build. Call `cleanup` when done.
 */
export function packAppDirectory(dir: string): { path: string; cleanup: () => void } {
  const bundle = basename(dir.replace(/\/+$/, '')) || 'App.app';
  const files = listFiles(dir);
  const total = files.reduce((n, f) => n + f.size + 128 + 2 * Buffer.byteLength(f.rel), 0);
  if (total > MAX_APP_DIR_BYTES) throw new Error(`${dir}: ${total} bytes is over the ${MAX_APP_DIR_BYTES}-byte limit for a directory`);
  const tmp = mkdtempSync(join(tmpdir(), 'leakdex-app-'));
  const path = join(tmp, `${bundle}.zip`);
  const cleanup = () => rmSync(tmp, { recursive: true, force: true });
  const fd = openSync(path, 'w');
  try {
    let offset = 0;
    const central: Buffer[] = [];
    for (const f of files) {
      const name = Buffer.from(`${bundle}/${f.rel}`, 'utf8');
      const data = readWhole(f.abs, f.size);
      const crc = crc32(data);
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4);
      local.writeUInt16LE(0x0800, 6);
      local.writeUInt32LE(crc >>> 0, 14);
      local.writeUInt32LE(data.length, 18);
      local.writeUInt32LE(data.length, 22);
      local.writeUInt16LE(name.length, 26);
      const cd = Buffer.alloc(46);
      cd.writeUInt32LE(0x02014b50, 0);
      cd.writeUInt16LE(20, 4);
      cd.writeUInt16LE(20, 6);
      cd.writeUInt16LE(0x0800, 8);
      cd.writeUInt32LE(crc >>> 0, 16);
      cd.writeUInt32LE(data.length, 20);
      cd.writeUInt32LE(data.length, 24);
      cd.writeUInt16LE(name.length, 28);
      cd.writeUInt32LE(offset, 42);
      central.push(cd, name);
      writeSync(fd, local);
      writeSync(fd, name);
      writeSync(fd, data);
      offset += 30 + name.length + data.length;
    }
    const cdBytes = Buffer.concat(central);
    writeSync(fd, cdBytes);
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0);
    eocd.writeUInt16LE(Math.min(files.length, 0xffff), 8);
    eocd.writeUInt16LE(Math.min(files.length, 0xffff), 10);
    eocd.writeUInt32LE(cdBytes.length, 12);
    eocd.writeUInt32LE(offset, 16);
    writeSync(fd, eocd);
  } catch (e) {
    closeSync(fd);
    cleanup();
    throw e;
  }
  closeSync(fd);
  return { path, cleanup };
}

function readWhole(path: string, size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  const fd = openSync(path, 'r');
  try {
    let done = 0;
    while (done < size) {
      const n = readSync(fd, out, done, size - done, done);
      if (n === 0) break;
      done += n;
    }
    return done === size ? out : out.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

/** Runs `scan` on `file`, or, when `file` is a `.app` directory, on a temporary archive of it (removed afterwards). */
export async function withAppDirectory<T>(file: string, scan: (path: string) => Promise<T>): Promise<T> {
  if (!isAppDirectory(file)) return scan(file);
  const packed = packAppDirectory(file);
  try {
    return await scan(packed.path);
  } finally {
    packed.cleanup();
  }
}
