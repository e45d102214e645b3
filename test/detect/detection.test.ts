import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHmac, randomBytes } from 'node:crypto';
import { decodeArsc } from '../../decoders/arsc.js';
import { decodeDex } from '../../decoders/dex.js';
import { decodePlist } from '../../decoders/plist.js';
import { decodeText } from '../../decoders/text.js';
import { collectingContext, type DecodedString } from '../../decoders/types.js';
import { ZipArchive, bufferSource } from '../../decoders/zip.js';
import { ALNUM, BASE64, HEX, fake } from '../../rules/fake.js';
import { RULES } from '../../rules/index.js';
import { Detector } from '../../src/detect/engine.js';
import { findingsOf, mergePartials } from '../../src/detect/partial.js';
import { ruleProblems } from '../../src/detect/rule-lint.js';
import { looksRandom } from '../../src/detect/values.js';
import { rate } from '../../src/detect/rating.js';
import { renderRulesMarkdown, renderRulesText, RULES_DOC, summarize } from '../../src/detect/rules-doc.js';
import { compileUserRules, loadUserRules, UserRulesError } from '../../src/detect/user-rules.js';
import { type FindingWithSecret, severityRank } from '../../src/detect/types.js';
import { scanFileSync } from '../../src/pipeline/index.js';
import { runMain } from '../helpers/cli.js';

const root = process.cwd();
const fixture = (name: string): Uint8Array => readFileSync(join(root, 'test/fixtures/detect', name));
const detect = (strings: Iterable<DecodedString>): FindingWithSecret[] => new Detector().feedAll(strings).findings();
const byRule = (found: FindingWithSecret[], id: string): FindingWithSecret[] => found.filter((f) => f.ruleId === id);

t.test('breadth: 150+ providers, every rule structurally sound with examples', async (t) => {
  const providers = new Set(RULES.map((r) => r.provider));
  t.ok(providers.size >= 150, `${providers.size} providers`);
  t.same(ruleProblems(RULES), [], 'no nested or unbounded quantifiers, examples present, references resolve');
  for (const p of ['aws', 'gcp', 'azure', 'alibaba', 'tencent', 'huawei', 'digitalocean', 'oracle', 'ibm', 'firebase', 'twitter', 'facebook', 'instagram', 'linkedin', 'tiktok', 'snapchat', 'discord', 'telegram', 'stripe', 'paypal', 'square', 'adyen', 'razorpay', 'twilio', 'sendgrid', 'mailgun', 'mailchimp', 'postmark', 'vonage', 'onesignal', 'pusher', 'pubnub', 'mapbox', 'here', 'segment', 'mixpanel', 'amplitude', 'appsflyer', 'adjust', 'branch', 'sentry', 'bugsnag', 'datadog', 'newrelic', 'supabase', 'algolia', 'database', 'parse', 'backendless', 'playfab', 'openai', 'anthropic', 'huggingface', 'github', 'gitlab', 'npm', 'jfrog', 'slack', 'atlassian']) {
    t.ok(providers.has(p), `provider ${p}`);
  }
  const probe = RULES.find((r) => r.id === 'jwt')!;
  t.ok(ruleProblems([{ ...probe, id: 'bad-one', pattern: /(?:a+)+b/ }]).some((p) => /unbounded|nested/.test(p)), 'an unsafe pattern is rejected');
  t.ok(ruleProblems([{ ...probe, id: 'bad-two', allow: [/x.*/] }]).some((p) => /allow: unbounded/.test(p)), 'unsafe helper regexes are rejected too');
});

