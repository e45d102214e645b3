/**
 * The declarative verifiers (src/verify/providers/simple*.ts), table-driven: for every entry a local server answers
 * with that provider's documented shapes for a working and a dead credential (and the entry's special answers), and
 * verifyReport is asserted on the status, the evidence, the severity raise and the exact request sent. Every secret is
 * a fake built with rules/fake.ts and checked against its rule's pattern, never a real one.
 */
import { findingsReport, ruleFinding } from '../helpers/fake-providers.js';
import t, { type Test } from 'tap';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ALNUM, BASE64, BASE64URL, DIGITS, HEX, fake } from '../../rules/fake.js';
import { RULES } from '../../rules/index.js';
import { redact } from '../../src/detect/redact.js';
import type { VerificationEvidence } from '../../src/findings.js';
import type { ReportFinding } from '../../src/report/types.js';
import { verifyReport } from '../../src/verify/engine.js';
import { parseEndpoints } from '../../src/verify/http.js';
import { VERIFIERS } from '../../src/verify/index.js';
import { callDoc, publicEntries, simpleEntries, simpleRequest, simpleVerifiers, type SimpleEntry } from '../../src/verify/providers/simple.js';
import type { VerifyOutcome, VerifyResponse } from '../../src/verify/types.js';

type Finding = ReportFinding & { secret: string };
interface Answer {
  status: number;
  body: unknown;
}
interface Sent {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}
/** A further answer of an entry and what it must conclude. */
interface Case {
  name: string;
  ruleId?: string;
  secret: string;
  answer: Answer;
  status: 'live' | 'invalid' | 'error';
  reason: RegExp;
  evidence?: VerificationEvidence;
}
interface Fixture {
  /** The rule of the main finding (default: the entry's first). */
  ruleId?: string;
  good: string;
  bad: string;
  live: Answer;
  dead: Answer;
  /** The exact evidence of the live answer (none when undefined). */
  evidence?: VerificationEvidence;
  /** What the refusal's reason says (the error code an entry reads, a note). */
  deadReason?: RegExp;
  more?: Case[];
  /** Values of other rule prefixes the entry does not check: unverifiable, no request. */
  skipped?: { ruleId: string; secret: string; reason: RegExp }[];
}

const ALPHA = ALNUM.replace(/[0-9]/g, '');
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const HEX_UPPER = HEX.toUpperCase();
const uuid = (s: number) => `${fake(HEX, 8, s)}-${fake(HEX, 4, s + 1)}-${fake(HEX, 4, s + 2)}-${fake(HEX, 4, s + 3)}-${fake(HEX, 12, s + 4)}`;
const ok = (body: unknown): Answer => ({ status: 200, body });
const err = (status: number, body: unknown): Answer => ({ status, body });

