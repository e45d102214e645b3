import { aiRules } from './ai.js';
import { analyticsRules } from './analytics.js';
import { awsRules } from './aws.js';
import { azureRules } from './azure.js';
import { backendRules } from './backends.js';
import { cloudRules } from './cloud.js';
import { codeRules } from './code.js';
import { devtoolsRules } from './devtools.js';
import { facebookRules } from './facebook.js';
import { genericRules } from './generic.js';
import { githubRules } from './github.js';
import { googleRules } from './google.js';
import { mapRules } from './maps.js';
import { messagingRules } from './messaging.js';
import { paymentRules } from './payments.js';
import { privateKeyRules } from './private-key.js';
import { slackRules } from './slack.js';
import { socialRules } from './social.js';
import { stripeRules } from './stripe.js';
import { twitterRules } from './twitter.js';
import type { Rule } from './types.js';
import { urlRules } from './urls.js';

export type { Confidence, Rule, RuleAdjustment, RuleExample, RulePairing, RuleShape, Severity } from './types.js';

/** Every built-in rule, in a fixed order. Adding a provider means adding its module here: no discovery. */
export const RULES: readonly Rule[] = [
  ...twitterRules,
  ...facebookRules,
  ...googleRules,
  ...awsRules,
  ...azureRules,
  ...stripeRules,
  ...slackRules,
  ...githubRules,
  ...privateKeyRules,
  ...cloudRules,
  ...devtoolsRules,
  ...aiRules,
  ...paymentRules,
  ...messagingRules,
  ...analyticsRules,
  ...socialRules,
  ...mapRules,
  ...backendRules,
  ...urlRules,
  ...codeRules,
  ...genericRules,
];
