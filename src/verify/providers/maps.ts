/** Mapbox: a token reads its own status, owner and scopes from the Tokens API (GET only). */
import { ev, evidence, field, invalid, live, unexpected, type Verifier } from '../types.js';

const API = 'https://api.mapbox.com';
/** Token API codes that mean the token no longer works. */
const DEAD = new Set(['TokenInvalid', 'TokenExpired', 'TokenRevoked', 'TokenMalformed']);

export const mapsVerifiers: Verifier[] = [
  {
    id: 'mapbox-token',
    provider: 'mapbox',
    ruleIds: ['mapbox-secret-token', 'mapbox-public-token'],
    calls: [{ method: 'GET', origin: API, path: /^\/tokens\/v2$/, doc: 'GET /tokens/v2' }],
    readOnly: 'GET /tokens/v2 reads the token’s own status and metadata.',
    plan(f) {
      const pub = f.ruleId === 'mapbox-public-token';
      return {
        host: API,
        call: 'GET /tokens/v2',
        fingerprints: [f.fingerprint],
        async run(http) {
          const res = await http.request({ method: 'GET', url: `${API}/tokens/v2?access_token=${encodeURIComponent(f.secret)}` });
          const body = res.json();
          const code = ev(field(body, 'code'), 40);
          if (res.status === 200 && code === 'TokenValid') {
            const all = field(body, 'token', 'scopes');
            const scopes = Array.isArray(all) ? all.map((s) => ev(s, 60)).filter((s): s is string => s !== undefined).slice(0, 50) : undefined;
            const outcome = live(`Mapbox accepted the ${pub ? 'public token (public by design: a valid one is expected)' : 'secret token'} of ${ev(field(body, 'token', 'user'), 100) ?? 'an account'}`, evidence({ user: ev(field(body, 'token', 'user'), 100), scopes }));
            return pub ? { ...outcome, keepSeverity: true } : outcome;
          }
          if (code !== undefined && DEAD.has(code)) return invalid(`Mapbox refused the token (${code})`);
          if (res.status === 401) return invalid('Mapbox refused the token (401)');
          return unexpected(res, `Mapbox GET /tokens/v2${code !== undefined ? ` (${code})` : ''}`);
        },
      };
    },
  },
];
