/**
 * What keeps one client from harming others, and the service from its own past: tenants take turns in the queue, a
 * scan has a time budget, failed authentications are throttled per address, report links are signed, and partial
 * uploads left by a killed process are removed on restart.
 */
import t from 'tap';
import http from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanFileIsolated } from '../../src/pipeline/run.js';
import { createApiKey } from '../../src/service/auth.js';
import { FailedAuthLimiter } from '../../src/service/auth-throttle.js';
import type { ScanFn } from '../../src/service/jobs.js';
import { reportLinkKey, signReportLink } from '../../src/service/links.js';
import { CLEAN_APK as CLEAN, LEAKY_APK as V1, tempDir } from '../helpers/files.js';
import { spawnServer, startService, type TestService } from '../helpers/service.js';

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** Uploads `file` as `name` through app.inject. */
async function upload(s: TestService, key: string, file: string, name: string, query = '') {
  const boundary = `----leakdex${randomBytes(8).toString('hex')}`;
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    readFileSync(file),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return s.app.inject({ method: 'POST', url: `/v1/scans${query}`, payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, ...bearer(key) } });
}

t.test("one tenant's queue does not hold another tenant's scan back", async (t) => {
  const started: string[] = [];
  // Tenant A's scans are slow (a real scan after 1.5 s); B's is a small app scanned at once.
  const scan: ScanFn = async (path, opts) => {
    started.push(opts.displayPath!);
    if (opts.displayPath!.startsWith('a')) await new Promise((r) => setTimeout(r, 1500));
    return scanFileIsolated(path, opts);
  };
  const s = await startService(t, { concurrency: 1, scan });
  const { token: b } = await createApiKey(s.store, 'globex', ['admin']);
  const ids: string[] = [];
  for (const name of ['a1.apk', 'a2.apk', 'a3.apk']) ids.push((await upload(s, s.admin, V1, name, '?force=true')).json().id);
  const small = (await upload(s, b, CLEAN, 'b1.apk')).json();
  t.equal((await s.app.inject({ method: 'GET', url: `/v1/scans/${small.id}?wait=60`, headers: bearer(b) })).json().status, 'done');
  // On a loaded machine B's scan may be done before A's second has even started: that is the order wanted too.
  const b1 = started.indexOf('b1.apk');
  const a2 = started.indexOf('a2.apk');
  t.ok(b1 > 0 && (a2 < 0 || b1 < a2), `B's scan started right after A's first, before A's queue drained (order: ${started.join(', ')})`);
  for (const id of ids) t.equal((await s.app.inject({ method: 'GET', url: `/v1/scans/${id}?wait=60`, headers: bearer(s.admin) })).json().status, 'done', "and A's scans all ran");
});

t.test('a scan that runs past its time budget fails in seconds, saying why', async (t) => {
  const s = await startService(t, { overrides: { limits: { scanBudgetBaseMs: 100, scanBudgetMsPerMb: 0 } } });
  const t0 = Date.now();
  const res = await upload(s, s.admin, V1, 'slow.apk', '?wait=60');
  t.ok(Date.now() - t0 < 20_000, `ended in ${Date.now() - t0} ms, not at the 10-minute scan timeout`);
  t.match(res.json(), { status: 'failed', error: /^scan failed: timed out after 0\.1 s, the time budget of this upload \(0\.1 s \+ 0 s per MiB, at most 600 s\); an app that needs longer is likely an archive bomb$/ });
  t.same(readdirSync(s.uploadsDir), [], 'its upload is removed');
});

