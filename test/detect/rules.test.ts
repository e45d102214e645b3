import { createHmac } from 'node:crypto';
import t from 'tap';
import type { DecodedString } from '../../decoders/types.js';
import { ALNUM, BASE32, BASE64, DIGITS, HEX, fake } from '../../rules/fake.js';
import { RULES } from '../../rules/index.js';
import { MIN_CONTAINED_LENGTH, PUBLISHED, PUBLISHED_FAMILIES, PUBLISHED_VALUES, type PublishedExample, publishedExample, publishedExampleIn, publishedReason } from '../../rules/published.js';
import type { Rule, RuleExample, Severity } from '../../rules/types.js';
import { Detector, MAX_LOCATIONS_PER_FINDING, MAX_SCAN_CHARS, scanStrings } from '../../src/detect/engine.js';
import { fingerprint } from '../../src/detect/fingerprint.js';
import { expandShapes, patternProblems, ruleProblems } from '../../src/detect/rule-lint.js';
import { isPlaceholder } from '../../src/detect/values.js';
import { shannon } from '../../src/detect/entropy.js';
import { redact } from '../../src/detect/redact.js';
import { type FindingWithSecret, severityRank } from '../../src/detect/types.js';

const norm = (e: string | RuleExample): RuleExample => (typeof e === 'string' ? { text: e } : e);

let pointer = 0;
function str(text: string, opts: { context?: string; scope?: string; entry?: string; code?: string } = {}): DecodedString {
  const s: DecodedString = { text, location: { entry: opts.entry ?? 'classes.dex', decoder: 'dex', pointer: `string_ids[${pointer++}]` } };
  if (opts.context !== undefined) s.context = opts.context;
  if (opts.scope !== undefined) s.scope = opts.scope;
  if (opts.code !== undefined) s.code = opts.code;
  return s;
}

const scan = (...strings: DecodedString[]): FindingWithSecret[] => scanStrings(strings);
const only = (findings: FindingWithSecret[], ruleId: string): FindingWithSecret => {
  const f = findings.filter((x) => x.ruleId === ruleId);
  if (f.length !== 1) throw new Error(`expected one ${ruleId} finding, got ${f.length}`);
  return f[0]!;
};

/** The contract with the sample builder: ids and default severity/confidence. */
const CONTRACT: Record<string, [string, string]> = {
  'twitter-consumer-key': ['medium', 'medium'],
  'twitter-consumer-secret': ['critical', 'medium'],
  'twitter-bearer-token': ['high', 'high'],
  'twitter-access-token': ['high', 'medium'],
  'facebook-app-id': ['info', 'medium'],
  'facebook-client-token': ['low', 'medium'],
  'facebook-app-secret': ['critical', 'medium'],
  'facebook-access-token': ['high', 'high'],
  'facebook-app-access-token': ['critical', 'high'],
  'google-api-key': ['medium', 'high'],
  'firebase-database-url': ['low', 'high'],
  'firebase-fcm-server-key': ['high', 'high'],
  'google-oauth-client-secret': ['high', 'high'],
  'gcp-service-account': ['critical', 'high'],
  'aws-access-key-id': ['high', 'high'],
  'aws-secret-access-key': ['critical', 'medium'],
  'aws-cognito-identity-pool': ['medium', 'high'],
  'azure-storage-connection-string': ['critical', 'high'],
  'azure-storage-account-key': ['high', 'medium'],
  'azure-sas-token': ['high', 'high'],
  'stripe-secret-key': ['critical', 'high'],
  'stripe-restricted-key': ['high', 'high'],
  'stripe-publishable-key': ['info', 'high'],
  'slack-token': ['high', 'high'],
  'slack-webhook': ['medium', 'high'],
  'github-token': ['critical', 'high'],
  'private-key': ['critical', 'high'],
};

t.test('rule set: structure, contract ids and default severities', async (t) => {
  t.same(ruleProblems(RULES), [], 'no structural problems');
  const ids = new Set(RULES.map((r) => r.id));
  t.same(
    Object.keys(CONTRACT).filter((id) => !ids.has(id)),
    [],
    'every contracted rule id exists',
  );
  for (const r of RULES) if (CONTRACT[r.id]) t.same([r.severity, r.confidence], CONTRACT[r.id], `${r.id} default severity/confidence`);
});

t.test('every rule example, through the real Detector', async (t) => {
  for (const rule of RULES) {
    rule.examples.match.forEach((e, i) => {
      const ex = norm(e);
      const found = scan(str(ex.text, ex)).filter((f) => f.ruleId === rule.id);
      t.equal(found.length, 1, `${rule.id} match[${i}]${ex.context ? ` (context ${ex.context})` : ''} is found`);
      if (found[0] && ex.context !== undefined) t.equal(found[0].locations[0]?.context, ex.context, `${rule.id} match[${i}] keeps its context`);
    });
    rule.examples.noMatch.forEach((e, i) => {
      const ex = norm(e);
      const found = scan(str(ex.text, ex)).filter((f) => f.ruleId === rule.id);
      t.equal(found.length, 0, `${rule.id} noMatch[${i}] is not found`);
    });
  }
});

