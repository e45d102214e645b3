/**
 * Organization discovery (src/market/discovery.ts): an organization's apps listed from the App Store (iTunes lookup
 * and search), Google Play developer pages, F-Droid signed indexes, GitHub organizations and users, and OTA manifests,
 * each served by a local stand-in speaking the real format (test/helpers/org-sources.ts).
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { discoverApps, matchesPrefix, MAX_DISCOVERED_PER_UNIT, playDeveloperApps, type DiscoveryContext, type DiscoveryState, type OrgIdentifiers, type SourceOutcome } from '../../src/market/discovery.js';
import { parseSource } from '../../src/market/sources.js';
import { allowLocal, FDROID_FINGERPRINT, serveLocal } from '../helpers/local-server.js';
import { ORG_FDROID_DIR, ORG_FDROID_FILTER, ORG_FDROID_V1_APPS, ORG_FDROID_V2_APPS, serveFdroidOrgRepo, serveGithubOrg, serveItunes, serveOtaManifest, servePlayDeveloper, type GithubRepo, type Served } from '../helpers/org-sources.js';

const TOKEN = 'ghp_0123456789abcdefSECRETtoken';
const PLAY_DEV = '5700313618786177705';
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e]/;

const by = (out: SourceOutcome[], unit: string): SourceOutcome => {
  const o = out.find((x) => x.unit === unit);
  if (!o) throw new Error(`no outcome for ${unit} in ${out.map((x) => x.unit).join(', ')}`);
  return o;
};
const ids = (o: SourceOutcome) => o.apps.map((a) => a.appId ?? a.key).sort();
/** The answers logged since `from` (a length of `served` taken before a run). */
const since = (served: Served[], from: number) => served.slice(from);

function acmeRepos(): GithubRepo[] {
  return [
    { name: 'android-app', assets: ['app-release.apk', 'checksums.txt'] },
    { name: 'ios-app', assets: ['Acme.ipa'] },
    { name: 'website', assets: [] },
    { name: 'forked-app', assets: ['upstream.apk'], fork: true },
    { name: 'draft-only', assets: ['next.apk'], draft: true },
  ];
}

/** Every source of the Acme organization on its own local server. */
async function world() {
  const servers = { itunes: await serveLocal(), play: await serveLocal(), github: await serveLocal(), fdroid: await serveLocal(), ota: await serveLocal() };
  const itunes = serveItunes(servers.itunes, {
    developers: [
      { artistId: 1001, artistName: 'Acme Inc', apps: [{ trackId: 5001, bundleId: 'com.acme.notes', trackName: 'Acme Notes', version: '3.1' }, { trackId: 5002, bundleId: 'com.acme.chat', trackName: 'Acme Chat', version: '1.0.4' }] },
      { artistId: 1002, artistName: 'Acme Games Inc', apps: [{ trackId: 5003, bundleId: 'com.acmegames.run', trackName: 'Acme Run' }] },
      { artistId: 1003, artistName: 'Other Corp', apps: [{ trackId: 5004, bundleId: 'com.other.app', trackName: 'Other' }] },
    ],
  });
  const play = servePlayDeveloper(servers.play, { developers: [{ id: PLAY_DEV, name: 'Acme Inc', apps: [{ id: 'com.acme.notes', title: 'Acme Notes' }, { id: 'com.acme.chat', title: 'Acme & Chat <Pro>' }] }] });
  const github = serveGithubOrg(servers.github, { login: 'acme', repos: acmeRepos(), pageSize: 2 });
  const bob = serveGithubOrg(servers.github, { login: 'bob', kind: 'user', repos: [{ name: 'tool', assets: [], releases: [{ tag: 'v2.0', assets: ['notes.txt'] }, { tag: 'v1.0', assets: ['tool-1.0.xapk'] }] }, { name: 'mixed', assets: ['bob.aab', 'Bob.ipa', 'notes.txt'] }] });
  const fdroid = serveFdroidOrgRepo(servers.fdroid, { dir: 'v1' });
  const ota = serveOtaManifest(servers.ota, '/ota/acme.plist', { bundleId: 'com.acme.enterprise', version: '7.2.0', title: 'Acme Field' });
  const otaUrl = `itms-services://?action=download-manifest&url=${encodeURIComponent(`${servers.ota.base}/ota/acme.plist`)}`;
  const org: OrgIdentifiers = {
    appStore: { developerIds: ['1001'], developerNames: ['Acme Inc'], country: 'de' },
    play: { developers: [PLAY_DEV] },
    fdroid: [{ repo: `${servers.fdroid.base}/repo`, fingerprint: FDROID_FINGERPRINT, ...ORG_FDROID_FILTER }],
    github: ['acme', 'bob'],
    otaManifests: [otaUrl],
  };
  const endpoints = { github: servers.github.base, itunes: servers.itunes.base, play: servers.play.base };
  const ctx = (state?: DiscoveryState, more: Partial<DiscoveryContext> = {}): DiscoveryContext => ({ fetch: allowLocal(...Object.values(servers)), endpoints, githubToken: TOKEN, minIntervalMs: 0, ...(state ? { state } : {}), ...more });
  const served = () => [itunes, play, github, bob, fdroid, ota].flatMap((x) => x.served);
  return { servers, itunes, play, github, bob, fdroid, ota, otaUrl, org, ctx, served };
}