t.test('failed authentications are throttled per address', async (t) => {
  const limiter = new FailedAuthLimiter(2, 1000, 3);
  limiter.fail('a', 0);
  t.equal(limiter.retryAfter('a', 10), 0, 'under the limit');
  limiter.fail('a', 10);
  t.equal(limiter.retryAfter('a', 10), 1, 'at the limit: refused until the window ends');
  t.equal(limiter.retryAfter('a', 1000), 0, 'a new window starts afresh');
  for (const address of ['b', 'c', 'd', 'e']) limiter.fail(address, 2000);
  t.equal(limiter.size, 3, 'no more addresses are remembered than the bound');

  const s = await startService(t);
  const wrong = bearer(`ldx_${'0'.repeat(16)}_${'A'.repeat(43)}`);
  const get = (headers: Record<string, string>, remoteAddress: string) => s.app.inject({ method: 'GET', url: '/v1/apps', headers, remoteAddress });
  const codes: number[] = [];
  for (let i = 0; i < 20; i++) codes.push((await get(wrong, '10.0.0.7')).statusCode);
  t.same(new Set(codes), new Set([401]), 'the first 20 wrong keys are answered 401');
  const refused = await get(wrong, '10.0.0.7');
  t.equal(refused.statusCode, 429);
  t.match(refused.json(), { error: 'rate_limited', message: /too many failed authentications from this address: try again in \d+ s/ });
  const retry = Number(refused.headers['retry-after']);
  t.ok(retry > 0 && retry <= 300, `Retry-After: ${retry}`);
  t.equal((await get(bearer(s.admin), '10.0.0.7')).statusCode, 429, 'a right key from that address is refused as well: a guess cannot be told right');
  t.equal((await get(bearer(s.admin), '10.0.0.8')).statusCode, 200, 'another address is not affected');
  for (let i = 0; i < 25; i++) await get({}, '10.0.0.9');
  t.equal((await get(bearer(s.admin), '10.0.0.9')).statusCode, 200, 'requests without a key are not failed authentications');
});

t.test('/ leads to the dashboard sign-in; a signed link opens a report without an API key', async (t) => {
  const s = await startService(t);
  const root = await s.app.inject({ method: 'GET', url: '/' });
  t.equal(root.statusCode, 303);
  t.equal(root.headers.location, '/ui/sign-in');

  const scan = (await upload(s, s.admin, V1, 'leaky.apk', '?wait=60')).json();
  const other = (await upload(s, s.admin, CLEAN, 'clean.apk', '?wait=60')).json();
  t.equal(scan.status, 'done');
  t.equal((await s.app.inject({ method: 'POST', url: `/v1/scans/${scan.id}/links` })).statusCode, 401, 'minting needs an API key');
  const minted = await s.app.inject({ method: 'POST', url: `/v1/scans/${scan.id}/links`, headers: bearer(s.admin) });
  t.equal(minted.statusCode, 201);
  const link = minted.json() as { url: string; path: string; format: string; expiresAt: string };
  t.match(link, { url: /^http:\/\/localhost(:\d+)?\/v1\/scans\/.+\/report\?format=html&link=/, format: 'html' });
  const life = Date.parse(link.expiresAt) - Date.now();
  t.ok(life > 14 * 60_000 && life <= 15 * 60_000, 'it lives 15 minutes by default');

  const page = await s.app.inject({ method: 'GET', url: link.path });
  t.equal(page.statusCode, 200, 'no Authorization header needed');
  t.match(page.headers['content-type'], /^text\/html/);
  t.match(page.body, /com\.leakdex\.sample\.leaky/);

  const token = new URL(link.url).searchParams.get('link')!;
  const tampered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
  const denied = async (url: string, code: string) => {
    const res = await s.app.inject({ method: 'GET', url });
    t.equal(res.statusCode, 403, url.replace(/link=[^&]+/, 'link=…'));
    t.equal(res.json().error, code);
  };
  await denied(`/v1/scans/${scan.id}/report?format=html&link=${encodeURIComponent(tampered)}`, 'link_invalid');
  await denied(`/v1/scans/${scan.id}/report?format=json&link=${encodeURIComponent(token)}`, 'link_invalid');
  await denied(`/v1/scans/${scan.id}/report?link=${encodeURIComponent(token)}`, 'link_invalid');
  await denied(`/v1/scans/${other.id}/report?format=html&link=${encodeURIComponent(token)}`, 'link_invalid');
  const key = reportLinkKey(Buffer.from(readFileSync(join(s.config.dataDir, 'fingerprint.key'), 'utf8').trim(), 'hex'));
  const tenantId = (await s.store.ensureTenant('acme')).id;
  const expired = signReportLink(key, { tenantId, scanId: scan.id, format: 'html', expiresAt: Math.floor(Date.now() / 1000) - 1 });
  await denied(`/v1/scans/${scan.id}/report?format=html&link=${encodeURIComponent(expired)}`, 'link_expired');
  const otherKey = signReportLink(randomBytes(32), { tenantId, scanId: scan.id, format: 'html', expiresAt: Math.floor(Date.now() / 1000) + 60 });
  await denied(`/v1/scans/${scan.id}/report?format=html&link=${encodeURIComponent(otherKey)}`, 'link_invalid');
  t.equal((await s.app.inject({ method: 'GET', url: `${link.path}&showSecrets=true` })).statusCode, 403, 'a link never shows secrets');
  t.equal((await s.app.inject({ method: 'GET', url: `/v1/scans/${scan.id}?link=${encodeURIComponent(token)}` })).statusCode, 401, 'a link opens the report and nothing else');

  const json = (await s.app.inject({ method: 'POST', url: `/v1/scans/${scan.id}/links?format=json&ttlSeconds=60`, headers: bearer(s.admin) })).json();
  t.equal((await s.app.inject({ method: 'GET', url: json.path })).json().artifact.app.id, 'com.leakdex.sample.leaky', 'a link for the JSON report');
  t.equal((await s.app.inject({ method: 'POST', url: `/v1/scans/${scan.id}/links?ttlSeconds=${2 * 24 * 3600}`, headers: bearer(s.admin) })).statusCode, 400, 'at most a day');
  const { token: globex } = await createApiKey(s.store, 'globex', ['read']);
  t.equal((await s.app.inject({ method: 'POST', url: `/v1/scans/${scan.id}/links`, headers: bearer(globex) })).statusCode, 404, "another tenant cannot make a link to A's report");
  const signature = token.split('.').at(-1)!;
  t.notOk(s.logText().includes(signature), 'the link signature is not written to the logs');
});

