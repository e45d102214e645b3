import { ALNUM, DIGITS, HEX, fake } from './fake.js';
import type { Rule } from './types.js';

const appId = `1${fake(DIGITS, 14, 201)}`;
const clientToken = fake(HEX, 32, 202);
const appSecret = fake(HEX, 32, 203);
const userToken = `EAAG${fake(ALNUM, 180, 204)}`;

/** Names that say Facebook (or its usual `fb` abbreviation, as a word) next to secret. */
const FACEBOOK_SECRET_NAME = /facebook.{0,20}secret|(?:^|[^a-z])fb.{0,20}secret/i;

/** Facebook/Meta platform credentials: the app id and client token ship in apps by design, the app secret must not. */
export const facebookRules: Rule[] = [
  {
    id: 'facebook-app-id',
    provider: 'facebook',
    title: 'Facebook app id',
    severity: 'info',
    confidence: 'medium',
    pattern: /^[0-9]{13,17}$/,
    keywords: [],
    whole: { length: [13, 17] },
    context: { require: /facebook.{0,20}app.?id|fb.?app.?id|com\.facebook\.sdk\.ApplicationId/i, code: /^arg 0 of com\.facebook\.FacebookSdk\.setApplicationId(?: |$)/ },
    reason: 'public by design: the Facebook SDK needs the app id in the app; it identifies, it does not authenticate',
    examples: {
      match: [
        { text: appId, context: 'facebook_app_id' },
        { text: appId, context: 'com.facebook.sdk.ApplicationId' },
        { text: appId, context: 'FacebookAppID' },
        { text: appId, code: 'arg 0 of com.facebook.FacebookSdk.setApplicationId in a.b.c.a' },
      ],
      noMatch: [appId, { text: appId, context: 'gcm_defaultSenderId' }, { text: '1111111111111', context: 'facebook_app_id' }, { text: `fb${appId}`, context: 'facebook_app_id' }],
    },
  },
  {
    id: 'facebook-client-token',
    provider: 'facebook',
    title: 'Facebook client token',
    severity: 'low',
    confidence: 'medium',
    pattern: /^[0-9a-f]{32}$/,
    keywords: [],
    whole: { length: [32, 32] },
    minEntropy: 2.8,
    // A bare `client_token` names no provider: generic-secret reports it.
    context: { require: /(?:facebook|(?:^|[^a-z])fb).{0,20}client.?token|com\.facebook\.sdk\.ClientToken/i, code: /^arg 0 of com\.facebook\.FacebookSdk\.setClientToken(?: |$)/ },
    reason: 'public by design: the client token ships in apps for limited client-side calls; it is not the app secret',
    examples: {
      match: [
        { text: clientToken, context: 'facebook_client_token' },
        { text: clientToken, context: 'com.facebook.sdk.ClientToken' },
        { text: clientToken, context: 'FacebookClientToken' },
      ],
      noMatch: [clientToken, { text: clientToken.toUpperCase(), context: 'facebook_client_token' }, { text: '0'.repeat(32), context: 'facebook_client_token' }, { text: clientToken, context: 'client_token' }, { text: clientToken, context: 'CLIENT_TOKEN' }],
    },
  },
  {
    id: 'facebook-app-secret',
    provider: 'facebook',
    title: 'Facebook app secret',
    severity: 'critical',
    confidence: 'medium',
    pattern: /^[0-9a-f]{32}$/,
    keywords: [],
    whole: { length: [32, 32] },
    minEntropy: 2.8,
    // Facebook must be named in the binding; a bare `app_secret` is any provider's (see the second shape).
    context: { require: FACEBOOK_SECRET_NAME },
    pairWith: { ruleId: 'facebook-app-id', severity: 'critical', confidence: 'high', reason: 'app secret shipped with its app id: together they mint app access tokens' },
    shapes: [
      {
        // A 32-hex value bound only to an app-secret name is Facebook's when it ships beside a Facebook app id (same
        // entry or class); alone it is left to generic-secret, with generic advice.
        pattern: /^[0-9a-f]{32}$/,
        keywords: [],
        whole: { length: [32, 32] },
        minEntropy: 2.8,
        context: { require: /app.?secret/i },
        pairWith: { ruleId: 'facebook-app-id', severity: 'critical', confidence: 'medium', reason: 'bound to an app-secret name beside a Facebook app id: most likely the Facebook app secret, which mints app access tokens', required: true },
      },
    ],
    examples: {
      match: [
        { text: appSecret, context: 'facebook_app_secret' },
        { text: appSecret, context: 'FB_SECRET' },
        { text: appSecret, context: 'fbAppSecret' },
        { text: appSecret, context: 'com.facebook.sdk.AppSecret' },
      ],
      noMatch: [
        appSecret,
        { text: appSecret, context: 'md5' },
        { text: '1234567890abcdef1234567890abcdef', context: 'facebook_app_secret' },
        // No Facebook evidence: reported by generic-secret instead.
        { text: appSecret, context: 'appSecret' },
        { text: appSecret, context: 'APP_SECRET' },
        { text: appSecret, context: 'app_secret' },
        { text: appSecret, context: 'webfbsecret' },
      ],
    },
  },
  {
    id: 'facebook-access-token',
    provider: 'facebook',
    title: 'Facebook user or page access token',
    severity: 'high',
    confidence: 'high',
    // Not after `_`: the body of another provider's token (`ghp_EAA…`, one GitHub token in 240,000) is not a Facebook token.
    pattern: /(?<![A-Za-z0-9_])EAA[A-Za-z0-9]{30,400}(?![A-Za-z0-9])/,
    keywords: ['eaa'],
    minEntropy: 4.0,
    secretMustMatch: [/[a-z]/, /[A-Z]/, /[0-9]/],
    examples: {
      match: [userToken, `access_token=${userToken}&fields=id`, `EAAC${fake(ALNUM, 120, 205)}`],
      noMatch: [`EAA${'a'.repeat(40)}`, `EAA${fake(ALNUM, 20, 206)}`, `xEAA${fake(ALNUM, 60, 207)}`, 'EAAbstractTransactionManagerFactoryImpl', 'GITHUB_TOKEN=ghp_EAAtiEFh252qGh9F6dmF3Mj6EIhgFbB1czJG'],
    },
  },
  {
    id: 'facebook-app-access-token',
    provider: 'facebook',
    title: 'Facebook app access token (app id | app secret)',
    severity: 'critical',
    confidence: 'high',
    pattern: /(?<![0-9])[0-9]{13,17}\|[0-9a-f]{32}(?![0-9a-fA-F])/,
    keywords: ['|'],
    examples: {
      match: [`${appId}|${appSecret}`, `https://graph.facebook.com/me?access_token=${appId}|${appSecret}`],
      noMatch: [`${appId}|${appSecret.slice(1)}`, `12|${appSecret}`, `${appId}|${'0'.repeat(32)}`],
    },
  },
];
