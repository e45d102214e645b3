/**
 * Marketplace sources: what a submitted URL names (parseSource), the latest version of a source (check), and the
 * download of that version (via the safe downloader only). See docs/marketplaces-usage.md.
 */
import { parse as parsePlist } from 'plist';
import { DownloadFailed, fetchBytes, redactUrl, type FetchOptions } from './download.js';
import { normalizeFingerprint, verifySignedJar } from './jar.js';

/** f-droid.org's pinned index signer (SHA-256 of the certificate). */
export const FDROID_FINGERPRINT = '43238d512c1e5eb2d6569f4a3afbf5523418b82e0a3ed1552770abb9a9c9ccab';
export const FDROID_REPO = 'https://f-droid.org/repo';
/** Largest decoded index / API answer (f-droid.org's index-v2.json is ~30 MB). */
export const MAX_INDEX_BYTES = 128 * 1024 * 1024;
/** Most GitHub releases read per check. */
export const MAX_RELEASES = 100;
const APP_EXT = /\.(apk|aab|ipa|xapk|apkm|apks)$/i;

export type Source =
  | { kind: 'direct'; url: string }
  | { kind: 'fdroid'; repo: string; fingerprint: string; appId: string; beta?: boolean }
  | { kind: 'github'; owner: string; repo: string; tag?: string; assetPattern?: string; allReleases?: boolean }
  | { kind: 'ota'; manifestUrl: string }
  | { kind: 'appstore'; trackId?: string; bundleId?: string; country: string; ipaSource?: Source }
  | { kind: 'play'; appId: string; gl: string };

/** A version found at a source, and where to download it (absent for watch-only stores). */
export interface Version {
  /** Unique per source and build: scanned once. */
  key: string;
  versionName?: string;
  versionCode?: string;
  appId?: string;
  download?: { url: string; sha256?: string; headers?: Record<string, string>; filename: string };
}

/** Where the third-party APIs live (overridable for private mirrors and tests). */
export interface Endpoints {
  github: string;
  itunes: string;
  play: string;
}

export function endpointsFromEnv(env: NodeJS.ProcessEnv = process.env): Endpoints {
  return {
    github: env.LEAKDEX_GITHUB_API ?? 'https://api.github.com',
    itunes: env.LEAKDEX_ITUNES_API ?? 'https://itunes.apple.com',
    play: env.LEAKDEX_PLAY_BASE ?? 'https://play.google.com',
  };
}

export interface SourceContext {
  fetch?: FetchOptions;
  endpoints?: Endpoints;
  githubToken?: string;
  /** Per-source state kept between checks (ETags, cached F-Droid index); updated in place. */
  state?: SourceState;
}

export interface SourceState {
  etag?: string;
  fdroid?: { timestamp: number; index: FdroidIndex };
  [k: string]: unknown;
}

/** A URL that names something we cannot download (store) or do not understand: 422 / exit 2. */
export class SourceError extends Error {
  constructor(
    readonly code: 'store_download_unavailable' | 'unsupported_url' | 'not_found' | 'bad_index' | 'verification_failed',
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'SourceError';
  }
}

// ---- URL -> source -------------------------------------------------------------------------------------------

