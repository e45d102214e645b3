import { ALNUM, DIGITS, fake } from './fake.js';
import type { Rule } from './types.js';

const consumerKey = fake(ALNUM, 25, 101);
const consumerSecret = fake(ALNUM, 50, 102);
const bearerToken = `${'A'.repeat(21)}${fake(ALNUM, 4, 103)}${'A'.repeat(7)}${fake(ALNUM, 10, 104)}%2B${fake(ALNUM, 20, 105)}%3D${fake(ALNUM, 50, 106)}`;
const accessToken = `1${fake(DIGITS, 17, 108)}-${fake(ALNUM, 40, 109)}`;

/** Strings that put a class or config file in Twitter's orbit: its API host or its SDKs. */
const TWITTER_SCOPE = /api\.twitter\.com|api\.x\.com|twitter4j|com\.twitter\.sdk/i;

/** `put twitter.consumerKey`: a property of an object that names Twitter (JavaScript or Hermes object literal, member store). */
const PUT_TWITTER = String.raw`put [^ .]{0,100}(?:[Tt]witter|TWITTER)[^ .]{0,100}\.`;
/**
 * The Twitter SDKs' setters and constructors that take the consumer key (code context, docs/code-context.md), a
 * getter, field or constructor of a class that names Twitter (`TwitterKeys.consumerKey()`), or a `consumerKey`
 * property of an object named for Twitter (`{twitter: {consumerKey: ...}}`).
 */
const SDK_CONSUMER_KEY = new RegExp(String.raw`^(?:arg 0 of (?:twitter4j\.[\w.$]{1,120}\.setOAuthConsumer(?:Key)?|com\.twitter\.sdk\.android\.core\.TwitterAuthConfig\.<init>)(?: |$)|(?:return|[si]put [^ ]{1,200}) in [^ ]{0,200}[Tt]witter[^ ]{0,200}[Cc]onsumer.?[Kk]ey|${PUT_TWITTER}(?:[Cc]onsumer_?[Kk]ey|CONSUMER_KEY|[Aa]pi_?[Kk]ey|API_KEY)(?: |$))`);
/** ... and the consumer secret. */
const SDK_CONSUMER_SECRET = new RegExp(String.raw`^(?:(?:arg 0 of twitter4j\.[\w.$]{1,120}\.setOAuthConsumerSecret|arg 1 of (?:twitter4j\.[\w.$]{1,120}\.setOAuthConsumer|com\.twitter\.sdk\.android\.core\.TwitterAuthConfig\.<init>))(?: |$)|(?:return|[si]put [^ ]{1,200}) in [^ ]{0,200}[Tt]witter[^ ]{0,200}[Cc]onsumer.?[Ss]ecret|${PUT_TWITTER}(?:[Cc]onsumer_?[Ss]ecret|CONSUMER_SECRET|[Aa]pi_?(?:[Kk]ey_?)?[Ss]ecret(?:_?[Kk]ey)?|API_(?:KEY_)?SECRET(?:_KEY)?)(?: |$))`);
/** ... and a user's access-token secret. */
const SDK_TOKEN_SECRET = /^(?:arg 0 of twitter4j\.[\w.$]{1,120}\.setOAuthAccessTokenSecret|arg 1 of (?:twitter4j\.auth\.AccessToken|com\.twitter\.sdk\.android\.core\.TwitterAuthToken)\.<init>)(?: |$)/;
const tokenSecret = fake(ALNUM, 45, 119);

