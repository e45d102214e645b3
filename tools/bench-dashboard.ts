/**
 * `npm run bench:dashboard`: server-side render time of each dashboard page (src/routes/web.ts) over a store holding
 * one large tenant: 200 apps, 2,000 versions and 50,000 findings written through the store's own API (insertScan ->
 * startScan -> completeScan, as the job runner does), some findings verified live, some marked compromised, a few
 * watches, and a second tenant with a little data. The app is built in this process without a job runner; a browser
 * session is opened through POST /ui/sign-in, and every page is requested through app.inject, whose wall time is the
 * whole request inside the process (routing, hooks, session, queries, rendering). Prints, per page, the median, p95
 * and max over the runs against the 100 ms target and the statements each page ran (traced on the store's Db, a
 * protected field reached through a cast), and for the overview and app pages each statement's plan (SQLite's EXPLAIN
 * QUERY PLAN, PostgreSQL's EXPLAIN), full scans flagged. Exits 1 when a page's median is over the target.
 *
 * Usage: node dist/tools/bench-dashboard.js [--postgres URL] [--runs 20] [--warmup 3] [--apps 200] [--versions 10]
 *   [--findings 50000] [--watches 8] [--seed 1] [--no-plans] [--keep]
 * With --postgres the same data is also written to a fresh schema of that database (dropped at the end) and measured.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { RULES } from '../rules/index.js';
import type { Rule, Severity } from '../rules/types.js';
import { buildApp, createLogger } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { keyedFingerprint, valueMac } from '../src/detect/fingerprint.js';
import { rate } from '../src/detect/rating.js';
import { redact } from '../src/detect/redact.js';
import type { CompromisedMark, FindingLocation, Verification } from '../src/findings.js';
import { WatchService } from '../src/market/watches.js';
import type { Report, ReportFinding } from '../src/report/types.js';
import { createApiKey } from '../src/service/auth.js';
import { findingKeys, type FindingKeys } from '../src/service/crypto.js';
import { Metrics } from '../src/service/metrics.js';
import { prepareCompletion } from '../src/service/results.js';
import type { Db } from '../src/store/db.js';
import { PostgresStore, SQLITE_FILE, SqliteStore } from '../src/store/index.js';
import type { Store } from '../src/store/types.js';
import { TOOL_NAME, TOOL_VERSION } from '../src/version.js';

/** A page's median render time must stay under this, ms. */
const TARGET_MS = 100;
const HOST = 'localhost:8080';
const DAY_MS = 86_400_000;

// ---- a deterministic data set ------------------------------------------------------------------------------------

/** mulberry32: the same seed makes the same data set, so runs (and both stores) compare. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VENDORS = ['acme', 'northwind', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', 'tyrell', 'cyberdyne', 'soylent', 'wonka', 'gringotts', 'oscorp', 'vandelay', 'dunder', 'pied', 'aperture', 'massive', 'contoso'];
const PRODUCTS = ['pay', 'wallet', 'banking', 'payments', 'fitness', 'chat', 'rides', 'food', 'shop', 'travel', 'music', 'news', 'weather', 'photos', 'notes', 'maps', 'health', 'paypoint', 'tickets', 'learn'];
const SEVERITY_MIX: [Severity, number][] = [
  ['critical', 0.12],
  ['high', 0.2],
  ['medium', 0.18],
  ['low', 0.3],
  ['info', 0.2],
];
/** Rules that real apps hit most (public-by-design client keys first): drawn more often than the rest. */
const COMMON = new Set([
  'google-api-key', 'firebase-database-url', 'facebook-app-id', 'facebook-client-token', 'stripe-publishable-key', 'aws-access-key-id', 'aws-secret-access-key', 'aws-cognito-identity-pool',
  'stripe-secret-key', 'github-token', 'slack-webhook', 'twitter-consumer-key', 'google-oauth-client-secret', 'firebase-fcm-server-key', 'private-key', 'slack-token',
]);
const REASONS: Partial<Record<Severity, string[]>> = {
  critical: ['secret shipped with its key id: together they sign requests', 'live secret key: full API access to the account'],
  high: ['access key id alone: identifies the key; look for its secret nearby', 'server key: anyone holding it can send push notifications to every user of the app'],
  low: ['public client key (Firebase/Maps configuration): expected in apps; restrict it to the app and to the APIs it needs', 'public by design, but check that the database rules do not allow unauthenticated reads or writes'],
  info: ['public by design: the SDK needs the id in the app; it identifies, it does not authenticate', 'published example value: documentation example'],
};

interface PlannedFinding extends ReportFinding {
  valueMac: string;
}

interface PlannedVersion {
  versionName: string;
  versionCode: string;
  signer: string | null;
  finishedAt: number;
  findings: PlannedFinding[];
  /** Set once stored. */
  scanId?: string;
  versionId?: string;
}

interface PlannedApp {
  platform: 'android' | 'ios';
  packageId: string;
  name: string;
  versions: PlannedVersion[];
}

interface Plan {
  apps: PlannedApp[];
  findings: number;
}

