/** Slack: API tokens read their own identity from auth.test; webhooks and configuration tokens have no read-only check. */
import { ev, evidence, field, invalid, live, unexpected, type Verifier } from '../types.js';

const API = 'https://slack.com';
/** auth.test errors that mean the token no longer works. */
const DEAD = new Set(['invalid_auth', 'token_revoked', 'token_expired', 'account_inactive', 'not_authed']);

export const slackVerifiers: Verifier[] = [
  {
    id: 'slack-token',
    provider: 'slack',
    ruleIds: ['slack-token'],
    calls: [{ method: 'POST', origin: API, path: /^\/api\/auth\.test$/, doc: 'POST /api/auth.test' }],
    readOnly: 'auth.test only reports which workspace and user the token belongs to.',
    plan(f) {
      return {
        host: API,
        call: 'POST /api/auth.test',
        fingerprints: [f.fingerprint],
        async run(http) {
          const res = await http.request({ method: 'POST', url: `${API}/api/auth.test`, headers: { authorization: `Bearer ${f.secret}` } });
          const body = res.json();
          if (res.status === 200 && field(body, 'ok') === true) {
            return live(`Slack accepted the token for workspace ${ev(field(body, 'team'), 100) ?? '?'}`, evidence({ team: ev(field(body, 'team'), 100), teamId: ev(field(body, 'team_id'), 30), userId: ev(field(body, 'user_id'), 30) }));
          }
          const error = ev(field(body, 'error'), 60);
          if (res.status === 200 && error !== undefined && DEAD.has(error)) return invalid(`Slack refused the token (${error})`);
          return unexpected(res, `Slack POST /api/auth.test${error !== undefined ? ` (${error})` : ''}`);
        },
      };
    },
  },
  {
    id: 'slack-webhook',
    provider: 'slack',
    ruleIds: ['slack-webhook'],
    calls: [],
    readOnly: 'Makes no call.',
    plan() {
      return { unverifiable: 'an incoming webhook can only be tested by posting a message to its channel, which sends it' };
    },
  },
  {
    id: 'slack-config-token',
    provider: 'slack',
    ruleIds: ['slack-config-token'],
    calls: [],
    readOnly: 'Makes no call.',
    plan() {
      return { unverifiable: 'an app configuration token works only with the app manifest methods, which need the app id, and with token rotation, which changes it' };
    },
  },
];
