/**
 * The safe downloader (src/market/download.ts): address classification, the SSRF matrix refused before any socket,
 * redirects re-validated hop by hop, byte caps, timeouts, sha256 and sniffing, egress proxies (a real local forward
 * proxy: CONNECT tunnels and absolute-form requests), against local HTTP(S) servers.
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders, type IncomingMessage, STATUS_CODES } from 'node:http';
import { connect as netConnect, isIP, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { addressRefusal, checkUrl, DownloadFailed, DownloadRefused, downloadToFile, fetchBytes, noProxyMatches, parseProxyUrl, proxySettingsFromEnv, type FetchOptions, type LookupFn } from '../../src/market/download.js';
import { LEAKY_APK, tempDir } from '../helpers/files.js';
import { allowLocal, LOCAL_TLS_CERT, serveLocal, type LocalServer } from '../helpers/local-server.js';

const APK = readFileSync(LEAKY_APK);
const APK_SHA = createHash('sha256').update(APK).digest('hex');

t.test('address classification', async (t) => {
  for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '100.64.0.1', '169.254.169.254', '168.63.129.16', '100.100.100.200', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fc00::1', 'fd00:ec2::254', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:8.8.8.8', '2001:db8::1', '2002:7f00:1::1', 'ff02::1']) {
    t.ok(addressRefusal(a), `${a} refused`);
  }
  for (const a of ['8.8.8.8', '1.1.1.1', '140.82.112.3', '2606:4700:4700::1111', '2a00:1450:4001:82a::200e']) t.equal(addressRefusal(a), undefined, `${a} allowed`);
  t.match(addressRefusal('169.254.169.254'), /metadata/);
  t.match(addressRefusal('168.63.129.16'), /metadata/);
  t.match(addressRefusal('::ffff:7f00:1'), /IPv4-mapped.*loopback/);
});

t.test('SSRF matrix: every URL refused before any connection', async (t) => {
  const v4 = await serveLocal();
  let v6: LocalServer | undefined;
  try {
    v6 = await serveLocal({ host: '::1' });
  } catch {
    v6 = undefined; // no IPv6 loopback in this sandbox
  }
  const p = v4.port;
  const ports = { ports: [p, v6?.port ?? p, 443, 80] };
  const matrix: [string, RegExp][] = [
    [`http://127.0.0.1:${p}/a.apk`, /http/],
    [`https://127.0.0.1:${p}/a.apk`, /loopback/],
    [`https://[::1]:${v6?.port ?? p}/a.apk`, /loopback/],
    [`https://[::ffff:127.0.0.1]:${p}/a.apk`, /IPv4-mapped/],
    [`https://0.0.0.0:${p}/a.apk`, /this-network/],
    [`https://2130706433:${p}/a.apk`, /127\.0\.0\.1 is a loopback/],
    [`https://0x7f.1:${p}/a.apk`, /127\.0\.0\.1 is a loopback/],
    [`https://017700000001:${p}/a.apk`, /loopback/],
    ['http://169.254.169.254/latest/meta-data/', /metadata/],
    ['https://169.254.169.254/latest/meta-data/', /metadata/],
    ['https://168.63.129.16/', /metadata/],
    ['https://[fd00:ec2::254]/', /metadata/],
    ['https://100.100.100.200/', /metadata/],
    [`https://localhost:${p}/a.apk`, /loopback name/],
    ['https://metadata.google.internal/computeMetadata/v1/', /internal/],
    ['https://user:pw@example.com/a.apk', /credentials/],
    ['https://example.com:8443/a.apk', /port 8443/],
    ['ftp://example.com/a.apk', /scheme/],
    ['file:///etc/passwd', /scheme/],
    ['http://example.com/a.apk', /plain http/],
  ];
  for (const [url, why] of matrix) {
    const err = await downloadToFile(url, join(tempDir(), 'x'), ports).then(() => undefined, (e: unknown) => e);
    t.type(err, DownloadRefused, url);
    t.equal((err as DownloadRefused).phase, 'policy', `${url}: refused before any socket`);
    t.match((err as DownloadRefused).message, why, `${url}: ${(err as Error).message}`);
  }
  // A public-looking name that resolves to private or mixed addresses: refused in lookup, before the connect.
  const lookups: [string, string[]][] = [
    ['ten.example.com', ['10.0.0.7']],
    ['mixed.example.com', ['93.184.216.34', '127.0.0.1']],
    ['meta.example.com', ['169.254.169.254']],
    ['v6.example.com', ['::1']],
  ];
  for (const [name, addrs] of lookups) {
    const lookup: LookupFn = (_h, _o, cb) => cb(null, addrs.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
    const err = await fetchBytes(`https://${name}:${p}/x`, { ...ports, lookup }).then(() => undefined, (e: unknown) => e);
    t.type(err, DownloadRefused, name);
    t.equal((err as DownloadRefused).phase, 'connect', `${name}: refused at connect time`);
  }
  t.equal(v4.connections, 0, 'no connection reached the IPv4 loopback server');
  if (v6) t.equal(v6.connections, 0, 'no connection reached the IPv6 loopback server');
  // The default refuses the test server; the explicit allowance admits it.
  t.throws(() => checkUrl(`${v4.base}/a.apk`, { allowHosts: [] }), DownloadRefused);
  process.env.LEAKDEX_ALLOW_HOSTS = `example.org:443, 127.0.0.1:${p}`;
  t.equal(checkUrl(`${v4.base}/a.apk`).allowed, true, 'LEAKDEX_ALLOW_HOSTS admits 127.0.0.1:port');
  delete process.env.LEAKDEX_ALLOW_HOSTS;
  t.throws(() => checkUrl(`${v4.base}/a.apk`), DownloadRefused, 'and without it the default refuses');
  t.throws(() => checkUrl('http://169.254.169.254/', { allowHosts: ['169.254.169.254:80'] }), /metadata/, 'the deny list wins over an allowance');
});

t.test('redirects are re-validated hop by hop', async (t) => {
  const s = await serveLocal();
  const tls = await serveLocal({ tls: true });
  const ca = LOCAL_TLS_CERT;
  s.routes.set('/app.apk', (_q, r) => r.writeHead(200, { 'content-length': APK.length }).end(APK));
  s.routes.set('/to-private', (_q, r) => r.writeHead(302, { location: 'https://10.0.0.1/app.apk' }).end());
  s.routes.set('/to-meta', (_q, r) => r.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/' }).end());
  s.routes.set('/to-loopback-name', (_q, r) => r.writeHead(307, { location: 'https://localhost/app.apk' }).end());
  s.routes.set('/loop', (_q, r) => r.writeHead(302, { location: '/loop' }).end());
  s.routes.set('/relative', (_q, r) => r.writeHead(302, { location: 'app.apk' }).end());
  tls.routes.set('/down', (_q, r) => r.writeHead(302, { location: `${s.base}/app.apk` }).end());
  tls.routes.set('/cross', (_q, r) => r.writeHead(302, { location: `${s.base}/app.apk` }).end());
  tls.routes.set('/app.apk', (_q, r) => r.writeHead(200).end(APK));
  const o = { ...allowLocal(s, tls), ca };
  for (const [path, why] of [['/to-private', /private/], ['/to-meta', /metadata/], ['/to-loopback-name', /loopback name/]] as const) {
    const before = s.connections;
    const err = await fetchBytes(`${s.base}${path}`, o).then(() => undefined, (e: unknown) => e);
    t.type(err, DownloadRefused, path);
    t.match((err as Error).message, why);
    t.equal(s.connections, before + 1, `${path}: only the first hop connected`);
  }
  await t.rejects(fetchBytes(`${s.base}/loop`, o), { code: 'redirects' }, 'more than 5 redirects fail');
  t.equal(s.requests.filter((r) => r.url === '/loop').length, 6, 'the first request and 5 redirects');
  const rel = await fetchBytes(`${s.base}/relative`, o);
  t.equal(rel.sha256, APK_SHA, 'a relative redirect is followed');
  const down = await fetchBytes(`${tls.base}/down`, o).then(() => undefined, (e: unknown) => e);
  t.type(down, DownloadRefused, 'https -> http is refused even for allowed hosts');
  t.match((down as Error).message, /downgrade/);
  // Credentials are dropped across origins (here https -> https on another allowed origin).
  const tls2 = await serveLocal({ tls: true });
  tls2.routes.set('/asset', (_q, r) => r.writeHead(302, { location: `${tls.base}/app.apk` }).end());
  const got = await fetchBytes(`${tls2.base}/asset`, { ...allowLocal(s, tls, tls2), ca, headers: { authorization: 'token ghp_fake', 'x-keep': '1' } });
  t.equal(got.sha256, APK_SHA);
  t.equal(tls2.requests.at(-1)!.headers.authorization, 'token ghp_fake', 'the first origin got the token');
  const last = tls.requests.at(-1)!;
  t.equal(last.headers.authorization, undefined, 'the token is not forwarded to the other origin');
  t.equal(last.headers['x-keep'], '1');
  t.equal(last.headers['accept-encoding'], 'identity');
});

t.test('byte caps, timeouts, sha256, sniffing', async (t) => {
  const s = await serveLocal();
  const o = allowLocal(s);
  s.routes.set('/app.apk', (_q, r) => r.writeHead(200).end(APK));
  s.routes.set('/declared-big', (_q, r) => r.writeHead(200, { 'content-length': String(2 * 1024 ** 3) }).end());
  s.routes.set('/endless', (_q, r) => {
    // a 2 GB body without content-length: the cap stops it long before
    r.writeHead(200);
    r.write(APK.subarray(0, 4));
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    let sent = 0;
    const pump = () => {
      while (sent < 2 * 1024 ** 3 && !r.destroyed) {
        sent += chunk.length;
        if (!r.write(chunk)) return void r.once('drain', pump);
      }
      r.end();
    };
    pump();
  });
  s.routes.set('/stall', (_q, r) => {
    r.writeHead(200);
    r.write(APK.subarray(0, 10));
  });
  s.routes.set('/slowloris', (_q, r) => {
    r.writeHead(200);
    r.write(APK.subarray(0, 4));
    const iv = setInterval(() => (r.destroyed ? clearInterval(iv) : r.write('P')), 20);
    r.on('close', () => clearInterval(iv));
  });
  s.routes.set('/no-headers', () => {});
  s.routes.set('/html', (_q, r) => r.writeHead(200).end('<html>login</html>'));
  s.routes.set('/gone', (_q, r) => r.writeHead(404).end());
  const dir = tempDir();
  const ok = await downloadToFile(`${s.base}/app.apk`, join(dir, 'ok.apk'), { ...o, sha256: APK_SHA.toUpperCase() });
  t.equal(ok.size, APK.length);
  t.equal(ok.sha256, APK_SHA);
  t.same(readFileSync(join(dir, 'ok.apk')), APK);
  t.equal(s.requests.at(-1)!.headers['accept-encoding'], 'identity');
  const cases: [string, FetchOptions, string][] = [
    ['/app.apk', { sha256: '0'.repeat(64) }, 'sha256_mismatch'],
    ['/declared-big', {}, 'too_large'],
    ['/endless', { maxBytes: 4 * 1024 * 1024 }, 'too_large'],
    ['/stall', { idleTimeoutMs: 300 }, 'timeout'],
    ['/slowloris', { idleTimeoutMs: 1000, totalTimeoutMs: 600 }, 'timeout'],
    ['/no-headers', { headersTimeoutMs: 300 }, 'timeout'],
    ['/html', {}, 'not_an_app'],
    ['/gone', {}, 'http_status'],
  ];
  for (const [path, extra, code] of cases) {
    const dest = join(dir, `${path.slice(1)}.bin`);
    const started = Date.now();
    const err = await downloadToFile(`${s.base}${path}`, dest, { ...o, ...extra }).then(() => undefined, (e: unknown) => e);
    t.type(err, DownloadFailed, path);
    t.equal((err as DownloadFailed).code, code, `${path}: ${(err as Error).message}`);
    t.notOk(existsSync(dest), `${path}: no partial file left`);
    t.ok(Date.now() - started < 5000, `${path}: failed promptly`);
  }
  const doc = await fetchBytes(`${s.base}/html`, o);
  t.equal(doc.body.toString(), '<html>login</html>', 'fetchBytes reads documents');
});

// ---- egress proxies -----------------------------------------------------------------------------------------

interface ForwardProxy {
  /** `http://127.0.0.1:port`. */
  url: string;
  port: number;
  /** TCP connections accepted so far. */
  connections: number;
  /** Every CONNECT and every absolute-form request, in order. */
  seen: { method: string; url: string; headers: IncomingHttpHeaders }[];
  /** Answer everything with this status instead of forwarding. */
  refuse?: number;
  /** The Proxy-Authorization value required (407 otherwise). */
  auth?: string;
  /** Never answer CONNECT. */
  hang?: boolean;
  /** Names the proxy resolves (to an address); other names answer 502. */
  hosts: Map<string, string>;
}