/** What a submitted URL names (section 8 of the marketplace notes). */
export function parseSource(input: string): Source {
  let u: URL;
  try {
    u = new URL(input.trim());
  } catch {
    throw new SourceError('unsupported_url', 'not a valid absolute URL');
  }
  if (u.protocol === 'itms-services:') {
    const m = /[?&]url=([^&]+)/.exec(u.href);
    if (!m || !/action=download-manifest/.test(u.href)) throw new SourceError('unsupported_url', 'an itms-services URL needs action=download-manifest&url=…');
    return { kind: 'ota', manifestUrl: decodeURIComponent(m[1]!) };
  }
  if (u.protocol === 'fdroidrepos:') u = new URL(`https:${u.href.slice('fdroidrepos:'.length)}`);
  const host = u.hostname.toLowerCase();
  const path = u.pathname;
  if (host === 'f-droid.org' || host === 'www.f-droid.org') {
    const m = /^\/(?:[a-zA-Z_-]+\/)?packages\/([A-Za-z0-9_.]+)\/?$/.exec(path);
    if (m) return { kind: 'fdroid', repo: FDROID_REPO, fingerprint: FDROID_FINGERPRINT, appId: m[1]! };
  }
  const fp = u.searchParams.get('fingerprint');
  if (fp) {
    const appId = u.searchParams.get('package') ?? u.searchParams.get('appId') ?? u.searchParams.get('id') ?? '';
    if (!/^[0-9a-fA-F:]{64,95}$/.test(fp) || normalizeFingerprint(fp).length !== 64) throw new SourceError('unsupported_url', 'the repository fingerprint must be 64 hex digits (SHA-256 of the signer certificate)');
    if (!/^[A-Za-z0-9_.]+$/.test(appId)) throw new SourceError('unsupported_url', 'an F-Droid repository URL needs the app: add &package=<applicationId>');
    return { kind: 'fdroid', repo: `${u.protocol}//${u.host}${path.replace(/\/+$/, '')}`, fingerprint: normalizeFingerprint(fp), appId };
  }
  if (host === 'github.com') {
    const m = /^\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)\/releases(?:\/(latest)|\/tag\/([^/]+))?\/?$/.exec(path);
    if (m) return { kind: 'github', owner: m[1]!, repo: m[2]!, ...(m[4] ? { tag: decodeURIComponent(m[4]) } : {}) };
    if (/^\/[^/]+\/[^/]+\/releases\/download\//.test(path)) return { kind: 'direct', url: u.href };
  }
  if (host === 'apps.apple.com' || host === 'itunes.apple.com') {
    const m = /\/id(\d+)/.exec(path);
    const cc = /^\/([a-z]{2})\//.exec(path)?.[1] ?? 'us';
    if (m) return { kind: 'appstore', trackId: m[1]!, country: cc };
  }
  if (host === 'play.google.com') {
    const id = u.searchParams.get('id');
    if (path.startsWith('/store/apps/details') && id && /^[A-Za-z0-9_.]+$/.test(id)) return { kind: 'play', appId: id, gl: (u.searchParams.get('gl') ?? 'US').toUpperCase() };
  }
  // Any other web URL is a direct download, whatever its path (`/download?id=1`, a redirect to a CDN): what it serves is
  // classified by content once downloaded (downloadToFile, then src/pipeline/artifact.ts), never by its name.
  if (u.protocol === 'https:' || u.protocol === 'http:') return { kind: 'direct', url: u.href };
  throw new SourceError(
    'unsupported_url',
    `${redactUrl(u.href)} is not a supported source: give an http(s) URL that serves an app (APK, AAB, IPA, XAPK, APKM, APKS, zipped .app), an F-Droid package page or repository (…/repo?fingerprint=…&package=…), a GitHub releases URL, an itms-services:// manifest, or an App Store / Google Play page (watch only)`,
  );
}

// ---- F-Droid ------------------------------------------------------------------------------------------------

interface FileV2 {
  name: string;
  sha256: string;
  size?: number;
}
interface VersionV2 {
  added?: number;
  file: FileV2;
  manifest: { versionName?: string; versionCode: number; signer?: { sha256?: string[] }; nativecode?: string[] };
  releaseChannels?: string[];
}
export interface FdroidIndex {
  repo: { timestamp: number; address?: string };
  packages: Record<string, { metadata?: { preferredSigner?: string }; versions: Record<string, VersionV2> }>;
}

/** RFC 7386 JSON merge patch (what F-Droid's diff/<ts>.json files are). */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (k === '__proto__') continue;
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** The version the F-Droid client suggests: no release channel (unless beta), the preferred signer, highest versionCode. */
export function suggestedVersion(index: FdroidIndex, appId: string, beta = false): VersionV2 | undefined {
  const pkg = index.packages?.[appId];
  if (!pkg || typeof pkg.versions !== 'object') return undefined;
  let versions = Object.values(pkg.versions).filter((v) => v && v.file && v.manifest && Number.isFinite(Number(v.manifest.versionCode)));
  if (!beta) versions = versions.filter((v) => !v.releaseChannels || v.releaseChannels.length === 0);
  const pref = pkg.metadata?.preferredSigner;
  if (pref) {
    const signed = versions.filter((v) => v.manifest.signer?.sha256?.includes(pref));
    if (signed.length) versions = signed;
  }
  versions.sort((a, b) => Number(b.manifest.versionCode) - Number(a.manifest.versionCode) || (b.added ?? 0) - (a.added ?? 0));
  return versions[0];
}

