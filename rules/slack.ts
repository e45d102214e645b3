import { CS, prefixed } from './build.js';
import { ALNUM, DIGITS, HEX, UPPER_ALNUM, fake } from './fake.js';
import type { Rule } from './types.js';

const botToken = `xox${'b'}-${fake(DIGITS, 12, 701)}-${fake(DIGITS, 13, 702)}-${fake(ALNUM, 24, 703)}`;
const userToken = `xox${'p'}-${fake(DIGITS, 12, 704)}-${fake(DIGITS, 12, 705)}-${fake(DIGITS, 13, 706)}-${fake(HEX, 32, 707)}`;
const appToken = `xap${'p'}-1-A${fake(UPPER_ALNUM, 10, 708)}-${fake(DIGITS, 13, 709)}-${fake(HEX, 64, 710)}`;
const webhook = `https://hooks.slack.com/services/T${fake(UPPER_ALNUM, 10, 711)}/B${fake(UPPER_ALNUM, 10, 712)}/${fake(ALNUM, 24, 713)}`;

/** Slack API tokens and incoming webhooks. */
export const slackRules: Rule[] = [
  {
    id: 'slack-token',
    provider: 'slack',
    title: 'Slack API token',
    severity: 'high',
    confidence: 'high',
    pattern: /(?<![A-Za-z0-9])(?:xox[baprs]-[0-9]{1,15}-[0-9A-Za-z-]{8,250}|xapp-[0-9]-[0-9A-Za-z-]{10,250})(?![0-9A-Za-z-])/,
    keywords: ['xoxb-', 'xoxa-', 'xoxp-', 'xoxr-', 'xoxs-', 'xapp-'],
    examples: {
      match: [botToken, userToken, appToken, `"token":"${botToken}"`],
      noMatch: [`xox${'b'}-your-bot-token`, `xox${'b'}-${'x'.repeat(20)}`, `xox${'b'}-123`, `axox${'b'}-${fake(DIGITS, 12, 714)}-${fake(ALNUM, 24, 715)}`],
    },
  },
  {
    id: 'slack-webhook',
    provider: 'slack',
    title: 'Slack incoming webhook URL',
    severity: 'medium',
    confidence: 'high',
    pattern: /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]{8,12}\/B[A-Z0-9]{8,12}\/[A-Za-z0-9]{24}(?![A-Za-z0-9])/,
    keywords: ['hooks.slack.com'],
    reason: 'anyone holding the URL can post messages to the channel',
    examples: {
      match: [webhook, `{"url":"${webhook}"}`],
      noMatch: ['https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX', `https://hooks.slack.com/services/T${fake(UPPER_ALNUM, 10, 716)}/B${fake(UPPER_ALNUM, 10, 717)}/${fake(ALNUM, 20, 718)}`],
    },
  },
  prefixed({ id: 'slack-config-token', provider: 'slack', title: 'Slack app configuration token', severity: 'high', parts: ['xoxe.xoxp-1-', [CS.alnum, 160, 170]], prefixes: ['xoxe.xoxp-1-', 'xoxe.xoxb-1-', 'xoxe-1-'], boundary: 'A-Za-z0-9_-', supersedes: ['slack-token'], seed: 7035 }),
];
