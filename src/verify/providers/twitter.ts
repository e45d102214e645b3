/**
 * Twitter/X: the consumer pair is exchanged for an app-only token (OAuth 2 client credentials, which returns the app's
 * existing bearer token), bearer tokens read the app's rate-limit status, and a user's access token with its consumer
 * pair signs (OAuth 1.0a) a read of the user's own account.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { ev, evidence, field, invalid, live, unexpected, type SecretFinding, type Verifier, type VerifyContext, type VerifyResponse } from '../types.js';

const API = 'https://api.twitter.com';

/** RFC 3986 percent-encoding, as OAuth 1.0a (RFC 5849 section 3.6) requires. */
function pct(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The OAuth 1.0a `Authorization` header of a GET (RFC 5849 3.4.1, HMAC-SHA1). */
export function oauth1Header(url: string, consumerKey: string, consumerSecret: string, token: string, tokenSecret: string, nonce = randomBytes(16).toString('hex'), timestamp = String(Math.floor(Date.now() / 1000))): string {
  const u = new URL(url);
  const oauth: Record<string, string> = { oauth_consumer_key: consumerKey, oauth_nonce: nonce, oauth_signature_method: 'HMAC-SHA1', oauth_timestamp: timestamp, oauth_token: token, oauth_version: '1.0' };
  const params = [...Object.entries(oauth), ...u.searchParams.entries()].map(([k, v]) => [pct(k), pct(v)] as const).sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1));
  const base = ['GET', pct(`${u.origin}${u.pathname}`), pct(params.map(([k, v]) => `${k}=${v}`).join('&'))].join('&');
  const signature = createHmac('sha1', `${pct(consumerSecret)}&${pct(tokenSecret)}`).update(base).digest('base64');
  return `OAuth ${Object.entries({ ...oauth, oauth_signature: signature }).map(([k, v]) => `${pct(k)}="${pct(v)}"`).join(', ')}`;
}

/** Twitter's error code in `{"errors":[{"code":N}]}`. */
function errorCode(res: VerifyResponse): number | undefined {
  const errors = field(res.json(), 'errors');
  return Array.isArray(errors) && typeof field(errors[0], 'code') === 'number' ? (field(errors[0], 'code') as number) : undefined;
}

/** The consumer pair of a finding: itself and its partner. */
function consumerPair(f: SecretFinding, ctx: VerifyContext): { key: SecretFinding; secret: SecretFinding } | undefined {
  if (f.ruleId === 'twitter-consumer-key') {
    const secret = ctx.partners(f, 'twitter-consumer-secret')[0];
    return secret ? { key: f, secret } : undefined;
  }
  if (f.ruleId === 'twitter-consumer-secret') {
    const key = ctx.partners(f, 'twitter-consumer-key')[0];
    return key ? { key, secret: f } : undefined;
  }
  const key = ctx.partners(f, 'twitter-consumer-key')[0];
  const secret = ctx.partners(f, 'twitter-consumer-secret')[0];
  return key && secret ? { key, secret } : undefined;
}

