/**
 * The blob store (src/blobs): one behaviour suite run against each backend (a directory, PostgreSQL large objects,
 * and a real S3-compatible server: s3rver in a child process, test/helpers/s3-server.ts), then what each adds. The
 * large blobs are streams of fresh random bytes hashed as they are made, never held whole in memory.
 */
import t from 'tap';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pg from 'pg';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { loadConfig, ConfigError } from '../../src/config.js';
import { BlobConfigError, BlobIntegrityError, BlobKeyError, BlobNotFoundError, blobStoreFromOptions, LocalBlobStore, PostgresBlobStore, S3BlobStore, type BlobStore } from '../../src/blobs/index.js';
import { tempDir } from '../helpers/files.js';
import { POSTGRES_MISSING, reachablePostgres, testNeeding } from '../helpers/postgres.js';
import { PART_BYTES } from '../../src/blobs/s3.js';
import { S3RVER_CREDENTIALS, startS3Server, type S3Server } from '../helpers/s3-server.js';

const MiB = 1 << 20;
/** The large round trip: not a whole number of S3 parts, so the last one is short. */
const BIG = 40 * MiB + 12_345;
/** The constant-memory check's stream. */
const HUGE = 256 * MiB;
/** The transfer before the constant-memory check: enough S3 parts to fill the upload queue. */
const WARM_UP = 4 * PART_BYTES;
/** Most the process's RSS may grow while HUGE bytes go through put and then getToFile. */
const MAX_RSS_GROWTH = 64 * MiB;
/** Slack on modification times: file systems and S3 keep coarser clocks than Date.now(). */
const CLOCK_SLACK_MS = 2_000;

type TestFn = Parameters<typeof t.test>[0];
type Test = Parameters<TestFn>[0];

