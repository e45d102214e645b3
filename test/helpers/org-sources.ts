/**
 * Local stand-ins for the sources an organization's apps are discovered on (src/market/discovery.ts), each speaking
 * the third party's real response format: the iTunes lookup/search JSON, a Google Play developer page, the GitHub REST
 * repository and release lists (Link pagination, ETags, x-ratelimit-* headers), an F-Droid signed entry.jar +
 * index-v2.json (test/fixtures/market/org, built by make-org.sh) and an itms-services OTA manifest.
 *
 * Every helper takes a state object and returns it: the state is read on each request, so a test mutates it (adds or
 * removes apps, switches a failure on) between runs; `served` logs every answer (path with query, status, the
 * If-None-Match received).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { ROOT } from './files.js';
import type { LocalServer } from './local-server.js';

/** One answer of a helper. */
export interface Served {
  url: string;
  status: number;
  ifNoneMatch?: string;
}

/** A failure switch: 'http500' answers HTTP 500, 'garbage' a 200 whose body is not what the source speaks. */
export type Failure = 'http500' | 'garbage' | undefined;

type Headers = Record<string, string | number>;

/** Answers `body` with an ETag (strong, or weak as GitHub's), or 304 when If-None-Match has it. */
function answer(req: IncomingMessage, res: ServerResponse, served: Served[], body: string | Buffer, headers: Headers, weak = false, notModified: Headers = {}): void {
  const tag = `${weak ? 'W/' : ''}"${createHash('sha256').update(body).digest('hex').slice(0, 20)}"`;
  const inm = req.headers['if-none-match'];
  const log = { url: req.url ?? '', ...(typeof inm === 'string' ? { ifNoneMatch: inm } : {}) };
  if (inm === tag) {
    served.push({ ...log, status: 304 });
    return void res.writeHead(304, { etag: tag, ...notModified }).end();
  }
  served.push({ ...log, status: 200 });
  res.writeHead(200, { etag: tag, 'content-length': Buffer.byteLength(body), ...headers }).end(body);
}

function failed(req: IncomingMessage, res: ServerResponse, served: Served[], fail: Failure, garbage: string): boolean {
  if (!fail) return false;
  served.push({ url: req.url ?? '', status: fail === 'http500' ? 500 : 200 });
  if (fail === 'http500') res.writeHead(500, { 'content-type': 'text/html' }).end('<html><body>Internal Server Error</body></html>');
  else res.writeHead(200, { 'content-type': 'application/json' }).end(garbage);
  return true;
}

const query = (req: IncomingMessage) => new URL(req.url ?? '/', 'http://local').searchParams;

// ---- iTunes Search API -------------------------------------------------------------------------------------------

export interface ItunesApp {
  trackId: number;
  bundleId: string;
  trackName: string;
  version?: string;
}
export interface ItunesDeveloper {
  artistId: number;
  artistName: string;
  /** The legal seller, when it differs from artistName. */
  sellerName?: string;
  apps: ItunesApp[];
}
export interface ItunesState {
  developers: ItunesDeveloper[];
  /** Raw entries appended to every `results` (hostile answers). */
  extraResults?: unknown[];
  fail?: Failure;
  served?: Served[];
}

function itunesSoftware(d: ItunesDeveloper, a: ItunesApp, cc: string): Record<string, unknown> {
  const slug = a.trackName.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return {
    isGameCenterEnabled: false,
    features: ['iosUniversal'],
    supportedDevices: ['iPhone15-iPhone15', 'iPadPro11M4-iPadPro11M4'],
    advisories: [],
    kind: 'software',
    artworkUrl512: `https://is1-ssl.mzstatic.com/image/thumb/Purple/v4/${a.trackId}/512x512bb.jpg`,
    artistViewUrl: `https://apps.apple.com/${cc}/developer/x/id${d.artistId}?uo=4`,
    trackCensoredName: a.trackName,
    trackViewUrl: `https://apps.apple.com/${cc}/app/${slug}/id${a.trackId}?uo=4`,
    contentAdvisoryRating: '4+',
    averageUserRating: 4.5,
    minimumOsVersion: '15.0',
    currentVersionReleaseDate: '2026-10-01T07:00:00Z',
    releaseNotes: 'Bug fixes.',
    releaseDate: '2021-03-04T08:00:00Z',
    sellerName: d.sellerName ?? d.artistName,
    primaryGenreName: 'Productivity',
    primaryGenreId: 6007,
    genreIds: ['6007', '6000'],
    formattedPrice: 'Free',
    currency: 'USD',
    version: a.version ?? '1.0.0',
    wrapperType: 'software',
    artistId: d.artistId,
    artistName: d.artistName,
    genres: ['Productivity', 'Business'],
    price: 0.0,
    description: `${a.trackName} by ${d.artistName}.`,
    trackId: a.trackId,
    trackName: a.trackName,
    bundleId: a.bundleId,
    userRatingCount: 1234,
    fileSizeBytes: '52428800',
    languageCodesISO2A: ['EN'],
  };
}