export const twitterVerifiers: Verifier[] = [
  {
    id: 'twitter-consumer-pair',
    provider: 'twitter',
    ruleIds: ['twitter-consumer-key', 'twitter-consumer-secret'],
    calls: [{ method: 'POST', origin: API, path: /^\/oauth2\/token$/, doc: 'POST /oauth2/token (grant_type=client_credentials)' }],
    readOnly: 'The client-credentials grant returns the app’s existing bearer token; it creates and changes nothing.',
    plan(f, ctx) {
      const pair = consumerPair(f, ctx);
      if (!pair) return { unverifiable: f.ruleId === 'twitter-consumer-key' ? 'a consumer key is checked with its consumer secret, which this app does not hold' : 'a consumer secret is checked with its consumer key, which this app does not hold' };
      return {
        host: API,
        call: 'POST /oauth2/token',
        fingerprints: [pair.key.fingerprint, pair.secret.fingerprint],
        async run(http) {
          const basic = Buffer.from(`${pct(pair.key.secret)}:${pct(pair.secret.secret)}`).toString('base64');
          const res = await http.request({ method: 'POST', url: `${API}/oauth2/token`, headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' }, body: 'grant_type=client_credentials' });
          if (res.status === 200 && field(res.json(), 'token_type') === 'bearer') return live('the consumer key and secret were exchanged for an app-only bearer token');
          if (res.status === 403 || res.status === 401) return invalid(`Twitter refused the consumer pair (HTTP ${res.status}${errorCode(res) !== undefined ? `, code ${errorCode(res)}` : ''})`);
          return unexpected(res, 'Twitter POST /oauth2/token');
        },
      };
    },
  },
  {
    id: 'twitter-bearer-token',
    provider: 'twitter',
    ruleIds: ['twitter-bearer-token'],
    calls: [{ method: 'GET', origin: API, path: /^\/1\.1\/application\/rate_limit_status\.json$/, doc: 'GET /1.1/application/rate_limit_status.json' }],
    readOnly: 'Reads the app’s own rate-limit status.',
    plan(f) {
      return {
        host: API,
        call: 'GET /1.1/application/rate_limit_status.json',
        fingerprints: [f.fingerprint],
        async run(http) {
          const res = await http.request({ method: 'GET', url: `${API}/1.1/application/rate_limit_status.json?resources=application`, headers: { authorization: `Bearer ${f.secret}` } });
          if (res.status === 200) return live('Twitter accepted the bearer token (app-only access)');
          if (res.status === 401 || res.status === 403) return invalid(`Twitter refused the bearer token (HTTP ${res.status}${errorCode(res) !== undefined ? `, code ${errorCode(res)}` : ''})`);
          return unexpected(res, 'Twitter GET /1.1/application/rate_limit_status.json');
        },
      };
    },
  },
  {
    id: 'twitter-user-token',
    provider: 'twitter',
    ruleIds: ['twitter-access-token', 'twitter-access-token-secret'],
    calls: [{ method: 'GET', origin: API, path: /^\/1\.1\/account\/verify_credentials\.json$/, doc: 'GET /1.1/account/verify_credentials.json (OAuth 1.0a)' }],
    readOnly: 'Reads the token owner’s own account.',
    plan(f, ctx) {
      const token = f.ruleId === 'twitter-access-token' ? f : ctx.partners(f, 'twitter-access-token')[0];
      const tokenSecret = f.ruleId === 'twitter-access-token-secret' ? f : ctx.partners(f, 'twitter-access-token-secret')[0];
      const pair = consumerPair(f, ctx);
      if (!token || !tokenSecret || !pair) return { unverifiable: 'a user access token is checked with its token secret and the app’s consumer key and secret, and this app does not hold all four' };
      return {
        host: API,
        call: 'GET /1.1/account/verify_credentials.json',
        fingerprints: [token.fingerprint, tokenSecret.fingerprint, pair.key.fingerprint, pair.secret.fingerprint],
        async run(http) {
          const url = `${API}/1.1/account/verify_credentials.json?skip_status=true`;
          const res = await http.request({ method: 'GET', url, headers: { authorization: oauth1Header(url, pair.key.secret, pair.secret.secret, token.secret, tokenSecret.secret) } });
          if (res.status === 200) {
            const body = res.json();
            return live(`Twitter accepted the user token for @${ev(field(body, 'screen_name'), 50) ?? '?'}`, evidence({ account: ev(field(body, 'screen_name'), 50), accountId: ev(field(body, 'id_str'), 30) }));
          }
          if (res.status === 401) return invalid(`Twitter refused the user token (HTTP 401${errorCode(res) !== undefined ? `, code ${errorCode(res)}` : ''})`);
          return unexpected(res, 'Twitter GET /1.1/account/verify_credentials.json');
        },
      };
    },
  },
];
