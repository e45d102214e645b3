/**
 * Verification in the service (src/service/verification.ts, src/market/rechecks.ts): `?verify=true` and the tenant's
 * setting, results in the report and the findings, the result cache in the store shared across scans, Prometheus
 * counters, and scheduled re-checks of a watched app's keys that turn live or are revoked: an event in the app's
 * history and a signed webhook.
 */
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { Rechecker } from '../../src/market/rechecks.js';
import { Sweeper, verifyWebhook, WatchService } from '../../src/market/watches.js';
import { findingKeys } from '../../src/service/crypto.js';
import { HistoryService } from '../../src/service/history.js';
import { Metrics } from '../../src/service/metrics.js';
import { ScanService } from '../../src/service/scans.js';
import { ServiceVerifier } from '../../src/service/verification.js';
import type { Report } from '../../src/report/types.js';
import { LEAKY_APK, ROOT, tempDir } from '../helpers/files.js';
import { runMain } from '../helpers/cli.js';
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/server.js';
import { createApiKey } from '../../src/service/auth.js';
import { fakeProvider, githubHandler, graphHandler, json, nothingHandler, officialOrigins, type FakeHandler } from '../helpers/fake-providers.js';
import { FDROID_FINGERPRINT, serveFdroidRepo, serveLocal } from '../helpers/local-server.js';
import { multipart, scansDone, startService, type TestService } from '../helpers/service.js';

const planted: { ruleId: string; secret: string }[] = JSON.parse(readFileSync(join(ROOT, 'samples/android/leaky-multidex.expected.json'), 'utf8')).planted;
const value = (ruleId: string) => planted.find((p) => p.ruleId === ruleId)!.secret;
const GITHUB = value('github-token');
const FACEBOOK: [string, string] = [value('facebook-app-id'), value('facebook-app-secret')];

async function upload(s: TestService, query: string): Promise<{ id: string; reused: boolean; status: string }> {
  const m = multipart(readFileSync(LEAKY_APK));
  const r = await s.app.inject({ method: 'POST', url: `/v1/scans?wait=120${query}`, headers: { ...m.headers, authorization: `Bearer ${s.admin}` }, payload: m.payload });
  if (r.statusCode >= 300) throw new Error(`upload: ${r.statusCode} ${r.body}`);
  return r.json();
}

async function report(s: TestService, id: string): Promise<Report> {
  return (await s.app.inject({ method: 'GET', url: `/v1/scans/${id}/report`, headers: { authorization: `Bearer ${s.admin}` } })).json();
}

/** A provider whose behaviour a test can switch. */
async function switchable(initial: FakeHandler) {
  const state = { handler: initial };
  const fake = await fakeProvider((q, r) => state.handler(q, r));
  return { fake, set: (h: FakeHandler) => (state.handler = h) };
}

/** Every official origin routed to a local server (the modelled ones to theirs), so nothing leaves the machine. */
async function endpoints(routes: Record<string, string>): Promise<string> {
  const nothing = await fakeProvider(nothingHandler);
  return JSON.stringify({ ...Object.fromEntries(officialOrigins().map((o) => [o, nothing.base])), ...routes });
}

const secretsKey = randomBytes(32).toString('hex');

