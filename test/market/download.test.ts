/**
 * The safe downloader (src/market/download.ts): address classification, the SSRF matrix refused before any socket,
 * redirects re-validated hop by hop, byte caps, timeouts, sha256 and sniffing, against local HTTP(S) servers.
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addressRefusal, checkUrl, DownloadFailed, DownloadRefused, downloadToFile, fetchBytes, type FetchOptions, type LookupFn } from '../../src/market/download.js';
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