t.test('context and scope from real DEX static fields (smali-built fixture)', async (t) => {
  const strings = [...decodeDex(fixture('scope.dex'), collectingContext('classes.dex'))];
  const found = detect(strings);
  const secret = byRule(found, 'twitter-consumer-secret');
  t.equal(secret.length, 1, 'a bare 50-character value is a consumer secret next to api.twitter.com in its class');
  t.equal(secret[0]?.locations[0]?.pointer, 'string_ids[13] com.orbit.social.TwitterClient.S');
  t.same([secret[0]?.severity, secret[0]?.confidence], ['critical', 'high'], 'paired with the consumer key of the same class');
  t.equal(byRule(found, 'twitter-consumer-key').length, 1, 'the key is found the same way');
  t.notOk(found.some((f) => f.secret.startsWith('FiD2')), 'the same shape in a class without the marker is not reported');
  const aws = byRule(found, 'aws-secret-access-key');
  t.equal(aws.length, 1, 'an AWS secret under a name that says nothing is kept because its key id is in the same class');
  t.same([aws[0]?.severity, aws[0]?.confidence], ['critical', 'high']);
  t.same(aws[0]?.pairedWith, byRule(found, 'aws-access-key-id').map((f) => f.fingerprint), 'linked to its key id');
  const pw = byRule(found, 'generic-password');
  t.same(
    pw.map((f) => [f.locations[0]?.context, f.confidence]),
    [['DB_PASSWORD', 'low']],
    'a random literal bound to a password name is reported at low confidence; a preference key name is not',
  );
  // Parallel shards: each reads its own entries with its own Detector, and their partials merge as if one Detector had
  // read every entry in order. The same class in two DEX files: every value is seen in both shards.
  const again = [...decodeDex(fixture('scope.dex'), collectingContext('classes2.dex'))];
  const shards = [new Detector().feedAll(strings).partial({ keepSecrets: true }), new Detector().feedAll(again).partial({ keepSecrets: true })];
  const merged = findingsOf(mergePartials(shards)).findings;
  t.same(merged, detect([...strings, ...again]), 'two shards merged give what one Detector gives, locations and occurrences included');
  t.ok(merged.length > 0 && merged.every((f) => f.locations.some((l) => l.entry === 'classes2.dex') && f.occurrences! >= 2), 'a value seen in both shards is one finding');
  // Without keepSecrets no value leaves the Detector, and fingerprints are made with the key it is given.
  const key = randomBytes(32);
  const hidden = new Detector().feedAll(strings).partial({ fingerprintKey: key, keepSecrets: false });
  const crossing = JSON.stringify(hidden);
  t.same(found.filter((f) => crossing.includes(f.secret)).map((f) => f.ruleId), [], 'no raw value in what a worker sends');
  const expected = found.map((f) => createHmac('sha256', key).update(`${f.ruleId}\0${f.secret}`).digest('hex')).sort();
  const keyed = findingsOf(hidden).findings;
  t.same(keyed.map((f) => f.fingerprint).sort(), expected, 'fingerprints are HMAC-SHA256(key, rule NUL value)');
  t.same(keyed.map((f) => [f.ruleId, f.redacted, f.locations]), found.map((f) => [f.ruleId, f.redacted, f.locations]), 'the same findings in the same order, keyed or not');
  t.ok(keyed.every((f) => f.secret === undefined && f.redacted.length > 0), 'findings without values keep their redactions');
});

t.test('context from plist key paths (plistlib-built binary plist)', async (t) => {
  const found = detect(decodePlist(fixture('Config.plist'), collectingContext('Payload/App.app/Config.plist')));
  const sev = (id: string): string | undefined => byRule(found, id)[0]?.severity;
  t.equal(sev('twitter-consumer-secret'), 'critical', 'Twitter.ConsumerSecret');
  t.same(byRule(found, 'twitter-consumer-secret')[0]?.pairedWith, byRule(found, 'twitter-consumer-key').map((f) => f.fingerprint), 'paired in the same file');
  t.equal(sev('google-api-key'), 'low', 'GoogleService-Info API_KEY is public by design');
  t.match(byRule(found, 'google-api-key')[0]?.reason, /restrict/, 'and says what would make it dangerous');
  t.equal(sev('facebook-app-id'), 'info');
  t.equal(sev('facebook-client-token'), 'low');
  t.notOk(found.some((f) => f.secret.startsWith('1:780396144652')), 'the Firebase app id is not a secret');
});

