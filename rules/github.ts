import { CS, bound } from './build.js';
import { ALNUM, fake } from './fake.js';
import type { Rule } from './types.js';

const classic = (kind: string, seed: number): string => `gh${kind}_${fake(ALNUM, 36, seed)}`;
const fineGrained = `github_${'pat'}_${fake(ALNUM, 22, 801)}_${fake(ALNUM, 59, 802)}`;

/** GitHub personal, OAuth, app and refresh tokens. */
export const githubRules: Rule[] = [
  {
    id: 'github-token',
    provider: 'github',
    title: 'GitHub token',
    severity: 'critical',
    confidence: 'high',
    pattern: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})(?![A-Za-z0-9_])/,
    keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
    examples: {
      match: [classic('p', 803), classic('s', 804), classic('o', 805), fineGrained, `Authorization: token ${classic('p', 806)}`],
      noMatch: [`gh${'p'}_${fake(ALNUM, 35, 807)}`, `gh${'x'}_${fake(ALNUM, 36, 808)}`, `gh${'p'}_${'x'.repeat(36)}`, `agh${'p'}_${fake(ALNUM, 36, 809)}`],
    },
  },
  bound({
    id: 'github-oauth-client-secret',
    provider: 'github',
    title: 'GitHub OAuth app client secret',
    severity: 'high',
    parts: [[CS.hex, 40]],
    context: /github.{0,20}(?:client.?)?secret/i,
    names: ['GITHUB_CLIENT_SECRET', 'github_oauth_secret'],
    minEntropy: 3.4,
    seed: 2001,
  }),
];