t.test('keyword prefilter: every match example carries a keyword of a keyword shape, or fits a whole-string shape', async (t) => {
  for (const rule of RULES) {
    const shapes = expandShapes(rule);
    for (const shape of shapes) {
      if (shape.whole) t.equal(shape.keywords.length, 0, `${rule.id}: whole-string shape is gated by context/length, not keywords`);
      else t.ok(shape.keywords.length > 0, `${rule.id}: keyword shape has keywords`);
    }
    for (const e of rule.examples.match) {
      const text = norm(e).text;
      const byKeyword = shapes.some((sh) => !sh.whole && sh.keywords.some((k) => text.toLowerCase().includes(k)));
      const byWhole = shapes.some((sh) => sh.whole !== undefined && sh.pattern.test(text.trim()));
      t.ok(byKeyword || byWhole, `${rule.id}: ${JSON.stringify(redact(text))} passes the prefilter of one of its shapes`);
    }
  }
});

t.test('regex safety checker', async (t) => {
  for (const rule of RULES) {
    t.same(patternProblems(rule.pattern.source), [], `${rule.id} pattern has no nested or unbounded quantifier`);
  }
  t.match(patternProblems('(a+)+').join(), /unbounded/, '(a+)+ is unbounded');
  t.match(patternProblems('(?:[a-z]{1,5}){2,3}').join(), /nested quantifier/, 'a bounded repeat of a quantified group is nested');
  t.match(patternProblems('(?:x(?:[a-z]{1,5}|b)){1,3}').join(), /nested quantifier/, 'a quantifier deep inside a repeated group is nested');
  t.match(patternProblems('key=.*').join(), /unbounded/, '.* is unbounded');
  t.match(patternProblems('[0-9]{3,}').join(), /unbounded/, '{3,} is unbounded');
  t.match(patternProblems('ab+c').join(), /unbounded/, '+ is unbounded');
  t.same(patternProblems('(?:ab{1,3})?c'), [], 'an optional group with a bounded quantifier inside is allowed');
  t.same(patternProblems('[a-z+*]{1,4}\\+\\{x\\}(?:A|B){2}'), [], 'quantifier characters inside classes and escapes are literals');
  t.same(patternProblems('(?<secret>[0-9a-f]{32})'), [], 'a quantifier in an unquantified group is fine');

  const bad: Rule = { ...RULES.find((r) => r.id === 'github-token')!, id: 'bad-rule', pattern: /(?:[a-z]{1,5})+x/ };
  t.throws(() => new Detector([...RULES, bad]), /bad-rule: pattern: unbounded quantifier/, 'the Detector refuses an unsafe rule');
  const upper: Rule = { ...RULES.find((r) => r.id === 'github-token')!, id: 'upper-keyword', keywords: ['GHP_'] };
  t.throws(() => new Detector([upper]), /not lower-case/, 'the Detector refuses upper-case keywords');
});

t.test('pairing', async (t) => {
  const keyId = `AKIA${fake(BASE32, 16, 9001)}`;
  const secret = fake(BASE64, 40, 9002);

  t.test('AWS key id and bare secret in the same entry', async (t) => {
    const found = scan(str(keyId), str('some.other.String'), str(secret));
    const id = only(found, 'aws-access-key-id');
    const sec = only(found, 'aws-secret-access-key');
    t.same([id.severity, id.confidence], ['high', 'high'], 'key id keeps its own severity');
    t.same([sec.severity, sec.confidence], ['critical', 'high'], 'secret is reported through its pair');
    t.same(id.pairedWith, [sec.fingerprint], 'key id points at the secret');
    t.same(sec.pairedWith, [id.fingerprint], 'secret points at the key id');
    t.equal(sec.locations.length, 1, 'the pair keeps the secret location');
  });

  t.test('parts found alone keep their own severity', async (t) => {
    const alone = scan(str(keyId));
    t.same([only(alone, 'aws-access-key-id').severity, alone[0]!.pairedWith], ['high', undefined], 'key id alone: high, unpaired');
    t.same(scan(str(secret)), [], 'a bare 40-character value without context or partner is not reported');
    const withContext = only(scan(str(secret, { context: 'aws_secret_access_key' })), 'aws-secret-access-key');
    t.same([withContext.severity, withContext.confidence], ['critical', 'medium'], 'secret by context alone: critical/medium');
    t.same(scan(str(keyId, { entry: 'classes.dex' }), str(secret, { entry: 'classes2.dex' })).map((f) => f.ruleId), ['aws-access-key-id'], 'different entries, no shared scope: no pair');
  });

  t.test('the same scope pairs across entries', async (t) => {
    const found = scan(str(keyId, { entry: 'classes.dex', scope: 'Lcom/acme/Cloud;' }), str(secret, { entry: 'classes2.dex', scope: 'Lcom/acme/Cloud;' }));
    t.equal(only(found, 'aws-secret-access-key').severity, 'critical');
    t.ok(only(found, 'aws-access-key-id').pairedWith, 'paired by scope');
  });

  t.test('Twitter consumer key and secret from resources', async (t) => {
    const key = fake(ALNUM, 25, 9003);
    const sec = fake(ALNUM, 50, 9004);
    const alone = only(scan(str(key, { context: 'twitter_consumer_key', entry: 'resources.arsc' })), 'twitter-consumer-key');
    t.same([alone.severity, alone.confidence], ['medium', 'medium'], 'key alone');
    const found = scan(str(key, { context: 'twitter_consumer_key', entry: 'resources.arsc' }), str(sec, { context: 'twitter_consumer_secret', entry: 'resources.arsc' }));
    const k = only(found, 'twitter-consumer-key');
    const s = only(found, 'twitter-consumer-secret');
    t.same([s.severity, s.confidence], ['critical', 'high'], 'secret with its key');
    t.same([k.severity, k.confidence], ['medium', 'medium'], 'the key keeps its own severity');
    t.same(s.pairedWith, [k.fingerprint]);
    t.same(k.pairedWith, [s.fingerprint]);
  });

  t.test('Facebook app id stays public by design when paired with the app secret', async (t) => {
    const appId = `1${fake(DIGITS, 14, 9005)}`;
    const appSecret = fake(HEX, 32, 9006);
    const found = scan(str(appId, { context: 'facebook_app_id', entry: 'resources.arsc' }), str(appSecret, { context: 'facebook_app_secret', entry: 'resources.arsc' }));
    const id = only(found, 'facebook-app-id');
    const sec = only(found, 'facebook-app-secret');
    t.same([sec.severity, sec.confidence], ['critical', 'high']);
    t.equal(id.severity, 'info', 'the app id itself is still public');
    t.same(id.pairedWith, [sec.fingerprint], 'but it is linked to the secret');
    t.equal(found[0]!.ruleId, 'facebook-app-secret', 'sorted by severity first');
  });
});