const exampleText = (e: string | { text: string }) => (typeof e === 'string' ? e : e.text);

/** A fresh value shaped like the rule's first example (its format prefix kept, the rest redrawn). */
function valueLike(rule: Rule, r: () => number): string {
  const ex = exampleText(rule.examples.match[0] ?? 'x'.repeat(32));
  const keep = Math.min(ex.length, /^(?:-----BEGIN [A-Z ]+-----|https?:\/\/[^/]*|[a-z]{2,6}_(?:live|test)_|xox[a-z]-|gh[pousr]_|GOCSPX-|AKIA|AIza|EAA)/.exec(ex)?.[0].length ?? 0);
  const pick = (s: string) => s[Math.floor(r() * s.length)]!;
  let out = ex.slice(0, keep);
  for (const c of ex.slice(keep)) out += /[a-z]/.test(c) ? pick('abcdefghijklmnopqrstuvwxyz') : /[A-Z]/.test(c) ? pick('ABCDEFGHIJKLMNOPQRSTUVWXYZ') : /[0-9]/.test(c) ? pick('0123456789') : c;
  return out.length >= 16 ? out : out + Array.from({ length: 16 - out.length }, () => pick('abcdef0123456789')).join('');
}

/** Where a value was seen, as the decoders name places. */
function locationsFor(app: PlannedApp, rule: Rule, r: () => number): FindingLocation[] {
  const constName = rule.id.toUpperCase().replace(/-/g, '_');
  const snake = rule.id.replace(/-/g, '_');
  const camel = rule.id.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
  const bundle = app.name.replace(/[^A-Za-z]/g, '');
  const n = Math.floor(r() * 4000);
  const android: (() => FindingLocation)[] = [
    () => ({ entry: r() < 0.6 ? 'classes.dex' : `classes${2 + Math.floor(r() * 4)}.dex`, decoder: 'dex', pointer: `string_ids[${n}] ${app.packageId}.BuildConfig.${constName}`, context: constName }),
    () => ({ entry: 'classes.dex', decoder: 'dex', pointer: `L${app.packageId.replace(/\./g, '/')}/net/ApiClient;->${camel}()Ljava/lang/String;+0x0002: return`, context: camel }),
    () => ({ entry: 'resources.arsc', decoder: 'arsc', pointer: `string/${snake}`, context: snake }),
    () => ({ entry: 'assets/config.json', decoder: 'json', pointer: `$.services.${camel}`, context: camel }),
    () => ({ entry: 'AndroidManifest.xml', decoder: 'axml', pointer: `meta-data[${app.packageId}.${constName}]`, context: `${app.packageId}.${constName}` }),
    () => ({ entry: r() < 0.5 ? 'lib/arm64-v8a/libnative-lib.so' : 'lib/armeabi-v7a/libnative-lib.so', decoder: 'elf', pointer: `.rodata+0x${(n * 16).toString(16)}` }),
    () => ({ entry: 'assets/.env', decoder: 'env', pointer: `line ${1 + (n % 40)}`, context: constName }),
  ];
  const ios: (() => FindingLocation)[] = [
    () => ({ entry: `Payload/${bundle}.app/${bundle}`, decoder: 'macho', pointer: `[arm64] __TEXT,__cstring+0x${(n * 32).toString(16)}` }),
    () => ({ entry: `Payload/${bundle}.app/Info.plist`, decoder: 'plist', pointer: camel, context: camel }),
    () => ({ entry: `Payload/${bundle}.app/GoogleService-Info.plist`, decoder: 'plist', pointer: constName, context: constName }),
    () => ({ entry: `Payload/${bundle}.app/config.json`, decoder: 'json', pointer: `$.${camel}`, context: camel }),
    () => ({ entry: `Payload/${bundle}.app/en.lproj/Localizable.strings`, decoder: 'strings', pointer: snake, context: snake }),
    () => ({ entry: `Payload/${bundle}.app/Frameworks/${bundle}Kit.framework/${bundle}Kit`, decoder: 'macho', pointer: `[arm64] __TEXT,__const+0x${n.toString(16)}` }),
  ];
  const kinds = app.platform === 'android' ? android : ios;
  const count = r() < 0.65 ? 1 : r() < 0.8 ? 2 : 3;
  return Array.from({ length: count }, () => kinds[Math.floor(r() * kinds.length)]!());
}

function verificationFor(f: { severity: Severity; provider: string }, r: () => number, at: number): Verification | undefined {
  const x = r();
  const checkedAt = new Date(at).toISOString();
  if (x < 0.04) return { status: 'live', checkedAt, reason: 'the provider accepted the credential: it works', verifier: f.provider, host: `https://api.${f.provider}.com`, evidence: { account: `acct-${Math.floor(r() * 1e6)}`, scopes: ['read', 'write'] }, ...(f.severity === 'critical' ? {} : { severityBefore: f.severity }) };
  if (x < 0.08) return { status: 'invalid', checkedAt, reason: 'the provider answered 401: the credential was revoked or never worked', verifier: f.provider, host: `https://api.${f.provider}.com` };
  if (x < 0.1) return { status: 'unverifiable', checkedAt, reason: 'no verifier for this provider' };
  return undefined;
}

