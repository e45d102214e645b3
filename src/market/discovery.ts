/**
 * Organization discovery: given an organization's identifiers on each source (App Store developer ids and names,
 * Google Play developers, F-Droid repositories with filters, GitHub logins, OTA manifests), lists its apps, each with
 * a URL that parseSource() (src/market/sources.ts) accepts, so that it can become a watch.
 *
 * - One "unit" is one identifier on one source; units are isolated: a failing unit is ok:false with a plain message
 *   (host and path only), the others still run. discoverApps never throws for a remote failure.
 * - Every request goes through the safe downloader (fetchBytes) with a byte cap; every count read from an answer is
 *   capped (MAX_DISCOVERED_PER_UNIT apps per unit, MAX_GITHUB_PAGES pages, releases and assets per repository);
 *   every remote string kept is length-capped with control characters removed.
 * - ETags: the state remembers, per unit, the ETag of each URL with what that URL gave (the apps, a GitHub page's
 *   repositories, a repository's app), so a 304 reuses it; `unchanged` is true when every request of the unit got 304.
 * - Politeness: at most one request in flight per host and at least minIntervalMs between two requests to one host;
 *   units run concurrently across hosts. GitHub's rate limit stops GitHub units (never a long sleep).
 */
import { parse as parsePlist } from 'plist';
import { DownloadFailed, fetchBytes, redactUrl, type FetchOptions, type FetchResult } from './download.js';
import { normalizeFingerprint, verifySignedJar } from './jar.js';
import { endpointsFromEnv, MAX_INDEX_BYTES, parseSource, type Endpoints } from './sources.js';

export interface OrgIdentifiers {
  appStore?: { developerIds?: string[]; developerNames?: string[]; country?: string };
  play?: { developers?: string[]; gl?: string };
  fdroid?: { repo: string; fingerprint: string; authors?: string[]; packagePrefixes?: string[]; sourceHosts?: string[] }[];
  github?: string[];
  packagePrefixes?: string[];
  otaManifests?: string[];
}
export type DiscoverySourceKind = 'appstore' | 'play' | 'fdroid' | 'github' | 'ota';
export interface DiscoveredApp {
  key: string;
  source: DiscoverySourceKind;
  platform: 'android' | 'ios' | 'unknown';
  appId?: string;
  name?: string;
  version?: string;
  url: string;
  bestEffort?: boolean;
}
export interface SourceOutcome {
  unit: string;
  source: DiscoverySourceKind;
  ok: boolean;
  apps: DiscoveredApp[];
  unchanged: boolean;
  error?: string;
  requests: number;
  bestEffort?: boolean;
  /** Something the caller should know that is not an error (a cap reached, a link not followed). */
  note?: string;
}
/** What a unit remembers between runs (JSON-serialisable). */
export interface DiscoveryStateEntry {
  /** ETag by URL, kept only for URLs whose result is remembered too. */
  etags?: Record<string, string>;
  apps?: DiscoveredApp[];
  fdroidTimestamp?: number;
  /** The unit's configuration (country, filters) the remembered apps were found with: another one sends no ETag. */
  filter?: string;
  /** GitHub: whether the login is an organization or a user (no 404 detour next time). */
  githubPath?: 'orgs' | 'users';
  /** GitHub: each repository list page URL's repositories and next page. */
  pages?: Record<string, GithubPage>;
  /** GitHub: each repository's app (null: no app asset) found from its releases. */
  repos?: Record<string, DiscoveredApp | null>;
}
/** A remembered page of a GitHub repository list: repositories (owner/name, forks excluded), entries, next page. */
export interface GithubPage {
  repos: string[];
  count?: number;
  next?: string;
}
export interface DiscoveryState {
  [unit: string]: DiscoveryStateEntry;
}
export interface DiscoveryContext {
  fetch?: FetchOptions;
  endpoints?: Endpoints;
  githubToken?: string;
  state?: DiscoveryState;
  minIntervalMs?: number;
}

/** Most apps kept from one unit; more are dropped with a note. */
export const MAX_DISCOVERED_PER_UNIT = 1000;
/** Most pages of GitHub repositories read per login. */
export const MAX_GITHUB_PAGES = 10;
/** Repositories per GitHub page asked for, and the most read from one page. */
export const GITHUB_PER_PAGE = 100;
/** Releases read per GitHub repository, and assets per release. */
const MAX_RELEASES_READ = 10;
const MAX_ASSETS_READ = 500;
/** Longest name, version or message kept from a remote answer. */
export const MAX_TEXT = 200;
const MAX_API_BYTES = 16 * 1024 * 1024;
const MAX_MANIFEST_BYTES = 1024 * 1024;
const MAX_ENTRY_BYTES = 4 * 1024 * 1024;
const DEFAULT_MIN_INTERVAL_MS = 250;
const APP_ASSET = /\.(apk|aab|ipa|xapk|apks|apkm)$/i;
const PACKAGE_ID = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$/;
const BUNDLE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;
const GITHUB_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
// Control characters (C0, DEL, C1) and invisible format characters (zero-width, bidi overrides, BOM).
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

// ---- small helpers ------------------------------------------------------------------------------------------

