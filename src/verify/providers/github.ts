/** GitHub and GitLab tokens: who the token is and what it may do, from the identity endpoints (GET only). */
import { ev, evidence, field, invalid, live, unexpected, type Verifier } from '../types.js';

export const githubVerifiers: Verifier[] = [
  {
    id: 'github-token',
    provider: 'github',
    ruleIds: ['github-token'],
    calls: [{ method: 'GET', origin: 'https://api.github.com', path: /^\/user$/, doc: 'GET /user' }],
    readOnly: 'GET /user reads the profile of the token owner.',
    plan(f) {
      return {
        host: 'https://api.github.com',
        call: 'GET /user',
        fingerprints: [f.fingerprint],
        async run(http) {
          const res = await http.request({ method: 'GET', url: 'https://api.github.com/user', headers: { authorization: `Bearer ${f.secret}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' } });
          if (res.status === 401) return invalid('GitHub refused the token (401 Bad credentials)');
          if (res.status === 200) {
            const scopes = typeof res.headers['x-oauth-scopes'] === 'string' ? res.headers['x-oauth-scopes'].split(',').map((s) => s.trim()).filter(Boolean).slice(0, 50) : undefined;
            return live(`GitHub accepted the token for ${ev(field(res.json(), 'login'), 100) ?? 'an account'}`, evidence({ account: ev(field(res.json(), 'login'), 100), accountId: ev(field(res.json(), 'id')), scopes }));
          }
          if (res.status === 403 && res.headers['x-ratelimit-remaining'] !== '0') return live('GitHub knows the token but forbids /user (403): a fine-grained or app token without that permission');
          return unexpected(res, 'GitHub GET /user');
        },
      };
    },
  },
  {
    id: 'gitlab-token',
    provider: 'gitlab',
    ruleIds: ['gitlab-token'],
    calls: [{ method: 'GET', origin: 'https://gitlab.com', path: /^\/api\/v4\/personal_access_tokens\/self$/, doc: 'GET /api/v4/personal_access_tokens/self' }],
    readOnly: 'GET /personal_access_tokens/self reads the token’s own name, scopes and expiry.',
    plan(f) {
      return {
        host: 'https://gitlab.com',
        call: 'GET /api/v4/personal_access_tokens/self',
        fingerprints: [f.fingerprint],
        async run(http) {
          const res = await http.request({ method: 'GET', url: 'https://gitlab.com/api/v4/personal_access_tokens/self', headers: { 'private-token': f.secret } });
          if (res.status === 401) return invalid('GitLab refused the token (401)');
          if (res.status === 200) {
            const body = res.json();
            const scopes = Array.isArray(field(body, 'scopes')) ? (field(body, 'scopes') as unknown[]).map((s) => ev(s, 50)).filter((s): s is string => s !== undefined).slice(0, 50) : undefined;
            if (field(body, 'active') === false || field(body, 'revoked') === true) return invalid('GitLab knows the token but it is revoked or inactive');
            return live('GitLab accepted the token', evidence({ tokenName: ev(field(body, 'name'), 100), userId: ev(field(body, 'user_id')), scopes, expiresAt: ev(field(body, 'expires_at'), 40) }));
          }
          return unexpected(res, 'GitLab GET /personal_access_tokens/self');
        },
      };
    },
  },
];
