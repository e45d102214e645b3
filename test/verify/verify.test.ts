/**
 * Opt-in verification (src/verify): `leakdex scan --verify` on the leaky sample against local servers speaking each
 * provider's API (LEAKDEX_VERIFY_ENDPOINTS), the exact requests sent, live keys raised to critical, the dry run, the
 * live gate, the cache, 429 with Retry-After, failures, and no socket at all without --verify.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { ALNUM, DIGITS, fake } from '../../rules/fake.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report, ReportFinding } from '../../src/report/types.js';
import { MemoryVerifyCache, verifyReport } from '../../src/verify/engine.js';
import { parseEndpoints, retryAfterMs, VerifyConfigError, originAllowed } from '../../src/verify/http.js';
import { VERIFIERS } from '../../src/verify/index.js';
import { oauth1Header } from '../../src/verify/providers/twitter.js';
import type { Verifier } from '../../src/verify/types.js';
import { runMain } from '../helpers/cli.js';
import { CLI, LEAKY_APK, ROOT, tempDir } from '../helpers/files.js';
import {
  cognitoHandler,
  databaseHandler,
  firestoreHandler,
  storageHandler,
  fakeProvider,
  fcmHandler,
  githubHandler,
  graphHandler,
  json,
  mapsHandler,
  nothingHandler,
  officialOrigins,
  stsHandler,
  twitterHandler,
  type FakeProvider,
  type LiveSet,
} from '../helpers/fake-providers.js';

interface Planted {
  ruleId: string;
  secret: string;
}
const planted: Planted[] = JSON.parse(readFileSync(join(ROOT, 'samples/android/leaky-multidex.expected.json'), 'utf8')).planted;
const value = (ruleId: string, i = 0) => planted.filter((p) => p.ruleId === ruleId)[i]!.secret;

const LIVE: LiveSet = {
  twitterConsumer: [value('twitter-consumer-key'), value('twitter-consumer-secret')],
  facebookApp: [value('facebook-app-id'), value('facebook-app-secret')],
  githubTokens: [value('github-token')],
  awsPair: [value('aws-access-key-id'), value('aws-secret-access-key')],
  mapsUnrestricted: [value('google-api-key', 1)],
  fcmKeys: [value('firebase-fcm-server-key')],
  openDatabases: true,
  openBuckets: ['leakdex-sample-app.appspot.com'],
};

/** Fake providers for the sample's credentials and the endpoint table routing every official origin to one of them. */
async function providers(live: LiveSet) {
  const p = {
    twitter: await fakeProvider(twitterHandler(live)),
    graph: await fakeProvider(graphHandler(live)),
    database: await fakeProvider(databaseHandler(live)),
    maps: await fakeProvider(mapsHandler(live)),
    fcm: await fakeProvider(fcmHandler(live)),
    sts: await fakeProvider(stsHandler(live)),
    cognito: await fakeProvider(cognitoHandler),
    github: await fakeProvider(githubHandler(live)),
    storage: await fakeProvider(storageHandler(live)),
    firestore: await fakeProvider(firestoreHandler),
    nothing: await fakeProvider(nothingHandler),
  };
  const table: Record<string, string> = Object.fromEntries(officialOrigins().map((o) => [o, p.nothing.base]));
  Object.assign(table, {
    'https://api.twitter.com': p.twitter.base,
    'https://graph.facebook.com': p.graph.base,
    'https://leakdex-sample-app.firebaseio.com': p.database.base,
    'https://maps.googleapis.com': p.maps.base,
    'https://fcm.googleapis.com': p.fcm.base,
    'https://sts.amazonaws.com': p.sts.base,
    'https://cognito-identity.us-east-1.amazonaws.com': p.cognito.base,
    'https://api.github.com': p.github.base,
    'https://firebasestorage.googleapis.com': p.storage.base,
    'https://firestore.googleapis.com': p.firestore.base,
  });
  return { p, env: JSON.stringify(table), all: Object.values(p) as FakeProvider[] };
}