/** The data set: apps with their versions and each version's findings (kept across versions by fingerprint). */
function makePlan(opts: { apps: number; versions: number; findings: number; seed: number; fingerprintKey: Buffer; now: number }): Plan {
  const r = rng(opts.seed);
  const bySeverity = new Map<Severity, { all: Rule[]; common: Rule[] }>();
  for (const rule of RULES) {
    const b = bySeverity.get(rule.severity) ?? { all: [], common: [] };
    b.all.push(rule);
    if (COMMON.has(rule.id)) b.common.push(rule);
    bySeverity.set(rule.severity, b);
  }
  const pickRule = (): Rule => {
    let x = r();
    let sev: Severity = 'info';
    for (const [s, p] of SEVERITY_MIX) {
      if (x < p) {
        sev = s;
        break;
      }
      x -= p;
    }
    const b = bySeverity.get(sev)!;
    const from = b.common.length && r() < 0.5 ? b.common : b.all;
    return from[Math.floor(r() * from.length)]!;
  };

  // Findings per version: apps differ a lot (a weight per app), versions of an app a little; scaled to the total.
  const weights = Array.from({ length: opts.apps }, () => Math.exp((r() + r() + r() - 1.5) * 1.2));
  const raw = weights.map((w) => Array.from({ length: opts.versions }, () => w * (0.8 + 0.4 * r())));
  const sum = raw.flat().reduce((a, b) => a + b, 0);
  const counts = raw.map((vs) => vs.map((x) => Math.max(0, Math.round((x * opts.findings) / sum))));
  let diff = opts.findings - counts.flat().reduce((a, b) => a + b, 0);
  while (diff !== 0) {
    const a = Math.floor(r() * opts.apps);
    const v = Math.floor(r() * opts.versions);
    if (diff < 0 && counts[a]![v]! === 0) continue;
    counts[a]![v]! += Math.sign(diff);
    diff -= Math.sign(diff);
  }

  const start = opts.now - 730 * DAY_MS;
  const apps: PlannedApp[] = [];
  const names = new Set<string>();
  for (let a = 0; a < opts.apps; a++) {
    let vendor: string;
    let product: string;
    do {
      vendor = VENDORS[Math.floor(r() * VENDORS.length)]!;
      product = PRODUCTS[Math.floor(r() * PRODUCTS.length)]!;
    } while (names.has(`${vendor}.${product}`) && names.size < VENDORS.length * PRODUCTS.length);
    const suffix = names.has(`${vendor}.${product}`) ? String(a) : '';
    names.add(`${vendor}.${product}`);
    const platform = r() < 0.8 ? 'android' : 'ios';
    const app: PlannedApp = {
      platform,
      packageId: `com.${vendor}.${product}${suffix}`,
      name: `${vendor[0]!.toUpperCase()}${vendor.slice(1)} ${product[0]!.toUpperCase()}${product.slice(1)}${suffix ? ` ${suffix}` : ''}`,
      versions: [],
    };
    // Android signers: most apps keep theirs, some rotate once (key rotation, a new owner), a few rotate back.
    const signer = (k: number) => createHash('sha256').update(`${app.packageId}\0signer\0${k}`).digest('hex');
    const rotateAt = r() < 0.15 ? 2 + Math.floor(r() * (opts.versions - 2)) : Infinity;
    const rotateBack = r() < 0.2 ? rotateAt + 2 : Infinity;
    let code = 100 + Math.floor(r() * 2000);
    let [major, minor, patch] = [1 + Math.floor(r() * 4), Math.floor(r() * 10), 0];
    let current: PlannedFinding[] = [];
    let serial = 0;
    const newFinding = (at: number): PlannedFinding => {
      const rule = pickRule();
      const value = valueLike(rule, r);
      const f: PlannedFinding = {
        ruleId: rule.id,
        provider: rule.provider,
        title: rule.title,
        severity: rule.severity,
        confidence: rule.confidence,
        redacted: redact(value),
        fingerprint: keyedFingerprint(opts.fingerprintKey, rule.id, `${value}\0${serial++}`),
        locations: locationsFor(app, rule, r),
        valueMac: valueMac(opts.fingerprintKey, value),
      };
      const reasons = REASONS[rule.severity];
      if (reasons && r() < 0.5) f.reason = reasons[Math.floor(r() * reasons.length)];
      const v = verificationFor(f, r, at);
      if (v) {
        f.verification = v;
        if (v.status === 'live') f.severity = 'critical';
      }
      return f;
    };
    for (let v = 0; v < opts.versions; v++) {
      const finishedAt = start + v * 70 * DAY_MS + a * 3 * 3600_000 + Math.floor(r() * 3600_000);
      const target = counts[a]![v]!;
      const kept = current.filter(() => r() < 0.88);
      while (kept.length > target) kept.splice(Math.floor(r() * kept.length), 1);
      while (kept.length < target) kept.push(newFinding(finishedAt));
      current = kept;
      code += 1 + Math.floor(r() * 30);
      if (r() < 0.3) [minor, patch] = [minor + 1, 0];
      else patch++;
      if (r() < 0.05) [major, minor, patch] = [major + 1, 0, 0];
      app.versions.push({
        versionName: `${major}.${minor}.${patch}`,
        versionCode: String(code),
        signer: platform === 'ios' ? null : signer(v >= rotateAt && v < rotateBack ? 1 : 0),
        finishedAt,
        findings: kept,
      });
    }
    apps.push(app);
  }
  return { apps, findings: apps.reduce((n, a) => n + a.versions.reduce((m, v) => m + v.findings.length, 0), 0) };
}

