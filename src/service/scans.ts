import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Config } from '../config.js';
import type { Report } from '../report/types.js';
import { decide, failingOfCounts, type VerdictStatus } from '../report/verdict.js';
import type { ScanRecord, Store } from '../store/types.js';
import type { AuthContext } from './auth.js';
import { decryptSecret, type FindingKeys } from './crypto.js';
import { HttpError } from './errors.js';
import type { JobRunner } from './jobs.js';
import type { JobQueue } from './queue.js';
import type { BlobStore } from '../blobs/types.js';
import { removeUploadOf, storeUpload, uploadKey } from './uploads.js';
import { LocalBlobStore } from '../blobs/local.js';
import type { Metrics } from './metrics.js';
import { ScanThread } from './scan-thread.js';

/** Sub-directory of the data directory where uploads wait for their scan. */
export const UPLOADS_DIR = 'uploads';
/** Longest file name kept from an upload. */
const MAX_FILENAME = 200;
/** How often a waiting request re-reads a scan another process may be running, ms. */
const WAIT_POLL_MS = 500;

/** A multipart file part as @fastify/multipart hands it over. */
export interface UploadPart {
  fieldname: string;
  filename: string;
  file: NodeJS.ReadableStream & { truncated?: boolean; resume(): unknown };
}

/** A scan as clients see it (`GET /v1/scans/:id`). */
export interface ScanView {
  id: string;
  status: ScanRecord['status'];
  filename: string;
  sha256: string;
  size: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  attempts: number;
  progress: { entriesDone: number; entriesTotal: number | null; fraction: number };
  rating: ScanRecord['rating'];
  /** The verdict at the CLI's default gate (--fail-on high), once done. */
  verdict: VerdictStatus | null;
  summary: ScanRecord['summary'];
  error: string | null;
  appId: string | null;
  versionId: string | null;
  reused?: boolean;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Prefix of the private directory a URL submission downloads into (src/market/submit.ts). */
export const URL_DOWNLOAD_PREFIX = 'url-';
/** Suffix of an upload still being received. */
export const PARTIAL_SUFFIX = '.part';

/** Last time anything in `path` (a file, or a directory and the files directly in it) was written, ms. */
async function lastWritten(path: string): Promise<number> {
  const st = await stat(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let last = st.mtimeMs;
  for (const name of await readdir(path)) last = Math.max(last, (await stat(join(path, name)).catch(() => st)).mtimeMs);
  return last;
}

/**
 * Removes what uploads cut short by a stopped process (kill -9, a crash) left in `uploadsDir`: partial uploads
 * (`*.part`), blob writes cut short (`.*.tmp`) and URL download directories not written to since `before` (ms since
 * the epoch; the service passes its own start). Queued uploads (`*.upload@blob`, `*.upload` before the blob store) are
 * scans' input and stay. Resolves with the number removed.
 */
export async function removePartialUploads(uploadsDir: string, before: number): Promise<number> {
  let entries;
  try {
    entries = await readdir(uploadsDir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
  let removed = 0;
  for (const e of entries) {
    // A local blob's write cut short leaves its temporary file (src/blobs/local.ts: `.<name>.<random>.tmp`).
    const partial =
      (e.isFile() && (e.name.endsWith(PARTIAL_SUFFIX) || (e.name.startsWith('.') && e.name.endsWith('.tmp')))) || (e.isDirectory() && e.name.startsWith(URL_DOWNLOAD_PREFIX));
    if (!partial) continue;
    const path = join(uploadsDir, e.name);
    const written = await lastWritten(path).catch(() => undefined);
    if (written === undefined || written >= before) continue;
    await rm(path, { recursive: true, force: true });
    removed++;
  }
  return removed;
}

function cleanFilename(name: string | undefined): string {
  const base = basename(String(name ?? '')).replace(/[\u0000-\u001f\u007f]/g, '').slice(0, MAX_FILENAME);
  return base || 'upload';
}

/** Uploads, scan status, reports and deletion: what the /v1/scans routes call. */
export class ScanService {
  readonly uploadsDir: string;
  private readonly blobs: BlobStore;
  private readonly queue: JobQueue | undefined;
  private readonly thread: ScanThread;
  private readonly ownThread: boolean;

  constructor(
    private readonly deps: { store: Store; config: Config; metrics: Metrics; keys: FindingKeys; blobs?: BlobStore; queue?: JobQueue; runner?: JobRunner; thread?: ScanThread },
  ) {
    // The runner's blob store and queue, when there is a runner and none is given.
    this.blobs = deps.blobs ?? deps.runner?.blobs ?? new LocalBlobStore(deps.config.dataDir);
    this.queue = deps.queue ?? deps.runner?.queue;
    this.uploadsDir = join(deps.config.dataDir, UPLOADS_DIR);
    this.thread = deps.thread ?? new ScanThread();
    this.ownThread = deps.thread === undefined;
  }

  /** Stops the thread that inspects uploads when this service made it. */
  async close(): Promise<void> {
    if (this.ownThread) await this.thread.close();
  }

  /**
   * Streams the part to disk, hashes it and checks it is an app (in the scan thread), and queues a scan; the scan
   * row exists before this resolves. The same artifact in the same tenant reuses its scan unless `force`. `rest`,
   * when given, reads what follows the file in the request and throws when it may not be there (a second file).
   */
  async accept(auth: AuthContext, part: UploadPart, force: boolean, rest?: () => Promise<void>, verify?: boolean): Promise<{ scan: ScanRecord; reused: boolean }> {
    const { store, config, metrics } = this.deps;
    if (part.fieldname !== 'file') {
      part.file.resume();
      throw new HttpError(400, 'no_file', `expected the upload in the multipart field 'file', got '${part.fieldname}'`);
    }
    await mkdir(this.uploadsDir, { recursive: true });
    const tmp = join(this.uploadsDir, `${randomUUID()}${PARTIAL_SUFFIX}`);
    const limit = config.limits.maxUploadBytes;
    let keep = false;
    try {
      const out = createWriteStream(tmp, { flags: 'wx', mode: 0o600 });
      try {
        await pipeline(part.file, out);
      } catch (e) {
        if ((e as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw new HttpError(413, 'too_large', `the upload exceeds the limit of ${limit} bytes`);
        throw e;
      }
      if (part.file.truncated) throw new HttpError(413, 'too_large', `the upload exceeds the limit of ${limit} bytes`);
      await rest?.();
      const size = out.bytesWritten;
      if (size === 0) throw new HttpError(400, 'empty', 'the uploaded file is empty');
      const fh = await open(tmp, 'r');
      await fh.sync().finally(() => fh.close());
      const { sha256, entries } = await this.thread.inspect(tmp, config.limits.maxEntries);
      // `?verify=` wins; without it, the tenant's setting (docs/verification.md).
      const verifyScan = verify ?? (await store.verifications.getSettings(auth.tenantId)).verify;
      if (!force) {
        const existing = await store.findReusableScan(auth.tenantId, sha256);
        // An unverified scan is not reused for a request to verify: it is scanned again, verified.
        if (existing && (existing.verify || !verifyScan)) return { scan: existing, reused: true };
      }
      const id = randomUUID();
      const key = uploadKey(id);
      // The upload is in the blob store before its scan row exists, and the row before its job: a node that stops
      // between two of these leaves a blob no scan names (removed by the orphan sweep) or a queued scan with no
      // job (queued again by a runner's reconciler), never a job without its upload.
      await storeUpload(this.blobs, tmp, key, size);
      try {
        const scan = await store.insertScan({ id, tenantId: auth.tenantId, sha256, size, filename: cleanFilename(part.filename), uploadPath: key, entriesTotal: entries, createdAt: Date.now(), verify: verifyScan });
        keep = true;
        metrics.uploaded(size);
        await this.enqueue(scan);
        this.deps.runner?.notify();
        return { scan, reused: false };
      } finally {
        if (!keep) await removeUploadOf(this.blobs, key).catch(() => {});
      }
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /**
   * PostgreSQL mode: queues the scan's job in pg-boss. A failure here leaves the scan queued in the store, and a
   * runner's reconciler queues it within a minute or two: the upload is accepted either way.
   */
  private async enqueue(scan: ScanRecord): Promise<void> {
    const queue = this.queue;
    if (!queue) return;
    try {
      await queue.enqueueScan(scan, Math.max(0, (await this.deps.store.countQueued(scan.tenantId)) - 1));
    } catch {
      this.deps.metrics.enqueueFailed();
    }
  }

  view(scan: ScanRecord, reused?: boolean): ScanView {
    const total = scan.entriesTotal;
    const fraction = scan.status === 'done' ? 1 : scan.status === 'running' && total ? Math.min(0.99, scan.entriesDone / total) : 0;
    const view: ScanView = {
      id: scan.id,
      status: scan.status,
      filename: scan.filename,
      sha256: scan.sha256,
      size: scan.size,
      createdAt: iso(scan.createdAt)!,
      startedAt: iso(scan.startedAt),
      finishedAt: iso(scan.finishedAt),
      attempts: scan.attempts,
      progress: { entriesDone: scan.entriesDone, entriesTotal: total, fraction: Math.round(fraction * 1000) / 1000 },
      rating: scan.rating,
      verdict: scan.status === 'done' && scan.summary ? decide(failingOfCounts(scan.summary.bySeverity, 'high'), scan.summary.unscanned ?? 0) : null,
      summary: scan.summary,
      error: scan.error,
      appId: scan.appId,
      versionId: scan.versionId,
    };
    if (reused !== undefined) view.reused = reused;
    return view;
  }

  async get(auth: AuthContext, id: string): Promise<ScanRecord> {
    const scan = await this.deps.store.getScan(auth.tenantId, id);
    if (!scan) throw new HttpError(404, 'not_found', `no scan ${id}`);
    return scan;
  }

  /** Resolves once the scan is done or failed, or after `seconds`, with its latest state. */
  async waitFor(auth: AuthContext, id: string, seconds: number): Promise<ScanRecord> {
    const deadline = Date.now() + Math.min(seconds, this.deps.config.limits.maxWaitSeconds) * 1000;
    let scan = await this.get(auth, id);
    while ((scan.status === 'queued' || scan.status === 'running') && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const runner = this.deps.runner;
        const onFinished = (finished: string) => {
          if (finished === id) done();
        };
        const timer = setTimeout(() => done(), Math.min(WAIT_POLL_MS, Math.max(0, deadline - Date.now())));
        const done = () => {
          clearTimeout(timer);
          runner?.off('finished', onFinished);
          resolve();
        };
        runner?.on('finished', onFinished);
      });
      scan = await this.get(auth, id);
    }
    return scan;
  }

  /** The stored report; with `showSecrets` (admin, secrets stored) the values are decrypted back in. */
  async report(auth: AuthContext, id: string, showSecrets: boolean): Promise<Report> {
    const scan = await this.get(auth, id);
    if (scan.status !== 'done') throw new HttpError(409, 'not_ready', `scan ${id} is ${scan.status}: its report exists once it is done`);
    const body = await this.deps.store.getReport(auth.tenantId, id);
    if (!body) throw new HttpError(404, 'not_found', `no report for scan ${id}`);
    const report = JSON.parse(body) as Report;
    if (showSecrets) {
      const key = this.deps.keys.encryption;
      if (!key) throw new HttpError(409, 'secrets_not_stored', 'this service does not store raw secrets (LEAKDEX_STORE_SECRETS is off)');
      const stored = new Map((await this.deps.store.listScanFindings(auth.tenantId, id)).map((f) => [f.fingerprint, f.secretEnc]));
      for (const f of report.findings) {
        const enc = stored.get(f.fingerprint);
        if (enc) f.secret = decryptSecret(key, enc, f.fingerprint);
      }
    }
    return report;
  }

  async delete(auth: AuthContext, id: string): Promise<void> {
    const scan = await this.deps.store.deleteScan(auth.tenantId, id);
    if (!scan) throw new HttpError(404, 'not_found', `no scan ${id}`);
    await removeUploadOf(this.blobs, scan.uploadPath);
  }

  list(auth: AuthContext, limit: number, status?: ScanRecord['status']): Promise<ScanRecord[]> {
    return this.deps.store.listScans(auth.tenantId, { limit: Math.min(limit, this.deps.config.limits.maxListItems), status });
  }
}