/** A remote string made safe to keep: control characters removed, whitespace collapsed, at most `max` characters. */
export function cleanText(v: unknown, max = MAX_TEXT): string | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  let s = String(v);
  if (s.length > max * 4) s = s.slice(0, max * 4);
  s = s.replace(/[\t\n\r]/g, ' ').replace(CONTROL, '').replace(/\s+/g, ' ').trim();
  const chars = Array.from(s);
  if (chars.length > max) s = `${chars.slice(0, max - 1).join('')}…`;
  return s || undefined;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim()) : [];
}

function sameText(a: unknown, b: string): boolean {
  return typeof a === 'string' && a.trim().toLowerCase() === b.trim().toLowerCase();
}

class UnitError extends Error {}

function parseJson(res: { body: Buffer; url: string }, what = 'the answer'): unknown {
  try {
    return JSON.parse(res.body.toString('utf8'));
  } catch {
    throw new UnitError(`${redactUrl(res.url)}: ${what} is not valid JSON`);
  }
}

/** A .catch() handler: rethrows as a UnitError with the message `why` gives, or unchanged when it gives none. */
function rethrow(why: (e: unknown) => string | undefined): (e: unknown) => never {
  return (e) => {
    throw why(e) ? new UnitError(why(e)!) : e;
  };
}
const is404 = (e: unknown) => e instanceof DownloadFailed && e.status === 404;

interface Prefix {
  text: string;
  raw: boolean;
}
function prefixes(list: string[] | undefined): Prefix[] {
  return strings(list).map((p) => (p.endsWith('*') ? { text: p.slice(0, -1).toLowerCase(), raw: true } : { text: p.toLowerCase(), raw: p.endsWith('.') }));
}
/** `appId` is known and starts with one of the prefixes. */
function prefixHit(appId: string | undefined, list: Prefix[]): boolean {
  if (!appId) return false;
  const a = appId.toLowerCase();
  return list.some((p) => (p.raw ? a.startsWith(p.text) : a === p.text || a.startsWith(`${p.text}.`)));
}

/**
 * Whether an app id passes the package-prefix filter: no prefixes -> true; an unknown id (e.g. a GitHub repository)
 * -> true (kept); else it must start with one of them, case-insensitively. 'com.example.' and 'com.example.*' match
 * ids under com.example; 'com.example' matches com.example itself and ids under it; 'com.ex*' is a raw prefix.
 */
export function matchesPrefix(appId: string | undefined, list: string[] | undefined): boolean {
  const p = prefixes(list);
  if (p.length === 0 || !appId) return true;
  return prefixHit(appId, p);
}

/** Apps of one unit, distinct by key, at most MAX_DISCOVERED_PER_UNIT. */
class AppList {
  readonly byKey = new Map<string, DiscoveredApp>();
  dropped = 0;
  add(app: DiscoveredApp): void {
    if (this.byKey.has(app.key)) return;
    if (this.byKey.size >= MAX_DISCOVERED_PER_UNIT) return void this.dropped++;
    this.byKey.set(app.key, app);
  }
  done(run: UnitRun): DiscoveredApp[] {
    if (this.dropped > 0) run.notes.push(`more than ${MAX_DISCOVERED_PER_UNIT} apps: kept the first ${MAX_DISCOVERED_PER_UNIT}`);
    return [...this.byKey.values()];
  }
}

/** One request in flight per host and at least `minMs` between two requests to it. */
class HostGate {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly last = new Map<string, number>();
  constructor(private readonly minMs: number) {}
  run<T>(url: string, fn: () => Promise<T>): Promise<T> {
    const host = URL.canParse(url) ? new URL(url).host.toLowerCase() : '';
    const prev = this.tails.get(host) ?? Promise.resolve();
    const p = prev.then(async () => {
      const wait = (this.last.get(host) ?? -Infinity) + this.minMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      try {
        return await fn();
      } finally {
        this.last.set(host, Date.now());
      }
    });
    const settled = (): void => undefined;
    this.tails.set(host, p.then(settled, settled));
    return p;
  }
}

interface Shared {
  gate: HostGate;
  fetch: FetchOptions;
  endpoints: Endpoints;
  githubToken?: string;
  /** Set once GitHub said its rate limit is exhausted: every GitHub unit of this run stops. */
  githubStop?: string;
}

