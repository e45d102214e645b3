/**
 * The PostgreSQL backend: each blob is a large object, named by a row of `<schema>.blobs`. Bytes move in chunks of
 * CHUNK_BYTES (`lo_put` at an offset, `lo_get` of a range), one transaction a transfer, so memory stays constant and
 * a blob is either whole and named or absent. Every size the server reports is checked against the bytes moved.
 * Large objects: https://www.postgresql.org/docs/current/lo-funcs.html
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import pg from 'pg';
import { BlobIntegrityError, BlobNotFoundError, ByteCounter, trustedSize, validateKey, validateLimit, validatePrefix, validateSize, type BlobInfo, type BlobStore } from './types.js';

/** Bytes of one `lo_put` or `lo_get`: a transfer holds about two chunks (and a chunk's hex text) in memory at once. */
export const CHUNK_BYTES = 256 << 10;
/** Connections of a pool the store opens itself: each transfer holds one for its whole length. */
const POOL_SIZE = 4;
/** Advisory lock (one bigint) held while creating the schema and table, so concurrent processes do it once. */
const ENSURE_LOCK = 0x626c6f6273; // "blobs"
/** First half of the advisory lock (two ints) that orders writers of one key: no replaced large object is left behind. */
const KEY_LOCK_CLASS = 0x626c6f62; // "blob"
/** `lo_open` mode INV_READ (libpq-fs.h). */
const INV_READ = 0x40000;
/** `lo_lseek64` whence SEEK_END. */
const SEEK_END = 2;
/** Largest large-object oid (an unsigned 32-bit number). */
const MAX_OID = 0xffffffff;
/** A schema name this store accepts (unquoted, so it is the same name in every tool). */
const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/** Where the PostgreSQL store keeps its table: the caller's pool (left open by close), or a connection string. */
export type PostgresBlobOptions = { pool: pg.Pool; schema?: string } | { connectionString: string; schema?: string };

/** Returns `schema` when this store accepts it as a schema name, else throws an Error saying why. */
export function checkSchemaName(schema: string): string {
  if (!SCHEMA_PATTERN.test(schema)) throw new Error(`bad PostgreSQL schema name ${JSON.stringify(schema)}: lower-case letters, digits and _, at most 63`);
  return schema;
}

/** A large-object oid from the server, checked. */
function trustedOid(value: unknown, what: string): number {
  const n = typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0 || n > MAX_OID) throw new BlobIntegrityError(`${what}: not a large-object oid (${JSON.stringify(value)})`);
  return n;
}

/** The source's bytes as chunks of exactly `size` bytes (the last one shorter), each a new buffer. */
async function* rechunk(source: AsyncIterable<unknown>, size: number): AsyncGenerator<Buffer> {
  let buf = Buffer.allocUnsafe(size);
  let used = 0;
  for await (const piece of source) {
    let data: Buffer;
    if (Buffer.isBuffer(piece)) data = piece;
    else if (piece instanceof Uint8Array) data = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    else if (typeof piece === 'string') data = Buffer.from(piece);
    else throw new TypeError('a blob source must yield bytes (Buffer, Uint8Array or string)');
    while (data.length > 0) {
      const n = Math.min(size - used, data.length);
      data.copy(buf, used, 0, n);
      used += n;
      data = data.subarray(n);
      if (used === size) {
        yield buf;
        buf = Buffer.allocUnsafe(size);
        used = 0;
      }
    }
  }
  if (used > 0) yield buf.subarray(0, used);
}

/** Blobs as PostgreSQL large objects named by the rows of `<schema>.blobs`. */
export class PostgresBlobStore implements BlobStore {
  readonly kind = 'postgres' as const;
  readonly schema: string;
  private readonly pool: pg.Pool;
  private readonly ownPool: boolean;
  private readonly table: string;
  private ready: Promise<void> | undefined;

  constructor(opts: PostgresBlobOptions) {
    this.schema = checkSchemaName(opts.schema ?? 'public');
    this.table = `"${this.schema}".blobs`;
    if ('pool' in opts) {
      this.pool = opts.pool;
      this.ownPool = false;
    } else {
      if (!opts.connectionString) throw new Error('the PostgreSQL blob store needs a connection string or a pool');
      this.pool = new pg.Pool({ connectionString: opts.connectionString, max: POOL_SIZE });
      // An idle connection that breaks is dropped from the pool; the next transfer opens another.
      this.pool.on('error', () => {});
      this.ownPool = true;
    }
  }

