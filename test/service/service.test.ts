import t from 'tap';
import { fork } from 'node:child_process';
import { readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { fileURLToPath } from 'node:url';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import http, { type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import JSZip from 'jszip';
import { ConfigError, loadConfig } from '../../src/config.js';
import { scanFileSync } from '../../src/pipeline/index.js';
import { ScanFailure, scanFileIsolated, shardOptions, type IsolatedScanOptions } from '../../src/pipeline/run.js';
import type { Report } from '../../src/report/types.js';
import { createApiKey, authenticate } from '../../src/service/auth.js';
import { keysCommand, KEYS_HELP, SERVE_HELP, WORKER_HELP } from '../../src/cli/service.js';
import { keyedFingerprint } from '../../src/service/crypto.js';
import type { ScanFn } from '../../src/service/jobs.js';
import { Pool, PoolTimeout } from '../../src/service/pool.js';
import { rate } from '../../src/service/results.js';
import { downloadToFile, type LookupFn } from '../../src/market/download.js';
import { describeFailure } from '../../src/market/submit.js';
import { startServer } from '../../src/server.js';
import { createLogger } from '../../src/app.js';
import { openStore, SQLITE_FILE } from '../../src/store/index.js';
import type { ScanCompletion } from '../../src/store/types.js';
import { sink } from '../helpers/cli.js';
import { CLEAN_APK as CLEAN, LEAKY_APK as V1, LEAKY_V2_APK as V2, ROOT, tempDir } from '../helpers/files.js';
import { spawnServer, startService, type TestService } from '../helpers/service.js';

/** The scan worker next to this compiled test. */
const WORKER_JS = fileURLToPath(new URL('../../src/pipeline/worker.js', import.meta.url));

/** A multipart/form-data body of `parts`: a file part when it has a file name, else a form field. */
function multipartParts(parts: { field: string; filename?: string; content: Buffer }[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----leakdex${randomBytes(8).toString('hex')}`;
  const payload = Buffer.concat([
    ...parts.flatMap((p) => [
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.field}"${p.filename === undefined ? '' : `; filename="${p.filename}"\r\nContent-Type: application/octet-stream`}\r\n\r\n`),
      p.content,
      Buffer.from('\r\n'),
    ]),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** A multipart/form-data body with one file part. */
const multipart = (field: string, filename: string, content: Buffer) => multipartParts([{ field, filename, content }]);

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function upload(s: TestService, key: string, file: string | Buffer, query = '', name = 'app.apk') {
  const body = multipart('file', name, typeof file === 'string' ? readFileSync(file) : file);
  return s.app.inject({ method: 'POST', url: `/v1/scans${query}`, payload: body.payload, headers: { ...body.headers, ...bearer(key) } });
}

async function waitDone(s: TestService, key: string, id: string) {
  const res = await s.app.inject({ method: 'GET', url: `/v1/scans/${id}?wait=60`, headers: bearer(key) });
  return res.json();
}

t.test('config: defaults, file, environment, every problem reported', async (t) => {
  const dir = tempDir();
  const d = loadConfig({ env: {} });
  t.match(d, { host: '127.0.0.1', port: 8080, dataDir: join(ROOT, 'data'), databaseUrl: undefined, secrets: { store: false } });
  t.ok(d.jobs.concurrency >= 1);
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ port: 9000, limits: { maxUploadBytes: 1234 }, rateLimit: { max: 7 } }));
  const c = loadConfig({ env: { LEAKDEX_CONFIG: file, PORT: '9100', HOST: '0.0.0.0', DATABASE_URL: 'postgres://x@y/z', LEAKDEX_CONCURRENCY: '3' } });
  t.match(c, { port: 9100, host: '0.0.0.0', databaseUrl: 'postgres://x@y/z', jobs: { concurrency: 3 }, limits: { maxUploadBytes: 1234 }, rateLimit: { max: 7 } }, 'env overrides the file');
  t.throws(() => loadConfig({ env: { PORT: 'eighty' } }), ConfigError);
  const err = t.throws(() => loadConfig({ env: { PORT: '70000', LEAKDEX_CONCURRENCY: '0' } })) as Error;
  t.match(err.message, /\/port/);
  t.match(err.message, /\/jobs\/concurrency/);
  t.throws(() => loadConfig({ env: { LEAKDEX_STORE_SECRETS: '1' } }), /LEAKDEX_SECRETS_KEY/);
  t.throws(() => loadConfig({ env: { LEAKDEX_STORE_SECRETS: '1', LEAKDEX_SECRETS_KEY: 'short' } }), /encryptionKey/);
  t.throws(() => loadConfig({ env: {}, overrides: { surprise: true } }), ConfigError, 'unknown settings are rejected');
  t.throws(() => loadConfig({ env: { LEAKDEX_CONFIG: join(dir, 'missing.json') } }), /cannot read configuration file/);
  t.equal(d.logFormat, 'json', 'logs are JSON lines by default');
  t.equal(loadConfig({ env: { LOG_FORMAT: 'pretty' } }).logFormat, 'pretty', 'LOG_FORMAT=pretty');
  t.throws(() => loadConfig({ env: { LOG_FORMAT: 'xml' } }), /\/logFormat/);
  // Scale-out: the blob store and the queue's times.
  t.match(d, { blobs: { kind: 'local' }, jobs: { drainMs: 20_000, expireGraceMs: 30_000, sweepCron: '* * * * *' } });
  t.throws(() => loadConfig({ env: { LEAKDEX_BLOBS: 's3' } }), /LEAKDEX_S3_BUCKET/, 's3 needs a bucket');
  t.throws(() => loadConfig({ env: { LEAKDEX_BLOBS: 'postgres' } }), /needs DATABASE_URL/, 'large objects need PostgreSQL');
  t.throws(() => loadConfig({ env: { LEAKDEX_BLOBS: 'nfs' } }), /\/blobs\/kind/);
  const s3 = loadConfig({ env: { LEAKDEX_BLOBS: 's3', LEAKDEX_S3_BUCKET: 'uploads', LEAKDEX_S3_ENDPOINT: 'http://127.0.0.1:9000', LEAKDEX_S3_FORCE_PATH_STYLE: '1', LEAKDEX_DRAIN_MS: '5000' } });
  t.match(s3, { blobs: { kind: 's3', s3: { bucket: 'uploads', endpoint: 'http://127.0.0.1:9000', region: 'us-east-1', forcePathStyle: true } }, jobs: { drainMs: 5000 } });
});