/** One unit's run: its requests, their 304s, what it remembered last time and what it remembers now. */
class UnitRun {
  requests = 0;
  notModified = 0;
  readonly notes: string[] = [];
  readonly fresh: DiscoveryStateEntry = {};
  constructor(readonly shared: Shared, readonly old: DiscoveryStateEntry, readonly filter: string) {
    this.fresh.filter = filter;
  }
  /** The configuration is the one the remembered results were found with. */
  get sameFilter(): boolean {
    return this.old.filter === this.filter;
  }
  /** The remembered ETag of `url`, when the result that goes with it is remembered too. */
  etag(url: string, remembered: boolean): string | undefined {
    return remembered && this.sameFilter ? this.old.etags?.[url] : undefined;
  }
  async get(url: string, o: { etag?: string; headers?: Record<string, string>; maxBytes: number; acceptStatus?: number[]; sha256?: string }): Promise<FetchResult & { body: Buffer }> {
    const base = this.shared.fetch;
    const headers = { ...(base.headers ?? {}), ...(o.headers ?? {}), ...(o.etag ? { 'if-none-match': o.etag } : {}) };
    this.requests++;
    const res = await this.shared.gate.run(url, () => fetchBytes(url, { ...base, headers, maxBytes: o.maxBytes, acceptStatus: [...(o.etag ? [304] : []), ...(o.acceptStatus ?? [])], ...(o.sha256 ? { sha256: o.sha256 } : {}) }));
    if (res.status === 304) this.notModified++;
    return res;
  }
  /** Remembers the ETag of an answer (the old one for a 304) with the result committed for `url`. */
  keepEtag(url: string, res: FetchResult): void {
    const e = res.status === 304 ? this.old.etags?.[url] : res.headers.etag;
    if (typeof e === 'string' && e.length <= 512 && !/[^\x20-\x7e]/.test(e)) (this.fresh.etags ??= {})[url] = e;
  }
  /** The apps remembered for a unit answered 304. */
  rememberedApps(url: string): DiscoveredApp[] {
    if (!this.old.apps) throw new UnitError(`${redactUrl(url)} answered 304 Not Modified to a request without a validator`);
    return this.old.apps;
  }
}

interface Unit {
  unit: string;
  source: DiscoverySourceKind;
  bestEffort?: boolean;
  filter: string;
  run: (u: UnitRun) => Promise<DiscoveredApp[]>;
}

function configError(unit: string, source: DiscoverySourceKind, message: string): Unit {
  return { unit, source, filter: '', run: () => Promise.reject(new UnitError(message)) };
}

// ---- App Store ----------------------------------------------------------------------------------------------

function appStoreUnits(ids: NonNullable<OrgIdentifiers['appStore']>, topList: string[], sh: Shared): Unit[] {
  const top = prefixes(topList);
  const cc = (typeof ids.country === 'string' && ids.country.trim() ? ids.country.trim() : 'us').toLowerCase();
  const itunes = sh.endpoints.itunes.replace(/\/+$/, '');
  const filter = JSON.stringify({ v: 1, cc, top });
  type Keep = (r: Record<string, unknown>, bundleId: string | undefined) => boolean;
  const unit = (name: string, url: string, keep: Keep, invalid?: string): Unit => {
    if (invalid) return configError(name, 'appstore', invalid);
    if (!/^[a-z]{2}$/.test(cc)) return configError(name, 'appstore', `the App Store country must be a two-letter code, not '${cleanText(cc, 20)}'`);
    return { unit: name, source: 'appstore', filter, run: (u) => itunesList(u, `${itunes}/${url}&entity=software&country=${cc}&limit=200`, cc, keep) };
  };
  return [
    ...strings(ids.developerIds).map((id) =>
      unit(`appstore:id:${id}`, `lookup?id=${id}`, (r, bundleId) => String(r.artistId) === id && matchesPrefix(bundleId, topList), /^\d{1,15}$/.test(id) ? undefined : `an App Store developer id is a number (the id in apps.apple.com/developer/…/id<number>), not '${cleanText(id, 60)}'`),
    ),
    // iTunes' developer search is by words: keep the developer's own apps (artist or seller name), or the prefixes'.
    ...strings(ids.developerNames).map((name) =>
      unit(`appstore:name:${name}`, `search?term=${encodeURIComponent(name)}&attribute=softwareDeveloper`, (r, bundleId) => sameText(r.artistName, name) || sameText(r.sellerName, name) || (top.length > 0 && prefixHit(bundleId, top))),
    ),
  ];
}

async function itunesList(u: UnitRun, url: string, cc: string, keep: (r: Record<string, unknown>, bundleId: string | undefined) => boolean): Promise<DiscoveredApp[]> {
  // The ETag is kept in the unit's fresh state, which is saved only when the unit succeeds.
  const res = await u.get(url, { etag: u.etag(url, u.old.apps !== undefined), maxBytes: MAX_API_BYTES });
  u.keepEtag(url, res);
  if (res.status === 304) return u.rememberedApps(url);
  const j = parseJson(res);
  if (!isObj(j) || !Array.isArray(j.results)) throw new UnitError(`${redactUrl(res.url)}: the answer has no results list`);
  const apps = new AppList();
  for (const r of j.results as unknown[]) {
    if (!isObj(r) || r.wrapperType !== 'software' || (r.kind !== undefined && r.kind !== 'software')) continue;
    const trackId = String(r.trackId ?? '');
    if (!/^\d{1,15}$/.test(trackId)) continue;
    const bundleId = typeof r.bundleId === 'string' && BUNDLE_ID.test(r.bundleId) ? r.bundleId : undefined;
    if (!keep(r, bundleId)) continue;
    apps.add({ key: `appstore:${trackId}`, source: 'appstore', platform: 'ios', ...(bundleId ? { appId: bundleId } : {}), ...text({ name: r.trackName, version: r.version }), url: `https://apps.apple.com/${cc}/app/id${trackId}` });
  }
  return apps.done(u);
}

