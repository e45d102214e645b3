/** npm: an access token reads the name of its own account (GET only). */
import { ev, evidence, field, invalid, live, unexpected, type Verifier } from '../types.js';

const REGISTRY = 'https://registry.npmjs.org';

export const devtoolsVerifiers: Verifier[] = [
  {
    id: 'npm-token',
    provider: 'npm',
    ruleIds: ['npm-token'],
    calls: [{ method: 'GET', origin: REGISTRY, path: /^\/-\/whoami$/, doc: 'GET /-/whoami' }],
    readOnly: 'GET /-/whoami reads the user name of the token owner.',
    plan(f) {
      return {
        host: REGISTRY,
        call: 'GET /-/whoami',
        fingerprints: [f.fingerprint],
        async run(http) {
          const res = await http.request({ method: 'GET', url: `${REGISTRY}/-/whoami`, headers: { authorization: `Bearer ${f.secret}` } });
          if (res.status === 200) {
            const account = ev(field(res.json(), 'username'), 100);
            return live(`npm accepted the token for ${account ?? 'an account'}`, evidence({ account }));
          }
          if (res.status === 401) return invalid('npm refused the token (401)');
          return unexpected(res, 'npm GET /-/whoami');
        },
      };
    },
  },
];