t.test('the same value kind gets the same severity whichever rule finds it', async (t) => {
  const key = fake(HEX, 32, 9024);
  t.equal(only(scan(str(key, { context: 'OPENWEATHER_API_KEY' })), 'openweathermap-api-key').severity, 'low', 'data-API key under its provider rule');
  t.equal(only(scan(str(key, { context: 'WEATHER_API_KEY' })), 'generic-secret').severity, 'low', 'the same key under a generic API-key name');
  t.equal(only(scan(str(key, { context: 'NEWS_API_KEY' })), 'newsapi-key').severity, 'low');
});

t.test('provider rules need evidence of their provider', async (t) => {
  const appId = `1${fake(DIGITS, 14, 9020)}`;
  const appSecret = fake(HEX, 32, 9021);
  const alone = scan(str(appSecret, { context: 'app_secret', entry: 'resources.arsc' }));
  t.same(alone.map((f) => f.ruleId), ['generic-secret'], 'an app_secret alone is a generic secret, not Facebook\'s');
  t.notMatch(alone[0]?.reason ?? '', /facebook/i, 'with generic advice');
  const withId = scan(str(appId, { context: 'facebook_app_id', entry: 'resources.arsc' }), str(appSecret, { context: 'app_secret', entry: 'resources.arsc' }));
  const fb = only(withId, 'facebook-app-secret');
  t.same([fb.severity, fb.confidence], ['critical', 'medium'], 'beside a Facebook app id it is the Facebook app secret');
  const otherEntry = scan(str(appId, { context: 'facebook_app_id', entry: 'resources.arsc' }), str(appSecret, { context: 'APP_SECRET', entry: 'classes.dex', scope: 'Lcom/acme/Api;' }));
  t.notOk(otherEntry.some((f) => f.ruleId === 'facebook-app-secret'), 'an app id elsewhere is no evidence');
  t.equal(only(scan(str(appSecret, { context: 'fb_app_secret' })), 'facebook-app-secret').severity, 'critical', 'fb in the name is evidence');

  const awsSecret = fake(BASE64, 40, 9022).replace(/^./, 'A');
  t.notOk(scan(str(awsSecret, { context: 'secretKey' })).some((f) => f.provider === 'aws'), 'a secretKey alone is not AWS\'s');
  t.ok(scan(str(`AKIA${fake(BASE32, 16, 9023)}`), str(awsSecret, { context: 'secretKey' })).some((f) => f.ruleId === 'aws-secret-access-key'), 'beside an AWS key id it is');
});