t.test('LOG_FORMAT=pretty: one readable line per record, keys redacted, control characters escaped', async (t) => {
  const out = sink();
  const log = createLogger('info', out.stream, 'pretty');
  log.info({ req: { method: 'GET', url: '/v1/scans\x1b[2J' }, res: { statusCode: 200 }, responseTime: 3.14, reqId: 'r1', apiKey: 'ldx_secret' }, 'request completed');
  log.warn({ scanId: 's1' }, 'scan slow');
  await new Promise((r) => setImmediate(r));
  const lines = out.text().split('\n').filter(Boolean);
  t.equal(lines.length, 2, 'one line per record');
  t.match(lines[0], /^\d\d:\d\d:\d\d\.\d{3} INFO  request completed GET \/v1\/scans\\x1b\[2J 200 3\.1ms reqId=r1 apiKey=\[redacted\]$/);
  t.match(lines[1], /^\d\d:\d\d:\d\d\.\d{3} WARN  scan slow scanId=s1$/);
  t.notOk(out.text().includes('ldx_secret') || out.text().includes('\x1b'), 'no key, no raw escape');
});

t.test('pool: limits concurrency and times tasks out', async (t) => {
  const pool = new Pool(2);
  let running = 0;
  let peak = 0;
  const task = async () => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, 20));
    running--;
    return 1;
  };
  t.same(await Promise.all([1, 2, 3, 4, 5].map(() => pool.run(task, 1000))), [1, 1, 1, 1, 1]);
  t.equal(peak, 2);
  await t.rejects(pool.run(() => new Promise(() => {}), 30), PoolTimeout);
  t.equal(pool.active, 0, 'a timed-out task frees its slot');
  const noRating = {} as Report;
  t.equal(rate(noRating, { critical: 0, high: 0, medium: 0, low: 0, info: 3 }), 'A', 'a report without a rating falls back to its worst finding');
  t.equal(rate(noRating, { critical: 0, high: 0, medium: 1, low: 0, info: 0 }), 'C');
  t.equal(rate(noRating, { critical: 1, high: 0, medium: 0, low: 0, info: 0 }), 'F');
  t.equal(rate({ rating: { grade: 'B' } } as Report, { critical: 1, high: 0, medium: 0, low: 0, info: 0 }), 'B', "the report's own rating wins");
});

t.test('uploads, status, report, reuse, force, delete (app.inject)', async (t) => {
  const s = await startService(t);
  const res = await upload(s, s.admin, V1, '', 'leaky-multidex.apk');
  t.equal(res.statusCode, 202);
  const queued = res.json();
  t.match(queued, { id: String, status: /^(queued|running)$/, sha256: /^[0-9a-f]{64}$/, size: readFileSync(V1).length, filename: 'leaky-multidex.apk' });
  t.equal(res.headers.location, `/v1/scans/${queued.id}`);

  const done = await waitDone(s, s.admin, queued.id);
  t.match(done, { id: queued.id, status: 'done', rating: 'F', progress: { fraction: 1 }, summary: { kind: 'apk', platform: 'android', app: { id: 'com.leakdex.sample.leaky', versionCode: '12' } } });
  t.ok(done.summary.findings > 0);
  t.equal(done.attempts, 1);

  const cli = scanFileSync(V1, { showSecrets: true });
  const reportRes = await s.app.inject({ method: 'GET', url: `/v1/scans/${queued.id}/report`, headers: bearer(s.admin) });
  t.equal(reportRes.statusCode, 200);
  const report = reportRes.json() as Report;
  t.equal(report.schemaVersion, 1);
  t.equal(report.artifact.path, 'leaky-multidex.apk', 'the report names the upload, not a server path');
  t.equal(report.findings.length, cli.findings.length, 'the same findings as the CLI');
  t.same(report.findings.map((f) => f.ruleId).sort(), cli.findings.map((f) => f.ruleId).sort());
  t.notOk(report.findings.some((f) => 'secret' in f), 'stored reports carry no secret values');
  const byRule = new Map(cli.findings.map((f) => [hmac(serverKey(s), f.ruleId, f.secret!), f]));
  for (const f of report.findings) t.ok(byRule.has(f.fingerprint), `${f.ruleId}: fingerprint is the HMAC of rule and value under the server key`);
  t.notOk(report.findings.some((f) => cli.findings.some((c) => c.fingerprint === f.fingerprint)), 'no unkeyed (guessable) fingerprint is stored');

  const again = await upload(s, s.admin, V1);
  t.equal(again.statusCode, 200);
  t.match(again.json(), { id: queued.id, reused: true, status: 'done' }, 'the same artifact reuses its scan');
  const forced = await upload(s, s.admin, V1, '?force=true&wait=60');
  t.equal(forced.statusCode, 200, 'wait returns once the scan is finished');
  t.not(forced.json().id, queued.id);
  t.equal(forced.json().status, 'done');

  const list = await s.app.inject({ method: 'GET', url: '/v1/scans?limit=10', headers: bearer(s.admin) });
  t.same(
    list.json().scans.map((x: { id: string }) => x.id),
    [forced.json().id, queued.id],
  );

  const notReady = await upload(s, s.admin, CLEAN);
  const early = await s.app.inject({ method: 'GET', url: `/v1/scans/${notReady.json().id}/report`, headers: bearer(s.admin) });
  t.ok(early.statusCode === 409 || early.statusCode === 200, 'a report before the scan ends is a 409, never a 500');
  await waitDone(s, s.admin, notReady.json().id);

  const del = await s.app.inject({ method: 'DELETE', url: `/v1/scans/${queued.id}`, headers: bearer(s.admin) });
  t.equal(del.statusCode, 204);
  t.equal((await s.app.inject({ method: 'GET', url: `/v1/scans/${queued.id}`, headers: bearer(s.admin) })).statusCode, 404);
  t.equal((await s.app.inject({ method: 'DELETE', url: `/v1/scans/${queued.id}`, headers: bearer(s.admin) })).statusCode, 404);
  t.same(
    readdirSync(s.uploadsDir),
    [],
    'uploads are removed once scanned',
  );
});

