/** Local HTTP(S) servers standing in for app stores, repositories, CDNs and webhook receivers. */
import t from 'tap';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FetchOptions } from '../../src/market/download.js';
import { LEAKY_APK, LEAKY_V2_APK, readFixture, ROOT } from './files.js';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface LocalServer {
  port: number;
  host: string;
  /** `http(s)://host:port`. */
  base: string;
  /** TCP connections accepted so far. */
  connections: number;
  requests: { url: string; headers: IncomingMessage['headers'] }[];
  /** Handlers by path (without the query); any other path is a 404. */
  routes: Map<string, Handler>;
}

/** The certificate of the local HTTPS servers (self-signed, test/fixtures/market), for FetchOptions.ca. */
export const LOCAL_TLS_CERT = Buffer.from(readFixture('market', 'tls-cert.pem'));

/** An http(s) server on 127.0.0.1 (or ::1) that counts every TCP connection it sees; closed when the test file ends. */
export async function serveLocal(opts: { tls?: boolean; host?: string } = {}): Promise<LocalServer> {
  const host = opts.host ?? '127.0.0.1';
  const local: LocalServer = { port: 0, host, base: '', connections: 0, requests: [], routes: new Map() };
  const handler: Handler = (req, res) => {
    local.requests.push({ url: req.url ?? '', headers: req.headers });
    const h = local.routes.get((req.url ?? '').split('?')[0]!);
    if (h) h(req, res);
    else res.writeHead(404).end('no');
  };
  const server = opts.tls ? https.createServer({ key: Buffer.from(readFixture('market', 'tls-key.pem')), cert: LOCAL_TLS_CERT }, handler) : http.createServer(handler);
  server.on('connection', () => local.connections++);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  local.port = (server.address() as AddressInfo).port;
  local.base = `${opts.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${local.port}`;
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return local;
}

/** Fetch options that admit these local servers past the download policy (which refuses loopback addresses). */
export const allowLocal = (...servers: LocalServer[]): FetchOptions => ({ allowHosts: servers.map((x) => `${x.host}:${x.port}`) });

/** The F-Droid repository fixtures (test/fixtures/market/fdroid): states v1, v2 and v1only, signed entry.jar files. */
export const FDROID_DIR = join(ROOT, 'test/fixtures/market/fdroid');
/** SHA-256 of the fixture repository's signing certificate. */
export const FDROID_FINGERPRINT = readFileSync(join(FDROID_DIR, 'fingerprint.txt'), 'utf8').trim();

/**
 * Serves an F-Droid repository at /repo with ETags on entry.jar: the fixture files of state `dir`, the leaky sample
 * as version 12 and its next version as 13; `override` replaces any file by name.
 */
export function serveFdroidRepo(s: LocalServer, state: { dir: string; override: Map<string, Buffer> }): void {
  const file = (name: string): Buffer | undefined => {
    if (state.override.has(name)) return state.override.get(name);
    if (name === 'com.leakdex.sample.leaky_12.apk') return readFileSync(LEAKY_APK);
    if (name === 'com.leakdex.sample.leaky_13.apk') return readFileSync(LEAKY_V2_APK);
    const p = join(FDROID_DIR, state.dir, name);
    return existsSync(p) ? readFileSync(p) : undefined;
  };
  for (const name of ['entry.jar', 'index-v2.json', 'diff/1735689600000.json', 'com.leakdex.sample.leaky_12.apk', 'com.leakdex.sample.leaky_13.apk', 'index-v1.jar']) {
    s.routes.set(`/repo/${name}`, (req, res) => {
      const body = file(name);
      if (!body) return void res.writeHead(404).end();
      const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
      if (name === 'entry.jar' && req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
      res.writeHead(200, { etag, 'content-length': body.length }).end(body);
    });
  }
}

/** The GitHub REST API of repository o/r (releases with ETags) on `api`; each asset download redirects to `cdn`. */
export function serveGithubReleases(api: LocalServer, cdn: LocalServer, releases: { tag: string; apk: Buffer; digest?: boolean }[]): void {
  const rel = () =>
    releases.map((r) => ({
      tag_name: r.tag,
      draft: false,
      prerelease: false,
      assets: [
        { name: 'notes.txt', browser_download_url: `${cdn.base}/notes.txt`, url: 'x', size: 1 },
        { name: `app-${r.tag}.apk`, browser_download_url: `${api.base}/o/r/releases/download/${r.tag}/app-${r.tag}.apk`, url: 'x', size: r.apk.length, digest: r.digest === false ? null : `sha256:${createHash('sha256').update(r.apk).digest('hex')}` },
      ],
    }));
  const json = (req: IncomingMessage, res: ServerResponse, body: unknown) => {
    const text = JSON.stringify(body);
    const etag = `W/"${createHash('sha256').update(text).digest('hex').slice(0, 20)}"`;
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag, 'x-ratelimit-remaining': '59' }).end();
    res.writeHead(200, { etag, 'content-type': 'application/json', 'x-ratelimit-remaining': '59' }).end(text);
  };
  api.routes.set('/repos/o/r/releases/latest', (req, res) => json(req, res, rel().at(-1)));
  api.routes.set('/repos/o/r/releases', (req, res) => json(req, res, rel().reverse()));
  for (const r of releases) {
    api.routes.set(`/o/r/releases/download/${r.tag}/app-${r.tag}.apk`, (_q, res) => res.writeHead(302, { location: `${cdn.base}/blob/${r.tag}` }).end());
    cdn.routes.set(`/blob/${r.tag}`, (_q, res) => res.writeHead(200).end(r.apk));
  }
}