async function withEnv<T>(env: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const old = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
  else process.env[k] = v;
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(old)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

const byRule = (r: Report, ruleId: string, secret?: string): ReportFinding[] => r.findings.filter((f) => f.ruleId === ruleId && (secret === undefined || f.redacted === redactedOf(r, secret)));
let redactedIndex: Map<string, string> | undefined;
const redactedOf = (_r: Report, secret: string) => redactedIndex?.get(secret);

t.test('scan --verify on the leaky sample: each provider live or invalid as its server says, live keys raised to critical', async (t) => {
  const { p, env, all } = await providers(LIVE);
  // The report with values, to know each planted value's redacted form (the verified report keeps values redacted).
  const plain = await runMain(['scan', LEAKY_APK, '--format', 'json', '--show-secrets', '--fail-on', 'none', '--quiet']);
  const withValues = JSON.parse(plain.stdout) as Report;
  redactedIndex = new Map(withValues.findings.map((f) => [f.secret!, f.redacted]));
  t.equal(all.reduce((n, s) => n + s.requests.length, 0), 0, 'a scan without --verify sent nothing');

  const run = await withEnv({ LEAKDEX_VERIFY_ENDPOINTS: env }, () => runMain(['scan', LEAKY_APK, '--verify', '--format', 'json', '--fail-on', 'none']));
  t.equal(run.status, 0, run.stderr);
  const r = JSON.parse(run.stdout) as Report;
  t.notOk(run.stdout.includes(value('github-token')) || run.stdout.includes(value('aws-secret-access-key')), 'values stay redacted in the verified report');
  t.ok(r.findings.every((f) => f.secret === undefined), 'no finding carries its value');
  t.ok(r.findings.every((f) => f.verification && ['live', 'invalid', 'unverifiable', 'error', 'skipped'].includes(f.verification.status)), 'every finding has a verification');
  t.match(run.stderr, /verified: \d+ live, \d+ invalid/);

  const one = (ruleId: string, secret?: string) => {
    const found = byRule(r, ruleId, secret);
    t.equal(found.length, 1, `one ${ruleId} finding`);
    return found[0]!;
  };
  const consumerKey = one('twitter-consumer-key');
  t.equal(consumerKey.verification!.status, 'live', 'twitter consumer pair: live');
  t.equal(consumerKey.severity, 'critical');
  t.equal(consumerKey.verification!.severityBefore, 'medium', 'raised from medium, and says so');
  t.equal(consumerKey.confidence, 'high', 'verified: its confidence is high (it was medium)');
  t.match(consumerKey.reason!, /^verified live: /);
  t.equal(one('twitter-consumer-secret').verification!.status, 'live');
  t.equal(one('twitter-bearer-token').verification!.status, 'invalid', 'bearer refused with 401');
  t.equal(one('twitter-bearer-token').severity, 'high', 'an invalid key keeps its severity and stays reported');
  t.equal(one('facebook-app-secret').verification!.status, 'live');
  t.equal(one('facebook-app-access-token').verification!.status, 'live');
  t.same(one('facebook-app-access-token').verification!.evidence, { appId: value('facebook-app-id'), appName: 'Leakdex Sample' });
  t.equal(one('facebook-access-token').verification!.status, 'invalid');
  t.match(one('facebook-access-token').verification!.reason, /error 190/);
  t.equal(one('facebook-app-id').verification!.status, 'unverifiable');
  t.match(one('facebook-app-id').verification!.reason, /public by design/);

  const db = one('firebase-database-url');
  t.equal(db.verification!.status, 'live', 'the database URL answers an unauthenticated read');
  t.equal(db.severity, 'low', 'the URL itself keeps its severity: the exposure is its own finding');
  const open = one('firebase-database-open');
  t.equal(open.severity, 'critical');
  t.equal(open.title, 'Firebase Realtime Database readable by anyone');
  t.same(open.verification!.evidence, { openPaths: ['/'], topLevelKeys: 3 }, 'the count of top-level keys, never the data');
  t.same(open.locations, db.locations);
  t.notOk(open.reason!.includes(value('firebase-database-url')), 'the URL is redacted in the exposure’s reason too');
  const bucket = one('firebase-storage-open');
  t.same([bucket.severity, bucket.title], ['critical', 'Firebase Storage bucket listable by anyone']);
  t.same(bucket.verification!.evidence, { bucket: 'leakdex-sample-app.appspot.com', openPaths: ['/'], listedObjects: 1 }, 'the count of objects listed, never their names');
  t.same(byRule(r, 'firebase-firestore-open'), [], 'Firestore refused the unauthenticated query: no exposure');
  t.match(db.verification!.reason, /^an unauthenticated read of https:\/\/lea…om\/\.json succeeded .*; an unauthenticated listing of gs:\/\/leakdex-sample-app\.appspot\.com succeeded.*; Firestore refuses reads without credentials$/);
  t.same(p.storage.requests.map((q) => `${q.method} ${q.path}?${q.query}`), ['GET /v0/b/leakdex-sample-app.appspot.com/o?maxResults=1'], 'the project’s default bucket, one object at most');
  t.same(p.firestore.requests.map((q) => `${q.method} ${q.path}`), ['POST /v1/projects/leakdex-sample-app/databases/(default)/documents:runQuery']);
  t.same(JSON.parse(p.firestore.requests[0]!.body).structuredQuery.select, { fields: [{ fieldPath: '__name__' }] }, 'document names only, never their fields');

  const clientKey = one('google-api-key', value('google-api-key', 0));
  t.equal(clientKey.verification!.status, 'invalid', 'a restricted Firebase client key');
  t.match(clientKey.verification!.reason, /restricted: none of the billable APIs/);
  t.equal(clientKey.severity, 'low');
  const mapsKey = one('google-api-key', value('google-api-key', 1));
  t.equal(mapsKey.verification!.status, 'live', 'the Maps key is accepted by the Directions API');
  t.same(mapsKey.verification!.evidence, { acceptedBy: ['Directions API'], refusedBy: ['Geocoding API'] });
  t.equal(mapsKey.severity, 'critical');

  const aws = one('aws-secret-access-key', value('aws-secret-access-key'));
  t.equal(aws.verification!.status, 'live', 'STS checked the SigV4 signature and answered');
  t.same(aws.verification!.evidence, { account: '123456789012', arn: 'arn:aws:iam::123456789012:user/leakdex-sample', userId: 'AIDAEXAMPLEUSERID' });
  t.equal(one('aws-access-key-id', value('aws-access-key-id')).verification!.status, 'live');
  const docsPair = r.findings.filter((f) => (f.ruleId === 'aws-access-key-id' || f.ruleId === 'aws-secret-access-key') && f.redacted !== redactedOf(r, value(f.ruleId)));
  t.same(docsPair.map((f) => f.verification!.status), ['invalid', 'invalid'], 'the other pair in the app (AWS documentation’s example key) is refused by STS');
  t.equal(p.sts.requests.length, 2, 'one check per pair: each key id and its secret are one check');
  t.equal(one('aws-cognito-identity-pool').verification!.status, 'invalid');
  t.match(one('aws-cognito-identity-pool').verification!.reason, /does not allow unauthenticated/);

  const gh = one('github-token');
  t.equal(gh.verification!.status, 'live');
  t.same(gh.verification!.evidence, { account: 'leakdex-sample', accountId: '424242', scopes: ['repo', 'read:org'] });
  t.equal(gh.verification!.host, 'https://api.github.com', 'the official origin is reported, not the replacement');

  const fcm = one('firebase-fcm-server-key');
  t.equal(fcm.verification!.status, 'live', 'FCM answered after its 429');
  t.equal(p.fcm.requests.length, 2, 'one 429, then one retry');
  t.ok(p.fcm.requests[1]!.at - p.fcm.requests[0]!.at >= 950, `the retry waited for Retry-After: 1 (${p.fcm.requests[1]!.at - p.fcm.requests[0]!.at} ms)`);

  // Exactly the calls of the verifiers' tables: method, path, auth scheme; nothing that writes.
  t.same(p.twitter.requests.map((q) => `${q.method} ${q.path} ${String(q.headers.authorization).split(' ')[0]}`).sort(), ['GET /1.1/application/rate_limit_status.json Bearer', 'POST /oauth2/token Basic']);
  t.equal(p.twitter.requests.find((q) => q.method === 'POST')!.headers['content-type'], 'application/x-www-form-urlencoded;charset=UTF-8');
  t.same(p.graph.requests.map((q) => `${q.method} ${q.path}`).sort(), ['GET /app', 'GET /me', 'GET /oauth/access_token']);
  t.same(p.database.requests.map((q) => `${q.method} ${q.path}?${q.query}`), ['GET /.json?shallow=true']);
  t.same(p.github.requests.map((q) => `${q.method} ${q.path} ${String(q.headers.authorization).split(' ')[0]}`), ['GET /user Bearer']);
  t.same(p.sts.requests.map((q) => `${q.method} ${q.path} ${String(q.headers.authorization).split(' ')[0]}`), ['POST / AWS4-HMAC-SHA256', 'POST / AWS4-HMAC-SHA256']);
  t.same(p.cognito.requests.map((q) => `${q.method} ${q.path} ${String(q.headers['x-amz-target'])}`), ['POST / AWSCognitoIdentityService.GetId']);
  t.same(p.fcm.requests.map((q) => JSON.parse(q.body).dry_run), [true, true], 'FCM is only ever asked for a dry run');
  for (const s of all) for (const q of s.requests) t.ok(q.method === 'GET' || q.method === 'POST', `${q.method} ${q.path}: GET or POST only`);
  t.equal(p.maps.requests.length, 5, 'maps: the client key tried on all 3 APIs, the Maps key on 2 (until Directions accepted it)');
  t.ok(r.rating.grade === 'F');
  t.end();
});

t.test('the text, SARIF, HTML and Markdown reports say what verification found', async (t) => {
  const { env } = await providers(LIVE);
  const dir = tempDir();
  for (const format of ['text', 'sarif', 'html', 'markdown']) {
    const out = join(dir, `r.${format}`);
    const run = await withEnv({ LEAKDEX_VERIFY_ENDPOINTS: env }, () => runMain(['scan', LEAKY_APK, '--verify', '--format', format, '--output', out, '--fail-on', 'none', '--quiet']));
    t.equal(run.status, 0, run.stderr);
    const text = readFileSync(out, 'utf8');
    t.match(text, /verified LIVE \(raised from medium\) via https:\/\/api\.twitter\.com/, `${format}: the live consumer key`);
    t.match(text, /verified invalid via https:\/\/graph\.facebook\.com/, `${format}: an invalid token`);
    t.match(text, /Firebase Realtime Database readable by anyone/, `${format}: the open database`);
    if (format === 'sarif') {
      const sarif = JSON.parse(text);
      const live = sarif.runs[0].results.filter((x: { properties: { verification?: { status: string } } }) => x.properties.verification?.status === 'live');
      t.ok(live.length >= 8, `SARIF properties carry the verification (${live.length} live)`);
    }
  }
});

t.test('--fail-on live gates on working keys only; it needs --verify', async (t) => {
  const { env } = await providers(LIVE);
  const failing = await withEnv({ LEAKDEX_VERIFY_ENDPOINTS: env }, () => runMain(['scan', LEAKY_APK, '--verify', '--fail-on', 'live', '--quiet']));
  t.equal(failing.status, 1, 'live keys fail the build');
  t.match(failing.stdout, /FAIL: \d+ credential\(s\) verified live/);
  const none = await providers({});
  const passing = await withEnv({ LEAKDEX_VERIFY_ENDPOINTS: none.env }, () => runMain(['scan', LEAKY_APK, '--verify', '--fail-on', 'live', '--quiet']));
  t.equal(passing.status, 0, 'every key refused by its provider: the live gate passes although critical findings remain');
  t.match(passing.stdout, /PASS: no credential verified live/);
  const usage = await runMain(['scan', LEAKY_APK, '--fail-on', 'live']);
  t.equal(usage.status, 2);
  t.match(usage.stderr, /--fail-on live needs --verify/);
  const both = await runMain(['scan', LEAKY_APK, '--verify', '--verify-dry-run']);
  t.equal(both.status, 2);
  const bad = await withEnv({ LEAKDEX_VERIFY_ENDPOINTS: '{"https://api.github.com": "ftp://x"}' }, () => runMain(['scan', LEAKY_APK, '--verify']));
  t.equal(bad.status, 2);
  t.match(bad.stderr, /LEAKDEX_VERIFY_ENDPOINTS/);
});

t.test('--verify-dry-run lists each check and its host and sends nothing', async (t) => {
  const { env, all } = await providers(LIVE);
  const run = await withEnv({ LEAKDEX_VERIFY_ENDPOINTS: env }, () => runMain(['scan', LEAKY_APK, '--verify-dry-run', '--format', 'json', '--fail-on', 'none']));
  t.equal(run.status, 0, run.stderr);
  t.equal(all.reduce((n, s) => n + s.requests.length, 0), 0, 'no request reached any server');
  const r = JSON.parse(run.stdout) as Report;
  const gh = r.findings.find((f) => f.ruleId === 'github-token')!;
  t.same([gh.verification!.status, gh.verification!.host, gh.verification!.reason], ['skipped', 'https://api.github.com', 'dry run: would call GET /user on https://api.github.com']);
  t.equal(r.findings.find((f) => f.ruleId === 'firebase-database-url')!.verification!.host, 'https://leakdex-sample-app.firebaseio.com');
  t.equal(r.findings.find((f) => f.ruleId === 'facebook-app-id')!.verification!.status, 'unverifiable');
  t.match(run.stderr, /verify dry run: \d+ finding\(s\) would be checked against \d+ host\(s\) \(.*https:\/\/sts\.amazonaws\.com.*\); no request was sent/);
  t.notOk(r.findings.some((f) => f.severity === 'critical' && f.verification?.severityBefore), 'nothing raised');
  // Every host a check of the sample would call is routed to a local server by these tests: nothing leaves the machine.
  const table = JSON.parse(env) as Record<string, string>;
  const hosts = [...new Set(r.findings.map((f) => f.verification?.host).filter((h): h is string => h !== undefined))];
  t.same(hosts.filter((h) => !(h in table)), [], `all ${hosts.length} hosts of the sample's checks are replaced`);
});

t.test('no socket at all without --verify: every connect and DNS lookup of the CLI and its workers is recorded', async (t) => {
  const { env } = await providers(LIVE);
  const dir = tempDir();
  const hook = join(dir, 'net-hook.cjs');
  const log = join(dir, 'net.log');
  writeFileSync(
    hook,
    `const net = require('node:net'); const dns = require('node:dns'); const fs = require('node:fs');
const log = (s) => fs.appendFileSync(${JSON.stringify(log)}, process.pid + ' ' + s + '\\n');
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...a) { const o = Array.isArray(a[0]) ? a[0][0] : a[0]; log('connect ' + (o && typeof o === 'object' ? (o.path ? 'ipc' : o.host + ':' + o.port) : String(o))); return connect.apply(this, a); };
const lookup = dns.lookup; dns.lookup = function (h, ...r) { log('lookup ' + h); return lookup.call(this, h, ...r); };
log('loaded');\n`,
  );
  // Asynchronous: the fake providers answer from this process's event loop while the CLI runs.
  const run = (args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'scan', LEAKY_APK, '--quiet', '--fail-on', 'none', ...args], { env: { ...process.env, NODE_OPTIONS: `--require ${hook}`, LEAKDEX_VERIFY_ENDPOINTS: env } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d));
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  const plain = await run([]);
  t.equal(plain.status, 0, plain.stderr);
  const lines = readFileSync(log, 'utf8').trim().split('\n');
  t.ok(lines.filter((l) => l.endsWith(' loaded')).length >= 2, 'the hook ran in the CLI and in its scan workers');
  t.same(lines.filter((l) => !l.endsWith(' loaded') && !l.endsWith('connect ipc')), [], 'no connect and no lookup without --verify');
  writeFileSync(log, '');
  const verified = await run(['--verify', '--format', 'json']);
  t.equal(verified.status, 0, verified.stderr);
  t.match(readFileSync(log, 'utf8'), /connect 127\.0\.0\.1:\d+/, 'with --verify the same hook sees the connections (it can see them)');
  // The process waits for every check (a CLI whose only pending work is a timer must not exit early with no report).
  const report = JSON.parse(verified.stdout) as Report;
  t.ok(report.findings.length > 20 && report.findings.every((f) => f.verification !== undefined), 'the verified report was written, every finding verified');
  t.equal(report.findings.find((f) => f.ruleId === 'github-token')!.verification!.status, 'live');
});