/**
 * The iTunes Search API on `s`: `/lookup?id=<artistId>&entity=software` answers the artist entry then its apps (as
 * itunes.apple.com does); `/search?term=…&attribute=softwareDeveloper` answers the apps of every developer whose name
 * contains each word of the term (so 'Acme Inc' also finds 'Acme Games Inc'). Answers carry ETags.
 */
export function serveItunes(s: LocalServer, state: ItunesState): ItunesState & { served: Served[] } {
  const st = state as ItunesState & { served: Served[] };
  st.served ??= [];
  const send = (req: IncomingMessage, res: ServerResponse, results: unknown[]) => {
    const all = [...results, ...(st.extraResults ?? [])];
    answer(req, res, st.served, JSON.stringify({ resultCount: all.length, results: all }), { 'content-type': 'text/javascript; charset=utf-8' });
  };
  s.routes.set('/lookup', (req, res) => {
    if (failed(req, res, st.served, st.fail, '{"resultCount":1,"results":[{"wrapperType":')) return;
    const q = query(req);
    const cc = q.get('country') ?? 'us';
    const d = st.developers.find((x) => String(x.artistId) === q.get('id'));
    if (!d) return send(req, res, []);
    const artist = { wrapperType: 'artist', artistType: 'Software Artist', artistName: d.artistName, artistLinkUrl: `https://apps.apple.com/${cc}/developer/x/id${d.artistId}?uo=4`, artistId: d.artistId, primaryGenreName: 'Productivity', primaryGenreId: 6007 };
    send(req, res, [artist, ...d.apps.map((a) => itunesSoftware(d, a, cc))]);
  });
  s.routes.set('/search', (req, res) => {
    if (failed(req, res, st.served, st.fail, 'Service Unavailable')) return;
    const q = query(req);
    const words = (q.get('term') ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    const devs = st.developers.filter((d) => words.length > 0 && words.every((w) => d.artistName.toLowerCase().includes(w)));
    send(req, res, devs.flatMap((d) => d.apps.map((a) => itunesSoftware(d, a, q.get('country') ?? 'us'))));
  });
  return st;
}

// ---- Google Play developer page ----------------------------------------------------------------------------------

export interface PlayDeveloper {
  /** The numeric developer id (/store/apps/dev?id=…), if any. */
  id?: string;
  /** The developer name (/store/apps/developer?id=…). */
  name: string;
  apps: { id: string; title: string }[];
}
export interface PlayState {
  developers: PlayDeveloper[];
  fail?: Failure;
  served?: Served[];
}

/** A developer page shaped like play.google.com's: a header, then one card per app whose link appears twice. */
export function playDeveloperPage(d: PlayDeveloper): string {
  const esc = (x: string) => x.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  const cards = d.apps
    .map(
      (a) =>
        `<div class="ULeU3b neq64b"><div class="VfPpkd-WsjYwc VfPpkd-WsjYwc-OWXEXe-INsAgc KC1dQ Usd1Ac AaN0Dd Y8RQXd"><div class="VfPpkd-aGsRMb"><div class="VfPpkd-EScbFb-JIbuQc TAQqTe" jscontroller="tKHFxf" jsaction="click:cOuCgd"><a class="Si6A0c Gy4nib" href="/store/apps/details?id=${a.id}&amp;hl=en&amp;gl=US"><div class="j2FCNc"><img src="https://play-lh.googleusercontent.com/${a.id}=s64" class="T75of stzEZd" alt="Thumbnail image"><div class="cXFu1"><div class="ubGTjb"><span class="DdYX5">${esc(a.title)}</span></div><div class="ubGTjb"><span class="wMUdtb">${esc(d.name)}</span></div><div class="ubGTjb"><div style="display: inline-flex; align-items: center;" aria-label="Rated 4.4 stars out of five stars">4.4</div></div></div></div></a></div></div></div></div>` +
        `<a class="b8cIId ReQCgd Q9MA7b" href="https://play.google.com/store/apps/details?id=${a.id}" tabindex="-1" aria-hidden="true"></a>`,
    )
    .join('');
  return `<!doctype html><html lang="en-US" dir="ltr"><head><title>Android Apps by ${esc(d.name)} on Google Play</title><meta name="description" content="Apps by ${esc(d.name)}"></head><body><header><a href="/store/games?hl=en">Games</a><a href="/store/apps?hl=en">Apps</a><a href="/store/search?q=x&amp;c=apps">Search</a></header><c-wiz><div class="Jqe1ke"><h1 class="F4Ov8c">${esc(d.name)}</h1></div><section><header><h2 class="XfZNbf">${esc(d.name)}</h2></header><div class="ZmHEEd fLyRuc">${cards}</div></section></c-wiz><footer><a href="/about/play-terms/index.html">Terms of Service</a><a href="https://policies.google.com/privacy">Privacy</a></footer><script nonce="x">AF_initDataCallback({key: 'ds:3', hash: '7', data:[null,[["${d.apps[0]?.id ?? ''}"]]], sideChannel: {}});</script></body></html>`;
}

/** Google Play developer pages on `s`: /store/apps/dev?id=<numeric> and /store/apps/developer?id=<name>; others 404. */
export function servePlayDeveloper(s: LocalServer, state: PlayState): PlayState & { served: Served[] } {
  const st = state as PlayState & { served: Served[] };
  st.served ??= [];
  const page = (by: 'id' | 'name') => (req: IncomingMessage, res: ServerResponse) => {
    if (failed(req, res, st.served, st.fail, '<html><body>Something went wrong')) return;
    const id = query(req).get('id');
    const d = st.developers.find((x) => (by === 'id' ? x.id === id : x.name === id));
    if (!d) {
      st.served.push({ url: req.url ?? '', status: 404 });
      return void res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><html><title>Not Found</title><body>We\'re sorry, the requested URL was not found on this server.</body></html>');
    }
    answer(req, res, st.served, playDeveloperPage(d), { 'content-type': 'text/html; charset=utf-8' });
  };
  s.routes.set('/store/apps/dev', page('id'));
  s.routes.set('/store/apps/developer', page('name'));
  return st;
}

