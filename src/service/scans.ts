import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Config } from '../config.js';
import { APP_KINDS_TEXT, classify } from '../pipeline/artifact.js';
import { FileSource } from '../pipeline/source.js';
import type { Report } from '../report/types.js';
import { decide, failingOfCounts, type VerdictStatus } from '../report/verdict.js';
import type { ScanRecord, Store } from '../store/types.js';
import type { AuthContext } from './auth.js';
import { decryptSecret, type FindingKeys } from './crypto.js';
import { HttpError } from './errors.js';
import type { JobRunner } from './jobs.js';
import type { Metrics } from './metrics.js';

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

/**
 * Classifies the upload by its content, as `leakdex scan` does (src/pipeline/artifact.ts): every app the CLI reads as
 * one is accepted; a loose file or a plain ZIP is refused.
 */
function inspectArtifact(path: string, maxEntries: number): { entries: number } {
  const src = new FileSource(path);
  try {
    const c = classify(src, '', { maxEntries });
    if (c.zipError !== undefined) throw new HttpError(422, 'not_an_archive', `the upload cannot be read as a ZIP archive: ${c.zipError}`);
    if (c.content !== 'zip') throw new HttpError(422, 'not_an_archive', `the upload is not a ZIP archive (it looks like ${c.kind === 'file' ? c.content : c.kind}): upload ${APP_KINDS_TEXT}`);
    if (!c.app) {
      throw new HttpError(422, 'not_an_app', `the upload is a ZIP archive but not an app: upload ${APP_KINDS_TEXT} (none of AndroidManifest.xml, base/manifest/AndroidManifest.xml, an X.app/ bundle or inner APKs was found)`);
    }
    return { entries: c.entries };
  } finally {
    src.close();
  }
}

function cleanFilename(name: string | undefined): string {
  const base = basename(String(name ?? '')).replace(/[\u0000-\u001f\u007f]/g, '').slice(0, MAX_FILENAME);
  return base || 'upload';
}

/** Uploads, scan status, reports and deletion: what the /v1/scans routes call. */
export class ScanService {
  readonly uploadsDir: string;

  constructor(
    private readonly deps: { store: Store; config: Config; metrics: Metrics; keys: FindingKeys; runner?: JobRunner },
  ) {
    this.uploadsDir = join(deps.config.dataDir, UPLOADS_DIR);
  }

  /**
   * Streams the part to disk (hashing as it goes), checks it is an app, and queues a scan; the scan row exists
   * before this resolves. The same artifact in the same tenant reuses its scan unless `force`.
   */
  async accept(auth: AuthContext, part: UploadPart, force: boolean): Promise<{ scan: ScanRecord; reused: boolean }> {
    const { store, config, metrics } = this.deps;
    if (part.fieldname !== 'file') {
      part.file.resume();
      throw new HttpError(400, 'no_file', `expected the upload in the multipart field 'file', got '${part.fieldname}'`);
    }
    await mkdir(this.uploadsDir, { recursive: true });
    const tmp = join(this.uploadsDir, `${randomUUID()}.part`);
    const limit = config.limits.maxUploadBytes;
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
    });
    let keep = false;
    try {
      try {
        await pipeline(part.file, meter, createWriteStream(tmp, { flags: 'wx', mode: 0o600 }));
      } catch (e) {
        if ((e as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw new HttpError(413, 'too_large', `the upload exceeds the limit of ${limit} bytes`);
        throw e;
      }
      if (part.file.truncated) throw new HttpError(413, 'too_large', `the upload exceeds the limit of ${limit} bytes`);
      if (size === 0) throw new HttpError(400, 'empty', 'the uploaded file is empty');
      const fh = await open(tmp, 'r');
      await fh.sync().finally(() => fh.close());
      const { entries } = inspectArtifact(tmp, config.limits.maxEntries);
      const sha256 = hash.digest('hex');
      if (!force) {
        const existing = await store.findReusableScan(auth.tenantId, sha256);
        if (existing) return { scan: existing, reused: true };
      }
      const id = randomUUID();
      const path = join(this.uploadsDir, `${id}.upload`);
      await rename(tmp, path);
      try {
        const scan = await store.insertScan({ id, tenantId: auth.tenantId, sha256, size, filename: cleanFilename(part.filename), uploadPath: path, entriesTotal: entries, createdAt: Date.now() });
        keep = true;
        metrics.uploaded(size);
        this.deps.runner?.notify();
        return { scan, reused: false };
      } finally {
        if (!keep) await rm(path, { force: true });
      }
    } finally {
      await rm(tmp, { force: true });
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
    if (scan.uploadPath) await rm(scan.uploadPath, { force: true });
  }

  list(auth: AuthContext, limit: number, status?: ScanRecord['status']): Promise<ScanRecord[]> {
    return this.deps.store.listScans(auth.tenantId, { limit: Math.min(limit, this.deps.config.limits.maxListItems), status });
  }
}
