/**
 * What a service process shares with the others besides the store: the blob store where uploads wait for their
 * scan (src/blobs) and, in PostgreSQL mode, the job queue (src/service/queue.ts). API nodes and workers share
 * nothing else: no volume, no local state another process reads.
 */
import type { Config } from '../config.js';
import { LocalBlobStore } from '../blobs/local.js';
import { PostgresBlobStore } from '../blobs/postgres.js';
import type { BlobStore } from '../blobs/types.js';
import { JobQueue, type QueueLog } from './queue.js';

export interface Backends {
  blobs: BlobStore;
  /** PostgreSQL mode only. */
  queue?: JobQueue;
  /** Closes the queue (waiting up to `drainMs` for jobs in progress) and the blob store. */
  close(drainMs?: number): Promise<void>;
}

/** The blob store the configuration names: the data directory (default), PostgreSQL large objects, or S3. */
export async function openBlobs(config: Config): Promise<BlobStore> {
  const b = config.blobs;
  if (b.kind === 'local') return new LocalBlobStore(config.dataDir);
  if (b.kind === 'postgres') {
    const store = new PostgresBlobStore({ connectionString: config.databaseUrl!, ...(config.databaseSchema ? { schema: config.databaseSchema } : {}) });
    await store.ensure();
    return store;
  }
  // Credentials from the AWS SDK's default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, web identity, roles).
  const s3 = b.s3!;
  const { S3BlobStore } = await import('../blobs/s3.js');
  return new S3BlobStore({ region: s3.region, bucket: s3.bucket, ...(s3.endpoint ? { endpoint: s3.endpoint } : {}), ...(s3.prefix ? { prefix: s3.prefix } : {}), ...(s3.forcePathStyle !== undefined ? { forcePathStyle: s3.forcePathStyle } : {}) });
}

/** Opens the blob store and, with PostgreSQL, the job queue (`schedule`: this node takes part in firing schedules). */
export async function openBackends(config: Config, log: QueueLog, opts: { schedule: boolean }): Promise<Backends> {
  const blobs = await openBlobs(config);
  let queue: JobQueue | undefined;
  try {
    queue = config.databaseUrl ? await JobQueue.open(config, log, opts) : undefined;
  } catch (e) {
    await blobs.close().catch(() => {});
    throw e;
  }
  return {
    blobs,
    ...(queue ? { queue } : {}),
    async close(drainMs = 5_000) {
      await queue?.close(drainMs);
      await blobs.close();
    },
  };
}