t.test('public-by-design and adjusted severities', async (t) => {
  const cases: Array<[string, DecodedString, string, RegExp]> = [
    ['facebook-app-id', str(`1${fake(DIGITS, 14, 9101)}`, { context: 'com.facebook.sdk.ApplicationId' }), 'info', /public by design/],
    ['facebook-client-token', str(fake(HEX, 32, 9102), { context: 'com.facebook.sdk.ClientToken' }), 'low', /public by design/],
    ['stripe-publishable-key', str(`pk_${'live'}_${fake(ALNUM, 40, 9103)}`), 'info', /public by design/],
    ['firebase-database-url', str('https://orbit-notes-3f2a1.firebaseio.com', { context: 'firebase_database_url' }), 'low', /database rules/],
    ['google-api-key', str(`AIza${fake(ALNUM, 35, 9104)}`, { context: 'google_api_key' }), 'low', /public client key/],
    ['google-api-key', str(`AIza${fake(ALNUM, 35, 9105)}`, { context: 'com.google.android.geo.API_KEY' }), 'low', /public client key/],
    ['google-api-key', str(`AIza${fake(ALNUM, 35, 9106)}`, { context: 'API_KEY' }), 'low', /public client key/],
    ['google-api-key', str(`AIza${fake(ALNUM, 35, 9107)}`), 'medium', /outside the usual client configuration/],
    ['google-api-key', str(`AIza${fake(ALNUM, 35, 9108)}`, { context: 'PAYMENTS_API_KEY' }), 'medium', /outside/],
    ['stripe-secret-key', str(`sk_${'test'}_${fake(ALNUM, 24, 9109)}`), 'low', /test-mode/],
    ['stripe-secret-key', str(`sk_${'live'}_${fake(ALNUM, 24, 9110)}`), 'critical', /live secret key/],
    ['stripe-restricted-key', str(`rk_${'test'}_${fake(ALNUM, 24, 9111)}`), 'low', /test-mode/],
    ['generic-secret', str(fake(ALNUM, 24, 9114), { context: 'appKey' }), 'low', /public client identifier/],
    ['generic-secret', str(fake(ALNUM, 32, 9115), { context: 'APP_KEY' }), 'low', /app-key name/],
    ['generic-secret', str(fake(ALNUM, 32, 9116), { context: 'APP_KEY_SECRET' }), 'medium', /check what it unlocks/],
    ['generic-secret', str(fake(ALNUM, 32, 9117), { context: 'appSecret' }), 'medium', /check what it unlocks/],
    ['generic-secret', str(fake(HEX, 32, 9118), { context: 'WEATHER_API_KEY' }), 'low', /data API/],
    ['generic-secret', str(fake(HEX, 32, 9119), { context: 'SERVER_API_KEY' }), 'medium', /check what it unlocks/],
  ];
  for (const [ruleId, s, severity, reason] of cases) {
    const f = only(scan(s), ruleId);
    t.equal(f.severity, severity, `${ruleId} ${s.context ?? '(no context)'} -> ${severity}`);
    t.match(f.reason, reason, `${ruleId} explains why`);
  }
  const access = fake(DIGITS, 10, 9112).replace(/^0/, '1') + '-' + fake(ALNUM, 40, 9113);
  t.equal(only(scan(str(access)), 'twitter-access-token').confidence, 'medium', 'bare access token: medium confidence');
  t.equal(only(scan(str(access, { context: 'TWITTER_ACCESS_TOKEN' })), 'twitter-access-token').confidence, 'high', 'bound to its name: high confidence');
  const pem = (label: string, body: string): string => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----`;
  t.equal(only(scan(str(pem('ENCRYPTED PRIVATE KEY', fake(BASE64, 200, 9114)))), 'private-key').severity, 'high', 'encrypted key: high');
  const netty = pem('PRIVATE KEY', `${fake(BASE64, 64, 9115)}\na84ENvkWzWgFGtVAe5iZUChqrAPNdgnQs7Brb3cCBYRD${fake(BASE64, 100, 9116)}`);
  const nf = only(scan(str(netty)), 'private-key');
  t.equal(nf.severity, 'info', "Netty's public self-test key is reported at info");
  t.match(nf.reason, /Netty/);
});

t.test('placeholders and documentation examples are never reported above info', async (t) => {
  const values = [
    'AKIAIOSFODNN7EXAMPLE',
    'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'YOUR_API_KEY',
    'your-api-key-goes-here-please',
    'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
    'XXXXXXXXXXXXXXXXXXXXXXXXX',
    '${TWITTER_CONSUMER_SECRET}',
    '<key>',
    'changeme',
    '0000000000000000000000000000000000000000',
    '1234567890abcdef1234567890abcdef',
    'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX',
    'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/ABCDEFGHIJKLMNOPQRSTUV==',
    '1111111111111',
    'testconsumerkey1234567890',
    `AIza${'x'.repeat(35)}`,
    `AIzaSyDUMMY${fake(ALNUM, 28, 9201)}`,
    `AIza${'A'.repeat(35)}`,
    `sk_${'live'}_${'0'.repeat(24)}`,
    `sk_${'live'}_abcdefghijklmnopqrstuvwxyz`,
    `gh${'p'}_${'a'.repeat(36)}`,
    `xox${'b'}-123456789012-xxxxxxxxxxxxxxxxxxxx`,
    `1${fake(DIGITS, 9, 9202)}-${'X'.repeat(40)}`,
    `${fake(DIGITS, 15, 9203)}|${'0'.repeat(32)}`,
    'https://your-project.firebaseio.com',
    'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
    `DefaultEndpointsProtocol=https;AccountName=example;AccountKey=${'A'.repeat(86)}==`,
    '-----BEGIN RSA PRIVATE KEY-----\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n-----END RSA PRIVATE KEY-----',
    '',
  ];
  const contexts = [undefined, 'aws_secret_access_key', 'twitter_consumer_key', 'twitter_consumer_secret', 'facebook_app_id', 'facebook_app_secret', 'facebook_client_token', 'google_api_key', 'azure_storage_account_key', 'TWITTER_ACCESS_TOKEN'];
  const d = new Detector();
  for (const v of values) for (const context of contexts) d.feed(str(v, context === undefined ? {} : { context }));
  d.feed(str(`AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`));
  const above = d.findings().filter((f) => severityRank(f.severity) > severityRank('info'));
  t.same(above.map((f) => `${f.ruleId}: ${f.redacted}`), [], 'nothing above info');
  t.ok(d.stats.skipped.placeholder > 0, 'placeholders are counted as skipped');

  t.ok(isPlaceholder('AKIAIOSFODNN7EXAMPLE'), 'AWS docs key id');
  t.ok(isPlaceholder('sk_live_1234567890abcdefghij1234'), 'ascending runs');
  t.notOk(isPlaceholder(`AKIA${fake(BASE32, 16, 9204)}`), 'a random key id is not a placeholder');
});

t.test('redaction never reveals more than a third of a value', async (t) => {
  const revealed = (r: string): number => r.replace(/[*…]/g, '').length;
  const secrets: string[] = [];
  for (const rule of RULES) for (const e of rule.examples.match) for (const f of scan(str(norm(e).text, norm(e)))) secrets.push(f.secret);
  for (let n = 0; n <= 200; n++) secrets.push(fake(ALNUM, n, 9300 + n));
  secrets.push(`AKIA${fake(BASE32, 16, 9301)}`, `sk_${'live'}_${fake(ALNUM, 24, 9302)}`, `${'A'.repeat(21)}${fake(ALNUM, 30, 9303)}`, 'short');
  for (const s of secrets) {
    const r = redact(s);
    t.ok(revealed(r) <= Math.floor(s.length / 3), `${s.length} chars: reveals ${revealed(r)}`);
    if (s.length >= 3) t.not(r, s, 'never the value itself');
  }
  t.equal(redact('abcdefghijk'), '***********', 'short values are fully masked');
  t.match(redact(`AKIA${fake(BASE32, 16, 9304)}`), /^AKIA[A-Z2-7]{0,2}…[A-Z2-7]{2}$/, 'AWS key id keeps its AKIA prefix');
  t.match(redact(`sk_${'live'}_${fake(ALNUM, 99, 9305)}`), /^sk_live_[A-Za-z0-9]{4}…[A-Za-z0-9]{2}$/, 'Stripe key keeps its sk_live_ prefix');
  const f = only(scan(str(`AKIA${fake(BASE32, 16, 9306)}`)), 'aws-access-key-id');
  t.match(f.redacted, /^AKIA[A-Z2-7]{0,2}…[A-Z2-7]{2}$/, 'findings carry the redacted form');
  t.not(f.redacted, f.secret);
});

t.test('fingerprint is stable', async (t) => {
  t.equal(fingerprint('aws-access-key-id', 'AKIAZ7VQ3K4M2P6R5T2W'), '81cea770031057aa48a3dbc56df68a67238bc3d5898de6ba63d00ba78ad4ecf6', 'sha256 of id NUL secret');
  t.not(fingerprint('aws-access-key-id', 'AKIAZ7VQ3K4M2P6R5T2W'), fingerprint('aws-secret-access-key', 'AKIAZ7VQ3K4M2P6R5T2W'), 'the rule id is part of it');
  const key = `AKIA${fake(BASE32, 16, 9401)}`;
  t.equal(only(scan(str(key, { entry: 'a.dex' })), 'aws-access-key-id').fingerprint, only(scan(str(key, { entry: 'b.so' })), 'aws-access-key-id').fingerprint, 'independent of where the value was found');
});

t.test('grouping, locations, long strings', async (t) => {
  const key = `AKIA${fake(BASE32, 16, 9501)}`;
  const d = new Detector();
  for (let i = 0; i < MAX_LOCATIONS_PER_FINDING + 10; i++) d.feed(str(key, { entry: `e${i}.dex` }));
  const f = only(d.findings(), 'aws-access-key-id');
  t.equal(f.locations.length, MAX_LOCATIONS_PER_FINDING, 'locations are capped');
  t.equal(f.occurrences, MAX_LOCATIONS_PER_FINDING + 10, 'occurrences keep counting');
  t.same(Object.keys(f.locations[0]!).sort(), ['decoder', 'entry', 'pointer'], 'a location is entry, decoder, pointer');
  t.match(f.locations[0], { entry: 'e0.dex', decoder: 'dex', pointer: /\S/ });

  const a = `AKIA${fake(BASE32, 16, 9502)}`;
  const b = `GOCSPX-${fake(ALNUM, 28, 9503)}`;
  const bundle = `var cfg={aws:"${a}",x:1};${'/* filler */ '.repeat(2000)}var o={client_secret:"${b}"};var again="${a}";`;
  const d2 = new Detector();
  d2.feed(str(bundle, { entry: 'assets/index.android.bundle' }));
  const found = d2.findings();
  t.same(found.map((x) => x.ruleId).sort(), ['aws-access-key-id', 'google-oauth-client-secret'], 'each match in a long string is a hit');
  t.equal(only(found, 'aws-access-key-id').occurrences, 2, 'two occurrences in one string');

  const far = `${'.'.repeat(MAX_SCAN_CHARS)}${a}`;
  const d3 = new Detector();
  d3.feed(str(far));
  t.same(d3.findings(), [], 'nothing past the scan window');
  t.equal(d3.stats.truncated, 1, 'truncation is counted');

  const d4 = new Detector();
  d4.feed(str('AKIA'));
  d4.feed(str(''));
  t.equal(d4.stats.skipped.short, 2, 'short strings are skipped before anything else');
  t.equal(d4.stats.regexRuns, 0);
});

t.test('a service account key file is one finding, not also a bare private key', async (t) => {
  const rule = RULES.find((r) => r.id === 'gcp-service-account')!;
  const json = norm(rule.examples.match[0]!).text;
  const keyId = /"private_key_id": "([0-9a-f]{40})"/.exec(json)![1]!;
  const whole = scan(str(json, { entry: 'assets/service-account.json' }));
  t.same(whole.map((f) => [f.ruleId, f.secret]), [['gcp-service-account', keyId]], 'as one JSON string: one finding, secret = private_key_id');

  const parsed = JSON.parse(json) as Record<string, string>;
  const fields = Object.entries(parsed).map(([k, v]) => str(v, { context: k, entry: 'assets/service-account.json' }));
  const decoded = scan(...fields);
  t.same(decoded.map((f) => [f.ruleId, f.secret]), [['gcp-service-account', keyId]], 'field by field: the same single finding');
  t.equal(decoded[0]!.fingerprint, whole[0]!.fingerprint, 'same fingerprint either way');
  t.same(decoded[0]!.locations.map((l) => l.context).sort(), ['private_key', 'private_key_id'], 'keeps the private key location too');
  t.equal(decoded[0]!.severity, 'critical');

  const withoutKey = scan(...fields.filter((f) => f.context !== 'private_key'));
  t.same(withoutKey, [], 'a private_key_id without its key is not a finding');
  const keyElsewhere = scan(str(parsed.private_key_id!, { context: 'private_key_id', entry: 'a.json' }), str(parsed.private_key!, { context: 'private_key', entry: 'b.json' }));
  t.same(keyElsewhere.map((f) => f.ruleId), ['private-key'], 'a private key in another file stays a private key');
});

t.test('structured secrets are the whole credential', async (t) => {
  const key = `${fake(BASE64, 86, 9801)}==`;
  const conn = `DefaultEndpointsProtocol=https;AccountName=orbitstore;AccountKey=${key};EndpointSuffix=core.windows.net`;
  t.equal(only(scan(str(`"${conn}"`)), 'azure-storage-connection-string').secret, conn, 'connection string with its suffix');
  const sig = `${fake(ALNUM, 40, 9802)}%3D`;
  const token = `sv=2022-11-02&ss=b&srt=sco&sp=rl&se=2031-12-31T23:59:59Z&spr=https&sig=${sig}`;
  t.equal(only(scan(str(`https://orbitstore.blob.core.windows.net/backups?${token}`)), 'azure-sas-token').secret, token, 'SAS token from sv= to sig=');
});

