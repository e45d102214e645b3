/**
 * The directory backend: one file a blob, `<dir>/<key>@blob`, written atomically (a temporary name beside it,
 * fsync, rename, fsync of the directory). The suffix holds a character no key has, so a blob never lands on another
 * file of the directory (the data directory also holds the SQLite file, keys and partial uploads), a key can be both
 * a blob and the start of others (`a` and `a/b`), and a listing sees blobs only.
 */
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { BlobIntegrityError, BlobNotFoundError, ByteCounter, validateKey, validateLimit, validatePrefix, validateSize, type BlobInfo, type BlobStore } from './types.js';

/** Ends every blob's file name; `@` is in no key, so no key's directory or another file ends so. */
export const BLOB_SUFFIX = '@blob';
/** Ends a blob being written (a crash may leave one behind; it is never listed or read). */
const TEMP_SUFFIX = '.tmp';
/** A directory name a key can produce (one path segment). */
const SEGMENT = /^[a-z0-9][a-z0-9_.-]*$/;

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/** Flushes a file, or a directory's entries, to disk. */
async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Blobs as files under one directory. */
export class LocalBlobStore implements BlobStore {
  readonly kind = 'local' as const;
  /** The directory, absolute. */
  readonly dir: string;

  constructor(dir: string) {
    if (typeof dir !== 'string' || dir === '') throw new Error('the local blob store needs a directory');
    this.dir = resolve(dir);
  }

  /** The file of `key` (which need not exist). */
  localPath(key: string): string {
    return join(this.dir, `${validateKey(key)}${BLOB_SUFFIX}`);
  }

  async put(key: string, source: Readable | string, size?: number): Promise<{ size: number }> {
    const path = this.localPath(key);
    const expected = validateSize(size);
    const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
    try {
      await mkdir(dirname(path), { recursive: true });
      let written: number;
      if (typeof source === 'string') {
        // The kernel copies (copy_file_range where it can): no bytes pass through this process.
        await copyFile(source, tmp);
        written = (await stat(tmp)).size;
        if (expected !== undefined && written !== expected) throw new BlobIntegrityError(`${source}: ${written} bytes, ${expected} expected`);
      } else {
        const counter = new ByteCounter(expected, `blob ${key}`);
        await pipeline(source, counter, createWriteStream(tmp, { flags: 'wx' }));
        written = counter.bytes;
      }
      await fsyncPath(tmp);
      await rename(tmp, path);
      await fsyncPath(dirname(path));
      return { size: written };
    } catch (e) {
      if (typeof source !== 'string') source.destroy(); // a source not read to its end is closed
      await rm(tmp, { force: true }).catch(() => {});
      throw e;
    }
  }

  async getToFile(key: string, path: string): Promise<number> {
    const file = this.localPath(key);
    let fh;
    try {
      fh = await open(file, 'r');
    } catch (e) {
      if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') throw new BlobNotFoundError(key);
      throw e;
    }
    // Read through the open handle: a put or delete meanwhile replaces the name, not the bytes read here.
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new BlobNotFoundError(key);
      const counter = new ByteCounter(st.size, `blob ${key}`);
      await pipeline(fh.createReadStream({ autoClose: false }), counter, createWriteStream(path));
      return counter.bytes;
    } finally {
      await fh.close();
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.localPath(key), { force: true });
  }

  async list(prefix: string, limit: number): Promise<BlobInfo[]> {
    validatePrefix(prefix);
    validateLimit(limit);
    const out: BlobInfo[] = [];
    // Start in the deepest directory the prefix names whole ("uploads/ab" starts in uploads/).
    await this.walk(prefix.slice(0, prefix.lastIndexOf('/') + 1), prefix, limit, out);
    return out;
  }

  async close(): Promise<void> {}

  /** Appends the blobs under `rel` (a key's directory part, '' or ending in '/') that start with `prefix`, in key order. */
  private async walk(rel: string, prefix: string, limit: number, out: BlobInfo[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(join(this.dir, rel), { withFileTypes: true });
    } catch (e) {
      if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return;
      throw e;
    }
    // Each entry stands for a range of keys: a directory for `rel + name + '/'...`, a blob file for one key; sorting
    // them by that text gives key order (ASCII only, so code-unit order is byte order).
    const items: { key: string; dir: boolean }[] = [];
    for (const e of entries) {
      if (e.isDirectory() && SEGMENT.test(e.name)) items.push({ key: `${rel}${e.name}/`, dir: true });
      else if (e.isFile() && e.name.endsWith(BLOB_SUFFIX)) items.push({ key: `${rel}${e.name.slice(0, -BLOB_SUFFIX.length)}`, dir: false });
    }
    items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const item of items) {
      if (out.length >= limit) return;
      if (item.dir) {
        if (item.key.startsWith(prefix) || prefix.startsWith(item.key)) await this.walk(item.key, prefix, limit, out);
        continue;
      }
      if (!item.key.startsWith(prefix)) continue;
      try {
        validateKey(item.key);
      } catch {
        continue; // a file no put could have written (a name made by hand)
      }
      try {
        const st = await stat(join(this.dir, `${item.key}${BLOB_SUFFIX}`));
        out.push({ key: item.key, size: st.size, modifiedAt: Math.floor(st.mtimeMs) });
      } catch (e) {
        if (errno(e) !== 'ENOENT') throw e; // deleted since the directory was read
      }
    }
  }
}