  /** Creates the schema and table when absent; done once (every other method waits for it), retried after a failure. */
  ensure(): Promise<void> {
    this.ready ??= this.tx(async (c) => {
      // Looked up first: a role that may use the table but not create schemas still starts.
      const present = async () => (await c.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [this.table])).rows[0]?.found === true;
      if (await present()) return;
      await c.query('SELECT pg_advisory_xact_lock($1)', [ENSURE_LOCK]);
      if (await present()) return;
      const schemaFound = (await c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [this.schema])).rows.length > 0;
      if (!schemaFound) await c.query(`CREATE SCHEMA "${this.schema}"`);
      // COLLATE "C": keys sort bytewise, as S3 lists them, and a LIKE 'prefix%' uses the primary key's index.
      await c.query(`CREATE TABLE ${this.table} (key text COLLATE "C" PRIMARY KEY, oid oid NOT NULL, size bigint NOT NULL CHECK (size >= 0), created_at bigint NOT NULL)`);
    }).catch((e: unknown) => {
      this.ready = undefined;
      throw e;
    });
    return this.ready;
  }

  async put(key: string, source: Readable | string, size?: number): Promise<{ size: number }> {
    validateKey(key);
    const expected = validateSize(size);
    let input = typeof source === 'string' ? undefined : source;
    try {
      await this.ensure();
      return await this.tx(async (c) => {
        const oid = trustedOid((await c.query<{ oid: unknown }>('SELECT lo_create(0) AS oid')).rows[0]?.oid, 'lo_create');
        let offset = 0;
        // A file is opened only now, as it is read: an error opening it fails this transfer, never the process.
        input ??= createReadStream(source as string, { highWaterMark: CHUNK_BYTES });
        for await (const chunk of rechunk(input, CHUNK_BYTES)) {
          if (expected !== undefined && offset + chunk.length > expected) throw new BlobIntegrityError(`blob ${key}: more than the ${expected} bytes expected`);
          await c.query('SELECT lo_put($1, $2, $3)', [oid, offset, chunk]);
          offset += chunk.length;
        }
        if (expected !== undefined && offset !== expected) throw new BlobIntegrityError(`blob ${key}: ${offset} bytes, ${expected} expected`);
        const stored = await this.objectSize(c, oid);
        if (stored !== offset) throw new BlobIntegrityError(`blob ${key}: large object ${oid} holds ${stored} bytes after ${offset} were written`);
        await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [KEY_LOCK_CLASS, key]);
        const old = await c.query<{ oid: unknown }>(`SELECT oid FROM ${this.table} WHERE key = $1`, [key]);
        if (old.rows[0]) {
          await c.query(`UPDATE ${this.table} SET oid = $2, size = $3, created_at = $4 WHERE key = $1`, [key, oid, offset, Date.now()]);
          await this.unlink(c, trustedOid(old.rows[0].oid, `blob ${key}: replaced oid`));
        } else {
          await c.query(`INSERT INTO ${this.table} (key, oid, size, created_at) VALUES ($1, $2, $3, $4)`, [key, oid, offset, Date.now()]);
        }
        return { size: offset };
      });
    } catch (e) {
      input?.destroy(); // a source not read to its end (a failure before or during the transfer) is closed
      throw e;
    }
  }

  async getToFile(key: string, path: string): Promise<number> {
    validateKey(key);
    await this.ensure();
    // One snapshot for the row and every chunk: a put or delete meanwhile does not change the bytes read here.
    return this.tx(async (c) => {
      const row = (await c.query<{ oid: unknown; size: unknown }>(`SELECT oid, size FROM ${this.table} WHERE key = $1`, [key])).rows[0];
      if (!row) throw new BlobNotFoundError(key);
      const oid = trustedOid(row.oid, `blob ${key}: oid`);
      const size = trustedSize(row.size, `blob ${key}: recorded size`);
      const stored = await this.objectSize(c, oid);
      if (stored !== size) throw new BlobIntegrityError(`blob ${key}: large object ${oid} holds ${stored} bytes, its row says ${size}`);
      const counter = new ByteCounter(size, `blob ${key}`);
      await pipeline(this.chunks(c, key, oid, size), counter, createWriteStream(path));
      return counter.bytes;
    }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  async delete(key: string): Promise<void> {
    validateKey(key);
    await this.ensure();
    await this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [KEY_LOCK_CLASS, key]);
      const row = (await c.query<{ oid: unknown }>(`DELETE FROM ${this.table} WHERE key = $1 RETURNING oid`, [key])).rows[0];
      if (row) await this.unlink(c, trustedOid(row.oid, `blob ${key}: oid`));
    });
  }

  async list(prefix: string, limit: number): Promise<BlobInfo[]> {
    validatePrefix(prefix);
    validateLimit(limit);
    await this.ensure();
    // `_` is a LIKE wildcard and may be in a prefix (`%` and `\` may not).
    const pattern = `${prefix.replace(/_/g, '\\_')}%`;
    const { rows } = await this.pool.query<{ key: unknown; size: unknown; created_at: unknown }>(`SELECT key, size, created_at FROM ${this.table} WHERE key LIKE $1 ESCAPE '\\' ORDER BY key LIMIT $2`, [pattern, limit]);
    return rows.map((r) => {
      if (typeof r.key !== 'string' || !r.key.startsWith(prefix)) throw new BlobIntegrityError(`${this.table}: a listed key does not start with ${JSON.stringify(prefix)}`);
      validateKey(r.key);
      return { key: r.key, size: trustedSize(r.size, `blob ${r.key}: recorded size`), modifiedAt: trustedSize(r.created_at, `blob ${r.key}: created_at`) };
    });
  }

  async close(): Promise<void> {
    if (this.ownPool) await this.pool.end();
  }

  /** Drops the store's schema and everything in it, large objects included (tests). */
  async dropSchema(): Promise<void> {
    await this.tx(async (c) => {
      const exists = (await c.query(`SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'blobs'`, [this.schema])).rows.length > 0;
      if (exists) await c.query(`SELECT lo_unlink(m.oid) FROM ${this.table} b JOIN pg_largeobject_metadata m ON m.oid = b.oid`);
      await c.query(`DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`);
    });
    this.ready = undefined;
  }

  /** Runs `fn` in one transaction on one connection; rolls back (and drops the connection) when it throws. */
  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    const c = await this.pool.connect();
    let failed: Error | undefined;
    try {
      await c.query(begin);
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (e) {
      // A connection that cannot even roll back (broken mid-transfer) is closed, not reused.
      await c.query('ROLLBACK').catch((r: unknown) => {
        failed = r instanceof Error ? r : new Error(String(r));
      });
      throw e;
    } finally {
      c.release(failed);
    }
  }

  /** The bytes a large object really holds, as the server reports them (checked). */
  private async objectSize(c: pg.PoolClient, oid: number): Promise<number> {
    const fd = (await c.query<{ fd: unknown }>('SELECT lo_open($1, $2) AS fd', [oid, INV_READ])).rows[0]?.fd;
    if (typeof fd !== 'number' || !Number.isInteger(fd) || fd < 0) throw new BlobIntegrityError(`lo_open(${oid}): not a descriptor (${JSON.stringify(fd)})`);
    const end = (await c.query<{ end: unknown }>('SELECT lo_lseek64($1, 0, $2) AS end', [fd, SEEK_END])).rows[0]?.end;
    await c.query('SELECT lo_close($1)', [fd]);
    return trustedSize(end, `large object ${oid}: size`);
  }

  /** Removes a large object; one already gone (unlinked by hand) is no error, so its row can still go. */
  private async unlink(c: pg.PoolClient, oid: number): Promise<void> {
    await c.query('SELECT lo_unlink(oid) FROM pg_largeobject_metadata WHERE oid = $1', [oid]);
  }

  /** The large object's bytes in order, one `lo_get` a chunk; a short chunk is an error, not an end. */
  private async *chunks(c: pg.PoolClient, key: string, oid: number, size: number): AsyncGenerator<Buffer> {
    for (let offset = 0; offset < size; ) {
      const want = Math.min(CHUNK_BYTES, size - offset);
      const data = (await c.query<{ data: unknown }>('SELECT lo_get($1, $2, $3) AS data', [oid, offset, want])).rows[0]?.data;
      if (!Buffer.isBuffer(data) || data.length !== want) throw new BlobIntegrityError(`blob ${key}: ${Buffer.isBuffer(data) ? data.length : 'no'} bytes at offset ${offset}, ${want} expected`);
      yield data;
      offset += want;
    }
  }
}
