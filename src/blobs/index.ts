/**
 * Opening a blob store from plain options. The service builds its store from its validated configuration
 * (src/service/backends.ts: LEAKDEX_BLOBS and its companions in src/config.ts). The backends are in local.ts,
 * postgres.ts and s3.ts.
 */
import type pg from 'pg';
import { LocalBlobStore } from './local.js';
import { PostgresBlobStore } from './postgres.js';
import { S3BlobStore, type S3BlobOptions } from './s3.js';
import type { BlobStore } from './types.js';

export { BlobIntegrityError, BlobKeyError, BlobNotFoundError, type BlobInfo, type BlobStore } from './types.js';
export { LocalBlobStore } from './local.js';
export { PostgresBlobStore } from './postgres.js';
export { S3BlobStore } from './s3.js';

/** Which blob store, and where. */
export type BlobOptions =
  | { kind: 'local'; dir: string }
  | { kind: 'postgres'; connectionString: string; schema?: string }
  | { kind: 'postgres'; pool: pg.Pool; schema?: string }
  | ({ kind: 's3' } & S3BlobOptions);

/** Options naming no known kind of store. */
export class BlobConfigError extends Error {
  override name = 'BlobConfigError';
}

/** Opens the store the options name (no I/O yet: the PostgreSQL table is made on first use). */
export function blobStoreFromOptions(o: BlobOptions): BlobStore {
  switch (o.kind) {
    case 'local':
      return new LocalBlobStore(o.dir);
    case 'postgres':
      return new PostgresBlobStore('pool' in o ? { pool: o.pool, ...(o.schema !== undefined ? { schema: o.schema } : {}) } : { connectionString: o.connectionString, ...(o.schema !== undefined ? { schema: o.schema } : {}) });
    case 's3':
      return new S3BlobStore(o);
    default:
      throw new BlobConfigError(`unknown blob store kind ${JSON.stringify((o as { kind?: unknown }).kind)}`);
  }
}