const S = {
  datadog: fake(HEX, 32, 9701),
  datadogDead: fake(HEX, 32, 9702),
  datadogOff: fake(HEX, 32, 9703),
  heroku: `HRKU-${fake(BASE64URL, 60, 9711)}`,
  herokuDead: `HRKU-${fake(BASE64URL, 60, 9712)}`,
  herokuUuid: uuid(9713),
  digitalocean: `dop_v1_${fake(HEX, 64, 9721)}`,
  digitaloceanDead: `dop_v1_${fake(HEX, 64, 9722)}`,
  digitaloceanRefresh: `dor_v1_${fake(HEX, 64, 9723)}`,
  cloudflare: fake(BASE64URL, 40, 9731),
  cloudflareDead: fake(BASE64URL, 40, 9732),
  cloudflareOff: fake(BASE64URL, 40, 9733),
  vercel: fake(ALNUM, 24, 9741),
  vercelDead: fake(ALNUM, 24, 9742),
  netlify: `nfp_${fake(ALNUM, 36, 9751)}`,
  netlifyDead: `nfp_${fake(ALNUM, 36, 9752)}`,
  linode: fake(HEX, 64, 9761),
  linodeDead: fake(HEX, 64, 9762),
  linodeScoped: fake(HEX, 64, 9763),
  render: `rnd_${fake(ALNUM, 32, 9771)}`,
  renderDead: `rnd_${fake(ALNUM, 32, 9772)}`,
  fastly: fake(BASE64URL, 32, 9781),
  fastlyDead: fake(BASE64URL, 32, 9782),
  fastlyScoped: fake(BASE64URL, 32, 9783),
  terraform: `${fake(ALNUM, 14, 9791)}.atlasv1.${fake(BASE64URL, 64, 9792)}`,
  terraformDead: `${fake(ALNUM, 14, 9793)}.atlasv1.${fake(BASE64URL, 64, 9794)}`,
  pulumi: `pul-${fake(HEX, 40, 9801)}`,
  pulumiDead: `pul-${fake(HEX, 40, 9802)}`,
  neon: `napi_${fake(LOWER_ALNUM, 64, 9811)}`,
  neonDead: `napi_${fake(LOWER_ALNUM, 64, 9812)}`,
  circleci: `CCIPAT_${fake(ALNUM, 22, 9821)}_${fake(HEX, 40, 9822)}`,
  circleciDead: `CCIPAT_${fake(ALNUM, 22, 9823)}_${fake(HEX, 40, 9824)}`,
  circleciProject: `CCIPRJ_${fake(ALNUM, 22, 9825)}_${fake(HEX, 40, 9826)}`,
  buildkite: `bkua_${fake(HEX, 40, 9831)}`,
  buildkiteDead: `bkua_${fake(HEX, 40, 9832)}`,
  postman: `PMAK-${fake(HEX, 24, 9841)}-${fake(HEX, 34, 9842)}`,
  postmanDead: `PMAK-${fake(HEX, 24, 9843)}-${fake(HEX, 34, 9844)}`,
  snyk: uuid(9845),
  snykDead: uuid(9850),
  snykPlan: uuid(9855),
  sentryOrg: `sntrys_eyJ${fake(BASE64, 80, 9861)}_${fake(BASE64, 43, 9862)}`,
  sentryUser: `sntryu_${fake(HEX, 64, 9863)}`,
  sentryDead: `sntrys_eyJ${fake(BASE64, 80, 9864)}_${fake(BASE64, 43, 9866)}`,
  sentryAnon: `sntryu_${fake(HEX, 64, 9865)}`,
  notion: `ntn_${fake(DIGITS, 11, 9871)}${fake(ALNUM, 35, 9872)}`,
  notionDead: `ntn_${fake(DIGITS, 11, 9873)}${fake(ALNUM, 35, 9874)}`,
  notionLegacy: `secret_${fake(ALNUM, 43, 9875)}`,
  airtable: `pat${fake(ALNUM, 14, 9881)}.${fake(HEX, 64, 9882)}`,
  airtableDead: `pat${fake(ALNUM, 14, 9883)}.${fake(HEX, 64, 9884)}`,
  asana: `1/${fake(DIGITS, 16, 9891)}:${fake(HEX, 32, 9892)}`,
  asanaDead: `1/${fake(DIGITS, 16, 9893)}:${fake(HEX, 32, 9894)}`,
  figma: `figd_${fake(BASE64URL, 40, 9895)}`,
  figmaDead: `figd_${fake(BASE64URL, 40, 9896)}`,
  huggingface: `hf_${fake(ALPHA, 34, 9901)}`,
  huggingfaceDead: `hf_${fake(ALPHA, 34, 9902)}`,
  replicate: `r8_${fake(ALNUM, 37, 9911)}`,
  replicateDead: `r8_${fake(ALNUM, 37, 9912)}`,
  mistral: fake(ALNUM, 32, 9921),
  mistralDead: fake(ALNUM, 32, 9922),
  deepseek: `sk-${fake(HEX, 32, 9931)}`,
  deepseekDead: `sk-${fake(HEX, 32, 9932)}`,
  xai: `xai-${fake(ALNUM, 80, 9941)}`,
  xaiDead: `xai-${fake(ALNUM, 80, 9942)}`,
  xaiOff: `xai-${fake(ALNUM, 80, 9943)}`,
  openrouter: `sk-or-v1-${fake(HEX, 64, 9951)}`,
  openrouterDead: `sk-or-v1-${fake(HEX, 64, 9952)}`,
  elevenlabs: `sk_${fake(HEX, 48, 9961)}`,
  elevenlabsDead: `sk_${fake(HEX, 48, 9962)}`,
  elevenlabsScoped: `sk_${fake(HEX, 48, 9963)}`,
  elevenlabsQuota: `sk_${fake(HEX, 48, 9964)}`,
  elevenlabsOdd: `sk_${fake(HEX, 48, 9965)}`,
  cohere: fake(ALNUM, 40, 9971),
  cohereDead: fake(ALNUM, 40, 9972),
  cohereOff: fake(ALNUM, 40, 9973),
  postmark: uuid(9981),
  postmarkDead: uuid(9986),
  brevo: `xkeysib-${fake(HEX, 64, 9991)}-${fake(ALNUM, 16, 9992)}`,
  brevoDead: `xkeysib-${fake(HEX, 64, 9993)}-${fake(ALNUM, 16, 9994)}`,
  brevoSmtp: `xsmtpsib-${fake(HEX, 64, 9995)}-${fake(ALNUM, 16, 9996)}`,
  resend: `re_${fake(ALNUM, 8, 10001)}_${fake(ALNUM, 24, 10002)}`,
  resendDead: `re_${fake(ALNUM, 8, 10003)}_${fake(ALNUM, 24, 10004)}`,
  resendSending: `re_${fake(ALNUM, 8, 10005)}_${fake(ALNUM, 24, 10006)}`,
  sparkpost: fake(HEX, 40, 10011),
  sparkpostDead: fake(HEX, 40, 10012),
  sparkpostScoped: fake(HEX, 40, 10013),
  telnyx: `KEY${fake(HEX_UPPER, 32, 10021)}_${fake(ALNUM, 22, 10022)}`,
  telnyxDead: `KEY${fake(HEX_UPPER, 32, 10023)}_${fake(ALNUM, 22, 10024)}`,
  intercom: `dG9rOj${fake(BASE64, 60, 10031)}`,
  intercomDead: `dG9rOj${fake(BASE64, 60, 10032)}`,
  line: `${fake(BASE64, 170, 10041)}=`,
  lineDead: `${fake(BASE64, 170, 10042)}=`,
  discord: `M${fake(ALNUM, 25, 10051)}.${fake(BASE64URL, 6, 10052)}.${fake(BASE64URL, 38, 10053)}`,
  discordDead: `N${fake(ALNUM, 25, 10054)}.${fake(BASE64URL, 6, 10055)}.${fake(BASE64URL, 38, 10056)}`,
  square: `EAAA${fake(BASE64URL, 60, 10061)}`,
  squareDead: `EAAA${fake(BASE64URL, 60, 10062)}`,
  squareScoped: `EAAA${fake(BASE64URL, 60, 10063)}`,
  squareLegacy: `sq0atp-${fake(BASE64URL, 22, 10064)}`,
  squareAppSecret: `sq0csp-${fake(BASE64URL, 22, 10065)}`,
  mollie: `live_${fake(ALNUM, 30, 10071)}`,
  mollieDead: `live_${fake(ALNUM, 30, 10072)}`,
  instagram: `IGQV${fake(BASE64URL, 120, 10081)}`,
  instagramDead: `IGQV${fake(BASE64URL, 120, 10082)}`,
  openweathermap: fake(HEX, 32, 10091),
  openweathermapDead: fake(HEX, 32, 10092),
  giphy: fake(ALNUM, 32, 10101),
  giphyDead: fake(ALNUM, 32, 10102),
  giphySynthetic: fake(ALNUM, 32, 10103),
  datadogClient: `pub${fake(HEX, 32, 10111)}`,
  intercomSdk: `android_sdk-${fake(HEX, 40, 10112)}`,
  squareAppId: `sq0idp-${fake(BASE64URL, 22, 10113)}`,
};

