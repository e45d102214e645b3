/**
 * Firebase and Google: a Realtime Database open to anyone (read of its top-level keys only, `shallow=true`), API
 * keys tried against billable Maps APIs to tell an unrestricted key, and FCM legacy server keys (a dry run).
 */
import { evidence, field, invalid, live, unexpected, type VerifyOutcome, type Verifier } from '../types.js';

/** Realtime Database locations outside the default one (`<db>.<region>.firebasedatabase.app`). */
export const RTDB_REGIONS = ['us-central1', 'europe-west1', 'asia-southeast1'] as const;
const RTDB_ORIGINS = ['https://*.firebaseio.com', ...RTDB_REGIONS.map((r) => `https://*.${r}.firebasedatabase.app`)];
const MAPS = 'https://maps.googleapis.com';
const FCM = 'https://fcm.googleapis.com';

/** The database origin of a finding's URL, when it is one of the official database hosts. */
export function databaseOrigin(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return undefined;
  }
  if (u.protocol !== 'https:' || u.port || u.username) return undefined;
  const host = u.hostname.toLowerCase();
  const label = /^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\.(firebaseio\.com|(?:us-central1|europe-west1|asia-southeast1)\.firebasedatabase\.app)$/.exec(host);
  return label ? `https://${host}` : undefined;
}

/** The billable APIs an API key is tried against, in order; the first that accepts it makes the key unrestricted. */
const BILLABLE: readonly { name: string; path: string; query: string }[] = [
  { name: 'Geocoding API', path: '/maps/api/geocode/json', query: 'address=Eiffel%20Tower' },
  { name: 'Directions API', path: '/maps/api/directions/json', query: 'origin=Paris&destination=Lyon' },
  { name: 'Elevation API', path: '/maps/api/elevation/json', query: 'locations=48.8584,2.2945' },
];

/** How Maps web services answer a key: accepted, invalid, or restricted for that API. */
function mapsAnswer(status: unknown, message: unknown): 'accepted' | 'invalid' | 'restricted' | undefined {
  if (status === 'OK' || status === 'ZERO_RESULTS') return 'accepted';
  if (status !== 'REQUEST_DENIED') return undefined;
  return typeof message === 'string' && /api key (?:is )?(?:not valid|invalid)|provided api key is (?:invalid|expired)/i.test(message) ? 'invalid' : 'restricted';
}

export const googleVerifiers: Verifier[] = [
  {
    id: 'firebase-database-open',
    provider: 'firebase',
    ruleIds: ['firebase-database-url'],
    calls: RTDB_ORIGINS.map((origin) => ({ method: 'GET' as const, origin, path: /^\/\.json$/, doc: 'GET /.json?shallow=true' })),
    readOnly: 'Reads the names of the database’s top-level keys (shallow=true), never their values; only the count is kept.',
    plan(f) {
      const origin = databaseOrigin(f.secret);
      if (!origin) return { unverifiable: 'the URL is not on an official Realtime Database host' };
      return {
        host: origin,
        call: 'GET /.json?shallow=true',
        fingerprints: [f.fingerprint],
        async run(http): Promise<VerifyOutcome> {
          const res = await http.request({ method: 'GET', url: `${origin}/.json?shallow=true` });
          if (res.status === 200) {
            const body = res.json();
            const keys = body !== null && typeof body === 'object' ? Object.keys(body).length : 0;
            return {
              status: 'live',
              reason: `the database is readable by anyone: ${keys} top-level key(s) listed without credentials`,
              evidence: evidence({ openPaths: ['/'], topLevelKeys: keys }),
              keepSeverity: true,
              exposure: { ruleId: 'firebase-database-open', title: 'Firebase Realtime Database readable by anyone', reason: `an unauthenticated read of ${origin}/.json succeeded (${keys} top-level key(s)): anyone can read it` },
            };
          }
          if (res.status === 401 || res.status === 403) return invalid('the database refuses reads without credentials (its rules are not open)');
          if (res.status === 404) return invalid('no such database (HTTP 404)');
          if (res.status === 423) return invalid('the database is disabled (HTTP 423)');
          return unexpected(res, 'Firebase GET /.json');
        },
      };
    },
  },
  {
    id: 'google-api-key',
    provider: 'google',
    ruleIds: ['google-api-key'],
    calls: BILLABLE.map((b) => ({ method: 'GET' as const, origin: MAPS, path: new RegExp(`^${b.path.replace(/\//g, '\\/')}$`), doc: `GET ${b.path}` })),
    readOnly: 'Each call is one read-only web-service query (geocode, route, elevation); nothing is stored at the provider.',
    plan(f) {
      return {
        host: MAPS,
        call: BILLABLE.map((b) => `GET ${b.path}`).join(', then '),
        fingerprints: [f.fingerprint],
        async run(http): Promise<VerifyOutcome> {
          const restricted: string[] = [];
          for (const b of BILLABLE) {
            const res = await http.request({ method: 'GET', url: `${MAPS}${b.path}?${b.query}&key=${encodeURIComponent(f.secret)}` });
            if (res.status !== 200 && res.status !== 403 && res.status !== 400) return unexpected(res, `Google ${b.name}`);
            const answer = mapsAnswer(field(res.json(), 'status'), field(res.json(), 'error_message'));
            if (answer === 'accepted') return live(`unrestricted: the billable ${b.name} accepts the key, so anyone can spend the project’s quota`, evidence({ acceptedBy: [b.name], refusedBy: restricted }));
            if (answer === 'invalid') return invalid('Google says the API key is not valid');
            if (answer === undefined) return unexpected(res, `Google ${b.name}`);
            restricted.push(b.name);
          }
          return invalid(`restricted: none of the billable APIs tried accepts it (${restricted.join(', ')}); it may still work for the APIs and apps it is restricted to`, evidence({ refusedBy: restricted }));
        },
      };
    },
  },
  {
    id: 'firebase-fcm-server-key',
    provider: 'firebase',
    ruleIds: ['firebase-fcm-server-key'],
    calls: [{ method: 'POST', origin: FCM, path: /^\/fcm\/send$/, doc: 'POST /fcm/send (dry_run, one made-up registration id)' }],
    readOnly: 'dry_run=true: FCM validates the request and sends nothing; the one registration id is not a device.',
    plan(f) {
      return {
        host: FCM,
        call: 'POST /fcm/send (dry_run)',
        fingerprints: [f.fingerprint],
        async run(http) {
          const res = await http.request({ method: 'POST', url: `${FCM}/fcm/send`, headers: { authorization: `key=${f.secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ registration_ids: ['leakdex-verification-not-a-device'], dry_run: true }) });
          if (res.status === 200 && field(res.json(), 'multicast_id') !== undefined) return live('FCM accepted the server key (a dry run: nothing was sent)');
          if (res.status === 401 || res.status === 403) return invalid(`FCM refused the server key (HTTP ${res.status})`);
          return unexpected(res, 'FCM POST /fcm/send');
        },
      };
    },
  },
];