t.test('context from JSON keys and scope from the same file (real text decoder)', async (t) => {
  const cs = fake(ALNUM, 50, 12101);
  const json = JSON.stringify({ endpoints: { api: 'https://api.twitter.com/2/' }, creds: { a: cs }, algolia: { appId: 'Q8H2K4M7ZP', adminKey: fake(HEX, 32, 12102) } });
  const found = detect(decodeText(new TextEncoder().encode(json), collectingContext('assets/config.json')));
  t.equal(byRule(found, 'twitter-consumer-secret')[0]?.secret, cs, 'marker anywhere in the same JSON file');
  const admin = byRule(found, 'algolia-admin-key')[0];
  t.same([admin?.severity, admin?.confidence], ['critical', 'high'], 'Algolia admin key paired with its app id');
  t.equal(byRule(found, 'algolia-app-id')[0]?.severity, 'info', 'the app id stays info');
  const other = detect(decodeText(new TextEncoder().encode(JSON.stringify({ creds: { a: cs } })), collectingContext('assets/other.json')));
  t.same(other, [], 'without the marker the bare value is nothing');
});

t.test('real resources.arsc and the leaky sample: bound names and pairs', async (t) => {
  const apk = join(root, 'samples/android/leaky-multidex.apk');
  const zip = ZipArchive.open(bufferSource(readFileSync(apk)));
  const arsc = zip.read(zip.find('resources.arsc')[0]!);
  const found = detect(decodeArsc(arsc, collectingContext('resources.arsc')));
  const secret = byRule(found, 'twitter-consumer-secret')[0];
  t.match(secret?.locations[0]?.pointer, /twitter_consumer_secret/);
  t.same([secret?.severity, secret?.confidence], ['critical', 'high'], 'consumer secret paired with its key from the same table');
  const report = scanFileSync(apk);
  t.equal(report.rating.grade, 'F', 'the leaky sample rates F');
  t.ok(report.rating.counts.critical > 0);
  t.equal(scanFileSync(join(root, 'samples/android/clean-app.apk')).rating.grade, 'A', 'the clean sample rates A');
});

t.test('Twilio, Azure, Facebook pairs; parts alone keep lower severity', async (t) => {
  const s = (text: string, context: string, entry = 'assets/app.properties'): DecodedString => ({ text, context, location: { entry, decoder: 'properties', pointer: context } });
  const sid = `AC${fake(HEX, 32, 12201)}`;
  const token = fake(HEX, 32, 12202);
  const pair = detect([s(sid, 'twilio.sid'), s(token, 'twilio.auth_token')]);
  t.same([byRule(pair, 'twilio-auth-token')[0]?.severity, byRule(pair, 'twilio-auth-token')[0]?.confidence], ['critical', 'high']);
  const alone = detect([s(token, 'twilio.auth_token')]);
  t.equal(byRule(alone, 'twilio-auth-token')[0]?.severity, 'high', 'auth token alone: high');
  const key = `${fake(BASE64, 86, 12203)}==`;
  const az = detect([s('orbitnotesprod', 'azure_storage_account_name'), s(key, 'azure_storage_account_key')]);
  t.equal(byRule(az, 'azure-storage-account-key')[0]?.severity, 'critical', 'account key with its account name: critical');
  t.equal(detect([s(key, 'azure_storage_account_key')])[0]?.severity, 'high', 'account key alone: high');
});

