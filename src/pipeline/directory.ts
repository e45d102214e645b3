import { closeSync, constants, fstatSync, lstatSync, opendirSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createHash, type Hash } from 'node:crypto';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { DecodeError, type DecodeWarning } from '../../decoders/types.js';
import type { EntrySource, SourceEntry } from './entries.js';

// A directory on disk as an entry source: an unzipped .app bundle, IPA or APK tree, scanned in place. Files are
// listed once (sorted, depth first), read lazily, and bounded like a zip's entries: entry count, entry size, total
// bytes. Symbolic links are never followed: one pointing outside the directory (or nowhere) is a warning, one
// pointing inside it is left out silently, since what it names is listed where it really is.

/** Deepest directory nesting listed; deeper directories are left out with a warning. */
export const MAX_DIRECTORY_DEPTH = 32;
/** Largest piece read at once while hashing a directory. */
const HASH_CHUNK_BYTES = 1 << 20;
/** Open flags for reading an entry: a file swapped for a link after listing is refused, a FIFO never blocks. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** The limits a directory is read under, as for a zip: entries listed, bytes of one entry, bytes of all entries. */
export interface DirectoryLimits {
  maxEntries: number;
  maxEntryBytes: number;
  maxTotalBytes: number;
}

/** 100k entries, 512 MiB per entry, 2 GiB in all (the zip reader's defaults). */
export const DEFAULT_DIRECTORY_LIMITS: DirectoryLimits = { maxEntries: 100_000, maxEntryBytes: 512 * 1024 ** 2, maxTotalBytes: 2 * 1024 ** 3 };

/** Receives what the listing skipped: the entry name it concerns and why. */
export type DirectoryWarn = (entry: string, w: DecodeWarning) => void;

/** True when `dir` is an app bundle directory (`X.app/` holding an Info.plist). */
export function isAppDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory() && statSync(join(dir, 'Info.plist')).isFile();
  } catch {
    return false;
  }
}

/**
 * What a directory's entry names start with: the bundle's own name (`X.app/`) for an app bundle directory, so its
 * entries read as in a zipped bundle (`X.app/Info.plist`); nothing for any other directory, so an unzipped archive's
 * entries read as in the archive (`AndroidManifest.xml`, `Payload/X.app/X`).
 */
export function directoryPrefix(root: string): string {
  return isAppDirectory(root) ? `${basename(resolve(root)) || 'App.app'}/` : '';
}

function fsMessage(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ?? (e instanceof Error ? e.message : String(e));
}

/** A directory read as a set of entries (see the top of this file). */
export class DirectorySource implements EntrySource {
  readonly kind = 'directory';
  private inflated = 0;

  private constructor(
    /** The directory as given. */
    readonly root: string,
    readonly entries: readonly SourceEntry[],
    private readonly paths: readonly string[],
    private readonly limits: DirectoryLimits,
  ) {}