t.test('every source lists the organization apps, not the others, with URLs parseSource accepts', async (t) => {
  const w = await world();
  const out = await discoverApps(w.org, w.ctx());
  t.same(out.map((o) => o.unit), ['appstore:id:1001', 'appstore:name:Acme Inc', `play:${PLAY_DEV}`, `fdroid:${w.servers.fdroid.base}/repo`, 'github:acme', 'github:bob', `ota:${w.otaUrl}`], 'one outcome per unit, in order');
  for (const o of out) t.ok(o.ok, `${o.unit} ok ${o.error ?? ''}`);
  // App Store: lookup by developer id, search by developer name (other developers filtered out).
  const asId = by(out, 'appstore:id:1001');
  t.same(ids(asId), ['com.acme.chat', 'com.acme.notes']);
  t.match(asId.apps.find((a) => a.appId === 'com.acme.notes'), { key: 'appstore:5001', source: 'appstore', platform: 'ios', name: 'Acme Notes', version: '3.1', url: 'https://apps.apple.com/de/app/id5001' });
  t.same(ids(by(out, 'appstore:name:Acme Inc')), ['com.acme.chat', 'com.acme.notes'], "'Acme Games Inc' matched the search but is another developer");
  const q = w.itunes.served.map((s) => new URL(s.url, 'http://x'));
  t.match(Object.fromEntries(q.find((u) => u.pathname === '/lookup')!.searchParams), { id: '1001', entity: 'software', country: 'de', limit: '200' });
  t.match(Object.fromEntries(q.find((u) => u.pathname === '/search')!.searchParams), { term: 'Acme Inc', entity: 'software', attribute: 'softwareDeveloper', country: 'de', limit: '200' });
  // Google Play: best effort, labelled as such; the title decoded from the card.
  const play = by(out, `play:${PLAY_DEV}`);
  t.equal(play.bestEffort, true);
  t.same(play.apps.map((a) => [a.appId, a.name, a.bestEffort, a.url]), [
    ['com.acme.notes', 'Acme Notes', true, 'https://play.google.com/store/apps/details?id=com.acme.notes'],
    ['com.acme.chat', 'Acme & Chat <Pro>', true, 'https://play.google.com/store/apps/details?id=com.acme.chat'],
  ]);
  t.equal(w.play.served[0]!.url, `/store/apps/dev?id=${PLAY_DEV}&hl=en&gl=US`);
  // F-Droid: the signed index's matching packages; the unrelated org.other.app is not listed.
  const fd = by(out, `fdroid:${w.servers.fdroid.base}/repo`);
  t.same(ids(fd), ORG_FDROID_V1_APPS);
  t.match(fd.apps.find((a) => a.appId === 'com.acme.notes'), { key: `fdroid:${w.servers.fdroid.base}/repo:com.acme.notes`, platform: 'android', name: 'Acme Notes', version: '1.2.0' });
  // GitHub: 3 pages of 2; the fork, the repository without app assets and the draft-only one are skipped.
  const acme = by(out, 'github:acme');
  t.same(acme.apps.map((a) => [a.key, a.platform, a.version, a.url]), [
    ['github:acme/android-app', 'android', 'v1.0.0', 'https://github.com/acme/android-app/releases'],
    ['github:acme/ios-app', 'ios', 'v1.0.0', 'https://github.com/acme/ios-app/releases'],
  ]);
  t.equal(acme.requests, 3 + 4, '3 list pages + releases of the 4 repositories that are not forks');
  const ghPaths = w.github.served.map((s) => s.url);
  t.equal(ghPaths.filter((u) => /\/repos\?/.test(u)).length, 3, 'three pages');
  t.match(ghPaths.find((u) => u.includes('page=3')), /^\/organizations\/\d+\/repos\?per_page=100&type=public&page=3$/, 'the Link header was followed');
  t.notOk(ghPaths.some((u) => u.includes('forked-app')), 'no request for the fork');
  t.ok(w.servers.github.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}` && r.headers['x-github-api-version'] === '2022-11-28' && r.headers.accept === 'application/vnd.github+json'));
  const bob = by(out, 'github:bob');
  t.same(bob.apps.map((a) => [a.key, a.platform, a.version]), [['github:bob/tool', 'android', 'v1.0'], ['github:bob/mixed', 'unknown', 'v1.0.0']], 'an older release with an app asset counts; APK + IPA is platform unknown');
  t.same(w.bob.served.map((s) => [s.url, s.status]), [
    ['/orgs/bob/repos?per_page=100&type=public', 404],
    ['/users/bob/repos?per_page=100&type=owner', 200],
    ['/repos/bob/tool/releases?per_page=10', 200],
    ['/repos/bob/mixed/releases?per_page=10', 200],
  ]);
  // OTA manifest.
  t.same(by(out, `ota:${w.otaUrl}`).apps, [{ key: `ota:${w.servers.ota.base}/ota/acme.plist`, source: 'ota', platform: 'ios', appId: 'com.acme.enterprise', name: 'Acme Field', version: '7.2.0', url: w.otaUrl }]);
  // Every URL becomes a watch.
  const all = out.flatMap((o) => o.apps);
  t.equal(all.length, 2 + 2 + 2 + 2 + 3 + 1 + 1);
  for (const a of all) {
    const src = parseSource(a.url);
    const expected = { appstore: 'appstore', play: 'play', fdroid: 'fdroid', github: 'github', ota: 'ota' }[a.source];
    t.equal(src.kind, expected, `${a.url} -> ${src.kind}`);
    if (src.kind === 'fdroid') t.match(src, { repo: `${w.servers.fdroid.base}/repo`, fingerprint: FDROID_FINGERPRINT, appId: a.appId });
    if (src.kind === 'github') t.equal(`github:${src.owner}/${src.repo}`, a.key);
    if (src.kind === 'ota') t.equal(src.manifestUrl, `${w.servers.ota.base}/ota/acme.plist`);
    if (src.kind === 'play') t.equal(src.appId, a.appId);
    if (src.kind === 'appstore') t.equal(`appstore:${src.trackId}`, a.key);
  }
});

t.test('second run with state: every request conditional and 304, nothing re-downloaded; new apps then appear', async (t) => {
  const w = await world();
  const state: DiscoveryState = {};
  const first = await discoverApps(w.org, w.ctx(state));
  t.ok(first.every((o) => o.ok && !o.unchanged));
  const persisted = JSON.parse(JSON.stringify(state)) as DiscoveryState;
  const marks = [w.itunes, w.play, w.github, w.bob, w.fdroid, w.ota].map((x) => x.served.length);
  const second = await discoverApps(w.org, w.ctx(persisted));
  for (const o of second) {
    const before = first.find((x) => x.unit === o.unit)!;
    t.ok(o.ok && o.unchanged, `${o.unit}: unchanged`);
    t.same(o.apps, before.apps, `${o.unit}: the same apps`);
    // bob: no /orgs/ 404 detour; F-Droid: entry.jar only, not the index.
    t.equal(o.requests, o.unit === 'github:bob' || o.unit.startsWith('fdroid:') ? before.requests - 1 : before.requests, `${o.unit}: ${o.requests} requests`);
  }
  const again = [w.itunes, w.play, w.github, w.bob, w.fdroid, w.ota].flatMap((x, i) => since(x.served, marks[i]!));
  t.equal(again.length, second.reduce((n, o) => n + o.requests, 0), 'every request of the run was logged');
  t.ok(again.every((s) => s.status === 304 && s.ifNoneMatch), 'every request sent If-None-Match and got 304');
  t.notOk(since(w.fdroid.served, marks[4]!).some((s) => s.url.endsWith('index-v2.json')), 'the F-Droid index was not fetched again');
  t.notOk(since(w.bob.served, marks[3]!).some((s) => s.url.startsWith('/orgs/')), 'the user login went straight to /users/');
  // New apps everywhere.
  w.itunes.developers[0]!.apps.push({ trackId: 5009, bundleId: 'com.acme.scan', trackName: 'Acme Scan' });
  w.play.developers[0]!.apps.push({ id: 'com.acme.scan', title: 'Acme Scan' });
  w.fdroid.dir = 'v2';
  w.github.repos.push({ name: 'new-app', assets: ['new-app-1.0.apk'] });
  w.ota.version = '7.3.0';
  const m2 = [w.github, w.fdroid].map((x) => x.served.length);
  const third = await discoverApps(w.org, w.ctx(persisted));
  t.ok(third.every((o) => o.ok));
  t.same(ids(by(third, 'appstore:id:1001')), ['com.acme.chat', 'com.acme.notes', 'com.acme.scan']);
  t.same(ids(by(third, 'appstore:name:Acme Inc')), ['com.acme.chat', 'com.acme.notes', 'com.acme.scan']);
  t.same(ids(by(third, `play:${PLAY_DEV}`)), ['com.acme.chat', 'com.acme.notes', 'com.acme.scan']);
  t.same(ids(by(third, `fdroid:${w.servers.fdroid.base}/repo`)), ORG_FDROID_V2_APPS);
  t.match(by(third, `fdroid:${w.servers.fdroid.base}/repo`).apps.find((a) => a.appId === 'io.github.acme.camera'), { name: 'Camera', version: '0.2' }, 'the Beta version is not the version');
  const acme = by(third, 'github:acme');
  t.same(acme.apps.map((a) => a.key), ['github:acme/android-app', 'github:acme/ios-app', 'github:acme/new-app']);
  t.notOk(acme.unchanged);
  t.same(since(w.github.served, m2[0]!).map((s) => [s.url.replace(/^\/organizations\/\d+/, '/org'), s.status]), [
    ['/orgs/acme/repos?per_page=100&type=public', 304],
    ['/org/repos?per_page=100&type=public&page=2', 304],
    ['/org/repos?per_page=100&type=public&page=3', 200],
    ['/repos/acme/android-app/releases?per_page=10', 304],
    ['/repos/acme/ios-app/releases?per_page=10', 304],
    ['/repos/acme/website/releases?per_page=10', 304],
    ['/repos/acme/draft-only/releases?per_page=10', 304],
    ['/repos/acme/new-app/releases?per_page=10', 200],
  ], 'only the changed page and the new repository were downloaded');
  t.ok(by(third, 'github:bob').unchanged);
  t.match(by(third, `ota:${w.otaUrl}`).apps[0], { version: '7.3.0' });
  t.same(since(w.fdroid.served, m2[1]!).map((s) => [s.url, s.status]), [['/repo/entry.jar', 200], ['/repo/index-v2.json', 200]]);
  // A repository removed from the organization disappears; the state forgets it.
  w.github.repos.splice(0, 1);
  const fourth = await discoverApps({ github: ['acme'] }, w.ctx(persisted));
  t.same(by(fourth, 'github:acme').apps.map((a) => a.key), ['github:acme/ios-app', 'github:acme/new-app']);
  t.notOk('acme/android-app' in (persisted['github:acme']!.repos ?? {}));
  // A repository appended after a full last page leaves that page byte-identical: the new page is still found.
  const full = serveGithubOrg(w.servers.github, { login: 'full', repos: [1, 2, 3, 4].map((i) => ({ name: `app${i}`, assets: [`app${i}.apk`] })), pageSize: 2 });
  t.equal(by(await discoverApps({ github: ['full'] }, w.ctx(persisted)), 'github:full').apps.length, 4);
  full.repos.push({ name: 'app5', assets: ['app5.apk'] });
  const five = by(await discoverApps({ github: ['full'] }, w.ctx(persisted)), 'github:full');
  t.same(five.apps.map((a) => a.key), [1, 2, 3, 4, 5].map((i) => `github:full/app${i}`));
});

t.test('F-Droid: each filter, the index reused for the same timestamp, wrong key, tampered index, no filter', async (t) => {
  const s = await serveLocal();
  const repo = serveFdroidOrgRepo(s, { dir: 'v2', override: new Map() });
  const ctx = { fetch: allowLocal(s), minIntervalMs: 0 };
  const one = async (f: object, extra: OrgIdentifiers = {}, c: DiscoveryContext = ctx) => (await discoverApps({ fdroid: [{ repo: `${s.base}/repo/`, fingerprint: FDROID_FINGERPRINT.toUpperCase(), ...f }], ...extra }, c))[0]!;
  t.same(ids(await one({ authors: ['ACME INC'] })), ['com.acme.notes', 'net.friendly.scanner'], 'authors, case-insensitively');
  t.same(ids(await one({ sourceHosts: ['github.com/acme'] })), ['com.acme.notes', 'io.github.acme.camera'], 'host + owner; github.com/acmesoft is not github.com/acme');
  t.same(ids(await one({ sourceHosts: ['gitlab.com'] })), ['net.friendly.scanner'], 'a bare host');
  t.same(ids(await one({ packagePrefixes: ['com.acme.*'] })), ['com.acme.notes']);
  t.same(ids(await one({}, { packagePrefixes: ['org.other'] })), ['org.other.app'], 'the top-level prefixes are a filter too');
  t.same(ids(await one({ authors: ['Acme Inc'] }, { packagePrefixes: ['io.github.acme.'] })), ['com.acme.notes', 'io.github.acme.camera', 'net.friendly.scanner'], 'top-level prefixes OR the repository filters');
  const none = await one({});
  t.match(none, { ok: false, requests: 0, error: /no filter .*authors, packagePrefixes or sourceHosts/ }, 'a repository without filters is a configuration error');
  // Same timestamp without the ETag: entry.jar read again, the index not.
  const state: DiscoveryState = {};
  const unit = `fdroid:${s.base}/repo`;
  t.equal((await one({ authors: ['acme inc'] }, {}, { ...ctx, state })).requests, 2);
  state[unit]!.etags = {};
  const mark = repo.served.length;
  const same = await one({ authors: ['acme inc'] }, {}, { ...ctx, state });
  t.match(same, { ok: true, unchanged: false, requests: 1 });
  t.same(ids(same), ['com.acme.notes', 'net.friendly.scanner']);
  t.same(since(repo.served, mark).map((x) => x.url), ['/repo/entry.jar']);
  // Another filter: the remembered apps are not reused.
  const other = await one({ sourceHosts: ['gitlab.com'] }, {}, { ...ctx, state });
  t.match(other, { ok: true, unchanged: false, requests: 2 });
  t.same(ids(other), ['net.friendly.scanner']);
  // Signed by another key; an index that does not match the signed sha256.
  repo.override!.set('entry.jar', readFileSync(join(ORG_FDROID_DIR, 'v2/entry-other.jar')));
  const wrong = await one({ authors: ['acme inc'] });
  t.match(wrong, { ok: false, apps: [], error: /entry\.jar: signed by [0-9a-f]+…, not by the pinned repository key/ });
  t.match(wrong.error, new RegExp(`^http://127\\.0\\.0\\.1:${s.port}/repo/entry\\.jar`));
  repo.override!.clear();
  repo.override!.set('index-v2.json', Buffer.from(readFileSync(join(ORG_FDROID_DIR, 'v2/index-v2.json'), 'utf8').replace('Someone Else', 'Acme Inc')));
  t.match(await one({ authors: ['acme inc'] }), { ok: false, error: /index-v2\.json: its SHA-256 does not match the signed entry\.json/ });
  repo.override!.clear();
  t.match(await one({ authors: ['x'] }, {}, { minIntervalMs: 0 }), { ok: false, error: /refused http:\/\/127\.0\.0\.1:\d+\/repo\/entry\.jar/ }, 'the download policy applies');
  t.match((await discoverApps({ fdroid: [{ repo: `${s.base}/repo`, fingerprint: 'abc', authors: ['x'] }] }, ctx))[0], { ok: false, requests: 0, error: /64 hex digits/ });
});