/** A forward proxy on 127.0.0.1 written with node:http: CONNECT piped to the target, absolute-form requests forwarded. */
async function forwardProxy(): Promise<ForwardProxy> {
  const p: ForwardProxy = { url: '', port: 0, connections: 0, seen: [], hosts: new Map() };
  const sockets = new Set<Socket>();
  const denied = (req: IncomingMessage): number | undefined => {
    if (p.refuse) return p.refuse;
    if (p.auth && req.headers['proxy-authorization'] !== p.auth) return 407;
    return undefined;
  };
  const address = (host: string): string | undefined => (isIP(host) ? host : p.hosts.get(host));
  const server = http.createServer((req, res) => {
    p.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const no = denied(req);
    if (no) return void res.writeHead(no, no === 407 ? { 'proxy-authenticate': 'Basic realm="test"' } : {}).end();
    const target = new URL(req.url ?? '/');
    const to = address(target.hostname.replace(/^\[|\]$/g, ''));
    if (target.protocol !== 'http:' || !to) return void res.writeHead(502).end();
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const up = http.request({ host: to, port: target.port || 80, path: `${target.pathname}${target.search}`, method: req.method, headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  server.on('connection', (s: Socket) => {
    p.connections++;
    sockets.add(s);
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    p.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    client.on('error', () => client.destroy());
    if (p.hang) return;
    const no = denied(req);
    const answer = (status: number, extra = '') => client.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${extra}content-length: 0\r\n\r\n`);
    if (no) return answer(no, no === 407 ? 'proxy-authenticate: Basic realm="test"\r\n' : '');
    const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(req.url ?? '');
    const to = m ? address(m[1] ?? m[2]!) : undefined;
    if (!m || !to) return answer(502);
    const up = netConnect(Number(m[3]), to, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    sockets.add(up);
    up.on('error', () => answer(502));
    client.on('close', () => up.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  p.port = (server.address() as AddressInfo).port;
  p.url = `http://127.0.0.1:${p.port}`;
  t.teardown(() => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return p;
}

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as Error);

t.test('NO_PROXY matching', async (t) => {
  const yes: [string, number, string][] = [
    ['example.com', 443, 'example.com'],
    ['www.example.com', 443, 'example.com'],
    ['a.b.example.com', 443, '.example.com'],
    ['example.com', 443, '.example.com'],
    ['www.example.com', 443, '*.example.com'],
    ['WWW.Example.COM', 443, 'foo.org, .EXAMPLE.com'],
    ['www.example.com.', 443, 'example.com'],
    ['example.com', 443, 'example.com:443'],
    ['example.com', 80, 'example.com:80'],
    ['mirror.corp', 8443, 'localhost mirror.corp:8443'],
    ['anything.org', 443, '*'],
    ['10.1.2.3', 443, '10.1.2.3'],
    ['10.1.2.3', 443, '10.0.0.0/8'],
    ['127.0.0.1', 8080, '127.0.0.1:8080'],
    ['[::1]', 443, '::1'],
    ['::1', 443, '[::1]'],
    ['[::1]', 8080, '[::1]:8080'],
    ['[fd00::1]', 443, 'fd00::/8'],
    ['[2001:db8:0:0::1]', 443, '2001:db8::1'],
  ];
  for (const [host, port, list] of yes) t.ok(noProxyMatches(host, port, list), `${host}:${port} matches '${list}'`);
  const no: [string, number, string | undefined][] = [
    ['example.com', 443, undefined],
    ['example.com', 443, ''],
    ['notexample.com', 443, 'example.com'],
    ['example.com.evil.org', 443, 'example.com'],
    ['example.org', 443, '.example.com'],
    ['example.com', 443, 'example.com:80'],
    ['example.com', 8443, 'example.com:443'],
    ['127.0.0.1', 8080, '127.0.0.1:9090'],
    ['11.1.2.3', 443, '10.0.0.0/8'],
    ['ten.example.com', 443, '10.0.0.0/8'],
    ['[::2]', 443, '::1'],
    ['[::1]', 443, '[::1]:8080'],
    ['127.0.0.1', 443, 'localhost'],
  ];
  for (const [host, port, list] of no) t.notOk(noProxyMatches(host, port, list), `${host}:${port} does not match '${list}'`);
  // The environment: lower-case first, empty counts as unset.
  t.same(proxySettingsFromEnv({ HTTPS_PROXY: 'http://a:1', https_proxy: 'http://b:2', HTTP_PROXY: 'http://c:3', http_proxy: '', NO_PROXY: 'x.org' }), { https: 'http://b:2', http: 'http://c:3', noProxy: 'x.org' });
  t.same(parseProxyUrl('http://u%40corp:p%3Ass@proxy.corp:3128', 'HTTPS_PROXY'), { host: 'proxy.corp', port: 3128, label: 'proxy.corp:3128', authorization: basic('u@corp', 'p:ss') });
  t.same(parseProxyUrl('proxy.corp:8080', 'HTTP_PROXY'), { host: 'proxy.corp', port: 8080, label: 'proxy.corp:8080' }, 'a bare host:port is an http proxy');
  t.equal(parseProxyUrl('http://proxy.corp', 'HTTP_PROXY').port, 80);
});

t.test('https through a CONNECT proxy', async (t) => {
  const tls = await serveLocal({ tls: true });
  const px = await forwardProxy();
  tls.routes.set('/app.apk', (_q, r) => r.writeHead(200, { 'content-length': APK.length }).end(APK));
  const o: FetchOptions = { ...allowLocal(tls), ca: LOCAL_TLS_CERT, proxy: { https: px.url } };
  const got = await fetchBytes(`${tls.base}/app.apk`, o);
  t.same(got.body, APK, 'the body arrives intact through the tunnel');
  t.equal(got.sha256, APK_SHA);
  t.same(px.seen.map((s) => `${s.method} ${s.url}`), [`CONNECT 127.0.0.1:${tls.port}`], 'the proxy saw one CONNECT to the target');
  t.equal(px.seen[0]!.headers.host, `127.0.0.1:${tls.port}`, 'CONNECT carries a Host header');
  t.equal(px.seen[0]!.headers['proxy-authorization'], undefined, 'no credentials, no Proxy-Authorization');
  t.equal(tls.requests.at(-1)!.headers.host, `127.0.0.1:${tls.port}`, 'the request inside the tunnel names the target');
  t.equal(tls.requests.at(-1)!.url, '/app.apk', 'in origin form');
  const dest = join(tempDir(), 'via-proxy.apk');
  const file = await downloadToFile(`${tls.base}/app.apk`, dest, { ...o, sha256: APK_SHA });
  t.equal(file.size, APK.length);
  t.same(readFileSync(dest), APK, 'downloadToFile goes through the proxy too');
  t.equal(px.seen.length, 2);
  // The certificate is checked over the tunnel: without the test CA the self-signed certificate is refused.
  const untrusted = await failure(fetchBytes(`${tls.base}/app.apk`, { ...o, ca: undefined }));
  t.type(untrusted, DownloadFailed);
  t.equal((untrusted as DownloadFailed).code, 'network');
  t.match(untrusted!.message, /self-signed|not trusted/, untrusted!.message);
  t.equal(px.seen.length, 3, 'the tunnel was opened, TLS refused the target');
  // A redirect to a NO_PROXY host: the proxy is chosen hop by hop.
  const tls2 = await serveLocal({ tls: true });
  tls.routes.set('/hop', (_q, r) => r.writeHead(302, { location: `${tls2.base}/app.apk` }).end());
  tls2.routes.set('/app.apk', (_q, r) => r.writeHead(200).end(APK));
  const hop = await fetchBytes(`${tls.base}/hop`, { ...allowLocal(tls, tls2), ca: LOCAL_TLS_CERT, proxy: { https: px.url, noProxy: `127.0.0.1:${tls2.port}` } });
  t.equal(hop.sha256, APK_SHA);
  t.same(px.seen.slice(3).map((s) => s.url), [`127.0.0.1:${tls.port}`], 'only the first hop went through the proxy');
  t.equal(tls2.requests.length, 1, 'the second hop was direct');
});

t.test('proxy credentials: sent as Proxy-Authorization, never in errors', async (t) => {
  const tls = await serveLocal({ tls: true });
  const px = await forwardProxy();
  tls.routes.set('/doc', (_q, r) => r.writeHead(200).end('ok'));
  px.auth = basic('alice', 's3cr3t p@ss');
  const base = { ...allowLocal(tls), ca: LOCAL_TLS_CERT };
  const ok = await fetchBytes(`${tls.base}/doc`, { ...base, proxy: { https: `http://alice:s3cr3t%20p%40ss@127.0.0.1:${px.port}` } });
  t.equal(ok.body.toString(), 'ok');
  t.equal(px.seen.at(-1)!.headers['proxy-authorization'], px.auth, 'Basic credentials, percent-decoded');
  t.equal(tls.requests.at(-1)!.headers['proxy-authorization'], undefined, 'the target never sees them');
  for (const proxy of [`http://alice:wrong-pw@127.0.0.1:${px.port}`, px.url]) {
    const err = await failure(fetchBytes(`${tls.base}/doc`, { ...base, proxy: { https: proxy } }));
    t.type(err, DownloadFailed);
    t.equal((err as DownloadFailed).code, 'network');
    t.equal((err as DownloadFailed).status, undefined, 'the proxy status is not taken for the origin status');
    t.match(err!.message, new RegExp(`proxy 127\\.0\\.0\\.1:${px.port} refused CONNECT 127\\.0\\.0\\.1:${tls.port}: HTTP 407 \\(proxy authentication required`), err!.message);
    t.notMatch(err!.message, /alice|wrong-pw|s3cr3t|YWxp/, 'no credentials in the message');
  }
  // Unusable proxy URLs are refused plainly, without echoing them.
  for (const [proxy, why] of [
    ['https://bob:hunter2@proxy.example.com:443', /HTTPS_PROXY: https:\/\/ proxies are not supported/],
    ['socks5://bob:hunter2@proxy.example.com:1080', /scheme socks5: is not supported/],
    ['http://bob:hunter2@[proxy', /HTTPS_PROXY is not a valid proxy URL/],
  ] as const) {
    const err = await failure(fetchBytes(`${tls.base}/doc`, { ...base, proxy: { https: proxy } }));
    t.type(err, DownloadFailed, proxy);
    t.match(err!.message, why, err!.message);
    t.notMatch(err!.message, /hunter2|bob/);
  }
});

t.test('NO_PROXY bypasses the proxy; HTTPS_PROXY does not carry http', async (t) => {
  const tls = await serveLocal({ tls: true });
  const s = await serveLocal();
  const px = await forwardProxy();
  tls.routes.set('/doc', (_q, r) => r.writeHead(200).end('tls'));
  s.routes.set('/doc', (_q, r) => r.writeHead(200).end('plain'));
  const base = { ...allowLocal(tls, s), ca: LOCAL_TLS_CERT };
  for (const noProxy of ['127.0.0.1', `127.0.0.1:${tls.port}`, '*', 'localhost, 127.0.0.0/8', 'example.org,127.0.0.1']) {
    const got = await fetchBytes(`${tls.base}/doc`, { ...base, proxy: { https: px.url, noProxy } });
    t.equal(got.body.toString(), 'tls', `NO_PROXY=${noProxy}: direct`);
  }
  t.equal(px.connections, 0, 'the proxy saw nothing');
  t.equal((await fetchBytes(`${s.base}/doc`, { ...base, proxy: { https: px.url } })).body.toString(), 'plain');
  t.equal(px.connections, 0, 'an http target ignores the https proxy');
  await fetchBytes(`${tls.base}/doc`, { ...base, proxy: { https: px.url, noProxy: '127.0.0.1:1,.example.org' } });
  t.equal(px.seen.length, 1, 'a NO_PROXY that does not match leaves the proxy in use');
  // Read from the environment at call time, lower-case first; `proxy: false` disables.
  const saved = { ...process.env };
  t.teardown(() => {
    for (const k of ['HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });
  process.env.https_proxy = px.url;
  process.env.HTTPS_PROXY = 'http://127.0.0.1:1';
  delete process.env.NO_PROXY;
  delete process.env.no_proxy;
  await fetchBytes(`${tls.base}/doc`, base);
  t.equal(px.seen.length, 2, 'https_proxy from the environment');
  await fetchBytes(`${tls.base}/doc`, { ...base, proxy: false });
  t.equal(px.seen.length, 2, 'proxy: false connects directly');
  process.env.NO_PROXY = '127.0.0.1';
  await fetchBytes(`${tls.base}/doc`, base);
  t.equal(px.seen.length, 2, 'NO_PROXY from the environment');
});

t.test('http through HTTP_PROXY in absolute form', async (t) => {
  const s = await serveLocal();
  const px = await forwardProxy();
  s.routes.set('/doc', (_q, r) => r.writeHead(200).end('plain'));
  px.auth = basic('carol', 'pw');
  const got = await fetchBytes(`${s.base}/doc?x=1`, { ...allowLocal(s), headers: { 'x-keep': '1' }, proxy: { http: `http://carol:pw@127.0.0.1:${px.port}` } });
  t.equal(got.body.toString(), 'plain');
  t.same(px.seen.map((x) => `${x.method} ${x.url}`), [`GET http://127.0.0.1:${s.port}/doc?x=1`], 'absolute-form request to the proxy');
  t.equal(px.seen[0]!.headers.host, `127.0.0.1:${s.port}`);
  t.equal(px.seen[0]!.headers['proxy-authorization'], px.auth);
  t.equal(px.seen[0]!.headers['x-keep'], '1');
  t.equal(s.requests.at(-1)!.url, '/doc?x=1', 'the proxy forwarded it');
  const err = await failure(fetchBytes(`${s.base}/doc`, { ...allowLocal(s), proxy: { http: `http://carol:nope@127.0.0.1:${px.port}` } }));
  t.type(err, DownloadFailed);
  t.equal((err as DownloadFailed).code, 'network');
  t.match(err!.message, /proxy 127\.0\.0\.1:\d+ refused GET .*HTTP 407/, err!.message);
  t.notMatch(err!.message, /carol|nope/);
});

t.test('proxy refusals, timeouts and an unreachable proxy', async (t) => {
  const tls = await serveLocal({ tls: true });
  const px = await forwardProxy();
  const base = { ...allowLocal(tls), ca: LOCAL_TLS_CERT };
  px.refuse = 403;
  const refused = await failure(fetchBytes(`${tls.base}/doc`, { ...base, proxy: { https: px.url } }));
  t.type(refused, DownloadFailed);
  t.equal((refused as DownloadFailed).code, 'network');
  t.equal((refused as DownloadFailed).status, undefined);
  t.equal(refused!.message, `127.0.0.1:${tls.port}: proxy 127.0.0.1:${px.port} refused CONNECT 127.0.0.1:${tls.port}: HTTP 403 (forbidden by the proxy policy)`);
  t.equal(tls.connections, 0, 'the target was never reached');
  px.refuse = undefined;
  px.hang = true;
  const started = Date.now();
  const slow = await failure(fetchBytes(`${tls.base}/doc`, { ...base, proxy: { https: px.url }, connectTimeoutMs: 300 }));
  t.equal((slow as DownloadFailed).code, 'timeout');
  t.match(slow!.message, new RegExp(`via proxy 127\\.0\\.0\\.1:${px.port} timed out`));
  t.ok(Date.now() - started < 3000, 'the connect timeout covers CONNECT');
  // A proxy nobody listens on.
  const closedPort = await new Promise<number>((resolve) => {
    const srv = http.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const p = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });
  const down = await failure(fetchBytes(`${tls.base}/doc`, { ...base, proxy: { https: `http://u:secret@127.0.0.1:${closedPort}` } }));
  t.equal((down as DownloadFailed).code, 'network');
  t.match(down!.message, new RegExp(`proxy 127\\.0\\.0\\.1:${closedPort}: the host refused the connection .*ECONNREFUSED`), down!.message);
  t.notMatch(down!.message, /secret/);
});

t.test('the SSRF policy still applies with a proxy', async (t) => {
  const tls = await serveLocal({ tls: true });
  const px = await forwardProxy();
  const proxy = { https: px.url, http: px.url };
  // The URL policy runs first: nothing reaches the proxy.
  for (const url of ['https://127.0.0.1:1/', 'https://169.254.169.254/', 'http://example.com/', 'https://localhost/', 'https://10.0.0.1/']) {
    const err = await failure(fetchBytes(url, { proxy }));
    t.type(err, DownloadRefused, url);
    t.equal((err as DownloadRefused).phase, 'policy', `${url}: ${err!.message}`);
  }
  const saved = process.env.HTTPS_PROXY;
  process.env.HTTPS_PROXY = px.url;
  const fromEnv = await failure(fetchBytes('https://127.0.0.1:1/'));
  if (saved === undefined) delete process.env.HTTPS_PROXY;
  else process.env.HTTPS_PROXY = saved;
  t.type(fromEnv, DownloadRefused, 'with HTTPS_PROXY in the environment too');
  // A name resolving (locally) to a refused address is refused before the proxy is contacted.
  const resolvesTo = (...addrs: string[]): LookupFn => (_h, _o, cb) => cb(null, addrs.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  for (const addrs of [['10.0.0.7'], ['93.184.216.34', '127.0.0.1'], ['169.254.169.254']]) {
    const err = await failure(fetchBytes('https://inside.example.com/x', { proxy, lookup: resolvesTo(...addrs) }));
    t.type(err, DownloadRefused, addrs.join(','));
    t.equal((err as DownloadRefused).phase, 'connect');
  }
  t.equal(px.connections, 0, 'no connection to the proxy for any refused URL');
  // A name that resolves to a public address, or does not resolve locally, is left to the proxy (by name).
  const ports = { ports: [tls.port] };
  px.hosts.set('mirror.example.com', '127.0.0.1');
  const notFound: LookupFn = (h, _o, cb) => cb(Object.assign(new Error(`${h} not found`), { code: 'ENOTFOUND' }), []);
  for (const lookup of [notFound, resolvesTo('93.184.216.34')]) {
    const err = await failure(fetchBytes(`https://mirror.example.com:${tls.port}/doc`, { ...ports, ca: LOCAL_TLS_CERT, proxy, lookup }));
    t.equal(px.seen.at(-1)?.url, `mirror.example.com:${tls.port}`, `CONNECT by name (${err?.message})`);
    // The proxy reached the local TLS server, whose certificate is for 127.0.0.1 only: the name is verified.
    t.type(err, DownloadFailed);
    t.match(err!.message, /another host name \(ERR_TLS_CERT_ALTNAME_INVALID\)/, err!.message);
  }
  t.equal(px.seen.length, 2);
});