t.test('classification: public-by-design, placeholders, JWT roles, URLs', async (t) => {
  const one = (text: string, context?: string): FindingWithSecret[] => detect([{ text, ...(context ? { context } : {}), location: { entry: 'classes.dex', decoder: 'dex', pointer: 'x' } }]);
  const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const jwt = (role: string): string => `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ iss: 'supabase', ref: 'qwertyuiopasdfghjklz', role, iat: 1700000000, exp: 2000000000 })}.${fake(ALNUM, 43, 12301)}`;
  t.equal(one(jwt('service_role'))[0]?.severity, 'critical', 'Supabase service_role JWT');
  t.equal(one(jwt('anon'))[0]?.severity, 'info', 'Supabase anon JWT is public by design');
  t.equal(one(`pk.eyJ1Ijoib3JiaXQiLCJhIjoiY2x${fake(ALNUM, 20, 12302)}.${fake(ALNUM, 22, 12303)}`)[0]?.severity, 'info', 'Mapbox public token');
  t.equal(one(`https://${fake(HEX, 32, 12304)}@o123456.ingest.sentry.io/4504`)[0]?.severity, 'info', 'Sentry DSN');
  t.equal(one(fake(HEX, 32, 12305), 'algolia_search_api_key')[0]?.severity, 'low', 'Algolia search key');
  t.equal(one(`mongodb+srv://app:${fake(ALNUM, 16, 12306)}@cluster0.ab1cd.mongodb.net/prod`)[0]?.severity, 'critical', 'database URL with a password');
  for (const [text, context] of [
    ['mongodb://user:password@db.orbit.io', undefined],
    ['YOUR_OPENAI_API_KEY', 'OPENAI_API_KEY'],
    ['${API_SECRET}', 'client_secret'],
    ['xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'MIXPANEL_API_SECRET'],
    ['PBKDF2WithHmacSHA256', 'SECRET_KEY_FACTORY'],
    ['', 'password'],
  ] as Array<[string, string | undefined]>) {
    t.same(one(text, context).filter((f) => severityRank(f.severity) > 0), [], `${JSON.stringify(text)} is not reported above info`);
  }
  t.ok(looksRandom(fake(BASE64, 40, 12307)), 'random base64 looks random');
  t.notOk(looksRandom('AndroidKeyStoreProvider2048'), 'words do not');
});

t.test('rating formula', async (t) => {
  t.same(rate([]), { grade: 'A', score: 0, counts: { critical: 0, high: 0, medium: 0, low: 0, info: 0 } });
  t.equal(rate([{ severity: 'info', confidence: 'high' }]).grade, 'A');
  t.equal(rate([{ severity: 'low', confidence: 'high' }]).grade, 'B');
  t.equal(rate([{ severity: 'medium', confidence: 'low' }]).grade, 'B', 'a low-confidence generic finding weighs less');
  t.equal(rate([{ severity: 'medium', confidence: 'high' }]).grade, 'C');
  t.equal(rate([{ severity: 'high', confidence: 'high' }]).grade, 'D');
  t.equal(rate([{ severity: 'critical', confidence: 'medium' }]).grade, 'D', 'an unconfirmed critical');
  t.equal(rate([{ severity: 'critical', confidence: 'high' }]).grade, 'F');
  t.equal(rate([{ severity: 'high', confidence: 'high', pairedWith: ['x'] }, { severity: 'high', confidence: 'high' }]).grade, 'D');
  t.equal(rate([{ severity: 'high', confidence: 'high', pairedWith: ['x'] }, { severity: 'high', confidence: 'high', pairedWith: ['y'] }]).score, 45, 'pairing weighs 1.5x');
});

t.test('user rules: schema, validation errors, scan and listing', async (t) => {
  const doc = readFileSync(join(root, RULES_DOC), 'utf8');
  const example = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(doc)![1]!) as unknown;
  const rules = compileUserRules(example, 'docs example');
  t.same(rules.map((r) => r.id), ['acme-api-key', 'acme-signing-secret'], 'the documented example is a valid rules file');
  const d = new Detector([...RULES, ...rules]);
  d.feed({ text: 'key=acme_Xk3Pq9Lm2Vn8Rt5Wy7Za1Bc4De6Fg0Hj', location: { entry: 'a', decoder: 'text', pointer: 'line 1' } });
  t.same(d.findings().map((f) => f.ruleId), ['acme-api-key']);
  // reset() (what example checking uses between examples) forgets the strings fed, not the rules.
  d.reset();
  t.same(d.findings(), [], 'nothing found after reset');
  t.equal(d.stats.strings, 0);
  d.feed({ text: 'key=acme_Xk3Pq9Lm2Vn8Rt5Wy7Za1Bc4De6Fg0Hj', location: { entry: 'a', decoder: 'text', pointer: 'line 1' } });
  t.same(d.findings().map((f) => f.ruleId), ['acme-api-key'], 'the rules still work after reset');

  const fail = (json: unknown): string[] => {
    try {
      compileUserRules(json, 'r.json');
      return [];
    } catch (e) {
      t.ok(e instanceof UserRulesError);
      return (e as UserRulesError).problems;
    }
  };
  const base = (example as { rules: Array<Record<string, unknown>> }).rules[0]!;
  t.match(fail({ rules: [{ ...base, pattern: 'acme_(?:[a-z]+)+' }] }).join(), /rules\[0\].*pattern|acme-api-key: pattern: (unbounded|nested)/, 'unsafe pattern');
  t.match(fail({ rules: [{ ...base, pattern: 'acme_[' }] }).join(), /rules\[0\] \(acme-api-key\)\.pattern: is not a valid regular expression/);
  t.match(fail({ rules: [{ ...base, severity: 'severe' }] }).join(), /severity: must be one of critical, high, medium, low, info/);
  t.match(fail({ rules: [{ ...base, id: 'aws-access-key-id' }] }).join(), /already used by a built-in rule/);
  t.match(fail({ rules: [{ ...base, examples: { match: ['acme_short'], noMatch: ['x'] } }] }).join(), /examples\.match\[0\] is not reported/);
  t.match(fail({ rules: [{ ...base, colour: 'red' }] }).join(), /colour: is not a rule field/);
  t.match(fail({ nope: true }).join(), /\{"rules": \[ \.\.\. \]\}/);
  t.throws(() => loadUserRules(join(root, 'package.json')), UserRulesError, 'a JSON file that is not a rules file');

  const json = await runMain(['rules', '--format', 'json']);
  t.equal(json.status, 0);
  const listed = JSON.parse(json.stdout) as Array<{ id: string; provider: string; severity: string; confidence: string; keywords: string[] }>;
  t.equal(listed.length, RULES.length, 'leakdex rules lists every rule');
  t.same(Object.keys(listed[0]!).slice(0, 6), ['id', 'provider', 'title', 'severity', 'confidence', 'keywords']);
  const text = await runMain(['rules']);
  t.equal(text.status, 0);
  t.match(text.stdout, /aws-access-key-id\s+aws\s+high\s+high\s+akia/);
  const bad = await runMain(['scan', join(root, 'samples/android/clean-app.apk'), '--rules', join(root, 'package.json'), '--quiet']);
  t.equal(bad.status, 2, 'a bad --rules file is a usage error');
  t.match(bad.stderr, /package\.json.*rules file/);
});