function parseJson<T>(body: Buffer, what: string): T {
  try {
    return JSON.parse(body.toString('utf8')) as T;
  } catch (e) {
    throw new SourceError('bad_index', `${what} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Fetches (or refreshes from a diff) the repository's verified index; `unchanged` when entry.jar answered 304. */
export async function fdroidIndex(src: Extract<Source, { kind: 'fdroid' }>, ctx: SourceContext): Promise<{ index: FdroidIndex; unchanged: boolean; via: 'index-v2' | 'diff' | 'index-v1' | 'cache' }> {
  const state = ctx.state ?? {};
  const base = src.repo.replace(/\/+$/, '');
  const fo = { ...ctx.fetch, maxBytes: MAX_INDEX_BYTES };
  let entryRes;
  try {
    entryRes = await fetchBytes(`${base}/entry.jar`, { ...fo, acceptStatus: [304], headers: state.etag && state.fdroid ? { 'if-none-match': state.etag } : {} });
  } catch (e) {
    if (e instanceof DownloadFailed && e.status === 404) return { index: await fdroidIndexV1(base, src, fo), unchanged: false, via: 'index-v1' };
    throw e;
  }
  if (entryRes.status === 304 && state.fdroid) return { index: state.fdroid.index, unchanged: true, via: 'cache' };
  let entryJson: Buffer;
  try {
    entryJson = verifySignedJar(entryRes.body, src.fingerprint, 'entry.json').content;
  } catch (e) {
    throw new SourceError('verification_failed', `${redactUrl(`${base}/entry.jar`)}: ${(e as Error).message}`);
  }
  const entry = parseJson<{ timestamp: number; index: FileV2; diffs?: Record<string, FileV2> }>(entryJson, 'entry.json');
  if (!entry.index || typeof entry.index.name !== 'string' || !/^[0-9a-f]{64}$/i.test(entry.index.sha256 ?? '')) throw new SourceError('bad_index', 'entry.json names no index');
  const etag = entryRes.headers.etag;
  let index: FdroidIndex | undefined;
  let via: 'index-v2' | 'diff' = 'index-v2';
  const cached = state.fdroid;
  if (cached && cached.timestamp === entry.timestamp) index = cached.index;
  else if (cached && entry.diffs?.[String(cached.timestamp)] && cached.index.packages?.[src.appId]) {
    const d = entry.diffs[String(cached.timestamp)]!;
    try {
      const r = await fetchBytes(`${base}${d.name.startsWith('/') ? '' : '/'}${d.name}`, { ...fo, sha256: d.sha256 });
      index = mergePatch(cached.index, parseJson(r.body, 'the index diff')) as FdroidIndex;
      via = 'diff';
    } catch (e) {
      if (e instanceof DownloadFailed && e.code === 'sha256_mismatch') throw new SourceError('verification_failed', `the index diff does not match entry.json's sha256`);
      index = undefined; // fall back to the whole index
    }
  }
  if (!index) {
    try {
      const r = await fetchBytes(`${base}${entry.index.name.startsWith('/') ? '' : '/'}${entry.index.name}`, { ...fo, sha256: entry.index.sha256 });
      index = parseJson<FdroidIndex>(r.body, entry.index.name);
    } catch (e) {
      if (e instanceof DownloadFailed && e.code === 'sha256_mismatch') throw new SourceError('verification_failed', `SHA-256 of ${entry.index.name} does not match entry.json`);
      throw e;
    }
  }
  if (!index || typeof index !== 'object' || typeof index.packages !== 'object') throw new SourceError('bad_index', 'the index has no packages');
  // Keep only the watched app in the cache: diffs apply to it the same way.
  const pruned: FdroidIndex = { repo: index.repo, packages: index.packages[src.appId] ? { [src.appId]: index.packages[src.appId]! } : {} };
  state.fdroid = { timestamp: entry.timestamp, index: pruned };
  if (typeof etag === 'string') state.etag = etag;
  return { index: pruned, unchanged: false, via };
}