t.test('bad input gets a clear 4xx and leaves no file behind', async (t) => {
  const s = await startService(t, { overrides: { limits: { maxUploadBytes: 20_000 } } });
  const expect = async (res: Awaited<ReturnType<typeof upload>>, status: number, code: string, message: RegExp) => {
    t.equal(res.statusCode, status, code);
    t.match(res.json(), { statusCode: status, error: code, message, requestId: String });
  };
  await expect(await upload(s, s.admin, Buffer.from('just some text, not an archive')), 422, 'not_an_archive', /not a ZIP archive/);
  await expect(await upload(s, s.admin, Buffer.from('PK\u0003\u0004 truncated')), 422, 'not_an_archive', /cannot be read as a ZIP archive/);
  const zipOfText = await new JSZip().file('notes.txt', 'hello').generateAsync({ type: 'nodebuffer' });
  await expect(await upload(s, s.admin, zipOfText), 422, 'not_an_app', /not an app/);
  const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(64)]);
  await expect(await upload(s, s.admin, elf, '', 'app.apk'), 422, 'not_an_archive', /not a ZIP archive \(it looks like elf\).*XAPK, APKS or APKM/);
  await expect(await upload(s, s.admin, readFileSync(V1)), 413, 'too_large', /20000 bytes/);
  await expect(await upload(s, s.admin, Buffer.alloc(0)), 400, 'empty', /empty/);
  const wrongField = multipart('attachment', 'a.apk', readFileSync(CLEAN));
  await expect(await s.app.inject({ method: 'POST', url: '/v1/scans', payload: wrongField.payload, headers: { ...wrongField.headers, ...bearer(s.admin) } }), 400, 'no_file', /field 'file'/);
  await expect(await s.app.inject({ method: 'POST', url: '/v1/scans', payload: { file: 'x' }, headers: bearer(s.admin) }), 415, 'not_multipart', /multipart/);
  const octets = await s.app.inject({ method: 'POST', url: '/v1/scans', payload: readFileSync(CLEAN), headers: { ...bearer(s.admin), 'content-type': 'application/octet-stream' } });
  t.equal(octets.statusCode, 415);
  await expect(await upload(s, s.admin, readFileSync(CLEAN), '?wait=-1'), 400, 'invalid_request', /wait/);
  // Malformed multipart/form-data: no boundary, an empty one, a body cut off before its closing boundary.
  const apk = multipart('file', 'a.apk', readFileSync(CLEAN));
  for (const contentType of ['multipart/form-data', 'multipart/form-data; boundary=', 'multipart/form-data; boundary=""']) {
    await expect(await s.app.inject({ method: 'POST', url: '/v1/scans', payload: apk.payload, headers: { ...bearer(s.admin), 'content-type': contentType } }), 400, 'malformed_multipart', /has no boundary/);
  }
  const cut = apk.payload.subarray(0, apk.payload.length - 200);
  await expect(await s.app.inject({ method: 'POST', url: '/v1/scans', payload: cut, headers: { ...apk.headers, ...bearer(s.admin) } }), 400, 'malformed_multipart', /ends before its closing boundary/);
  // One file, in the field 'file': a second file (in that field or another) is refused, and a form field named 'file' is no file.
  const clean = readFileSync(CLEAN);
  for (const second of ['file', 'other']) {
    const two = multipartParts([{ field: 'note', content: Buffer.from('a form field') }, { field: 'file', filename: 'a.apk', content: clean }, { field: second, filename: 'b.apk', content: clean }]);
    await expect(await s.app.inject({ method: 'POST', url: '/v1/scans', payload: two.payload, headers: { ...two.headers, ...bearer(s.admin) } }), 400, 'too_many_files', /more than one file: send one, in the field 'file'/);
  }
  const field = multipartParts([{ field: 'file', content: Buffer.from('app.apk') }]);
  await expect(await s.app.inject({ method: 'POST', url: '/v1/scans', payload: field.payload, headers: { ...field.headers, ...bearer(s.admin) } }), 400, 'no_file', /has no file/);
  t.equal((await s.app.inject({ method: 'GET', url: '/v1/nothing', headers: bearer(s.admin) })).statusCode, 404);
  t.same(readdirSync(s.uploadsDir), [], 'no partial or rejected upload is left in the uploads directory');
  t.same(await s.store.listScans((await s.store.ensureTenant('acme')).id, { limit: 10 }), [], 'no scan was created');
});

/** The service's fingerprint key, from its data directory. */
const serverKey = (s: TestService) => Buffer.from(readFileSync(join(s.config.dataDir, 'fingerprint.key'), 'utf8').trim(), 'hex');
/** HMAC-SHA256(key, ruleId NUL value), made here with node:crypto: what the service's fingerprints must be. */
const hmac = (key: Buffer, ruleId: string, value: string) => createHmac('sha256', key).update(`${ruleId}\0${value}`, 'utf8').digest('hex');

/** The server's fingerprints of the CLI's findings (HMAC of rule and value under the server key), sorted. */
function cliFingerprints(s: TestService, file: string): string[] {
  const key = Buffer.from(readFileSync(join(s.config.dataDir, 'fingerprint.key'), 'utf8').trim(), 'hex');
  return scanFileSync(file, { showSecrets: true }).findings.map((f) => `${f.ruleId} ${keyedFingerprint(key, f.ruleId, f.secret!)}`).sort();
}

const serverFingerprints = (report: Report) => report.findings.map((f) => `${f.ruleId} ${f.fingerprint}`).sort();

t.test('every app the CLI scans is accepted by upload, classified by content, with the same findings', async (t) => {
  const s = await startService(t);
  const samples: [string, string, string][] = [
    ['samples/bundles/bundle-app.xapk', 'xapk', 'android'],
    ['samples/bundles/bundle-app.apks', 'apks', 'android'],
    ['samples/bundles/bundle-app.apkm', 'apkm', 'android'],
    ['samples/bundles/bundle-app.aab', 'aab', 'android'],
    ['samples/ios/zipped-app.app.zip', 'app', 'ios'],
  ];
  for (const [rel, kind, platform] of samples) {
    const file = join(ROOT, rel);
    // The upload's name says nothing: each is sent as "upload.bin".
    const res = await upload(s, s.admin, file, '?wait=60', 'upload.bin');
    t.equal(res.statusCode, 200, res.statusCode === 200 ? `${rel}: accepted` : `${rel}: ${res.body}`);
    const done = res.json();
    t.match(done, { status: 'done', summary: { kind, platform } }, `${rel}: scanned as ${kind}`);
    const report = (await s.app.inject({ method: 'GET', url: `/v1/scans/${done.id}/report`, headers: bearer(s.admin) })).json() as Report;
    const cli = scanFileSync(file);
    t.equal(report.artifact.kind, cli.artifact.kind, `${rel}: the same kind as the CLI`);
    t.same(report.artifact.app, cli.artifact.app, `${rel}: the same app identity as the CLI`);
    const expected = cliFingerprints(s, file);
    t.ok(expected.length > 0, `${rel}: the CLI finds something`);
    t.same(serverFingerprints(report), expected, `${rel}: the same findings (rule ids and fingerprints) as the CLI`);
  }
});

