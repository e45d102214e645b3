/**
 * Organizations and known-compromised feeds (src/market/orgs.ts, org-rating.ts, src/service/feeds.ts), end to end:
 * `leakdex org add` with identifiers on local stand-ins of GitHub, the App Store, an OTA manifest and Google Play;
 * `leakdex sweep --once` discovers the apps, watches and scans them; the organization is rated; a new app is found
 * on the next run and announced by signed webhook, a delisted one is marked gone, a failing source fails alone, ETags
 * are reused; a feed of SHA-256 hashes marks exactly the matching stored findings, by CLI, by API, for new scans and
 * by URL; the API routes, tenant isolation and the PostgreSQL store.
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { verifyWebhook } from '../../src/market/watches.js';
import { findingKeys } from '../../src/service/crypto.js';
import { FeedService, parseFeed } from '../../src/service/feeds.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { runMain } from '../helpers/cli.js';
import { LEAKY_APK, LEAKY_V2_APK, ROOT, tempDir } from '../helpers/files.js';
import { serveLocal, type LocalServer } from '../helpers/local-server.js';
import { serveGithubOrg, serveItunes, serveOtaManifest, servePlayDeveloper, type GithubOrgState, type ItunesState } from '../helpers/org-sources.js';
import { multipart, startService } from '../helpers/service.js';
import { POSTGRES_MISSING, reachablePostgres, testNeeding } from '../helpers/postgres.js';
import { PostgresStore } from '../../src/store/index.js';
import { randomBytes } from 'node:crypto';

const APK = readFileSync(LEAKY_APK);
const APK2 = readFileSync(LEAKY_V2_APK);
const IPA = readFileSync(join(ROOT, 'samples/ios/leaky-ios.ipa'));
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const SECRET = 'org-webhook-secret-0123456789abcdef';

/** A GitHub "latest release" answer whose app asset is served by `cdn` (the watch's download). */
function latestRelease(gh: LocalServer, cdn: LocalServer, repo: string, tag: string, apk: Buffer): void {
  gh.routes.set(`/repos/acme/${repo}/releases/latest`, (_q, res) => {
    const body = JSON.stringify({ tag_name: tag, name: tag, draft: false, prerelease: false, assets: [{ name: `${repo}.apk`, url: 'x', size: apk.length, browser_download_url: `${cdn.base}/gh/${repo}/${tag}.apk`, digest: `sha256:${sha(apk)}` }] });
    res.writeHead(200, { 'content-type': 'application/json', 'x-ratelimit-remaining': '50' }).end(body);
  });
  cdn.routes.set(`/gh/${repo}/${tag}.apk`, (_q, res) => res.writeHead(200).end(apk));
}

/** iTunes lookups by track id (the App Store watch) beside the helper's lookups by developer id. */
function trackLookups(s: LocalServer, state: ItunesState): void {
  const byDeveloper = s.routes.get('/lookup')!;
  s.routes.set('/lookup', (req, res) => {
    const id = new URL(req.url!, 'http://x').searchParams.get('id');
    const app = state.developers.flatMap((d) => d.apps).find((a) => String(a.trackId) === id);
    if (!app) return byDeveloper(req, res);
    res.writeHead(200, { 'content-type': 'text/javascript' }).end(JSON.stringify({ resultCount: 1, results: [{ wrapperType: 'software', kind: 'software', trackId: app.trackId, bundleId: app.bundleId, trackName: app.trackName, version: app.version ?? '1.0' }] }));
  });
}

interface Hooked {
  headers: IncomingMessage['headers'];
  body: string;
  json: { event: string; [k: string]: unknown };
}

function webhookReceiver(hook: LocalServer): Hooked[] {
  const got: Hooked[] = [];
  hook.routes.set('/org', (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push({ headers: req.headers, body, json: JSON.parse(body) as Hooked['json'] });
      res.writeHead(204).end();
    });
  });
  return got;
}

