/**
 * The dashboard's guards without a browser (src/web/session.ts, src/routes/web.ts): sessions, expiry, revoked keys,
 * CSRF and origin checks, safe redirects, tenant isolation, the reveal switch, headers, paused watches.
 * test/web/dashboard.test.ts drives the same pages in Chromium.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { createApiKey } from '../../src/service/auth.js';
import { SESSION_IDLE_MS, SESSION_MAX_MS, readCookies } from '../../src/web/session.js';
import { LEAKY_APK } from '../helpers/files.js';
import { multipart, startService, type TestService } from '../helpers/service.js';

const HOST = 'dash.test';
const ORIGIN = `http://${HOST}`;

async function signIn(s: TestService, key: string, extra: Record<string, string> = {}): Promise<{ cookie: string; status: number; location?: string }> {
  const r = await s.app.inject({ method: 'POST', url: '/ui/sign-in', headers: { host: HOST, origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded', ...extra }, payload: new URLSearchParams({ key, next: '/ui' }).toString() });
  const set = String(r.headers['set-cookie'] ?? '');
  return { cookie: set.split(';')[0]!, status: r.statusCode, location: r.headers.location as string | undefined };
}

const get = (s: TestService, url: string, cookie: string) => s.app.inject({ method: 'GET', url, headers: { host: HOST, cookie } });
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const form = (s: TestService, url: string, cookie: string, fields: Record<string, string>, origin = ORIGIN) =>
  s.app.inject({ method: 'POST', url, headers: { host: HOST, origin, cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() });

t.test('sessions: sign-in, cookie attributes, fixation, expiry, revoked keys, sign-out', async (t) => {
  let now = Date.now();
  const s = await startService(t, { logLevel: 'warn' });
  const signedOut = await get(s, '/ui', '');
  t.equal(signedOut.statusCode, 303, 'a page without a session redirects');
  t.equal(signedOut.headers.location, '/ui/sign-in?next=%2Fui');
  t.equal((await get(s, '/', '')).headers.location, '/ui/sign-in');

  const bad = await signIn(s, 'ldx_0000000000000000_' + 'A'.repeat(43));
  t.equal(bad.status, 401, 'a wrong key is refused');
  t.equal(bad.cookie, '', 'and sets no cookie');
  const noOrigin = await s.app.inject({ method: 'POST', url: '/ui/sign-in', headers: { host: HOST, origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, payload: `key=${s.admin}` });
  t.equal(noOrigin.statusCode, 403, 'a sign-in posted by another site is refused (login CSRF)');

  const fixed = `leakdex_session=${'a'.repeat(43)}`;
  const ok = await signIn(s, s.admin, { cookie: fixed });
  t.equal(ok.status, 303);
  t.equal(ok.location, '/ui');
  t.match(ok.cookie, /^leakdex_session=[A-Za-z0-9_-]{43}$/);
  t.not(ok.cookie, fixed, 'a new session id, never the one the browser brought');
  const raw = await s.app.inject({ method: 'POST', url: '/ui/sign-in', headers: { host: HOST, origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' }, payload: `key=${encodeURIComponent(s.admin)}` });
  const attrs = String(raw.headers['set-cookie']);
  for (const a of ['HttpOnly', 'SameSite=Strict', 'Path=/', `Max-Age=${SESSION_MAX_MS / 1000}`]) t.ok(attrs.includes(a), `cookie ${a}`);
  t.equal((await get(s, '/ui', fixed)).statusCode, 303, "the attacker's planted id opens nothing");
  const page = await get(s, '/ui', ok.cookie);
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-security-policy'], /default-src 'none'; script-src 'self'; style-src 'self'/);
  t.equal(page.headers['cache-control'], 'no-store');
  t.notMatch(page.body, /<script>|style="/, 'no inline script or style');
  const dump = JSON.stringify(await s.store.sessions.get('x'));
  t.equal(dump, undefined);

  // Only the SHA-256 of the id is stored.
  const id = readCookies(ok.cookie).get('leakdex_session')!;
  const { createHash } = await import('node:crypto');
  const row = await s.store.sessions.get(createHash('sha256').update(id).digest('hex'));
  t.ok(row, 'the session row is found by the hash of the id');
  t.notOk(JSON.stringify(row).includes(id), 'the id itself is not stored');

  // Expiry: idle, and absolute.
  const { sessionCaller } = await import('../../src/web/session.js');
  const req = { headers: { cookie: ok.cookie }, protocol: 'http' } as never;
  now += SESSION_IDLE_MS / 2;
  t.ok(await sessionCaller(s.store, req, now), 'alive within the idle time (and the activity extends it)');
  t.ok(await sessionCaller(s.store, req, now + SESSION_IDLE_MS - 1000), 'alive within the idle time after the last activity');
  t.equal(await sessionCaller(s.store, req, now + 2 * SESSION_IDLE_MS + 1000), undefined, 'ended after the idle time');
  const again = await signIn(s, s.admin);
  const req2 = { headers: { cookie: again.cookie }, protocol: 'http' } as never;
  t.equal(await sessionCaller(s.store, req2, Date.now() + SESSION_MAX_MS + 1), undefined, 'ended after the absolute time');

  // A revoked key ends its sessions.
  const k = await createApiKey(s.store, 'acme', ['read']);
  const kr = await signIn(s, k.token);
  t.equal((await get(s, '/ui', kr.cookie)).statusCode, 200);
  await s.store.revokeApiKey(k.id, Date.now());
  t.equal((await get(s, '/ui', kr.cookie)).statusCode, 303, 'a revoked key signs its sessions out');

  // Sign-out needs the token; then the session is gone.
  const live = await signIn(s, s.admin);
  const html = (await get(s, '/ui', live.cookie)).body;
  t.equal((await form(s, '/ui/sign-out', live.cookie, {})).statusCode, 403, 'sign-out without the token is refused');
  const out = await form(s, '/ui/sign-out', live.cookie, { _csrf: csrfOf(html) });
  t.equal(out.statusCode, 303);
  t.match(String(out.headers['set-cookie']), /Max-Age=0/);
  t.equal((await get(s, '/ui', live.cookie)).statusCode, 303, 'the session is gone after sign-out');

  // Redirects after sign-in stay on the dashboard.
  for (const next of ['https://evil.example/', '//evil.example/ui', '/docs', 'javascript:alert(1)']) {
    const r = await s.app.inject({ method: 'POST', url: '/ui/sign-in', headers: { host: HOST, origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ key: s.admin, next }).toString() });
    t.equal(r.headers.location, '/ui', `next=${next} is not followed`);
  }
});

t.test('forms: CSRF token and origin on every change; scopes; tenants; reveal; paused watches are not checked', async (t) => {
  const s = await startService(t, { logLevel: 'warn', overrides: { secrets: { store: true, encryptionKey: 'ab'.repeat(32) } } });
  const admin = await signIn(s, s.admin);
  const html = (await get(s, '/ui/watches', admin.cookie)).body;
  const token = csrfOf(html);
  t.ok(token.length >= 32, 'the page carries the token');
  const url = 'https://downloads.example.org/app.apk';
  t.equal((await form(s, '/ui/watches', admin.cookie, { url })).statusCode, 403, 'no token: refused');
  t.equal((await form(s, '/ui/watches', admin.cookie, { url, _csrf: `${token.slice(0, -1)}${token.endsWith('x') ? 'y' : 'x'}` })).statusCode, 403, 'a wrong token: refused');
  t.equal((await form(s, '/ui/watches', admin.cookie, { url, _csrf: token }, 'http://evil.example')).statusCode, 403, 'another origin: refused');
  const other = await signIn(s, (await createApiKey(s.store, 'acme', ['admin'])).token);
  t.equal((await form(s, '/ui/watches', other.cookie, { url, _csrf: token })).statusCode, 403, "another session's token: refused");
  t.same(await s.store.watches.list((await s.store.ensureTenant('acme')).id, 10), [], 'nothing was created');
  const added = await form(s, '/ui/watches', admin.cookie, { url, interval: '1h', _csrf: token });
  t.equal(added.statusCode, 303);
  const tenant = (await s.store.ensureTenant('acme')).id;
  const [w] = await s.store.watches.list(tenant, 10);
  t.match(w, { url, intervalS: 3600, paused: false });
  t.equal((await form(s, `/ui/watches/${w!.id}/pause`, admin.cookie, { _csrf: token })).statusCode, 303);
  t.equal((await s.store.watches.get(tenant, w!.id))!.paused, true);
  t.same(await s.store.watches.claimDue('me', Date.now() + 10 ** 9, Date.now() + 10 ** 9 + 1, 10), [], 'a paused watch is not claimed by the sweep');
  t.equal((await form(s, `/ui/watches/${w!.id}/resume`, admin.cookie, { _csrf: token })).statusCode, 303);
  t.equal((await s.store.watches.claimDue('me', Date.now() + 10 ** 9, Date.now() + 10 ** 9 + 1, 10)).length, 1, 'resumed: claimed again');

  // A read-only key sees the pages but cannot change anything.
  const reader = await signIn(s, (await createApiKey(s.store, 'acme', ['read'])).token);
  const rhtml = (await get(s, '/ui/watches', reader.cookie)).body;
  t.notMatch(rhtml, /Add watch/, 'no form for a read-only key');
  t.equal((await form(s, '/ui/watches', reader.cookie, { url, _csrf: csrfOf(rhtml) })).statusCode, 403, 'the write scope is needed');
  t.equal((await get(s, '/ui/upload', reader.cookie)).statusCode, 403);

  // An upload through the form, with its token before the file.
  const m = multipart(readFileSync(LEAKY_APK));
  const withToken = Buffer.concat([Buffer.from(`--${m.headers['content-type']!.split('boundary=')[1]}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${token}\r\n`), m.payload]);
  const refused = await s.app.inject({ method: 'POST', url: '/ui/upload', headers: { host: HOST, origin: ORIGIN, cookie: admin.cookie, ...m.headers }, payload: m.payload });
  t.equal(refused.statusCode, 403, 'an upload without the token is refused');
  const up = await s.app.inject({ method: 'POST', url: '/ui/upload', headers: { host: HOST, origin: ORIGIN, cookie: admin.cookie, accept: 'application/json', ...m.headers }, payload: withToken });
  t.equal(up.statusCode, 202, up.body);
  const statusUrl = up.json().statusUrl as string;
  let st: { status: string; report: string } = { status: 'queued', report: '' };
  for (let i = 0; i < 600 && st.status !== 'done' && st.status !== 'failed'; i++) {
    st = (await get(s, statusUrl, admin.cookie)).json();
    if (st.status !== 'done') await new Promise((r) => setTimeout(r, 100));
  }
  t.equal(st.status, 'done');
  t.match(st.report, /^\/ui\/apps\/[^/]+\/versions\/[^/]+$/);
  const report = await get(s, st.report, admin.cookie);
  t.equal(report.statusCode, 200);
  t.match(report.body, /id="glance"/, 'the version page holds the report');
  t.notMatch(report.body, /Hide values/, 'values are redacted by default');

  // Reveal: admin only, asked for, per session.
  const vhtml = report.body;
  t.match(vhtml, /Reveal values \(admin\)/);
  t.equal((await form(s, '/ui/reveal', admin.cookie, { reveal: '1', next: st.report, _csrf: token })).statusCode, 303);
  const revealed = (await get(s, st.report, admin.cookie)).body;
  t.match(revealed, /Hide values/);
  const { scanFileSync } = await import('../../src/pipeline/index.js');
  const plain = scanFileSync(LEAKY_APK, { showSecrets: true }).findings.find((f) => f.severity === 'critical' && f.secret && f.secret.length > 12)!;
  t.ok(revealed.includes(plain.secret!.replace(/&/g, '&amp;').replace(/</g, '&lt;')), 'the admin who asked sees the value');
  t.notOk(vhtml.includes(plain.secret!), 'and not before asking');
  const rpage = await get(s, st.report, reader.cookie);
  t.notOk(rpage.body.includes(plain.secret!), 'a read-only session never sees values');
  t.equal((await form(s, '/ui/reveal', reader.cookie, { reveal: '1', _csrf: csrfOf(rhtml) })).statusCode, 403, 'and cannot ask');

  // Another tenant: nothing of this one.
  const stranger = await signIn(s, (await createApiKey(s.store, 'other', ['admin'])).token);
  t.equal((await get(s, st.report, stranger.cookie)).statusCode, 404, "another tenant's version page is not found");
  t.equal((await get(s, st.report.replace(/\/versions\/.*/, ''), stranger.cookie)).statusCode, 404, "nor its app page");
  t.notMatch((await get(s, '/ui', stranger.cookie)).body, /com\.leakdex\.sample\.leaky/, 'its overview lists no app of the other tenant');
  t.equal((await get(s, statusUrl, stranger.cookie)).statusCode, 404, "nor its scan's progress");
  t.notMatch((await get(s, '/ui/watches', stranger.cookie)).body, /downloads\.example\.org/, 'nor its watches');
});