t.test('kill -9 during an upload: the restart removes the partial upload and keeps queued ones', async (t) => {
  const dir = tempDir();
  const uploads = join(dir, 'uploads');
  const first = await spawnServer(dir);
  t.teardown(() => void first.child.kill('SIGKILL'));
  const key = /(ldx_[0-9a-f]{16}_[A-Za-z0-9_-]{43})/.exec(first.output())![1]!;
  const boundary = `----leakdex${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.apk"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const total = head.length + 8 * 1024 ** 2 + `\r\n--${boundary}--\r\n`.length;
  const req = http.request(`${first.url}/v1/scans`, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': total, ...bearer(key) } });
  req.on('error', () => {});
  req.write(Buffer.concat([head, randomBytes(1024 ** 2)]));
  let part: string | undefined;
  for (let i = 0; i < 200 && !part; i++) {
    part = existsSync(uploads) ? readdirSync(uploads).find((f) => f.endsWith('.part') && statSync(join(uploads, f)).size > 0) : undefined;
    if (!part) await new Promise((r) => setTimeout(r, 50));
  }
  t.ok(part, 'the upload is being written');
  first.child.kill('SIGKILL');
  await new Promise((r) => first.child.once('exit', r));
  req.destroy();
  t.ok(existsSync(join(uploads, part!)), 'kill -9 leaves the partial upload behind');
  // A URL download cut short the same way, and an upload whose scan is queued.
  mkdirSync(join(uploads, `url-${randomUUID()}`));
  writeFileSync(join(uploads, readdirSync(uploads).find((f) => f.startsWith('url-'))!, 'app.apk'), 'partial');
  writeFileSync(join(uploads, `${randomUUID()}.upload`), 'queued');
  // The blob store's layout: a queued upload, and a blob write cut short.
  writeFileSync(join(uploads, `${randomUUID()}.upload@blob`), 'queued');
  writeFileSync(join(uploads, `.${randomUUID()}.upload@blob.0a1b2c3d4e5f.tmp`), 'half');

  const second = await spawnServer(dir);
  t.teardown(() => void second.child.kill('SIGKILL'));
  const left = readdirSync(uploads);
  t.same(left.filter((f) => f.endsWith('.part') || f.startsWith('url-') || f.endsWith('.tmp')), [], 'partial uploads, blob writes and downloads are removed on restart');
  t.equal(left.filter((f) => f.endsWith('.upload') || f.endsWith('.upload@blob')).length, 2, 'queued uploads stay');
  t.match(second.output(), /"removed":3,.*removed partial uploads left by a stopped process/);
});
