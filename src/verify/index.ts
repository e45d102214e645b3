/**
 * The verifiers, an explicit list (no discovery): one module per provider under providers/, each declaring the only
 * calls it makes. A rule without a verifier here is reported `unverifiable` when --verify is asked for.
 */
import type { Verifier } from './types.js';
import { aiVerifiers } from './providers/ai.js';
import { awsVerifiers } from './providers/aws.js';
import { azureVerifiers } from './providers/azure.js';
import { devtoolsVerifiers } from './providers/devtools.js';
import { facebookVerifiers } from './providers/facebook.js';
import { githubVerifiers } from './providers/github.js';
import { googleVerifiers } from './providers/google.js';
import { mapsVerifiers } from './providers/maps.js';
import { messagingVerifiers } from './providers/messaging.js';
import { simpleVerifiers } from './providers/simple.js';
import { slackVerifiers } from './providers/slack.js';
import { stripeVerifiers } from './providers/stripe.js';
import { twitterVerifiers } from './providers/twitter.js';

export const VERIFIERS: readonly Verifier[] = [
  ...twitterVerifiers,
  ...facebookVerifiers,
  ...googleVerifiers,
  ...awsVerifiers,
  ...githubVerifiers,
  ...slackVerifiers,
  ...stripeVerifiers,
  ...messagingVerifiers,
  ...mapsVerifiers,
  ...aiVerifiers,
  ...devtoolsVerifiers,
  ...azureVerifiers,
  ...simpleVerifiers,
];