t.test('whole-string rules trim and need the bound name', async (t) => {
  const sec = fake(ALNUM, 50, 9601);
  t.equal(scan(str(`  ${sec}\n`, { context: 'twitter_consumer_secret' }))[0]?.secret, sec, 'surrounding whitespace is not part of the secret');
  t.same(scan(str(sec, { context: 'app_name' })), [], 'unrelated name');
  t.same(scan(str(sec)), [], 'no name');
});

t.test('stats and no logging', async (t) => {
  const calls: unknown[] = [];
  const saved = { log: console.log, error: console.error, warn: console.warn, info: console.info, debug: console.debug };
  for (const k of Object.keys(saved) as Array<keyof typeof saved>) console[k] = (...args: unknown[]) => void calls.push(args);
  const d = new Detector();
  try {
    for (const rule of RULES) for (const e of [...rule.examples.match, ...rule.examples.noMatch]) d.feed(str(norm(e).text, norm(e)));
    d.findings();
  } finally {
    Object.assign(console, saved);
  }
  t.same(calls, [], 'the engine prints nothing');
  t.ok(d.stats.strings > 100 && d.stats.prefilterHits > 0 && d.stats.regexRuns > 0, 'counters move');
});

t.test('shannon entropy', async (t) => {
  t.equal(shannon(''), 0);
  t.equal(shannon('aaaa'), 0);
  t.equal(shannon('abab'), 1);
  t.equal(shannon('0123456789abcdef'), 4);
  t.equal(shannon('éé'), 0, 'non-ASCII characters count too');
  t.ok(shannon(fake(BASE64, 40, 9701)) > 4.1);
});

