/** Stripe: secret and restricted keys read their own account (GET only); publishable keys are public by design. */
import { ev, evidence, field, invalid, live, unexpected, type Verifier } from '../types.js';

const API = 'https://api.stripe.com';

export const stripeVerifiers: Verifier[] = [
  {
    id: 'stripe-key',
    provider: 'stripe',
    ruleIds: ['stripe-secret-key', 'stripe-restricted-key'],
    calls: [{ method: 'GET', origin: API, path: /^\/v1\/account$/, doc: 'GET /v1/account' }],
    readOnly: 'GET /v1/account reads the key’s own account settings.',
    plan(f) {
      return {
        host: API,
        call: 'GET /v1/account',
        fingerprints: [f.fingerprint],
        async run(http) {
          const res = await http.request({ method: 'GET', url: `${API}/v1/account`, headers: { authorization: `Bearer ${f.secret}` } });
          const test = /^[a-z]{2}_test_/.test(f.secret);
          const mode = test ? 'test-mode' : 'live-mode';
          if (res.status === 200) {
            const body = res.json();
            const livemode = typeof field(body, 'livemode') === 'boolean' ? (field(body, 'livemode') as boolean) : !test;
            return { ...live(`Stripe accepted the ${mode} key for account ${ev(field(body, 'id'), 40) ?? '?'}`, evidence({ accountId: ev(field(body, 'id'), 40), livemode })), ...(test ? { keepSeverity: true } : {}) };
          }
          if (res.status === 401) return invalid('Stripe refused the key (401: invalid, expired or rolled)');
          if (res.status === 403 && f.ruleId === 'stripe-restricted-key') {
            const account = /\bacct_[A-Za-z0-9]{8,32}\b/.exec(ev(field(res.json(), 'error', 'message'), 500) ?? '')?.[0];
            return { ...live(`Stripe accepted the ${mode} restricted key but it lacks permission to read the account (403 permission error)`, evidence({ accountId: account, restricted: true })), ...(test ? { keepSeverity: true } : {}) };
          }
          return unexpected(res, 'Stripe GET /v1/account');
        },
      };
    },
  },
  {
    id: 'stripe-publishable-key',
    provider: 'stripe',
    ruleIds: ['stripe-publishable-key'],
    calls: [],
    readOnly: 'Makes no call.',
    plan() {
      return { unverifiable: 'a publishable key is public by design: it only creates tokens, so whether it works says nothing about exposure' };
    },
  },
];