t.test('a URL is scanned when what it serves is an app, whatever its path; HTML is refused', async (t) => {
  const s = await startService(t);
  const apk = readFileSync(V1);
  const xapk = readFileSync(join(ROOT, 'samples/bundles/bundle-app.xapk'));
  const routes: Record<string, (res: ServerResponse) => void> = {
    '/download': (res) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(apk),
    '/go': (res) => res.writeHead(302, { location: '/files/leaky-multidex.apk' }).end(),
    '/files/leaky-multidex.apk': (res) => res.writeHead(200).end(apk),
    '/get': (res) => res.writeHead(200).end(xapk),
    '/page.apk': (res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><html><body>Download</body></html>'),
    '/notes.zip': (res) => void new JSZip().file('notes.txt', 'hello').generateAsync({ type: 'nodebuffer' }).then((b) => res.writeHead(200).end(b)),
  };
  const server = http.createServer((req, res) => (routes[(req.url ?? '').split('?')[0]!] ?? ((r: ServerResponse) => r.writeHead(404).end()))(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;
  process.env.LEAKDEX_ALLOW_HOSTS = `127.0.0.1:${port}`;
  t.teardown(() => {
    delete process.env.LEAKDEX_ALLOW_HOSTS;
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const post = (url: string, force = true) => s.app.inject({ method: 'POST', url: `/v1/scans?wait=60${force ? '&force=true' : ''}`, payload: { url }, headers: bearer(s.admin) });

  const direct = await post(`${base}/download?id=1`);
  t.equal(direct.statusCode, 200, direct.statusCode === 200 ? 'accepted' : direct.body);
  t.match(direct.json(), { status: 'done', sha256: createHash('sha256').update(apk).digest('hex'), filename: 'download', summary: { kind: 'apk', app: { id: 'com.leakdex.sample.leaky' } } }, 'a link without .apk in its path is scanned');
  const redirected = await post(`${base}/go?id=1`);
  t.equal(redirected.statusCode, 200, redirected.statusCode === 200 ? 'accepted' : redirected.body);
  t.match(redirected.json(), { status: 'done', filename: 'leaky-multidex.apk', summary: { kind: 'apk' } }, 'a link that redirects to the APK is scanned, named by where it led');
  const expected = cliFingerprints(s, V1);
  for (const r of [direct, redirected]) {
    const report = (await s.app.inject({ method: 'GET', url: `/v1/scans/${r.json().id}/report`, headers: bearer(s.admin) })).json() as Report;
    t.same(serverFingerprints(report), expected, 'the same findings as the CLI');
  }
  const bundle = await post(`${base}/get?file=42`);
  t.match(bundle.json(), { status: 'done', summary: { kind: 'xapk', platform: 'android' } }, 'an XAPK behind an extension-less link');

  const html = await post(`${base}/page.apk`);
  t.equal(html.statusCode, 422);
  t.match(html.json(), { error: 'not_an_app', message: /served text\/html, not a ZIP archive/ }, 'HTML is refused by content, although its path ends in .apk');
  const zip = await post(`${base}/notes.zip`);
  t.equal(zip.statusCode, 422);
  t.match(zip.json(), { error: 'not_an_app', message: /a ZIP archive but not an app/ });
  const ftp = await post('ftp://example.com/a.apk');
  t.match(ftp.json(), { error: 'unsupported_url' });
  // A source that cannot be reached is the upstream's failure (502), said plainly.
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const closedPort = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  process.env.LEAKDEX_ALLOW_HOSTS = `127.0.0.1:${port},127.0.0.1:${closedPort}`;
  const refused = await post(`http://127.0.0.1:${closedPort}/app.apk`);
  t.equal(refused.statusCode, 502);
  t.match(refused.json(), { error: 'upstream_unreachable', message: /^the source could not be reached: 127\.0\.0\.1:\d+: the host refused the connection \(nothing listens on that port\) \(ECONNREFUSED\)$/ });
  const noSuchHost: LookupFn = (hostname, _o, cb) => cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
  const unresolved = await downloadToFile('https://apps.example.test/app.apk', join(s.dataDir, 'never.apk'), { lookup: noSuchHost }).catch((e: unknown) => describeFailure(e));
  t.match(unresolved, { status: 502, code: 'upstream_unreachable', message: /apps\.example\.test: the host name does not resolve \(no such host\) \(ENOTFOUND\)$/ });
  t.same(readdirSync(s.uploadsDir).filter((f) => !f.endsWith('.upload')), [], 'no download left behind');
});

t.test('apps, versions, findings with first/last seen, diff, signer change', async (t) => {
  const s = await startService(t);
  const v1 = await upload(s, s.admin, V1, '?wait=60');
  const v2 = await upload(s, s.admin, V2, '?wait=60');
  t.equal(v1.json().status, 'done');
  t.equal(v2.json().status, 'done');
  const h = bearer(s.admin);

  const apps = (await s.app.inject({ method: 'GET', url: '/v1/apps', headers: h })).json().apps;
  t.equal(apps.length, 1);
  t.match(apps[0], { platform: 'android', packageId: 'com.leakdex.sample.leaky', name: 'Leakdex Leaky Sample', versions: 2 });
  for (const ref of [apps[0].id, 'com.leakdex.sample.leaky', 'android:com.leakdex.sample.leaky']) {
    t.equal((await s.app.inject({ method: 'GET', url: `/v1/apps/${encodeURIComponent(ref)}`, headers: h })).json().id, apps[0].id, `app found by ${ref}`);
  }

  const versions = (await s.app.inject({ method: 'GET', url: '/v1/apps/com.leakdex.sample.leaky/versions', headers: h })).json().versions;
  t.same(
    versions.map((v: { versionName: string; versionCode: string; signerChanged: boolean }) => [v.versionName, v.versionCode, v.signerChanged]),
    [
      ['1.2.0', '12', false],
      ['1.3.0', '13', false],
    ],
  );
  t.match(versions[0], { signer: /^[0-9a-f]{64}$/, scanId: v1.json().id, rating: 'F' });

  const diff = (await s.app.inject({ method: 'GET', url: '/v1/apps/com.leakdex.sample.leaky/diff?from=12&to=1.3.0', headers: h })).json();
  // The oracle: the CLI's own (unkeyed) fingerprints of each version, compared as sets.
  const cli1 = scanFileSync(V1).findings;
  const cli2 = scanFileSync(V2).findings;
  const rulesOnlyIn = (a: typeof cli1, b: typeof cli1) =>
    a
      .filter((f) => !b.some((g) => g.fingerprint === f.fingerprint))
      .map((f) => f.ruleId)
      .sort();
  t.same(diff.new.map((f: { ruleId: string }) => f.ruleId).sort(), rulesOnlyIn(cli2, cli1), 'new = values only in v2');
  t.same(diff.resolved.map((f: { ruleId: string }) => f.ruleId).sort(), rulesOnlyIn(cli1, cli2), 'resolved = values only in v1');
  t.ok(diff.new.length > 0 && diff.resolved.length > 0, 'the samples differ both ways');
  t.equal(diff.persisting.length + diff.resolved.length, cli1.length);
  t.equal(diff.signerChanged, false);
  t.match(diff.from, { versionCode: '12' });
  t.match(diff.to, { versionCode: '13' });

  const f2 = (await s.app.inject({ method: 'GET', url: `/v1/apps/com.leakdex.sample.leaky/versions/13/findings`, headers: h })).json();
  t.equal(f2.findings.length, cli2.length);
  const persisting = f2.findings.find((f: { fingerprint: string }) => diff.persisting.some((p: { fingerprint: string }) => p.fingerprint === f.fingerprint));
  t.match(persisting, { firstSeen: { versionCode: '12' }, lastSeen: { versionCode: '13' } }, 'a persisting finding was first seen in 12');
  const fresh = f2.findings.find((f: { fingerprint: string }) => f.fingerprint === diff.new[0].fingerprint);
  t.match(fresh, { firstSeen: { versionCode: '13' }, lastSeen: { versionCode: '13' } });
  const f1 = (await s.app.inject({ method: 'GET', url: `/v1/apps/com.leakdex.sample.leaky/versions/1.2.0/findings`, headers: h })).json();
  const gone = f1.findings.find((f: { fingerprint: string }) => f.fingerprint === diff.resolved[0].fingerprint);
  t.match(gone, { firstSeen: { versionCode: '12' }, lastSeen: { versionCode: '12' } }, 'a resolved finding was last seen in 12');

  t.equal((await s.app.inject({ method: 'GET', url: '/v1/apps/com.leakdex.sample.leaky/versions/99/findings', headers: h })).statusCode, 404);
  t.equal((await s.app.inject({ method: 'GET', url: '/v1/apps/com.nope/versions', headers: h })).statusCode, 404);
  // Without parameters, the latest version against the one before it; `from` alone runs to the latest.
  for (const query of ['', '?from=12', '?to=13']) {
    const res = await s.app.inject({ method: 'GET', url: `/v1/apps/com.leakdex.sample.leaky/diff${query}`, headers: h });
    t.equal(res.statusCode, 200, `diff${query}`);
    t.same(res.json(), diff, `diff${query} is 12 against 13`);
  }
  const first = await s.app.inject({ method: 'GET', url: '/v1/apps/com.leakdex.sample.leaky/diff?to=12', headers: h });
  t.equal(first.statusCode, 404);
  t.match(first.json(), { error: 'no_previous_version', message: /version 1\.2\.0 \(12\) is the first/ });

  // A later build signed with another certificate: completed through the store as a runner would.
  const acme = await s.store.ensureTenant('acme');
  await s.store.insertScan({ id: 'resigned', tenantId: acme.id, sha256: 'a'.repeat(64), size: 1, filename: 'resigned.apk', uploadPath: join(s.uploadsDir, 'missing'), entriesTotal: 1, createdAt: Date.now() });
  await s.runner.stop();
  const claimed = await s.store.claimScan('test-runner', Date.now(), 60_000);
  t.equal(claimed?.id, 'resigned');
  const resigned: ScanCompletion = {
    summary: { findings: 0, bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 }, diagnostics: 0, durationMs: 1, kind: 'apk', platform: 'android', app: {} },
    rating: 'A',
    report: '{}',
    app: { platform: 'android', packageId: 'com.leakdex.sample.leaky', name: null },
    version: { versionName: '1.4.0', versionCode: '14', signer: 'b'.repeat(64) },
    findings: [],
  };
  t.ok(await s.store.completeScan('resigned', 'test-runner', resigned, Date.now()));
  const after = (await s.app.inject({ method: 'GET', url: '/v1/apps/com.leakdex.sample.leaky/versions', headers: h })).json().versions;
  t.match(after[2], { versionCode: '14', signerChanged: true, previousSigner: versions[1].signer }, 'a signer change is flagged');
  const diff14 = (await s.app.inject({ method: 'GET', url: '/v1/apps/com.leakdex.sample.leaky/diff?from=13&to=14', headers: h })).json();
  t.equal(diff14.signerChanged, true);
  t.same((await s.app.inject({ method: 'GET', url: '/v1/apps/com.leakdex.sample.leaky/diff', headers: h })).json(), diff14, 'the default follows the latest version');
  t.equal(diff14.resolved.length, cli2.length);
});

t.test('tenant isolation on every route', async (t) => {
  const s = await startService(t);
  const a = s.admin;
  const { token: b } = await createApiKey(s.store, 'globex', ['admin']);
  const first = await upload(s, a, V1, '?wait=60');
  const id = first.json().id;
  t.equal(first.json().status, 'done');
  const app = first.json().appId;
  const routes = [
    `/v1/scans/${id}`,
    `/v1/scans/${id}/report`,
    `/v1/apps/${app}`,
    `/v1/apps/com.leakdex.sample.leaky`,
    `/v1/apps/com.leakdex.sample.leaky/versions`,
    `/v1/apps/${app}/versions`,
    `/v1/apps/com.leakdex.sample.leaky/versions/12/findings`,
    `/v1/apps/com.leakdex.sample.leaky/diff?from=12&to=12`,
  ];
  for (const url of routes) {
    t.equal((await s.app.inject({ method: 'GET', url, headers: bearer(a) })).statusCode, 200, `tenant A reads ${url}`);
    const res = await s.app.inject({ method: 'GET', url, headers: bearer(b) });
    t.equal(res.statusCode, 404, `tenant B gets 404 for ${url}`);
    t.equal(res.json().error, 'not_found');
    for (const secretOfA of [first.json().sha256, first.json().versionId, first.json().summary.app.signer]) t.notOk(res.body.includes(secretOfA), `and learns nothing from ${url}`);
    if (!url.includes(app)) t.notOk(res.body.includes(app), "nor A's app id");
  }
  t.same((await s.app.inject({ method: 'GET', url: '/v1/scans', headers: bearer(b) })).json().scans, []);
  t.same((await s.app.inject({ method: 'GET', url: '/v1/apps', headers: bearer(b) })).json().apps, []);
  t.equal((await s.app.inject({ method: 'GET', url: `/v1/scans/${id}?wait=1`, headers: bearer(b) })).statusCode, 404);
  t.equal((await s.app.inject({ method: 'DELETE', url: `/v1/scans/${id}`, headers: bearer(b) })).statusCode, 404, "B cannot delete A's scan");
  t.equal((await s.app.inject({ method: 'GET', url: `/v1/scans/${id}`, headers: bearer(a) })).statusCode, 200, 'it is still there');
  const bUpload = await upload(s, b, V1, '?wait=60');
  t.equal(bUpload.statusCode, 200);
  t.not(bUpload.json().id, id, "the same artifact in tenant B is B's own scan, not a reuse of A's");
  t.equal(bUpload.json().reused, false);
  t.not(bUpload.json().appId, app);
  t.equal((await s.app.inject({ method: 'GET', url: '/v1/apps', headers: bearer(a) })).json().apps.length, 1);
  t.equal((await s.app.inject({ method: 'GET', url: `/v1/apps/${bUpload.json().appId}`, headers: bearer(a) })).statusCode, 404);
});

t.test('authentication, scopes, rate limits, headers, request ids, logs without keys or secrets', async (t) => {
  const s = await startService(t, { overrides: { rateLimit: { max: 8, windowMs: 60_000 } } });
  const { token: reader } = await createApiKey(s.store, 'acme', ['read']);
  const { token: writer } = await createApiKey(s.store, 'acme', ['write']);
  const { token: revoked, id: revokedId } = await createApiKey(s.store, 'acme', ['read']);
  await s.store.revokeApiKey(revokedId, Date.now());

  t.equal((await s.app.inject({ method: 'GET', url: '/v1/apps' })).statusCode, 401, 'no key');
  t.equal((await s.app.inject({ method: 'GET', url: '/v1/apps', headers: { authorization: 'Basic abc' } })).statusCode, 401);
  t.equal((await s.app.inject({ method: 'GET', url: '/v1/apps', headers: bearer(s.admin.slice(0, -2) + 'xx') })).statusCode, 401, 'wrong secret');
  t.equal((await s.app.inject({ method: 'GET', url: '/v1/apps', headers: bearer(revoked) })).statusCode, 401, 'revoked key');
  t.equal((await s.app.inject({ method: 'GET', url: '/v1/apps', headers: bearer(reader) })).statusCode, 200);
  const denied = await upload(s, reader, CLEAN);
  t.equal(denied.statusCode, 403, 'a read key cannot upload');
  t.match(denied.json(), { error: 'forbidden', message: /write/ });
  t.equal((await s.app.inject({ method: 'GET', url: '/v1/apps', headers: bearer(writer) })).statusCode, 403, 'a write key cannot read');
  t.equal((await s.app.inject({ method: 'GET', url: '/metrics', headers: bearer(reader) })).statusCode, 403, '/metrics needs admin');

  const up = await upload(s, writer, V1, '?wait=60');
  t.equal(up.statusCode, 200);
  t.equal(up.json().status, 'done');
  const showNoStore = await s.app.inject({ method: 'GET', url: `/v1/scans/${up.json().id}/report?showSecrets=true`, headers: bearer(s.admin) });
  t.equal(showNoStore.statusCode, 409, 'no raw secrets when storage is off');

  const res = await s.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'ci-run-42' } });
  t.equal(res.headers['x-request-id'], 'ci-run-42', 'a sane request id is kept');
  t.equal(res.headers['x-content-type-options'], 'nosniff');
  t.ok(res.headers['content-security-policy']);
  t.ok(res.headers['strict-transport-security']);
  const odd = await s.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'bad id\nforged' } });
  t.match(odd.headers['x-request-id'], /^[0-9a-f-]{36}$/, 'an unsafe request id is replaced');

  let limited: number | undefined;
  for (let i = 0; i < 12 && limited === undefined; i++) {
    const r = await s.app.inject({ method: 'GET', url: '/v1/apps', headers: bearer(reader) });
    if (r.statusCode === 429) {
      limited = i;
      t.match(r.json(), { statusCode: 429, error: 'rate_limited' });
    }
  }
  t.ok(limited !== undefined, 'the reader key hits its limit');
  t.equal((await s.app.inject({ method: 'GET', url: '/v1/apps', headers: bearer(s.admin) })).statusCode, 200, 'another key of the same tenant is unaffected');

  const text = s.logText();
  t.match(text, /ci-run-42/, 'request ids reach the logs');
  t.match(text, /scan done/);
  for (const key of [s.admin, reader, writer, revoked]) {
    t.notOk(text.includes(key), 'no API key in the logs');
    t.notOk(text.includes(key.slice('ldx_'.length + 17)), 'not even its secret part');
  }
  const secrets = scanFileSync(V1, { showSecrets: true }).findings.map((f) => f.secret!);
  t.ok(secrets.length > 5);
  for (const secret of secrets) t.notOk(text.includes(secret), 'no secret value in the logs');
  t.notOk(text.includes(serverKey(s).toString('hex')), 'no fingerprint key in the logs');
});