// ---- GitHub REST API ---------------------------------------------------------------------------------------------

export interface GithubRepo {
  name: string;
  /** Asset names of the repository's one release ([] : a release with source archives only). */
  assets: string[];
  fork?: boolean;
  /** The release is a draft. */
  draft?: boolean;
  /** Several releases, newest first (instead of `assets`). */
  releases?: { tag: string; assets: string[]; draft?: boolean }[];
}
export interface GithubOrgState {
  login: string;
  /** An organization (default: /orgs/<login>/repos) or a user (/orgs/<login> is a 404, /users/<login>/repos). */
  kind?: 'org' | 'user';
  /** Numeric id used in the next-page links (/organizations/<id>/repos as on api.github.com). */
  id?: number;
  repos: GithubRepo[];
  /** Repositories per page (default 30, as GitHub's default; at most the per_page asked). */
  pageSize?: number;
  /** Requests left before the rate limit (decremented by each answer that is not a 304); undefined: 59 forever. */
  remaining?: number;
  /** Answer every request 403 "API rate limit exceeded" with x-ratelimit-remaining 0. */
  rateLimited?: boolean;
  /** x-ratelimit-reset (epoch seconds); default 2000000000 (2033-05-18T03:33:20Z). */
  resetAt?: number;
  fail?: Failure;
  /** Origin written into next-page links (default the server's own). */
  nextBase?: string;
  served?: Served[];
}

/**
 * The GitHub REST API of one organization or user on `s`: repository list pages with Link headers and weak ETags,
 * `/repos/<login>/<repo>/releases` per repository, x-ratelimit-* headers on every answer. Several logins may share
 * one server. Repositories added to `state.repos` later get their releases route on the next list request.
 */