t.test('docs/rules.md is generated from the rules (npm run docs:rules)', async (t) => {
  const doc = readFileSync(join(root, RULES_DOC), 'utf8');
  t.equal(doc, renderRulesMarkdown(RULES), 'docs/rules.md is up to date: run npm run docs:rules');
  t.equal(summarize(RULES).length, RULES.length);
  t.match(renderRulesText(RULES), new RegExp(`${RULES.length} rules, \\d+ providers`));
});

t.test('byte prefilter of printable runs (issue 20): the same findings from far fewer strings', async (t) => {
  const { printableRuns } = await import('../../decoders/runs.js');
  // Seeded noise, so a failure reproduces.
  let seed = 0x2f6e2b1;
  const noise = (n: number): Buffer => {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      b[i] = seed >>> 24;
    }
    return b;
  };
  const parts: Buffer[] = [noise(4096)];
  const values: string[] = [];
  for (const rule of RULES) for (const ex of rule.examples.match) values.push(typeof ex === 'string' ? ex : ex.text);
  // Every rule example as ASCII and as UTF-16LE between binary noise, padded with spaces (trimmed lengths), and shape
  // pairs side by side, and a pair's first value with a run between it and its second (which must not pair).
  for (const v of values) {
    parts.push(Buffer.from([0]), Buffer.from(v, 'latin1'), Buffer.from([0, 1]), noise(64), Buffer.from([0, 0]));
    parts.push(Buffer.from(`  ${v}\t`, 'utf16le'), Buffer.from([0, 0, 2]), noise(64));
  }
  const key = fake(ALNUM, 25, 0x5eed25);
  const secret = fake(ALNUM, 50, 0x5eed50);
  parts.push(Buffer.from([0]), Buffer.from(key), Buffer.from([0]), Buffer.from(secret), Buffer.from([0]), noise(256));
  parts.push(Buffer.from([0]), Buffer.from(key), Buffer.from([0]), Buffer.from('an ordinary run between'), Buffer.from([0]), Buffer.from(secret), Buffer.from([0]));
  parts.push(noise(1 << 20));
  const bytes = Buffer.concat(parts);
  const all = [...printableRuns(bytes, collectingContext('assets/blob.bin'))];
  const detector = new Detector();
  const filter = detector.runFilter();
  const ctx = { ...collectingContext('assets/blob.bin'), keepRun: filter.keep };
  const kept = [...printableRuns(bytes, ctx)];
  const view = (fs: FindingWithSecret[]) => fs.map((f) => `${f.ruleId} ${f.severity} ${f.confidence} ${f.fingerprint} ${f.locations.map((l) => l.pointer).join(',')}`).sort();
  const expected = view(detect(all));
  const got = view(detector.feedAll(kept).findings());
  t.ok(expected.length >= 100, `${expected.length} findings from every run`);
  t.same(got, expected, 'the same findings, rule by rule and location by location');
  t.ok(expected.some((f) => f.startsWith('twitter-consumer-secret')), 'the adjacent shape pair is found');
  t.equal(filter.asked, all.length, 'the filter is asked about every run, in order');
  t.ok(kept.length < all.length, `${kept.length} of ${all.length} runs made into strings`);
  // Noise alone: nothing found either way, and few strings made (the one-character keyword `|` keeps about 8 % of runs).
  const quiet = noise(2 << 20);
  const quietAll = [...printableRuns(quiet, collectingContext('x.bin'))];
  const quietFilter = new Detector().runFilter();
  const quietKept = [...printableRuns(quiet, { ...collectingContext('x.bin'), keepRun: quietFilter.keep })];
  t.same(view(new Detector().feedAll(quietKept).findings()), view(detect(quietAll)), 'noise: the same (no) findings');
  t.ok(quietKept.length * 5 < quietAll.length, `noise: ${quietKept.length} of ${quietAll.length} runs made`);
});