  /**
   * Lists `root`. Throws DecodeError('dir.*') when it cannot be read at all or holds more than `maxEntries` entries
   * (files and directories, counted as they are listed, so a huge tree is never listed whole).
   */
  static open(root: string, opts: { limits?: Partial<DirectoryLimits>; warn?: DirectoryWarn } = {}): DirectorySource {
    const limits: DirectoryLimits = { ...DEFAULT_DIRECTORY_LIMITS };
    for (const k of Object.keys(limits) as (keyof DirectoryLimits)[]) {
      const v = opts.limits?.[k];
      if (v !== undefined) limits[k] = Math.max(0, v);
    }
    const warn: DirectoryWarn = opts.warn ?? (() => {});
    let realRoot: string;
    try {
      realRoot = realpathSync(root);
      if (!statSync(realRoot).isDirectory()) throw new Error('not a directory');
    } catch (e) {
      throw new DecodeError('dir.unreadable', `${root} cannot be read as a directory: ${fsMessage(e)}`);
    }
    const prefix = directoryPrefix(root);
    const entries: SourceEntry[] = [];
    const paths: string[] = [];
    let listed = 0;
    const names = (abs: string): string[] => {
      const dir = opendirSync(abs);
      const out: string[] = [];
      try {
        for (let d = dir.readSync(); d !== null; d = dir.readSync()) {
          if (++listed > limits.maxEntries) throw new DecodeError('dir.too_many_entries', `more than ${limits.maxEntries} entries (files and directories) in ${root}`);
          out.push(d.name);
        }
      } finally {
        dir.closeSync();
      }
      return out.sort();
    };
    const walk = (abs: string, rel: string, depth: number) => {
      let list: string[];
      try {
        list = names(abs);
      } catch (e) {
        if (e instanceof DecodeError) throw e;
        if (rel === '') throw new DecodeError('dir.unreadable', `${root} cannot be listed: ${fsMessage(e)}`);
        warn(prefix + rel, { code: 'dir.unreadable', message: `directory cannot be listed (${fsMessage(e)}): skipped` });
        return;
      }
      for (const name of list) {
        const a = join(abs, name);
        const r = rel === '' ? name : `${rel}/${name}`;
        let st;
        try {
          st = lstatSync(a);
        } catch (e) {
          warn(prefix + r, { code: 'dir.unreadable', message: `cannot be read (${fsMessage(e)}): skipped` });
          continue;
        }
        if (st.isDirectory()) {
          if (depth + 1 > MAX_DIRECTORY_DEPTH) warn(prefix + r, { code: 'dir.too_deep', message: `directory nested deeper than ${MAX_DIRECTORY_DEPTH} levels: not listed` });
          else walk(a, r, depth + 1);
        } else if (st.isFile()) {
          entries.push({ name: prefix + r, size: st.size, index: entries.length, isDirectory: false });
          paths.push(a);
        } else if (st.isSymbolicLink()) {
          if (!pointsInside(realRoot, a)) warn(prefix + r, { code: 'dir.symlink_outside', message: 'symbolic link to a path outside the directory (or to nothing): not followed' });
        } else {
          warn(prefix + r, { code: 'dir.not_a_file', message: 'neither a file nor a directory (a socket, FIFO or device): skipped' });
        }
      }
    };
    walk(realRoot, '', 0);
    return new DirectorySource(root, entries, paths, limits);
  }

  read(entry: SourceEntry, opts: { maxBytes?: number } = {}): Uint8Array {
    const path = this.paths[entry.index];
    if (path === undefined || this.entries[entry.index] !== entry) throw new DecodeError('dir.unknown_entry', `entry ${entry.index} does not belong to this directory`);
    const { maxEntryBytes, maxTotalBytes } = this.limits;
    const cap = opts.maxBytes !== undefined && opts.maxBytes < maxEntryBytes ? opts.maxBytes : maxEntryBytes;
    let fd: number;
    try {
      fd = openSync(path, OPEN_FLAGS);
    } catch (e) {
      throw new DecodeError('dir.unreadable', `${entry.name} cannot be opened: ${fsMessage(e)}`);
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new DecodeError('dir.not_a_file', `${entry.name} is no longer a regular file`);
      if (st.size > cap) throw new DecodeError('dir.entry_too_large', `${entry.name}: ${st.size} bytes exceed the ${cap}-byte ${cap < maxEntryBytes ? 'limit of this read' : 'entry limit'}`);
      if (st.size > maxTotalBytes - this.inflated) throw new DecodeError('dir.total_too_large', `${entry.name}: ${st.size} more bytes would exceed the ${maxTotalBytes}-byte limit for the directory`);
      const out = Buffer.allocUnsafe(st.size);
      let done = 0;
      while (done < out.length) {
        const n = readSync(fd, out, done, out.length - done, done);
        if (n === 0) break;
        done += n;
      }
      this.inflated += done;
      return done === out.length ? out : out.subarray(0, done);
    } catch (e) {
      throw e instanceof DecodeError ? e : new DecodeError('dir.unreadable', `${entry.name} cannot be read: ${fsMessage(e)}`);
    } finally {
      closeSync(fd);
    }
  }