t.test('App Store and Google Play: package prefixes, countries, unknown developers, bad configuration', async (t) => {
  const w = await world();
  const out = await discoverApps({ appStore: { developerIds: ['1001', '999', 'abc'], developerNames: ['Acme Inc'] }, play: { developers: [PLAY_DEV, 'Acme Inc', 'Nobody'], gl: 'de' }, packagePrefixes: ['com.acme.chat', 'com.acmegames.*'] }, w.ctx());
  t.same(ids(by(out, 'appstore:id:1001')), ['com.acme.chat'], 'a developer id lookup is filtered by the prefixes');
  t.same(ids(by(out, 'appstore:name:Acme Inc')), ['com.acme.chat', 'com.acme.notes', 'com.acmegames.run'], 'a name search keeps the developer name OR the prefixes');
  t.equal(by(out, 'appstore:name:Acme Inc').apps[0]!.url, 'https://apps.apple.com/us/app/id5001', 'country us by default');
  t.match(by(out, 'appstore:id:999'), { ok: true, apps: [] }, 'no such developer: an empty answer');
  t.match(by(out, 'appstore:id:abc'), { ok: false, requests: 0, error: /developer id is a number/ });
  const play = by(out, `play:${PLAY_DEV}`);
  t.same(play.apps.map((a) => [a.appId, a.url]), [['com.acme.chat', 'https://play.google.com/store/apps/details?id=com.acme.chat&gl=DE']]);
  t.match(parseSource(play.apps[0]!.url), { kind: 'play', appId: 'com.acme.chat', gl: 'DE' });
  t.same(ids(by(out, 'play:Acme Inc')), ['com.acme.chat'], 'by developer name');
  t.ok(w.play.served.some((s) => s.url === '/store/apps/developer?id=Acme%20Inc&hl=en&gl=DE'));
  t.match(by(out, 'play:Nobody'), { ok: false, bestEffort: true, error: /^no developer Nobody on Google Play \(http:\/\/127\.0\.0\.1:\d+\/store\/apps\/developer answered HTTP 404\)$/ });
  const bad = await discoverApps({ appStore: { developerIds: ['1'], country: 'usa' }, play: { developers: ['x'], gl: 'Germany' }, github: ['../etc'], otaManifests: ['ftp://x/y'] }, w.ctx());
  t.ok(bad.every((o) => !o.ok && o.requests === 0 && o.error), bad.map((o) => o.error).join(' | '));
  t.same(await discoverApps({}, w.ctx()), [], 'no identifiers, no outcome');
});