const SEV_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

/** The JSON report a scan of this version would have made (schemaVersion 1), before the service stores it. */
function reportOf(app: PlannedApp, v: PlannedVersion, sha256: string, size: number, filename: string, r: () => number): Report {
  const findings = [...v.findings].sort((a, b) => SEV_RANK[a.severity] - SEV_RANK[b.severity] || a.ruleId.localeCompare(b.ruleId) || a.fingerprint.localeCompare(b.fingerprint));
  const entries = 200 + Math.floor(r() * 3000);
  const android = app.platform === 'android';
  const ms = (x: number) => Math.round(x * 10) / 10;
  const decode = ms(200 + r() * 2000);
  return {
    schemaVersion: 1,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    artifact: {
      path: filename,
      sha256,
      size,
      kind: android ? 'apk' : 'ipa',
      platform: app.platform,
      app: android
        ? { id: app.packageId, name: app.name, versionName: v.versionName, versionCode: v.versionCode, minSdk: '24', targetSdk: '34', signer: v.signer!, signatureScheme: 'v3' }
        : { id: app.packageId, name: app.name, versionName: v.versionName, versionCode: v.versionCode, minOs: '15.0', teamId: 'LDX9SAMPL3', profileType: 'app-store', archs: ['arm64'], frameworks: ['Foundation', 'UIKit', 'FirebaseCore'] },
    },
    findings,
    rating: rate(findings),
    diagnostics: [],
    completeness: { complete: true, gaps: [] },
    stats: {
      entries,
      bytesRead: size,
      bytesInflated: Math.floor(size * 2.3),
      strings: entries * 40,
      durationMs: Math.round(decode * 1.6),
      stages: { unzip: ms(decode * 0.2), decode, detect: ms(decode * 0.4) },
      decoders: android
        ? { dex: { entries: 4, strings: entries * 30, bytes: Math.floor(size * 0.5), ms: ms(decode * 0.6) }, arsc: { entries: 1, strings: 3000, bytes: 400_000, ms: ms(decode * 0.1) }, axml: { entries: 1, strings: 300, bytes: 20_000, ms: 2.1 } }
        : { macho: { entries: 3, strings: entries * 30, bytes: Math.floor(size * 0.6), ms: ms(decode * 0.7) }, plist: { entries: 12, strings: 400, bytes: 60_000, ms: 4.3 } },
      workersPeakRssMb: 90 + Math.floor(r() * 200),
    },
  };
}

// ---- filling a store through its API ---------------------------------------------------------------------------

interface Filled {
  tenantId: string;
  /** The whole fill; the main tenant's scans alone. */
  seconds: number;
  scanSeconds: number;
  scans: number;
  findings: number;
  compromised: number;
  watches: number;
  bytes?: number;
}

/** One version stored as the job runner stores a scan: insertScan, startScan, completeScan (prepareCompletion's output). */
async function storeVersion(store: Store, config: Config, keys: FindingKeys, tenantId: string, app: PlannedApp, v: PlannedVersion, r: () => number): Promise<void> {
  const id = randomUUID();
  const sha256 = createHash('sha256').update(`${app.packageId}\0${v.versionCode}`).digest('hex');
  const size = 8_000_000 + Math.floor(r() * 60_000_000);
  const filename = `${app.packageId}-${v.versionName}.${app.platform === 'android' ? 'apk' : 'ipa'}`;
  await store.insertScan({ id, tenantId, sha256, size, filename, uploadPath: join(config.dataDir, 'uploads', id), entriesTotal: 500, createdAt: v.finishedAt - 90_000 });
  const claimed = await store.startScan(id, 'bench-dashboard', v.finishedAt - 60_000, 600_000);
  if (claimed?.id !== id) throw new Error(`startScan did not take the scan just queued (${id})`);
  const completion = prepareCompletion(reportOf(app, v, sha256, size, filename, r), keys, filename);
  if (!(await store.completeScan(id, 'bench-dashboard', completion, v.finishedAt))) throw new Error(`completeScan(${id}) refused`);
  const scan = await store.getScan(tenantId, id);
  v.scanId = id;
  v.versionId = scan!.versionId!;
}

