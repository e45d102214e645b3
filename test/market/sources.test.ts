/**
 * Where apps come from (src/market/sources.ts, jar.ts, submit.ts): signed F-Droid indexes, GitHub releases, OTA
 * manifests, App Store and Google Play lookups and direct URLs, each served by a local stand-in; a URL submitted to
 * the CLI or to POST /v1/scans is downloaded, then scanned.
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import JSZip from 'jszip';
import { ZipArchive, bufferSource } from '../../decoders/zip.js';
import { DownloadRefused } from '../../src/market/download.js';
import { MAX_META_BYTES, verifySignedJar } from '../../src/market/jar.js';
import { checkSource, parseSource } from '../../src/market/sources.js';
import { fetchSubmitted } from '../../src/market/submit.js';
import { runMain } from '../helpers/cli.js';
import { LEAKY_APK, LEAKY_V2_APK, ROOT, tempDir } from '../helpers/files.js';
import { allowLocal, FDROID_DIR, FDROID_FINGERPRINT, serveFdroidRepo, serveGithubReleases, serveLocal } from '../helpers/local-server.js';
import { startService } from '../helpers/service.js';

const APK = readFileSync(LEAKY_APK);
const APK_SHA = createHash('sha256').update(APK).digest('hex');
const APK13 = readFileSync(LEAKY_V2_APK);
const IPA = readFileSync(join(ROOT, 'samples/ios/leaky-ios.ipa'));

t.test('JAR signatures: jarsigner and apksigner entry.jar verify; other key and tampering refused', async (t) => {
  for (const f of ['v1/entry.jar', 'v2/entry.jar', 'v1/entry-apksigner.jar', 'v2/entry-apksigner.jar']) {
    const r = verifySignedJar(readFileSync(join(FDROID_DIR, f)), FDROID_FINGERPRINT, 'entry.json');
    t.same(r.content, readFileSync(join(FDROID_DIR, f.split('/')[0]!, 'entry.json')), `${f}: entry.json returned`);
    t.equal(r.signerSha256, FDROID_FINGERPRINT);
  }
  t.throws(() => verifySignedJar(readFileSync(join(FDROID_DIR, 'v2/entry-other.jar')), FDROID_FINGERPRINT, 'entry.json'), /not by the pinned repository key/, 'signed by another key');
  t.throws(() => verifySignedJar(readFileSync(join(FDROID_DIR, 'v2/entry.jar')), FDROID_FINGERPRINT.toUpperCase().replace(/(..)/g, '$1:').slice(0, -1).replace(/^../, '00'), 'entry.json'), /pinned/);
  // Tampered: entry.json replaced inside the signed JAR (re-zipped with the original signature files).
  const zip = await JSZip.loadAsync(readFileSync(join(FDROID_DIR, 'v2/entry.jar')));
  const entry = JSON.parse(await zip.file('entry.json')!.async('string')) as { index: { sha256: string } };
  entry.index.sha256 = 'f'.repeat(64);
  zip.file('entry.json', JSON.stringify(entry));
  const tampered = await zip.generateAsync({ type: 'nodebuffer' });
  t.throws(() => verifySignedJar(tampered, FDROID_FINGERPRINT, 'entry.json'), /entry\.json: SHA-256 digest does not match/, 'tampered entry.json');
  zip.file('extra.txt', 'x');
  const extra = await zip.generateAsync({ type: 'nodebuffer' });
  t.throws(() => verifySignedJar(extra, FDROID_FINGERPRINT, 'entry.json'), /exactly one entry/);
  const unsigned = new JSZip();
  unsigned.file('entry.json', '{}');
  const unsignedBytes = await unsigned.generateAsync({ type: 'nodebuffer' });
  t.throws(() => verifySignedJar(unsignedBytes, FDROID_FINGERPRINT, 'entry.json'), /exactly one signature block/);
  // A flipped byte in the signature itself.
  const sigZip = await JSZip.loadAsync(readFileSync(join(FDROID_DIR, 'v2/entry.jar')));
  const rsa = Buffer.from(await sigZip.file('META-INF/REPO.RSA')!.async('nodebuffer'));
  rsa[rsa.length - 5] ^= 0xff;
  sigZip.file('META-INF/REPO.RSA', rsa);
  const badSig = await sigZip.generateAsync({ type: 'nodebuffer' });
  t.throws(() => verifySignedJar(badSig, FDROID_FINGERPRINT, 'entry.json'), /signature does not verify/);
});

t.test('JAR signatures: a signature file that inflates past its declared size is refused while inflating', async (t) => {
  const zip = await JSZip.loadAsync(readFileSync(join(FDROID_DIR, 'v2/entry.jar')));
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
  t.throws(() => verifySignedJar(bytes, FDROID_FINGERPRINT, 'entry.json'), { name: 'JarVerificationError', message: /REPO\.RSA is too large/ });
});

t.test('F-Droid source: verified index, suggested version, diffs, ETag, tampering', async (t) => {
  const s = await serveLocal();
  const repo = { dir: 'v1', override: new Map<string, Buffer>() };
  serveFdroidRepo(s, repo);
  const src = parseSource(`${s.base}/repo?fingerprint=${FDROID_FINGERPRINT.toUpperCase()}&package=com.leakdex.sample.leaky`);
  t.match(src, { kind: 'fdroid', repo: `${s.base}/repo`, fingerprint: FDROID_FINGERPRINT, appId: 'com.leakdex.sample.leaky' });
  t.match(parseSource('https://f-droid.org/en/packages/org.fdroid.fdroid/'), { kind: 'fdroid', repo: 'https://f-droid.org/repo', fingerprint: '43238d512c1e5eb2d6569f4a3afbf5523418b82e0a3ed1552770abb9a9c9ccab', appId: 'org.fdroid.fdroid' });
  const state = {};
  const ctx = { fetch: allowLocal(s), state };
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
  const beta = (await checkSource({ ...(src as object), beta: true } as never, { fetch: allowLocal(s) })) as { versionCode: string }[];
  t.equal(beta[0]!.versionCode, '99', 'Beta opt-in sees the Beta release');
  // Tampered index (not matching entry.json's sha256) and an entry.jar signed by another key.
  repo.override.set('index-v2.json', Buffer.from(readFileSync(join(FDROID_DIR, 'v2/index-v2.json'), 'utf8').replace('1.3.0', '6.6.6')));
  await t.rejects(checkSource(src, { fetch: allowLocal(s) }), { code: 'verification_failed', message: /does not match entry\.json/ });
  repo.override.clear();
  repo.override.set('entry.jar', readFileSync(join(FDROID_DIR, 'v2/entry-other.jar')));
  await t.rejects(checkSource(src, { fetch: allowLocal(s) }), { code: 'verification_failed', message: /pinned/ });
  repo.override.clear();
  // Wrong APK sha256: the repository serves another file under the indexed name.
  repo.override.set('com.leakdex.sample.leaky_13.apk', APK);
  await t.rejects(fetchSubmitted(`${s.base}/repo?fingerprint=${FDROID_FINGERPRINT}&package=com.leakdex.sample.leaky`, tempDir(), { fetch: allowLocal(s) }), { code: 'sha256_mismatch' });
  repo.override.clear();
  const ok = await fetchSubmitted(`${s.base}/repo?fingerprint=${FDROID_FINGERPRINT}&package=com.leakdex.sample.leaky`, tempDir(), { fetch: allowLocal(s) });
  t.equal(ok.sha256, createHash('sha256').update(APK13).digest('hex'));
  t.same(readFileSync(ok.path), APK13);
  // A repository with only the old signed index-v1.jar (SHA1withRSA): its suggestedVersionCode wins.
  repo.dir = 'v1only';
  const old = (await checkSource(src, { fetch: allowLocal(s) })) as { versionCode: string; download: { sha256: string } }[];
  t.match(old[0], { versionCode: '12', download: { sha256: APK_SHA } }, 'index-v1 fallback, suggested version');
  repo.override.set('index-v1.jar', readFileSync(join(FDROID_DIR, 'v2/entry-other.jar')));
  await t.rejects(checkSource(src, { fetch: allowLocal(s) }), { code: 'verification_failed' }, 'index-v1.jar must be signed by the pinned key too');
  repo.override.clear();
});

t.test('GitHub releases: latest, all, ETag, digest, token not forwarded', async (t) => {
  const api = await serveLocal();
  const cdn = await serveLocal();
  const releases = [{ tag: 'v1.2.0', apk: APK }];
  serveGithubReleases(api, cdn, releases);
  const endpoints = { github: api.base, itunes: api.base, play: api.base };
  const src = parseSource('https://github.com/o/r/releases/latest');
  t.same(src, { kind: 'github', owner: 'o', repo: 'r' });
  t.match(parseSource('https://github.com/o/r/releases/tag/v1.2.0'), { tag: 'v1.2.0' });
  const state = {};
  const ctx = { fetch: allowLocal(api, cdn), endpoints, state, githubToken: 'ghp_faketoken' };
  const v = (await checkSource(src, ctx)) as { key: string; download: { url: string; sha256: string; filename: string } }[];
  t.match(v[0], { versionName: 'v1.2.0', download: { filename: 'app-v1.2.0.apk', sha256: APK_SHA } });
  t.equal(api.requests.at(-1)!.headers.authorization, 'Bearer ghp_faketoken', 'the API got the token');
  t.equal(await checkSource(src, ctx), 'unchanged', 'ETag -> 304');
  releases.push({ tag: 'v1.3.0', apk: APK13 });
  serveGithubReleases(api, cdn, releases);
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
  const s = await serveLocal();
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
  const v = (await checkSource(parseSource(ota), { fetch: allowLocal(s) })) as { versionName: string; appId: string }[];
  t.match(v[0], { versionName: '2.4.1', appId: 'com.leakdex.sample.ios' });
  const got = await fetchSubmitted(ota, tempDir(), { fetch: allowLocal(s) });
  t.same(readFileSync(got.path), IPA);
  t.equal(got.filename, 'Leaky.ipa');
  // An OTA manifest pointing at a private address is refused like any URL.
  s.routes.set('/ota/evil.plist', (_q, r) => r.writeHead(200).end(manifest.replace(`${s.base}/builds/Leaky.ipa`, 'https://192.168.0.10/x.ipa')));
  await t.rejects(fetchSubmitted(`itms-services://?action=download-manifest&url=${s.base}/ota/evil.plist`, tempDir(), { fetch: allowLocal(s) }), DownloadRefused);
  // App Store: identity + version; 422-style explanation; with an IPA source, a watch can download.
  s.routes.set('/lookup', (req, r) => {
    const q = new URL(req.url!, 'http://x').searchParams;
    const found = q.get('id') === '1533526463' && q.get('country') === 'fr';
    r.writeHead(200, { 'content-type': 'text/javascript' }).end(JSON.stringify(found ? { resultCount: 1, results: [{ trackId: 1533526463, bundleId: 'com.leakdex.sample.ios', trackName: 'Leaky', version: '2.4.1', currentVersionReleaseDate: '2026-11-01T10:00:00Z' }] } : { resultCount: 0, results: [] }));
  });
  const store = 'https://apps.apple.com/fr/app/leaky/id1533526463';
  t.same(parseSource(store), { kind: 'appstore', trackId: '1533526463', country: 'fr' });
  const refused = await fetchSubmitted(store, tempDir(), { fetch: allowLocal(s), endpoints }).then(() => undefined, (e: unknown) => e);
  t.match(refused, { code: 'store_download_unavailable', details: { identity: { appId: 'com.leakdex.sample.ios', version: '2.4.1' } } });
  t.match((refused as Error).message, /does not allow anonymous downloads.*IPA/);
  const watched = (await checkSource({ ...(parseSource(store) as object), ipaSource: parseSource(ota) } as never, { fetch: allowLocal(s), endpoints })) as { key: string; download?: { url: string } }[];
  t.match(watched[0], { key: 'appstore:1533526463:2.4.1', download: { url: `${s.base}/builds/Leaky.ipa` } });
  // Google Play: best-effort version from the details page.
  s.routes.set('/store/apps/details', (_q, r) => r.writeHead(200, { 'content-type': 'text/html' }).end('<html><title>Leaky - Apps on Google Play</title><script>AF_initDataCallback({data:[[["1.3.0"]],[[[33]]]]});</script></html>'));
  const play = parseSource('https://play.google.com/store/apps/details?id=com.leakdex.sample.leaky&hl=en');
  t.same(play, { kind: 'play', appId: 'com.leakdex.sample.leaky', gl: 'US' });
  const pv = (await checkSource(play, { fetch: allowLocal(s), endpoints })) as { key: string }[];
  t.equal(pv[0]!.key, 'play:com.leakdex.sample.leaky:1.3.0');
  await t.rejects(fetchSubmitted('https://play.google.com/store/apps/details?id=com.leakdex.sample.leaky', tempDir(), { fetch: allowLocal(s), endpoints }), { code: 'store_download_unavailable', message: /Google Play app com\.leakdex\.sample\.leaky.*best effort/ });
  t.match(parseSource('https://example.com/page.html'), { kind: 'direct' }, 'any web URL is a direct download, judged by what it serves');
  t.match(parseSource('https://example.com/download?id=1'), { kind: 'direct' });
  t.throws(() => parseSource('ftp://example.com/a.apk'), { code: 'unsupported_url' });
  t.match(parseSource('https://example.com/dl/app.xapk?x=1'), { kind: 'direct' });
});

t.test('direct URL watches: a new ETag at the same URL is a new version', async (t) => {
  const s = await serveLocal();
  let etag = '"b1"';
  s.routes.set('/nightly.apk', (_q, r) => r.writeHead(200, { etag, 'content-length': APK.length }).end(APK));
  const src = { kind: 'direct' as const, url: `${s.base}/nightly.apk` };
  const a = (await checkSource(src, { fetch: allowLocal(s), state: {} })) as { key: string }[];
  t.equal(a[0]!.key, `direct:${s.base}/nightly.apk:"b1"`);
  t.equal(s.requests.at(-1)!.url, '/nightly.apk');
  etag = '"b2"';
  const b = (await checkSource(src, { fetch: allowLocal(s), state: {} })) as { key: string }[];
  t.not(b[0]!.key, a[0]!.key, 'a new build is a new version key');
});

t.test('leakdex scan URL: downloads then scans; a refused URL is exit 2 with one line', async (t) => {
  const s = await serveLocal();
  s.routes.set('/dl/leaky.apk', (_q, r) => r.writeHead(200).end(APK));
  process.env.LEAKDEX_ALLOW_HOSTS = `127.0.0.1:${s.port}`;
  t.teardown(() => void delete process.env.LEAKDEX_ALLOW_HOSTS);
  const first = await runMain(['scan', `${s.base}/dl/leaky.apk`, '--format', 'json', '--quiet', '--fail-on', 'none']);
  t.equal(first.status, 0, first.stderr);
  const report = JSON.parse(first.stdout) as { app?: { id?: string }; artifact: { app?: { id: string } }; findings: unknown[] };
  t.equal(report.artifact.app?.id, 'com.leakdex.sample.leaky');
  t.ok(report.findings.length > 0, 'the downloaded app was scanned');
  s.routes.set('/download', (_q, r) => r.writeHead(200).end(APK));
  s.routes.set('/about', (_q, r) => r.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html></html>'));
  const link = await runMain(['scan', `${s.base}/download?id=1`, '--format', 'json', '--quiet', '--fail-on', 'none']);
  t.equal(link.status, 0, link.stderr);
  t.equal((JSON.parse(link.stdout) as typeof report).findings.length, report.findings.length, 'a link without .apk in its path is scanned the same');
  const page = await runMain(['scan', `${s.base}/about`]);
  t.equal(page.status, 2);
  t.match(page.stderr, /^leakdex: error: .*served text\/html, not a ZIP archive.*\(not_an_app\)\n$/, 'a page is refused by what it serves');
  delete process.env.LEAKDEX_ALLOW_HOSTS;
  for (const url of [`${s.base}/dl/leaky.apk`, 'https://169.254.169.254/latest/meta-data/x.apk', 'https://[::1]/a.apk']) {
    const refused = await runMain(['scan', url]);
    t.equal(refused.status, 2, `${url}: exit 2`);
    t.match(refused.stderr, /^leakdex: error: refused .*\(url_refused\)\n$/, `${url}: ${refused.stderr.trim()}`);
  }
  t.equal(s.connections, 3, 'only the allowed downloads connected');
});

t.test('POST /v1/scans {"url"}: queued like an upload; refusals are 422', async (t) => {
  const { app, admin: token, uploadsDir } = await startService(t, { logLevel: 'warn', concurrency: 1 });
  const s = await serveLocal();
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
  t.same(readdirSync(uploadsDir).filter((f) => !f.endsWith('.upload')), [], 'no download left behind');
});
