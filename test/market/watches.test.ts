/**
 * Watches and the sweep (src/market/watches.ts, sweep.ts): every source kind detects a new version, scans it once and
 * notifies the diff by signed webhook; errors back off; per-host concurrency; a sweep killed mid-download loses
 * nothing; concurrent sweepers on PostgreSQL claim disjoint watches; the serve ticker; the watch CLI.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { startSweepTicker, sweeperFor } from '../../src/market/sweep.js';
import { Sweeper, verifyWebhook } from '../../src/market/watches.js';
import { findingKeys } from '../../src/service/crypto.js';
import { HistoryService } from '../../src/service/history.js';
import { Metrics } from '../../src/service/metrics.js';
import { ScanService } from '../../src/service/scans.js';
import { PostgresStore } from '../../src/store/index.js';
import { runMain } from '../helpers/cli.js';
import { CLI, LEAKY_APK, LEAKY_V2_APK, ROOT, tempDir } from '../helpers/files.js';
import { allowLocal, FDROID_FINGERPRINT, serveFdroidRepo, serveGithubReleases, serveLocal } from '../helpers/local-server.js';
import { POSTGRES_MISSING, reachablePostgres, testNeeding } from '../helpers/postgres.js';
import { scansDone, startService } from '../helpers/service.js';

const APK = readFileSync(LEAKY_APK);
const APK_SHA = createHash('sha256').update(APK).digest('hex');
const APK13 = readFileSync(LEAKY_V2_APK);
const IPA = readFileSync(join(ROOT, 'samples/ios/leaky-ios.ipa'));


t.test('watches: each source kind detects a new version, scans it once, notifies the diff', async (t) => {
  const svc = await startService(t, { tenant: 'default', logLevel: 'warn' });
  const auth = { authorization: `Bearer ${svc.admin}` };
  const s = await serveLocal();
  const cdn = await serveLocal();
  const hook = await serveLocal();
  const repo = { dir: 'v1', override: new Map<string, Buffer>() };
  serveFdroidRepo(s, repo);
  const releases = [{ tag: 'v1.2.0', apk: APK }];
  serveGithubReleases(s, cdn, releases);
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
    fdroid: `${s.base}/repo?fingerprint=${FDROID_FINGERPRINT}&package=com.leakdex.sample.leaky`,
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
  serveGithubReleases(s, cdn, releases);
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
  const svc = await startService(t, { tenant: 'default', logLevel: 'warn' });
  const s = await serveLocal();
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
  const sweeper = new Sweeper({ store: svc.store, config: svc.config, scans, history: new HistoryService(svc.store, 500), fetch: allowLocal(s), perHost: 2, concurrency: 8, now: () => clock });
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
  const dir = tempDir();
  const s = await serveLocal();
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
  const added = await runMain(['watch', 'add', `${s.base}/dl/leaky.apk`, '--interval', '10m', '--data-dir', dir]);
  t.equal(added.status, 0, added.stderr);
  const watchId = added.stdout.split('\t')[0]!;
  t.match(added.stdout, /\tdirect\tevery 600s/);
  const ls = await runMain(['watch', 'list', '--data-dir', dir]);
  t.equal(ls.status, 0);
  t.match(ls.stdout, new RegExp(`^${watchId}\\tdirect\\t`));
  const refused = await runMain(['watch', 'add', 'https://169.254.169.254/x.apk', '--data-dir', dir]);
  t.equal(refused.status, 2);
  t.match(refused.stderr, /metadata.*url_refused/);
  // A sweep process killed -9 while the APK is half downloaded.
  const child = spawn(process.execPath, [CLI, 'sweep', '--once', '--data-dir', dir], { env, stdio: 'ignore' });
  await requested;
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  stall = false;
  const svc = await startService(t, { dataDir: dir, tenant: 'default', logLevel: 'warn' });
  const tenant = await svc.store.ensureTenant('default');
  const sweeper = sweeperFor(svc.store, svc.config, svc.runner);
  t.same((await sweeper.watches.versions(tenant.id, watchId)).map((r) => r.status), ['downloading'], 'the dead sweep left its version claimed, not lost');
  t.same(await sweeper.claimDue(), [], 'the dead sweep still holds its lease');
  // After the lease and the stale window, the next sweep takes the version over.
  const later = new Sweeper({ ...(sweeper as unknown as { deps: object }).deps, now: () => Date.now() + 3600_000 } as never);
  const r = await later.sweepOnce();
  t.match(r, { claimed: 1, errors: 0 });
  await scansDone(svc.store);
  t.equal(await later.notifyFinished(), 1);
  const again = new Sweeper({ ...(sweeper as unknown as { deps: object }).deps, now: () => Date.now() + 3 * 3600_000 } as never);
  t.match(await again.sweepOnce(), { claimed: 1, newVersions: 0 });
  const scans = await svc.store.listScans(tenant.id, { limit: 10 });
  t.equal(scans.length, 1, 'scanned exactly once');
  t.equal(scans[0]!.sha256, APK_SHA);
  t.match(await sweeper.watches.versions(tenant.id, watchId), [{ status: 'notified', scanId: scans[0]!.id }]);
  t.same(readdirSync(join(dir, 'uploads')).filter((f) => !f.endsWith('.upload')), [], 'no partial download left behind');
  const rm = await runMain(['watch', 'rm', watchId, '--data-dir', dir]);
  t.equal(rm.status, 0);
  t.match(rm.stdout, /removed/);
});

const pgUrl = await reachablePostgres();
testNeeding('postgres: concurrent sweepers claim disjoint watches; version keys are unique', pgUrl ? undefined : POSTGRES_MISSING, async (t) => {
  const url = pgUrl!;
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
  const svc = await startService(t, { tenant: 'default', logLevel: 'warn' });
  const s = await serveLocal();
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