async function fill(store: Store, config: Config, plan: Plan, small: Plan, seed: number, watchCount: number): Promise<Filled> {
  const t0 = performance.now();
  const r = rng(seed + 1);
  const keys = findingKeys(config);
  const tenant = await store.ensureTenant('acme');
  let scans = 0;
  for (const app of plan.apps) {
    for (const v of app.versions) {
      await storeVersion(store, config, keys, tenant.id, app, v, r);
      scans++;
    }
  }
  const scanSeconds = (performance.now() - t0) / 1000;
  // Known-compromised marks (FeedStore.markCompromised, as a feed match makes them) on every version of some findings
  // of one app in ten: the overview counts those of the newest version.
  let compromised = 0;
  const feedId = randomUUID();
  for (const [i, app] of plan.apps.entries()) {
    if (i % 10 !== 3) continue;
    const latest = app.versions.at(-1)!;
    const marked = new Set(latest.findings.slice(0, 1 + (i % 3)).map((f) => f.fingerprint));
    for (const v of app.versions) {
      for (const f of await store.listVersionFindings(tenant.id, v.versionId!)) {
        if (!marked.has(f.fingerprint)) continue;
        const mark: CompromisedMark = { feed: 'breach-keys', feedId, source: 'paste site dump', seenOn: '2025-03-14', markedAt: new Date(latest.finishedAt + 3600_000).toISOString(), severityBefore: f.severity };
        await store.feeds.markCompromised(f.id, JSON.stringify(mark));
        compromised++;
      }
    }
  }
  const watches = await addWatches(store, tenant.id, plan, r, watchCount);
  const other = await store.ensureTenant('other-co');
  for (const app of small.apps) for (const v of app.versions) await storeVersion(store, config, keys, other.id, app, v, r);
  await addWatches(store, other.id, small, r, 1);
  return { tenantId: tenant.id, seconds: (performance.now() - t0) / 1000, scanSeconds, scans, findings: plan.findings, compromised, watches };
}

/** A few watches of every kind (WatchService.create), most checked once, one paused, one failing, some with found versions. */
async function addWatches(store: Store, tenantId: string, plan: Plan, r: () => number, count = 8): Promise<number> {
  const service = new WatchService(store);
  const now = Date.now();
  const urls = [
    `https://github.com/${plan.apps[0]!.packageId.split('.')[1]}/android-app/releases`,
    `https://f-droid.org/packages/${plan.apps[1]?.packageId ?? 'org.example.app'}/`,
    `https://play.google.com/store/apps/details?id=${plan.apps[2]?.packageId ?? 'com.example.app'}`,
    'https://apps.apple.com/us/app/example/id1234567890',
    'https://downloads.example.com/builds/latest.apk',
    'https://github.com/example/ios-app/releases/latest',
    'https://cdn.example.org/app/release.apk',
    'https://f-droid.org/en/packages/org.example.notes/',
    ...Array.from({ length: Math.max(0, count - 8) }, (_, i) => `https://downloads.example.com/builds/app-${i + 1}.apk`),
  ].slice(0, count);
  const ids: string[] = [];
  for (const url of urls) ids.push((await service.create(tenantId, { url, intervalS: [3600, 21_600, 86_400][ids.length % 3]! })).watch.id);
  const claimed = await store.watches.claimDue('bench-dashboard', now, now + 60_000, ids.length);
  for (const [i, w] of claimed.entries()) {
    if (i === claimed.length - 1 && claimed.length > 1) continue; // never checked
    const failing = i === 3;
    await store.watches.release(w.id, 'bench-dashboard', { nextCheckAt: now + w.intervalS * 1000, state: null, errors: failing ? 2 : 0, lastError: failing ? 'GET https://apps.apple.com/… answered 503' : null, lastCheckedAt: now - Math.floor(r() * 3600_000) });
    if (failing) continue;
    const app = plan.apps[i % plan.apps.length]!;
    for (const v of app.versions.slice(-3)) {
      const id = randomUUID();
      await store.watches.insertVersion({ id, watchId: w.id, tenantId, key: v.versionCode, status: 'seen', versionName: v.versionName, versionCode: v.versionCode, createdAt: v.finishedAt });
      if (v.scanId) await store.watches.setVersionQueued(id, v.scanId, v.finishedAt);
      await store.watches.setVersionStatus(id, 'notified', v.finishedAt);
    }
  }
  if (ids.length > 2) await store.watches.setPaused(tenantId, ids[2]!, true);
  return ids.length;
}

// ---- measuring -----------------------------------------------------------------------------------------------------

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface PageResult {
  name: string;
  url: string;
  median: number;
  p95: number;
  max: number;
  bytes: number;
  queries: number;
  /** Time in the store's statements during a traced request (the fastest of three), ms. */
  dbMs: number;
}

interface Query {
  sql: string;
  params: unknown[];
  /** Wall time of the statement, ms. */
  ms: number;
}

/** The store's Db (a protected field of SqlStore): reached through a cast, only to trace and explain its queries. */
function dbOf(store: Store): Db {
  const db = (store as unknown as { db?: Db }).db;
  if (!db || typeof db.all !== 'function') throw new Error('the store has no reachable db handle');
  return db;
}