/** The places a published value is found in an app, the rule that reports it there and that rule's own severity. */
interface PublishedPlace {
  ruleId: string;
  severity: Severity;
  /** The bound name the rule's own severity depends on, if any. */
  context?: string;
  applies: (value: string) => boolean;
  strings: (value: string) => DecodedString[];
}

const AZURITE_CONNECTION = (key: string): string => `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${key};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;`;

const PUBLISHED_PLACES: PublishedPlace[] = [
  { ruleId: 'aws-access-key-id', severity: 'high', applies: (v) => /^A(?:KIA|SIA)/.test(v), strings: (v) => [str(`aws_access_key_id = ${v}`, { entry: 'assets/credentials' })] },
  { ruleId: 'aws-access-key-id', severity: 'high', context: 'AWS_ACCESS_KEY_ID', applies: (v) => /^A(?:KIA|SIA)/.test(v), strings: (v) => [str(v, { context: 'AWS_ACCESS_KEY_ID' })] },
  { ruleId: 'aws-secret-access-key', severity: 'critical', context: 'AWS_SECRET_ACCESS_KEY', applies: (v) => v.length === 40 && v.endsWith('KEY'), strings: (v) => [str(v, { context: 'AWS_SECRET_ACCESS_KEY' })] },
  { ruleId: 'azure-storage-account-key', severity: 'high', context: 'AccountKey', applies: (v) => v.length === 88, strings: (v) => [str(v, { context: 'AccountKey' })] },
  { ruleId: 'azure-storage-connection-string', severity: 'critical', applies: (v) => v.length === 88, strings: (v) => [str(`"${AZURITE_CONNECTION(v)}"`, { entry: 'assets/appsettings.json' })] },
  { ruleId: 'jwt', severity: 'medium', applies: (v) => v.startsWith('eyJ'), strings: (v) => [str(`fetch(url,{headers:{Authorization:"Bearer ${v}"}});`, { entry: 'assets/index.android.bundle' })] },
  { ruleId: 'stripe-secret-key', severity: 'low', applies: (v) => v.startsWith('sk_'), strings: (v) => [str(v, { context: 'STRIPE_SECRET_KEY' })] },
  { ruleId: 'slack-token', severity: 'high', applies: (v) => v.startsWith('xox'), strings: (v) => [str(`{"ok":true,"access_token":"${v}","token_type":"bot"}`, { entry: 'assets/slack.json' })] },
  { ruleId: 'google-api-key', severity: 'medium', applies: (v) => v.startsWith('AIza'), strings: (v) => [str(`https://maps.googleapis.com/maps/api/js?key=${v}&callback=initMap&v=weekly`)] },
];