t.test('Google Play page parsing: distinct valid package ids, entities, titles', async (t) => {
  const html = `<a href="/store/apps/details?id=com.acme.a&amp;hl=en" aria-label="A &amp; B"></a><a href='https://play.google.com/store/apps/details?hl=en&id=com.acme.a'>x</a>
<a href="/store/apps/details?id=com.acme.b"><div class="ubGTjb"><span class="DdYX5">Bee &#x1F41D; &#8211; app</span></div></a>
<a href="/store/apps/details?id=javascript:alert(1)">x</a><a href="/store/apps/details?id=com">x</a><a href="/store/apps/details?id=1com.x">x</a>
<a href="/store/apps/details?id=com.acme.c%3Cscript%3E">x</a><a href="/store/apps/details?id=com.acme.c">no title</a><a href="/store/apps/dev?id=123">dev</a>`;
  t.same(playDeveloperApps(html), [{ id: 'com.acme.a', title: 'A & B' }, { id: 'com.acme.b', title: 'Bee 🐝 – app' }, { id: 'com.acme.c' }]);
});

t.test('GitHub rate limit: the unit stops naming the reset time, the other units are fine', async (t) => {
  const w = await world();
  w.github.remaining = 1;
  const out = await discoverApps({ github: ['acme'], appStore: { developerIds: ['1001'] }, otaManifests: [w.otaUrl], fdroid: w.org.fdroid }, w.ctx(undefined, { githubToken: undefined }));
  const gh = by(out, 'github:acme');
  t.match(gh, { ok: false, apps: [], requests: 1, error: /^GitHub API rate limited until 2033-05-18T03:33:20\.000Z .*set a GitHub token \(LEAKDEX_GITHUB_TOKEN\) or wait/ });
  t.equal(w.github.served.length, 1, 'no request after x-ratelimit-remaining: 0');
  t.ok(out.filter((o) => o !== gh).every((o) => o.ok && o.apps.length > 0), 'the other sources are unaffected');
  // 403 "API rate limit exceeded", with a token: the token never appears.
  w.github.rateLimited = true;
  w.github.resetAt = 1900000000;
  const [limited] = await discoverApps({ github: ['acme', 'bob'] }, w.ctx());
  t.match(limited, { ok: false, requests: 1, error: /rate limited until 2030-03-17T17:46:40\.000Z \(HTTP 403/ });
  t.notMatch(limited!.error, /SECRET|set a GitHub token/);
  // A secondary rate limit: 429 with Retry-After, named in the message, not slept on.
  w.servers.github.routes.set('/orgs/busy/repos', (_q, res) => res.writeHead(429, { 'retry-after': '3600', 'content-type': 'application/json' }).end('{"message":"You have exceeded a secondary rate limit."}'));
  const started = Date.now();
  const [busy] = await discoverApps({ github: ['busy'] }, w.ctx());
  t.match(busy, { ok: false, error: /rate limited until .*HTTP 429, Retry-After 3600 s/ });
  t.ok(Date.now() - started < 2000, 'no sleep');
  w.servers.github.routes.set('/orgs/private/repos', (_q, res) => res.writeHead(403, { 'content-type': 'application/json' }).end('{"message":"Resource protected by organization SAML enforcement."}'));
  t.match((await discoverApps({ github: ['private'] }, w.ctx()))[0], { ok: false, error: /^GitHub refused access to http:\/\/127\.0\.0\.1:\d+\/orgs\/private\/repos \(HTTP 403\)$/ });
});

t.test('failures are isolated: HTTP 500, garbage JSON, a page that is no plist, a refused host, no such login', async (t) => {
  const w = await world();
  w.itunes.fail = 'http500';
  w.github.fail = 'garbage';
  w.servers.ota.routes.set('/ota/broken.plist', (_q, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Sign in</body></html>'));
  const broken = `${w.servers.ota.base}/ota/broken.plist?token=abc123`;
  const out = await discoverApps({ ...w.org, github: ['acme', 'ghost', 'bob'], otaManifests: [w.otaUrl, broken, 'https://10.1.2.3/m.plist'] }, w.ctx());
  t.match(by(out, 'appstore:id:1001'), { ok: false, error: new RegExp(`^http://127\\.0\\.0\\.1:${w.servers.itunes.port}/lookup answered HTTP 500$`) });
  t.match(by(out, 'appstore:name:Acme Inc'), { ok: false, error: /\/search answered HTTP 500$/ });
  t.match(by(out, 'github:acme'), { ok: false, error: /\/orgs\/acme\/repos: the answer is not valid JSON$/ });
  t.match(by(out, 'github:ghost'), { ok: false, error: /GitHub has no organization or user ghost/ });
  t.match(by(out, `ota:${broken}`), { ok: false, error: /\/ota\/broken\.plist: the OTA manifest is not a property list$/ });
  t.match(by(out, 'ota:https://10.1.2.3/m.plist'), { ok: false, requests: 1, error: /refused https:\/\/10\.1\.2\.3\/m\.plist: 10\.1\.2\.3 is a private address/ });
  for (const o of out.filter((x) => !x.ok)) t.notMatch(o.error, /\?|token|SECRET/, `${o.unit}: host and path only`);
  for (const unit of [`play:${PLAY_DEV}`, `fdroid:${w.servers.fdroid.base}/repo`, 'github:bob', `ota:${w.otaUrl}`]) t.ok(by(out, unit).ok, `${unit} still ok`);
  // A failed unit keeps its last good apps in the state.
  w.itunes.fail = undefined;
  const state: DiscoveryState = {};
  await discoverApps({ appStore: { developerIds: ['1001'] } }, w.ctx(state));
  const good = state['appstore:id:1001']!.apps;
  w.itunes.fail = 'garbage';
  t.match((await discoverApps({ appStore: { developerIds: ['1001'] } }, w.ctx(state)))[0], { ok: false, error: /\/lookup: the answer is not valid JSON$/ });
  t.same(state['appstore:id:1001']!.apps, good);
  t.equal(good!.length, 2);
});

t.test('hostile answers are capped: 10,000 apps, huge and control-character names, oversized documents', async (t) => {
  const w = await world();
  const evil = 'E\u0000vil\u001b[31m\u202e\u0007 '.repeat(20_000);
  w.itunes.extraResults = Array.from({ length: 10_000 }, (_, i) => ({ wrapperType: 'software', kind: 'software', trackId: 900000 + i, bundleId: `com.acme.x${i}`, trackName: i % 1000 === 0 ? evil : `App\n${i}\t`, version: i === 1 ? 'v'.repeat(5000) : '1', artistId: 1001, artistName: 'Acme Inc' }));
  w.play.developers[0]!.apps = Array.from({ length: 10_000 }, (_, i) => ({ id: `com.acme.p${i}`, title: i === 0 ? evil : `P${i}` }));
  const out = await discoverApps({ appStore: { developerIds: ['1001'] }, play: { developers: [PLAY_DEV] } }, w.ctx());
  for (const o of out) {
    t.ok(o.ok, o.unit);
    t.equal(o.apps.length, MAX_DISCOVERED_PER_UNIT, `${o.unit}: capped at ${MAX_DISCOVERED_PER_UNIT}`);
    t.match(o.note, /more than 1000 apps: kept the first 1000/);
    for (const a of o.apps) {
      if (a.name && (a.name.length > 200 || CONTROL.test(a.name))) t.fail(`${o.unit}: name not cleaned: ${a.name.slice(0, 40)}`);
      if (a.version && a.version.length > 100) t.fail('version not capped');
    }
  }
  const app = by(out, 'appstore:id:1001').apps;
  t.equal(app[0]!.key, 'appstore:5001', 'the real apps first');
  t.match(app.find((a) => a.key === 'appstore:900000')!.name, /^Evil\[31m Evil\[31m .*…$/);
  t.equal(app.find((a) => a.key === 'appstore:900000')!.name!.length, 200);
  t.equal(app.find((a) => a.key === 'appstore:900002')!.name, 'App 2');
  // A GitHub page of 10,000 repositories: the first 100 read, with a note.
  const huge = Array.from({ length: 10_000 }, (_, i) => ({ name: `r${i}`, fork: false, owner: { login: 'huge' } }));
  w.servers.github.routes.set('/orgs/huge/repos', (_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(huge)));
  for (let i = 0; i < 3; i++) w.servers.github.routes.set(`/repos/huge/r${i}/releases`, (_q, res) => res.writeHead(200).end(JSON.stringify([{ tag_name: 'x', draft: false, assets: [{ name: 'a.apk' }] }])));
  const before = w.servers.github.requests.length;
  const [gh] = await discoverApps({ github: ['huge'] }, w.ctx());
  t.match(gh, { ok: true, requests: 101, note: /listed 10000 repositories: read the first 100/ });
  t.same(gh!.apps.map((a) => a.key), ['github:huge/r0', 'github:huge/r1', 'github:huge/r2']);
  t.equal(w.servers.github.requests.length - before, 101);
  // A next-page link to another origin is not followed (the token stays with the API).
  const elsewhere = await serveLocal();
  w.github.nextBase = elsewhere.base;
  const [moved] = await discoverApps({ github: ['acme'] }, w.ctx(undefined, { fetch: allowLocal(...Object.values(w.servers), elsewhere) }));
  t.match(moved, { ok: true, note: /did not follow a next-page link to another origin/ });
  t.same(moved!.apps.map((a) => a.key), ['github:acme/android-app', 'github:acme/ios-app'], 'only the first page');
  t.equal(elsewhere.requests.length, 0);
  // An OTA manifest over its byte cap.
  w.servers.ota.routes.set('/ota/big.plist', (_q, res) => res.writeHead(200).end(Buffer.alloc(2 * 1024 * 1024, 0x20)));
  t.match((await discoverApps({ otaManifests: [`${w.servers.ota.base}/ota/big.plist`] }, w.ctx()))[0], { ok: false, error: /over the limit|more than the limit/ });
});

t.test('OTA manifests: itms-services and https URLs, ETags, prefixes', async (t) => {
  const s = await serveLocal();
  const a = serveOtaManifest(s, '/a.plist', { bundleId: 'com.acme.field', version: '1.0', title: 'Field' });
  serveOtaManifest(s, '/b.plist', { bundleId: 'com.vendor.other', version: '2.0', title: 'Other' });
  const state: DiscoveryState = {};
  const org = { otaManifests: [`itms-services://?action=download-manifest&url=${s.base}/a.plist`, `${s.base}/b.plist`], packagePrefixes: ['com.acme.'] };
  const out = await discoverApps(org, { fetch: allowLocal(s), state, minIntervalMs: 0 });
  t.same(out.map((o) => [o.ok, o.apps.map((x) => x.appId)]), [[true, ['com.acme.field']], [true, []]], 'the other bundle is filtered out');
  t.equal(out[0]!.apps[0]!.url, `itms-services://?action=download-manifest&url=${encodeURIComponent(`${s.base}/a.plist`)}`);
  const again = await discoverApps(org, { fetch: allowLocal(s), state, minIntervalMs: 0 });
  t.ok(again.every((o) => o.unchanged && o.requests === 1));
  t.same(again[0]!.apps, out[0]!.apps);
  t.match(a.served.at(-1), { status: 304, ifNoneMatch: /^"/ });
});

t.test('per host: one request in flight, minIntervalMs apart; different hosts in parallel', async (t) => {
  const hosts = [await serveLocal(), await serveLocal()];
  const log: { host: number; start: number; end: number }[] = [];
  const inflight = [0, 0];
  let maxInflight = 0;
  const manifests: string[] = [];
  hosts.forEach((s, h) => {
    for (let i = 0; i < (h === 0 ? 4 : 2); i++) {
      serveOtaManifest(s, `/m${i}.plist`, { bundleId: `com.acme.m${h}${i}`, version: '1', title: 'M' });
      const inner = s.routes.get(`/m${i}.plist`)!;
      s.routes.set(`/m${i}.plist`, (req: IncomingMessage, res: ServerResponse) => {
        const row = { host: h, start: Date.now(), end: 0 };
        log.push(row);
        maxInflight = Math.max(maxInflight, ++inflight[h]);
        res.on('finish', () => {
          inflight[h]--;
          row.end = Date.now();
        });
        setTimeout(() => inner(req, res), 20);
      });
      manifests.push(`${s.base}/m${i}.plist`);
    }
  });
  const out = await discoverApps({ otaManifests: manifests }, { fetch: allowLocal(...hosts), minIntervalMs: 60 });
  t.ok(out.every((o) => o.ok && o.apps.length === 1));
  t.equal(maxInflight, 1, 'never two requests at once to one host');
  const h0 = log.filter((r) => r.host === 0);
  for (let i = 1; i < h0.length; i++) t.ok(h0[i]!.start - h0[i - 1]!.end >= 55, `gap ${h0[i]!.start - h0[i - 1]!.end} ms >= 60 ms (timer slack)`);
  const h1 = log.filter((r) => r.host === 1);
  t.ok(h1[0]!.start < h0.at(-1)!.start, 'the other host was not waiting for the first');
});

t.test('matchesPrefix', async (t) => {
  t.ok(matchesPrefix('anything', undefined));
  t.ok(matchesPrefix('anything', []));
  t.ok(matchesPrefix(undefined, ['com.acme.']), 'an unknown id is kept');
  t.ok(matchesPrefix('com.acme.app', ['com.acme.']));
  t.ok(matchesPrefix('com.acme.app', ['com.acme.*']));
  t.ok(matchesPrefix('COM.Acme.App', ['com.acme.']), 'case-insensitive (bundle ids)');
  t.ok(matchesPrefix('com.acme', ['com.acme']), 'no trailing dot: the id itself');
  t.ok(matchesPrefix('com.acme.app', ['com.acme']), 'and ids under it');
  t.notOk(matchesPrefix('com.acmesoft.app', ['com.acme']), 'not a longer name');
  t.notOk(matchesPrefix('com.acmesoft.app', ['com.acme.']));
  t.ok(matchesPrefix('com.acmesoft.app', ['com.acme*']), 'a raw prefix with *');
  t.notOk(matchesPrefix('org.other', ['com.acme.', 'net.acme.']));
});
