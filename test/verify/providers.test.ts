/**
 * The provider verifiers (src/verify/providers): each against a local server answering with the provider's documented
 * shapes for a working and a dead credential, through verifyReport, asserting the status, the evidence, the severity
 * raise and the one request sent. Every secret is a fake built like rules/fake.ts, never a real one.
 */
import t, { type Test } from 'tap';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { ALNUM, BASE64URL, DIGITS, HEX, UPPER_ALNUM, fake } from '../../rules/fake.js';
import { RULES } from '../../rules/index.js';
import { redact } from '../../src/detect/redact.js';
import type { ReportFinding } from '../../src/report/types.js';
import { verifyReport } from '../../src/verify/engine.js';
import { parseEndpoints, ProviderLimiter, verifierHttp, VerifyConfigError } from '../../src/verify/http.js';
import { VERIFIERS } from '../../src/verify/index.js';
import { aiVerifiers } from '../../src/verify/providers/ai.js';
import { devtoolsVerifiers } from '../../src/verify/providers/devtools.js';
import { mapsVerifiers } from '../../src/verify/providers/maps.js';
import { messagingVerifiers } from '../../src/verify/providers/messaging.js';
import { slackVerifiers } from '../../src/verify/providers/slack.js';
import { stripeVerifiers } from '../../src/verify/providers/stripe.js';
import type { Verifier } from '../../src/verify/types.js';
import { serveLocal, type LocalServer } from '../helpers/local-server.js';
import { findingsReport, ruleFinding } from '../helpers/fake-providers.js';

type Finding = ReportFinding & { secret: string };
type Answer = { status: number; body: unknown };

const S = {
  slack: `xox${'b'}-${fake(DIGITS, 12, 9101)}-${fake(DIGITS, 13, 9102)}-${fake(ALNUM, 24, 9103)}`,
  slackDead: `xox${'p'}-${fake(DIGITS, 12, 9104)}-${fake(DIGITS, 12, 9105)}-${fake(DIGITS, 13, 9106)}-${fake(HEX, 32, 9107)}`,
  slackOdd: `xox${'b'}-${fake(DIGITS, 12, 9108)}-${fake(DIGITS, 13, 9109)}-${fake(ALNUM, 24, 9110)}`,
  webhook: `https://hooks.slack.com/services/T${fake(UPPER_ALNUM, 10, 9111)}/B${fake(UPPER_ALNUM, 10, 9112)}/${fake(ALNUM, 24, 9113)}`,
  slackConfig: `xoxe.xox${'p'}-1-${fake(ALNUM, 165, 9114)}`,
  stripeSecret: `sk_${'live'}_${fake(ALNUM, 99, 9201)}`,
  stripeRestricted: `rk_${'live'}_${fake(ALNUM, 99, 9202)}`,
  stripeRestrictedTest: `rk_${'test'}_${fake(ALNUM, 99, 9203)}`,
  stripeDead: `sk_${'live'}_${fake(ALNUM, 40, 9204)}`,
  stripePublishable: `pk_${'live'}_${fake(ALNUM, 99, 9205)}`,
  sendgrid: `SG.${fake(BASE64URL, 22, 9301)}.${fake(BASE64URL, 43, 9302)}`,
  sendgridDead: `SG.${fake(BASE64URL, 22, 9303)}.${fake(BASE64URL, 43, 9304)}`,
  mailgun: `key-${fake(HEX, 32, 9305)}`,
  mailgunV2: `${fake(HEX, 32, 9306)}-${fake(HEX, 8, 9307)}-${fake(HEX, 8, 9308)}`,
  mailgunDead: `key-${fake(HEX, 32, 9309)}`,
  twilioSid: `AC${fake(HEX, 32, 9310)}`,
  twilioToken: fake(HEX, 32, 9311),
  twilioTokenDead: fake(HEX, 32, 9312),
  twilioKey: `SK${fake(HEX, 32, 9313)}`,
  twilioSecret: `Aa1${fake(ALNUM, 29, 9314)}`,
  twilioSecretDead: `Bb2${fake(ALNUM, 29, 9315)}`,
  mapboxPublic: `pk.eyJ1${fake(BASE64URL, 60, 9401)}.${fake(BASE64URL, 22, 9402)}`,
  mapboxSecret: `sk.eyJ1${fake(BASE64URL, 60, 9403)}.${fake(BASE64URL, 22, 9404)}`,
  mapboxExpired: `sk.eyJ1${fake(BASE64URL, 60, 9405)}.${fake(BASE64URL, 22, 9406)}`,
  mapboxDead: `pk.eyJ1${fake(BASE64URL, 60, 9407)}.${fake(BASE64URL, 22, 9408)}`,
  openai: `sk-${'proj'}-${fake(BASE64URL, 64, 9501)}T3BlbkFJ${fake(BASE64URL, 64, 9502)}`,
  openaiLegacy: `sk-${fake(ALNUM, 20, 9503)}T3BlbkFJ${fake(ALNUM, 20, 9504)}`,
  openaiDead: `sk-${'proj'}-${fake(BASE64URL, 64, 9505)}T3BlbkFJ${fake(BASE64URL, 64, 9506)}`,
  openaiAdmin: `sk-${'admin'}-${fake(BASE64URL, 64, 9507)}T3BlbkFJ${fake(BASE64URL, 64, 9508)}`,
  anthropic: `sk-ant-${'api03'}-${fake(BASE64URL, 93, 9509)}AA`,
  anthropicDead: `sk-ant-${'api03'}-${fake(BASE64URL, 93, 9510)}AA`,
  anthropicAdmin: `sk-ant-${'admin01'}-${fake(BASE64URL, 93, 9511)}AA`,
  npm: `npm_${fake(ALNUM, 33, 9601)}A1b`,
  npmDead: `npm_${fake(ALNUM, 33, 9602)}C2d`,
};