/** `size` fresh random bytes in 64 KiB chunks, hashed as they are produced (`digest()` once read to its end). */
class RandomSource extends Readable {
  private readonly hash = createHash('sha256');
  constructor(private left: number) {
    super({ highWaterMark: 64 << 10 });
  }
  override _read(): void {
    if (this.left === 0) return void this.push(null);
    const chunk = randomBytes(Math.min(64 << 10, this.left));
    this.left -= chunk.length;
    this.hash.update(chunk);
    this.push(chunk);
  }
  digest(): string {
    return this.hash.digest('hex');
  }
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** Writes `size` random bytes to `path`; resolves to their sha256. */
async function randomFile(path: string, size: number): Promise<string> {
  const src = new RandomSource(size);
  await pipeline(src, createWriteStream(path));
  return src.digest();
}

// Garbage is collected on a clock while RSS is measured, so the figure is what the store holds rather than how late
// V8 gets round to the chunks it has let go (it may leave up to 64 MiB of dead buffers before it collects on its own).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (opts?: { type: 'minor' | 'major' }) => void;
/** How often the young generation, where most chunks of a transfer die, is collected while RSS is measured. */
const MINOR_GC_EVERY_MS = 25;
/** How often everything is (S3's chunks live long enough to be promoted before lib-storage joins them into a part). */
const MAJOR_GC_EVERY_MS = 100;

/** Runs `fn` while sampling the process's RSS; resolves to the peak's growth over the RSS at the start, bytes. */
async function rssGrowth(fn: () => Promise<void>): Promise<number> {
  gc();
  const base = process.memoryUsage().rss;
  let peak = base;
  const sample = () => void (peak = Math.max(peak, process.memoryUsage().rss));
  const sampler = setInterval(sample, 10);
  const minor = setInterval(() => gc({ type: 'minor' }), MINOR_GC_EVERY_MS);
  const major = setInterval(() => gc({ type: 'major' }), MAJOR_GC_EVERY_MS);
  try {
    await fn();
  } finally {
    clearInterval(sampler);
    clearInterval(minor);
    clearInterval(major);
    sample();
  }
  return peak - base;
}

const bytes = (s: string) => Readable.from([Buffer.from(s)]);

/** A backend under test: its store, how to end it, and what it adds to the shared suite. */
interface Backend {
  store: BlobStore;
  close(): Promise<void>;
  extra?(t: Test, store: BlobStore, scratch: string): Promise<void>;
}

/** The behaviour every backend shares, then the backend's own tests. */
function suite(name: string, open: () => Promise<Backend>): TestFn {
  return async (t) => {
    const { store, close, extra } = await open();
    t.teardown(close);
    const scratch = tempDir(`leakdex-blobs-${name}-`);
    const out = (n: string) => join(scratch, `out-${n}`);

    // First, while the heap holds little: anything the store buffers shows up as RSS here.
    await t.test(`constant memory: ${HUGE / MiB} MiB through put and getToFile`, async (t) => {
      // A first transfer loads what the backend loads lazily (the SDK's commands and signers, pg's parsers) and grows
      // the heaps once: done before measuring, so the figure is what a transfer holds, whatever its size.
      await store.put('mem/warm-up', new RandomSource(WARM_UP));
      await store.getToFile('mem/warm-up', out('warm-up'));
      await store.delete('mem/warm-up');
      const src = new RandomSource(HUGE);
      const growth = await rssGrowth(async () => {
        t.same(await store.put('mem/huge', src), { size: HUGE });
        t.equal(await store.getToFile('mem/huge', out('huge')), HUGE);
      });
      t.equal(await sha256File(out('huge')), src.digest(), 'byte-identical');
      t.comment(`${name}: RSS grew ${(growth / MiB).toFixed(1)} MiB while ${HUGE / MiB} MiB went through put and getToFile`);
      t.ok(growth < MAX_RSS_GROWTH, `RSS growth ${(growth / MiB).toFixed(1)} MiB < ${MAX_RSS_GROWTH / MiB} MiB`);
      await store.delete('mem/huge');
      await rm(out('huge'));
    });

    for (const [label, size] of [['empty', 0], ['small', 1_000], ['~40 MiB', BIG]] as const) {
      await t.test(`round trip, ${label}: from a stream and from a file, byte-identical`, async (t) => {
        const src = new RandomSource(size);
        t.same(await store.put(`rt/${size}/stream`, src), { size });
        const file = join(scratch, `src-${size}`);
        const fileDigest = await randomFile(file, size);
        t.same(await store.put(`rt/${size}/file`, file, size), { size });
        t.equal(await store.getToFile(`rt/${size}/stream`, out('s')), size);
        t.equal(await sha256File(out('s')), src.digest(), 'from a stream');
        t.equal(await store.getToFile(`rt/${size}/file`, out('f')), size);
        t.equal(await sha256File(out('f')), fileDigest, 'from a file');
        for (const k of ['stream', 'file']) await store.delete(`rt/${size}/${k}`);
        await Promise.all([rm(file), rm(out('s')), rm(out('f'))]);
      });
    }

    await t.test('a put replaces the blob under its key', async (t) => {
      await store.put('re/x', bytes('first version'));
      t.same(await store.put('re/x', bytes('second')), { size: 6 });
      t.equal(await store.getToFile('re/x', out('re')), 6);
      t.equal(readFileSync(out('re'), 'utf8'), 'second');
      t.same((await store.list('re/', 10)).map((b) => [b.key, b.size]), [['re/x', 6]]);
      await store.delete('re/x');
    });

    await t.test('delete is idempotent', async (t) => {
      await store.delete('del/never-stored');
      await store.put('del/x', bytes('x'));
      await store.delete('del/x');
      await store.delete('del/x');
      await t.rejects(store.getToFile('del/x', out('del')), BlobNotFoundError);
      t.same(await store.list('del/', 10), []);
    });

    await t.test('list: prefix, key order, limit, sizes and times', async (t) => {
      const before = Date.now();
      const keys = ['ls/b_c', 'ls/a/2', 'ls/bx', 'ls/a/1', 'ls/b', 'ls2/x', 'lsx'];
      for (const [i, k] of keys.entries()) await store.put(k, bytes('x'.repeat(i)));
      const after = Date.now();
      const all = await store.list('ls/', 100);
      t.same(all.map((b) => b.key), ['ls/a/1', 'ls/a/2', 'ls/b', 'ls/b_c', 'ls/bx'], 'bytewise key order, prefix only');
      t.same(all.map((b) => b.size), [3, 1, 4, 0, 2]);
      t.ok(all.every((b) => b.modifiedAt >= before - CLOCK_SLACK_MS && b.modifiedAt <= after + CLOCK_SLACK_MS), 'modification times of the puts');
      t.same((await store.list('ls/', 2)).map((b) => b.key), ['ls/a/1', 'ls/a/2'], 'limit');
      t.same((await store.list('ls/b_', 10)).map((b) => b.key), ['ls/b_c'], '_ in a prefix is no wildcard');
      t.same((await store.list('ls/a', 10)).map((b) => b.key), ['ls/a/1', 'ls/a/2'], 'a prefix ending inside a segment');
      t.same(await store.list('none/', 5), []);
      await t.rejects(store.list('/ls', 5), BlobKeyError);
      await t.rejects(store.list('../', 5), BlobKeyError);
      await t.rejects(store.list('ls/', 0), RangeError);
      await t.rejects(store.list('ls/', 10_001), RangeError);
      for (const k of keys) await store.delete(k);
    });

    await t.test('a missing key is BlobNotFoundError, and no file is made', async (t) => {
      await t.rejects(store.getToFile('missing/key', out('missing')), BlobNotFoundError);
      t.notOk(existsSync(out('missing')));
    });

    await t.test('bad keys are refused, never used as paths', async (t) => {
      for (const key of ['../x', '/abs', '', 'a/../b', '..', 'a//b', 'a/', 'a/./b', '.hidden', 'Upper', 'a b', 'a\0b', 'é', 'x'.repeat(202)]) {
        await t.rejects(store.put(key, bytes('x')), BlobKeyError, `put ${JSON.stringify(key)}`);
        await t.rejects(store.getToFile(key, out('bad')), BlobKeyError, `getToFile ${JSON.stringify(key)}`);
        await t.rejects(store.delete(key), BlobKeyError, `delete ${JSON.stringify(key)}`);
        if (store.localPath) t.throws(() => store.localPath!(key), BlobKeyError, `localPath ${JSON.stringify(key)}`);
      }
      t.same(await store.list('', 100), [], 'nothing was stored');
    });

    await t.test('a source of another size than declared stores nothing', async (t) => {
      await t.rejects(store.put('size/short', bytes('abc'), 4), BlobIntegrityError);
      await t.rejects(store.put('size/long', bytes('abcde'), 4), BlobIntegrityError);
      writeFileSync(join(scratch, 'five'), 'abcde');
      await t.rejects(store.put('size/file', join(scratch, 'five'), 4), BlobIntegrityError);
      await t.rejects(store.put('size/none', join(scratch, 'no-such-file')), /ENOENT/);
      await t.rejects(store.put('size/neg', bytes('x'), -1), RangeError);
      t.same(await store.list('size/', 10), []);
    });

    if (extra) await t.test(`${name}: its own behaviour`, (t) => extra(t, store, scratch));
  };
}

t.test('local', suite('local', async () => {
  const dir = tempDir('leakdex-blobs-dir-');
  const store = new LocalBlobStore(dir);
  return {
    store,
    close: () => store.close(),
    async extra(t) {
      await store.put('uploads/abc.upload', bytes('scan me'));
      const path = store.localPath('uploads/abc.upload');
      t.ok(path.startsWith(`${dir}/`), 'the file is inside the directory');
      t.equal(readFileSync(path, 'utf8'), 'scan me', 'localPath is the blob itself');
      // What else a data directory holds: never listed, never touched.
      writeFileSync(join(dir, 'leakdex.db'), 'sqlite');
      mkdirSync(join(dir, 'uploads', 'url-1'), { recursive: true });
      writeFileSync(join(dir, 'uploads', 'e0c2.part'), 'partial');
      t.same((await store.list('', 100)).map((b) => b.key), ['uploads/abc.upload']);
      t.same(readdirSync(join(dir, 'uploads')).filter((n) => n.endsWith('.tmp')), [], 'no temporary file is left');
      await store.put('k', bytes('parent'));
      await store.put('k/child', bytes('child'));
      t.same((await store.list('k', 10)).map((b) => b.key), ['k', 'k/child'], 'a key can also start other keys');
      t.equal(readFileSync(join(dir, 'leakdex.db'), 'utf8'), 'sqlite');
      for (const k of ['k', 'k/child', 'uploads/abc.upload']) await store.delete(k);
    },
  };
}));

const pgUrl = await reachablePostgres();
testNeeding('postgres', pgUrl ? undefined : POSTGRES_MISSING, suite('postgres', async () => {
  const schema = `blobs_test_${randomBytes(6).toString('hex')}`;
  const store = new PostgresBlobStore({ connectionString: pgUrl!, schema });
  const admin = new pg.Pool({ connectionString: pgUrl!, max: 2 });
  const oidOf = async (key: string) => (await admin.query<{ oid: number }>(`SELECT oid FROM "${schema}".blobs WHERE key = $1`, [key])).rows[0]?.oid;
  const exists = async (oid: number) => (await admin.query('SELECT 1 FROM pg_largeobject_metadata WHERE oid = $1', [oid])).rows.length === 1;
  return {
    store,
    async close() {
      await store.dropSchema();
      await store.close();
      await admin.end();
    },
    async extra(t, _store, scratch) {
      await store.put('pg/x', bytes('one'));
      const first = (await oidOf('pg/x'))!;
      await store.put('pg/x', bytes('two'));
      const second = (await oidOf('pg/x'))!;
      t.not(first, second);
      t.notOk(await exists(first), 'a replaced large object is unlinked');
      await store.delete('pg/x');
      t.notOk(await exists(second), 'a deleted blob takes its large object along');

      await store.put('pg/tampered', bytes('12345'));
      await admin.query(`UPDATE "${schema}".blobs SET size = 6 WHERE key = 'pg/tampered'`);
      await t.rejects(store.getToFile('pg/tampered', join(scratch, 'tampered')), BlobIntegrityError, 'a row whose size disagrees with its object');
      await store.delete('pg/tampered');

      // Other suites may make large objects meanwhile (the cluster suite's uploads): ours are told by a marker.
      const marker = randomBytes(8).toString('hex');
      const oids = async () => (await admin.query<{ oid: number }>('SELECT oid FROM pg_largeobject_metadata')).rows.map((r) => r.oid);
      const before = new Set(await oids());
      await Promise.all([1, 2, 3, 4].map((i) => store.put('pg/race', bytes(`race ${marker} writer ${i}`))));
      const ours: number[] = [];
      for (const oid of (await oids()).filter((o) => !before.has(o))) {
        const head = await admin.query<{ data: Buffer }>('SELECT lo_get($1, 0, 64) AS data', [oid]).then((r) => r.rows[0]!.data.toString('latin1'), () => '');
        if (head.includes(marker)) ours.push(oid);
      }
      t.same(ours, [await oidOf('pg/race')], 'concurrent puts of one key leave one large object, the one its row names');

      const pool = new pg.Pool({ connectionString: pgUrl!, max: 2 });
      const onPool = blobStoreFromOptions({ kind: 'postgres', pool, schema });
      t.same((await onPool.list('pg/', 10)).map((b) => b.key), ['pg/race'], 'a store on the caller\'s pool sees the same blobs');
      await onPool.close();
      t.equal((await pool.query('SELECT 1 AS one')).rows[0].one, 1, 'and leaves that pool open');
      await pool.end();
      await store.delete('pg/race');
    },
  };
}));

t.test('s3', suite('s3', async () => {
  const server = await startS3Server();
  const options = { endpoint: server.endpoint, region: server.region, bucket: server.bucket, prefix: 'leakdex', forcePathStyle: true, ...S3RVER_CREDENTIALS };
  const store = new S3BlobStore(options);
  return {
    store,
    async close() {
      await store.close();
      await server.stop();
    },
    async extra(t, _store, scratch) {
      server.clearRequests();
      const file = join(scratch, 'big');
      await randomFile(file, BIG);
      await store.put('s3/big', createReadStream(file));
      const seen = (await server.requests()).map((r) => `${r.method} ${r.url}`);
      const path = `/${server.bucket}/leakdex/s3/big`;
      t.equal(seen.filter((r) => r.startsWith(`POST ${path}?uploads`)).length, 1, 'CreateMultipartUpload');
      const parts = seen.filter((r) => r.startsWith(`PUT ${path}?`)).map((r) => Number(/partNumber=(\d+)/.exec(r)?.[1]));
      const expected = Array.from({ length: Math.ceil(BIG / PART_BYTES) }, (_, i) => i + 1);
      t.ok(expected.length > 1);
      t.same(parts.sort((a, b) => a - b), expected, `UploadPart: ${expected.length} parts of at most ${PART_BYTES / MiB} MiB`);
      t.equal(seen.filter((r) => r.startsWith(`POST ${path}?uploadId=`)).length, 1, 'CompleteMultipartUpload');
      t.equal(await store.getToFile('s3/big', join(scratch, 'big.out')), BIG);
      t.equal(await sha256File(join(scratch, 'big.out')), await sha256File(file));
      await store.delete('s3/big');

      server.clearRequests();
      await store.put('s3/small', bytes('small'));
      const small = (await server.requests()).filter((r) => r.method === 'PUT' || r.method === 'POST');
      t.same(small.map((r) => `${r.method} ${r.url.split('?')[0]}`), [`PUT /${server.bucket}/leakdex/s3/small`], 'a small blob is one PutObject');

      // An object some other tool put under the prefix, with a key this store never makes: not listed.
      const raw = new S3Client({ endpoint: server.endpoint, region: server.region, forcePathStyle: true, credentials: S3RVER_CREDENTIALS });
      await raw.send(new PutObjectCommand({ Bucket: server.bucket, Key: 'leakdex/s3/NOT-A-KEY', Body: Buffer.from('x') }));
      raw.destroy();
      t.same((await store.list('s3/', 10)).map((b) => b.key), ['s3/small']);
      await store.delete('s3/small');

      const strict: S3Server = await startS3Server({ strictSignatures: true });
      t.teardown(strict.stop);
      const good = new S3BlobStore({ ...options, endpoint: strict.endpoint, bucket: strict.bucket });
      t.same(await good.put('signed/ok', bytes('ok')), { size: 2 }, 'a strict server takes the store\'s signed requests');
      t.equal(await good.getToFile('signed/ok', join(scratch, 'signed')), 2);
      await good.close();
      const secretAccessKey = 'not-the-secret-0123456789';
      const wrong = new S3BlobStore({ ...options, endpoint: strict.endpoint, bucket: strict.bucket, secretAccessKey });
      const refused = await wrong.put('signed/no', bytes('no')).then(() => undefined, (e: unknown) => e as Error);
      t.match(refused?.name, 'SignatureDoesNotMatch', 'a wrong secret is refused');
      t.notOk(String(refused?.message).includes(secretAccessKey), 'the error does not show the secret');
      await wrong.close();
    },
  };
}));

t.test('options: from the service configuration (LEAKDEX_BLOBS and its companions) and from plain values', async (t) => {
  const dataDir = tempDir('leakdex-blobs-env-');
  const env = (e: NodeJS.ProcessEnv) => loadConfig({ env: { LEAKDEX_DATA_DIR: dataDir, ...e } }).blobs;
  t.same(env({}), { kind: 'local' });
  t.same(env({ LEAKDEX_BLOBS: 's3', LEAKDEX_S3_BUCKET: 'uploads', LEAKDEX_S3_ENDPOINT: 'http://127.0.0.1:9000', LEAKDEX_S3_FORCE_PATH_STYLE: '1', LEAKDEX_S3_PREFIX: 'lx' }), {
    kind: 's3',
    s3: { region: 'us-east-1', bucket: 'uploads', endpoint: 'http://127.0.0.1:9000', prefix: 'lx', forcePathStyle: true },
  });
  t.equal(env({ LEAKDEX_BLOBS: 's3', LEAKDEX_S3_BUCKET: 'uploads', AWS_REGION: 'eu-west-3' }).s3?.region, 'eu-west-3', 'AWS_REGION when LEAKDEX_S3_REGION is not set');
  const bad: [NodeJS.ProcessEnv, RegExp][] = [
    [{ LEAKDEX_BLOBS: 'nfs' }, /\/blobs\/kind/],
    [{ LEAKDEX_BLOBS: 'postgres' }, /needs DATABASE_URL/],
    [{ LEAKDEX_BLOBS: 's3' }, /needs LEAKDEX_S3_BUCKET/],
    [{ LEAKDEX_BLOBS: 's3', LEAKDEX_S3_BUCKET: 'Bad_Bucket' }, /bad S3 bucket name/],
    [{ LEAKDEX_BLOBS: 's3', LEAKDEX_S3_BUCKET: 'uploads', LEAKDEX_S3_FORCE_PATH_STYLE: 'maybe' }, /LEAKDEX_S3_FORCE_PATH_STYLE="maybe"/],
    [{ LEAKDEX_BLOBS: 's3', LEAKDEX_S3_BUCKET: 'uploads', LEAKDEX_S3_ENDPOINT: 'ftp://host' }, /ftp: is not http: or https:/],
  ];
  for (const [e, message] of bad) t.throws(() => env(e), message);
  t.throws(() => env({ LEAKDEX_BLOBS: 'nfs' }), ConfigError);
  const leaky = (() => {
    try {
      env({ LEAKDEX_BLOBS: 's3', LEAKDEX_S3_BUCKET: 'uploads', LEAKDEX_S3_ENDPOINT: 'http://id:hunter2@127.0.0.1:9000' });
    } catch (e) {
      return (e as Error).message;
    }
  })();
  t.match(leaky, /credentials belong in the access key options/);
  t.notMatch(leaky, /hunter2/, 'a credential in the endpoint is not repeated');
  t.equal(blobStoreFromOptions({ kind: 'local', dir: dataDir }).kind, 'local');
  t.throws(() => blobStoreFromOptions({ kind: 'nfs' } as never), BlobConfigError, 'an unknown kind of store');
  const s3 = blobStoreFromOptions({ kind: 's3', region: 'us-east-1', bucket: 'uploads' });
  t.equal(s3.kind, 's3');
  await s3.close();
});