/** Each entry's documented answers (bodies as the providers' references show them, e-mails and names included). */
const F: Record<string, Fixture> = {
  'datadog-api-key': {
    good: S.datadog,
    bad: S.datadogDead,
    live: ok({ valid: true }),
    dead: err(403, { errors: ['Forbidden'] }),
    deadReason: /US1 site/,
    more: [{ name: 'valid: false', secret: S.datadogOff, answer: ok({ valid: false }), status: 'invalid', reason: /not valid/ }],
  },
  'heroku-api-key': {
    good: S.heroku,
    bad: S.herokuDead,
    live: ok({ allow_tracking: true, beta: false, created_at: '2012-01-01T12:00:00Z', email: 'username@example.com', federated: false, id: '01234567-89ab-cdef-0123-456789abcdef', identity_provider: null, last_login: '2012-01-01T12:00:00Z', name: 'Tina Edmonds', sms_number: '+1 ***-***-1234', suspended_at: null, delinquent_at: null, two_factor_authentication: false, updated_at: '2012-01-01T12:00:00Z', verified: false }),
    dead: err(401, { id: 'unauthorized', message: 'Invalid credentials provided.' }),
    evidence: { accountId: '01234567-89ab-cdef-0123-456789abcdef' },
    deadReason: /HTTP 401, unauthorized/,
    more: [{ name: 'a legacy UUID key', ruleId: 'heroku-api-key-uuid', secret: S.herokuUuid, answer: ok({ id: '01234567-89ab-cdef-0123-456789abcdef', email: 'username@example.com' }), status: 'live', reason: /Heroku accepted/, evidence: { accountId: '01234567-89ab-cdef-0123-456789abcdef' } }],
  },
  'digitalocean-token': {
    good: S.digitalocean,
    bad: S.digitaloceanDead,
    live: ok({ account: { droplet_limit: 25, floating_ip_limit: 5, email: 'sammy@digitalocean.com', name: 'Sammy the Shark', uuid: 'b6fr89dbf6d9156cace5f3c78dc9851d957381ef', email_verified: true, status: 'active', status_message: ' ', team: { uuid: '5df3e3004a17e242b7c20ca6c9fc25b701a47ece', name: 'My Team' } } }),
    dead: err(401, { id: 'Unauthorized', message: 'Unable to authenticate you' }),
    evidence: { accountUuid: 'b6fr89dbf6d9156cace5f3c78dc9851d957381ef', status: 'active', teamUuid: '5df3e3004a17e242b7c20ca6c9fc25b701a47ece' },
    skipped: [{ ruleId: 'digitalocean-token', secret: S.digitaloceanRefresh, reason: /refresh token/ }],
  },
  'cloudflare-api-token': {
    good: S.cloudflare,
    bad: S.cloudflareDead,
    live: ok({ success: true, errors: [], messages: [{ code: 10000, message: 'This API Token is valid and active', type: null }], result: { id: 'f267e341f3dd4697bd3b9f71dd96247f', status: 'active', not_before: '2018-07-01T05:20:00Z', expires_on: '2030-01-01T00:00:00Z' } }),
    dead: err(401, { success: false, errors: [{ code: 1000, message: 'Invalid API Token' }], messages: [], result: null }),
    evidence: { tokenId: 'f267e341f3dd4697bd3b9f71dd96247f', status: 'active' },
    deadReason: /HTTP 401, 1000.*account-owned/,
    more: [{ name: 'a disabled token', secret: S.cloudflareOff, answer: ok({ success: true, errors: [], messages: [], result: { id: 'a1b2c3', status: 'disabled' } }), status: 'invalid', reason: /not active/ }],
  },
  'vercel-token': {
    good: S.vercel,
    bad: S.vercelDead,
    live: ok({ user: { id: 'AEIIDYVk59zbFF2Sxfyxxmua', email: 'me@example.com', name: 'John Doe', username: 'jdoe', avatar: null, defaultTeamId: null, version: 'northstar', createdAt: 1630748523395, softBlock: null, billing: null, resourceConfig: {}, stagingPrefix: 'jdoe' } }),
    dead: err(403, { error: { code: 'forbidden', message: 'Not authorized', invalidToken: true } }),
    evidence: { userId: 'AEIIDYVk59zbFF2Sxfyxxmua', login: 'jdoe' },
    deadReason: /HTTP 403, forbidden/,
  },
  'netlify-token': {
    good: S.netlify,
    bad: S.netlifyDead,
    live: ok({ id: '5f2a1b3c4d5e6f7a8b9c0d1e', uid: 'oauth|abc123', full_name: 'Alex Doe', avatar_url: 'https://avatars.example.com/u/1', email: 'alex@example.com', affiliate_id: '', site_count: 12, created_at: '2021-06-15T12:34:56Z', last_login: '2026-03-10T09:15:00Z', login_providers: ['github'], onboarding_progress: { slides: 'welcome' } }),
    dead: err(401, { code: 401, message: 'Access Denied: Invalid token' }),
    evidence: { userId: '5f2a1b3c4d5e6f7a8b9c0d1e' },
  },
  'linode-token': {
    good: S.linode,
    bad: S.linodeDead,
    live: ok({ authentication_type: 'password', authorized_keys: null, email: 'example-user@gmail.com', email_notifications: true, ip_whitelist_enabled: false, lish_auth_method: 'keys_only', referrals: { code: '871be32f49c1411b14f29f618aaf0c14637fb8d3', completed: 0 }, restricted: false, timezone: 'US/Eastern', two_factor_auth: true, uid: 1234, username: 'exampleUser', verified_phone_number: '+5555555555' }),
    dead: err(401, { errors: [{ reason: 'Invalid Token' }] }),
    evidence: { uid: 1234, login: 'exampleUser' },
    more: [{ name: 'a token whose scopes exclude the profile', secret: S.linodeScoped, answer: err(403, { errors: [{ reason: 'Unauthorized' }] }), status: 'live', reason: /knows the token.*scopes/ }],
  },
  'render-api-key': {
    good: S.render,
    bad: S.renderDead,
    live: ok([{ owner: { id: 'tea-cj7b2ptenb9s73ahl3ng', name: 'Acme Team', email: 'team@example.com', type: 'team' }, cursor: 'eyJvZmZzZXQiOjF9' }]),
    dead: err(401, { id: 'unauthorized', message: 'Authorization information is missing or invalid.' }),
    evidence: { ownerId: 'tea-cj7b2ptenb9s73ahl3ng', ownerType: 'team' },
  },
  'fastly-api-token': {
    good: S.fastly,
    bad: S.fastlyDead,
    live: ok({ created_at: '2016-06-22T03:19:48Z', customer_id: 'x4xCwxxJxGCx123Rx5xTx', email_hash: 'd54a4d7e3a9b8c1f', id: 'x9KzsrACXZv8tPwlEDsKb6', limit_services: false, locked: false, login: 'johnny@example.com', name: 'Johnny Smith', require_new_password: false, role: 'engineer', two_factor_auth_enabled: true, two_factor_setup_required: false, updated_at: '2020-06-22T03:19:48Z' }),
    dead: err(401, { msg: 'Provided credentials are missing or invalid' }),
    evidence: { userId: 'x9KzsrACXZv8tPwlEDsKb6', customerId: 'x4xCwxxJxGCx123Rx5xTx', role: 'engineer' },
    more: [{ name: 'a purge-only token', secret: S.fastlyScoped, answer: err(403, { msg: 'Forbidden', detail: 'Token does not have the required scope' }), status: 'live', reason: /knows the token.*scope/ }],
  },
  'terraform-cloud-token': {
    good: S.terraform,
    bad: S.terraformDead,
    live: ok({ data: { id: 'user-V3R563qtJNcExAkN', type: 'users', attributes: { username: 'admin', 'is-service-account': false, 'auth-method': 'tfc', 'avatar-url': 'https://www.gravatar.com/avatar/9babb00091b97b9ce9538c45807fd35f', 'two-factor': { enabled: false, verified: false }, email: 'admin@hashicorp.com', 'unconfirmed-email': null }, links: { self: '/api/v2/users/user-V3R563qtJNcExAkN' } } }),
    dead: err(401, { errors: [{ status: '401', title: 'unauthorized' }] }),
    evidence: { userId: 'user-V3R563qtJNcExAkN', login: 'admin', serviceAccount: false },
  },
  'pulumi-token': {
    good: S.pulumi,
    bad: S.pulumiDead,
    live: ok({ id: '4b1d0c3a-7f2e-4c5b-9a1d-2e3f4a5b6c7d', githubLogin: 'jdoe', name: 'Jane Doe', email: 'jane@example.com', avatarUrl: 'https://avatars.example.com/jdoe', organizations: [{ githubLogin: 'acme', name: 'Acme', avatarUrl: 'https://avatars.example.com/acme', role: 'admin' }], identities: ['github'], siteAdmin: false }),
    dead: err(401, { code: 401, message: 'Unauthorized: No credentials provided or are invalid.' }),
    evidence: { userId: '4b1d0c3a-7f2e-4c5b-9a1d-2e3f4a5b6c7d', login: 'jdoe' },
  },
  'neon-api-key': {
    good: S.neon,
    bad: S.neonDead,
    live: ok({ active_seconds_limit: 0, auth_accounts: [{ email: 'alex@example.com', image: 'https://example.com/avatar.png', login: 'alex', name: 'Alex', provider: 'google' }], email: 'alex@example.com', id: '00000000-0000-0000-0000-000000000000', image: 'https://example.com/avatar.png', login: 'alex', name: 'Alex', last_name: 'Lopez', projects_limit: 0, branches_limit: 0, max_autoscaling_limit: 0, plan: 'free' }),
    dead: err(401, { code: '', message: 'authorization failed' }),
    evidence: { userId: '00000000-0000-0000-0000-000000000000', login: 'alex' },
  },
  'circleci-token': {
    good: S.circleci,
    bad: S.circleciDead,
    live: ok({ id: '97fa5d7c-4f2b-4e3a-8d1c-6b5a4e3d2c1b', login: 'jdoe', name: 'Jane Doe' }),
    dead: err(401, { message: 'You must log in first.' }),
    evidence: { userId: '97fa5d7c-4f2b-4e3a-8d1c-6b5a4e3d2c1b', login: 'jdoe' },
    skipped: [{ ruleId: 'circleci-token', secret: S.circleciProject, reason: /project token/ }],
  },
  'buildkite-token': {
    good: S.buildkite,
    bad: S.buildkiteDead,
    live: ok({ scopes: ['read_builds', 'read_user'], uuid: 'b63254c0-3271-4a98-8270-7cfbd6c2f14e' }),
    dead: err(401, { message: 'Authentication required. Please supply a valid API Access Token: https://buildkite.com/docs/apis/rest-api#authentication' }),
    evidence: { tokenUuid: 'b63254c0-3271-4a98-8270-7cfbd6c2f14e', scopes: ['read_builds', 'read_user'] },
  },
  'postman-api-key': {
    good: S.postman,
    bad: S.postmanDead,
    live: ok({ user: { id: 12345678, username: 'taylor-lee', email: 'taylor.lee@example.com', fullName: 'Taylor Lee', avatar: 'https://example.com/user/r5u9qpvmujfjf6lbqmga.jpg', isPublic: true, teamId: 123, teamName: 'Test Team', teamDomain: 'test-team', roles: ['user', 'flow-editor'] }, operations: [{ name: 'api_object_usage', limit: 3, usage: 0, overage: 0 }] }),
    dead: err(401, { error: { name: 'AuthenticationError', message: 'Invalid API Key. Every request requires a valid API Key to be sent.' } }),
    evidence: { userId: 12345678, login: 'taylor-lee', teamId: 123 },
    deadReason: /AuthenticationError/,
  },
  'snyk-token': {
    good: S.snyk,
    bad: S.snykDead,
    live: ok({ jsonapi: { version: '1.0' }, data: { type: 'user', id: '55a348e2-c3ad-4bbc-b40e-9b232d1f4121', attributes: { name: 'user', username: 'username', email: 'user@someorg.com', default_org_context: '33e8e5d8-7ffa-4b15-a2d4-6eb5d6a2e9c3' } }, links: { self: '/self?version=2024-06-10' } }),
    dead: err(401, { jsonapi: { version: '1.0' }, errors: [{ status: '401', detail: 'Unauthorized' }] }),
    evidence: { principalId: '55a348e2-c3ad-4bbc-b40e-9b232d1f4121', principalType: 'user' },
    deadReason: /EU or AU region/,
    more: [{ name: 'a plan without API access', secret: S.snykPlan, answer: err(403, { jsonapi: { version: '1.0' }, errors: [{ status: '403', detail: 'Forbidden' }] }), status: 'live', reason: /knows the token.*API access/ }],
  },
  'sentry-auth-token': {
    good: S.sentryOrg,
    bad: S.sentryDead,
    live: ok({ version: '0', auth: { scopes: ['org:ci'] }, user: null }),
    dead: err(401, { detail: 'Invalid token' }),
    evidence: { scopes: ['org:ci'] },
    more: [
      { name: 'a user token', ruleId: 'sentry-user-token', secret: S.sentryUser, answer: ok({ version: '0', auth: { scopes: ['org:read', 'project:read'] }, user: { id: '1', name: 'Jane Bloggs', username: 'jane@example.com', email: 'jane@example.com', isActive: true, has2fa: true, emails: [{ id: '1', email: 'jane@example.com', is_verified: true }] } }), status: 'live', reason: /Sentry accepted/, evidence: { scopes: ['org:read', 'project:read'], userId: '1' } },
      { name: 'an anonymous answer', ruleId: 'sentry-user-token', secret: S.sentryAnon, answer: ok({ version: '0', auth: null, user: null }), status: 'invalid', reason: /anonymous/ },
    ],
  },
  'notion-token': {
    good: S.notion,
    bad: S.notionDead,
    live: ok({ object: 'user', id: '16d84278-ab0e-484c-9bdd-b35da3bd8905', name: 'pied piper', avatar_url: null, type: 'bot', bot: { owner: { type: 'user', user: { object: 'user', id: '5389a034-eb5c-47b5-8a9e-f79c99ef166c', name: 'christine makenotion', avatar_url: null, type: 'person', person: { email: 'christine@makenotion.com' } } } } }),
    dead: err(401, { object: 'error', status: 401, code: 'unauthorized', message: 'API token is invalid.' }),
    evidence: { botId: '16d84278-ab0e-484c-9bdd-b35da3bd8905', type: 'bot' },
    deadReason: /HTTP 401, unauthorized/,
    more: [{ name: 'a legacy secret_ token', ruleId: 'notion-token-legacy', secret: S.notionLegacy, answer: ok({ object: 'user', id: '16d84278-ab0e-484c-9bdd-b35da3bd8905', type: 'bot', bot: {} }), status: 'live', reason: /Notion accepted/, evidence: { botId: '16d84278-ab0e-484c-9bdd-b35da3bd8905', type: 'bot' } }],
  },
  'airtable-token': {
    good: S.airtable,
    bad: S.airtableDead,
    live: ok({ email: 'foo@bar.com', id: 'usrL2PNC5o3H4lBEi' }),
    dead: err(401, { error: { type: 'AUTHENTICATION_REQUIRED', message: 'Authentication required' } }),
    evidence: { userId: 'usrL2PNC5o3H4lBEi' },
    deadReason: /AUTHENTICATION_REQUIRED/,
  },
  'asana-token': {
    good: S.asana,
    bad: S.asanaDead,
    live: ok({ data: { gid: '12345', email: 'gsanchez@example.com', name: 'Greg Sanchez', photo: null, resource_type: 'user', workspaces: [{ gid: '67890', name: 'My Company Workspace', resource_type: 'workspace' }] } }),
    dead: err(401, { errors: [{ message: 'Not Authorized', help: 'For more information on API status codes and how to handle them, read the docs on errors: https://developers.asana.com/docs/errors' }] }),
    evidence: { userGid: '12345' },
  },
  'figma-token': {
    good: S.figma,
    bad: S.figmaDead,
    live: ok({ id: '1234567890', email: 'user@example.com', handle: 'Jane Doe', img_url: 'https://s3-alpha.figma.com/profile/1234' }),
    dead: err(403, { status: 403, err: 'Invalid token' }),
    evidence: { userId: '1234567890' },
  },
  'huggingface-token': {
    good: S.huggingface,
    bad: S.huggingfaceDead,
    live: ok({ type: 'user', id: '62f264b9f3c90f4b6514a269', name: 'hub-js', fullname: '@huggingface/hub CI bot', email: 'ci@example.com', emailVerified: true, canPay: false, isPro: false, periodEnd: null, avatarUrl: '/avatars/934b830e9fdaa879487852f79eef7165.svg', orgs: [], auth: { type: 'access_token', accessToken: { displayName: 'ci-hub.js', role: 'write', createdAt: '2024-01-01T00:00:00.000Z' } } }),
    dead: err(401, { error: 'Invalid credentials in Authorization header' }),
    evidence: { type: 'user', login: 'hub-js', role: 'write' },
  },
  'replicate-token': {
    good: S.replicate,
    bad: S.replicateDead,
    live: ok({ type: 'organization', username: 'acme', name: 'Acme Corp, Inc.', github_url: 'https://github.com/acme' }),
    dead: err(401, { title: 'Unauthenticated', detail: 'You did not pass a valid authentication token', status: 401 }),
    evidence: { type: 'organization', login: 'acme' },
  },
  'mistral-api-key': {
    good: S.mistral,
    bad: S.mistralDead,
    live: ok({ object: 'list', data: [{ id: 'mistral-small-latest', object: 'model', created: 1711929600, owned_by: 'mistralai', capabilities: { completion_chat: true, function_calling: true } }] }),
    dead: err(401, { message: 'Unauthorized', request_id: 'b3f2c1d0e9f8a7b6' }),
  },
  'deepseek-api-key': {
    good: S.deepseek,
    bad: S.deepseekDead,
    live: ok({ object: 'list', data: [{ id: 'deepseek-chat', object: 'model', owned_by: 'deepseek' }, { id: 'deepseek-reasoner', object: 'model', owned_by: 'deepseek' }] }),
    dead: err(401, { error: { message: `Authentication Fails, Your api key: ****${S.deepseekDead.slice(-4)} is invalid`, type: 'authentication_error', param: null, code: 'invalid_request_error' } }),
    deadReason: /authentication_error/,
  },
  'xai-api-key': {
    good: S.xai,
    bad: S.xaiDead,
    live: ok({ redacted_api_key: 'xai-...b14o', user_id: '59fbe5f2-040b-46d5-8325-868bb8f23eb2', name: 'My API Key', create_time: '2024-01-01T12:55:18.139305Z', modify_time: '2024-08-28T17:20:12.343321Z', modified_by: '3d38b4dc-4eb7-4785-ae26-c3fa8997ffc7', team_id: '5ea6f6bd-7815-4b8a-9135-28b2d7ba6722', acls: ['api-key:model:*', 'api-key:endpoint:*'], api_key_id: 'ae1e1841-4326-4b36-a8a9-8a1a7237db11', team_blocked: false, api_key_blocked: false, api_key_disabled: false }),
    dead: err(400, { code: 'Client specified an invalid argument', error: `Incorrect API key provided: xa***${S.xaiDead.slice(-2)}. You can obtain an API key from https://console.x.ai.` }),
    evidence: { apiKeyId: 'ae1e1841-4326-4b36-a8a9-8a1a7237db11', teamId: '5ea6f6bd-7815-4b8a-9135-28b2d7ba6722', acls: ['api-key:model:*', 'api-key:endpoint:*'] },
    more: [{ name: 'a disabled key', secret: S.xaiOff, answer: ok({ api_key_id: 'k1', team_id: 't1', acls: [], team_blocked: false, api_key_blocked: false, api_key_disabled: true }), status: 'invalid', reason: /disabled/ }],
  },
  'openrouter-api-key': {
    good: S.openrouter,
    bad: S.openrouterDead,
    live: ok({ data: { label: 'sk-or-v1-au7...890', limit: 100, usage: 25.5, is_free_tier: false, is_provisioning_key: false, limit_remaining: 74.5, rate_limit: { requests: 1000, interval: '1h' } } }),
    dead: err(401, { error: { message: 'No auth credentials found', code: 401 } }),
    evidence: { freeTier: false },
  },
  'elevenlabs-api-key': {
    good: S.elevenlabs,
    bad: S.elevenlabsDead,
    live: ok({ subscription: { tier: 'creator', character_count: 1000, character_limit: 100000, can_extend_character_limit: true, next_character_count_reset_unix: 1738356858, voice_limit: 30, status: 'active' }, is_new_user: false, xi_api_key: S.elevenlabs, can_use_delayed_payment_methods: false, is_onboarding_completed: true, first_name: 'Jane', user_id: 'Vtx3ma8hPC8sUVSl5pTz' }),
    dead: err(401, { detail: { status: 'invalid_api_key', message: 'Invalid API key' } }),
    evidence: { userId: 'Vtx3ma8hPC8sUVSl5pTz' },
    deadReason: /invalid_api_key/,
    more: [
      { name: 'a restricted key', secret: S.elevenlabsScoped, answer: err(401, { detail: { status: 'missing_permissions', message: 'The API key you used is missing the permission user_read to execute this operation.' } }), status: 'live', reason: /user_read/ },
      { name: 'a key out of quota', secret: S.elevenlabsQuota, answer: err(401, { detail: { status: 'quota_exceeded', message: 'You have insufficient quota to complete this request' } }), status: 'live', reason: /out of quota/ },
      { name: 'another 401', secret: S.elevenlabsOdd, answer: err(401, { detail: { status: 'detected_unusual_activity', message: 'Unusual activity detected.' } }), status: 'error', reason: /unexpected answer \(HTTP 401\)/ },
    ],
  },
  'cohere-api-key': {
    good: S.cohere,
    bad: S.cohereDead,
    live: ok({ valid: true, organization_id: '0f8a7b6c-5d4e-3f2a-1b0c-9d8e7f6a5b4c', owner_id: '1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d' }),
    dead: err(401, { id: 'a7c2e1d0-b3f4-4e5a-9c8d-7b6a5f4e3d2c', message: 'invalid api token' }),
    evidence: { organizationId: '0f8a7b6c-5d4e-3f2a-1b0c-9d8e7f6a5b4c', ownerId: '1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d' },
    more: [{ name: 'valid: false', secret: S.cohereOff, answer: ok({ valid: false }), status: 'invalid', reason: /not valid/ }],
  },
  'postmark-server-token': {
    good: S.postmark,
    bad: S.postmarkDead,
    live: ok({ ID: 1, Name: 'Staging Testing', ApiTokens: [S.postmark], Color: 'red', SmtpApiActivated: true, RawEmailEnabled: false, DeliveryType: 'Live', ServerLink: 'https://postmarkapp.com/servers/1/streams', InboundAddress: 'yourhash@inbound.postmarkapp.com', InboundHookUrl: '', BounceHookUrl: '', OpenHookUrl: '', PostFirstOpenOnly: false, TrackOpens: false, TrackLinks: 'None', InboundDomain: '', InboundHash: 'yourhash', InboundSpamThreshold: 0 }),
    dead: err(401, { ErrorCode: 10, Message: 'Request does not contain a valid Server token.' }),
    evidence: { serverId: 1 },
    deadReason: /HTTP 401, 10\); an account token/,
  },
  'brevo-api-key': {
    good: S.brevo,
    bad: S.brevoDead,
    live: ok({ organization_id: '5d5a6c1e8f4b3a2c1d0e9f8a', user_id: 8273, email: 'john.doe@example.com', firstName: 'John', lastName: 'Doe', companyName: 'Acme', address: { street: '1 Main St', city: 'Paris', zipCode: '75001', country: 'France' }, plan: [{ type: 'free', credits: 250, creditsType: 'sendLimit' }], relay: { enabled: true, data: { userName: 'john.doe@example.com', relay: 'smtp-relay.brevo.com', port: 587 } }, marketingAutomation: { enabled: false } }),
    dead: err(401, { code: 'unauthorized', message: 'Key not found' }),
    evidence: { organizationId: '5d5a6c1e8f4b3a2c1d0e9f8a', userId: 8273 },
    skipped: [{ ruleId: 'brevo-api-key', secret: S.brevoSmtp, reason: /SMTP key/ }],
  },
  'resend-api-key': {
    good: S.resend,
    bad: S.resendDead,
    live: ok({ object: 'list', has_more: false, data: [{ id: '91f3200a-df72-4654-b0cd-f202395f5354', name: 'Production', created_at: '2023-04-08T00:11:13.110779+00:00' }] }),
    dead: err(403, { statusCode: 403, message: 'API key is invalid', name: 'invalid_api_key' }),
    deadReason: /invalid_api_key/,
    more: [{ name: 'a sending-only key', secret: S.resendSending, answer: err(401, { statusCode: 401, message: 'This API key is restricted to only send emails', name: 'restricted_api_key' }), status: 'live', reason: /sending-only/ }],
  },
  'sparkpost-api-key': {
    good: S.sparkpost,
    bad: S.sparkpostDead,
    live: ok({ results: { customer_id: 102938, company_name: 'Example Inc', country_code: 'US', anniversary_date: '2019-01-11T08:00:00.000Z', created: '2018-01-11T08:00:00.000Z', updated: '2018-02-11T08:00:00.000Z', status: 'active', tfa_required: false, service_level: 'standard', subscription: { code: 'bronze1', name: 'Bronze', plan_volume: 10000, self_serve: true }, options: { smtp_tracking_default: false } } }),
    dead: err(401, { errors: [{ message: 'Unauthorized.' }] }),
    evidence: { customerId: 102938, status: 'active' },
    deadReason: /SparkPost EU/,
    more: [{ name: 'a key without account access', secret: S.sparkpostScoped, answer: err(403, { errors: [{ message: 'Forbidden.' }] }), status: 'live', reason: /knows the key/ }],
  },
  'telnyx-api-key': {
    good: S.telnyx,
    bad: S.telnyxDead,
    live: ok({ data: { record_type: 'balance', pending: '10.00', balance: '300.00', credit_limit: '100.00', available_credit: '400.00', currency: 'USD' } }),
    dead: err(401, { errors: [{ code: '10009', title: 'Authentication failed', detail: 'Could not understand the provided credentials.', meta: { url: 'https://developers.telnyx.com/docs/overview/errors/10009' } }] }),
    deadReason: /10009/,
  },
  'intercom-access-token': {
    good: S.intercom,
    bad: S.intercomDead,
    live: ok({ type: 'admin', id: '991267464', email: 'admin@example.com', name: 'Joe Example', email_verified: true, app: { type: 'app', id_code: 'this_is_an_id64_that_should_be_at_least_4', name: 'MyApp', created_at: 1719492696, secure: false, identity_verification: false, timezone: 'America/Los_Angeles', region: 'US' }, avatar: { type: 'avatar', image_url: 'https://static.intercomassets.com/assets/default-avatars/admins/128.png' }, has_inbox_seat: true }),
    dead: err(401, { type: 'error.list', request_id: '000hvq5dbb4i1d8va2gg', errors: [{ code: 'unauthorized', message: 'Access Token Invalid' }] }),
    evidence: { adminId: '991267464', appId: 'this_is_an_id64_that_should_be_at_least_4' },
    deadReason: /unauthorized/,
  },
  'line-channel-access-token': {
    good: S.line,
    bad: S.lineDead,
    live: ok({ userId: 'Ub9952f8a1b2c3d4e5f6a7b8c9d0e1f2a', basicId: '@216ruabc', displayName: 'Example name', pictureUrl: 'https://profile.line-scdn.net/abcdefghijklmn', chatMode: 'chat', markAsReadMode: 'manual' }),
    dead: err(401, { message: 'Authentication failed. Confirm that the access token in the authorization header is valid.' }),
    evidence: { botUserId: 'Ub9952f8a1b2c3d4e5f6a7b8c9d0e1f2a', basicId: '@216ruabc' },
  },
  'discord-bot-token': {
    good: S.discord,
    bad: S.discordDead,
    live: ok({ id: '80351110224678912', username: 'leakdex-bot', discriminator: '0', global_name: null, avatar: null, bot: true, system: false, mfa_enabled: false, banner: null, accent_color: null, locale: 'en-US', verified: true, email: null, flags: 0, premium_type: 0, public_flags: 0 }),
    dead: err(401, { message: '401: Unauthorized', code: 0 }),
    evidence: { botId: '80351110224678912', login: 'leakdex-bot', bot: true },
  },
  'square-access-token': {
    good: S.square,
    bad: S.squareDead,
    live: ok({ merchant: { id: 'DM7VKY8Q63GNP', business_name: 'Apple A Day', country: 'US', language_code: 'en-US', currency: 'USD', status: 'ACTIVE', main_location_id: '9A65CGC72ZQG1', created_at: '2021-12-10T19:25:52.484Z' } }),
    dead: err(401, { errors: [{ category: 'AUTHENTICATION_ERROR', code: 'UNAUTHORIZED', detail: 'This request could not be authorized.' }] }),
    evidence: { merchantId: 'DM7VKY8Q63GNP', status: 'ACTIVE' },
    deadReason: /HTTP 401, UNAUTHORIZED.*sandbox/,
    more: [
      { name: 'a token without MERCHANT_PROFILE_READ', secret: S.squareScoped, answer: err(403, { errors: [{ category: 'AUTHENTICATION_ERROR', code: 'INSUFFICIENT_SCOPES', detail: 'The merchant has not given your application sufficient permissions to do that.' }] }), status: 'live', reason: /INSUFFICIENT_SCOPES/ },
      { name: 'a legacy sq0atp- token', ruleId: 'square-legacy-token', secret: S.squareLegacy, answer: ok({ merchant: { id: 'DM7VKY8Q63GNP', status: 'ACTIVE' } }), status: 'live', reason: /Square accepted/, evidence: { merchantId: 'DM7VKY8Q63GNP', status: 'ACTIVE' } },
    ],
    skipped: [{ ruleId: 'square-legacy-token', secret: S.squareAppSecret, reason: /application secret/ }],
  },
  'mollie-api-key': {
    good: S.mollie,
    bad: S.mollieDead,
    live: ok({ count: 1, _embedded: { methods: [{ resource: 'method', id: 'ideal', description: 'iDEAL', minimumAmount: { value: '0.01', currency: 'EUR' }, maximumAmount: { value: '50000.00', currency: 'EUR' }, image: { size1x: 'https://www.mollie.com/external/icons/payment-methods/ideal.png' }, status: 'activated' }] }, _links: { self: { href: 'https://api.mollie.com/v2/methods', type: 'application/hal+json' } } }),
    dead: err(401, { status: 401, title: 'Unauthorized Request', detail: 'Missing authentication, or failed to authenticate', _links: { documentation: { href: 'https://docs.mollie.com/overview/authentication', type: 'text/html' } } }),
  },
  'instagram-access-token': {
    good: S.instagram,
    bad: S.instagramDead,
    live: ok({ id: '17841400008460056' }),
    dead: err(400, { error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190, fbtrace_id: 'AbCdEfGhIjK' } }),
    evidence: { userId: '17841400008460056' },
    deadReason: /HTTP 400, 190/,
  },
  'openweathermap-api-key': {
    good: S.openweathermap,
    bad: S.openweathermapDead,
    live: ok({ coord: { lon: 0, lat: 0 }, weather: [{ id: 804, main: 'Clouds', description: 'overcast clouds', icon: '04d' }], base: 'stations', main: { temp: 299.6, feels_like: 299.6, temp_min: 299.6, temp_max: 299.6, pressure: 1012, humidity: 77 }, visibility: 10000, wind: { speed: 4.9, deg: 190 }, clouds: { all: 100 }, dt: 1661870592, sys: { sunrise: 1661834187, sunset: 1661877827 }, timezone: 0, id: 6295630, name: 'Globe', cod: 200 }),
    dead: err(401, { cod: 401, message: 'Invalid API key. Please see https://openweathermap.org/faq#error401 for more info.' }),
    deadReason: /not active yet/,
  },
  'giphy-api-key': {
    good: S.giphy,
    bad: S.giphyDead,
    live: ok({ data: [{ type: 'gif', id: 'xT4uQulxzV39haRFjG', url: 'https://giphy.com/gifs/xT4uQulxzV39haRFjG', title: 'Happy Dance GIF', rating: 'g' }], pagination: { total_count: 4999, count: 1, offset: 0 }, meta: { status: 200, msg: 'OK', response_id: '5b9c1a7b7a5a4a6b8c' } }),
    dead: err(401, { data: [], meta: { status: 401, msg: 'Unauthorized', response_id: '' } }),
    more: [{ name: 'a synthetic response', secret: S.giphySynthetic, answer: ok({ data: [], pagination: { total_count: 0, count: 0, offset: 0 }, meta: { status: 200, msg: 'OK', response_id: '' } }), status: 'error', reason: /synthetic/ }],
  },
};