/** `name` and `version` cleaned, the absent ones left out. */
function text(v: { name?: unknown; version?: unknown }): { name?: string; version?: string } {
  const name = cleanText(v.name);
  const version = cleanText(v.version, 100);
  return { ...(name ? { name } : {}), ...(version ? { version } : {}) };
}

// ---- Google Play (best effort: the developer page's HTML) ----------------------------------------------------------

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|amp|lt|gt|quot|apos|nbsp);/gi, (m, e: string) => {
    if (e[0] !== '#') return ENTITIES[e.toLowerCase()] ?? m;
    const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
  });
}

function attribute(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'i').exec(tag);
  return m ? decodeEntities(m[1] ?? m[2] ?? '') : undefined;
}

/** The distinct apps linked from a Google Play developer page, with the title shown on each card when there is one. */
export function playDeveloperApps(html: string): { id: string; title?: string }[] {
  const found = new Map<string, string | undefined>();
  const LINK = /href\s*=\s*(["'])([^"']{0,2000}?\/store\/apps\/details\?[^"']{0,2000}?)\1/gi;
  for (const m of html.matchAll(LINK)) {
    const href = decodeEntities(m[2]!);
    const id = URL.canParse(href, 'https://play.google.com') ? new URL(href, 'https://play.google.com').searchParams.get('id') : null;
    if (!id || id.length > 255 || !PACKAGE_ID.test(id)) continue;
    if (found.get(id)) continue;
    if (!found.has(id) && found.size >= MAX_DISCOVERED_PER_UNIT * 2) break;
    const at = m.index ?? 0;
    const start = html.lastIndexOf('<', at);
    const end = html.indexOf('>', at);
    const tag = start >= 0 && end > at && end - start < 4000 ? html.slice(start, end + 1) : '';
    let title = attribute(tag, 'aria-label') ?? attribute(tag, 'title');
    if (!title) {
      // The card that follows the link, up to the next app link: the title span (class DdYX5 on the real page).
      let card = html.slice(at + m[0].length, at + m[0].length + 4000);
      const next = card.search(/\/store\/apps\/details\?/);
      if (next >= 0) card = card.slice(0, next);
      const span = /<(?:span|div)[^>]*\bclass\s*=\s*"[^"]*\bDdYX5\b[^"]*"[^>]*>([^<]{1,1000})</i.exec(card);
      if (span) title = decodeEntities(span[1]!);
    }
    found.set(id, cleanText(title));
  }
  return [...found].map(([id, title]) => ({ id, ...(title ? { title } : {}) }));
}

function playUnits(ids: NonNullable<OrgIdentifiers['play']>, top: string[], sh: Shared): Unit[] {
  const gl = (typeof ids.gl === 'string' && ids.gl.trim() ? ids.gl.trim() : 'US').toUpperCase();
  const play = sh.endpoints.play.replace(/\/+$/, '');
  return strings(ids.developers).map((dev): Unit => {
    const unit = `play:${dev}`;
    if (!/^[A-Z]{2}$/.test(gl)) return { ...configError(unit, 'play', `the Google Play country (gl) must be a two-letter code, not '${cleanText(gl, 20)}'`), bestEffort: true };
    const numeric = /^\d{1,25}$/.test(dev);
    const url = numeric ? `${play}/store/apps/dev?id=${dev}&hl=en&gl=${gl}` : `${play}/store/apps/developer?id=${encodeURIComponent(dev)}&hl=en&gl=${gl}`;
    return {
      unit, source: 'play', bestEffort: true, filter: JSON.stringify({ v: 1, gl, top: prefixes(top) }),
      run: async (u) => {
        const res = await u.get(url, { etag: u.etag(url, u.old.apps !== undefined), maxBytes: MAX_API_BYTES }).catch(rethrow((e) => (is404(e) ? `no developer ${cleanText(dev, 100)} on Google Play (${redactUrl(url)} answered HTTP 404)` : undefined)));
        u.keepEtag(url, res);
        if (res.status === 304) return u.rememberedApps(url);
        const apps = new AppList();
        for (const { id, title } of playDeveloperApps(res.body.toString('utf8'))) {
          if (!matchesPrefix(id, top)) continue;
          apps.add({ key: `play:${id}`, source: 'play', platform: 'android', appId: id, ...(title ? { name: title } : {}), url: `https://play.google.com/store/apps/details?id=${id}${gl === 'US' ? '' : `&gl=${gl}`}`, bestEffort: true });
        }
        return apps.done(u);
      },
    };
  });
}

// ---- F-Droid ------------------------------------------------------------------------------------------------

type FdroidRepo = NonNullable<OrgIdentifiers['fdroid']>[number];

/** 'github.com/acme' -> host github.com, first path segment acme; 'git.example.org' -> that host. */
function sourceHostMatch(sourceCode: unknown, hosts: { host: string; owner?: string }[]): boolean {
  if (typeof sourceCode !== 'string' || hosts.length === 0 || !URL.canParse(sourceCode.trim())) return false;
  const u = new URL(sourceCode.trim());
  const host = u.hostname.toLowerCase().replace(/^www\./, '');
  const owner = u.pathname.split('/').filter(Boolean)[0]?.toLowerCase();
  return hosts.some((h) => h.host === host && (h.owner === undefined || h.owner === owner));
}