/** The rule's own severity for a value and bound name: its first matching adjustment, or its default. */
function ownSeverity(rule: Rule, secret: string, context: string | undefined): Severity {
  for (const a of rule.adjust ?? []) {
    if (a.when.context && !(context !== undefined && a.when.context.test(context))) continue;
    if (a.when.secret && !a.when.secret.test(secret)) continue;
    if (a.when.code) continue; // these places carry no code use
    return a.severity ?? rule.severity;
  }
  return rule.severity;
}

/** One character changed, keeping the character class (and changing `EXAMPLE`, which would make it a placeholder). */
function nearMiss(v: string): string {
  if (v.includes('EXAMPLE')) return v.replace('EXAMPLE', 'EXAMPLF');
  let i = Math.floor((v.length * 2) / 3);
  while (!/[A-Za-z0-9]/.test(v[i]!)) i++;
  const c = v[i]!;
  const next = /[0-9]/.test(c) ? String((Number(c) + 1) % 10) : /[a-z]/.test(c) ? (c === 'z' ? 'a' : String.fromCharCode(c.charCodeAt(0) + 1)) : c === 'Z' ? 'A' : String.fromCharCode(c.charCodeAt(0) + 1);
  return v.slice(0, i) + next + v.slice(i + 1);
}

const instancesOf = (e: PublishedExample): string[] => ('value' in e ? [e.value] : e.instances);
const holding = (findings: FindingWithSecret[], ruleId: string, v: string): FindingWithSecret[] => findings.filter((f) => f.ruleId === ruleId && f.secret.includes(v));

