/** SendGrid, Mailgun and Twilio: each credential reads its own scopes, domain count or account (GET only). */
import { ev, evidence, field, invalid, live, unexpected, type SecretFinding, type Verifier } from '../types.js';

const SENDGRID = 'https://api.sendgrid.com';
const MAILGUN = 'https://api.mailgun.net';
const TWILIO = 'https://api.twilio.com';
const TWILIO_ACCOUNT = /^\/2010-04-01\/Accounts\/AC[0-9a-f]{32}\.json$/;
const ACCOUNT_SID = /^AC[0-9a-f]{32}$/;

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Twilio's error code in `{"code":20003,...}`. */
const twilioCode = (body: unknown) => (typeof field(body, 'code') === 'number' ? `, code ${field(body, 'code') as number}` : '');

/** The Account resource's facts: its SID, status and type, never its auth token or name. */
function twilioEvidence(body: unknown) {
  return evidence({ accountSid: ev(field(body, 'sid'), 40), status: ev(field(body, 'status'), 20), type: ev(field(body, 'type'), 20) });
}

export const messagingVerifiers: Verifier[] = [
  {
    id: 'sendgrid-api-key',
    provider: 'sendgrid',
    ruleIds: ['sendgrid-api-key'],
    calls: [{ method: 'GET', origin: SENDGRID, path: /^\/v3\/scopes$/, doc: 'GET /v3/scopes' }],
    readOnly: 'GET /v3/scopes lists the permissions of the key itself.',
    plan(f) {
      return {
        host: SENDGRID,
        call: 'GET /v3/scopes',
        fingerprints: [f.fingerprint],
        async run(http) {
          const res = await http.request({ method: 'GET', url: `${SENDGRID}/v3/scopes`, headers: { authorization: `Bearer ${f.secret}` } });
          if (res.status === 200) {
            const all = field(res.json(), 'scopes');
            const scopes = Array.isArray(all) ? all.map((s) => ev(s, 80)).filter((s): s is string => s !== undefined) : [];
            return live(`SendGrid accepted the key (${scopes.length} scopes)`, evidence({ scopeCount: scopes.length, scopes: scopes.slice(0, 20) }));
          }
          if (res.status === 401 || res.status === 403) return invalid(`SendGrid refused the key (HTTP ${res.status})`);
          return unexpected(res, 'SendGrid GET /v3/scopes');
        },
      };
    },
  },
  {
    id: 'mailgun-api-key',
    provider: 'mailgun',
    ruleIds: ['mailgun-api-key', 'mailgun-api-key-v2'],
    calls: [{ method: 'GET', origin: MAILGUN, path: /^\/v3\/domains$/, doc: 'GET /v3/domains?limit=1' }],
    readOnly: 'GET /v3/domains?limit=1 reads how many sending domains the account has.',
    plan(f) {
      return {
        host: MAILGUN,
        call: 'GET /v3/domains?limit=1',
        fingerprints: [f.fingerprint],
        async run(http) {
          const res = await http.request({ method: 'GET', url: `${MAILGUN}/v3/domains?limit=1`, headers: { authorization: basic('api', f.secret) } });
          if (res.status === 200) {
            const total = field(res.json(), 'total_count');
            return live('Mailgun accepted the key', evidence({ domains: typeof total === 'number' ? total : undefined }));
          }
          if (res.status === 401) return invalid('Mailgun refused the key (401)');
          return unexpected(res, 'Mailgun GET /v3/domains');
        },
      };
    },
  },
  {
    id: 'twilio-auth-token',
    provider: 'twilio',
    ruleIds: ['twilio-auth-token', 'twilio-account-sid'],
    calls: [{ method: 'GET', origin: TWILIO, path: TWILIO_ACCOUNT, doc: 'GET /2010-04-01/Accounts/{AccountSid}.json' }],
    readOnly: 'Reads the account’s own status and type.',
    plan(f, ctx) {
      const sid: SecretFinding | undefined = f.ruleId === 'twilio-account-sid' ? f : ctx.partners(f, 'twilio-account-sid')[0];
      const token: SecretFinding | undefined = f.ruleId === 'twilio-auth-token' ? f : ctx.partners(f, 'twilio-auth-token')[0];
      if (!sid || !token || !ACCOUNT_SID.test(sid.secret)) return { unverifiable: f.ruleId === 'twilio-account-sid' ? 'an account SID is an identifier, checked only with its auth token, which this app does not hold' : 'an auth token is checked with its account SID, which this app does not hold' };
      return {
        host: TWILIO,
        call: 'GET /2010-04-01/Accounts/{AccountSid}.json',
        fingerprints: [sid.fingerprint, token.fingerprint],
        async run(http) {
          const res = await http.request({ method: 'GET', url: `${TWILIO}/2010-04-01/Accounts/${encodeURIComponent(sid.secret)}.json`, headers: { authorization: basic(sid.secret, token.secret) } });
          if (res.status === 200) return live(`Twilio accepted the account SID and auth token (account ${ev(field(res.json(), 'status'), 20) ?? 'status unknown'})`, twilioEvidence(res.json()));
          if (res.status === 401) return invalid(`Twilio refused the account SID and auth token (HTTP 401${twilioCode(res.json())})`);
          return unexpected(res, 'Twilio GET /2010-04-01/Accounts/{AccountSid}.json');
        },
      };
    },
  },
  {
    id: 'twilio-api-key',
    provider: 'twilio',
    ruleIds: ['twilio-api-secret', 'twilio-api-key'],
    calls: [{ method: 'GET', origin: TWILIO, path: TWILIO_ACCOUNT, doc: 'GET /2010-04-01/Accounts/{AccountSid}.json (API key)' }],
    readOnly: 'Reads the account’s own status and type.',
    plan(f, ctx) {
      const key: SecretFinding | undefined = f.ruleId === 'twilio-api-key' ? f : ctx.partners(f, 'twilio-api-key')[0];
      const secret: SecretFinding | undefined = f.ruleId === 'twilio-api-secret' ? f : ctx.partners(f, 'twilio-api-secret')[0];
      const account = key ? ctx.partners(key, 'twilio-account-sid')[0] : undefined;
      if (!key || !secret) return { unverifiable: f.ruleId === 'twilio-api-key' ? 'an API key SID is an identifier, checked only with its secret, which this app does not hold' : 'an API key secret is checked with its API key SID, which this app does not hold' };
      if (!account || !ACCOUNT_SID.test(account.secret)) return { unverifiable: 'an API key is checked against its account SID, which this app does not hold' };
      return {
        host: TWILIO,
        call: 'GET /2010-04-01/Accounts/{AccountSid}.json',
        fingerprints: [key.fingerprint, secret.fingerprint, account.fingerprint],
        async run(http) {
          const res = await http.request({ method: 'GET', url: `${TWILIO}/2010-04-01/Accounts/${encodeURIComponent(account.secret)}.json`, headers: { authorization: basic(key.secret, secret.secret) } });
          if (res.status === 200) return live('Twilio accepted the API key and secret (a Main key: it reads the account)', twilioEvidence(res.json()));
          if (res.status === 401) return { status: 'error', reason: `Twilio refused the API key on the Account resource (HTTP 401${twilioCode(res.json())}): a wrong or revoked secret, or a Standard key, which may not read the account; not conclusive` };
          return unexpected(res, 'Twilio GET /2010-04-01/Accounts/{AccountSid}.json');
        },
      };
    },
  },
];
