/** OpenAI and Anthropic: an API key lists the models it may use (GET only); admin keys have no such check. */
import { invalid, live, unexpected, type Verifier } from '../types.js';

const OPENAI = 'https://api.openai.com';
const ANTHROPIC = 'https://api.anthropic.com';
const ADMIN = 'an admin key works only on the organization admin API, which this check does not call; a refusal by the models list would not mean the key is dead';

export const aiVerifiers: Verifier[] = [
  {
    id: 'openai-api-key',
    provider: 'openai',
    ruleIds: ['openai-api-key', 'openai-api-key-legacy'],
    calls: [{ method: 'GET', origin: OPENAI, path: /^\/v1\/models$/, doc: 'GET /v1/models' }],
    readOnly: 'GET /v1/models lists the models the key may use; it runs none.',
    plan(f) {
      if (f.secret.startsWith('sk-admin-')) return { unverifiable: ADMIN };
      return {
        host: OPENAI,
        call: 'GET /v1/models',
        fingerprints: [f.fingerprint],
        async run(http) {
          const res = await http.request({ method: 'GET', url: `${OPENAI}/v1/models`, headers: { authorization: `Bearer ${f.secret}` } });
          if (res.status === 200) return live('OpenAI accepted the key (it lists the models)');
          if (res.status === 401) return invalid('OpenAI refused the key (401)');
          return unexpected(res, 'OpenAI GET /v1/models');
        },
      };
    },
  },
  {
    id: 'anthropic-api-key',
    provider: 'anthropic',
    ruleIds: ['anthropic-api-key'],
    calls: [{ method: 'GET', origin: ANTHROPIC, path: /^\/v1\/models$/, doc: 'GET /v1/models' }],
    readOnly: 'GET /v1/models lists the models the key may use; it runs none.',
    plan(f) {
      if (f.secret.startsWith('sk-ant-admin')) return { unverifiable: ADMIN };
      return {
        host: ANTHROPIC,
        call: 'GET /v1/models',
        fingerprints: [f.fingerprint],
        async run(http) {
          const res = await http.request({ method: 'GET', url: `${ANTHROPIC}/v1/models`, headers: { 'x-api-key': f.secret, 'anthropic-version': '2023-06-01' } });
          if (res.status === 200) return live('Anthropic accepted the key (it lists the models)');
          if (res.status === 401) return invalid('Anthropic refused the key (401)');
          return unexpected(res, 'Anthropic GET /v1/models');
        },
      };
    },
  },
];
