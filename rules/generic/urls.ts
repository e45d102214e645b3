import { ALNUM, BASE64URL, fake } from '../fake.js';
import type { Rule } from '../types.js';

const b64url = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');
const jwt = (payload: object, seed: number): string => `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(JSON.stringify(payload))}.${fake(BASE64URL, 43, seed)}`;
const pw = (seed: number): string => fake(ALNUM, 16, seed);

/** Passwords that are documentation defaults, not secrets (`user:password@`, `guest:guest@`). */
export const DEFAULT_PASSWORD = /:(?:pass(?:word)?|passwd|pwd|secret|\*{1,20}|x{1,20}|12345\d{0,3}|admin|root|test|guest|user(?:name)?|dbpass|mypassword|changeme|[a-z]{1,12}pass)@/i;

/** Credentials carried by URLs and tokens: Basic-auth URLs and JWTs (database URLs: database.ts). */
export const credentialUrlRules: Rule[] = [
  {
    id: 'url-with-credentials',
    provider: 'generic',
    title: 'URL with a user name and password',
    severity: 'high',
    confidence: 'medium',
    pattern: /(?<![A-Za-z0-9+.-])(?:https?|ftps?|sftp|smtps?|imaps?|ldaps?|ssh|git|svn|rtsp|mqtts?|wss?):\/\/[A-Za-z0-9._%~!$&'()*+,;=-]{1,64}:[^\s:@/"'<>\\]{3,128}@[A-Za-z0-9-]{1,63}\.[A-Za-z0-9.-]{1,253}/,
    keywords: ['://'],
    minEntropy: 3,
    allow: [DEFAULT_PASSWORD, /@[a-z0-9.-]{0,253}(?:example\.(?:com|org|net)|localhost|\.test|\.invalid|\.local)$/i, /:%[a-z]|:\$|:\{|:<|:\[/i],
    reason: 'Basic-auth credentials in a URL: log in as that user wherever the password is reused',
    examples: {
      match: [`https://deploy:${pw(9505)}@git.orbit-notes.io/app.git`, `ftp://uploader:${pw(9506)}@files.orbit-notes.io/in`, { text: `"https://api:${pw(9507)}@api.orbit-notes.io/v1"`, context: 'endpoint' }],
      noMatch: ['https://user:password@example.com', 'https://orbit-notes.io/login?user=a&pass=b', 'http://%s:%s@%s:%d/', `https://user:${pw(9508)}@example.com/`, 'mailto:someone@orbit-notes.io', 'https://api.orbit-notes.io:8443/v1'],
    },
  },
  {
    id: 'jwt',
    provider: 'generic',
    title: 'JSON Web Token',
    severity: 'medium',
    confidence: 'medium',
    pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{10,600}\.eyJ[A-Za-z0-9_-]{10,4000}\.[A-Za-z0-9_-]{20,700}(?![A-Za-z0-9_-])/,
    keywords: ['eyj'],
    minEntropy: 4,
    reason: 'hardcoded bearer token: whatever it authorises, until it expires (if it ever does)',
    adjust: [
      {
        // "role":"service_role" in each of the three base64 alignments: a Supabase service key bypasses row-level security.
        when: { secret: /InJvbGUiOiJzZXJ2aWNlX3JvbGUi|b2xlIjoic2VydmljZV9yb2xl|cm9sZSI6InNlcnZpY2Vfcm9s/ },
        severity: 'critical',
        confidence: 'high',
        reason: 'Supabase service_role key: bypasses row-level security on the whole project',
      },
      {
        when: { secret: /InJvbGUiOiJhbm9u|b2xlIjoiYW5v|cm9sZSI6ImFub24i/ },
        severity: 'info',
        confidence: 'high',
        reason: 'public by design: a Supabase anon key; safe only when row-level security protects every table',
      },
    ],
    examples: {
      match: [
        jwt({ sub: '8f2c0d1e', name: 'orbit-sync', iat: 1700000000, scope: 'sync:write' }, 9509),
        `Authorization: Bearer ${jwt({ iss: 'orbit', aud: 'api', exp: 1900000000 }, 9510)}`,
        jwt({ iss: 'supabase', ref: 'abcdefghijklmnopqrst', role: 'service_role', iat: 1700000000, exp: 2000000000 }, 9511),
        jwt({ iss: 'supabase', ref: 'abcdefghijklmnopqrst', role: 'anon', iat: 1700000000, exp: 2000000000 }, 9512),
      ],
      noMatch: ['eyJhbGciOiJIUzI1NiJ9', `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.${'x'.repeat(10)}`, `${b64url('{"alg":"none"}')}.${b64url('{"a":1}')}.`],
    },
  },
];