function fdroidUnit(cfg: FdroidRepo, top: string[]): Unit {
  const repoText = typeof cfg?.repo === 'string' ? cfg.repo.trim() : '';
  let base = repoText.replace(/\/+$/, '');
  const unit = `fdroid:${base}`;
  const parsed = URL.canParse(base) ? new URL(base) : undefined;
  if (!parsed || !['https:', 'http:'].includes(parsed.protocol) || parsed.search || parsed.hash || parsed.username || parsed.password) return configError(unit, 'fdroid', 'the F-Droid repository must be a plain http(s) URL (no query, fragment or credentials)');
  base = `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
  const fp = normalizeFingerprint(typeof cfg.fingerprint === 'string' ? cfg.fingerprint : '');
  if (!/^[0-9a-f]{64}$/.test(fp)) return configError(unit, 'fdroid', `the fingerprint of ${redactUrl(base)} must be 64 hex digits (SHA-256 of the index signer certificate)`);
  const own = prefixes(cfg.packagePrefixes);
  const all = [...own, ...prefixes(top)];
  const authors = strings(cfg.authors).map((a) => a.toLowerCase());
  const hosts = strings(cfg.sourceHosts).map((h) => {
    const [host, owner] = h.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '').toLowerCase().split('/');
    return { host: host!.replace(/^www\./, ''), ...(owner ? { owner } : {}) };
  });
  if (all.length === 0 && authors.length === 0 && hosts.length === 0) return configError(unit, 'fdroid', `no filter for ${redactUrl(base)}: give authors, packagePrefixes or sourceHosts (a whole repository is not an organization)`);
  return {
    unit, source: 'fdroid', filter: JSON.stringify({ v: 1, fp, all, authors, hosts }),
    run: async (u) => {
      const entryUrl = `${base}/entry.jar`;
      const res = await u
        .get(entryUrl, { etag: u.etag(entryUrl, u.old.apps !== undefined && u.old.fdroidTimestamp !== undefined), maxBytes: MAX_ENTRY_BYTES })
        .catch(rethrow((e) => (is404(e) ? `${redactUrl(entryUrl)} answered HTTP 404: not an F-Droid repository with an index v2 (entry.jar)` : undefined)));
      u.keepEtag(entryUrl, res);
      u.fresh.fdroidTimestamp = u.old.fdroidTimestamp;
      if (res.status === 304) return u.rememberedApps(entryUrl);
      let entryJson: Buffer;
      try {
        entryJson = verifySignedJar(res.body, fp, 'entry.json').content;
      } catch (e) {
        throw new UnitError(`${redactUrl(entryUrl)}: ${cleanText((e as Error).message, 300)}`);
      }
      const entry = parseJson({ body: entryJson, url: entryUrl }, 'entry.json');
      const index = isObj(entry) && isObj(entry.index) ? entry.index : undefined;
      const timestamp = isObj(entry) && typeof entry.timestamp === 'number' && Number.isFinite(entry.timestamp) ? entry.timestamp : undefined;
      const name = typeof index?.name === 'string' ? index.name : '';
      const sha256 = typeof index?.sha256 === 'string' ? index.sha256.toLowerCase() : '';
      if (timestamp === undefined || !/^\/?[A-Za-z0-9._/-]{1,200}$/.test(name) || name.includes('..') || !/^[0-9a-f]{64}$/.test(sha256)) throw new UnitError(`${redactUrl(entryUrl)}: entry.json names no valid index (timestamp, name, sha256)`);
      u.fresh.fdroidTimestamp = timestamp;
      if (u.sameFilter && u.old.apps && u.old.fdroidTimestamp === timestamp) return u.old.apps;
      const indexUrl = `${base}/${name.replace(/^\/+/, '')}`;
      const ir = await u
        .get(indexUrl, { maxBytes: MAX_INDEX_BYTES, sha256 })
        .catch(rethrow((e) => (e instanceof DownloadFailed && e.code === 'sha256_mismatch' ? `${redactUrl(indexUrl)}: its SHA-256 does not match the signed entry.json (tampered or stale index)` : undefined)));
      const j = parseJson(ir);
      if (!isObj(j) || !isObj(j.packages)) throw new UnitError(`${redactUrl(indexUrl)}: the index has no packages`);
      const apps = new AppList();
      for (const [pkg, p] of Object.entries(j.packages)) {
        if (!PACKAGE_ID.test(pkg) || pkg.length > 255 || !isObj(p)) continue;
        const md = isObj(p.metadata) ? p.metadata : {};
        const author = typeof md.authorName === 'string' ? md.authorName.trim().toLowerCase() : undefined;
        if (!prefixHit(pkg, all) && !(author && authors.includes(author)) && !sourceHostMatch(md.sourceCode, hosts)) continue;
        const names = isObj(md.name) ? md.name : {};
        apps.add({ key: `fdroid:${base}:${pkg}`, source: 'fdroid', platform: 'android', appId: pkg, ...text({ name: names['en-US'] ?? Object.values(names).find((x) => typeof x === 'string'), version: fdroidVersion(p.versions) }), url: `${base}?fingerprint=${fp}&package=${pkg}` });
      }
      return apps.done(u);
    },
  };
}

/** versionName of the highest versionCode, preferring versions outside release channels (Beta). */
function fdroidVersion(versions: unknown): string | undefined {
  if (!isObj(versions)) return undefined;
  let best: { code: number; name: unknown; beta: boolean } | undefined;
  for (const v of Object.values(versions)) {
    const m = isObj(v) && isObj(v.manifest) ? v.manifest : undefined;
    const code = Number(m?.versionCode);
    if (!m || !Number.isFinite(code)) continue;
    const beta = Array.isArray((v as Record<string, unknown>).releaseChannels) && ((v as Record<string, unknown>).releaseChannels as unknown[]).length > 0;
    if (!best || (best.beta && !beta) || (best.beta === beta && code > best.code)) best = { code, name: m.versionName, beta };
  }
  return typeof best?.name === 'string' ? best.name : undefined;
}

// ---- GitHub -------------------------------------------------------------------------------------------------

function isoOfReset(v: unknown): string | undefined {
  const n = typeof v === 'string' && /^\d{1,12}$/.test(v.trim()) ? Number(v) * 1000 : NaN;
  return Number.isFinite(n) && n < 8.64e15 ? new Date(n).toISOString() : undefined;
}

/** Throws (and stops every GitHub unit of the run) on a rate-limited or refused answer. */
function githubRateCheck(res: FetchResult, sh: Shared): void {
  const h = res.headers;
  const reset = isoOfReset(h['x-ratelimit-reset']);
  const hint = sh.githubToken ? 'wait for the reset' : 'set a GitHub token (LEAKDEX_GITHUB_TOKEN) or wait for the reset';
  if (res.status === 403 || res.status === 429) {
    const ra = typeof h['retry-after'] === 'string' && /^\d{1,7}$/.test(h['retry-after'].trim()) ? Number(h['retry-after']) : undefined;
    if (h['x-ratelimit-remaining'] === '0' || ra !== undefined || res.status === 429) {
      const until = h['x-ratelimit-remaining'] === '0' && reset ? reset : ra !== undefined ? new Date(Date.now() + ra * 1000).toISOString() : (reset ?? 'later');
      sh.githubStop = `GitHub API rate limited until ${until} (HTTP ${res.status}${ra !== undefined ? `, Retry-After ${ra} s` : ''} at ${redactUrl(res.url)}); ${hint}`;
      throw new UnitError(sh.githubStop);
    }
    throw new UnitError(`GitHub refused access to ${redactUrl(res.url)} (HTTP ${res.status})`);
  }
  if (h['x-ratelimit-remaining'] === '0') sh.githubStop = `GitHub API rate limited until ${reset ?? 'its reset'} (x-ratelimit-remaining 0 at ${redactUrl(res.url)}); ${hint}`;
}

/** The `rel="next"` URL of a Link header. */
function nextLink(link: unknown, from: string): URL | undefined {
  if (typeof link !== 'string' || link.length > 16384) return undefined;
  for (const part of link.split(',')) {
    const m = /^\s*<([^>]{1,2000})>\s*;(.*)$/.exec(part);
    if (!m || !/(?:^|;)\s*rel\s*=\s*"?(?:[^";]*\s)?next(?:\s[^";]*)?"?\s*(?:;|$)/i.test(m[2]!)) continue;
    return URL.canParse(m[1]!, from) ? new URL(m[1]!, from) : undefined;
  }
  return undefined;
}

function githubUnit(login: string, sh: Shared): Unit {
  const unit = `github:${login}`;
  if (!GITHUB_NAME.test(login)) return configError(unit, 'github', `'${cleanText(login, 60)}' is not a GitHub organization or user login`);
  const api = sh.endpoints.github.replace(/\/+$/, '');
  const headers: Record<string, string> = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', ...(sh.githubToken ? { authorization: `Bearer ${sh.githubToken}` } : {}) };
  const get = async (u: UnitRun, url: string, remembered: boolean) => {
    if (sh.githubStop) throw new UnitError(sh.githubStop);
    const res = await u.get(url, { headers, etag: u.etag(url, remembered), maxBytes: MAX_API_BYTES, acceptStatus: [403, 404, 429] });
    githubRateCheck(res, sh);
    return res;
  };
  /**
   * One page of the repository list: its repositories (forks skipped), its size and the next page; undefined for a 404.
   * A remembered last page that was full (`size` entries) is asked for without its ETag: a repository appended after
   * it leaves it byte-identical while a new page appears, which only a fresh Link header tells.
   */
  const page = async (u: UnitRun, url: string, size: number): Promise<GithubPage | undefined> => {
    const was = u.old.pages?.[url];
    const res = await get(u, url, was !== undefined && !(was.next === undefined && (was.count ?? 0) >= size));
    if (res.status === 404) return undefined;
    let got: GithubPage;
    if (res.status === 304) {
      if (!was) throw new UnitError(`${redactUrl(url)} answered 304 Not Modified to a request without a validator`);
      const next = nextLink(res.headers.link, res.url);
      got = next ? { ...was, next: next.href } : was;
    } else {
      const j = parseJson(res);
      if (!Array.isArray(j)) throw new UnitError(`${redactUrl(res.url)}: the answer is not a list of repositories`);
      if (j.length > GITHUB_PER_PAGE) u.notes.push(`a page of ${redactUrl(res.url)} listed ${j.length} repositories: read the first ${GITHUB_PER_PAGE}`);
      const repos: string[] = [];
      for (const r of j.slice(0, GITHUB_PER_PAGE) as unknown[]) {
        if (!isObj(r) || r.fork === true) continue;
        const owner = isObj(r.owner) ? r.owner.login : undefined;
        if (typeof owner === 'string' && typeof r.name === 'string' && GITHUB_NAME.test(owner) && GITHUB_NAME.test(r.name)) repos.push(`${owner}/${r.name}`);
      }
      const next = nextLink(res.headers.link, res.url);
      got = { repos, count: Math.min(j.length, GITHUB_PER_PAGE), ...(next ? { next: next.href } : {}) };
    }
    (u.fresh.pages ??= {})[url] = got;
    u.keepEtag(url, res);
    return got;
  };
  /** A repository's app from its latest releases (null: no app asset in any non-draft release). */
  const releases = async (u: UnitRun, full: string): Promise<DiscoveredApp | null> => {
    const [owner, name] = full.split('/') as [string, string];
    const url = `${api}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}/releases?per_page=${MAX_RELEASES_READ}`;
    const res = await get(u, url, u.old.repos?.[full] !== undefined);
    if (res.status === 404) return null;
    let app: DiscoveredApp | null = null;
    if (res.status === 304) {
      const old = u.old.repos?.[full];
      if (old === undefined) throw new UnitError(`${redactUrl(url)} answered 304 Not Modified to a request without a validator`);
      app = old;
    } else {
      const j = parseJson(res);
      if (!Array.isArray(j)) throw new UnitError(`${redactUrl(res.url)}: the answer is not a list of releases`);
      for (const rel of j.slice(0, MAX_RELEASES_READ) as unknown[]) {
        if (!isObj(rel) || rel.draft === true || !Array.isArray(rel.assets)) continue;
        const assets = (rel.assets as unknown[]).slice(0, MAX_ASSETS_READ).map((a) => (isObj(a) && typeof a.name === 'string' ? a.name : '')).filter((n) => APP_ASSET.test(n));
        if (assets.length === 0) continue;
        const ipa = assets.filter((n) => /\.ipa$/i.test(n)).length;
        const platform = ipa === 0 ? 'android' : ipa === assets.length ? 'ios' : 'unknown';
        app = { key: `github:${full}`, source: 'github', platform, ...text({ name, version: rel.tag_name }), url: `https://github.com/${full}/releases` };
        break;
      }
    }
    (u.fresh.repos ??= {})[full] = app;
    u.keepEtag(url, res);
    return app;
  };
  return {
    unit, source: 'github', filter: JSON.stringify({ v: 1 }),
    run: async (u) => {
      const origin = new URL(api).origin;
      const order: ('orgs' | 'users')[] = u.old.githubPath === 'users' ? ['users', 'orgs'] : ['orgs', 'users'];
      let first: GithubPage | undefined;
      for (const kind of order) {
        const url = kind === 'orgs' ? `${api}/orgs/${encodeURIComponent(login)}/repos?per_page=${GITHUB_PER_PAGE}&type=public` : `${api}/users/${encodeURIComponent(login)}/repos?per_page=${GITHUB_PER_PAGE}&type=owner`;
        first = await page(u, url, GITHUB_PER_PAGE);
        if (first) {
          u.fresh.githubPath = kind;
          break;
        }
      }
      if (!first) throw new UnitError(`GitHub has no organization or user ${login} (${redactUrl(`${api}/users/${login}/repos`)} answered HTTP 404)`);
      const repos: string[] = [...first.repos];
      const seen = new Set<string>();
      let cur = first;
      for (let pages = 1; cur.next; pages++) {
        const next = new URL(cur.next);
        if (next.origin !== origin) {
          u.notes.push(`did not follow a next-page link to another origin (${redactUrl(next.href)})`);
          break;
        }
        if (seen.has(next.href)) break;
        seen.add(next.href);
        if (pages >= MAX_GITHUB_PAGES) {
          u.notes.push(`more than ${MAX_GITHUB_PAGES} pages of repositories: read the first ${MAX_GITHUB_PAGES}`);
          break;
        }
        const got = await page(u, next.href, Math.max(1, first.count ?? GITHUB_PER_PAGE));
        if (!got) throw new UnitError(`${redactUrl(next.href)} answered HTTP 404`);
        repos.push(...got.repos);
        cur = got;
      }
      const apps = new AppList();
      for (const full of [...new Set(repos)].slice(0, MAX_DISCOVERED_PER_UNIT)) {
        const app = await releases(u, full);
        if (app) apps.add(app);
      }
      return apps.done(u);
    },
  };
}