/** Twitter/X API credentials. Consumer key and secret are bare values: only the name they are bound to identifies them. */
export const twitterRules: Rule[] = [
  {
    id: 'twitter-consumer-key',
    provider: 'twitter',
    title: 'Twitter/X API consumer key',
    severity: 'medium',
    confidence: 'medium',
    pattern: /^[A-Za-z0-9]{25}$/,
    keywords: [],
    whole: { length: [25, 25] },
    minEntropy: 3.5,
    secretMustMatch: [/[a-z]/, /[A-Z]/],
    // OAuth 1 `consumer_key` is any provider's: Twitter's when Twitter is named or its API/SDK is in the scope.
    context: { require: /twitter/i, scope: TWITTER_SCOPE, code: SDK_CONSUMER_KEY },
    examples: {
      match: [
        { text: consumerKey, context: 'twitter_consumer_key' },
        { text: consumerKey, context: 'com.twitter.sdk.android.CONSUMER_KEY' },
        { text: ` ${fake(ALNUM, 25, 110)}\n`, context: 'TWITTER_KEY' },
        { text: consumerKey, code: 'arg 0 of twitter4j.conf.ConfigurationBuilder.setOAuthConsumerKey in a.b.c.a' },
        { text: consumerKey, context: 'consumerKey', code: 'put twitter.consumerKey in init' },
      ],
      noMatch: [
        consumerKey,
        { text: consumerKey, context: 'consumerKey', code: 'put oauth.consumerKey in init' },
        { text: consumerKey, context: 'consumerKey', code: 'put twitter.consumerKeyHint' },
        { text: consumerKey, context: 'app_name' },
        { text: consumerKey, context: 'consumer_key' },
        { text: fake(ALNUM, 24, 111), context: 'twitter_consumer_key' },
        { text: 'YOUR_TWITTER_CONSUMER_KEY', context: 'twitter_consumer_key' },
        { text: 'abcdefghijklmnopqrstuvwxy', context: 'twitter_consumer_key' },
      ],
    },
  },
  {
    id: 'twitter-consumer-secret',
    provider: 'twitter',
    title: 'Twitter/X API consumer secret',
    severity: 'critical',
    confidence: 'medium',
    pattern: /^[A-Za-z0-9]{50}$/,
    keywords: [],
    whole: { length: [50, 50] },
    minEntropy: 4.2,
    secretMustMatch: [/[a-z]/, /[A-Z]/, /[0-9]/],
    context: { require: /twitter.{0,40}secret/i, scope: TWITTER_SCOPE, code: SDK_CONSUMER_SECRET },
    pairWith: { ruleId: 'twitter-consumer-key', severity: 'critical', confidence: 'high', reason: 'consumer secret shipped with its key: app-only access to the API' },
    examples: {
      match: [
        { text: consumerSecret, context: 'twitter_consumer_secret' },
        { text: consumerSecret, context: 'com.twitter.sdk.android.CONSUMER_SECRET' },
        { text: fake(ALNUM, 50, 112), context: 'TwitterConsumerSecret' },
        { text: consumerSecret, code: 'arg 0 of twitter4j.conf.ConfigurationBuilder.setOAuthConsumerSecret in a.b.c.a' },
        { text: consumerSecret, code: 'arg 1 of com.twitter.sdk.android.core.TwitterAuthConfig.<init> in com.x.App.onCreate' },
        { text: consumerSecret, context: 'consumerSecret', code: 'put twitter.consumerSecret' },
        { text: consumerSecret, context: 'API_SECRET_KEY', code: 'put TWITTER.API_SECRET_KEY in config' },
        { text: consumerSecret, context: 'apiKeySecret', code: 'put twitterConfig.apiKeySecret' },
      ],
      noMatch: [
        consumerSecret,
        { text: consumerSecret, context: 'twitter_consumer_key' },
        { text: consumerSecret, code: 'arg 0 of twitter4j.conf.ConfigurationBuilder.setOAuthConsumerKey in a.b.c.a' },
        { text: consumerSecret, context: 'consumerSecret', code: 'put oauth.consumerSecret in twitterLogin' },
        { text: consumerSecret, context: 'OAUTH_CONSUMER_SECRET' },
        { text: fake(ALNUM, 49, 113), context: 'twitter_consumer_secret' },
        { text: 'x'.repeat(50), context: 'twitter_consumer_secret' },
        { text: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx', context: 'twitter_consumer_secret' },
      ],
    },
  },
  {
    id: 'twitter-bearer-token',
    provider: 'twitter',
    title: 'Twitter/X app-only bearer token',
    severity: 'high',
    confidence: 'high',
    pattern: /(?<![A-Za-z0-9%])A{21}[A-Za-z0-9%]{30,150}(?![A-Za-z0-9%])/,
    keywords: ['aaaaaaaaaaaaaaaaaaaaa'],
    examples: {
      match: [bearerToken, `Authorization: Bearer ${bearerToken}`, { text: bearerToken, context: 'twitter_bearer' }],
      noMatch: ['A'.repeat(80), `${'A'.repeat(21)}${fake(ALNUM, 20, 114)}`, `x${bearerToken}`],
    },
  },
  {
    id: 'twitter-access-token',
    provider: 'twitter',
    title: 'Twitter/X user access token',
    severity: 'high',
    confidence: 'medium',
    // `<user id>-<40 alphanumerics>` is distinctive enough as a whole string; inside longer text it is too loose.
    pattern: /^[0-9]{6,20}-[A-Za-z0-9]{40}$/,
    keywords: [],
    whole: { length: [47, 61] },
    minEntropy: 4.0,
    secretMustMatch: [/[a-z]/, /[A-Z]/],
    adjust: [{ when: { context: /twitter|access.?token|oauth.?token/i }, confidence: 'high', reason: 'bound to a Twitter access-token name' }],
    examples: {
      match: [accessToken, { text: accessToken, context: 'twitter_access_token' }],
      noMatch: [
        `12345-${fake(ALNUM, 40, 115)}`,
        `${fake(DIGITS, 10, 116)}-${'x'.repeat(40)}`,
        `${fake(DIGITS, 10, 117)}-${fake(ALNUM, 39, 118)}`,
        `token=${accessToken}`,
      ],
    },
  },
  {
    id: 'twitter-access-token-secret',
    provider: 'twitter',
    title: 'Twitter/X user access-token secret',
    severity: 'high',
    confidence: 'medium',
    pattern: /^[A-Za-z0-9]{45}$/,
    keywords: [],
    whole: { length: [45, 45] },
    minEntropy: 4.0,
    secretMustMatch: [/[a-z]/, /[A-Z]/, /[0-9]/],
    context: { require: /(?:access|oauth).?token.?secret|twitter.{0,40}token.?secret/i, code: SDK_TOKEN_SECRET },
    reason: 'the secret half of a user access token: with the consumer pair, acts as that user',
    examples: {
      match: [
        { text: tokenSecret, context: 'getAccessTokenSecret' },
        { text: tokenSecret, context: 'TWITTER_ACCESS_TOKEN_SECRET' },
        { text: tokenSecret, code: 'arg 0 of twitter4j.conf.ConfigurationBuilder.setOAuthAccessTokenSecret in a.b.c.a' },
      ],
      noMatch: [tokenSecret, { text: tokenSecret, context: 'access_token' }, { text: fake(ALNUM, 44, 120), context: 'access_token_secret' }],
    },
  },
];
