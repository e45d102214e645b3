import { ALNUM, fake } from './fake.js';
import type { Rule } from './types.js';

const live = (kind: string, seed: number, length = 99): string => `${kind}_${'live'}_${fake(ALNUM, length, seed)}`;
const test = (kind: string, seed: number, length = 99): string => `${kind}_${'test'}_${fake(ALNUM, length, seed)}`;

const TEST_MODE = { secret: /^[a-z]{2}_test_/ };

/** Stripe API keys: secret and restricted keys move money; publishable keys ship in apps by design. */
export const stripeRules: Rule[] = [
  {
    id: 'stripe-secret-key',
    provider: 'stripe',
    title: 'Stripe secret key',
    severity: 'critical',
    confidence: 'high',
    pattern: /(?<![A-Za-z0-9_])sk_(?:live|test)_[0-9a-zA-Z]{24,99}(?![0-9a-zA-Z])/,
    keywords: ['sk_live_', 'sk_test_'],
    reason: 'live secret key: full API access to the Stripe account',
    adjust: [{ when: TEST_MODE, severity: 'low', reason: 'test-mode key: no access to live data or money, but should not ship' }],
    examples: {
      match: [live('sk', 601), live('sk', 602, 24), `Bearer ${live('sk', 603, 40)}`, test('sk', 604, 24)],
      noMatch: [`sk_${'live'}_${fake(ALNUM, 23, 605)}`, `sk_${'live'}_${'x'.repeat(30)}`, `ask_${'live'}_${fake(ALNUM, 30, 606)}`, `sk_${'live'}_YOUR_SECRET_KEY_HERE_12345`],
    },
  },
  {
    id: 'stripe-restricted-key',
    provider: 'stripe',
    title: 'Stripe restricted key',
    severity: 'high',
    confidence: 'high',
    pattern: /(?<![A-Za-z0-9_])rk_(?:live|test)_[0-9a-zA-Z]{24,99}(?![0-9a-zA-Z])/,
    keywords: ['rk_live_', 'rk_test_'],
    reason: 'live restricted key: API access limited to the permissions it was created with',
    adjust: [{ when: TEST_MODE, severity: 'low', reason: 'test-mode key: no access to live data or money, but should not ship' }],
    examples: {
      match: [live('rk', 611), test('rk', 612, 30)],
      noMatch: [`rk_${'live'}_${fake(ALNUM, 10, 613)}`, `prk_${'live'}_${fake(ALNUM, 30, 614)}`],
    },
  },
  {
    id: 'stripe-publishable-key',
    provider: 'stripe',
    title: 'Stripe publishable key',
    severity: 'info',
    confidence: 'high',
    pattern: /(?<![A-Za-z0-9_])pk_(?:live|test)_[0-9a-zA-Z]{24,99}(?![0-9a-zA-Z])/,
    keywords: ['pk_live_', 'pk_test_'],
    reason: 'public by design: publishable keys only create tokens and are meant to ship in apps',
    examples: {
      match: [live('pk', 621), test('pk', 622, 40)],
      noMatch: [`pk_${'live'}_short`, `pk_${'live'}_${'0'.repeat(30)}`],
    },
  },
];
