import { aiRules } from './ai.js';
import { analyticsRules } from './analytics.js';
import { awsRules } from './aws.js';
import { azureRules } from './azure.js';
import { backendRules } from './backends.js';
import { cloudRules } from './cloud.js';
import { databaseRules } from './database.js';
import { devtoolsRules } from './devtools.js';
import { facebookRules } from './facebook.js';
import { boundNameRules, codeRules, credentialUrlRules, privateKeyRules } from './generic/index.js';
import { githubRules } from './github.js';
import { googleRules } from './google.js';
import { keyFileRules } from './key-files.js';
import { mapRules } from './maps.js';
import { messagingRules } from './messaging.js';
import { paymentRules } from './payments.js';
import { slackRules } from './slack.js';
import { socialRules } from './social.js';
import { stripeRules } from './stripe.js';
import { twitterRules } from './twitter.js';
import type { Rule } from './types.js';

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
  ...keyFileRules,
  ...cloudRules,
  ...devtoolsRules,
  ...aiRules,
  ...paymentRules,
  ...messagingRules,
  ...analyticsRules,
  ...socialRules,
  ...mapRules,
  ...backendRules,
  ...databaseRules,
  ...credentialUrlRules,
  ...codeRules,
  ...boundNameRules,
];