t.test('long lists: the app timeline and the watches are paginated; a watch shows what it found last and why that failed', async (t) => {
  const s = await startService(t, { logLevel: 'warn' });
  await s.runner.stop(); // versions are written below as the runner writes them; it must not claim them
  const tenant = (await s.store.ensureTenant('acme')).id;
  const { scanFileSync } = await import('../../src/pipeline/index.js');
  const { prepareCompletion } = await import('../../src/service/results.js');
  const { findingKeys } = await import('../../src/service/crypto.js');
  const base = scanFileSync(LEAKY_APK);
  const keys = findingKeys(s.config);
  const VERSIONS = 57;
  const t0 = Date.now() - VERSIONS * 60_000;
  for (let i = 0; i < VERSIONS; i++) {
    const id = `scan-${i}`;
    await s.store.insertScan({ id, tenantId: tenant, sha256: i.toString(16).padStart(64, '0'), size: 1, filename: 'leaky.apk', uploadPath: '/nowhere', entriesTotal: 1, createdAt: t0 + i * 60_000 });
    t.equal((await s.store.claimScan('test', t0 + i * 60_000, 60_000))?.id, id);
    // Each version drops one more finding, so the counts differ from version to version.
    const report = { ...base, artifact: { ...base.artifact, app: { ...base.artifact.app, versionName: `1.0.${i}`, versionCode: String(100 + i) } }, findings: base.findings.slice(0, Math.max(1, base.findings.length - i)) };
    t.ok(await s.store.completeScan(id, 'test', prepareCompletion(report, keys, 'leaky.apk'), t0 + i * 60_000 + 1));
  }
  const admin = await signIn(s, s.admin);
  const appId = (await s.store.getScan(tenant, 'scan-0'))!.appId!;
  const first = (await get(s, `/ui/apps/${appId}`, admin.cookie)).body;
  t.match(first, new RegExp(`${VERSIONS} version\\(s\\)`));
  t.equal((first.match(/<tr><td><span class="grade/g) ?? []).length, 50, 'the first page lists 50 versions');
  t.match(first, />1\.0\.56<\/a>/, 'newest first');
  t.notMatch(first, />1\.0\.6<\/a>/, 'the oldest are on the next page');
  t.match(first, /1–50 of 57/);
  t.equal((first.match(/<g class="version"/g) ?? []).length, 40, 'the chart draws the newest 40');
  t.match(first, /newest 40 of 57 versions/);
  const second = (await get(s, `/ui/apps/${appId}?offset=50`, admin.cookie)).body;
  t.equal((second.match(/<tr><td><span class="grade/g) ?? []).length, 7, 'the second page lists the other 7');
  t.match(second, />1\.0\.0<\/a>/);
  t.match(second, /51–57 of 57/);

  const now = Date.now();
  for (let i = 0; i < 53; i++) {
    await s.store.watches.insert({ id: `w${String(i).padStart(2, '0')}`, tenantId: tenant, url: `https://downloads.example.org/app-${i}.apk`, source: { kind: 'direct', url: `https://downloads.example.org/app-${i}.apk` }, host: 'downloads.example.org', intervalS: 3600, nextCheckAt: now + 3_600_000, notify: [], createdAt: now + i });
  }
  await s.store.watches.insertVersion({ id: 'wv1', watchId: 'w00', tenantId: tenant, key: 'etag-1', status: 'notified', versionName: '2.0', versionCode: '20', createdAt: now });
  await s.store.watches.insertVersion({ id: 'wv2', watchId: 'w00', tenantId: tenant, key: 'etag-2', status: 'downloading', versionName: '2.1', versionCode: '21', createdAt: now + 1 });
  await s.store.watches.recordDownloadFailure('wv2', 'download failed: HTTP 503', 1, now + 2);
  const wpage = (await get(s, '/ui/watches', admin.cookie)).body;
  t.equal((wpage.match(/<code>https:\/\/downloads\.example\.org\/app-\d+\.apk<\/code>/g) ?? []).length, 50, 'the first page lists 50 watches');
  t.match(wpage, /1–50 of 53/);
  t.match(wpage, /last found 2\.1 \(failed\): <span class="error">download failed: HTTP 503<\/span>/, 'the newest version found, and why it failed');
  const wlast = (await get(s, '/ui/watches?offset=50', admin.cookie)).body;
  t.equal((wlast.match(/<code>https:\/\/downloads\.example\.org\/app-\d+\.apk<\/code>/g) ?? []).length, 3);
  t.match(wlast, /app-52\.apk/);
  const stranger = await signIn(s, (await createApiKey(s.store, 'other', ['admin'])).token);
  t.same([...(await s.store.dashboard.lastWatchVersions((await s.store.ensureTenant('other')).id, ['w00'])).keys()], [], "another tenant's watch ids give nothing");
  t.notMatch((await get(s, '/ui/watches', stranger.cookie)).body, /app-0\.apk/);
});