t.test('byte prefilters on real samples: every sample app gives the same findings with and without them', async (t) => {
  const { ArtifactWalker } = await import('../../src/pipeline/scan.js');
  const { readdirSync } = await import('node:fs');
  const apps: string[] = [];
  for (const dir of ['android', 'code', 'quirks', 'native', 'unity', 'bundles', 'ios']) {
    for (const f of readdirSync(join(root, 'samples', dir))) if (/\.(apk|aab|apks|xapk|ipa|zip)$/.test(f)) apps.push(join('samples', dir, f));
  }
  t.ok(apps.length >= 30, `${apps.length} sample apps`);
  const view = (fs: FindingWithSecret[]) => fs.map((f) => `${f.ruleId} ${f.severity} ${f.confidence} ${f.fingerprint} ${f.locations.map((l) => `${l.entry}:${l.pointer}`).join(',')}`).sort();
  let all = 0;
  let made = 0;
  let found = 0;
  for (const app of apps) {
    const bytes = readFileSync(join(root, app));
    const full = new Detector();
    const plain = new ArtifactWalker((s) => full.feed(s), { keepCodeUse: full.readsCode }).walk(bufferSource(bytes), app);
    const filtered = new Detector();
    const fast = new ArtifactWalker((s) => filtered.feed(s), { keepCodeUse: filtered.readsCode, ...filtered.byteFilters() }).walk(bufferSource(bytes), app);
    const expected = view(full.findings());
    t.same(view(filtered.findings()), expected, `${app}: ${expected.length} findings, the same`);
    all += plain.strings;
    made += fast.strings;
    found += expected.length;
  }
  t.ok(found >= 200, `${found} findings in all`);
  t.ok(made < all, `strings made: ${made} with the prefilters, ${all} without`);
});

