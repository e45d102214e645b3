/**
 * The blob store: where an upload waits for its scan, shared by API nodes and workers that share nothing else but
 * PostgreSQL. Three backends behind one interface: a directory (local.ts), PostgreSQL large objects (postgres.ts)
 * and S3-compatible object storage (s3.ts). Every backend streams: memory stays constant whatever a blob's size.
 */
import { Transform, type Readable } from 'node:stream';

/** Longest key: the key pattern's own bound (a leading character and up to 200 more). */
export const MAX_KEY_LENGTH = 201;
/** Largest `list` limit: a listing is one answer held in memory, and ten S3 pages at most. */
export const MAX_LIST_LIMIT = 10_000;

/** Lower-case ASCII letters and digits, then also `/ _ . -`; checked with the rules of validateKey besides. */
const KEY_PATTERN = /^[a-z0-9][a-z0-9/_.-]{0,200}$/;
/** A list prefix: any start of a key (possibly empty). */
const PREFIX_PATTERN = /^[a-z0-9/_.-]{0,201}$/;

/** A stored blob as `list` reports it. */
export interface BlobInfo {
  key: string;
  /** Bytes. */
  size: number;
  /** When it was last written, ms since the epoch. */
  modifiedAt: number;
}

/** Where uploads wait for their scan. Keys are checked by validateKey: a bad key is a BlobKeyError, never a path. */
export interface BlobStore {
  readonly kind: 'local' | 'postgres' | 's3';
  /**
   * Stores `source` (a stream, or the path of a local file) under `key`, replacing any blob there; streams in
   * constant memory. With `size`, a source of any other length is an error and nothing is stored.
   */
  put(key: string, source: Readable | string, size?: number): Promise<{ size: number }>;
  /** Streams the blob into the local file `path` (created or truncated); resolves to its bytes. BlobNotFoundError when absent. */
  getToFile(key: string, path: string): Promise<number>;
  /** Local backend only: the blob's own file, so the embedded default scans it in place with no copy. */
  localPath?(key: string): string | undefined;
  /** Removes the blob; a missing one is no error. */
  delete(key: string): Promise<void>;
  /** Blobs whose key starts with `prefix`, in key order (bytewise), at most `limit` (1..MAX_LIST_LIMIT). */
  list(prefix: string, limit: number): Promise<BlobInfo[]>;
  /** Releases connections; the store is not used afterwards. */
  close(): Promise<void>;
}

/** No blob is stored under the key. */
export class BlobNotFoundError extends Error {
  override name = 'BlobNotFoundError';
  constructor(readonly key: string) {
    super(`no blob is stored under ${JSON.stringify(key)}`);
  }
}

/** A key or list prefix the store refuses (a caller's mistake, never a path escape). */
export class BlobKeyError extends Error {
  override name = 'BlobKeyError';
}

/** A blob whose bytes disagree with what was declared or recorded: a source of another size, a short or long read. */
export class BlobIntegrityError extends Error {
  override name = 'BlobIntegrityError';
}

/** Returns `key` when it is a valid blob key, else throws BlobKeyError saying why. */
export function validateKey(key: unknown): string {
  if (typeof key !== 'string' || key === '') throw new BlobKeyError('a blob key must be a non-empty string');
  const shown = JSON.stringify(key.slice(0, 40));
  if (!KEY_PATTERN.test(key)) throw new BlobKeyError(`bad blob key ${shown}: lower-case letters, digits and / _ . - only, starting with a letter or digit, at most ${MAX_KEY_LENGTH} characters`);
  if (key.includes('..')) throw new BlobKeyError(`bad blob key ${shown}: ".." is not allowed`);
  if (key.includes('//') || key.endsWith('/')) throw new BlobKeyError(`bad blob key ${shown}: empty path segment`);
  if (key.split('/').some((s) => s === '.')) throw new BlobKeyError(`bad blob key ${shown}: "." segment`);
  return key;
}

/** Returns `prefix` when it can start a key (the empty prefix lists everything), else throws BlobKeyError. */
export function validatePrefix(prefix: unknown): string {
  if (typeof prefix !== 'string') throw new BlobKeyError('a list prefix must be a string');
  if (!PREFIX_PATTERN.test(prefix) || prefix.startsWith('/') || prefix.startsWith('.') || prefix.startsWith('_') || prefix.startsWith('-') || prefix.includes('..') || prefix.includes('//')) {
    throw new BlobKeyError(`bad list prefix ${JSON.stringify(prefix.slice(0, 40))}: it must be the start of a valid key`);
  }
  return prefix;
}

/** Returns `limit` when it is an integer in 1..MAX_LIST_LIMIT, else throws RangeError. */
export function validateLimit(limit: unknown): number {
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new RangeError(`a list limit must be an integer from 1 to ${MAX_LIST_LIMIT} (got ${String(limit)})`);
  }
  return limit;
}

/** Returns `size` when it is absent or a non-negative safe integer, else throws RangeError. */
export function validateSize(size: unknown): number | undefined {
  if (size === undefined) return undefined;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new RangeError(`a blob size must be a non-negative integer (got ${String(size)})`);
  return size;
}

/**
 * A size that came from outside the process (a database row, a server's header) as a number, or throws
 * BlobIntegrityError naming `what`: a non-negative safe integer, from a number or a decimal string (bigint columns).
 */
export function trustedSize(value: unknown, what: string): number {
  const n = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new BlobIntegrityError(`${what}: not a byte count (${JSON.stringify(value)})`);
  return n;
}

/**
 * A pass-through that counts bytes; with `expected`, fails the stream as soon as more arrive or, at its end, when
 * fewer did (`what` names the stream in the error).
 */
export class ByteCounter extends Transform {
  bytes = 0;
  constructor(
    private readonly expected: number | undefined,
    private readonly what: string,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null, data?: Buffer) => void): void {
    this.bytes += chunk.length;
    if (this.expected !== undefined && this.bytes > this.expected) done(new BlobIntegrityError(`${this.what}: more than the ${this.expected} bytes expected`));
    else done(null, chunk);
  }

  override _flush(done: (e?: Error | null) => void): void {
    if (this.expected !== undefined && this.bytes !== this.expected) done(new BlobIntegrityError(`${this.what}: ${this.bytes} bytes, ${this.expected} expected`));
    else done();
  }
}
