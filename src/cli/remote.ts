import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { toDiffFinding, type DiffFinding } from '../findings.js';
import type { VersionDiff } from '../report/advice.js';
import type { Report } from '../report/types.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { TOOL_VERSION } from '../version.js';

/** Longest single `?wait=` asked of the service, seconds (the service allows up to its maxWaitSeconds, 600 by default). */
export const REMOTE_WAIT_SECONDS = 30;
/** Shorter waits while a progress bar is shown, so it moves. */
export const REMOTE_WAIT_SECONDS_TTY = 2;
/** Default time `leakdex scan --server` waits for a result, seconds. */
export const DEFAULT_REMOTE_TIMEOUT_SECONDS = 900;
/** Timeout of the small requests (status, report, history), ms. */
export const REMOTE_REQUEST_TIMEOUT_MS = 120_000;

/**
 * The service could not be used: unreachable, refused the key, failed the scan, did not finish in time, or does not
 * take the file (not an app, over its upload limit) although a local scan reads it.
 */
export class RemoteError extends Error {
  override name = 'RemoteError';
  constructor(
    message: string,
    readonly hint?: string,
    /** The file itself is unreadable input (empty, a damaged ZIP): a usage error, as a local scan of it would be. */
    readonly inputRejected = false,
    /** The service's answer: HTTP status and error code, when it answered with an error. */
    readonly answer?: { status: number; code: string },
  ) {
    super(message);
  }
}

/** Statuses of an upload the service refused because of the file (docs/service.md, "Upload errors"). */
const REFUSED_UPLOAD = new Set([400, 413, 415, 422]);

export interface RemoteOptions {
  server: string;
  apiKey: string;
  /** Overall time limit, ms. */
  timeoutMs?: number;
  /** Scan again even when the service has a scan of the same file. */
  force?: boolean;
  /** Ask the service to verify the findings (`?verify=true`). */
  verify?: boolean;
  /** Progress updates (uploading, queued, scanning N/M). */
  onStatus?: (text: string, fraction?: number) => void;
  /** Use short waits so onStatus is called often. */
  interactive?: boolean;
}

interface ScanView {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  progress: { entriesDone: number; entriesTotal: number | null; fraction: number };
  error: string | null;
  appId: string | null;
  versionId: string | null;
  reused?: boolean;
}

export interface RemoteResult {
  report: Report;
  scanId: string;
  /** The comparison with the app's previous version, when the service holds one. */
  diff?: VersionDiff;
}

/** Validates and normalises a --server value: http(s) URL without a trailing slash. */
export function serverUrl(s: string): string {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new RemoteError(`--server ${s} is not a URL`, 'e.g. --server https://leakdex.example.com');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new RemoteError(`--server ${s} is not an http(s) URL`, 'e.g. --server https://leakdex.example.com');
  return u.href.replace(/\/+$/, '');
}

class Client {
  constructor(
    private readonly base: string,
    private readonly key: string,
  ) {}

