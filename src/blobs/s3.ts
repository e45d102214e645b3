/**
 * The S3 backend: S3 or an S3-compatible server, through the official AWS SDK v3. A put is a streamed multipart
 * upload (lib-storage's Upload: parts of PART_BYTES, QUEUE_SIZE in flight), so memory stays constant whatever the
 * size; a blob smaller than a part goes up in one PutObject. Every size the server reports is checked against the
 * bytes moved. Credentials come from the options or the SDK's default chain, and are never logged or shown.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { checkS3Options, type S3BlobOptions } from './s3-options.js';
import { BlobIntegrityError, BlobNotFoundError, ByteCounter, trustedSize, validateKey, validateLimit, validatePrefix, validateSize, type BlobInfo, type BlobStore } from './types.js';

/**
 * Bytes of one part of a multipart upload: S3's least (and lib-storage's default), for the least memory; 10,000 parts
 * make 48 GiB, far over any upload. A put holds about QUEUE_SIZE + 2 parts (those in flight, the next one's chunks and
 * their joined copy): 20 MiB. With 8 MiB parts the suite measured up to 63 MiB of RSS growth, with these up to 33.
 */
export const PART_BYTES = 5 << 20;
/** Parts uploaded at once. */
export const QUEUE_SIZE = 2;
/** Keys one ListObjectsV2 answer may hold (S3's own maximum). */
const LIST_PAGE = 1000;
export { checkS3Options, type S3BlobOptions } from './s3-options.js';

/** Pages one `list` may read (a listing skips objects that are not blobs of this store, so pages can come back short). */
const MAX_LIST_PAGES = 100;
/** The object's absence, as GetObject (NoSuchKey) or HeadObject (a bare 404, NotFound) reports it; a missing bucket is not. */
function isMissingObject(e: unknown): boolean {
  const name = (e as { name?: unknown } | undefined)?.name;
  return name === 'NoSuchKey' || name === 'NotFound';
}

/** Blobs as objects of one bucket, under one key prefix. */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;
  readonly bucket: string;
  /** Every object key of this store starts with it ('' or ending in '/'). */
  readonly prefix: string;
  private readonly client: S3Client;

  constructor(opts: S3BlobOptions) {
    this.prefix = checkS3Options(opts).prefix;
    this.bucket = opts.bucket;
    const config: S3ClientConfig = { region: opts.region, ...(opts.endpoint ? { endpoint: opts.endpoint } : {}), ...(opts.forcePathStyle !== undefined ? { forcePathStyle: opts.forcePathStyle } : {}) };
    if (opts.accessKeyId !== undefined && opts.secretAccessKey !== undefined) config.credentials = { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey };
    this.client = new S3Client(config);
  }

  async put(key: string, source: Readable | string, size?: number): Promise<{ size: number }> {
    const objectKey = this.objectKey(key);
    const expected = validateSize(size);
    const input = typeof source === 'string' ? createReadStream(source) : source;
    const counter = new ByteCounter(expected, `blob ${key}`);
    input.on('error', (e: Error) => counter.destroy(e));
    input.pipe(counter);
    try {
      const upload = new Upload({ client: this.client, params: { Bucket: this.bucket, Key: objectKey, Body: counter }, partSize: PART_BYTES, queueSize: QUEUE_SIZE, leavePartsOnError: false });
      await upload.done();
    } catch (e) {
      input.destroy();
      counter.destroy();
      throw e;
    }
    // The server's own count: a server that stored something else (a chunked body's framing, a cut part) is caught here.
    const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: objectKey }));
    const stored = trustedSize(head.ContentLength, `blob ${key}: stored size`);
    if (stored !== counter.bytes) {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: objectKey })).catch(() => {});
      throw new BlobIntegrityError(`blob ${key}: the server stored ${stored} bytes of the ${counter.bytes} sent`);
    }
    return { size: counter.bytes };
  }

  async getToFile(key: string, path: string): Promise<number> {
    const objectKey = this.objectKey(key);
    let res;
    try {
      res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: objectKey }));
    } catch (e) {
      if (isMissingObject(e)) throw new BlobNotFoundError(key);
      throw e;
    }
    const body = res.Body;
    if (!(body instanceof Readable)) throw new BlobIntegrityError(`blob ${key}: the response has no body stream`);
    let size: number;
    try {
      size = trustedSize(res.ContentLength, `blob ${key}: Content-Length`);
    } catch (e) {
      body.destroy();
      throw e;
    }
    const counter = new ByteCounter(size, `blob ${key}`);
    await pipeline(body, counter, createWriteStream(path));
    return counter.bytes;
  }

  async delete(key: string): Promise<void> {
    // S3 answers a delete of a missing key with success: idempotent as it is.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }

  async list(prefix: string, limit: number): Promise<BlobInfo[]> {
    validatePrefix(prefix);
    validateLimit(limit);
    const full = this.prefix + prefix;
    const out: BlobInfo[] = [];
    const seen = new Set<string>();
    let token: string | undefined;
    for (let page = 0; out.length < limit; page++) {
      if (page === MAX_LIST_PAGES) throw new BlobIntegrityError(`listing ${JSON.stringify(full)}: more than ${MAX_LIST_PAGES} pages without ${limit} blobs`);
      const res = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: full, MaxKeys: Math.min(LIST_PAGE, limit - out.length), ...(token ? { ContinuationToken: token } : {}) }));
      for (const o of res.Contents ?? []) {
        if (typeof o.Key !== 'string' || !o.Key.startsWith(full)) throw new BlobIntegrityError(`listing ${JSON.stringify(full)}: the server returned a key outside the prefix`);
        const key = o.Key.slice(this.prefix.length);
        try {
          validateKey(key);
        } catch {
          continue; // an object something else put under the prefix: not a blob of this store
        }
        const modifiedAt = o.LastModified instanceof Date ? o.LastModified.getTime() : NaN;
        if (!Number.isFinite(modifiedAt)) throw new BlobIntegrityError(`blob ${key}: no valid LastModified`);
        out.push({ key, size: trustedSize(o.Size, `blob ${key}: listed size`), modifiedAt });
        if (out.length === limit) break;
      }
      if (!res.IsTruncated) break;
      token = res.NextContinuationToken;
      if (!token || seen.has(token)) throw new BlobIntegrityError(`listing ${JSON.stringify(full)}: a truncated page without a new continuation token`);
      seen.add(token);
    }
    return out;
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private objectKey(key: string): string {
    return this.prefix + validateKey(key);
  }
}