t.test('?verify=true and the tenant setting: verified findings in the report and the history, the cache shared across scans, counters', async (t) => {
  const github = await switchable(githubHandler({ githubTokens: [GITHUB] }));
  const svc = await startService(t, { logLevel: 'warn', overrides: { verify: { recheckIntervalMs: 0, cacheTtlMs: 3600_000, endpoints: await endpoints({ 'https://api.github.com': github.fake.base }) } } });
  const auth = { authorization: `Bearer ${svc.admin}` };

  const plain = await upload(svc, '');
  t.equal(plain.status, 'done');
  t.equal(github.fake.requests.length, 0, 'no verification without ?verify and with the tenant setting off');
  t.ok((await report(svc, plain.id)).findings.every((f) => f.verification === undefined));

  const verified = await upload(svc, '&verify=true');
  t.notOk(verified.reused, 'an unverified scan of the same file is not reused for a request to verify');
  const r = await report(svc, verified.id);
  const gh = r.findings.find((f) => f.ruleId === 'github-token')!;
  t.same([gh.verification?.status, gh.severity, gh.verification?.evidence?.account], ['live', 'critical', 'leakdex-sample']);
  t.ok(r.findings.every((f) => f.verification !== undefined && f.secret === undefined), 'every finding verified, no value in the stored report');
  t.notOk(JSON.stringify(r).includes(GITHUB), 'the token is nowhere in the stored report');
  t.equal(github.fake.requests.length, 1);

  const versions = await svc.app.inject({ method: 'GET', url: '/v1/apps/com.leakdex.sample.leaky/versions', headers: auth });
  const v = versions.json().versions.at(-1);
  const findings = await svc.app.inject({ method: 'GET', url: `/v1/apps/com.leakdex.sample.leaky/versions/${v.id}/findings`, headers: auth });
  t.equal(findings.json().findings.find((f: { ruleId: string }) => f.ruleId === 'github-token').verification.status, 'live', "the app's history shows the verification");

  t.same((await svc.app.inject({ method: 'GET', url: '/v1/settings', headers: auth })).json(), { verify: false });
  const put = await svc.app.inject({ method: 'PUT', url: '/v1/settings', headers: auth, payload: { verify: true } });
  t.same([put.statusCode, put.json()], [200, { verify: true }]);
  const bySetting = await upload(svc, '&force=true');
  t.notOk(bySetting.reused);
  const r2 = await report(svc, bySetting.id);
  t.equal(r2.findings.find((f) => f.ruleId === 'github-token')!.verification!.status, 'live', 'the tenant setting verifies uploads without ?verify');
  t.equal(github.fake.requests.length, 1, 'the same key in a later scan is answered from the store’s cache');
  const off = await upload(svc, '&force=true&verify=false');
  t.ok((await report(svc, off.id)).findings.every((f) => f.verification === undefined), '?verify=false wins over the setting');

  const metrics = await svc.app.inject({ method: 'GET', url: '/metrics', headers: auth });
  t.match(metrics.body, /leakdex_verifications_total\{provider="github",status="live",cached="false"\} 1/);
  t.match(metrics.body, /leakdex_verifications_total\{provider="github",status="live",cached="true"\} 1/);
  t.notOk(metrics.body.includes(GITHUB));
  t.notOk(svc.logText().includes(GITHUB), 'no value in the service log');
});

t.test('re-checks of a watched app: a key that turns live and one that is revoked are events and signed webhooks', async (t) => {
  const github = await switchable(githubHandler({ githubTokens: [GITHUB] }));
  const broken: FakeHandler = (_q, res) => json(res, 500, { error: { message: 'An unexpected error has occurred.', type: 'OAuthException', code: 2 } });
  const graph = await switchable(broken);
  const svc = await startService(t, {
    tenant: 'default',
    logLevel: 'warn',
    overrides: {
      secrets: { store: true, encryptionKey: secretsKey },
      verify: { recheckIntervalMs: 1, cacheTtlMs: 3600_000, endpoints: await endpoints({ 'https://api.github.com': github.fake.base, 'https://graph.facebook.com': graph.fake.base }) },
    },
  });
  const auth = { authorization: `Bearer ${svc.admin}` };
  await svc.store.verifications.setSettings((await svc.store.ensureTenant('default')).id, { verify: true });
  const s = await serveLocal();
  const hook = await serveLocal();
  serveFdroidRepo(s, { dir: 'v1', override: new Map() });
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];
  hook.routes.set('/hook', (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => (received.push({ headers: req.headers, body }), res.writeHead(204).end()));
  });
  process.env.LEAKDEX_ALLOW_HOSTS = [s, hook].map((x) => `127.0.0.1:${x.port}`).join(',');
  t.teardown(() => void delete process.env.LEAKDEX_ALLOW_HOSTS);
  const secret = 'webhook-secret-for-tests-0123456789';
  const w = await svc.app.inject({ method: 'POST', url: '/v1/watches', headers: auth, payload: { url: `${s.base}/repo?fingerprint=${FDROID_FINGERPRINT}&package=com.leakdex.sample.leaky`, interval: '1h', notify: [{ url: `${hook.base}/hook`, secret }] } });
  t.equal(w.statusCode, 201, w.body);

  const keys = findingKeys(svc.config);
  const scans = new ScanService({ store: svc.store, config: svc.config, metrics: new Metrics(), keys, runner: svc.runner });
  let clock = Date.now();
  const rechecker = new Rechecker({ store: svc.store, config: svc.config, keys, verifier: new ServiceVerifier(svc.store, svc.config), watches: new WatchService(svc.store), now: () => clock });
  const sweeper = new Sweeper({ store: svc.store, config: svc.config, scans, history: new HistoryService(svc.store, 500), fetch: {}, now: () => clock, recheck: () => rechecker.run() });
  await sweeper.sweepOnce();
  await scansDone(svc.store);
  t.equal(await sweeper.notifyFinished(), 1, 'the new version is scanned (verified, by the tenant setting) and notified');
  t.equal(await sweeper.deliver(), 1);
  t.equal(received.length, 1);
  t.equal(github.fake.requests.length, 1, 'the scan verified the GitHub token');
  const graphCalls = graph.fake.requests.length;
  t.ok(graphCalls >= 3, 'Facebook failed (5xx, retried) during the scan');

  // Rated B as if nothing were critical: a key that turns live grades the version F.
  const versionId = (await svc.app.inject({ method: 'GET', url: '/v1/apps/com.leakdex.sample.leaky/versions', headers: auth })).json().versions.at(-1).id as string;
  await svc.store.verifications.setVersionRating(versionId, 'B');
  // The next pass: GitHub now refuses the token (revoked); Facebook answers again (the app secret is live).
  github.set(githubHandler({ githubTokens: [] }));
  graph.set(graphHandler({ facebookApp: FACEBOOK }));
  clock += 60_000;
  const pass = await sweeper.sweepOnce();
  t.ok((pass.rechecked ?? 0) >= 3, `keys re-checked (${pass.rechecked})`);
  t.equal(pass.keyChanges, 3, 'the revoked GitHub token, and the Facebook app secret and app access token that turned live');
  t.equal(github.fake.requests.length, 2, 'a re-check asks the provider, not the cache');
  t.ok(graph.fake.requests.some((q) => q.path === '/oauth/access_token'), 'the re-check asked Facebook for an app token');
  t.equal(received.length, 4, 'one webhook per change');
  const events = received.slice(1).map((x) => JSON.parse(x.body));
  for (const x of received.slice(1)) t.ok(verifyWebhook(secret, x.headers, x.body, clock), 'signed');
  const revoked = events.find((e) => e.event === 'key_revoked');
  t.match(revoked, { finding: { ruleId: 'github-token' }, verification: { from: 'live', to: 'invalid' } });
  const turned = events.find((e) => e.event === 'key_live' && e.finding.ruleId === 'facebook-app-secret');
  t.match(turned, { finding: { ruleId: 'facebook-app-secret', severity: 'critical' }, verification: { from: 'error', to: 'live' } });
  t.notOk(received.some((x) => x.body.includes(GITHUB) || x.body.includes(FACEBOOK[1])), 'no value in a webhook');

  const rated = (await svc.app.inject({ method: 'GET', url: '/v1/apps/com.leakdex.sample.leaky/versions', headers: auth })).json().versions.at(-1);
  t.same([rated.id, rated.rating], [versionId, 'F'], 'the version is rated F once a key of it is live');
  const history = await svc.app.inject({ method: 'GET', url: '/v1/apps/com.leakdex.sample.leaky/verifications', headers: auth });
  t.equal(history.statusCode, 200, history.body);
  t.same(history.json().events.map((e: { ruleId: string; from: string; to: string }) => `${e.ruleId} ${e.from}->${e.to}`).sort(), ['facebook-app-access-token error->live', 'facebook-app-secret error->live', 'github-token live->invalid']);

  clock += 60_000;
  const again = await sweeper.sweepOnce();
  t.ok((again.rechecked ?? 0) >= 2, 'the live keys are checked again when due');
  t.equal(github.fake.requests.length, 2, 'an invalid key is not re-checked');
  t.equal(again.keyChanges, 0, 'no change, no event');
  t.equal(received.length, 4);

  // Without stored values there is nothing to re-check with.
  const noValues = new Rechecker({ store: svc.store, config: svc.config, keys: { fingerprint: keys.fingerprint }, verifier: new ServiceVerifier(svc.store, svc.config), watches: new WatchService(svc.store) });
  t.match(await noValues.run(), { checked: 0, idle: /values are not stored/ });
});

