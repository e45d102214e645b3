/**
 * The S3 store's settings and their checks, apart from the store itself so that checking a configuration does not
 * load the AWS SDK.
 */

/** An S3 bucket name (the rules common to AWS and S3-compatible servers). */
const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** A key prefix of this store inside the bucket. */
const STORE_PREFIX_PATTERN = /^[A-Za-z0-9][A-Za-z0-9/_.-]{0,199}$/;

/** Where the S3 store keeps its objects. */
export interface S3BlobOptions {
  /** An S3-compatible server's URL (http or https, no credentials in it); AWS when absent. */
  endpoint?: string;
  region: string;
  bucket: string;
  /** Prepended to every key (a `/` is added when it has none at its end). */
  prefix?: string;
  /** Both or neither; the SDK's default chain (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, profiles, roles) when neither. */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Path-style addressing (`endpoint/bucket/key`), as most S3-compatible servers need. */
  forcePathStyle?: boolean;
}

/** Checks the options and returns the key prefix as used; throws an Error naming the bad one (never a credential's value). */
export function checkS3Options(o: S3BlobOptions): { prefix: string } {
  if (typeof o.region !== 'string' || !/^[a-z0-9-]{1,50}$/.test(o.region)) throw new Error(`bad S3 region ${JSON.stringify(o.region)}`);
  if (typeof o.bucket !== 'string' || !BUCKET_PATTERN.test(o.bucket) || o.bucket.includes('..')) throw new Error(`bad S3 bucket name ${JSON.stringify(o.bucket)}: 3 to 63 lower-case letters, digits, . and -`);
  if (o.endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(o.endpoint);
    } catch {
      throw new Error('bad S3 endpoint: not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`bad S3 endpoint: ${url.protocol} is not http: or https:`);
    if (url.username || url.password) throw new Error('bad S3 endpoint: credentials belong in the access key options, not in the URL');
    if (url.search || url.hash) throw new Error('bad S3 endpoint: no query or fragment');
  }
  if ((o.accessKeyId === undefined) !== (o.secretAccessKey === undefined)) throw new Error('S3 credentials: give both the access key id and the secret access key, or neither');
  if (o.accessKeyId !== undefined && (!o.accessKeyId || !o.secretAccessKey)) throw new Error('S3 credentials: the access key id and the secret access key must not be empty');
  let prefix = o.prefix ?? '';
  if (prefix !== '') {
    if (!STORE_PREFIX_PATTERN.test(prefix) || prefix.includes('..') || prefix.includes('//')) throw new Error(`bad S3 key prefix ${JSON.stringify(prefix)}: letters, digits and / _ . - only, at most 200`);
    if (!prefix.endsWith('/')) prefix += '/';
  }
  return { prefix };
}