// ---- OTA manifests ------------------------------------------------------------------------------------------

function otaUnit(input: string, top: string[]): Unit {
  const unit = `ota:${input}`;
  let manifestUrl = input;
  try {
    const src = /^itms-services:/i.test(input) ? parseSource(input) : undefined;
    if (src) manifestUrl = src.kind === 'ota' ? src.manifestUrl : '';
  } catch {
    manifestUrl = '';
  }
  const parsed = URL.canParse(manifestUrl) ? new URL(manifestUrl) : undefined;
  if (!parsed || !['https:', 'http:'].includes(parsed.protocol)) return configError(unit, 'ota', 'an OTA manifest is an itms-services://?action=download-manifest&url=… URL or an https URL of the manifest');
  manifestUrl = parsed.href;
  return {
    unit, source: 'ota', filter: JSON.stringify({ v: 1, top: prefixes(top) }),
    run: async (u) => {
      const res = await u.get(manifestUrl, { etag: u.etag(manifestUrl, u.old.apps !== undefined), maxBytes: MAX_MANIFEST_BYTES });
      u.keepEtag(manifestUrl, res);
      if (res.status === 304) return u.rememberedApps(manifestUrl);
      const doc: unknown = await Promise.resolve()
        .then(() => parsePlist(res.body.toString('utf8')))
        .catch(rethrow(() => `${redactUrl(res.url)}: the OTA manifest is not a property list`));
      const items = isObj(doc) && Array.isArray(doc.items) ? (doc.items as unknown[]) : [];
      const md = isObj(items[0]) && isObj(items[0].metadata) ? items[0].metadata : undefined;
      if (!md) throw new UnitError(`${redactUrl(res.url)}: the OTA manifest has no items[0].metadata`);
      const bundleId = typeof md['bundle-identifier'] === 'string' && BUNDLE_ID.test(md['bundle-identifier']) ? md['bundle-identifier'] : undefined;
      if (!matchesPrefix(bundleId, top)) return [];
      return [{ key: `ota:${manifestUrl}`, source: 'ota', platform: 'ios', ...(bundleId ? { appId: bundleId } : {}), ...text({ name: md.title, version: md['bundle-version'] }), url: `itms-services://?action=download-manifest&url=${encodeURIComponent(manifestUrl)}` }];
    },
  };
}