  async request<T>(method: string, path: string, opts: { body?: FormData; timeoutMs?: number } = {}): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.key}`, accept: 'application/json', 'user-agent': `leakdex-cli/${TOOL_VERSION}` },
        body: opts.body,
        signal: AbortSignal.timeout(opts.timeoutMs ?? REMOTE_REQUEST_TIMEOUT_MS),
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      if (err.name === 'TimeoutError') throw new RemoteError(`${method} ${path} on ${this.base} timed out`, 'the service is slow or unreachable; try again or raise --timeout');
      const why = err.cause?.code ?? err.cause?.message ?? err.message;
      throw new RemoteError(`cannot reach ${this.base}: ${why}`, 'check --server and that the service is running');
    }
    const text = await res.text();
    if (!res.ok) {
      let code = '';
      let message = text.slice(0, 300);
      try {
        const body = JSON.parse(text) as { error?: string; message?: string };
        code = body.error ?? '';
        message = body.message ?? message;
      } catch {
        // Not our JSON error: keep the start of the body.
      }
      const what = `${this.base} answered ${res.status}${code ? ` ${code}` : ''}: ${message}`;
      if (res.status === 401) throw new RemoteError(what, 'check --api-key (or LEAKDEX_API_KEY)');
      if (res.status === 403) throw new RemoteError(what, 'the key needs the write scope to upload (leakdex keys create --scopes read,write)');
      throw new RemoteError(what, undefined, false, { status: res.status, code });
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new RemoteError(`${this.base}${path} did not answer JSON`, 'is --server the leakdex service?');
    }
  }
}

function label(v: { versionName: string | null; versionCode: string | null; id: string }): string {
  if (v.versionName && v.versionCode) return `${v.versionName} (${v.versionCode})`;
  return v.versionName ?? v.versionCode ?? v.id;
}

/**
 * Whether a local scan of `file` would refuse it as unreadable input (empty, over the size limit, a damaged or empty
 * ZIP, not what its name claims: src/pipeline/app-check.ts).
 */
async function unreadableLocally(file: string): Promise<boolean> {
  const { size } = await stat(file);
  if (size === 0 || size > DEFAULT_LIMITS.maxArtifactBytes) return true;
  // Only on a refusal: the check loads the ZIP decoder, which a remote scan otherwise never needs.
  const { artifactProblem } = await import('../pipeline/app-check.js');
  return (await artifactProblem(file, basename(file), { maxEntries: DEFAULT_LIMITS.maxEntries })) !== undefined;
}

/**
 * An upload the service refused, judged as a local scan would judge the file: unreadable input (exit 2) when a local
 * scan refuses it too, else the service could not be used for it (exit 3: it takes only apps, up to its own size limit).
 */
async function refusedUpload(file: string, e: RemoteError): Promise<RemoteError> {
  if (await unreadableLocally(file)) return new RemoteError(e.message, 'is it an APK, AAB or IPA?', true, e.answer);
  const { APP_KINDS_TEXT } = await import('../pipeline/artifact.js');
  const code = e.answer?.code;
  const hint =
    code === 'not_an_app' || code === 'not_an_archive'
      ? `the service takes only ${APP_KINDS_TEXT}; scan other files without --server`
      : code === 'too_large'
        ? "the file is over the service's upload limit; scan it without --server"
        : e.hint;
  return new RemoteError(e.message, hint, false, e.answer);
}

/**
 * Uploads `file` to the service, waits for its scan, and fetches the report and the diff with the app's previous
 * version. The report's artifact path is `file` as given, like a local scan's.
 */
export async function remoteScan(file: string, opts: RemoteOptions): Promise<RemoteResult> {
  const base = serverUrl(opts.server);
  const client = new Client(base, opts.apiKey);
  const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_REMOTE_TIMEOUT_SECONDS * 1000);
  const wait = () => Math.max(1, Math.min(opts.interactive ? REMOTE_WAIT_SECONDS_TTY : REMOTE_WAIT_SECONDS, Math.ceil((deadline - Date.now()) / 1000)));
  const form = new FormData();
  form.append('file', await openAsBlob(file), basename(file));
  opts.onStatus?.(`uploading ${basename(file)} to ${base}`);
  let scan: ScanView;
  try {
    scan = await client.request<ScanView>('POST', `/v1/scans?wait=${wait()}${opts.force ? '&force=true' : ''}${opts.verify ? '&verify=true' : ''}`, { body: form, timeoutMs: Math.max(1000, deadline - Date.now()) });
  } catch (e) {
    throw e instanceof RemoteError && e.answer && REFUSED_UPLOAD.has(e.answer.status) ? await refusedUpload(file, e) : e;
  }
  while (scan.status === 'queued' || scan.status === 'running') {
    if (Date.now() >= deadline) throw new RemoteError(`scan ${scan.id} did not finish in time (${scan.status})`, 'raise --timeout, or fetch it later from the service');
    const p = scan.progress;
    opts.onStatus?.(scan.status === 'queued' ? 'queued on the service' : `scanning on the service: ${p.entriesDone}${p.entriesTotal ? `/${p.entriesTotal}` : ''} entries`, scan.status === 'running' ? p.fraction : undefined);
    scan = await client.request<ScanView>('GET', `/v1/scans/${encodeURIComponent(scan.id)}?wait=${wait()}`, { timeoutMs: (wait() + 30) * 1000 });
  }
  if (scan.status === 'failed') throw new RemoteError(`the service could not scan ${file}: ${scan.error ?? 'unknown error'}`);
  const report = await client.request<Report>('GET', `/v1/scans/${encodeURIComponent(scan.id)}/report`);
  report.artifact = { ...report.artifact, path: file };
  const result: RemoteResult = { report, scanId: scan.id };
  if (scan.appId && scan.versionId) {
    try {
      const app = encodeURIComponent(scan.appId);
      const { versions } = await client.request<{ versions: { id: string; versionName: string | null; versionCode: string | null }[] }>('GET', `/v1/apps/${app}/versions`);
      const i = versions.findIndex((v) => v.id === scan.versionId);
      if (i > 0) {
        const prev = versions[i - 1]!;
        const d = await client.request<{ new: DiffFinding[]; resolved: DiffFinding[]; persisting: DiffFinding[]; signerChanged: boolean }>(
          'GET',
          `/v1/apps/${app}/diff?from=${encodeURIComponent(prev.id)}&to=${encodeURIComponent(scan.versionId)}`,
        );
        result.diff = { previous: label(prev), new: d.new.map(toDiffFinding), resolved: d.resolved.map(toDiffFinding), persisting: d.persisting.map(toDiffFinding), signerChanged: d.signerChanged };
      }
    } catch {
      // History is an extra: a report without the diff is still the report.
    }
  }
  return result;
}
