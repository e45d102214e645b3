/**
 * A real S3-compatible server on this machine for the S3 blob store's suite: s3rver, from its maintained fork
 * @20minutes/s3rver (a devDependency: pure JavaScript, Node 20 and later, multipart uploads, SigV4 checked), on a
 * scratch directory. It runs in a child process (this file is also its entry point, so it imports no test
 * framework), which keeps its memory out of the suite's RSS measurements; the test sees every request it receives,
 * to tell a multipart upload from a single PutObject.
 *
 * s3rver makes ListObjectsV2 continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider: the child
 * runs with --openssl-legacy-provider (only the child: the store under test runs without it). s3rver 4.0.4 also
 * computes the canonical URI of bucket-level requests (ListObjectsV2) without the trailing `/` the
 * SDK signs, so it refuses their signatures; `strictSignatures: false` (the default here) lets those through, and
 * the suite checks signatures on object requests with a strict server of its own.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** s3rver's built-in account: the only credentials it knows. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
/** How long the server may take to start. */
const START_TIMEOUT_MS = 20_000;

/** A request the server received. */
export interface S3Request {
  method: string;
  /** Path and query, as sent. */
  url: string;
}

export interface S3Server {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  bucket: string;
  region: string;
  /** Every request received so far, in order (`await requests()` first waits for those still on their way). */
  requests(): Promise<S3Request[]>;
  /** Forgets the requests received so far. */
  clearRequests(): void;
  stop(): Promise<void>;
}

/** Messages from the child to the test. */
type FromServer = { ready: number } | { request: S3Request } | { flushed: number } | { failed: string };

/** The part of s3rver's API used here (the package ships no types). */
interface S3rverInstance {
  run(): Promise<{ port: number }>;
  httpServer: Server;
}
type S3rverClass = new (opts: { address: string; port: number; silent: boolean; directory: string; allowMismatchedSignatures: boolean; configureBuckets: { name: string }[] }) => S3rverInstance;

/** Starts s3rver on 127.0.0.1 with one empty bucket; the caller stops it (`t.teardown(server.stop)`), which removes its files. */
export async function startS3Server(opts: { bucket?: string; strictSignatures?: boolean } = {}): Promise<S3Server> {
  const bucket = opts.bucket ?? 'leakdex-test';
  const dir = mkdtempSync(join(tmpdir(), 'leakdex-s3rver-'));
  const child = fork(fileURLToPath(import.meta.url), ['--serve', dir, bucket, opts.strictSignatures ? 'strict' : 'lenient'], { execArgv: ['--openssl-legacy-provider'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const log: S3Request[] = [];
  const flushes = new Map<number, () => void>();
  let flushId = 0;
  let stopped = false;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`s3rver did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    child.on('message', (m: FromServer) => {
      if ('ready' in m) {
        clearTimeout(timer);
        resolve(m.ready);
      } else if ('request' in m) log.push(m.request);
      else if ('flushed' in m) flushes.get(m.flushed)?.();
      else if ('failed' in m) reject(new Error(`s3rver failed to start: ${m.failed}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!stopped) reject(new Error(`s3rver exited with code ${code}`));
    });
  });
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    region: 'us-east-1',
    async requests() {
      const id = ++flushId;
      // IPC keeps order: once the child answers this, every request it saw before has arrived here.
      await new Promise<void>((resolve) => {
        flushes.set(id, resolve);
        child.send({ flush: id });
      });
      flushes.delete(id);
      return [...log];
    },
    clearRequests() {
      log.length = 0;
    },
    stop,
  };
}

/** The child: runs s3rver until its parent disconnects or ends it. */
async function serve(dir: string, bucket: string, strict: boolean): Promise<void> {
  const send = (m: FromServer) => process.send?.(m);
  try {
    const S3rver = createRequire(import.meta.url)('@20minutes/s3rver') as S3rverClass;
    const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, allowMismatchedSignatures: !strict, configureBuckets: [{ name: bucket }] });
    const { port } = await server.run();
    server.httpServer.prependListener('request', (req: IncomingMessage) => send({ request: { method: req.method ?? '', url: req.url ?? '' } }));
    process.on('message', (m: { flush?: number }) => {
      if (typeof m.flush === 'number') send({ flushed: m.flush });
    });
    process.on('disconnect', () => process.exit(0));
    send({ ready: port });
  } catch (e) {
    send({ failed: e instanceof Error ? e.message : String(e) });
    process.exit(1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--serve') {
  void serve(process.argv[3]!, process.argv[4]!, process.argv[5] === 'strict');
}