interface Provider {
  server: LocalServer;
  methods: string[];
}

/** A local server answering `routes` (path -> answer), recording each request's method. */
async function provider(routes: Record<string, (req: IncomingMessage) => Answer>): Promise<Provider> {
  const server = await serveLocal();
  const methods: string[] = [];
  for (const [path, answer] of Object.entries(routes)) {
    server.routes.set(path, (req, res) => {
      methods.push(req.method ?? '');
      const { status, body } = answer(req);
      res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
    });
  }
  return { server, methods };
}

interface Sent {
  method: string | undefined;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

/** Verifies `findings` with `verifiers`, `origin` answered by `p`; returns the findings and the requests sent. */
async function verify(t: Test, p: Provider, origin: string, verifiers: readonly Verifier[], findings: Finding[]): Promise<{ findings: Finding[]; sent: Sent[] }> {
  const before = p.server.requests.length;
  const beforeMethods = p.methods.length;
  const r = findingsReport(findings);
  await verifyReport(r, { endpoints: parseEndpoints(JSON.stringify({ [origin]: p.server.base })), verifiers, spacingMs: 0, retries: 0 });
  const sent = p.server.requests.slice(before).map((q, i) => ({ method: p.methods[beforeMethods + i], path: q.url.split('?')[0]!, query: new URLSearchParams(q.url.split('?')[1] ?? ''), headers: q.headers }));
  t.equal(p.methods.length - beforeMethods, sent.length, 'every request reached a declared route');
  const out = JSON.stringify(r.findings.map((f) => [f.verification, f.reason]));
  for (const f of findings) t.notOk(out.includes(f.secret), `${f.ruleId}: the value is in no reason or evidence`);
  return { findings: r.findings as Finding[], sent };
}

const basic = (h: IncomingHttpHeaders): string[] => Buffer.from((h.authorization ?? '').replace(/^Basic /, ''), 'base64').toString('utf8').split(':');
const json = (status: number, body: unknown): Answer => ({ status, body });

t.test('fake secrets have the shapes of their rules', async (t) => {
  const shapes: [string, string][] = [
    ['slack-token', S.slack], ['slack-token', S.slackDead], ['slack-webhook', S.webhook], ['slack-config-token', S.slackConfig],
    ['stripe-secret-key', S.stripeSecret], ['stripe-restricted-key', S.stripeRestricted], ['stripe-restricted-key', S.stripeRestrictedTest], ['stripe-publishable-key', S.stripePublishable],
    ['sendgrid-api-key', S.sendgrid], ['mailgun-api-key', S.mailgun], ['mailgun-api-key-v2', S.mailgunV2], ['twilio-account-sid', S.twilioSid], ['twilio-auth-token', S.twilioToken],
    ['twilio-api-key', S.twilioKey], ['twilio-api-secret', S.twilioSecret], ['mapbox-public-token', S.mapboxPublic], ['mapbox-secret-token', S.mapboxSecret],
    ['openai-api-key', S.openai], ['openai-api-key', S.openaiAdmin], ['openai-api-key-legacy', S.openaiLegacy], ['anthropic-api-key', S.anthropic], ['anthropic-api-key', S.anthropicAdmin], ['npm-token', S.npm],
  ];
  for (const [id, value] of shapes) t.match(value, RULES.find((r) => r.id === id)!.pattern, `${id}: matches the rule's pattern`);
});

t.test('the call tables: every rule exists, paths anchored, official https origins, registered', async (t) => {
  const mine = [...slackVerifiers, ...stripeVerifiers, ...messagingVerifiers, ...mapsVerifiers, ...aiVerifiers, ...devtoolsVerifiers];
  t.equal(new Set(VERIFIERS.map((v) => v.id)).size, VERIFIERS.length, 'verifier ids are unique');
  for (const v of mine) {
    t.ok(VERIFIERS.includes(v), `${v.id}: in the registry`);
    t.ok(v.readOnly.length > 0, `${v.id}: says why it is read-only`);
    for (const id of v.ruleIds) t.ok(RULES.some((r) => r.id === id), `${v.id}: rule ${id} exists`);
    for (const c of v.calls) {
      t.match(c.path.source, /^\^.*\$$/, `${v.id}: ${c.doc} is anchored`);
      t.match(c.origin, /^https:\/\/[a-z.]+$/, `${v.id}: ${c.origin} is an https origin`);
      t.equal(c.method, v.id === 'slack-token' ? 'POST' : 'GET', `${v.id}: ${c.doc}`);
    }
  }
});

t.test('a request outside the call table is refused before it is sent', async (t) => {
  const p = await provider({ '/v1/account': () => json(200, {}), '/v1/charges': () => json(200, {}) });
  const http = verifierHttp(stripeVerifiers[0]!, new ProviderLimiter(1, 0), { endpoints: parseEndpoints(JSON.stringify({ 'https://api.stripe.com': p.server.base, 'https://api.example.com': p.server.base })) });
  await t.rejects(http.request({ method: 'GET', url: 'https://api.stripe.com/v1/charges' }), VerifyConfigError, 'another path');
  await t.rejects(http.request({ method: 'POST', url: 'https://api.stripe.com/v1/account', body: 'x=1' }), VerifyConfigError, 'another method');
  await t.rejects(http.request({ method: 'GET', url: 'https://api.stripe.com/v1/account/x' }), VerifyConfigError, 'the path is anchored');
  await t.rejects(http.request({ method: 'GET', url: 'https://api.example.com/v1/account' }), VerifyConfigError, 'another origin');
  const rogue: Verifier = { ...stripeVerifiers[0]!, id: 'rogue', calls: [{ method: 'GET', origin: 'https://api.stripe.com', path: /^\/v1\/balance$/, doc: 'GET /v1/balance' }] };
  await t.rejects(verifyReport(findingsReport([ruleFinding('stripe-secret-key', S.stripeSecret)]), { endpoints: parseEndpoints(JSON.stringify({ 'https://api.stripe.com': p.server.base })), verifiers: [rogue] }), VerifyConfigError, 'verifyReport stops on a verifier calling outside its table');
  t.equal(p.server.requests.length, 0, 'nothing was sent');
});

t.test('Slack: auth.test', async (t) => {
  const p = await provider({
    '/api/auth.test': (req) => {
      const auth = req.headers.authorization;
      if (auth === `Bearer ${S.slack}`) return json(200, { ok: true, url: 'https://acme-corp.slack.com/', team: 'Acme Corp', user: 'leakdex-bot', team_id: 'T0ACME1234', user_id: 'U0BOT56789', bot_id: 'B0BOT56789', is_enterprise_install: false });
      if (auth === `Bearer ${S.slackOdd}`) return json(200, { ok: false, error: 'ekm_access_denied' });
      return json(200, { ok: false, error: 'invalid_auth' });
    },
  });
  const ok = await verify(t, p, 'https://slack.com', slackVerifiers, [ruleFinding('slack-token', S.slack)]);
  t.match(ok.findings[0], { severity: 'critical', verification: { status: 'live', verifier: 'slack-token', host: 'https://slack.com', severityBefore: 'high', evidence: { team: 'Acme Corp', teamId: 'T0ACME1234', userId: 'U0BOT56789' } } });
  t.same(Object.keys(ok.findings[0]!.verification!.evidence!).sort(), ['team', 'teamId', 'userId'], 'evidence: the workspace and user only');
  t.equal(ok.sent.length, 1, 'one request');
  t.match(ok.sent[0], { method: 'POST', path: '/api/auth.test', headers: { authorization: `Bearer ${S.slack}` } });
  const dead = await verify(t, p, 'https://slack.com', slackVerifiers, [ruleFinding('slack-token', S.slackDead)]);
  t.match(dead.findings[0], { severity: 'high', verification: { status: 'invalid', reason: /invalid_auth/ } });
  t.notOk(dead.findings[0]!.verification!.severityBefore, 'an invalid token keeps its severity');
  t.equal(dead.sent.length, 1);
  const odd = await verify(t, p, 'https://slack.com', slackVerifiers, [ruleFinding('slack-token', S.slackOdd)]);
  t.match(odd.findings[0], { severity: 'high', verification: { status: 'error', reason: /ekm_access_denied/ } }, 'an error Slack does not document as dead is no verdict');
  const none = await verify(t, p, 'https://slack.com', slackVerifiers, [ruleFinding('slack-webhook', S.webhook), ruleFinding('slack-config-token', S.slackConfig)]);
  t.match(none.findings, [{ verification: { status: 'unverifiable', reason: /posting a message/ } }, { verification: { status: 'unverifiable' } }]);
  t.equal(none.sent.length, 0, 'a webhook or configuration token is never called');
});

t.test('Stripe: GET /v1/account', async (t) => {
  const p = await provider({
    '/v1/account': (req) => {
      const auth = req.headers.authorization;
      if (auth === `Bearer ${S.stripeSecret}`) return json(200, { id: 'acct_1Nv0FGQ9RKHgCVdK', object: 'account', business_profile: { name: 'Acme' }, charges_enabled: true, country: 'US', default_currency: 'usd', details_submitted: true, email: 'owner@example.com', type: 'standard' });
      if (auth === `Bearer ${S.stripeRestricted}` || auth === `Bearer ${S.stripeRestrictedTest}`) {
        return json(403, { error: { message: `The provided key 'rk_${'live'}_****${S.stripeRestricted.slice(-4)}' does not have the required permissions for this endpoint on account 'acct_1Nv0FGQ9RKHgCVdK'. Having the 'rak_accounts_kyc_basic_read' permission would allow this request to continue.`, type: 'invalid_request_error' } });
      }
      return json(401, { error: { message: `Invalid API Key provided: sk_${'live'}_****${S.stripeDead.slice(-4)}`, type: 'invalid_request_error' } });
    },
  });
  const origin = 'https://api.stripe.com';
  const secret = await verify(t, p, origin, stripeVerifiers, [ruleFinding('stripe-secret-key', S.stripeSecret)]);
  t.match(secret.findings[0], { severity: 'critical', verification: { status: 'live', verifier: 'stripe-key', evidence: { accountId: 'acct_1Nv0FGQ9RKHgCVdK', livemode: true } } });
  t.notOk(secret.findings[0]!.verification!.severityBefore, 'a critical finding has no severity to raise');
  t.notOk(JSON.stringify(secret.findings[0]!.verification).includes('owner@example.com'), 'no account data in the evidence');
  t.match(secret.sent, [{ method: 'GET', path: '/v1/account', headers: { authorization: `Bearer ${S.stripeSecret}` } }]);
  t.equal(secret.sent.length, 1);
  const restricted = await verify(t, p, origin, stripeVerifiers, [ruleFinding('stripe-restricted-key', S.stripeRestricted)]);
  t.match(restricted.findings[0], { severity: 'critical', verification: { status: 'live', reason: /restricted key.*permission/, severityBefore: 'high', evidence: { accountId: 'acct_1Nv0FGQ9RKHgCVdK', restricted: true } } });
  t.equal(restricted.sent.length, 1);
  const test = await verify(t, p, origin, stripeVerifiers, [ruleFinding('stripe-restricted-key', S.stripeRestrictedTest, { severity: 'low' })]);
  t.match(test.findings[0], { severity: 'low', verification: { status: 'live', reason: /test-mode/ } }, 'a working test-mode key keeps its low severity');
  t.notOk(test.findings[0]!.verification!.severityBefore);
  const dead = await verify(t, p, origin, stripeVerifiers, [ruleFinding('stripe-secret-key', S.stripeDead)]);
  t.match(dead.findings[0], { severity: 'critical', verification: { status: 'invalid' } });
  t.equal(dead.sent.length, 1);
  const pub = await verify(t, p, origin, stripeVerifiers, [ruleFinding('stripe-publishable-key', S.stripePublishable)]);
  t.match(pub.findings[0], { severity: 'info', verification: { status: 'unverifiable', reason: /public by design/ } });
  t.equal(pub.sent.length, 0, 'a publishable key is never called');
});

t.test('SendGrid: GET /v3/scopes', async (t) => {
  const scopes = Array.from({ length: 25 }, (_, i) => (i === 0 ? 'mail.send' : `alerts.read.${i}`));
  const p = await provider({ '/v3/scopes': (req) => (req.headers.authorization === `Bearer ${S.sendgrid}` ? json(200, { scopes }) : json(401, { errors: [{ field: null, message: 'authorization required' }] })) });
  const ok = await verify(t, p, 'https://api.sendgrid.com', messagingVerifiers, [ruleFinding('sendgrid-api-key', S.sendgrid)]);
  t.match(ok.findings[0], { severity: 'critical', verification: { status: 'live', severityBefore: 'high', evidence: { scopeCount: 25 } } });
  t.same(ok.findings[0]!.verification!.evidence!.scopes, scopes.slice(0, 20), 'the first 20 scopes');
  t.match(ok.sent, [{ method: 'GET', path: '/v3/scopes', headers: { authorization: `Bearer ${S.sendgrid}` } }]);
  t.equal(ok.sent.length, 1);
  const dead = await verify(t, p, 'https://api.sendgrid.com', messagingVerifiers, [ruleFinding('sendgrid-api-key', S.sendgridDead)]);
  t.match(dead.findings[0], { severity: 'high', verification: { status: 'invalid' } });
  t.equal(dead.sent.length, 1);
});

t.test('Mailgun: GET /v3/domains?limit=1', async (t) => {
  const p = await provider({
    '/v3/domains': (req) => {
      const [user, key] = basic(req.headers);
      if (user === 'api' && (key === S.mailgun || key === S.mailgunV2)) return json(200, { total_count: 3, items: [{ created_at: 'Tue, 02 Jan 2024 10:00:00 GMT', id: '6596...', is_disabled: false, name: 'mg.example.com', smtp_login: 'postmaster@mg.example.com', spam_action: 'disabled', state: 'active', type: 'custom', web_prefix: 'email', web_scheme: 'https', wildcard: false }] });
      return { status: 401, body: 'Forbidden' };
    },
  });
  for (const [ruleId, key] of [['mailgun-api-key', S.mailgun], ['mailgun-api-key-v2', S.mailgunV2]] as const) {
    const ok = await verify(t, p, 'https://api.mailgun.net', messagingVerifiers, [ruleFinding(ruleId, key)]);
    t.match(ok.findings[0], { severity: 'critical', verification: { status: 'live', severityBefore: 'high', evidence: { domains: 3 } } }, ruleId);
    t.notOk(JSON.stringify(ok.findings[0]!.verification).includes('mg.example.com'), 'no domain names in the evidence');
    t.equal(ok.sent.length, 1);
    t.match(ok.sent[0], { method: 'GET', path: '/v3/domains' });
    t.equal(ok.sent[0]!.query.get('limit'), '1');
    t.match(ok.sent[0]!.headers.authorization, /^Basic /);
    t.same(basic(ok.sent[0]!.headers), ['api', key], 'Basic api:KEY');
  }
  const dead = await verify(t, p, 'https://api.mailgun.net', messagingVerifiers, [ruleFinding('mailgun-api-key', S.mailgunDead)]);
  t.match(dead.findings[0], { severity: 'high', verification: { status: 'invalid' } });
  t.equal(dead.sent.length, 1);
});

t.test('Twilio: the Account resource with the auth token or an API key', async (t) => {
  const path = `/2010-04-01/Accounts/${S.twilioSid}.json`;
  const p = await provider({
    [path]: (req) => {
      const [user, pass] = basic(req.headers);
      if ((user === S.twilioSid && pass === S.twilioToken) || (user === S.twilioKey && pass === S.twilioSecret)) {
        return json(200, { auth_token: fake(HEX, 32, 9399), date_created: 'Thu, 30 Jul 2015 20:00:00 +0000', date_updated: 'Thu, 30 Jul 2015 20:00:00 +0000', friendly_name: 'Acme production', owner_account_sid: S.twilioSid, sid: S.twilioSid, status: 'active', subresource_uris: { balance: `/2010-04-01/Accounts/${S.twilioSid}/Balance.json` }, type: 'Full', uri: path });
      }
      return json(401, { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
    },
  });
  const origin = 'https://api.twilio.com';
  const sid = ruleFinding('twilio-account-sid', S.twilioSid);
  const token = ruleFinding('twilio-auth-token', S.twilioToken, { severity: 'high', pairedWith: [sid.fingerprint] });
  const ok = await verify(t, p, origin, messagingVerifiers, [sid, token]);
  t.match(ok.findings, [
    { ruleId: 'twilio-account-sid', severity: 'critical', verification: { status: 'live', verifier: 'twilio-auth-token', severityBefore: 'info' } },
    { ruleId: 'twilio-auth-token', severity: 'critical', verification: { status: 'live', severityBefore: 'high', evidence: { accountSid: redact(S.twilioSid), status: 'active', type: 'Full' } } },
  ]);
  t.same(Object.keys(ok.findings[1]!.verification!.evidence!).sort(), ['accountSid', 'status', 'type'], 'never the auth token or name the answer carries');
  t.notOk(JSON.stringify(ok.findings).includes('Acme production'), 'the account name is not kept');
  t.equal(ok.sent.length, 1, 'the SID and its token are checked once');
  t.match(ok.sent[0], { method: 'GET', path });
  t.same(basic(ok.sent[0]!.headers), [S.twilioSid, S.twilioToken], 'Basic SID:TOKEN');
  const dead = await verify(t, p, origin, messagingVerifiers, [ruleFinding('twilio-account-sid', S.twilioSid), ruleFinding('twilio-auth-token', S.twilioTokenDead)]);
  t.match(dead.findings, [{ verification: { status: 'invalid', reason: /20003/ } }, { verification: { status: 'invalid' } }]);
  t.equal(dead.sent.length, 1);
  const alone = await verify(t, p, origin, messagingVerifiers, [ruleFinding('twilio-account-sid', S.twilioSid)]);
  t.match(alone.findings[0], { severity: 'info', verification: { status: 'unverifiable', reason: /auth token/ } });
  const tokenAlone = await verify(t, p, origin, messagingVerifiers, [ruleFinding('twilio-auth-token', S.twilioToken)]);
  t.match(tokenAlone.findings[0], { verification: { status: 'unverifiable', reason: /account SID/ } });
  t.equal(alone.sent.length + tokenAlone.sent.length, 0, 'nothing sent without the pair');

  const key = ruleFinding('twilio-api-key', S.twilioKey);
  const secret = ruleFinding('twilio-api-secret', S.twilioSecret, { severity: 'critical', pairedWith: [key.fingerprint] });
  const api = await verify(t, p, origin, messagingVerifiers, [key, secret, ruleFinding('twilio-account-sid', S.twilioSid)]);
  t.match(api.findings, [
    { ruleId: 'twilio-api-key', severity: 'critical', verification: { status: 'live', verifier: 'twilio-api-key', severityBefore: 'low', evidence: { accountSid: redact(S.twilioSid) } } },
    { ruleId: 'twilio-api-secret', severity: 'critical', verification: { status: 'live' } },
    { ruleId: 'twilio-account-sid', verification: { status: 'unverifiable' } },
  ]);
  t.equal(api.sent.length, 1);
  t.match(api.sent[0], { method: 'GET', path });
  t.same(basic(api.sent[0]!.headers), [S.twilioKey, S.twilioSecret], 'Basic APIKEYSID:SECRET on the account SID path');
  const apiDead = await verify(t, p, origin, messagingVerifiers, [ruleFinding('twilio-api-key', S.twilioKey), ruleFinding('twilio-api-secret', S.twilioSecretDead), ruleFinding('twilio-account-sid', S.twilioSid)]);
  t.match(apiDead.findings[0], { severity: 'low', verification: { status: 'error', reason: /Standard key.*not conclusive/ } }, 'a 401 may be a Standard key, which cannot read the account: no verdict');
  t.equal(apiDead.sent.length, 1);
  const noAccount = await verify(t, p, origin, messagingVerifiers, [ruleFinding('twilio-api-key', S.twilioKey), ruleFinding('twilio-api-secret', S.twilioSecret)]);
  t.match(noAccount.findings, [{ verification: { status: 'unverifiable', reason: /account SID/ } }, { verification: { status: 'unverifiable' } }]);
  t.equal(noAccount.sent.length, 0);
});

t.test('Mapbox: GET /tokens/v2', async (t) => {
  const p = await provider({
    '/tokens/v2': (req) => {
      const token = new URL(req.url ?? '', 'http://x').searchParams.get('access_token');
      if (token === S.mapboxPublic) return json(200, { code: 'TokenValid', token: { usage: 'pk', user: 'acme-maps', authorization: 'cijucimbe000brbkt48d0dhcx' } });
      if (token === S.mapboxSecret) return json(200, { code: 'TokenValid', token: { usage: 'sk', user: 'acme-maps', authorization: 'clx1secret0000abcd1234efgh', client: 'api', scopes: ['styles:read', 'uploads:write', 'tokens:read'] } });
      if (token === S.mapboxExpired) return json(200, { code: 'TokenExpired', token: { usage: 'sk', user: 'acme-maps', authorization: 'clx1expired000abcd1234efg' } });
      return json(401, { code: 'TokenInvalid', message: 'Not Authorized - Invalid Token' });
    },
  });
  const origin = 'https://api.mapbox.com';
  const pub = await verify(t, p, origin, mapsVerifiers, [ruleFinding('mapbox-public-token', S.mapboxPublic)]);
  t.match(pub.findings[0], { severity: 'info', verification: { status: 'live', reason: /public by design/, evidence: { user: 'acme-maps' } } }, 'a valid public token stays info');
  t.notOk(pub.findings[0]!.verification!.severityBefore);
  t.equal(pub.sent.length, 1);
  t.match(pub.sent[0], { method: 'GET', path: '/tokens/v2' });
  t.equal(pub.sent[0]!.query.get('access_token'), S.mapboxPublic, 'the token as access_token');
  t.notOk(pub.sent[0]!.headers.authorization, 'no authorization header');
  const secret = await verify(t, p, origin, mapsVerifiers, [ruleFinding('mapbox-secret-token', S.mapboxSecret)]);
  t.match(secret.findings[0], { severity: 'critical', verification: { status: 'live', severityBefore: 'high', evidence: { user: 'acme-maps', scopes: ['styles:read', 'uploads:write', 'tokens:read'] } } });
  t.equal(secret.sent.length, 1);
  const expired = await verify(t, p, origin, mapsVerifiers, [ruleFinding('mapbox-secret-token', S.mapboxExpired)]);
  t.match(expired.findings[0], { severity: 'high', verification: { status: 'invalid', reason: /TokenExpired/ } });
  const dead = await verify(t, p, origin, mapsVerifiers, [ruleFinding('mapbox-public-token', S.mapboxDead)]);
  t.match(dead.findings[0], { severity: 'info', verification: { status: 'invalid', reason: /TokenInvalid/ } });
  t.equal(expired.sent.length + dead.sent.length, 2);
});

t.test('OpenAI and Anthropic: GET /v1/models', async (t) => {
  const models = (req: IncomingMessage): Answer => {
    if (req.headers.authorization === `Bearer ${S.openai}` || req.headers.authorization === `Bearer ${S.openaiLegacy}`) return json(200, { object: 'list', data: [{ id: 'gpt-4o', object: 'model', created: 1715367049, owned_by: 'system' }] });
    return json(401, { error: { message: 'Incorrect API key provided: sk-proj-****abcd. You can find your API key at https://platform.openai.com/account/api-keys.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
  };
  const openai = await provider({ '/v1/models': models });
  for (const [ruleId, key] of [['openai-api-key', S.openai], ['openai-api-key-legacy', S.openaiLegacy]] as const) {
    const ok = await verify(t, openai, 'https://api.openai.com', aiVerifiers, [ruleFinding(ruleId, key, { severity: 'high' })]);
    t.match(ok.findings[0], { severity: 'critical', verification: { status: 'live', verifier: 'openai-api-key', severityBefore: 'high' } }, ruleId);
    t.match(ok.sent, [{ method: 'GET', path: '/v1/models', headers: { authorization: `Bearer ${key}` } }]);
    t.equal(ok.sent.length, 1);
  }
  const dead = await verify(t, openai, 'https://api.openai.com', aiVerifiers, [ruleFinding('openai-api-key', S.openaiDead)]);
  t.match(dead.findings[0], { severity: 'critical', verification: { status: 'invalid' } });
  const admin = await verify(t, openai, 'https://api.openai.com', aiVerifiers, [ruleFinding('openai-api-key', S.openaiAdmin)]);
  t.match(admin.findings[0], { verification: { status: 'unverifiable', reason: /admin key/ } });
  t.equal(dead.sent.length + admin.sent.length, 1, 'an admin key is not sent to /v1/models');

  const anthropic = await provider({
    '/v1/models': (req) =>
      req.headers['x-api-key'] === S.anthropic && req.headers['anthropic-version'] === '2023-06-01'
        ? json(200, { data: [{ type: 'model', id: 'claude-sonnet-4-20250514', display_name: 'Claude Sonnet 4', created_at: '2025-05-22T00:00:00Z' }], has_more: false, first_id: 'claude-sonnet-4-20250514', last_id: 'claude-sonnet-4-20250514' })
        : json(401, { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } }),
  });
  const ok = await verify(t, anthropic, 'https://api.anthropic.com', aiVerifiers, [ruleFinding('anthropic-api-key', S.anthropic)]);
  t.match(ok.findings[0], { severity: 'critical', verification: { status: 'live', verifier: 'anthropic-api-key' } });
  t.notOk(ok.findings[0]!.verification!.severityBefore, 'already critical');
  t.equal(ok.sent.length, 1);
  t.match(ok.sent[0], { method: 'GET', path: '/v1/models', headers: { 'x-api-key': S.anthropic, 'anthropic-version': '2023-06-01' } });
  t.notOk(ok.sent[0]!.headers.authorization, 'the key goes in x-api-key only');
  const bad = await verify(t, anthropic, 'https://api.anthropic.com', aiVerifiers, [ruleFinding('anthropic-api-key', S.anthropicDead)]);
  t.match(bad.findings[0], { verification: { status: 'invalid' } });
  const adm = await verify(t, anthropic, 'https://api.anthropic.com', aiVerifiers, [ruleFinding('anthropic-api-key', S.anthropicAdmin)]);
  t.match(adm.findings[0], { verification: { status: 'unverifiable', reason: /admin key/ } });
  t.equal(bad.sent.length + adm.sent.length, 1);
});

t.test('npm: GET /-/whoami', async (t) => {
  const p = await provider({ '/-/whoami': (req) => (req.headers.authorization === `Bearer ${S.npm}` ? json(200, { username: 'acme-publisher' }) : json(401, { error: 'Unauthorized' })) });
  const ok = await verify(t, p, 'https://registry.npmjs.org', devtoolsVerifiers, [ruleFinding('npm-token', S.npm, { severity: 'high' })]);
  t.match(ok.findings[0], { severity: 'critical', verification: { status: 'live', verifier: 'npm-token', severityBefore: 'high', evidence: { account: 'acme-publisher' } } });
  t.match(ok.sent, [{ method: 'GET', path: '/-/whoami', headers: { authorization: `Bearer ${S.npm}` } }]);
  t.equal(ok.sent.length, 1);
  const dead = await verify(t, p, 'https://registry.npmjs.org', devtoolsVerifiers, [ruleFinding('npm-token', S.npmDead)]);
  t.match(dead.findings[0], { severity: 'critical', verification: { status: 'invalid' } });
  t.equal(dead.sent.length, 1);
});

t.test('an answer neither live nor invalid is an error, not a verdict', async (t) => {
  const p = await provider({ '/-/whoami': () => json(429, { error: 'slow down' }), '/v1/models': () => json(500, { error: 'boom' }) });
  const limited = await verify(t, p, 'https://registry.npmjs.org', devtoolsVerifiers, [ruleFinding('npm-token', S.npm, { severity: 'high' })]);
  t.match(limited.findings[0], { severity: 'high', verification: { status: 'error', reason: /rate limited/ } });
  const failed = await verify(t, p, 'https://api.openai.com', aiVerifiers, [ruleFinding('openai-api-key', S.openai)]);
  t.match(failed.findings[0], { verification: { status: 'error', reason: /provider failed \(HTTP 500\)/ } });
});