t.test('published example values: the list', async (t) => {
  const values = PUBLISHED_VALUES.map((e) => e.value);
  t.equal(new Set(values).size, values.length, 'no value listed twice');
  for (const e of PUBLISHED) {
    t.ok(e.provider !== '' && e.what !== '' && e.where !== '', `${e.what}: provider, what and where`);
    t.match(e.where, /https:\/\/[a-z0-9.-]+\.[a-z]{2,}/, `${e.what}: where it is published, as a URL`);
  }
  for (const e of PUBLISHED_VALUES) {
    const v = e.value;
    t.equal(v, v.trim(), 'stored without surrounding whitespace');
    t.equal(publishedExample(v), e, 'exact lookup');
    t.equal(publishedExampleIn(`  ${v}\n`), publishedExample(v), 'found with surrounding whitespace');
    t.equal(publishedExample(nearMiss(v)), undefined, 'one character changed is not published');
    t.equal(publishedExampleIn(nearMiss(v)), undefined, 'nor inside anything');
  }
  for (const f of PUBLISHED_FAMILIES) {
    t.ok(f.pattern.source.startsWith('^') && f.pattern.source.endsWith('$'), `${f.what}: pattern is anchored`);
    t.same(patternProblems(f.pattern.source), [], `${f.what}: pattern is bounded`);
    t.ok(f.instances.length > 0, `${f.what}: documented instances`);
    for (const v of f.instances) {
      t.ok(v.length === f.gate.length && v.endsWith(f.gate.endsWith) && f.pattern.test(v), `${v} passes the gate and the pattern`);
      t.equal(publishedExample(v), f, `${v} is found through its family`);
    }
  }
  t.ok(PUBLISHED_FAMILIES[0]!.pattern.test('AKIAI44QH8DHBEXAMPLE'), 'the AWS family covers the other documented key id');

  const jwt = PUBLISHED_VALUES.find((e) => e.provider === 'generic' && e.value.startsWith('eyJ'))!.value;
  const [header, payload, signature] = jwt.split('.') as [string, string, string];
  t.same(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')), { sub: '1234567890', name: 'John Doe', iat: 1516239022 }, 'jwt.io payload');
  t.equal(signature, createHmac('sha256', 'your-256-bit-secret').update(`${header}.${payload}`).digest('base64url'), 'jwt.io signature is HS256 with its documented secret');

  const key = PUBLISHED_VALUES.find((e) => e.what.includes('Azurite'))!;
  t.equal(publishedExampleIn(AZURITE_CONNECTION(key.value)), key, 'a connection string holding the key');
  t.equal(publishedExampleIn(`DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${nearMiss(key.value)}`), undefined, 'but not a near miss of it');
  t.equal(publishedExampleIn(key.value.slice(0, MIN_CONTAINED_LENGTH)), undefined, 'a part of a published value is not published');
});

t.test('published example values are reported at info, with the reason, wherever they are found', async (t) => {
  for (const e of PUBLISHED) {
    for (const v of instancesOf(e)) {
      const places = PUBLISHED_PLACES.filter((p) => p.applies(v));
      t.ok(places.length > 0, `${e.what}: the test knows where it is found`);
      for (const place of places) {
        const rule = RULES.find((r) => r.id === place.ruleId)!;
        const what = `${e.what} via ${place.ruleId}${place.context ? ` bound to ${place.context}` : ''}`;
        t.ok(severityRank(ownSeverity(rule, v, place.context)) > severityRank('info'), `${what}: the rule alone would report it above info`);
        t.equal(ownSeverity(rule, v, place.context), place.severity, `${what}: at ${place.severity}`);

        const found = holding(scan(...place.strings(v)), place.ruleId, v);
        t.equal(found.length, 1, `${what}: reported`);
        t.equal(found[0]?.severity, 'info', `${what}: at info`);
        t.equal(found[0]?.reason, publishedReason(e), `${what}: says it is a published example and where`);
        t.equal(found[0]?.confidence, rule.confidence, `${what}: confidence unchanged`);

        const near = nearMiss(v);
        const missed = holding(scan(...place.strings(near)), place.ruleId, near);
        t.equal(missed.length, 1, `${what}, one character changed: reported`);
        t.equal(missed[0]?.severity, place.severity, `${what}, one character changed: at its normal severity ${place.severity}`);
        t.notMatch(missed[0]?.reason ?? '', /published example/, `${what}, one character changed: not called published`);
      }
    }
  }
});

t.test('published example values: pairing does not raise them, placeholders do not hide them', async (t) => {
  const id = PUBLISHED_VALUES.find((e) => e.value === 'AKIAIOSFODNN7EXAMPLE')!;
  const secret = PUBLISHED_VALUES.find((e) => e.value.startsWith('wJalr'))!;
  const pair = scan(str(id.value, { context: 'AWS_ACCESS_KEY_ID' }), str(secret.value, { context: 'AWS_SECRET_ACCESS_KEY' }));
  const pairedId = only(pair, 'aws-access-key-id');
  const pairedSecret = only(pair, 'aws-secret-access-key');
  t.same([pairedSecret.severity, pairedSecret.reason], ['info', publishedReason(secret)], 'the documented pair: the secret stays info');
  t.same([pairedId.severity, pairedId.reason], ['info', publishedReason(id)], 'and so does the key id');
  t.same(pairedSecret.pairedWith, [pairedId.fingerprint], 'still linked');

  const unbound = scan(str(id.value), str('some.other.String'), str(secret.value));
  t.same(unbound.map((f) => [f.ruleId, f.severity]).sort(), [['aws-access-key-id', 'info'], ['aws-secret-access-key', 'info']], 'a bare secret kept by its partner is info too');

  const realId = `AKIA${fake(BASE32, 16, 9901)}`;
  const mixed = scan(str(realId), str(secret.value, { context: 'AWS_SECRET_ACCESS_KEY' }));
  t.equal(only(mixed, 'aws-access-key-id').severity, 'high', 'a real key id beside the published secret keeps its own severity');
  t.equal(only(mixed, 'aws-secret-access-key').severity, 'info', 'the published secret stays info');

  const azurite = PUBLISHED_VALUES.find((e) => e.what.includes('Azurite'))!;
  t.ok(isPlaceholder(`DefaultEndpointsProtocol=https;AccountName=example;AccountKey=${azurite.value}`), 'a placeholder account name...');
  const placeholderName = only(scan(str(`DefaultEndpointsProtocol=https;AccountName=example;AccountKey=${azurite.value}`)), 'azure-storage-connection-string');
  t.same([placeholderName.severity, placeholderName.reason], ['info', publishedReason(azurite)], '...around the published key: reported at info, not dropped');

  const d = new Detector();
  d.feed(str(id.value));
  d.feed(str(`AKIA${'X'.repeat(16)}`));
  t.same(d.findings().map((f) => f.severity), ['info'], 'other placeholders are still dropped');
  t.equal(d.stats.skipped.placeholder, 1);
});