/** Records every statement the store runs while `fn` runs (the Db's methods wrapped on the instance, then restored). */
async function traced(db: Db, fn: () => Promise<void>): Promise<Query[]> {
  const seen: Query[] = [];
  const target = db as unknown as Record<string, unknown>;
  for (const name of ['all', 'get', 'run'] as const) {
    const original = db[name].bind(db) as (sql: string, params?: unknown[]) => Promise<unknown>;
    target[name] = async (sql: string, params: unknown[] = []) => {
      const t = performance.now();
      try {
        return await original(sql, params);
      } finally {
        seen.push({ sql, params, ms: performance.now() - t });
      }
    };
  }
  try {
    await fn();
  } finally {
    for (const name of ['all', 'get', 'run']) delete target[name];
  }
  return seen;
}

const oneLine = (sql: string) => sql.replace(/\s+/g, ' ').trim();

/**
 * The plan of each query not explained before (`done`), SQLite's EXPLAIN QUERY PLAN tree or the plan nodes of
 * PostgreSQL's EXPLAIN, with full scans flagged.
 */
async function explain(db: Db, queries: Query[], done: Set<string>): Promise<string[]> {
  const out: string[] = [];
  for (const q of queries) {
    // The same statement with another number of values in its IN list is the same query.
    const key = q.sql.replace(/\$\d+(?:, \$\d+)+/g, '$n, ...');
    if (done.has(key) || /\b(web_sessions|api_keys)\b/.test(q.sql)) continue;
    done.add(key);
    const text = oneLine(q.sql);
    out.push(`  [${q.ms.toFixed(1)} ms] ${text.length > 150 ? `${text.slice(0, 147)}...` : text}`);
    if (db.dialect === 'sqlite') {
      const rows = await db.all<{ id: number; parent: number; detail: string }>(`EXPLAIN QUERY PLAN ${q.sql}`, q.params as never);
      const depth = new Map<number, number>([[0, 0]]);
      for (const row of rows) {
        const d = (depth.get(row.parent) ?? 0) + 1;
        depth.set(row.id, d);
        const full = /^SCAN /.test(row.detail) && !/USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY/.test(row.detail);
        out.push(`  ${'  '.repeat(d)}${row.detail}${full ? '   <-- full scan' : ''}`);
      }
    } else {
      const rows = await db.all<{ 'QUERY PLAN': string }>(`EXPLAIN ${q.sql}`, q.params as never);
      for (const row of rows) {
        const line = row['QUERY PLAN'];
        const shown = line.length > 200 ? `${line.slice(0, 197)}...` : line;
        if (/Scan|Join|Loop|Sort|Aggregate|Limit|SubPlan|InitPlan|BitmapAnd|Index Cond/.test(line)) out.push(`    ${shown}${/Seq Scan/.test(line) ? '   <-- full scan' : ''}`);
      }
    }
  }
  return out;
}

interface BenchResult {
  store: string;
  fill: Filled;
  pages: PageResult[];
  plans: Map<string, string[]>;
}