// ---- the entry point ----------------------------------------------------------------------------------------

async function runUnit(x: Unit, sh: Shared, state: DiscoveryState | undefined): Promise<SourceOutcome> {
  const old = state?.[x.unit] ?? {};
  const u = new UnitRun(sh, isObj(old) ? old : {}, x.filter);
  const base = { unit: x.unit, source: x.source, ...(x.bestEffort ? { bestEffort: true } : {}) };
  try {
    const apps = await x.run(u);
    const note = u.notes.length ? cleanText(u.notes.join('; '), 500) : undefined;
    if (state) state[x.unit] = { ...u.fresh, apps };
    return { ...base, ok: true, apps, unchanged: u.requests > 0 && u.notModified === u.requests, requests: u.requests, ...(note ? { note } : {}) };
  } catch (e) {
    // What was confirmed URL by URL (GitHub pages and repositories) is kept; the unit's app list stays the last good one.
    if (state && (u.fresh.pages || u.fresh.repos)) {
      const o = u.old;
      state[x.unit] = { ...o, etags: { ...o.etags, ...u.fresh.etags }, pages: { ...o.pages, ...u.fresh.pages }, repos: { ...o.repos, ...u.fresh.repos }, ...(u.fresh.githubPath ? { githubPath: u.fresh.githubPath } : {}) };
    }
    const error = cleanText(e instanceof Error ? e.message : String(e), 500) ?? 'failed';
    return { ...base, ok: false, apps: [], unchanged: false, error, requests: u.requests };
  }
}