t.test('leakdex scan --server --verify asks the service to verify; --fail-on live gates on its answer', async (t) => {
  const github = await fakeProvider(githubHandler({ githubTokens: [GITHUB] }));
  const dir = tempDir();
  const config = loadConfig({ env: { LEAKDEX_DATA_DIR: join(dir, 'data') }, overrides: { host: '127.0.0.1', port: 0, bootstrapKey: false, logLevel: 'silent', jobs: { concurrency: 1, pollMs: 50 }, verify: { recheckIntervalMs: 0, cacheTtlMs: 60_000, endpoints: await endpoints({ 'https://api.github.com': github.base }) } } });
  const server = await startServer(config);
  t.teardown(() => server.close());
  const key = (await createApiKey(server.store, 'ci', ['read', 'write'])).token;
  const remote = ['scan', LEAKY_APK, '--server', server.url, '--api-key', key, '--format', 'json', '--quiet'];
  const plain = await runMain([...remote, '--fail-on', 'none']);
  t.equal(plain.status, 0, plain.stderr);
  t.equal(github.requests.length, 0, 'no verification without --verify');
  const live = await runMain([...remote, '--verify', '--fail-on', 'live']);
  t.equal(live.status, 1, `a live key fails the remote scan at --fail-on live (${live.stderr.trim()})`);
  const r = JSON.parse(live.stdout) as Report;
  t.equal(r.findings.find((f) => f.ruleId === 'github-token')!.verification!.status, 'live');
  t.equal(github.requests.length, 1, 'the service asked GitHub once');
  const dry = await runMain([...remote, '--verify-dry-run']);
  t.equal(dry.status, 2, '--verify-dry-run is for local scans');
});