t.test('keyword automaton: the same answer as a plain search, ASCII case ignored, ASCII and UTF-16LE', async (t) => {
  const { KeywordAutomaton } = await import('../../src/detect/keyword-automaton.js');
  const keywords = [...new Set(RULES.flatMap((r) => r.keywords))];
  const automaton = new KeywordAutomaton(keywords);
  let seed = 99;
  const rnd = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:|~ ';
  let hits = 0;
  for (let k = 0; k < 3000; k++) {
    let s = '';
    const len = 1 + rnd(40);
    for (let i = 0; i < len; i++) s += alphabet[rnd(alphabet.length)];
    if (k % 3 === 0) {
      const kw = keywords[rnd(keywords.length)]!;
      const at = rnd(s.length + 1);
      s = s.slice(0, at) + (k % 2 ? kw.toUpperCase() : kw) + s.slice(at);
    }
    const lower = s.toLowerCase();
    const expected = keywords.some((kw) => lower.includes(kw));
    if (expected) hits++;
    const ascii = Buffer.from(s, 'latin1');
    const wide = Buffer.from(s, 'utf16le');
    if (automaton.occursIn(ascii, 0, ascii.length, 1) !== expected || automaton.occursIn(wide, 0, s.length, 2) !== expected) {
      t.fail(`disagrees on ${JSON.stringify(s)}: expected ${expected}`);
      return;
    }
  }
  t.ok(hits > 1000 && hits < 3000, `${hits} of 3000 texts hold a keyword; the automaton agrees on all`);
  t.equal(automaton.occursIn(Buffer.from('xxAKIAyy'), 2, 4, 1), true, 'a keyword inside a window of a larger buffer');
  t.equal(automaton.occursIn(Buffer.from('xxAKIAyy'), 3, 4, 1), false, 'not when the window starts past it');
  t.equal(new KeywordAutomaton(['ok', 'bad\u00e9']).occursIn(Buffer.from('zz'), 0, 2, 1), true, 'a non-ASCII keyword makes every text a candidate (never a miss)');
  // Keywords over a 3-letter alphabet: most matches end inside another keyword's prefix, so failure links decide.
  let sets = 0;
  for (let k = 0; k < 200; k++) {
    const small = [...new Set(Array.from({ length: 1 + rnd(12) }, () => Array.from({ length: 1 + rnd(5) }, () => 'abc'[rnd(3)]).join('')))];
    const a = new KeywordAutomaton(small);
    for (let n = 0; n < 20; n++) {
      const s = Array.from({ length: rnd(16) }, () => 'abcAB'[rnd(5)]).join('');
      const expected = small.some((kw) => s.toLowerCase().includes(kw));
      if (a.occursInText(s, s.length) !== expected) {
        t.fail(`keywords ${JSON.stringify(small)} disagree on ${JSON.stringify(s)}: expected ${expected}`);
        return;
      }
    }
    sets++;
  }
  t.equal(sets, 200, 'overlapping keywords over a small alphabet: 200 sets, 20 texts each, all agree with a plain search');
});

t.test('literal prefilter: a JavaScript bundle made of every rule example gives the same findings from far fewer strings', async (t) => {
  const lines: string[] = ['"use strict";'];
  const js = (v: string) => JSON.stringify(v);
  RULES.forEach((rule, r) => {
    rule.examples.match.concat(rule.examples.noMatch).forEach((ex, i) => {
      const text = typeof ex === 'string' ? ex : ex.text;
      const name = typeof ex === 'string' ? undefined : ex.context;
      const key = name !== undefined && /^[A-Za-z_$][\w$]*$/.test(name) ? name : `k${r}_${i}`;
      lines.push(`var c${r}_${i} = { ${key}: ${js(text)}, label: "Settings", color: "#ffffff" };`);
      lines.push(`module${r}.exports.${key} = ${js(text)};`);
      lines.push(`log(${js(text)}); fetch(${js(text)}, { headers: { Authorization: ${js(text)} } });`);
      lines.push(`class K${r}_${i} { get value() { return ${js(text)}; } }`);
    });
  });
  for (let i = 0; i < 2000; i++) lines.push(`var v${i} = { title: "Item ${i}", onPress: function () { return h("View", { style: s.row${i} }, "Text ${i} of the list"); } };`);
  const key = fake(ALNUM, 25, 0x1a25);
  const secret = fake(ALNUM, 50, 0x1a50);
  lines.push(`var pair = [${js(key)}, ${js(secret)}]; var apart = [${js(key)}, "something in between", ${js(secret)}];`);
  const bytes = Buffer.from(lines.join('\n'));
  const run = (filtered: boolean) => {
    const d = new Detector();
    const f = d.byteFilters();
    const ctx = { ...collectingContext('assets/index.android.bundle'), keepCodeUse: d.readsCode, ...(filtered ? { keepLiteral: f.keepLiteral } : {}) };
    const strings = [...decodeText(bytes, ctx)];
    d.feedAll(strings);
    return { strings: strings.length, findings: d.findings().map((x) => `${x.ruleId} ${x.severity} ${x.confidence} ${x.fingerprint} ${x.locations.map((l) => `${l.pointer}|${l.context ?? ''}`).join(',')}`).sort() };
  };
  const all = run(false);
  const kept = run(true);
  t.ok(all.findings.length >= 150, `${all.findings.length} findings from every literal`);
  t.same(kept.findings, all.findings, 'the same findings, location by location');
  t.ok(all.findings.some((f) => f.startsWith('twitter-consumer-secret')), 'the adjacent shape pair is found');
  t.ok(kept.strings * 2 < all.strings, `${kept.strings} of ${all.strings} literals made into strings`);
});