/**
 * Lists an organization's apps on every source it is known by; one outcome per unit (identifier on a source), in the
 * order of `ids`. Never throws for a remote failure: that unit is ok:false with its error.
 */
export async function discoverApps(ids: OrgIdentifiers, ctx: DiscoveryContext = {}): Promise<SourceOutcome[]> {
  const minMs = typeof ctx.minIntervalMs === 'number' && ctx.minIntervalMs >= 0 ? ctx.minIntervalMs : DEFAULT_MIN_INTERVAL_MS;
  const sh: Shared = { gate: new HostGate(minMs), fetch: ctx.fetch ?? {}, endpoints: ctx.endpoints ?? endpointsFromEnv(), ...(ctx.githubToken ? { githubToken: ctx.githubToken } : {}) };
  const top = strings(ids?.packagePrefixes);
  const units: Unit[] = [];
  if (ids?.appStore) units.push(...appStoreUnits(ids.appStore, top, sh));
  if (ids?.play) units.push(...playUnits(ids.play, top, sh));
  for (const f of Array.isArray(ids?.fdroid) ? ids.fdroid : []) units.push(fdroidUnit(f, top));
  for (const login of strings(ids?.github)) units.push(githubUnit(login, sh));
  for (const m of strings(ids?.otaManifests)) units.push(otaUnit(m, top));
  const seen = new Set<string>();
  const distinct = units.filter((x) => !seen.has(x.unit) && seen.add(x.unit));
  return Promise.all(distinct.map((x) => runUnit(x, sh, ctx.state)));
}
