/** Facebook: the app secret is exchanged for an app access token; app and user access tokens read who they are. */
import { ev, evidence, field, invalid, live, unexpected, type Verifier, type VerifyResponse } from '../types.js';

const GRAPH = 'https://graph.facebook.com';

/** Graph API error code of `{"error":{"code":N}}`. */
function graphError(res: VerifyResponse): string {
  const code = field(res.json(), 'error', 'code');
  return typeof code === 'number' ? `, error ${code}` : '';
}

/** 400/401 with a Graph OAuth error: the credential was refused. */
const refused = (res: VerifyResponse) => (res.status === 400 || res.status === 401 || res.status === 403) && field(res.json(), 'error') !== undefined;

export const facebookVerifiers: Verifier[] = [
  {
    id: 'facebook-app-secret',
    provider: 'facebook',
    ruleIds: ['facebook-app-secret'],
    calls: [{ method: 'GET', origin: GRAPH, path: /^\/oauth\/access_token$/, doc: 'GET /oauth/access_token (grant_type=client_credentials)' }],
    readOnly: 'The client-credentials grant returns an app access token; it changes nothing in the app.',
    plan(f, ctx) {
      const appId = ctx.partners(f, 'facebook-app-id')[0];
      if (!appId) return { unverifiable: 'an app secret is checked with its app id, which this app does not hold' };
      return {
        host: GRAPH,
        call: 'GET /oauth/access_token',
        fingerprints: [appId.fingerprint, f.fingerprint],
        async run(http) {
          const q = new URLSearchParams({ client_id: appId.secret, client_secret: f.secret, grant_type: 'client_credentials' });
          const res = await http.request({ method: 'GET', url: `${GRAPH}/oauth/access_token?${q}` });
          if (res.status === 200 && typeof field(res.json(), 'access_token') === 'string') return live('the app id and secret were exchanged for an app access token', evidence({ appId: ev(appId.secret, 20) }));
          if (refused(res)) return invalid(`Facebook refused the app secret (HTTP ${res.status}${graphError(res)})`);
          return unexpected(res, 'Facebook GET /oauth/access_token');
        },
      };
    },
  },
  {
    id: 'facebook-app-access-token',
    provider: 'facebook',
    ruleIds: ['facebook-app-access-token'],
    calls: [{ method: 'GET', origin: GRAPH, path: /^\/app$/, doc: 'GET /app' }],
    readOnly: 'Reads the app’s own id and name.',
    plan(f) {
      return {
        host: GRAPH,
        call: 'GET /app',
        fingerprints: [f.fingerprint],
        async run(http) {
          const res = await http.request({ method: 'GET', url: `${GRAPH}/app?${new URLSearchParams({ fields: 'id,name', access_token: f.secret })}` });
          if (res.status === 200 && field(res.json(), 'id') !== undefined) return live(`Facebook accepted the app access token of app ${ev(field(res.json(), 'id'), 20)}`, evidence({ appId: ev(field(res.json(), 'id'), 20), appName: ev(field(res.json(), 'name'), 100) }));
          if (refused(res)) return invalid(`Facebook refused the app access token (HTTP ${res.status}${graphError(res)})`);
          return unexpected(res, 'Facebook GET /app');
        },
      };
    },
  },
  {
    id: 'facebook-access-token',
    provider: 'facebook',
    ruleIds: ['facebook-access-token'],
    calls: [{ method: 'GET', origin: GRAPH, path: /^\/me$/, doc: 'GET /me?fields=id' }],
    readOnly: 'Reads the id of the token’s user or page.',
    plan(f) {
      return {
        host: GRAPH,
        call: 'GET /me',
        fingerprints: [f.fingerprint],
        async run(http) {
          const res = await http.request({ method: 'GET', url: `${GRAPH}/me?${new URLSearchParams({ fields: 'id', access_token: f.secret })}` });
          if (res.status === 200 && field(res.json(), 'id') !== undefined) return live(`Facebook accepted the access token of ${ev(field(res.json(), 'id'), 30)}`, evidence({ accountId: ev(field(res.json(), 'id'), 30) }));
          if (refused(res)) return invalid(`Facebook refused the access token (HTTP ${res.status}${graphError(res)})`);
          return unexpected(res, 'Facebook GET /me');
        },
      };
    },
  },
  {
    id: 'facebook-public-ids',
    provider: 'facebook',
    ruleIds: ['facebook-app-id', 'facebook-client-token'],
    calls: [],
    readOnly: 'Makes no call.',
    plan(f) {
      return { unverifiable: f.ruleId === 'facebook-app-id' ? 'an app id is public by design; the app secret, when the app holds it, is what is checked' : 'a client token is public by design (it ships in every app using the SDK) and has no read-only check of its own' };
    },
  },
];