/** What a scan worker sends back for a runner's scan options, as it crossed the IPC channel (V8-serialized). */
async function workerMessage(path: string, opts: IsolatedScanOptions): Promise<Buffer> {
  const child = fork(WORKER_JS, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  const last = new Promise<unknown>((resolve, reject) => {
    child.on('message', (m: { type: string }) => m.type !== 'entry' && resolve(m));
    child.on('exit', (code) => reject(new Error(`the worker exited with ${code}`)));
  });
  child.send({ path, options: shardOptions(opts, { index: 0, count: 1 }), skip: [] });
  return serialize(await last);
}

t.test('raw secrets: sent back by the scan worker only when stored, encrypted at rest, shown to admins', async (t) => {
  const cli = scanFileSync(V1, { showSecrets: true });
  const holds = (bytes: Buffer, v: string | Buffer) => bytes.includes(typeof v === 'string' ? Buffer.from(v, 'latin1') : v) || (typeof v === 'string' && bytes.includes(Buffer.from(v, 'utf16le')));
  for (const stored of [false, true]) {
    const given: IsolatedScanOptions[] = [];
    const scan: ScanFn = (path, opts) => (given.push(opts), scanFileIsolated(path, opts));
    const s = await startService(t, { overrides: stored ? { secrets: { store: true, encryptionKey: randomBytes(32).toString('hex') } } : {}, scan });
    const id = (await upload(s, s.admin, V1, '?wait=60')).json().id;
    const sent = await workerMessage(V1, given[0]!);
    const crossed = cli.findings.filter((f) => holds(sent, f.secret!)).length;
    t.equal(crossed, stored ? cli.findings.length : 0, stored ? 'values come back from the worker to be encrypted' : 'storage off: no raw value crosses from the scan worker');
    t.notOk(holds(sent, serverKey(s)) || holds(sent, serverKey(s).toString('hex')), 'the fingerprint key does not come back');
    const db = Buffer.concat(readdirSync(s.config.dataDir).filter((f) => f.startsWith(SQLITE_FILE)).map((f) => readFileSync(join(s.config.dataDir, f))));
    t.ok(db.length > 0);
    t.same(cli.findings.filter((f) => db.includes(f.secret!)).map((f) => f.ruleId), [], 'no plaintext value in the database files');
    const plain = await s.app.inject({ method: 'GET', url: `/v1/scans/${id}/report`, headers: bearer(s.admin) });
    t.notOk((plain.json() as Report).findings.some((f) => f.secret), 'redacted by default');
    t.same(serverFingerprints(plain.json()), cliFingerprints(s, V1), 'fingerprints keyed in the worker are the HMAC of rule and value');
    if (!stored) continue;
    const { token: reader } = await createApiKey(s.store, 'acme', ['read']);
    t.equal((await s.app.inject({ method: 'GET', url: `/v1/scans/${id}/report?showSecrets=true`, headers: bearer(reader) })).statusCode, 403);
    const shown = (await s.app.inject({ method: 'GET', url: `/v1/scans/${id}/report?showSecrets=true`, headers: bearer(s.admin) })).json() as Report;
    t.same(shown.findings.map((f) => f.secret).sort(), cli.findings.map((f) => f.secret).sort(), 'decrypted values are the CLI values');
  }
});

t.test('an upload that changes while it is scanned is a failed scan that says so, naming the upload', async (t) => {
  // The real isolated scan; the upload is cut short once the worker has started reading it.
  const scan: ScanFn = (path, opts) => {
    let cut = false;
    return scanFileIsolated(path, {
      ...opts,
      onEntry: (entry) => {
        opts.onEntry?.(entry);
        if (cut) return;
        cut = true;
        truncateSync(path, 1000);
      },
    });
  };
  const s = await startService(t, { overrides: { jobs: { concurrency: 1, pollMs: 50 } }, scan });
  const res = (await upload(s, s.admin, V1, '?wait=30', 'release.apk')).json();
  t.match(res, { status: 'failed', error: `scan failed: the file changed while it was being scanned (size ${readFileSync(V1).length} -> 1000): scan a finished file` });
  t.notMatch(res.error, /uploads/, 'no server path in the stored error');
  const report = await s.app.inject({ method: 'GET', url: `/v1/scans/${res.id}/report`, headers: bearer(s.admin) });
  t.equal(report.statusCode, 409, "no report of a failed scan");
});

t.test('a scan that blows up fails with a diagnostic; the service keeps serving', async (t) => {
  let calls = 0;
  const scan: ScanFn = async (path, opts) => {
    calls++;
    if (calls === 1) throw new ScanFailure(`scan worker stopped 9 times while reading ${path}; giving up`);
    if (calls === 2) return new Promise<Report>(() => {});
    return scanFileIsolated(path, { ...opts, limits: { ...opts.limits, scanTimeoutMs: 60_000 } });
  };
  const s = await startService(t, { overrides: { limits: { scanTimeoutMs: 300 }, jobs: { concurrency: 1, pollMs: 50 } }, scan });
  const failed = (await upload(s, s.admin, V1, '?wait=30', 'boom.apk')).json();
  t.match(failed, { status: 'failed', error: /scan failed: .*giving up/ });
  t.notMatch(failed.error, /uploads/, 'the diagnostic names the upload, not a server path');
  t.match((await upload(s, s.admin, V2, '?wait=30')).json(), { status: 'failed', error: /timed out/ }, 'a hung scan times out');
  const ok = (await upload(s, s.admin, CLEAN, '?wait=30')).json();
  t.equal(ok.status, 'done', 'later scans still run');
  const health = await s.app.inject({ method: 'GET', url: '/readyz' });
  t.equal(health.statusCode, 200);
  const jobs = await s.app.inject({ method: 'GET', url: '/v1/admin/jobs', headers: bearer(s.admin) });
  t.match(jobs, { statusCode: 409 }, 'the embedded store has no job queue to list');
  t.match(jobs.json(), { error: 'no_queue', message: /PostgreSQL mode/ });
  const metrics = await s.app.inject({ method: 'GET', url: '/metrics', headers: bearer(s.admin) });
  t.match(metrics.headers['content-type'], /^text\/plain; version=0.0.4/);
  t.match(metrics.body, /leakdex_scans\{status="failed"\} 2/);
  t.match(metrics.body, /leakdex_scans\{status="done"\} 1/);
  t.match(metrics.body, /leakdex_scans_finished_total\{status="failed"\} 2/);
  t.match(metrics.body, /leakdex_queue_depth 0/);
  t.match(metrics.body, /leakdex_scan_duration_seconds_count 3/);
  t.match(metrics.body, /leakdex_scan_bytes_sum \d+/);
  t.match(metrics.body, /leakdex_findings_total\{severity="critical"\} \d+/);
  t.match(metrics.body, /leakdex_upload_bytes_total [1-9]\d*/);
});

t.test('operations: health, readiness, OpenAPI, Swagger UI', async (t) => {
  const s = await startService(t);
  t.same((await s.app.inject({ method: 'GET', url: '/healthz' })).json(), { status: 'ok' });
  t.same((await s.app.inject({ method: 'GET', url: '/readyz' })).json(), { status: 'ready', store: true, workers: true });
  const doc = (await s.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  t.match(doc.openapi, /^3\./);
  for (const path of ['/v1/scans', '/v1/scans/{id}', '/v1/scans/{id}/report', '/v1/apps', '/v1/apps/{app}/versions', '/v1/apps/{app}/versions/{v}/findings', '/v1/apps/{app}/diff', '/healthz', '/readyz', '/metrics']) {
    t.ok(doc.paths[path], `${path} documented`);
  }
  t.ok(doc.paths['/v1/scans'].post.requestBody.content['multipart/form-data'], 'the upload is documented as multipart');
  t.ok(doc.paths['/v1/scans/{id}'].get.responses['200'], 'responses are documented');
  t.equal((await s.app.inject({ method: 'GET', url: '/docs/' })).statusCode, 200);
  await s.runner.stop();
  t.equal((await s.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 503, 'not ready once the runner stopped');
});

t.test('keys command prints the key alone; help texts exist', async (t) => {
  const dir = tempDir();
  const created = sink();
  t.equal(await keysCommand(['create', '--tenant', 'acme', '--scopes', 'read,admin', '--data-dir', dir], created.stream, sink().stream), 0);
  t.match(created.text(), /^ldx_[0-9a-f]{16}_[A-Za-z0-9_-]{43}\n$/, 'the key alone on stdout');
  const store = await openStore(loadConfig({ env: {}, overrides: { dataDir: dir } }));
  const auth = await authenticate(store, created.text().trim());
  t.match(auth, { tenantName: 'acme', scopes: ['read', 'admin'] });
  await store.close();
  const listed = sink();
  t.equal(await keysCommand(['list', '--data-dir', dir], listed.stream, sink().stream), 0);
  t.match(listed.text(), /^id\ttenant\tscopes\tcreated\tstatus\tname\n[0-9a-f]{16}\tacme\tread,admin\t/, 'a header line names the columns');
  t.notOk(listed.text().includes(auth!.keyId + '_'), 'list never prints a key');
  t.equal(await keysCommand(['create', '--data-dir', dir], sink().stream, sink().stream), 2, 'no tenant is a usage error');
  const err = sink();
  t.equal(await keysCommand(['create', '--tenant', 'x', '--scopes', 'root', '--data-dir', dir], sink().stream, err.stream), 2);
  t.match(err.text(), /unknown scope 'root'/);
  for (const help of [SERVE_HELP, WORKER_HELP, KEYS_HELP]) t.match(help, /^Usage: leakdex /);
});

t.test('a real listening server takes streamed uploads', async (t) => {
  const dir = tempDir();
  const out = sink();
  const config = loadConfig({ env: { LEAKDEX_DATA_DIR: dir }, overrides: { port: 0, logLevel: 'silent', jobs: { concurrency: 2, pollMs: 50 }, limits: { maxUploadBytes: 30_000 } } });
  const server = await startServer(config, { out: out.stream });
  t.teardown(() => server.close());
  const printed = out.text();
  const key = /(ldx_[0-9a-f]{16}_[A-Za-z0-9_-]{43})/.exec(printed)?.[1];
  t.ok(key, 'the first start prints an admin key');
  t.match(printed, `curl -sS -H "Authorization: Bearer ${key}" -F file=@samples/android/leaky-multidex.apk "${server.url}/v1/scans?wait=60"`);
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const docker = readme.slice(readme.indexOf('## Docker'), readme.indexOf('\n## ', readme.indexOf('## Docker') + 1));
  const quoted = /the line after "([^"]+)"/.exec(docker)?.[1];
  t.ok(quoted && printed.includes(quoted), `the README's Docker section quotes the line that carries the first key: "${quoted}"`);
  t.match(docker, /docker logs leakdex/, 'and says where to read it');
  const send = async (file: string, query = '') => {
    const form = new FormData();
    form.append('file', new Blob([readFileSync(file)]), 'upload.apk');
    return fetch(`${server.url}/v1/scans${query}`, { method: 'POST', body: form, headers: bearer(key!) });
  };
  const res = await send(CLEAN, '?wait=60');
  t.equal(res.status, 200);
  const body = (await res.json()) as { id: string };
  t.match(body, { status: 'done', rating: 'A', verdict: 'pass', summary: { findings: 0, unscanned: 0, app: { id: String } } });
  // An encrypted IPA: the service gives the CLI's verdict, in the status and in every report format.
  const enc = await send(join(ROOT, 'samples/ios/encrypted-ios.ipa'), '?wait=60');
  const encScan = (await enc.json()) as { id: string };
  t.match(encScan, { status: 'done', rating: 'C', verdict: 'incomplete', summary: { unscanned: 1 } }, 'an incomplete scan is never A or pass');
  const encReport = (await (await fetch(`${server.url}/v1/scans/${encScan.id}/report`, { headers: bearer(key!) })).json()) as Report;
  t.match(encReport, { rating: { grade: 'C' }, completeness: { complete: false }, verdict: { status: 'incomplete', exitCode: 4 } });
  for (const format of ['text', 'markdown', 'html', 'sarif']) {
    const body = await (await fetch(`${server.url}/v1/scans/${encScan.id}/report?format=${format}`, { headers: bearer(key!) })).text();
    t.match(body, /INCOMPLETE: 1 part\(s\) of the app not scanned/, `the ${format} report says so`);
  }
  const tooBig = await send(V1);
  t.equal(tooBig.status, 413);
  t.match(await tooBig.json(), { error: 'too_large' });
  t.same(
    readdirSync(join(dir, 'uploads')).filter((f) => f.endsWith('.part')),
    [],
    'partial uploads are removed',
  );
  t.equal((await fetch(`${server.url}/v1/scans/${body.id}`, { headers: bearer(key!) })).status, 200);
});

t.test('kill -9 mid-scan: after a restart every queued and running scan completes', async (t) => {
  const dir = tempDir();
  const first = await spawnServer(dir);
  t.teardown(() => {
    first.child.kill('SIGKILL');
  });
  const key = /(ldx_[0-9a-f]{16}_[A-Za-z0-9_-]{43})/.exec(first.output())?.[1];
  t.ok(key, 'bootstrap key printed');
  const h = bearer(key!);
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) {
    const form = new FormData();
    form.append('file', new Blob([readFileSync(i % 2 ? V2 : V1)]), `build-${i}.apk`);
    const res = await fetch(`${first.url}/v1/scans?force=true`, { method: 'POST', body: form, headers: h });
    t.equal(res.status, 202);
    ids.push(((await res.json()) as { id: string }).id);
  }
  let running: string | undefined;
  for (let i = 0; i < 400 && !running; i++) {
    for (const id of ids) {
      const s = (await (await fetch(`${first.url}/v1/scans/${id}`, { headers: h })).json()) as { status: string };
      if (s.status === 'running') running = id;
    }
  }
  t.ok(running, 'a scan is running when the process is killed');
  first.child.kill('SIGKILL');
  await new Promise((r) => first.child.once('exit', r));

  const second = await spawnServer(dir);
  t.teardown(() => {
    second.child.kill('SIGKILL');
  });
  t.notMatch(second.output(), /first start/, 'the restart keeps its keys');
  const statuses: Record<string, { status: string; attempts: number }> = {};
  for (const id of ids) {
    const res = await fetch(`${second.url}/v1/scans/${id}?wait=60`, { headers: h });
    statuses[id] = (await res.json()) as { status: string; attempts: number };
  }
  t.same(
    ids.map((id) => statuses[id]!.status),
    ids.map(() => 'done'),
    'every scan completed after the restart',
  );
  t.ok(statuses[running!]!.attempts >= 2, 'the scan killed mid-run was run again');
  t.match(second.output(), /requeued a scan left running by a stopped process/);
  const apps = (await (await fetch(`${second.url}/v1/apps/com.leakdex.sample.leaky/versions`, { headers: h })).json()) as { versions: unknown[] };
  t.equal(apps.versions.length, 2);
  second.child.kill('SIGTERM');
  const code = await new Promise((r) => second.child.once('exit', r));
  t.equal(code, 0, 'SIGTERM shuts down cleanly');
});