async function benchStore(label: string, store: Store, dataDir: string, plan: Plan, small: Plan, o: { runs: number; warmup: number; seed: number; fingerprintKey: string; watches: number }): Promise<BenchResult> {
  const config = loadConfig({
    env: {},
    overrides: { dataDir, bootstrapKey: false, logLevel: 'warn', jobs: { enabled: false }, rateLimit: { max: 1_000_000 }, secrets: { store: false, fingerprintKey: o.fingerprintKey } },
  });
  console.log(`\n[${label}] filling: ${plan.apps.length} apps, ${plan.apps.length * (plan.apps[0]?.versions.length ?? 0)} versions, ${plan.findings} findings through insertScan -> startScan -> completeScan ...`);
  const filled = await fill(store, config, plan, small, o.seed, o.watches);
  if (store instanceof SqliteStore) filled.bytes = [SQLITE_FILE, `${SQLITE_FILE}-wal`].reduce((n, f) => n + (statSync(join(dataDir, f), { throwIfNoEntry: false })?.size ?? 0), 0);
  console.log(
    `[${label}] filled in ${filled.seconds.toFixed(1)} s: ${filled.scans} scans in ${filled.scanSeconds.toFixed(1)} s (${(filled.scans / filled.scanSeconds).toFixed(0)} scans/s, ${(filled.findings / filled.scanSeconds).toFixed(0)} findings/s), ` +
      `${filled.compromised} compromised marks, ${filled.watches} watches; second tenant ${small.apps.length} apps, ${small.findings} findings${filled.bytes ? `; database ${(filled.bytes / 1024 ** 2).toFixed(1)} MiB` : ''}`,
  );

  const log = createLogger('warn', new Writable({ write: (chunk, _enc, cb) => (process.stderr.write(chunk), cb()) }));
  const app = await buildApp({ config, store, metrics: new Metrics(), keys: findingKeys(config) }, log);
  await app.ready();
  try {
    const { token } = await createApiKey(store, 'acme', ['admin'], 'bench-dashboard');
    const signIn = await app.inject({
      method: 'POST',
      url: '/ui/sign-in',
      headers: { host: HOST, origin: `http://${HOST}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ key: token, next: '/ui' }).toString(),
    });
    const cookie = /^(leakdex_session=[^;]+)/.exec(String(signIn.headers['set-cookie'] ?? ''))?.[1];
    if (signIn.statusCode !== 303 || !cookie) throw new Error(`sign-in answered ${signIn.statusCode} without a session cookie: ${signIn.body.slice(0, 300)}`);

    // The heaviest app (most findings in its newest version): the worst case of the app and version pages.
    const heavy = [...plan.apps].sort((a, b) => b.versions.at(-1)!.findings.length - a.versions.at(-1)!.findings.length)[0]!;
    const appId = (await store.findApps(filled.tenantId, heavy.packageId))[0]!.id;
    const latest = heavy.versions.at(-1)!;
    const first = heavy.versions[0]!;
    const total = plan.apps.length;
    // Each page with a piece of its content, so a page that renders empty or wrong is not measured as a fast one.
    const pages: [name: string, url: string, holds: RegExp][] = [
      ['overview', '/ui', new RegExp(`1–${Math.min(50, total)} of ${total}<`)],
      ['overview, page 3', `/ui?offset=${Math.min(100, Math.max(0, total - 50))}`, new RegExp(`← previous</a><span>${Math.min(100, Math.max(0, total - 50)) + 1}–`)],
      ['overview, last page', `/ui?offset=${Math.max(0, Math.floor((total - 1) / 50) * 50)}`, new RegExp(`–${total} of ${total}<`)],
      ['overview, search q=pay', '/ui?q=pay', /href="\/ui\/apps\/[^"]+">[^<]*Pay/],
      [`app (${heavy.versions.length} versions)`, `/ui/apps/${appId}`, new RegExp(`${heavy.versions.length} version\\(s\\).*Version timeline.*Findings of the newest version`, 's')],
      [`version (${latest.findings.length} findings)`, `/ui/apps/${appId}/versions/${latest.versionId}`, new RegExp(`${latest.findings.length} finding\\(s\\).*id="diff"`, 's')],
      ['version ?compare=first', `/ui/apps/${appId}/versions/${latest.versionId}?compare=${first.versionId}`, /id="diff".*id="glance"/s],
      ['watches', '/ui/watches', /<table class="grid">.*\/pause/s],
      ['rules', '/ui/rules', new RegExp(`${RULES.length} rule\\(s\\)`)],
      ['rules ?q=aws', '/ui/rules?q=aws', /matching “aws”.*<code>aws-/s],
      ['upload', '/ui/upload', /id="upload-form"/],
    ];
    console.log(`[${label}] app page: ${heavy.packageId} (${latest.findings.length} findings in its newest version ${latest.versionName}, ${heavy.versions.reduce((n, v) => n + v.findings.length, 0)} over its versions)`);
    const get = async (url: string) => {
      const res = await app.inject({ method: 'GET', url, headers: { host: HOST, cookie } });
      if (res.statusCode !== 200) throw new Error(`GET ${url} answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
      return res;
    };
    const results: PageResult[] = [];
    const db = dbOf(store);
    const plans = new Map<string, string[]>();
    const explained = new Set<string>();
    for (const [name, url, holds] of pages) {
      if (!holds.test((await get(url)).body)) throw new Error(`GET ${url} does not hold ${holds}`);
      for (let i = 0; i < o.warmup; i++) await get(url);
      const times: number[] = [];
      let bytes = 0;
      for (let i = 0; i < o.runs; i++) {
        const t = performance.now();
        const res = await get(url);
        times.push(performance.now() - t);
        bytes = res.rawPayload.length;
      }
      times.sort((a, b) => a - b);
      // The statements of the page, timed: the fastest of three traced requests.
      let queries: Query[] = [];
      for (let i = 0; i < 3; i++) {
        const run = await traced(db, async () => void (await get(url)));
        if (i === 0 || run.reduce((n, q) => n + q.ms, 0) < queries.reduce((n, q) => n + q.ms, 0)) queries = run;
      }
      if (name.startsWith('overview') || name.startsWith('app ')) plans.set(`${name}  ${url}`, await explain(db, queries, explained));
      results.push({ name, url, median: percentile(times, 50), p95: percentile(times, 95), max: times.at(-1)!, bytes, queries: queries.length, dbMs: queries.reduce((n, q) => n + q.ms, 0) });
    }
    return { store: label, fill: filled, pages: results, plans };
  } finally {
    await app.close();
  }
}

function printResult(r: BenchResult, runs: number, warmup: number): boolean {
  let ok = true;
  console.log(`\n[${r.store}] server-side render time per page (app.inject wall time; ${warmup} warm-up, ${runs} runs each), target median < ${TARGET_MS} ms`);
  console.log('  (queries: statements one request ran; db ms: their summed time in the fastest of three traced requests, overlapping when a page runs them at once)');
  const w = Math.max(...r.pages.map((p) => p.name.length));
  console.log(`  ${'page'.padEnd(w)}  ${'median'.padStart(8)}  ${'p95'.padStart(8)}  ${'max'.padStart(8)}  ${'KiB'.padStart(6)}  ${'queries'.padStart(7)}  ${'db ms'.padStart(7)}  target`);
  for (const p of r.pages) {
    const pass = p.median <= TARGET_MS;
    ok &&= pass;
    console.log(`  ${p.name.padEnd(w)}  ${p.median.toFixed(1).padStart(8)}  ${p.p95.toFixed(1).padStart(8)}  ${p.max.toFixed(1).padStart(8)}  ${(p.bytes / 1024).toFixed(0).padStart(6)}  ${String(p.queries).padStart(7)}  ${p.dbMs.toFixed(1).padStart(7)}  ${pass ? 'pass' : 'FAIL'}`);
  }
  return ok;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      postgres: { type: 'string' },
      runs: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '3' },
      apps: { type: 'string', default: '200' },
      versions: { type: 'string', default: '10' },
      findings: { type: 'string', default: '50000' },
      seed: { type: 'string', default: '1' },
      watches: { type: 'string', default: '8' },
      'no-plans': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
  });
  const runs = Math.max(1, Number(values.runs));
  const warmup = Math.max(0, Number(values.warmup));
  const seed = Number(values.seed);
  const fingerprintKey = createHash('sha256').update(`bench-dashboard\0${seed}`).digest('hex');
  const now = Date.now();
  const t0 = performance.now();
  const plan = makePlan({ apps: Number(values.apps), versions: Number(values.versions), findings: Number(values.findings), seed, fingerprintKey: Buffer.from(fingerprintKey, 'hex'), now });
  const small = makePlan({ apps: 5, versions: 3, findings: 150, seed: seed + 100, fingerprintKey: Buffer.from(fingerprintKey, 'hex'), now });
  const all = plan.apps.flatMap((a) => a.versions.flatMap((v) => v.findings));
  const bySev = Object.entries(all.reduce<Record<string, number>>((m, f) => ((m[f.severity] = (m[f.severity] ?? 0) + 1), m), {})).map(([k, n]) => `${n} ${k}`);
  const live = all.filter((f) => f.verification?.status === 'live').length;
  const rotations = plan.apps.reduce((n, a) => n + a.versions.filter((v, i) => i > 0 && v.signer !== null && v.signer !== a.versions[i - 1]!.signer).length, 0);
  const rules = new Set(all.map((f) => f.ruleId)).size;
  console.log(`leakdex dashboard bench: data set made in ${((performance.now() - t0) / 1000).toFixed(1)} s (seed ${seed}): ${all.length} findings (${bySev.join(', ')}; ${live} verified live; ${rules} rules), ${rotations} signer changes`);

  const results: BenchResult[] = [];
  const o = { runs, warmup, seed, fingerprintKey, watches: Math.max(1, Number(values.watches)) };
  const dirs: string[] = [];
  try {
    const dataDir = mkdtempSync(join(tmpdir(), 'leakdex-bench-dashboard-'));
    dirs.push(dataDir);
    const sqlite = new SqliteStore(join(dataDir, SQLITE_FILE));
    try {
      await sqlite.migrate();
      results.push(await benchStore('sqlite', sqlite, dataDir, freshCopy(plan), freshCopy(small), o));
    } finally {
      await sqlite.close();
    }
    if (values.postgres) {
      const pgDir = mkdtempSync(join(tmpdir(), 'leakdex-bench-dashboard-pg-'));
      dirs.push(pgDir);
      const schema = `leakdex_bench_${randomBytes(6).toString('hex')}`;
      const pg = new PostgresStore(values.postgres, schema);
      try {
        await pg.migrate();
        results.push(await benchStore(`postgres (schema ${schema})`, pg, pgDir, freshCopy(plan), freshCopy(small), o));
      } finally {
        await pg.dropSchema().catch((e: unknown) => console.error(`could not drop schema ${schema}: ${e instanceof Error ? e.message : String(e)}`));
        await pg.close();
      }
    }
  } finally {
    if (values.keep) console.log(`kept: ${dirs.join(' ')}`);
    else for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }

  let ok = true;
  for (const r of results) {
    ok = printResult(r, runs, warmup) && ok;
    if (!values['no-plans']) {
      console.log(`\n[${r.store}] query plans of the overview and app pages, each statement once, with its time in the fastest traced request (session and key look-ups left out):`);
      for (const [page, lines] of r.plans) {
        if (lines.length === 0) continue; // its statements were shown for a page above
        console.log(` ${page}`);
        for (const line of lines) console.log(line);
      }
    }
  }
  console.log(`\ntarget: every page's median < ${TARGET_MS} ms: ${ok ? 'met' : 'MISSED'}`);
  if (!ok) process.exitCode = 1;
}

/** A copy of a plan whose stored ids (scan, version) are its own: each store gets the same data. */
function freshCopy(p: Plan): Plan {
  return { findings: p.findings, apps: p.apps.map((a) => ({ ...a, versions: a.versions.map((v) => ({ ...v, scanId: undefined, versionId: undefined })) })) };
}

main().catch((e) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exitCode = 1;
});