/** A report of hand-made findings for the engine tests. */
function reportOf(findings: Partial<ReportFinding>[]): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'leakdex', version: 'test' },
    artifact: { path: 'x.apk', sha256: '0'.repeat(64), size: 1, kind: 'apk', platform: 'android', app: {} },
    findings: findings.map((f, i) => ({ provider: 'github', title: 'GitHub token', severity: 'critical', confidence: 'high', redacted: 'ghp_…', fingerprint: `fp${i}`, locations: [{ entry: 'classes.dex', decoder: 'dex', pointer: `string_ids[${i}]` }], ruleId: 'github-token', ...f })) as ReportFinding[],
    rating: { grade: 'A', score: 0, counts: { critical: 0, high: 0, medium: 0, low: 0, info: 0 } },
    diagnostics: [],
    stats: { entries: 1, bytesRead: 1, bytesInflated: 1, strings: 1, durationMs: 1, stages: { unzip: 0, decode: 0, detect: 0 } },
  };
}

t.test('engine: one check per credential, cached by fingerprint; 429 beyond the longest wait, 5xx, timeouts and a leaking reason', async (t) => {
  const tokenA = `ghp_${'a1B2'.repeat(9)}`;
  let slow = false;
  const gh = await fakeProvider((req, res) => {
    if (slow) return void setTimeout(() => json(res, 200, {}), 2_000);
    githubHandler({ githubTokens: [tokenA] })(req, res);
  });
  const endpoints = parseEndpoints(JSON.stringify({ 'https://api.github.com': gh.base }));
  const cache = new MemoryVerifyCache();
  const r1 = reportOf([{ secret: tokenA, fingerprint: 'same' }, { secret: tokenA, fingerprint: 'same', locations: [{ entry: 'assets/a.js', decoder: 'js', pointer: 'line 1' }] }, { secret: `ghp_${'z9Y8'.repeat(9)}`, fingerprint: 'other' }]);
  const s1 = await verifyReport(r1, { endpoints, cache });
  t.equal(gh.requests.length, 2, 'two distinct tokens, two requests');
  t.same(r1.findings.map((f) => f.verification!.status), ['live', 'live', 'invalid']);
  t.same([s1.checked, s1.cached], [2, 0]);
  const r2 = reportOf([{ secret: tokenA, fingerprint: 'same' }]);
  const s2 = await verifyReport(r2, { endpoints, cache });
  t.equal(gh.requests.length, 2, 'a second app version with the same key: answered from the cache');
  t.same([s2.checked, s2.cached, r2.findings[0]!.verification!.status], [0, 1, 'live']);

  // Hostile answers: a redirect elsewhere is not followed (the token stays with its host); a huge body is cut off.
  const elsewhere = await fakeProvider((_q, res) => json(res, 200, { login: 'attacker' }));
  const redirecting = await fakeProvider((_q, res) => res.writeHead(302, { location: `${elsewhere.base}/user` }).end());
  const r7 = reportOf([{ secret: tokenA, fingerprint: 'redirected' }]);
  await verifyReport(r7, { endpoints: parseEndpoints(JSON.stringify({ 'https://api.github.com': redirecting.base })) });
  t.same([r7.findings[0]!.verification!.status, elsewhere.requests.length], ['error', 0], 'a 302 is an unexpected answer, and its target is never asked');
  const huge = await fakeProvider((_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(Buffer.alloc(3 << 20, 0x20)));
  const r8 = reportOf([{ secret: tokenA, fingerprint: 'huge' }]);
  await verifyReport(r8, { endpoints: parseEndpoints(JSON.stringify({ 'https://api.github.com': huge.base })) });
  t.equal(r8.findings[0]!.verification!.status, 'error');
  t.match(r8.findings[0]!.verification!.reason, /limit/, 'an answer over 1 MiB is refused, not read');

  const limited = await fakeProvider((_q, res) => json(res, 429, { message: 'API rate limit exceeded' }, { 'retry-after': '3600' }));
  const r3 = reportOf([{ secret: tokenA }]);
  await verifyReport(r3, { endpoints: parseEndpoints(JSON.stringify({ 'https://api.github.com': limited.base })), maxRetryAfterMs: 5_000 });
  t.equal(limited.requests.length, 1, 'a Retry-After longer than the longest wait is not waited for, nor hammered');
  t.same([r3.findings[0]!.verification!.status, r3.findings[0]!.severity], ['error', 'critical']);
  t.match(r3.findings[0]!.verification!.reason, /rate limited \(HTTP 429, Retry-After 3600\)/);

  const failing = await fakeProvider((_q, res) => json(res, 503, { message: 'unavailable' }));
  const r4 = reportOf([{ secret: tokenA }]);
  await verifyReport(r4, { endpoints: parseEndpoints(JSON.stringify({ 'https://api.github.com': failing.base })), retries: 1 });
  t.equal(failing.requests.length, 2, 'a 5xx is retried once, then reported');
  t.match(r4.findings[0]!.verification!.reason, /the provider failed \(HTTP 503\)/);

  slow = true;
  const r5 = reportOf([{ secret: tokenA, fingerprint: 'slow' }]);
  await verifyReport(r5, { endpoints, timeoutMs: 300 });
  t.equal(r5.findings[0]!.verification!.status, 'error');
  t.match(r5.findings[0]!.verification!.reason, /GET \/user on https:\/\/api\.github\.com: .*(timed out|no response headers)/);

  const leaky: Verifier = { id: 'leaky', provider: 'x', ruleIds: ['github-token'], calls: [], readOnly: '', plan: (f) => ({ host: 'https://x.example', call: 'none', fingerprints: [f.fingerprint], run: async () => ({ status: 'invalid', reason: `refused ${f.secret}`, evidence: { echo: f.secret } }) }) };
  const r6 = reportOf([{ secret: tokenA }]);
  await verifyReport(r6, { verifiers: [leaky] });
  t.notOk(JSON.stringify(r6.findings[0]!.verification).includes(tokenA), 'a value in a reason or evidence is redacted');
  const outside: Verifier = { ...leaky, plan: (f) => ({ host: 'https://api.github.com', call: 'x', fingerprints: [f.fingerprint], run: (h) => h.request({ method: 'POST', url: 'https://api.github.com/user/repos' }).then(() => ({ status: 'live', reason: 'x' })) }) };
  await t.rejects(verifyReport(reportOf([{ secret: tokenA }]), { verifiers: [outside] }), VerifyConfigError, 'a call outside the table is refused, and is a bug, not a result');
});

t.test('Twitter: a user token signed with OAuth 1.0a (the server checks the signature), a valid bearer token', async (t) => {
  const [ck, cs, at, ats, bearer] = [fake(ALNUM, 25, 9101), fake(ALNUM, 50, 9102), `1${fake(DIGITS, 17, 9103)}-${fake(ALNUM, 40, 9104)}`, fake(ALNUM, 45, 9105), `${'A'.repeat(21)}${fake(ALNUM, 60, 9106)}`];
  // The server's own check of the signature (RFC 5849 section 3.4), written apart from src/verify/providers/twitter.ts.
  const enc = (x: string) => encodeURIComponent(x).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const server = await fakeProvider((q, res) => {
    if (q.path === '/1.1/application/rate_limit_status.json') return String(q.headers.authorization) === `Bearer ${bearer}` ? json(res, 200, { rate_limit_context: { application: 'x' }, resources: {} }) : json(res, 401, { errors: [{ code: 89, message: 'Invalid or expired token.' }] });
    if (q.path !== '/1.1/account/verify_credentials.json') return json(res, 404, {});
    const params = Object.fromEntries([...String(q.headers.authorization).replace(/^OAuth /, '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, decodeURIComponent(m[2]!)]));
    const signed = { ...params };
    delete signed.oauth_signature;
    const all = [...Object.entries(signed), ...q.query.entries()].map(([k, v]) => `${enc(k)}=${enc(v)}`).sort();
    const base = `GET&${enc('https://api.twitter.com/1.1/account/verify_credentials.json')}&${enc(all.join('&'))}`;
    const expected = createHmac('sha1', `${enc(cs)}&${enc(ats)}`).update(base).digest('base64');
    if (params.oauth_signature !== expected || params.oauth_token !== at || params.oauth_consumer_key !== ck) return json(res, 401, { errors: [{ code: 32, message: 'Could not authenticate you.' }] });
    json(res, 200, { id_str: '783214', screen_name: 'leakdex_sample', name: 'Sample' });
  });
  const r = reportOf([
    { ruleId: 'twitter-consumer-key', provider: 'twitter', secret: ck, fingerprint: 'ck', severity: 'medium' },
    { ruleId: 'twitter-consumer-secret', provider: 'twitter', secret: cs, fingerprint: 'cs', pairedWith: ['ck'] },
    { ruleId: 'twitter-access-token', provider: 'twitter', secret: at, fingerprint: 'at', severity: 'high' },
    { ruleId: 'twitter-access-token-secret', provider: 'twitter', secret: ats, fingerprint: 'ats', pairedWith: ['at'] },
    { ruleId: 'twitter-bearer-token', provider: 'twitter', secret: bearer, fingerprint: 'b', severity: 'high' },
  ]);
  await verifyReport(r, { endpoints: parseEndpoints(JSON.stringify({ 'https://api.twitter.com': server.base })) });
  const token = r.findings.find((f) => f.ruleId === 'twitter-access-token')!;
  t.same([token.verification!.status, token.verification!.evidence, token.severity, token.verification!.severityBefore], ['live', { account: 'leakdex_sample', accountId: '783214' }, 'critical', 'high']);
  t.equal(r.findings.find((f) => f.ruleId === 'twitter-access-token-secret')!.verification!.status, 'live');
  t.equal(r.findings.find((f) => f.ruleId === 'twitter-bearer-token')!.verification!.status, 'live');
  t.equal(server.requests.filter((q) => q.path === '/1.1/account/verify_credentials.json').length, 1, 'the token and its secret are one signed call');
  const alone = reportOf([{ ruleId: 'twitter-access-token', provider: 'twitter', secret: at }]);
  await verifyReport(alone, { endpoints: parseEndpoints(JSON.stringify({ 'https://api.twitter.com': server.base })) });
  t.equal(alone.findings[0]!.verification!.status, 'unverifiable');
  t.match(alone.findings[0]!.verification!.reason, /does not hold all four/);
});

t.test('endpoint table, origins, Retry-After and OAuth 1.0a signatures', async (t) => {
  t.throws(() => parseEndpoints('{'), /not JSON/);
  t.throws(() => parseEndpoints('["x"]'), /JSON object/);
  t.throws(() => parseEndpoints('{"http://api.github.com":"http://127.0.0.1:1"}'), /https origin/);
  t.throws(() => parseEndpoints('{"https://api.github.com":"http://127.0.0.1:1/path"}'), /bare http/);
  t.equal(parseEndpoints('{"https://api.github.com/":"http://127.0.0.1:9"}').get('https://api.github.com')!.host, '127.0.0.1:9');
  t.ok(originAllowed('https://*.firebaseio.com', 'https://my-db.firebaseio.com'));
  for (const o of ['https://a.b.firebaseio.com', 'https://evil.com', 'http://my-db.firebaseio.com', 'https://firebaseio.com', 'https://x.firebaseio.com.evil.com']) t.notOk(originAllowed('https://*.firebaseio.com', o), o);
  t.equal(retryAfterMs('2'), 2000);
  t.equal(retryAfterMs(new Date(Date.now() + 5000).toUTCString(), Date.now())! > 3000, true);
  t.equal(retryAfterMs('soon'), undefined);
  // OAuth Core 1.0, Appendix A.5.2: the specification's own example request and its HMAC-SHA1 signature.
  const header = oauth1Header('http://photos.example.net/photos?file=vacation.jpg&size=original', 'dpf43f3p2l4k3l03', 'kd94hf93k423kf44', 'nnch734d00sl2jdk', 'pfkkdhi9sl3r4s00', 'kllo9940pd9333jh', '1191242096');
  t.match(header, /oauth_signature="tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D"/, 'the specification’s signature');
  t.ok(VERIFIERS.every((v) => v.calls.every((c) => c.method === 'GET' || c.method === 'POST')), 'verifiers only read (GET, or a POST of their table)');
  t.ok(existsSync(join(ROOT, 'docs/verification.md')));
  const docs = readFileSync(join(ROOT, 'docs/verification.md'), 'utf8');
  for (const v of VERIFIERS) for (const c of v.calls) t.ok(docs.includes(c.origin), `docs/verification.md names ${c.origin} (${v.id})`);
});
