/**
 * Firebase and Google: a Realtime Database, the project's Storage bucket and its Firestore open to anyone (names and
 * counts only), API
 * keys tried against billable Maps APIs to tell an unrestricted key, and FCM legacy server keys (a dry run).
 */
import { evidence, field, invalid, live, unexpected, type Exposure, type VerifyHttp, type VerifyOutcome, type Verifier } from '../types.js';

/** Realtime Database locations outside the default one (`<db>.<region>.firebasedatabase.app`). */
export const RTDB_REGIONS = ['us-central1', 'europe-west1', 'asia-southeast1'] as const;
const RTDB_ORIGINS = ['https://*.firebaseio.com', ...RTDB_REGIONS.map((r) => `https://*.${r}.firebasedatabase.app`)];
const MAPS = 'https://maps.googleapis.com';
const STORAGE = 'https://firebasestorage.googleapis.com';
const FIRESTORE = 'https://firestore.googleapis.com';

/** The Firebase project of a database origin: `<project>-default-rtdb` or, for older projects, `<project>` itself. */
export function projectOf(origin: string): string | undefined {
  const label = new URL(origin).hostname.split('.')[0]!.replace(/-default-rtdb$/, '');
  return /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(label) ? label : undefined;
}

/** The project's default Storage bucket listed without credentials, or why not (the newer bucket name after the older). */
async function openBucket(http: VerifyHttp, project: string): Promise<Exposure | string> {
  for (const bucket of [`${project}.appspot.com`, `${project}.firebasestorage.app`]) {
    const res = await http.request({ method: 'GET', url: `${STORAGE}/v0/b/${bucket}/o?maxResults=1` });
    if (res.status === 200) {
      const items = field(res.json(), 'items');
      const n = Array.isArray(items) ? items.length : 0;
      return { ruleId: 'firebase-storage-open', title: 'Firebase Storage bucket listable by anyone', reason: `an unauthenticated listing of gs://${bucket} succeeded: anyone can list (and likely read) its files`, evidence: evidence({ bucket, openPaths: ['/'], listedObjects: n }) };
    }
    if (res.status === 401 || res.status === 403) return `the Storage bucket gs://${bucket} refuses listing without credentials`;
    if (res.status !== 404) return `the Storage bucket answered HTTP ${res.status}`;
  }
  return 'no default Storage bucket found';
}

/** A Firestore query over every collection without credentials (names only, one document), or why not. */
async function openFirestore(http: VerifyHttp, project: string): Promise<Exposure | string> {
  const query = { structuredQuery: { select: { fields: [{ fieldPath: '__name__' }] }, from: [{ allDescendants: true }], limit: 1 } };
  const res = await http.request({ method: 'POST', url: `${FIRESTORE}/v1/projects/${project}/databases/(default)/documents:runQuery`, headers: { 'content-type': 'application/json' }, body: JSON.stringify(query) });
  if (res.status === 200) {
    const rows = res.json();
    const docs = Array.isArray(rows) ? rows.filter((r) => field(r, 'document') !== undefined).length : 0;
    return { ruleId: 'firebase-firestore-open', title: 'Cloud Firestore readable by anyone', reason: `an unauthenticated query over every collection of project ${project} succeeded: its security rules let anyone read`, evidence: evidence({ project, openPaths: ['/'], documentsSeen: docs }) };
  }
  if (res.status === 401 || res.status === 403) return 'Firestore refuses reads without credentials';
  if (res.status === 404) return 'no Firestore database';
  return `Firestore answered HTTP ${res.status}`;
}
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
    id: 'firebase-open-data',
    provider: 'firebase',
    ruleIds: ['firebase-database-url'],
    calls: [
      ...RTDB_ORIGINS.map((origin) => ({ method: 'GET' as const, origin, path: /^\/\.json$/, doc: 'GET /.json?shallow=true' })),
      { method: 'GET', origin: STORAGE, path: /^\/v0\/b\/[a-z0-9][a-z0-9._-]{2,220}\/o$/, doc: 'GET /v0/b/<project bucket>/o?maxResults=1' },
      { method: 'POST', origin: FIRESTORE, path: /^\/v1\/projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/databases\/\(default\)\/documents:runQuery$/, doc: 'POST /v1/projects/<project>/databases/(default)/documents:runQuery (names of at most 1 document)' },
    ],
    readOnly:
      'Unauthenticated reads only: the database’s top-level key names (shallow=true, never values; only their count is kept), the name of at most one object of the project’s default Storage bucket, and the name of at most one Firestore document (a query selecting only __name__); only counts are kept.',
    plan(f) {
      const origin = databaseOrigin(f.secret);
      if (!origin) return { unverifiable: 'the URL is not on an official Realtime Database host' };
      const project = projectOf(origin);
      return {
        host: origin,
        call: `GET /.json?shallow=true${project ? `, then Storage and Firestore of project ${project}` : ''}`,
        fingerprints: [f.fingerprint],
        async run(http): Promise<VerifyOutcome> {
          const exposures: Exposure[] = [];
          const closed: string[] = [];
          const res = await http.request({ method: 'GET', url: `${origin}/.json?shallow=true` });
          if (res.status === 200) {
            const body = res.json();
            const keys = body !== null && typeof body === 'object' ? Object.keys(body).length : 0;
            exposures.push({ ruleId: 'firebase-database-open', title: 'Firebase Realtime Database readable by anyone', reason: `an unauthenticated read of ${origin}/.json succeeded (${keys} top-level key(s)): anyone can read it`, evidence: evidence({ openPaths: ['/'], topLevelKeys: keys }) });
          } else if (res.status === 401 || res.status === 403) closed.push('the database refuses reads without credentials');
          else if (res.status === 404) closed.push('no such database (HTTP 404)');
          else if (res.status === 423) closed.push('the database is disabled (HTTP 423)');
          else return unexpected(res, 'Firebase GET /.json');
          if (project) {
            const storage = await openBucket(http, project);
            if (typeof storage === 'string') closed.push(storage);
            else exposures.push(storage);
            const firestore = await openFirestore(http, project);
            if (typeof firestore === 'string') closed.push(firestore);
            else exposures.push(firestore);
          }
          if (exposures.length === 0) return invalid(closed.join('; '));
          return {
            status: 'live',
            reason: [...exposures.map((x) => x.reason), ...closed].join('; '),
            evidence: evidence({ openPaths: exposures.map((x) => x.ruleId.replace(/^firebase-|-open$/g, '')) }),
            keepSeverity: true,
            exposures,
          };
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
