/** URL submission: `leakdex scan URL` and `POST /v1/scans {"url": ...}` resolve the URL to one app file. */
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { APP_KINDS_TEXT, classify } from '../pipeline/artifact.js';
import { FileSource } from '../pipeline/source.js';
import { DownloadFailed, DownloadRefused, downloadToFile, redactUrl, type FetchOptions } from './download.js';
import { checkSource, parseSource, SourceError, storeRefusal, type Source, type SourceContext, type Version } from './sources.js';
import type { AuthContext } from '../service/auth.js';
import { HttpError } from '../service/errors.js';
import { URL_DOWNLOAD_PREFIX, type ScanService } from '../service/scans.js';
import type { ScanRecord } from '../store/types.js';

export interface Fetched {
  path: string;
  filename: string;
  sha256: string;
  size: number;
  source: Source;
  version: Version;
}

/** Resolves `url` to its app file and downloads it safely into `dir`. Store URLs throw SourceError('store_download_unavailable'). */
export async function fetchSubmitted(url: string, dir: string, ctx: SourceContext = {}): Promise<Fetched> {
  const source = parseSource(url);
  if (source.kind === 'appstore' || source.kind === 'play') throw await storeRefusal(source, ctx);
  const versions = await checkSource(source, ctx);
  const version = versions === 'unchanged' ? undefined : versions[0];
  if (!version?.download) throw new SourceError('not_found', 'the source names no downloadable app');
  const d = version.download;
  let filename = safeName(d.filename);
  let path = join(dir, filename); // `dir` is private to this download
  const fo: FetchOptions = { ...ctx.fetch, ...(d.sha256 ? { sha256: d.sha256 } : {}), ...(d.headers ? { headers: d.headers } : {}) };
  const r = await downloadToFile(d.url, path, fo);
  // What was downloaded is judged by its content, as an upload is: the URL's path says nothing.
  const c = classifyFile(path);
  if (!c.app) {
    await rm(path, { force: true });
    const what = c.zipError !== undefined ? `a damaged ZIP archive (${c.zipError})` : c.content === 'zip' ? 'a ZIP archive but not an app' : 'not a ZIP archive';
    throw new DownloadFailed('not_an_app', `${redactUrl(r.url)} served ${what}: leakdex reads ${APP_KINDS_TEXT}`);
  }
  // A direct link named by its query (`/download?id=1`) that redirected to a named file is shown by that name.
  const finalName = r.url !== d.url ? safeName(fileNameOf(r.url)) : filename;
  if (source.kind === 'direct' && finalName !== filename && finalName !== 'app') {
    const renamed = join(dir, finalName);
    await rename(path, renamed);
    [path, filename] = [renamed, finalName];
  }
  return { path, filename, sha256: r.sha256, size: r.size, source, version };
}

function safeName(name: string): string {
  return basename(name).replace(/[^\w.+-]/g, '_').slice(0, 200) || 'app';
}

function fileNameOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
  } catch {
    return '';
  }
}

function classifyFile(path: string): ReturnType<typeof classify> {
  const src = new FileSource(path);
  try {
    return classify(src, '');
  } finally {
    src.close();
  }
}

/**
 * A one-line reason for any failure of fetchSubmitted, with the HTTP status the API answers: 422 when the URL or what
 * it serves is at fault, 502 (`upstream_unreachable`) when the source could not be reached or failed on its side (DNS,
 * connection refused or reset, TLS, a 5xx answer), 504 (`upstream_timeout`) when it did not answer in time.
 */
export function describeFailure(e: unknown): { status: number; code: string; message: string } | undefined {
  if (e instanceof DownloadRefused) return { status: 422, code: 'url_refused', message: e.message };
  if (e instanceof SourceError) return { status: 422, code: e.code, message: e.message };
  if (e instanceof DownloadFailed) {
    if (e.code === 'network' || (e.code === 'http_status' && e.status !== undefined && e.status >= 500)) return { status: 502, code: 'upstream_unreachable', message: `the source could not be reached: ${e.message}` };
    if (e.code === 'timeout') return { status: 504, code: 'upstream_timeout', message: `the source did not answer in time: ${e.message}` };
    return { status: 422, code: e.code === 'sha256_mismatch' ? 'sha256_mismatch' : e.code === 'not_an_app' ? 'not_an_app' : 'download_failed', message: `download failed: ${e.message}` };
  }
  return undefined;
}

/** CLI: downloads into a private temp dir removed at exit; errors become one-line messages (exit 2). */
export async function downloadForCli(url: string, ctx: SourceContext = {}): Promise<Fetched> {
  const dir = mkdtempSync(join(tmpdir(), 'leakdex-url-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  try {
    return await fetchSubmitted(url, dir, { githubToken: process.env.LEAKDEX_GITHUB_TOKEN, ...ctx });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    const f = describeFailure(e);
    throw f ? new Error(`${f.message} (${f.code})`) : e;
  }
}

/** API: downloads the URL into the uploads directory, then queues it exactly like an upload. */
export async function acceptUrl(scans: ScanService, auth: AuthContext, url: string, force: boolean, ctx: SourceContext = {}, verify?: boolean): Promise<{ scan: ScanRecord; reused: boolean }> {
  await mkdir(scans.uploadsDir, { recursive: true });
  const dir = join(scans.uploadsDir, `${URL_DOWNLOAD_PREFIX}${randomUUID()}`);
  await mkdir(dir, { mode: 0o700 });
  try {
    let got: Fetched;
    try {
      got = await fetchSubmitted(url, dir, { githubToken: process.env.LEAKDEX_GITHUB_TOKEN, ...ctx });
    } catch (e) {
      const f = describeFailure(e);
      if (f) throw new HttpError(f.status, f.code, f.message);
      throw e;
    }
    const file = createReadStream(got.path) as unknown as NodeJS.ReadableStream & { resume(): unknown };
    return await scans.accept(auth, { fieldname: 'file', filename: got.filename, file }, force, undefined, verify);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