/** Every finding value of a sample, from a local scan that keeps them (never printed). */
async function valuesOf(file: string): Promise<{ ruleId: string; redacted: string; secret: string }[]> {
  const dir = tempDir('leakdex-org-values-');
  const out = join(dir, 'r.json');
  const r = await runMain(['scan', file, '--show-secrets', '--format', 'json', '--output', out, '--fail-on', 'none', '-q']);
  if (r.status !== 0) throw new Error(`scan of ${file} exited ${r.status}: ${r.stderr}`);
  return (JSON.parse(readFileSync(out, 'utf8')) as { findings: { ruleId: string; redacted: string; secret: string }[] }).findings;
}

t.test('org add discovers 3 apps on 3 sources, watches and scans them, rates the organization; the next run finds a new app and a delisted one; a failing source fails alone', async (t) => {
  const [gh, itunes, play, cdn, hook] = await Promise.all([serveLocal(), serveLocal(), serveLocal(), serveLocal(), serveLocal()]);
  const github: GithubOrgState = { login: 'acme', pageSize: 2, repos: [{ name: 'acme-android', assets: ['acme-android.apk', 'notes.txt'] }, { name: 'website', assets: [] }, { name: 'sdk-fork', assets: ['x.apk'], fork: true }] };
  const ghs = serveGithubOrg(gh, github);
  latestRelease(gh, cdn, 'acme-android', 'v1.2.0', APK);
  const store: ItunesState = { developers: [{ artistId: 1234, artistName: 'Acme Inc', apps: [{ trackId: 111, bundleId: 'com.acme.ios', trackName: 'Acme iOS', version: '3.1' }] }] };
  const its = serveItunes(itunes, store);
  trackLookups(itunes, store);
  const ota = serveOtaManifest(cdn, '/ota/manifest.plist', { bundleId: 'com.acme.enterprise', version: '2.0', title: 'Acme Enterprise' });
  cdn.routes.set('/builds/2.0/App.ipa', (_q, res) => res.writeHead(200).end(IPA));
  const playState = servePlayDeveloper(play, { developers: [{ name: 'Acme Inc', apps: [{ id: 'com.acme.android', title: 'Acme' }] }], fail: 'http500' });
  const hooks = webhookReceiver(hook);
  const env = { LEAKDEX_ALLOW_HOSTS: [gh, itunes, play, cdn, hook].map((x) => `127.0.0.1:${x.port}`).join(','), LEAKDEX_GITHUB_API: gh.base, LEAKDEX_ITUNES_API: itunes.base, LEAKDEX_PLAY_BASE: play.base };
  Object.assign(process.env, env);
  t.teardown(() => {
    for (const k of Object.keys(env)) delete process.env[k];
  });
  const dataDir = tempDir('leakdex-org-');
  const d = ['--data-dir', dataDir];

  const bad = await runMain(['org', 'add', 'Nobody', ...d]);
  t.equal(bad.status, 2, 'an organization without identifiers is refused');
  t.match(bad.stderr, /at least one identifier/);
  const badFp = await runMain(['org', 'add', 'X', '--fdroid', `${cdn.base}/repo`, ...d]);
  t.match(badFp.stderr, /fingerprint/, 'an F-Droid repository without its fingerprint is refused');
  const added = await runMain(['org', 'add', 'Acme', '--github', 'acme', '--appstore-dev', '1234', '--ota', `itms-services://?action=download-manifest&url=${cdn.base}/ota/manifest.plist`, '--play-dev', 'Acme Inc', '--webhook', `${hook.base}/org`, '--secret', SECRET, ...d]);
  t.equal(added.status, 0, added.stderr);
  t.match(added.stdout, /\tAcme\tappStore,play,github,otaManifests\tpolicy watch\tdiscovery every 86400s/);
  t.equal((await runMain(['org', 'add', 'Acme', '--github', 'acme', ...d])).status, 2, 'a second organization of the same name is refused');

  const s1 = await runMain(['sweep', '--once', ...d]);
  t.match(s1.stdout, /1 organization\(s\) discovered \(3 app\(s\) found, 0 gone, 1 source error\(s\)\)/, s1.stdout + s1.stderr);
  t.match(s1.stdout, /3 new version\(s\), 0 error\(s\), 2 notified/, 'the three watches each found a version: two scanned and notified, the App Store one notified as published when found');
  const show1 = await runMain(['org', 'show', 'Acme', ...d]);
  t.equal(show1.status, 0, show1.stderr);
  t.match(show1.stdout, /^organization Acme \(.+\): rating F/, 'rated F: the scanned apps hold critical keys');
  t.match(show1.stdout, /apps \(3\):/);
  for (const re of [/watched github\s+github:acme\/acme-android/, /watched appstore com\.acme\.ios "Acme iOS"/, /watched ota\s+com\.acme\.enterprise "Acme Enterprise"/]) t.match(show1.stdout, re);
  t.notMatch(show1.stdout, /website|sdk-fork/, 'a repository without app assets and a fork are not apps');
  t.match(show1.stdout, /scanned\s+com\.leakdex\.sample\.leaky\t1\.2\.0 rating F/, 'the GitHub app is rated by its scanned version (its package id learned from the scan)');
  t.match(show1.stdout, /com\.acme\.enterprise|com\.leakdex\.sample\.ios/);
  t.match(show1.stdout, /last discovery error: play:Acme Inc: .*500/, 'the failing source is named');
  t.match(show1.stdout, /trend: \S+ F/, 'a first trend point');

  const hooked = () => hooks.map((h) => h.json.event).sort();
  t.same(hooked().filter((e) => e.startsWith('org_')), ['org_app_found', 'org_app_found', 'org_app_found', 'org_created', 'org_source_failed'].filter((e) => e !== 'org_created'), 'each found app and the failing source announced');
  t.equal(hooked().filter((e) => e === 'new_version').length, 3, "the watches use the organization's target");
  for (const h of hooks) t.ok(verifyWebhook(SECRET, h.headers, h.body), `${h.json.event}: signed with the organization's secret`);
  const found = hooks.filter((h) => h.json.event === 'org_app_found').map((h) => h.json as unknown as { key: string; url: string; organization: { name: string } });
  t.same(found.map((f) => f.key).sort(), ['appstore:111', 'github:acme/acme-android', `ota:${cdn.base}/ota/manifest.plist`].sort());
  t.ok(found.every((f) => f.organization.name === 'Acme'));

  // The next run: a repository publishes a 4th app; the App Store app is delisted; Play still fails.
  github.repos.push({ name: 'acme-wallet', assets: ['acme-wallet.apk'] });
  latestRelease(gh, cdn, 'acme-wallet', 'v0.9.0', APK2);
  store.developers[0]!.apps = [];
  const before = { gh: ghs.served.length, ota: ota.served.length, its: its.served.length };
  hooks.length = 0;
  t.match((await runMain(['org', 'discover', 'Acme', ...d])).stdout, /is due/);
  const s2 = await runMain(['sweep', '--once', ...d]);
  t.match(s2.stdout, /1 organization\(s\) discovered \(1 app\(s\) found, 1 gone, 1 source error\(s\)\)/, s2.stdout + s2.stderr);
  t.same(hooked().filter((e) => e.startsWith('org_')), ['org_app_found', 'org_app_gone']);
  const gone = hooks.find((h) => h.json.event === 'org_app_gone')!.json as unknown as { key: string; status: string };
  t.match(gone, { key: 'appstore:111', status: 'gone' });
  t.match(hooks.find((h) => h.json.event === 'org_app_found')!.json, { key: 'github:acme/acme-wallet', source: 'github', status: 'watched' });
  t.ok(hooks.some((h) => h.json.event === 'new_version' && JSON.stringify(h.json).includes('v0.9.0')), 'the new app was scanned and its version notified');
  t.notOk(hooks.some((h) => h.json.event === 'org_source_failed'), 'a source failing again is not announced again');
  // ETags: what did not change was not fetched again.
  const again = ghs.served.slice(before.gh);
  t.ok(again.some((x) => x.url.startsWith('/repos/acme/acme-android/releases') && x.status === 304 && x.ifNoneMatch), 'the unchanged release list answered 304 to If-None-Match');
  t.ok(ota.served.slice(before.ota).some((x) => x.status === 304), 'the unchanged OTA manifest answered 304');
  t.ok(its.served.slice(before.its).every((x) => x.ifNoneMatch !== undefined), 'the App Store lookup was asked with its ETag');
  t.ok(playState.served.length >= 2, 'the failing source was asked again');

  const show2 = await runMain(['org', 'show', 'Acme', ...d]);
  t.match(show2.stdout, /apps \(4\):/);
  t.match(show2.stdout, /gone\s+appstore com\.acme\.ios/);
  t.match(show2.stdout, /watched github\s+github:acme\/acme-wallet/);
  const list = await runMain(['org', 'list', ...d]);
  t.match(list.stdout, /\tAcme\t3 app\(s\)\trating F\t/);
  const md = await runMain(['org', 'show', 'Acme', '--markdown', ...d]);
  t.match(md.stdout, /^# Organization Acme: F/);
  t.match(md.stdout, /\| appstore \| Acme iOS \| gone \|/);

  // Known compromised, by CLI: a feed naming one value of the first app and an unrelated hash.
  const values = await valuesOf(LEAKY_APK);
  const chosen = values.find((v) => v.ruleId === 'aws-access-key-id') ?? values[0]!;
  const feedFile = join(dataDir, 'feed.csv');
  writeFileSync(feedFile, `sha256,source,date\n${sha(chosen.secret)},pastebin dump 2026-11,2026-11-30\n${sha('not in any app')},other breach,2026-01-01\n`);
  t.equal((await runMain(['feed', 'add', 'breaches', ...d])).status, 0);
  const raw = join(dataDir, 'raw.txt');
  writeFileSync(raw, `${sha('x')}\n${chosen.secret}\n`);
  const refused = await runMain(['feed', 'import', 'breaches', raw, ...d]);
  t.equal(refused.status, 2, 'a feed holding a raw secret is refused whole');
  t.match(refused.stderr, /line\(s\) 2 are not a SHA-256/);
  t.notOk(refused.stderr.includes(chosen.secret), 'the refused line is not echoed');
  const imported = await runMain(['feed', 'import', 'breaches', feedFile, ...d]);
  t.equal(imported.status, 0, imported.stderr);
  // Stored findings with that value, whatever rule found it, in the three scanned versions (counted from local scans).
  const scanned = [values, await valuesOf(LEAKY_V2_APK), await valuesOf(join(ROOT, 'samples/ios/leaky-ios.ipa'))];
  const expected = scanned.flat().filter((v) => v.secret === chosen.secret).length;
  t.ok(expected >= 2, `the value is in ${expected} stored findings`);
  t.match(imported.stdout, new RegExp(`^2 entries read, 2 new \\(2 in breaches\\); ${expected} stored finding\\(s\\) marked known compromised`));
  const config = loadConfig({ env: { LEAKDEX_DATA_DIR: dataDir } });
  const st = await openStore(config);
  try {
    const tenant = await st.ensureTenant('default');
    const marked = await st.feeds.listMarked(tenant.id, 100);
    t.equal(marked.length, expected, 'exactly the findings of that value are marked');
    for (const f of marked) {
      t.match(f, { redacted: chosen.redacted, severity: 'critical' });
      t.match(f.compromised, { feed: 'breaches', source: 'pastebin dump 2026-11', seenOn: '2026-11-30' });
    }
    const dump = JSON.stringify(await st.listScanFindings(tenant.id, marked[0]!.scanId));
    t.notOk(dump.includes(chosen.secret) || dump.includes(sha(chosen.secret)), 'neither the value nor its plain SHA-256 is stored');
  } finally {
    await st.close();
  }
  hooks.length = 0;
  await runMain(['sweep', '--once', ...d]);
  const comp = hooks.filter((h) => h.json.event === 'key_compromised');
  t.equal(comp.length, expected, 'one key_compromised webhook per marked finding');
  t.match(comp[0]?.json, { finding: { redacted: chosen.redacted, severity: 'critical' }, compromised: { feed: 'breaches', source: 'pastebin dump 2026-11' } });
  t.notOk(hooks.some((h) => h.body.includes(chosen.secret)), 'no webhook carries the value');
  // The rating counts current versions: the 4th app (leaky-v2) is the next version of the first one (same package).
  const current = [scanned[1]!, scanned[2]!].flat().filter((v) => v.secret === chosen.secret).length;
  const show3 = await runMain(['org', 'show', 'Acme', ...d]);
  t.match(show3.stdout, new RegExp(`rating F — 0 key\\(s\\) verified live and ${current} known compromised in current versions`));
  t.equal((await runMain(['org', 'remove', 'Acme', ...d])).status, 0);
  t.equal((await runMain(['org', 'show', 'Acme', ...d])).status, 2);
});

t.test('docs: every request discovery makes is in docs/organizations.md', async (t) => {
  const docs = readFileSync(join(ROOT, 'docs/organizations.md'), 'utf8');
  const code = readFileSync(join(ROOT, 'src/market/discovery.ts'), 'utf8');
  const requests: [inCode: string, inDocs: string][] = [
    ['`lookup?id=${id}`', '`GET /lookup?id=<id>&entity=software&country=<cc>&limit=200`'],
    ['`search?term=${encodeURIComponent(name)}&attribute=softwareDeveloper`', '`GET /search?term=<name>&attribute=softwareDeveloper&entity=software&country=<cc>&limit=200`'],
    ['${itunes}/${url}&entity=software&country=${cc}&limit=200', 'itunes.apple.com'],
    ['/store/apps/dev?id=${', '`GET /store/apps/dev?id=<numeric id>`'],
    ['/store/apps/developer?id=${', '`/store/apps/developer?id=<name>`'],
    ['/entry.jar`', '`GET <repo>/entry.jar`'],
    ['/orgs/${encodeURIComponent(login)}/repos?per_page=${GITHUB_PER_PAGE}&type=public', '`GET /orgs/<login>/repos?per_page=100&type=public`'],
    ['/users/${encodeURIComponent(login)}/repos?per_page=${GITHUB_PER_PAGE}&type=owner', '`/users/<login>/repos?type=owner`'],
    ['/releases?per_page=${MAX_RELEASES_READ}', '`GET /repos/<o>/<r>/releases?per_page=10`'],
  ];
  for (const [c, d] of requests) {
    t.ok(code.includes(c), `discovery.ts requests ${c}`);
    t.ok(docs.includes(d), `the docs name ${d}`);
  }
  for (const host of ['itunes.apple.com', 'play.google.com', 'api.github.com', 'LEAKDEX_ITUNES_API', 'LEAKDEX_PLAY_BASE', 'LEAKDEX_GITHUB_API']) t.ok(docs.includes(host), `the docs name ${host}`);
});

t.test('feeds: only SHA-256 hashes are accepted; text and JSON forms', async (t) => {
  const h = sha('a');
  t.same(parseFeed(`# comment\n${h}\n${h.toUpperCase()},src\t,2026-01-01\n`).map((e) => e.sha256), [h, h]);
  t.same(parseFeed(JSON.stringify([{ sha256: h, source: 'x', date: '2026' }])), [{ sha256: h, source: 'x', seenOn: '2026' }]);
  t.same(parseFeed(JSON.stringify({ entries: [{ sha256: h }] })), [{ sha256: h, source: null, seenOn: null }]);
  t.throws(() => parseFeed(`${h}\nAKIAIOSFODNN7EXAMPLE\n`), /line\(s\) 2 are not a SHA-256/);
  t.throws(() => parseFeed(JSON.stringify([{ sha256: h, secret: 'x' }])), /entries 0 are not/, 'an extra field (a value beside its hash) is refused');
  t.throws(() => parseFeed(JSON.stringify([{ sha256: 'AKIAIOSFODNN7EXAMPLE' }])), /never secrets/);
  t.throws(() => parseFeed('{"entries": '), /not valid JSON/);
});

t.test('API: organizations (pending policy, approve, rating, events), feeds for new scans and by URL with ETags, tenants kept apart', async (t) => {
  const svc = await startService(t, { logLevel: 'warn' });
  const auth = { authorization: `Bearer ${svc.admin}` };
  const [gh, feedHost] = await Promise.all([serveLocal(), serveLocal()]);
  serveGithubOrg(gh, { login: 'acme', repos: [{ name: 'app', assets: ['app.apk'] }] });
  const create = await svc.app.inject({ method: 'POST', url: '/v1/orgs', headers: auth, payload: { name: 'Acme', identifiers: { github: ['acme'] }, policy: 'pending', interval: '1d' } });
  t.equal(create.statusCode, 201, create.body);
  t.match(create.json(), { name: 'Acme', policy: 'pending', intervalSeconds: 86400, identifiers: { github: ['acme'] } });
  const badIds = await svc.app.inject({ method: 'POST', url: '/v1/orgs', headers: auth, payload: { name: 'B', identifiers: { github: ['not a login!'] } } });
  t.equal(badIds.statusCode, 400);
  t.match(badIds.json().message, /not a GitHub organization or user login/);
  const { OrgService } = await import('../../src/market/orgs.js');
  const { WatchService } = await import('../../src/market/watches.js');
  const orgs = new OrgService({ store: svc.store, watches: new WatchService(svc.store), endpoints: { github: gh.base, itunes: gh.base, play: gh.base }, fetch: { allowHosts: [`127.0.0.1:${gh.port}`] }, minIntervalMs: 0 });
  const [r] = await orgs.discoverDue();
  t.match(r, { found: 1, watched: 0, errors: 0 });
  const org = await svc.app.inject({ method: 'GET', url: '/v1/orgs/Acme', headers: auth });
  t.equal(org.statusCode, 200);
  t.match(org.json().apps, [{ key: 'github:acme/app', status: 'pending', watchId: null }]);
  t.match(org.json().rating, { grade: null, reason: /no app of the organization has a scanned version/ });
  const approve = await svc.app.inject({ method: 'POST', url: `/v1/orgs/${create.json().id}/apps/github:acme%2Fapp/approve`, headers: auth });
  t.equal(approve.statusCode, 200, approve.body);
  t.match(approve.json(), { status: 'watched', watchId: /^[0-9a-f-]{36}$/ });
  const watches = await svc.app.inject({ method: 'GET', url: '/v1/watches', headers: auth });
  t.match(watches.json().watches, [{ url: 'https://github.com/acme/app/releases', kind: 'github' }]);
  const events = await svc.app.inject({ method: 'GET', url: '/v1/orgs/Acme/events', headers: auth });
  t.same(events.json().events.map((e: { kind: string }) => e.kind), ['app_approved', 'app_found', 'created']);
  const due = await svc.app.inject({ method: 'POST', url: '/v1/orgs/Acme/discover', headers: auth });
  t.equal(due.statusCode, 202);

  // Another tenant sees nothing of it.
  const { createApiKey } = await import('../../src/service/auth.js');
  const other = { authorization: `Bearer ${(await createApiKey(svc.store, 'other', ['admin'])).token}` };
  t.equal((await svc.app.inject({ method: 'GET', url: '/v1/orgs/Acme', headers: other })).statusCode, 404);
  t.same((await svc.app.inject({ method: 'GET', url: '/v1/orgs', headers: other })).json().orgs, []);

  // A feed imported through the API, then a new upload whose value it names: marked as the scan completes.
  const v2 = (await valuesOf(LEAKY_V2_APK))[0]!;
  const feed = await svc.app.inject({ method: 'POST', url: '/v1/feeds', headers: auth, payload: { name: 'intel' } });
  t.equal(feed.statusCode, 201, feed.body);
  const entries = await svc.app.inject({ method: 'POST', url: '/v1/feeds/intel/entries', headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify([{ sha256: sha(v2.secret), source: 'dump', date: '2026-12-01' }]) });
  t.equal(entries.statusCode, 200, entries.body);
  t.match(entries.json(), { received: 1, added: 1, entries: 1, marked: 0 });
  const rawRefused = await svc.app.inject({ method: 'POST', url: '/v1/feeds/intel/entries', headers: { ...auth, 'content-type': 'text/plain' }, payload: v2.secret });
  t.equal(rawRefused.statusCode, 400);
  t.notOk(rawRefused.body.includes(v2.secret), 'the refusal does not echo the value');
  const readKey = (await createApiKey(svc.store, 'acme', ['read', 'write'])).token;
  t.equal((await svc.app.inject({ method: 'POST', url: '/v1/feeds/intel/entries', headers: { authorization: `Bearer ${readKey}`, 'content-type': 'text/plain' }, payload: sha('y') })).statusCode, 403, 'feeds need the admin scope');
  const m = multipart(APK2);
  const up = await svc.app.inject({ method: 'POST', url: '/v1/scans?wait=120', headers: { ...auth, ...m.headers }, payload: m.payload });
  t.ok([200, 201].includes(up.statusCode), up.body);
  const compromised = await svc.app.inject({ method: 'GET', url: '/v1/compromised', headers: auth });
  const marked = compromised.json().findings as { ruleId: string; redacted: string; severity: string; compromised: { feed: string } }[];
  t.ok(marked.length >= 1, 'the new scan was matched');
  t.ok(marked.every((f) => f.redacted === v2.redacted && f.severity === 'critical' && f.compromised.feed === 'intel'), 'only findings of that value are marked');
  const app = (await svc.app.inject({ method: 'GET', url: '/v1/apps', headers: auth })).json().apps[0] as { id: string };
  const hist = await svc.app.inject({ method: 'GET', url: `/v1/apps/${app.id}/verifications`, headers: auth });
  t.match(hist.json().events, [{ to: 'compromised', reason: /known compromised: listed by feed 'intel' \(dump, 2026-12-01\)/ }]);
  t.same((await svc.app.inject({ method: 'GET', url: '/v1/compromised', headers: other })).json().findings, [], "another tenant's feed and findings are apart");

  // A feed by URL: fetched, then not downloaded again while its ETag holds; a changed feed replaces the entries.
  let body = `${sha('one')}\n${sha('two')}\n`;
  const fetched: { inm?: string; status: number }[] = [];
  feedHost.routes.set('/feed.txt', (req, res) => {
    const tag = `"${sha(body).slice(0, 16)}"`;
    if (req.headers['if-none-match'] === tag) {
      fetched.push({ inm: tag, status: 304 });
      return void res.writeHead(304, { etag: tag }).end();
    }
    fetched.push({ status: 200 });
    res.writeHead(200, { etag: tag, 'content-type': 'text/plain' }).end(body);
  });
  let clock = Date.now();
  const feeds = new FeedService({ store: svc.store, keys: findingKeys(svc.config), fetch: { allowHosts: [`127.0.0.1:${feedHost.port}`] }, now: () => clock });
  const tenant = (await svc.store.ensureTenant('acme')).id;
  const byUrl = await feeds.create(tenant, { name: 'remote', url: `${feedHost.base}/feed.txt`, intervalS: 300 });
  t.match(await feeds.fetchDue(), { fetched: 1, unchanged: 0, errors: 0 });
  t.equal((await svc.store.feeds.get(tenant, byUrl.id))!.entries, 2);
  t.match(await feeds.fetchDue(), { fetched: 0 }, 'not due again before its interval');
  clock += 301_000;
  t.match(await feeds.fetchDue(), { fetched: 0, unchanged: 1 }, 'unchanged: 304 to If-None-Match');
  body = `${sha('three')}\n`;
  clock += 301_000;
  t.match(await feeds.fetchDue(), { fetched: 1 });
  t.equal((await svc.store.feeds.get(tenant, byUrl.id))!.entries, 1, 'a fetched feed replaces its entries');
  t.same(fetched.map((f) => f.status), [200, 304, 200]);
  const openapi = (await svc.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
  for (const p of ['/v1/orgs', '/v1/orgs/{org}', '/v1/orgs/{org}/rating', '/v1/orgs/{org}/events', '/v1/orgs/{org}/discover', '/v1/orgs/{org}/apps/{app}/approve', '/v1/feeds', '/v1/feeds/{feed}/entries', '/v1/compromised']) t.ok(openapi.paths[p], `OpenAPI documents ${p}`);
});

const pgUrl = await reachablePostgres();
testNeeding('PostgreSQL: the organization and feed statements', pgUrl === undefined ? POSTGRES_MISSING : undefined, async (t) => {
  const pg = new PostgresStore(pgUrl!, `leakdex_org_${process.pid}_${randomBytes(4).toString('hex')}`);
  await pg.migrate();
  t.teardown(async () => {
    await pg.dropSchema();
    await pg.close();
  });
  const store: Store = pg;
  const tenant = await store.ensureTenant('pg-org');
  const keys = { fingerprint: Buffer.alloc(32, 7) };
  const now = Date.now();
  await store.orgs.insert({ id: 'o1', tenantId: tenant.id, name: 'Acme', identifiers: { github: ['acme'] }, policy: 'watch', notify: [], intervalS: 3600, watchIntervalS: 3600, nextCheckAt: now, createdAt: now });
  t.equal((await store.orgs.claimDue('me', now, now + 1000, 10)).length, 1);
  t.equal((await store.orgs.claimDue('other', now, now + 1000, 10)).length, 0, 'leased');
  t.ok(await store.orgs.insertApp({ id: 'a1', orgId: 'o1', tenantId: tenant.id, key: 'play:com.acme.app', source: 'play', platform: 'android', packageId: 'com.acme.app', name: null, url: 'https://play.google.com/store/apps/details?id=com.acme.app', status: 'watched', watchId: null, firstSeenAt: now, lastSeenAt: now, goneAt: null }));
  t.notOk(await store.orgs.insertApp({ id: 'a2', orgId: 'o1', tenantId: tenant.id, key: 'play:com.acme.app', source: 'play', platform: 'android', packageId: null, name: null, url: 'x', status: 'pending', watchId: null, firstSeenAt: now, lastSeenAt: now, goneAt: null }), 'once per key');
  const scan = await store.insertScan({ id: 's1', tenantId: tenant.id, sha256: 'a'.repeat(64), size: 1, filename: 'a.apk', uploadPath: '/x', entriesTotal: 1, createdAt: now });
  await store.startScan(scan.id, 'r', now, 60_000);
  const { valueMac } = await import('../../src/detect/fingerprint.js');
  await store.completeScan(scan.id, 'r', {
    summary: { findings: 1, bySeverity: { critical: 0, high: 1, medium: 0, low: 0, info: 0 }, diagnostics: 0, durationMs: 1, kind: 'apk', platform: 'android', app: { id: 'com.acme.app' } },
    rating: 'D',
    report: '{}',
    app: { platform: 'android', packageId: 'com.acme.app', name: null },
    version: { versionName: '1.0', versionCode: '1', signer: null },
    findings: [{ fingerprint: 'f'.repeat(64), ruleId: 'r', provider: 'P', title: 'T', severity: 'high', confidence: 'high', redacted: 'ab…', locations: [], secretEnc: null, valueMac: valueMac(keys.fingerprint, 'the value') }],
  }, now);
  const current = await store.orgs.listCurrentVersions(tenant.id, 'o1');
  t.match(current, [{ packageId: 'com.acme.app', versionName: '1.0', rating: 'D' }], 'the app is reached by its package id');
  const appId = current[0]!.appId;
  t.same((await store.orgs.listOrgsOfApp(tenant.id, appId)).map((o) => o.id), ['o1']);
  const feeds = new FeedService({ store, keys });
  const f = await feeds.create(tenant.id, { name: 'x' });
  const r = await feeds.import(tenant.id, f, `${sha('the value')},src,2026-01-01\n${sha('other')}\n`);
  t.match(r, { received: 2, added: 2, marked: 1 });
  t.match(await store.orgs.listEvents(tenant.id, 'o1', 10), [{ kind: 'key_compromised' }], "the organization's history has it");
  t.match(await store.listVersions(tenant.id, appId), [{ rating: 'F' }], 'its version is graded F');
  const { rateOrg } = await import('../../src/market/org-rating.js');
  t.match(await rateOrg(store, tenant.id, 'o1'), { grade: 'F', counts: { critical: 1, compromised: 1 } });
  t.equal((await feeds.import(tenant.id, f, `${sha('the value')}\n`)).added, 0, 'an entry is kept once');
  t.ok(await store.orgs.remove(tenant.id, 'o1'));
  t.ok(await store.feeds.remove(tenant.id, f.id));
});