t.test('literal gates: the same answers as the rules\' name and code alternations, on every example and many near misses', async (t) => {
  const { LiteralGate, requiredFactors } = await import('../../src/detect/factors.js');
  const { expandShapes } = await import('../../src/detect/rule-lint.js');
  t.same(requiredFactors(/twitter.{0,40}secret/i), ['twitter'], 'a literal before a gap');
  t.same(requiredFactors(/(?:access|oauth).?token.?secret/i), ['secret'], 'the most selective mandatory part');
  t.same(requiredFactors(/^(?!.{0,9}ids?$)(?=.{0,120}(?:secret|api.?key))/i), ['secret', 'api'], 'a positive lookahead counts, a negative one does not');
  t.equal(requiredFactors(/key|\d{4}/i), undefined, 'a branch without a literal: none');
  t.same(requiredFactors(/x?yz*/i), ['y'], 'optional characters around: the one mandatory character');
  t.equal(requiredFactors(/k/iu), undefined, 'unicode case folding (the Kelvin sign): none');
  const rules = RULES.flatMap(expandShapes);
  const sets: Array<{ name: string; regexes: RegExp[]; flags: string }> = [
    { name: 'names', regexes: rules.flatMap((r) => (r.context?.require ? [r.context.require] : [])), flags: 'i' },
    { name: 'adjust names', regexes: rules.flatMap((r) => (r.adjust ?? []).flatMap((a) => (a.when.context ? [a.when.context] : []))), flags: 'i' },
  ];
  const codes = rules.flatMap((r) => [r.context?.code, ...(r.adjust ?? []).map((a) => a.when.code)].filter((x): x is RegExp => x !== undefined));
  for (const flags of new Set(codes.map((c) => c.flags))) sets.push({ name: `code (${flags || 'no flags'})`, regexes: codes.filter((c) => c.flags === flags), flags });
  // Texts: every example's value, name and code, with case changes, cut ends and joined pairs.
  const texts = new Set<string>(['', 'color', 'fontWeight', 'TAG', 'append', 'arg 0 of android.util.Log.d in com.x.Y.z', 'return in com.x.Keys.a']);
  for (const r of rules) {
    for (const ex of [...r.examples.match, ...r.examples.noMatch]) {
      if (typeof ex === 'string') continue;
      for (const v of [ex.context, ex.code, ex.scope]) if (v !== undefined) texts.add(v);
    }
  }
  for (const v of [...texts]) {
    texts.add(v.toUpperCase());
    texts.add(v.slice(1));
    texts.add(v.slice(0, -1));
    texts.add(`x_${v}_y`);
    texts.add(v.replace(/[aeiou]/g, 'K'));
  }
  const list = [...texts];
  for (let i = 0; i < 2000; i++) texts.add(`${list[(i * 7919) % list.length]}${list[(i * 104729) % list.length]}`);
  for (const { name, regexes, flags } of sets) {
    const gate = new LiteralGate(regexes, flags);
    const plain = new RegExp(regexes.map((re) => `(?:${re.source})`).join('|'), flags);
    let yes = 0;
    let differ = 0;
    for (const text of texts) {
      const expected = plain.test(text);
      if (expected) yes++;
      if (gate.test(text) !== expected) differ++;
    }
    t.equal(differ, 0, `${name}: ${regexes.length} patterns, ${texts.size} texts (${yes} admitted): the gate answers as the alternation`);
    t.ok(gate.prefiltered, `${name}: the patterns run only after a literal`);
    t.ok(yes > 0 && yes < texts.size, `${name}: some texts admitted, some not`);
  }
});