  stream(entry: SourceEntry, sink: (window: Uint8Array, offset: number) => void, opts: { windowBytes: number }): number {
    const path = this.paths[entry.index];
    if (path === undefined || this.entries[entry.index] !== entry) throw new DecodeError('dir.unknown_entry', `entry ${entry.index} does not belong to this directory`);
    const { maxEntryBytes, maxTotalBytes } = this.limits;
    let fd: number;
    try {
      fd = openSync(path, OPEN_FLAGS);
    } catch (e) {
      throw new DecodeError('dir.unreadable', `${entry.name} cannot be opened: ${fsMessage(e)}`);
    }
    let given = 0;
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new DecodeError('dir.not_a_file', `${entry.name} is no longer a regular file`);
      const want = Math.min(st.size, maxEntryBytes, Math.max(0, maxTotalBytes - this.inflated));
      const window = Buffer.allocUnsafe(Math.max(1, Math.min(Math.floor(opts.windowBytes), want)));
      while (given < want) {
        const n = readSync(fd, window, 0, Math.min(window.length, want - given), given);
        if (n === 0) break;
        this.inflated += n;
        sink(window.subarray(0, n), given);
        given += n;
      }
      if (st.size > maxEntryBytes) throw new DecodeError('dir.entry_too_large', `${entry.name}: ${st.size} bytes exceed the ${maxEntryBytes}-byte entry limit; the first ${given} bytes were read`);
      if (given < st.size) throw new DecodeError('dir.total_too_large', `${entry.name}: the ${maxTotalBytes}-byte limit for the directory was reached; the first ${given} bytes were read`);
      return given;
    } catch (e) {
      throw e instanceof DecodeError ? e : new DecodeError('dir.unreadable', `${entry.name} cannot be read: ${fsMessage(e)}`);
    } finally {
      closeSync(fd);
    }
  }

  /** Bytes read from the directory's files so far. */
  get bytesInflated(): number {
    return this.inflated;
  }

  /** Bytes read from the directory's files so far (nothing is compressed). */
  get bytesRead(): number {
    return this.inflated;
  }

  /** Sum of the listed files' sizes. */
  get size(): number {
    return this.entries.reduce((n, e) => n + e.size, 0);
  }

  /**
   * SHA-256 of the directory as listed: for each file in listing order, its entry name, its listed size and its
   * bytes. The same files under the same names digest the same wherever the directory is.
   */
  async sha256(): Promise<string> {
    const h = createHash('sha256');
    const chunk = Buffer.allocUnsafe(HASH_CHUNK_BYTES);
    for (const e of this.entries) {
      digestHeader(h, e);
      let fh;
      try {
        fh = await open(this.paths[e.index]!, OPEN_FLAGS);
      } catch {
        h.update('\0unreadable');
        continue;
      }
      try {
        for (;;) {
          const { bytesRead } = await fh.read(chunk, 0, chunk.length, null);
          if (bytesRead === 0) break;
          h.update(chunk.subarray(0, bytesRead));
        }
      } catch {
        h.update('\0unreadable');
      } finally {
        await fh.close();
      }
    }
    return h.digest('hex');
  }

  /** sha256() read synchronously, for synchronous scans. */
  sha256Sync(): string {
    const h = createHash('sha256');
    const chunk = Buffer.allocUnsafe(HASH_CHUNK_BYTES);
    for (const e of this.entries) {
      digestHeader(h, e);
      let fd: number;
      try {
        fd = openSync(this.paths[e.index]!, OPEN_FLAGS);
      } catch {
        h.update('\0unreadable');
        continue;
      }
      try {
        for (let at = 0; ; ) {
          const n = readSync(fd, chunk, 0, chunk.length, at);
          if (n === 0) break;
          h.update(chunk.subarray(0, n));
          at += n;
        }
      } catch {
        h.update('\0unreadable');
      } finally {
        closeSync(fd);
      }
    }
    return h.digest('hex');
  }
}

function digestHeader(h: Hash, e: SourceEntry): void {
  h.update(`\0${e.name}\0${e.size}\0`);
}

/** True when the link at `path` resolves to a path inside `realRoot` (the directory itself included). */
function pointsInside(realRoot: string, path: string): boolean {
  let target: string;
  try {
    target = realpathSync(path);
  } catch {
    return false;
  }
  const rel = relative(realRoot, target);
  return rel === '' || (!isAbsolute(rel) && rel.split(sep)[0] !== '..');
}