/** The provider stand-in: one local server recording each request and answering with the answer set for it. */
const sent: Sent[] = [];
let answer: Answer = { status: 500, body: {} };
const server = http.createServer((req, res) => {
  const [path, query] = (req.url ?? '').split('?') as [string, string | undefined];
  sent.push({ method: req.method ?? '', path, query: new URLSearchParams(query ?? ''), headers: req.headers });
  req.resume();
  res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
t.teardown(() => new Promise<void>((resolve) => {
  server.closeAllConnections();
  server.close(() => resolve());
}));

/** Verifies one finding against `a`, the entry's origin answered by the local server: the finding and the requests. */
async function check(origin: string, f: Finding, a: Answer): Promise<{ f: Finding; sent: Sent[] }> {
  answer = a;
  sent.length = 0;
  const r = findingsReport([f]);
  await verifyReport(r, { endpoints: parseEndpoints(JSON.stringify({ [origin]: base })), verifiers: simpleVerifiers, spacingMs: 0, retries: 0 });
  return { f: r.findings[0] as Finding, sent: [...sent] };
}

/** The request is the entry's exact call: method, path, fixed query, credential in its place, required headers. */
function assertRequest(t: Test, e: SimpleEntry, s: Sent | undefined, secret: string): void {
  if (!s) return void t.fail('no request');
  t.equal(s.method, e.method ?? 'GET', 'method');
  t.equal(s.path, e.path, 'path');
  const want = new URLSearchParams(e.query as Record<string, string> | undefined);
  if (e.auth.kind === 'query') want.set(e.auth.name, secret);
  t.same([...s.query.entries()].sort(), [...want.entries()].sort(), 'query: the fixed parameters (and the key, for query auth) only');
  const a = e.auth;
  let authHeader: string | undefined;
  if (a.kind === 'bearer') {
    authHeader = 'authorization';
    t.equal(s.headers.authorization, `Bearer ${secret}`, 'Authorization: Bearer <key>');
  } else if (a.kind === 'header') {
    authHeader = a.name.toLowerCase();
    t.equal(s.headers[authHeader], `${a.prefix ?? ''}${secret}`, `${a.name}: ${a.prefix ?? ''}<key>`);
  } else if (a.kind === 'basic') {
    authHeader = 'authorization';
    t.match(s.headers.authorization, /^Basic /);
  }
  if (authHeader !== 'authorization') t.notOk(s.headers.authorization, 'no Authorization header besides the credential’s own');
  for (const [name, value] of Object.entries(e.extraHeaders ?? {})) t.equal(s.headers[name.toLowerCase()], value, `${name}: ${value}`);
  for (const [name, value] of Object.entries(s.headers)) if (name !== authHeader) t.notOk(String(value).includes(secret), `the key is in no other header (${name})`);
}

/** Neither the value nor its redacted form is in what the finding says, and no e-mail address either. */
function assertClean(t: Test, f: Finding, secret: string): void {
  const out = JSON.stringify([f.verification, f.reason]);
  t.notOk(out.includes(secret), 'the value is in no reason or evidence');
  t.notOk(out.includes(redact(secret)), 'not even redacted (nothing was scrubbed)');
  t.notOk(/[\w.+-]+@[\w-]+\.[a-z]{2,}/i.test(out), 'no e-mail address');
}

/** The outcome of the verifier itself, before the engine scrubs it: the value is not in it. */
async function rawOutcome(id: string, f: Finding, a: Answer): Promise<VerifyOutcome> {
  const v = simpleVerifiers.find((x) => x.id === id)!;
  const plan = v.plan(f, { partners: () => [] });
  if ('unverifiable' in plan) throw new Error(plan.unverifiable);
  const body = Buffer.from(JSON.stringify(a.body));
  const res: VerifyResponse = { status: a.status, headers: {}, body, json: () => JSON.parse(body.toString('utf8')) };
  return plan.run({ request: async () => res });
}

t.test('fake values have the shapes of their rules', async (t) => {
  const values: [string, string][] = [];
  for (const [id, fx] of Object.entries(F)) {
    const e = simpleEntries.find((x) => x.id === id)!;
    const main = fx.ruleId ?? e.ruleIds[0]!;
    values.push([main, fx.good], [main, fx.bad]);
    for (const c of fx.more ?? []) values.push([c.ruleId ?? main, c.secret]);
    for (const s of fx.skipped ?? []) values.push([s.ruleId, s.secret]);
  }
  values.push(['datadog-client-token', S.datadogClient], ['intercom-sdk-key', S.intercomSdk], ['square-application-id', S.squareAppId]);
  for (const [id, value] of values) {
    const rule = RULES.find((r) => r.id === id)!;
    t.match(value, rule.pattern, `${id}: matches the rule's pattern`);
    for (const re of rule.secretMustMatch ?? []) t.match(value, re, `${id}: ${re}`);
  }
});

t.test('the table: one exact call per entry, official https origins, rules that exist, registered, no overlap', async (t) => {
  t.same(Object.keys(F).sort(), simpleEntries.map((e) => e.id).sort(), 'every entry has a fixture');
  t.equal(new Set(simpleVerifiers.map((v) => v.id)).size, simpleVerifiers.length, 'ids are unique');
  const mine = new Set(simpleVerifiers.flatMap((v) => [...v.ruleIds]));
  const overlap = VERIFIERS.filter((v) => !simpleVerifiers.includes(v)).flatMap((v) => v.ruleIds.filter((id) => mine.has(id)).map((id) => `${id} (${v.id})`));
  t.same(overlap, [], 'no rule is also checked by another verifier (the first one registered would win)');
  for (const v of simpleVerifiers) {
    t.ok(VERIFIERS.includes(v), `${v.id}: in the registry`);
    t.ok(v.readOnly.length > 10, `${v.id}: says why it changes nothing`);
    for (const id of v.ruleIds) t.ok(RULES.some((r) => r.id === id), `${v.id}: rule ${id} exists`);
  }
  for (const e of simpleEntries) {
    const v = simpleVerifiers.find((x) => x.id === e.id)!;
    t.equal(v.calls.length, 1, `${e.id}: one call`);
    const c = v.calls[0]!;
    t.match(c.origin, /^https:\/\/[a-z0-9.-]+$/, `${e.id}: an https origin`);
    t.equal(c.method, e.method ?? 'GET');
    t.ok(c.path.test(e.path), `${e.id}: ${e.path} is allowed`);
    t.notOk(c.path.test(`${e.path}x`) || c.path.test(`${e.path}/x`) || c.path.test(`/x${e.path}`), `${e.id}: and nothing else`);
    t.equal(c.doc, callDoc(e));
    const marker = 'SECRETVALUEMARKER';
    t.notOk(new URL(simpleRequest(e, marker).url).pathname.includes(marker), `${e.id}: the key is never in the path (error messages carry the path)`);
    for (const path of Object.values(e.evidence ?? {})) t.notOk(/email|balance|phone|address/i.test(path.join('.')), `${e.id}: evidence ${path.join('.')} is no personal or financial data`);
  }
  for (const p of publicEntries) t.same(simpleVerifiers.find((v) => v.id === p.id)?.calls, [], `${p.id}: no call`);
});

for (const e of simpleEntries) {
  t.test(`${e.name}: ${callDoc(e)}`, async (t) => {
    const fx = F[e.id]!;
    const ruleId = fx.ruleId ?? e.ruleIds[0]!;
    const rule = RULES.find((r) => r.id === ruleId)!;

    const good = await check(e.origin, ruleFinding(ruleId, fx.good), fx.live);
    t.equal(good.sent.length, 1, 'exactly one request');
    assertRequest(t, e, good.sent[0], fx.good);
    t.match(good.f.verification, { status: 'live', verifier: e.id, host: e.origin });
    t.same(good.f.verification!.evidence, fx.evidence, 'the evidence: identifiers and scopes only');
    if (e.keepSeverity) {
      t.equal(good.f.severity, rule.severity, 'public by design: the severity stays');
      t.notOk(good.f.verification!.severityBefore);
    } else {
      t.equal(good.f.severity, 'critical', 'a live credential is critical');
      t.equal(good.f.verification!.severityBefore, rule.severity === 'critical' ? undefined : rule.severity, 'severityBefore');
      t.match(good.f.reason, /^verified live: /);
    }
    assertClean(t, good.f, fx.good);
    t.notOk(JSON.stringify((await rawOutcome(e.id, ruleFinding(ruleId, fx.good), fx.live)) ?? {}).includes(fx.good), 'the verifier itself leaks nothing');

    const dead = await check(e.origin, ruleFinding(ruleId, fx.bad), fx.dead);
    t.equal(dead.sent.length, 1, 'exactly one request');
    assertRequest(t, e, dead.sent[0], fx.bad);
    t.match(dead.f.verification, { status: 'invalid', verifier: e.id, reason: new RegExp(`${e.name} refused`) });
    if (fx.deadReason) t.match(dead.f.verification!.reason, fx.deadReason);
    t.equal(dead.f.severity, rule.severity, 'a refused credential keeps its severity');
    t.notOk(dead.f.verification!.severityBefore);
    assertClean(t, dead.f, fx.bad);
    t.notOk(JSON.stringify(await rawOutcome(e.id, ruleFinding(ruleId, fx.bad), fx.dead)).includes(fx.bad.slice(-8)), 'the provider’s message (which may echo the key) is not quoted');

    const odd = await check(e.origin, ruleFinding(ruleId, fx.good), err(418, { error: 'teapot' }));
    t.equal(odd.sent.length, 1);
    t.match(odd.f.verification, { status: 'error', reason: /unexpected answer \(HTTP 418\)/ }, 'any other answer is no verdict');

    for (const c of fx.more ?? []) {
      const cRule = RULES.find((r) => r.id === (c.ruleId ?? ruleId))!;
      const r = await check(e.origin, ruleFinding(cRule.id, c.secret), c.answer);
      t.equal(r.sent.length, 1, `${c.name}: one request`);
      assertRequest(t, e, r.sent[0], c.secret);
      t.match(r.f.verification, { status: c.status, reason: c.reason }, c.name);
      if (c.evidence) t.same(r.f.verification!.evidence, c.evidence, `${c.name}: evidence`);
      t.equal(r.f.severity, c.status === 'live' && !e.keepSeverity ? 'critical' : cRule.severity, `${c.name}: severity`);
      assertClean(t, r.f, c.secret);
    }
    for (const s of fx.skipped ?? []) {
      const r = await check(e.origin, ruleFinding(s.ruleId, s.secret), fx.live);
      t.equal(r.sent.length, 0, `${s.ruleId}: ${s.secret.slice(0, 7)}… is never sent`);
      t.match(r.f.verification, { status: 'unverifiable', verifier: e.id, reason: s.reason });
    }
  });
}

t.test('public-by-design rules: unverifiable, nothing sent', async (t) => {
  for (const [ruleId, secret] of [['datadog-client-token', S.datadogClient], ['intercom-sdk-key', S.intercomSdk], ['square-application-id', S.squareAppId]] as const) {
    const r = await check('https://api.example.com', ruleFinding(ruleId, secret), ok({}));
    t.equal(r.sent.length, 0, `${ruleId}: no request`);
    t.match(r.f.verification, { status: 'unverifiable', verifier: ruleId, reason: /public by design/ });
    t.equal(r.f.severity, RULES.find((x) => x.id === ruleId)!.severity);
  }
});