export function serveGithubOrg(s: LocalServer, state: GithubOrgState): GithubOrgState & { served: Served[] } {
  const st = state as GithubOrgState & { served: Served[] };
  st.served ??= [];
  const id = st.id ?? 1000 + [...st.login].reduce((n, c) => n + c.charCodeAt(0), 0);
  const rate = (): Headers => ({ 'x-ratelimit-limit': 60, 'x-ratelimit-remaining': st.rateLimited ? 0 : (st.remaining ?? 59), 'x-ratelimit-reset': st.resetAt ?? 2000000000, 'x-ratelimit-used': 1, 'x-ratelimit-resource': 'core' });
  const json = (req: IncomingMessage, res: ServerResponse, body: unknown, extra: Headers = {}) => {
    if (st.rateLimited || st.remaining === 0) {
      st.served.push({ url: req.url ?? '', status: 403 });
      const msg = { message: 'API rate limit exceeded for 127.0.0.1. (But here\'s the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' };
      return void res.writeHead(403, { 'content-type': 'application/json; charset=utf-8', ...rate(), 'x-ratelimit-remaining': 0 }).end(JSON.stringify(msg));
    }
    if (failed(req, res, st.served, st.fail, '[{"id": 1, "name": "trunc')) return;
    const text = JSON.stringify(body);
    const willSend = req.headers['if-none-match'] !== `W/"${createHash('sha256').update(text).digest('hex').slice(0, 20)}"`;
    if (willSend && st.remaining !== undefined) st.remaining--;
    answer(req, res, st.served, text, { 'content-type': 'application/json; charset=utf-8', ...rate(), ...extra }, true, rate());
  };
  const notFound = (req: IncomingMessage, res: ServerResponse) => {
    st.served.push({ url: req.url ?? '', status: 404 });
    res.writeHead(404, { 'content-type': 'application/json; charset=utf-8', ...rate() }).end(JSON.stringify({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' }));
  };
  const type = st.kind === 'user' ? 'User' : 'Organization';
  const repoJson = (r: GithubRepo, n: number) => ({
    id: id * 1000 + n,
    node_id: `R_kgDO${n}`,
    name: r.name,
    full_name: `${st.login}/${r.name}`,
    private: false,
    owner: { login: st.login, id, node_id: `O_${id}`, avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`, url: `${s.base}/users/${st.login}`, html_url: `https://github.com/${st.login}`, type, site_admin: false },
    html_url: `https://github.com/${st.login}/${r.name}`,
    description: `${r.name} by ${st.login}`,
    fork: r.fork === true,
    url: `${s.base}/repos/${st.login}/${r.name}`,
    releases_url: `${s.base}/repos/${st.login}/${r.name}/releases{/id}`,
    created_at: '2022-01-01T00:00:00Z',
    updated_at: '2026-10-01T00:00:00Z',
    pushed_at: '2026-10-01T00:00:00Z',
    stargazers_count: 10,
    language: 'Kotlin',
    archived: false,
    disabled: false,
    visibility: 'public',
    default_branch: 'main',
    topics: [],
  });
  const releasesJson = (r: GithubRepo) =>
    (r.releases ?? [{ tag: 'v1.0.0', assets: r.assets, draft: r.draft }]).map((rel, i) => ({
      url: `${s.base}/repos/${st.login}/${r.name}/releases/${i + 1}`,
      html_url: `https://github.com/${st.login}/${r.name}/releases/tag/${rel.tag}`,
      id: i + 1,
      tag_name: rel.tag,
      target_commitish: 'main',
      name: rel.tag,
      draft: rel.draft === true,
      prerelease: false,
      created_at: '2026-10-01T00:00:00Z',
      published_at: rel.draft ? null : '2026-10-01T00:00:00Z',
      assets: rel.assets.map((a, j) => ({ url: `${s.base}/repos/${st.login}/${r.name}/releases/assets/${j + 1}`, id: j + 1, name: a, label: '', content_type: 'application/octet-stream', state: 'uploaded', size: 1024, download_count: 3, created_at: '2026-10-01T00:00:00Z', updated_at: '2026-10-01T00:00:00Z', browser_download_url: `https://github.com/${st.login}/${r.name}/releases/download/${rel.tag}/${a}`, digest: `sha256:${createHash('sha256').update(a).digest('hex')}` })),
      tarball_url: `${s.base}/repos/${st.login}/${r.name}/tarball/${rel.tag}`,
      zipball_url: `${s.base}/repos/${st.login}/${r.name}/zipball/${rel.tag}`,
      body: 'Release notes',
    }));
  const routeReleases = () => {
    for (const r of st.repos) {
      s.routes.set(`/repos/${st.login}/${r.name}/releases`, (req, res) => {
        const now = st.repos.find((x) => x.name === r.name);
        if (!now) return notFound(req, res);
        json(req, res, releasesJson(now).slice(0, Number(query(req).get('per_page') ?? 30)));
      });
    }
  };
  const pagePath = st.kind === 'user' ? `/user/${id}/repos` : `/organizations/${id}/repos`;
  const list = (req: IncomingMessage, res: ServerResponse) => {
    routeReleases();
    const q = query(req);
    const size = Math.min(st.pageSize ?? 30, Number(q.get('per_page') ?? 30));
    const pageNo = Math.max(1, Number(q.get('page') ?? 1));
    const last = Math.max(1, Math.ceil(st.repos.length / size));
    const link = (n: number) => `<${st.nextBase ?? s.base}${pagePath}?per_page=${q.get('per_page') ?? 30}&type=${q.get('type') ?? 'all'}&page=${n}>`;
    const rels = [...(pageNo < last ? [`${link(pageNo + 1)}; rel="next"`, `${link(last)}; rel="last"`] : []), ...(pageNo > 1 ? [`${link(pageNo - 1)}; rel="prev"`, `${link(1)}; rel="first"`] : [])];
    json(req, res, st.repos.slice((pageNo - 1) * size, pageNo * size).map((r, i) => repoJson(r, (pageNo - 1) * size + i)), rels.length ? { link: rels.join(', ') } : {});
  };
  s.routes.set(`/orgs/${st.login}/repos`, (req, res) => (st.kind === 'user' ? notFound(req, res) : list(req, res)));
  s.routes.set(`/users/${st.login}/repos`, list);
  s.routes.set(pagePath, list);
  routeReleases();
  return st;
}

// ---- F-Droid repository (organization fixtures) ---------------------------------------------------------------------

/** test/fixtures/market/org: states v1 (2 Acme packages + 1 unrelated) and v2 (+ a 3rd Acme package), signed by the
 * key whose fingerprint is FDROID_FINGERPRINT (local-server.ts). */
export const ORG_FDROID_DIR = join(ROOT, 'test/fixtures/market/org');
/** A filter that finds the Acme packages: com.acme.notes (prefix), net.friendly.scanner (author), io.github.acme.camera (source host, v2). */
export const ORG_FDROID_FILTER = { packagePrefixes: ['com.acme.'], authors: ['Acme Inc'], sourceHosts: ['github.com/acme'] };
export const ORG_FDROID_V1_APPS = ['com.acme.notes', 'net.friendly.scanner'];
export const ORG_FDROID_V2_APPS = ['com.acme.notes', 'io.github.acme.camera', 'net.friendly.scanner'];

export interface FdroidOrgState {
  /** A state directory of ORG_FDROID_DIR: 'v1' or 'v2'. */
  dir: string;
  /** Replaces a file by name (e.g. 'entry.jar' with v2/entry-other.jar, signed by another key). */
  override?: Map<string, Buffer>;
  served?: Served[];
}

/** An F-Droid repository at `path` (default /repo) on `s`: entry.jar and index-v2.json of `state.dir`, with ETags. */
export function serveFdroidOrgRepo(s: LocalServer, state: FdroidOrgState, path = '/repo'): FdroidOrgState & { served: Served[] } {
  const st = state as FdroidOrgState & { served: Served[] };
  st.served ??= [];
  for (const name of ['entry.jar', 'index-v2.json']) {
    s.routes.set(`${path}/${name}`, (req, res) => {
      const p = join(ORG_FDROID_DIR, st.dir, name);
      const body = st.override?.get(name) ?? (existsSync(p) ? readFileSync(p) : undefined);
      if (!body) {
        st.served.push({ url: req.url ?? '', status: 404 });
        return void res.writeHead(404).end();
      }
      answer(req, res, st.served, body, { 'content-type': name.endsWith('.jar') ? 'application/java-archive' : 'application/json' });
    });
  }
  return st;
}

// ---- itms-services OTA manifest ------------------------------------------------------------------------------------

export interface OtaState {
  bundleId: string;
  version: string;
  title: string;
  served?: Served[];
}

/** An itms-services manifest (Apple's plist format) at `path` on `s`, with an ETag. */
export function serveOtaManifest(s: LocalServer, path: string, state: OtaState): OtaState & { served: Served[] } {
  const st = state as OtaState & { served: Served[] };
  st.served ??= [];
  s.routes.set(path, (req, res) => {
    const plist = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict><key>items</key><array><dict>
<key>assets</key><array><dict><key>kind</key><string>software-package</string><key>url</key><string>${s.base}/builds/${st.version}/App.ipa</string></dict>
<dict><key>kind</key><string>display-image</string><key>url</key><string>${s.base}/builds/icon57.png</string></dict></array>
<key>metadata</key><dict><key>bundle-identifier</key><string>${st.bundleId}</string><key>bundle-version</key><string>${st.version}</string><key>kind</key><string>software</string><key>title</key><string>${st.title}</string></dict>
</dict></array></dict></plist>`;
    answer(req, res, st.served, plist, { 'content-type': 'application/xml' });
  });
  return st;
}