/** The old signed index (index-v1.jar, index-v1.json) for repositories without entry.jar. */
async function fdroidIndexV1(base: string, src: Extract<Source, { kind: 'fdroid' }>, fo: FetchOptions): Promise<FdroidIndex> {
  const r = await fetchBytes(`${base}/index-v1.jar`, fo);
  let json: Buffer;
  try {
    json = verifySignedJar(r.body, src.fingerprint, 'index-v1.json').content;
  } catch (e) {
    throw new SourceError('verification_failed', `${redactUrl(`${base}/index-v1.jar`)}: ${(e as Error).message}`);
  }
  const v1 = parseJson<{ repo: { timestamp: number }; apps?: { packageName: string; suggestedVersionCode?: string }[]; packages?: Record<string, { apkName: string; hash: string; versionCode: number; versionName?: string; signer?: string }[]> }>(json, 'index-v1.json');
  const list = v1.packages?.[src.appId] ?? [];
  const suggested = Number(v1.apps?.find((a) => a.packageName === src.appId)?.suggestedVersionCode ?? NaN);
  const versions: Record<string, VersionV2> = {};
  for (const p of list) {
    if (Number.isFinite(suggested) && p.versionCode > suggested) continue;
    versions[p.hash] = { file: { name: `/${p.apkName}`, sha256: p.hash }, manifest: { versionCode: p.versionCode, versionName: p.versionName } };
  }
  return { repo: { timestamp: v1.repo?.timestamp ?? 0 }, packages: list.length ? { [src.appId]: { versions } } : {} };
}

// ---- GitHub ------------------------------------------------------------------------------------------------

interface GhAsset {
  name: string;
  browser_download_url: string;
  url: string;
  digest?: string | null;
  size?: number;
}
interface GhRelease {
  tag_name: string;
  name?: string;
  draft?: boolean;
  prerelease?: boolean;
  assets: GhAsset[];
}

