import t from 'tap';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { addressRefusal, checkUrl, DownloadFailed, DownloadRefused, downloadToFile, fetchBytes, type FetchOptions, type LookupFn } from '../../src/market/download.js';

const ROOT = process.cwd();
const FIX = join(ROOT, 'test/fixtures/market');
const APK = readFileSync(join(ROOT, 'samples/android/leaky-multidex.apk'));
const APK_SHA = createHash('sha256').update(APK).digest('hex');

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'leakdex-market-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
interface Local {
  port: number;
  host: string;
  base: string;
  connections: number;
  requests: { url: string; headers: IncomingMessage['headers'] }[];
  routes: Map<string, Handler>;
}

/** An http(s) server on 127.0.0.1 (or ::1) that counts every TCP connection it sees. */
async function serve(opts: { tls?: boolean; host?: string } = {}): Promise<Local> {
  const host = opts.host ?? '127.0.0.1';
  const local: Local = { port: 0, host, base: '', connections: 0, requests: [], routes: new Map() };
  const handler: Handler = (req, res) => {
    local.requests.push({ url: req.url ?? '', headers: req.headers });
    const h = local.routes.get((req.url ?? '').split('?')[0]!);
    if (h) h(req, res);
    else res.writeHead(404).end('no');
  };
  const server = opts.tls ? https.createServer({ key: readFileSync(join(FIX, 'tls-key.pem')), cert: readFileSync(join(FIX, 'tls-cert.pem')) }, handler) : http.createServer(handler);
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

const allow = (...l: Local[]): FetchOptions => ({ allowHosts: l.map((x) => `${x.host}:${x.port}`) });

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
  const v4 = await serve();
  let v6: Local | undefined;
  try {
    v6 = await serve({ host: '::1' });
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
  const s = await serve();
  const tls = await serve({ tls: true });
  const ca = readFileSync(join(FIX, 'tls-cert.pem'));
  s.routes.set('/app.apk', (_q, r) => r.writeHead(200, { 'content-length': APK.length }).end(APK));
  s.routes.set('/to-private', (_q, r) => r.writeHead(302, { location: 'https://10.0.0.1/app.apk' }).end());
  s.routes.set('/to-meta', (_q, r) => r.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/' }).end());
  s.routes.set('/to-loopback-name', (_q, r) => r.writeHead(307, { location: 'https://localhost/app.apk' }).end());
  s.routes.set('/loop', (_q, r) => r.writeHead(302, { location: '/loop' }).end());
  s.routes.set('/relative', (_q, r) => r.writeHead(302, { location: 'app.apk' }).end());
  tls.routes.set('/down', (_q, r) => r.writeHead(302, { location: `${s.base}/app.apk` }).end());
  tls.routes.set('/cross', (_q, r) => r.writeHead(302, { location: `${s.base}/app.apk` }).end());
  tls.routes.set('/app.apk', (_q, r) => r.writeHead(200).end(APK));
  const o = { ...allow(s, tls), ca };
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
  const tls2 = await serve({ tls: true });
  tls2.routes.set('/asset', (_q, r) => r.writeHead(302, { location: `${tls.base}/app.apk` }).end());
  const got = await fetchBytes(`${tls2.base}/asset`, { ...allow(s, tls, tls2), ca, headers: { authorization: 'token ghp_fake', 'x-keep': '1' } });
  t.equal(got.sha256, APK_SHA);
  t.equal(tls2.requests.at(-1)!.headers.authorization, 'token ghp_fake', 'the first origin got the token');
  const last = tls.requests.at(-1)!;
  t.equal(last.headers.authorization, undefined, 'the token is not forwarded to the other origin');
  t.equal(last.headers['x-keep'], '1');
  t.equal(last.headers['accept-encoding'], 'identity');
});

t.test('byte caps, timeouts, sha256, sniffing', async (t) => {
  const s = await serve();
  const o = allow(s);
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

// ---- sources ------------------------------------------------------------------------------------------------

const FD = join(FIX, 'fdroid');
const FP = readFileSync(join(FD, 'fingerprint.txt'), 'utf8').trim();
const APK13 = readFileSync(join(ROOT, 'samples/android/leaky-v2.apk'));
const IPA = readFileSync(join(ROOT, 'samples/ios/leaky-ios.ipa'));

/** Serves an F-Droid repository (fixture state `v1`/`v2`, files replaceable) at /repo with ETags on entry.jar. */
function fdroidRepo(s: Local, state: { dir: string; override: Map<string, Buffer> }): void {
  const file = (name: string): Buffer | undefined => {
    if (state.override.has(name)) return state.override.get(name);
    if (name === 'com.leakdex.sample.leaky_12.apk') return APK;
    if (name === 'com.leakdex.sample.leaky_13.apk') return APK13;
    const p = join(FD, state.dir, name);
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

t.test('JAR signatures: jarsigner and apksigner entry.jar verify; other key and tampering refused', async (t) => {
  const { verifySignedJar } = await import('../../src/market/jar.js');
  for (const f of ['v1/entry.jar', 'v2/entry.jar', 'v1/entry-apksigner.jar', 'v2/entry-apksigner.jar']) {
    const r = verifySignedJar(readFileSync(join(FD, f)), FP, 'entry.json');
    t.same(r.content, readFileSync(join(FD, f.split('/')[0]!, 'entry.json')), `${f}: entry.json returned`);
    t.equal(r.signerSha256, FP);
  }
  t.throws(() => verifySignedJar(readFileSync(join(FD, 'v2/entry-other.jar')), FP, 'entry.json'), /not by the pinned repository key/, 'signed by another key');
  t.throws(() => verifySignedJar(readFileSync(join(FD, 'v2/entry.jar')), FP.toUpperCase().replace(/(..)/g, '$1:').slice(0, -1).replace(/^../, '00'), 'entry.json'), /pinned/);
  // Tampered: entry.json replaced inside the signed JAR (re-zipped with the original signature files).
  const JSZip = (await import('jszip')).default;
  const zip = await JSZip.loadAsync(readFileSync(join(FD, 'v2/entry.jar')));
  const entry = JSON.parse(await zip.file('entry.json')!.async('string')) as { index: { sha256: string } };
  entry.index.sha256 = 'f'.repeat(64);
  zip.file('entry.json', JSON.stringify(entry));
  const tampered = await zip.generateAsync({ type: 'nodebuffer' });
  t.throws(() => verifySignedJar(tampered, FP, 'entry.json'), /entry\.json: SHA-256 digest does not match/, 'tampered entry.json');
  zip.file('extra.txt', 'x');
  const extra = await zip.generateAsync({ type: 'nodebuffer' });
  t.throws(() => verifySignedJar(extra, FP, 'entry.json'), /exactly one entry/);
  const unsigned = new JSZip();
  unsigned.file('entry.json', '{}');
  const unsignedBytes = await unsigned.generateAsync({ type: 'nodebuffer' });
  t.throws(() => verifySignedJar(unsignedBytes, FP, 'entry.json'), /exactly one signature block/);
  // A flipped byte in the signature itself.
  const sigZip = await JSZip.loadAsync(readFileSync(join(FD, 'v2/entry.jar')));
  const rsa = Buffer.from(await sigZip.file('META-INF/REPO.RSA')!.async('nodebuffer'));
  rsa[rsa.length - 5] ^= 0xff;
  sigZip.file('META-INF/REPO.RSA', rsa);
  const badSig = await sigZip.generateAsync({ type: 'nodebuffer' });
  t.throws(() => verifySignedJar(badSig, FP, 'entry.json'), /signature does not verify/);
});

t.test('JAR signatures: a signature file that inflates past its declared size is refused while inflating', async (t) => {
  const { verifySignedJar, MAX_META_BYTES } = await import('../../src/market/jar.js');
  const { ZipArchive, bufferSource } = await import('../../decoders/zip.js');
  const JSZip = (await import('jszip')).default;
  const zip = await JSZip.loadAsync(readFileSync(join(FD, 'v2/entry.jar')));
  // 0x30/0x31 bytes from a fixed LCG: deflate about 7:1, so the compressed size passes the declared-size check.
  const big = new Uint8Array(MAX_META_BYTES + 4096);
  for (let i = 0, x = 1; i < big.length; i++) big[i] = 0x30 | ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 31);
  zip.file('META-INF/REPO.RSA', big, { compression: 'DEFLATE' });
  const bytes = new Uint8Array(await zip.generateAsync({ type: 'uint8array' }));
  // The central directory now claims 1000 bytes; the local header keeps the true size.
  const z = ZipArchive.open(bufferSource(bytes));
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  let p = z.centralDirectoryOffset;
  for (const e of z.entries) {
    if (e.name === 'META-INF/REPO.RSA') {
      t.ok(e.compressedSize < MAX_META_BYTES);
      view.setUint32(p + 24, 1000, true);
    }
    p += 46 + view.getUint16(p + 28, true) + view.getUint16(p + 30, true) + view.getUint16(p + 32, true);
  }
  t.throws(() => verifySignedJar(bytes, FP, 'entry.json'), { name: 'JarVerificationError', message: /REPO\.RSA is too large/ });
});

t.test('F-Droid source: verified index, suggested version, diffs, ETag, tampering', async (t) => {
  const { checkSource, parseSource } = await import('../../src/market/sources.js');
  const s = await serve();
  const repo = { dir: 'v1', override: new Map<string, Buffer>() };
  fdroidRepo(s, repo);
  const src = parseSource(`${s.base}/repo?fingerprint=${FP.toUpperCase()}&package=com.leakdex.sample.leaky`);
  t.match(src, { kind: 'fdroid', repo: `${s.base}/repo`, fingerprint: FP, appId: 'com.leakdex.sample.leaky' });
  t.match(parseSource('https://f-droid.org/en/packages/org.fdroid.fdroid/'), { kind: 'fdroid', repo: 'https://f-droid.org/repo', fingerprint: '43238d512c1e5eb2d6569f4a3afbf5523418b82e0a3ed1552770abb9a9c9ccab', appId: 'org.fdroid.fdroid' });
  const state = {};
  const ctx = { fetch: allow(s), state };
  const v1 = await checkSource(src, ctx);
  t.not(v1, 'unchanged');
  t.match((v1 as { key: string }[])[0], { versionCode: '12', versionName: '1.2.0', download: { url: `${s.base}/repo/com.leakdex.sample.leaky_12.apk`, sha256: APK_SHA } });
  t.equal(await checkSource(src, ctx), 'unchanged', 'entry.jar answered 304 to the ETag');
  repo.dir = 'v2';
  const before = s.requests.length;
  const v2 = (await checkSource(src, ctx)) as { key: string; versionCode: string; download: { sha256: string } }[];
  t.equal(v2[0]!.versionCode, '13', 'new version; the Beta 99 is ignored');
  t.equal(v2[0]!.download.sha256, createHash('sha256').update(APK13).digest('hex'));
  const fetched = s.requests.slice(before).map((r) => r.url);
  t.ok(fetched.includes('/repo/diff/1735689600000.json') && !fetched.includes('/repo/index-v2.json'), 'the diff was used, not the whole index');
  const beta = (await checkSource({ ...(src as object), beta: true } as never, { fetch: allow(s) })) as { versionCode: string }[];
  t.equal(beta[0]!.versionCode, '99', 'Beta opt-in sees the Beta release');
  // Tampered index (not matching entry.json's sha256) and an entry.jar signed by another key.
  repo.override.set('index-v2.json', Buffer.from(readFileSync(join(FD, 'v2/index-v2.json'), 'utf8').replace('1.3.0', '6.6.6')));
  await t.rejects(checkSource(src, { fetch: allow(s) }), { code: 'verification_failed', message: /does not match entry\.json/ });
  repo.override.clear();
  repo.override.set('entry.jar', readFileSync(join(FD, 'v2/entry-other.jar')));
  await t.rejects(checkSource(src, { fetch: allow(s) }), { code: 'verification_failed', message: /pinned/ });
  repo.override.clear();
  // Wrong APK sha256: the repository serves another file under the indexed name.
  repo.override.set('com.leakdex.sample.leaky_13.apk', APK);
  const { fetchSubmitted } = await import('../../src/market/submit.js');
  await t.rejects(fetchSubmitted(`${s.base}/repo?fingerprint=${FP}&package=com.leakdex.sample.leaky`, tempDir(), { fetch: allow(s) }), { code: 'sha256_mismatch' });
  repo.override.clear();
  const ok = await fetchSubmitted(`${s.base}/repo?fingerprint=${FP}&package=com.leakdex.sample.leaky`, tempDir(), { fetch: allow(s) });
  t.equal(ok.sha256, createHash('sha256').update(APK13).digest('hex'));
  t.same(readFileSync(ok.path), APK13);
  // A repository with only the old signed index-v1.jar (SHA1withRSA): its suggestedVersionCode wins.
  repo.dir = 'v1only';
  const old = (await checkSource(src, { fetch: allow(s) })) as { versionCode: string; download: { sha256: string } }[];
  t.match(old[0], { versionCode: '12', download: { sha256: APK_SHA } }, 'index-v1 fallback, suggested version');
  repo.override.set('index-v1.jar', readFileSync(join(FD, 'v2/entry-other.jar')));
  await t.rejects(checkSource(src, { fetch: allow(s) }), { code: 'verification_failed' }, 'index-v1.jar must be signed by the pinned key too');
  repo.override.clear();
});

/** A GitHub REST API (releases with ETags) and the asset download redirecting to another origin. */
function githubApi(api: Local, cdn: Local, releases: { tag: string; apk: Buffer; digest?: boolean }[]): void {
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

t.test('GitHub releases: latest, all, ETag, digest, token not forwarded', async (t) => {
  const { checkSource, parseSource } = await import('../../src/market/sources.js');
  const { fetchSubmitted } = await import('../../src/market/submit.js');
  const api = await serve();
  const cdn = await serve();
  const releases = [{ tag: 'v1.2.0', apk: APK }];
  githubApi(api, cdn, releases);
  const endpoints = { github: api.base, itunes: api.base, play: api.base };
  const src = parseSource('https://github.com/o/r/releases/latest');
  t.same(src, { kind: 'github', owner: 'o', repo: 'r' });
  t.match(parseSource('https://github.com/o/r/releases/tag/v1.2.0'), { tag: 'v1.2.0' });
  const state = {};
  const ctx = { fetch: allow(api, cdn), endpoints, state, githubToken: 'ghp_faketoken' };
  const v = (await checkSource(src, ctx)) as { key: string; download: { url: string; sha256: string; filename: string } }[];
  t.match(v[0], { versionName: 'v1.2.0', download: { filename: 'app-v1.2.0.apk', sha256: APK_SHA } });
  t.equal(api.requests.at(-1)!.headers.authorization, 'Bearer ghp_faketoken', 'the API got the token');
  t.equal(await checkSource(src, ctx), 'unchanged', 'ETag -> 304');
  releases.push({ tag: 'v1.3.0', apk: APK13 });
  githubApi(api, cdn, releases);
  const v2 = (await checkSource(src, ctx)) as { versionName: string }[];
  t.equal(v2[0]!.versionName, 'v1.3.0');
  const all = (await checkSource({ ...src, allReleases: true } as never, { ...ctx, state: {} })) as { versionName: string }[];
  t.same(all.map((x) => x.versionName), ['v1.3.0', 'v1.2.0']);
  const got = await fetchSubmitted('https://github.com/o/r/releases/latest', tempDir(), { ...ctx, state: {} });
  t.equal(got.sha256, createHash('sha256').update(APK13).digest('hex'));
  t.equal(cdn.requests.at(-1)!.headers.authorization, undefined, 'the token never reaches the download host');
  t.equal(api.requests.at(-1)!.headers.authorization, undefined, 'nor the asset download itself');
  // A digest that does not match the asset.
  releases[1]!.apk = APK;
  cdn.routes.set('/blob/v1.3.0', (_q, res) => res.writeHead(200).end(APK13.subarray(0, APK13.length - 1)));
  await t.rejects(fetchSubmitted('https://github.com/o/r/releases/latest', tempDir(), { ...ctx, state: {} }), { code: 'sha256_mismatch' });
});

t.test('OTA manifest, App Store and Google Play', async (t) => {
  const { checkSource, parseSource } = await import('../../src/market/sources.js');
  const { fetchSubmitted } = await import('../../src/market/submit.js');
  const s = await serve();
  const endpoints = { github: s.base, itunes: s.base, play: s.base };
  const manifest = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict><key>items</key><array><dict>
<key>assets</key><array><dict><key>kind</key><string>software-package</string><key>url</key><string>${s.base}/builds/Leaky.ipa</string></dict></array>
<key>metadata</key><dict><key>bundle-identifier</key><string>com.leakdex.sample.ios</string><key>bundle-version</key><string>2.4.1</string><key>kind</key><string>software</string><key>title</key><string>Leaky</string></dict>
</dict></array></dict></plist>`;
  s.routes.set('/ota/manifest.plist', (_q, r) => r.writeHead(200, { 'content-type': 'application/xml' }).end(manifest));
  s.routes.set('/builds/Leaky.ipa', (_q, r) => r.writeHead(200).end(IPA));
  const ota = `itms-services://?action=download-manifest&url=${encodeURIComponent(`${s.base}/ota/manifest.plist`)}`;
  t.same(parseSource(ota), { kind: 'ota', manifestUrl: `${s.base}/ota/manifest.plist` });
  const v = (await checkSource(parseSource(ota), { fetch: allow(s) })) as { versionName: string; appId: string }[];
  t.match(v[0], { versionName: '2.4.1', appId: 'com.leakdex.sample.ios' });
  const got = await fetchSubmitted(ota, tempDir(), { fetch: allow(s) });
  t.same(readFileSync(got.path), IPA);
  t.equal(got.filename, 'Leaky.ipa');
  // An OTA manifest pointing at a private address is refused like any URL.
  s.routes.set('/ota/evil.plist', (_q, r) => r.writeHead(200).end(manifest.replace(`${s.base}/builds/Leaky.ipa`, 'https://192.168.0.10/x.ipa')));
  await t.rejects(fetchSubmitted(`itms-services://?action=download-manifest&url=${s.base}/ota/evil.plist`, tempDir(), { fetch: allow(s) }), DownloadRefused);
  // App Store: identity + version; 422-style explanation; with an IPA source, a watch can download.
  s.routes.set('/lookup', (req, r) => {
    const q = new URL(req.url!, 'http://x').searchParams;
    const found = q.get('id') === '1533526463' && q.get('country') === 'fr';
    r.writeHead(200, { 'content-type': 'text/javascript' }).end(JSON.stringify(found ? { resultCount: 1, results: [{ trackId: 1533526463, bundleId: 'com.leakdex.sample.ios', trackName: 'Leaky', version: '2.4.1', currentVersionReleaseDate: '2026-11-01T10:00:00Z' }] } : { resultCount: 0, results: [] }));
  });
  const store = 'https://apps.apple.com/fr/app/leaky/id1533526463';
  t.same(parseSource(store), { kind: 'appstore', trackId: '1533526463', country: 'fr' });
  const refused = await fetchSubmitted(store, tempDir(), { fetch: allow(s), endpoints }).then(() => undefined, (e: unknown) => e);
  t.match(refused, { code: 'store_download_unavailable', details: { identity: { appId: 'com.leakdex.sample.ios', version: '2.4.1' } } });
  t.match((refused as Error).message, /does not allow anonymous downloads.*IPA/);
  const watched = (await checkSource({ ...(parseSource(store) as object), ipaSource: parseSource(ota) } as never, { fetch: allow(s), endpoints })) as { key: string; download?: { url: string } }[];
  t.match(watched[0], { key: 'appstore:1533526463:2.4.1', download: { url: `${s.base}/builds/Leaky.ipa` } });
  // Google Play: best-effort version from the details page.
  s.routes.set('/store/apps/details', (_q, r) => r.writeHead(200, { 'content-type': 'text/html' }).end('<html><title>Leaky - Apps on Google Play</title><script>AF_initDataCallback({data:[[["1.3.0"]],[[[33]]]]});</script></html>'));
  const play = parseSource('https://play.google.com/store/apps/details?id=com.leakdex.sample.leaky&hl=en');
  t.same(play, { kind: 'play', appId: 'com.leakdex.sample.leaky', gl: 'US' });
  const pv = (await checkSource(play, { fetch: allow(s), endpoints })) as { key: string }[];
  t.equal(pv[0]!.key, 'play:com.leakdex.sample.leaky:1.3.0');
  await t.rejects(fetchSubmitted('https://play.google.com/store/apps/details?id=com.leakdex.sample.leaky', tempDir(), { fetch: allow(s), endpoints }), { code: 'store_download_unavailable', message: /Google Play app com\.leakdex\.sample\.leaky.*best effort/ });
  t.match(parseSource('https://example.com/page.html'), { kind: 'direct' }, 'any web URL is a direct download, judged by what it serves');
  t.match(parseSource('https://example.com/download?id=1'), { kind: 'direct' });
  t.throws(() => parseSource('ftp://example.com/a.apk'), { code: 'unsupported_url' });
  t.match(parseSource('https://example.com/dl/app.xapk?x=1'), { kind: 'direct' });
});

// ---- submission: CLI and API -----------------------------------------------------------------------------------

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return { stream: new Writable({ write: (c, _e, cb) => (chunks.push(String(c)), cb()) }), text: () => chunks.join('') };
}

t.test('leakdex scan URL: downloads then scans; a refused URL is exit 2 with one line', async (t) => {
  const { main } = await import('../../src/cli/main.js');
  const s = await serve();
  s.routes.set('/dl/leaky.apk', (_q, r) => r.writeHead(200).end(APK));
  process.env.LEAKDEX_ALLOW_HOSTS = `127.0.0.1:${s.port}`;
  t.teardown(() => void delete process.env.LEAKDEX_ALLOW_HOSTS);
  const out = sink();
  const err = sink();
  const code = await main(['scan', `${s.base}/dl/leaky.apk`, '--format', 'json', '--quiet', '--fail-on', 'none'], out.stream, err.stream);
  t.equal(code, 0, err.text());
  const report = JSON.parse(out.text()) as { app?: { id?: string }; artifact: { app?: { id: string } }; findings: unknown[] };
  t.equal(report.artifact.app?.id, 'com.leakdex.sample.leaky');
  t.ok(report.findings.length > 0, 'the downloaded app was scanned');
  s.routes.set('/download', (_q, r) => r.writeHead(200).end(APK));
  s.routes.set('/about', (_q, r) => r.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html></html>'));
  const out2 = sink();
  const err2 = sink();
  t.equal(await main(['scan', `${s.base}/download?id=1`, '--format', 'json', '--quiet', '--fail-on', 'none'], out2.stream, err2.stream), 0, err2.text());
  t.equal((JSON.parse(out2.text()) as typeof report).findings.length, report.findings.length, 'a link without .apk in its path is scanned the same');
  const e3 = sink();
  t.equal(await main(['scan', `${s.base}/about`], sink().stream, e3.stream), 2);
  t.match(e3.text(), /^leakdex: error: .*served text\/html, not a ZIP archive.*\(not_an_app\)\n$/, 'a page is refused by what it serves');
  delete process.env.LEAKDEX_ALLOW_HOSTS;
  for (const url of [`${s.base}/dl/leaky.apk`, 'https://169.254.169.254/latest/meta-data/x.apk', 'https://[::1]/a.apk']) {
    const e2 = sink();
    const c2 = await main(['scan', url], sink().stream, e2.stream);
    t.equal(c2, 2, `${url}: exit 2`);
    t.match(e2.text(), /^leakdex: error: refused .*\(url_refused\)\n$/, `${url}: ${e2.text().trim()}`);
  }
  t.equal(s.connections, 3, 'only the allowed downloads connected');
});

t.test('POST /v1/scans {"url"}: queued like an upload; refusals are 422', async (t) => {
  const { buildApp, createLogger } = await import('../../src/app.js');
  const { loadConfig } = await import('../../src/config.js');
  const { openStore } = await import('../../src/store/index.js');
  const { Metrics } = await import('../../src/service/metrics.js');
  const { JobRunner } = await import('../../src/service/jobs.js');
  const { findingKeys } = await import('../../src/service/crypto.js');
  const { createApiKey } = await import('../../src/service/auth.js');
  const dir = tempDir();
  const config = loadConfig({ env: { LEAKDEX_DATA_DIR: dir }, overrides: { bootstrapKey: false, logLevel: 'warn', jobs: { concurrency: 1, pollMs: 50 } } });
  const store = await openStore(config);
  const logger = createLogger('warn', sink().stream);
  const metrics = new Metrics();
  const keys = findingKeys(config);
  const runner = new JobRunner({ store, config, keys, metrics, log: logger });
  const app = await buildApp({ config, store, metrics, keys, runner }, logger);
  await app.ready();
  await runner.start();
  t.teardown(async () => {
    await app.close();
    await runner.stop();
    await store.close();
  });
  const { token } = await createApiKey(store, 'acme', ['admin']);
  const s = await serve();
  s.routes.set('/dl/leaky.apk', (_q, r) => r.writeHead(200).end(APK));
  s.routes.set('/dl/page.apk', (_q, r) => r.writeHead(200).end('<html>'));
  process.env.LEAKDEX_ALLOW_HOSTS = `127.0.0.1:${s.port}`;
  t.teardown(() => void delete process.env.LEAKDEX_ALLOW_HOSTS);
  const post = (url: string) => app.inject({ method: 'POST', url: '/v1/scans?wait=60', payload: { url }, headers: { authorization: `Bearer ${token}` } });
  const ok = await post(`${s.base}/dl/leaky.apk`);
  t.equal(ok.statusCode, 200, ok.body);
  t.match(ok.json(), { status: 'done', sha256: APK_SHA, filename: /leaky\.apk$/ });
  const again = await post(`${s.base}/dl/leaky.apk`);
  t.match(again.json(), { reused: true }, 'the same artifact reuses its scan');
  const cases: [string, string][] = [
    ['https://169.254.169.254/latest/meta-data/a.apk', 'url_refused'],
    ['https://10.0.0.1/a.apk', 'url_refused'],
    [`${s.base}/dl/page.apk`, 'not_an_app'],
    ['ftp://example.com/x.apk', 'unsupported_url'],
  ];
  for (const [url, code] of cases) {
    const r = await post(url);
    t.equal(r.statusCode, 422, url);
    t.equal(r.json().error, code, `${url}: ${r.json().message}`);
  }
  const none = await app.inject({ method: 'POST', url: '/v1/scans', payload: { nope: 1 }, headers: { authorization: `Bearer ${token}` } });
  t.equal(none.statusCode, 415);
  t.same(readdirSync(join(dir, 'uploads')).filter((f) => !f.endsWith('.upload')), [], 'no download left behind');
});

// ---- watches, sweep, webhooks ----------------------------------------------------------------------------------

async function service(tt: { teardown(fn: () => unknown): void }, dir = tempDir()) {
  const { buildApp, createLogger } = await import('../../src/app.js');
  const { loadConfig } = await import('../../src/config.js');
  const { openStore } = await import('../../src/store/index.js');
  const { Metrics } = await import('../../src/service/metrics.js');
  const { JobRunner } = await import('../../src/service/jobs.js');
  const { findingKeys } = await import('../../src/service/crypto.js');
  const { createApiKey } = await import('../../src/service/auth.js');
  const config = loadConfig({ env: { LEAKDEX_DATA_DIR: dir }, overrides: { bootstrapKey: false, logLevel: 'warn', jobs: { concurrency: 2, pollMs: 50 } } });
  const store = await openStore(config);
  const logger = createLogger('warn', sink().stream);
  const metrics = new Metrics();
  const keys = findingKeys(config);
  const runner = new JobRunner({ store, config, keys, metrics, log: logger });
  const app = await buildApp({ config, store, metrics, keys, runner }, logger);
  await app.ready();
  await runner.start();
  tt.teardown(async () => {
    await app.close();
    await runner.stop();
    await store.close();
  });
  const { token } = await createApiKey(store, 'default', ['admin']);
  return { app, store, runner, config, token, dir };
}

async function scansDone(store: import('../../src/store/types.js').Store): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const n = await store.countScansByStatus();
    if (n.queued + n.running === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('scans did not finish');
}

t.test('watches: each source kind detects a new version, scans it once, notifies the diff', async (t) => {
  const { Sweeper, verifyWebhook } = await import('../../src/market/watches.js');
  const { ScanService } = await import('../../src/service/scans.js');
  const { HistoryService } = await import('../../src/service/history.js');
  const { Metrics } = await import('../../src/service/metrics.js');
  const { findingKeys } = await import('../../src/service/crypto.js');
  const svc = await service(t);
  const auth = { authorization: `Bearer ${svc.token}` };
  const s = await serve();
  const cdn = await serve();
  const hook = await serve();
  const repo = { dir: 'v1', override: new Map<string, Buffer>() };
  fdroidRepo(s, repo);
  const releases = [{ tag: 'v1.2.0', apk: APK }];
  githubApi(s, cdn, releases);
  let otaVersion = '2.4.1';
  s.routes.set('/ota/manifest.plist', (_q, r) => r.writeHead(200).end(`<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict><key>items</key><array><dict><key>assets</key><array><dict><key>kind</key><string>software-package</string><key>url</key><string>${s.base}/builds/${otaVersion}/Leaky.ipa</string></dict></array><key>metadata</key><dict><key>bundle-identifier</key><string>com.leakdex.sample.ios</string><key>bundle-version</key><string>${otaVersion}</string></dict></dict></array></dict></plist>`));
  s.routes.set('/builds/2.4.1/Leaky.ipa', (_q, r) => r.writeHead(200).end(IPA));
  let storeVersion = '2.4.1';
  s.routes.set('/lookup', (_q, r) => r.writeHead(200).end(JSON.stringify({ resultCount: 1, results: [{ trackId: 1533526463, bundleId: 'com.leakdex.sample.ios', trackName: 'Leaky', version: storeVersion }] })));
  s.routes.set('/store/apps/details', (_q, r) => r.writeHead(200).end(`<title>Leaky - Apps on Google Play</title>[[["${releases.length === 1 ? '1.2.0' : '1.3.0'}"]]`));
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];
  let failNext = 1;
  hook.routes.set('/hook', (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (failNext > 0) {
        failNext--;
        return void res.writeHead(503).end();
      }
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  process.env.LEAKDEX_ALLOW_HOSTS = [s, cdn, hook].map((x) => `127.0.0.1:${x.port}`).join(',');
  t.teardown(() => void delete process.env.LEAKDEX_ALLOW_HOSTS);
  const secret = 'webhook-secret-for-tests-0123456789';
  const notify = [{ url: `${hook.base}/hook`, secret }];
  const urls = {
    fdroid: `${s.base}/repo?fingerprint=${FP}&package=com.leakdex.sample.leaky`,
    github: 'https://github.com/o/r/releases/latest',
    ota: `itms-services://?action=download-manifest&url=${s.base}/ota/manifest.plist`,
    appstore: 'https://apps.apple.com/fr/app/leaky/id1533526463',
    play: 'https://play.google.com/store/apps/details?id=com.leakdex.sample.leaky',
  };
  const ids: Record<string, string> = {};
  for (const [kind, url] of Object.entries(urls)) {
    const r = await svc.app.inject({ method: 'POST', url: '/v1/watches', headers: auth, payload: { url, interval: '1h', notify } });
    t.equal(r.statusCode, 201, `${kind}: ${r.body}`);
    t.equal(r.json().kind, kind);
    t.same(r.json().secrets, [secret]);
    ids[kind] = r.json().id;
  }
  const bad = await svc.app.inject({ method: 'POST', url: '/v1/watches', headers: auth, payload: { url: urls.fdroid, notify: [{ url: 'https://10.0.0.1/hook' }] } });
  t.equal(bad.statusCode, 422, 'a webhook to a private address is refused');
  t.equal(bad.json().error, 'url_refused');
  const list = await svc.app.inject({ method: 'GET', url: '/v1/watches', headers: auth });
  t.equal(list.json().watches.length, 5);
  t.notOk(list.body.includes(secret), 'secrets are not listed');

  let clock = Date.now();
  const scans = new ScanService({ store: svc.store, config: svc.config, metrics: new Metrics(), keys: findingKeys(svc.config), runner: svc.runner });
  const sweeper = new Sweeper({ store: svc.store, config: svc.config, scans, history: new HistoryService(svc.store, 500), fetch: {}, endpoints: { github: s.base, itunes: s.base, play: s.base }, now: () => clock });
  const r1 = await sweeper.sweepOnce();
  t.match(r1, { claimed: 5, checked: 5, newVersions: 5, errors: 0 });
  t.same(await sweeper.claimDue(), [], 'nothing is due right after a sweep');
  await scansDone(svc.store);
  t.equal(await sweeper.notifyFinished(), 3, 'three scanned versions notified (F-Droid, GitHub, OTA)');
  t.equal(r1.delivered, 1, 'the store versions were notified during the sweep; the first delivery failed (503)');
  t.equal(await sweeper.deliver(), 3, 'the scanned versions are delivered once their scans are done');
  clock += 31_000;
  t.equal(await sweeper.deliver(), 1, 'retried with backoff');
  t.equal(received.length, 5);
  for (const m of received) {
    t.ok(verifyWebhook(secret, m.headers, m.body, clock), 'signed with HMAC-SHA256');
    t.notOk(verifyWebhook('another-secret', m.headers, m.body, clock));
    t.notOk(verifyWebhook(secret, m.headers, m.body.replace('new_version', 'old_version'), clock), 'a changed body fails');
    t.notOk(verifyWebhook(secret, m.headers, m.body, clock + 3600_000), 'a replay after the window fails');
  }
  const payloads = received.map((m) => JSON.parse(m.body) as { watch: { kind: string }; scanned: boolean; firstVersion?: boolean; new?: unknown[]; version: { name: string } });
  t.same(payloads.filter((p) => p.scanned).map((p) => p.watch.kind).sort(), ['fdroid', 'github', 'ota']);
  t.same(payloads.filter((p) => !p.scanned).map((p) => p.watch.kind).sort(), ['appstore', 'play'], 'store watches notify versions without scanning');
  const fd1 = payloads.find((p) => p.watch.kind === 'fdroid')!;
  t.equal(fd1.firstVersion, true);
  t.ok(fd1.new!.length > 0, 'the first version reports its findings');
  t.notOk(JSON.stringify(payloads).match(/AKIA[0-9A-Z]{16}/), 'payloads carry redacted values only');
  const scansAfter1 = (await svc.store.listScans((await svc.store.ensureTenant('default')).id, { limit: 100 })).length;
  t.equal(scansAfter1, 2, 'F-Droid and GitHub served the same APK: scanned once (by sha256), plus the IPA');

  // Nothing new: ETags answer 304, the same version keys are not scanned again.
  clock += 2 * 3600_000;
  const r2 = await sweeper.sweepOnce();
  t.match(r2, { claimed: 5, newVersions: 0, errors: 0 });
  t.ok(s.requests.filter((q) => q.url === '/repo/entry.jar').length >= 2);

  // New versions everywhere.
  repo.dir = 'v2';
  releases.push({ tag: 'v1.3.0', apk: APK13 });
  githubApi(s, cdn, releases);
  otaVersion = '2.5.0';
  s.routes.set('/builds/2.5.0/Leaky.ipa', (_q, r) => r.writeHead(200).end(IPA));
  storeVersion = '2.5.0';
  clock += 2 * 3600_000;
  const r3 = await sweeper.sweepOnce();
  t.match(r3, { claimed: 5, newVersions: 5, errors: 0 });
  await scansDone(svc.store);
  await sweeper.notifyFinished();
  await sweeper.deliver();
  const later = received.slice(5).map((m) => JSON.parse(m.body) as { watch: { kind: string }; previous: string | null; new: { ruleId: string }[]; resolved: unknown[]; version: { name: string; code: string } });
  t.equal(later.length, 5);
  const fd2 = later.find((p) => p.watch.kind === 'fdroid')!;
  t.match(fd2, { previous: '1.2.0 (12)', version: { name: '1.3.0', code: '13' } }, 'the diff is against the previous version');
  t.ok(Array.isArray(fd2.new) && Array.isArray(fd2.resolved));
  t.notOk('persisting' in fd2, 'by default only what changed');
  const detail = await svc.app.inject({ method: 'GET', url: `/v1/watches/${ids.fdroid}`, headers: auth });
  t.same(detail.json().versions.map((v: { versionCode: string; status: string }) => [v.versionCode, v.status]), [['12', 'notified'], ['13', 'notified']]);
  t.match(detail.json().deliveries, [{ status: 'delivered' }, { status: 'delivered' }]);
  const gh = await svc.app.inject({ method: 'GET', url: `/v1/watches/${ids.github}`, headers: auth });
  t.equal(gh.json().versions.length, 2);
  // The per-version history of the service holds both versions of the app.
  const versions = await svc.app.inject({ method: 'GET', url: '/v1/apps/android:com.leakdex.sample.leaky/versions', headers: auth });
  t.same(versions.json().versions.map((v: { versionCode: string }) => v.versionCode), ['12', '13']);
  const del = await svc.app.inject({ method: 'DELETE', url: `/v1/watches/${ids.play}`, headers: auth });
  t.equal(del.statusCode, 204);
  t.equal((await svc.app.inject({ method: 'GET', url: `/v1/watches/${ids.play}`, headers: auth })).statusCode, 404);
});

t.test('sweep: backoff on errors, per-host concurrency', async (t) => {
  const { Sweeper } = await import('../../src/market/watches.js');
  const { ScanService } = await import('../../src/service/scans.js');
  const { HistoryService } = await import('../../src/service/history.js');
  const { Metrics } = await import('../../src/service/metrics.js');
  const { findingKeys } = await import('../../src/service/crypto.js');
  const svc = await service(t);
  const s = await serve();
  let inFlight = 0;
  let peak = 0;
  s.routes.set('/broken.apk', (_q, r) => r.writeHead(500).end());
  for (let i = 0; i < 5; i++) {
    s.routes.set(`/slow${i}.apk`, (_q, r) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight--;
        r.writeHead(404).end();
      }, 150);
    });
  }
  let clock = Date.now();
  const scans = new ScanService({ store: svc.store, config: svc.config, metrics: new Metrics(), keys: findingKeys(svc.config), runner: svc.runner });
  const sweeper = new Sweeper({ store: svc.store, config: svc.config, scans, history: new HistoryService(svc.store, 500), fetch: allow(s), perHost: 2, concurrency: 8, now: () => clock });
  const tenant = await svc.store.ensureTenant('default');
  // The policy admits the local server through the allowance (at creation, like the sweep's fetch options).
  process.env.LEAKDEX_ALLOW_HOSTS = `127.0.0.1:${s.port}`;
  t.teardown(() => void delete process.env.LEAKDEX_ALLOW_HOSTS);
  const broken = (await sweeper.watches.create(tenant.id, { url: `${s.base}/broken.apk`, intervalS: 600 }, clock)).watch;
  const next = async () => (await sweeper.watches.get(tenant.id, broken.id))!.nextCheckAt - clock;
  await sweeper.sweepOnce();
  t.equal(await next(), 600_000, 'first error: retried after one interval');
  clock += 600_000;
  await sweeper.sweepOnce();
  t.equal(await next(), 1_200_000, 'second error: doubled');
  clock += 1_200_000;
  await sweeper.sweepOnce();
  t.equal(await next(), 2_400_000, 'third: doubled again');
  const w = await sweeper.watches.get(tenant.id, broken.id);
  t.match(w, { errors: 3, lastError: /HTTP 500/ });
  t.match(await sweeper.watches.versions(tenant.id, broken.id), [{ status: 'failed', attempts: 3 }], 'the version failed after 3 attempts');
  await sweeper.watches.remove(tenant.id, broken.id);
  for (let i = 0; i < 5; i++) {
    const { watch } = await sweeper.watches.create(tenant.id, { url: `${s.base}/slow${i}.apk` }, clock);
    t.equal(watch.host, `127.0.0.1:${s.port}`, 'checks count against the host serving the file');
  }
  const r = await sweeper.sweepOnce();
  t.equal(r.checked, 5);
  t.equal(peak, 2, 'never more than 2 checks at once against one host');
});

t.test('sweep: a crash mid-download loses no version and scans none twice; CLI watch/sweep', async (t) => {
  const { main } = await import('../../src/cli/main.js');
  const { spawn } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const dir = tempDir();
  const s = await serve();
  let stall = true;
  let sawRequest: () => void = () => {};
  const requested = new Promise<void>((r) => (sawRequest = r));
  s.routes.set('/dl/leaky.apk', (q, r) => {
    if (q.method === 'HEAD') return void r.writeHead(200).end();
    if (!stall) return void r.writeHead(200, { 'content-length': APK.length }).end(APK);
    r.writeHead(200, { 'content-length': APK.length });
    r.write(APK.subarray(0, 1000));
    sawRequest();
  });
  const env = { ...process.env, LEAKDEX_ALLOW_HOSTS: `127.0.0.1:${s.port}`, LEAKDEX_DATA_DIR: dir, LOG_LEVEL: 'silent' };
  process.env.LEAKDEX_ALLOW_HOSTS = env.LEAKDEX_ALLOW_HOSTS;
  t.teardown(() => void delete process.env.LEAKDEX_ALLOW_HOSTS);
  const out = sink();
  const err = sink();
  t.equal(await main(['watch', 'add', `${s.base}/dl/leaky.apk`, '--interval', '10m', '--data-dir', dir], out.stream, err.stream), 0, err.text());
  const watchId = out.text().split('\t')[0]!;
  t.match(out.text(), /\tdirect\tevery 600s/);
  const ls = sink();
  t.equal(await main(['watch', 'list', '--data-dir', dir], ls.stream, sink().stream), 0);
  t.match(ls.text(), new RegExp(`^${watchId}\\tdirect\\t`));
  const e2 = sink();
  t.equal(await main(['watch', 'add', 'https://169.254.169.254/x.apk', '--data-dir', dir], sink().stream, e2.stream), 2);
  t.match(e2.text(), /metadata.*url_refused/);
  // A sweep process killed -9 while the APK is half downloaded.
  const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
  const child = spawn(process.execPath, [cli, 'sweep', '--once', '--data-dir', dir], { env, stdio: 'ignore' });
  await requested;
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  stall = false;
  const svc = await service(t, dir);
  const { sweeperFor } = await import('../../src/market/sweep.js');
  const tenant = await svc.store.ensureTenant('default');
  const sweeper = sweeperFor(svc.store, svc.config, svc.runner);
  t.same((await sweeper.watches.versions(tenant.id, watchId)).map((r) => r.status), ['downloading'], 'the dead sweep left its version claimed, not lost');
  t.same(await sweeper.claimDue(), [], 'the dead sweep still holds its lease');
  // After the lease and the stale window, the next sweep takes the version over.
  const later = new (await import('../../src/market/watches.js')).Sweeper({ ...(sweeper as unknown as { deps: object }).deps, now: () => Date.now() + 3600_000 } as never);
  const r = await later.sweepOnce();
  t.match(r, { claimed: 1, errors: 0 });
  await scansDone(svc.store);
  t.equal(await later.notifyFinished(), 1);
  const again = new (await import('../../src/market/watches.js')).Sweeper({ ...(sweeper as unknown as { deps: object }).deps, now: () => Date.now() + 3 * 3600_000 } as never);
  t.match(await again.sweepOnce(), { claimed: 1, newVersions: 0 });
  const scans = await svc.store.listScans(tenant.id, { limit: 10 });
  t.equal(scans.length, 1, 'scanned exactly once');
  t.equal(scans[0]!.sha256, APK_SHA);
  t.match(await sweeper.watches.versions(tenant.id, watchId), [{ status: 'notified', scanId: scans[0]!.id }]);
  t.same(readdirSync(join(dir, 'uploads')).filter((f) => !f.endsWith('.upload')), [], 'no partial download left behind');
  const rm = sink();
  t.equal(await main(['watch', 'rm', watchId, '--data-dir', dir], rm.stream, sink().stream), 0);
  t.match(rm.text(), /removed/);
});

t.test('postgres: concurrent sweepers claim disjoint watches; version keys are unique', async (t) => {
  const pg = (await import('pg')).default;
  const urls = process.env.LEAKDEX_TEST_DATABASE_URL ? [process.env.LEAKDEX_TEST_DATABASE_URL] : ['postgres://postgres@127.0.0.1:5432/test', 'postgres://root@127.0.0.1:5432/test'];
  let url: string | undefined;
  for (const u of urls) {
    const c = new pg.Client({ connectionString: u, connectionTimeoutMillis: 2000 });
    try {
      await c.connect();
      url = u;
      break;
    } catch {
      // try the next
    } finally {
      await c.end().catch(() => {});
    }
  }
  if (!url) {
    if (process.env.LEAKDEX_SKIP_POSTGRES === '1') return void t.comment('PostgreSQL unreachable: skipped');
    return void t.fail('PostgreSQL is not reachable (set LEAKDEX_TEST_DATABASE_URL, or LEAKDEX_SKIP_POSTGRES=1 to skip)');
  }
  const { PostgresStore } = await import('../../src/store/index.js');
  const { loadConfig } = await import('../../src/config.js');
  const { sweeperFor } = await import('../../src/market/sweep.js');
  const store = new PostgresStore(url, `leakdex_market_${process.pid}_${Date.now() % 100000}`);
  await store.migrate();
  t.teardown(async () => {
    await store.dropSchema();
    await store.close();
  });
  const config = loadConfig({ env: { LEAKDEX_DATA_DIR: tempDir() }, overrides: { bootstrapKey: false } });
  const a = sweeperFor(store, config);
  const b = sweeperFor(store, config);
  const tenant = await store.ensureTenant('acme');
  for (let i = 0; i < 30; i++) await a.watches.create(tenant.id, { url: `https://example.com/app${i}.apk` }, Date.now() - 1000);
  const [ca, cb] = await Promise.all([a.claimDue(20), b.claimDue(20)]);
  const ids = [...ca, ...cb].map((w) => w.id);
  t.equal(ids.length, 30, 'every due watch claimed');
  t.equal(new Set(ids).size, 30, 'none claimed twice');
  const ins = (id: string) => store.watches.insertVersion({ id, watchId: ids[0]!, tenantId: tenant.id, key: 'k1', status: 'downloading', versionName: null, versionCode: null, createdAt: 1 });
  const [x, y] = await Promise.all([ins('v-a'), ins('v-b')]);
  t.equal(Number(x) + Number(y), 1, 'one version key, one row');
});

t.test('the serve ticker (croner, UTC, every second here) sweeps due watches', async (t) => {
  const { startSweepTicker } = await import('../../src/market/sweep.js');
  const svc = await service(t);
  const s = await serve();
  s.routes.set('/t.apk', (_q, r) => r.writeHead(200).end(APK));
  process.env.LEAKDEX_ALLOW_HOSTS = `127.0.0.1:${s.port}`;
  t.teardown(() => void delete process.env.LEAKDEX_ALLOW_HOSTS);
  const logs: string[] = [];
  const log = { info: (o: object, m: string) => logs.push(`${m} ${JSON.stringify(o)}`), warn: (_o: object, m: string) => logs.push(m), error: (_o: object, m: string) => logs.push(m) };
  const ticker = startSweepTicker(svc.store, svc.config, svc.runner, log, '* * * * * *');
  t.teardown(() => ticker.stop());
  const tenant = await svc.store.ensureTenant('default');
  const { watch } = await ticker.sweeper.watches.create(tenant.id, { url: `${s.base}/t.apk` });
  for (let i = 0; i < 50 && !logs.some((l) => l.startsWith('sweep done')); i++) await new Promise((r) => setTimeout(r, 100));
  t.match(await ticker.sweeper.watches.versions(tenant.id, watch.id), [{ key: `direct:${s.base}/t.apk` }]);
  t.match(logs.join('\n'), /sweep done/);
});

t.test('direct URL watches: a new ETag at the same URL is a new version', async (t) => {
  const { checkSource } = await import('../../src/market/sources.js');
  const s = await serve();
  let etag = '"b1"';
  s.routes.set('/nightly.apk', (_q, r) => r.writeHead(200, { etag, 'content-length': APK.length }).end(APK));
  const src = { kind: 'direct' as const, url: `${s.base}/nightly.apk` };
  const a = (await checkSource(src, { fetch: allow(s), state: {} })) as { key: string }[];
  t.equal(a[0]!.key, `direct:${s.base}/nightly.apk:"b1"`);
  t.equal(s.requests.at(-1)!.url, '/nightly.apk');
  etag = '"b2"';
  const b = (await checkSource(src, { fetch: allow(s), state: {} })) as { key: string }[];
  t.not(b[0]!.key, a[0]!.key, 'a new build is a new version key');
});