function pickAsset(assets: GhAsset[], pattern?: string): GhAsset | undefined {
  let re: RegExp | undefined;
  if (pattern) {
    const glob = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${glob}$`, 'i');
  }
  return assets.find((a) => (re ? re.test(a.name) : APP_EXT.test(a.name)));
}

async function githubCheck(src: Extract<Source, { kind: 'github' }>, ctx: SourceContext): Promise<Version[] | 'unchanged'> {
  const ep = ctx.endpoints ?? endpointsFromEnv();
  const state = ctx.state ?? {};
  const path = src.tag ? `releases/tags/${encodeURIComponent(src.tag)}` : src.allReleases ? `releases?per_page=${MAX_RELEASES}` : 'releases/latest';
  const apiUrl = `${ep.github.replace(/\/+$/, '')}/repos/${encodeURIComponent(src.owner)}/${encodeURIComponent(src.repo)}/${path}`;
  const headers: Record<string, string> = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };
  if (ctx.githubToken) headers.authorization = `Bearer ${ctx.githubToken}`;
  if (state.etag) headers['if-none-match'] = state.etag;
  let r;
  try {
    r = await fetchBytes(apiUrl, { ...ctx.fetch, headers, acceptStatus: [304], maxBytes: MAX_INDEX_BYTES });
  } catch (e) {
    if (e instanceof DownloadFailed && (e.status === 403 || e.status === 429)) throw new DownloadFailed('http_status', `GitHub rate limit or access refused (HTTP ${e.status}); set a token (LEAKDEX_GITHUB_TOKEN) or wait`, e.status);
    if (e instanceof DownloadFailed && e.status === 404) throw new SourceError('not_found', `no release at github.com/${src.owner}/${src.repo}${src.tag ? ` tag ${src.tag}` : ''}`);
    throw e;
  }
  if (r.status === 304) return 'unchanged';
  if (typeof r.headers.etag === 'string') state.etag = r.headers.etag;
  const parsed = parseJson<GhRelease | GhRelease[]>(r.body, 'the GitHub answer');
  const releases = (Array.isArray(parsed) ? parsed : [parsed]).filter((x) => x && !x.draft && Array.isArray(x.assets));
  const out: Version[] = [];
  for (const rel of releases.slice(0, MAX_RELEASES)) {
    const asset = pickAsset(rel.assets, src.assetPattern);
    if (!asset) continue;
    const sha = typeof asset.digest === 'string' && asset.digest.startsWith('sha256:') ? asset.digest.slice(7) : undefined;
    out.push({
      key: `github:${src.owner}/${src.repo}:${rel.tag_name}:${asset.name}${sha ? `:${sha}` : ''}`,
      versionName: rel.tag_name,
      download: { url: asset.browser_download_url, ...(sha ? { sha256: sha } : {}), filename: asset.name },
    });
  }
  if (out.length === 0) throw new SourceError('not_found', `no app asset (.apk/.aab/.ipa/…) in the release${src.assetPattern ? ` matching ${src.assetPattern}` : ''}`);
  return out;
}

// ---- itms-services OTA manifest --------------------------------------------------------------------------------

async function otaCheck(src: Extract<Source, { kind: 'ota' }>, ctx: SourceContext): Promise<Version[]> {
  const r = await fetchBytes(src.manifestUrl, { ...ctx.fetch, maxBytes: 1024 * 1024 });
  let doc: unknown;
  try {
    doc = parsePlist(r.body.toString('utf8'));
  } catch (e) {
    throw new SourceError('bad_index', `the OTA manifest is not a plist: ${(e as Error).message}`);
  }
  const items = (doc as { items?: { assets?: { kind?: string; url?: string }[]; metadata?: Record<string, string> }[] }).items;
  const item = Array.isArray(items) ? items[0] : undefined;
  const pkg = item?.assets?.find((a) => a.kind === 'software-package' && typeof a.url === 'string');
  if (!item || !pkg) throw new SourceError('bad_index', 'the OTA manifest has no software-package asset');
  const md = item.metadata ?? {};
  const url = new URL(pkg.url!, r.url).href;
  return [
    {
      key: `ota:${md['bundle-identifier'] ?? ''}:${md['bundle-version'] ?? ''}:${url}`,
      versionName: md['bundle-version'],
      appId: md['bundle-identifier'],
      download: { url, filename: decodeURIComponent(new URL(url).pathname.split('/').pop() || 'app.ipa') },
    },
  ];
}

// ---- App Store and Google Play (identity + version, no download) ------------------------------------------------

export interface StoreIdentity {
  store: 'appstore' | 'play';
  appId?: string;
  trackId?: string;
  name?: string;
  version?: string;
  releasedAt?: string;
  country?: string;
  bestEffort?: boolean;
}

async function itunesLookup(src: Extract<Source, { kind: 'appstore' }>, ctx: SourceContext): Promise<StoreIdentity> {
  const ep = ctx.endpoints ?? endpointsFromEnv();
  const q = src.trackId ? `id=${encodeURIComponent(src.trackId)}` : `bundleId=${encodeURIComponent(src.bundleId ?? '')}`;
  const r = await fetchBytes(`${ep.itunes.replace(/\/+$/, '')}/lookup?${q}&country=${encodeURIComponent(src.country)}&entity=software`, { ...ctx.fetch, maxBytes: 4 * 1024 * 1024 });
  const j = parseJson<{ resultCount?: number; results?: { trackId?: number; bundleId?: string; trackName?: string; version?: string; currentVersionReleaseDate?: string }[] }>(r.body, 'the iTunes lookup answer');
  const hit = j.results?.[0];
  if (!hit) throw new SourceError('not_found', `the App Store (${src.country}) has no app ${src.trackId ?? src.bundleId}`);
  return { store: 'appstore', appId: hit.bundleId, trackId: hit.trackId !== undefined ? String(hit.trackId) : src.trackId, name: hit.trackName, version: hit.version, releasedAt: hit.currentVersionReleaseDate, country: src.country };
}

/** Best effort: Google Play's details page; bundle apps show "Varies with device", so the page's update date is the signal. */
async function playDetails(src: Extract<Source, { kind: 'play' }>, ctx: SourceContext): Promise<StoreIdentity> {
  const ep = ctx.endpoints ?? endpointsFromEnv();
  const r = await fetchBytes(`${ep.play.replace(/\/+$/, '')}/store/apps/details?id=${encodeURIComponent(src.appId)}&hl=en&gl=${encodeURIComponent(src.gl)}`, { ...ctx.fetch, maxBytes: 8 * 1024 * 1024 }).catch((e: unknown) => {
    if (e instanceof DownloadFailed && e.status === 404) throw new SourceError('not_found', `Google Play has no app ${src.appId}`);
    throw e;
  });
  const html = r.body.toString('utf8');
  const name = /<title[^>]*>([^<]*?)(?: - Apps on Google Play)?<\/title>/i.exec(html)?.[1]?.trim();
  const version = /\[\[\["(\d+(?:\.[\w-]+)+)"\]\]/.exec(html)?.[1] ?? /Current Version<\/div><span[^>]*><div[^>]*><span[^>]*>([^<]+)</.exec(html)?.[1];
  return { store: 'play', appId: src.appId, name, version: version ?? 'Varies with device', country: src.gl, bestEffort: true };
}

export async function storeIdentity(src: Source, ctx: SourceContext): Promise<StoreIdentity> {
  if (src.kind === 'appstore') return itunesLookup(src, ctx);
  if (src.kind === 'play') return playDetails(src, ctx);
  throw new Error('not a store source');
}

/** The 422 for a store URL: identity, version, and what to give instead. */
export async function storeRefusal(src: Extract<Source, { kind: 'appstore' | 'play' }>, ctx: SourceContext): Promise<SourceError> {
  let id: StoreIdentity | undefined;
  try {
    id = await storeIdentity(src, ctx);
  } catch {
    id = src.kind === 'play' ? { store: 'play', appId: src.appId, bestEffort: true } : { store: 'appstore', trackId: src.trackId, country: src.country };
  }
  const what = src.kind === 'appstore' ? `App Store app ${id.name ?? ''} ${id.appId ?? `id${id.trackId}`}${id.version ? ` version ${id.version}` : ''}` : `Google Play app ${id.appId}${id.version ? ` (version: ${id.version}, best effort)` : ''}`;
  const instead =
    src.kind === 'appstore'
      ? 'upload the IPA, or give its itms-services:// OTA manifest, a direct .ipa URL or a GitHub release; a watch on this URL reports new App Store versions and can download them from such an IPA source'
      : 'upload the APK/AAB, or give a direct URL, an F-Droid or GitHub release source; a watch on this URL reports new Play versions (best effort)';
  return new SourceError('store_download_unavailable', `${what.replace(/\s+/g, ' ').trim()}: the store does not allow anonymous downloads; ${instead}`, { identity: id });
}

// ---- the common entry points -------------------------------------------------------------------------------------

function fileName(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.split('/').pop() || 'app');
  } catch {
    return 'app';
  }
}

/** The latest version(s) of a source; 'unchanged' when an ETag said so. Store sources give versions without download. */
export async function checkSource(src: Source, ctx: SourceContext = {}): Promise<Version[] | 'unchanged'> {
  switch (src.kind) {
    case 'direct': {
      // A new build at the same URL shows as a new ETag / Last-Modified (HEAD); without either, the URL is scanned once.
      let validator = '';
      if (ctx.state) {
        const head = await fetchBytes(src.url, { ...ctx.fetch, method: 'HEAD' }).catch(() => undefined);
        const v = head?.headers.etag ?? head?.headers['last-modified'];
        if (typeof v === 'string') validator = `:${v.slice(0, 200)}`;
      }
      return [{ key: `direct:${src.url}${validator}`, download: { url: src.url, filename: fileName(src.url) } }];
    }
    case 'fdroid': {
      const { index, unchanged } = await fdroidIndex(src, ctx);
      if (unchanged) return 'unchanged';
      const v = suggestedVersion(index, src.appId, src.beta);
      if (!v) throw new SourceError('not_found', `the repository has no version of ${src.appId}`);
      if (!/^[0-9a-f]{64}$/i.test(v.file.sha256) || !v.file.name.startsWith('/') || v.file.name.includes('..')) throw new SourceError('bad_index', 'the index names an invalid file');
      return [
        {
          key: `fdroid:${src.appId}:${v.manifest.versionCode}:${v.file.sha256.toLowerCase()}`,
          appId: src.appId,
          versionCode: String(v.manifest.versionCode),
          versionName: v.manifest.versionName,
          download: { url: `${src.repo.replace(/\/+$/, '')}${v.file.name}`, sha256: v.file.sha256.toLowerCase(), filename: v.file.name.slice(1) },
        },
      ];
    }
    case 'github':
      return githubCheck(src, ctx);
    case 'ota':
      return otaCheck(src, ctx);
    case 'appstore': {
      const id = await itunesLookup(src, ctx);
      const v: Version = { key: `appstore:${id.trackId}:${id.version}`, appId: id.appId, versionName: id.version };
      if (src.ipaSource) {
        const inner = await checkSource(src.ipaSource, { ...ctx, state: undefined });
        if (inner !== 'unchanged' && inner[0]?.download) v.download = inner[0].download;
      }
      return [v];
    }
    case 'play': {
      const id = await playDetails(src, ctx);
      return [{ key: `play:${src.appId}:${id.version}`, appId: src.appId, versionName: id.version }];
    }
  }
}
