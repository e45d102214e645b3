/**
 * Local servers answering as the providers' APIs do (their documented response shapes), for the verification tests:
 * each records every request (method, path, query, headers, body), so a test can check exactly what leakdex sent.
 */
import t from 'tap';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { RULES } from '../../rules/index.js';
import { fingerprint } from '../../src/detect/fingerprint.js';
import { rate } from '../../src/detect/rating.js';
import { redact } from '../../src/detect/redact.js';
import { REPORT_SCHEMA_VERSION, type Report, type ReportFinding } from '../../src/report/types.js';
import { VERIFIERS } from '../../src/verify/index.js';

export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

export interface FakeProvider {
  base: string;
  requests: SeenRequest[];
}

export type FakeHandler = (req: SeenRequest, res: ServerResponse) => void;

/** A local server answering with `handler`; closed when the test file ends. */
export async function fakeProvider(handler: FakeHandler): Promise<FakeProvider> {
  const fake: FakeProvider = { base: '', requests: [] };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const seen: SeenRequest = { method: req.method ?? '', path: u.pathname, query: u.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      fake.requests.push(seen);
      handler(seen, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t.teardown(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  return fake;
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
}

/** The values the sample apps plant (samples/android/*.expected.json), which the fake providers treat as live. */
export interface LiveSet {
  twitterConsumer?: [string, string];
  facebookApp?: [string, string];
  githubTokens?: string[];
  awsPair?: [string, string];
  mapsUnrestricted?: string[];
  fcmKeys?: string[];
  openDatabases?: boolean;
  openBuckets?: string[];
}

/** Twitter: POST /oauth2/token (client credentials), GET rate_limit_status with a bearer. */
export const twitterHandler = (live: LiveSet): FakeHandler => (req, res) => {
  if (req.method === 'POST' && req.path === '/oauth2/token') {
    const basic = Buffer.from(String(req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
    if (req.body === 'grant_type=client_credentials' && live.twitterConsumer && basic === live.twitterConsumer.join(':')) return json(res, 200, { token_type: 'bearer', access_token: 'AAAAAAAAAAAAAAAAAAAAAfakebearer' });
    return json(res, 403, { errors: [{ code: 99, label: 'authenticity_token_error', message: 'Unable to verify your credentials' }] });
  }
  if (req.method === 'GET' && req.path === '/1.1/application/rate_limit_status.json') return json(res, 401, { errors: [{ code: 89, message: 'Invalid or expired token.' }] });
  json(res, 404, { errors: [{ code: 34, message: 'Sorry, that page does not exist.' }] });
};

/** Facebook Graph API. */
export const graphHandler = (live: LiveSet): FakeHandler => (req, res) => {
  const fbError = (code: number, message: string) => json(res, 400, { error: { message, type: 'OAuthException', code, fbtrace_id: 'AbCdEf' } });
  const [id, secret] = live.facebookApp ?? ['', ''];
  if (req.path === '/oauth/access_token') {
    if (req.query.get('client_id') === id && req.query.get('client_secret') === secret && req.query.get('grant_type') === 'client_credentials') return json(res, 200, { access_token: `${id}|fakeapptoken`, token_type: 'bearer' });
    return fbError(1, 'Error validating client secret.');
  }
  if (req.path === '/app') return req.query.get('access_token') === `${id}|${secret}` ? json(res, 200, { id, name: 'Leakdex Sample' }) : fbError(190, 'Invalid OAuth access token.');
  if (req.path === '/me') return fbError(190, 'Invalid OAuth access token - Cannot parse access token');
  fbError(100, 'Unknown path components');
};

/** A Realtime Database: open (`{"users":true,...}` at the root) or locked (`Permission denied`). */
export const databaseHandler = (live: LiveSet): FakeHandler => (req, res) => {
  if (req.path === '/.json' && req.query.get('shallow') === 'true') return live.openDatabases ? json(res, 200, { users: true, messages: true, config: true }) : json(res, 401, { error: 'Permission denied' });
  json(res, 404, { error: 'Not Found' });
};

/** Firebase Storage's JSON API: the default bucket of an open project lists its objects; others are refused. */
export const storageHandler = (live: LiveSet): FakeHandler => (req, res) => {
  const m = /^\/v0\/b\/([^/]+)\/o$/.exec(req.path);
  if (!m) return json(res, 404, { error: { code: 404, message: 'Not Found.' } });
  if (live.openBuckets?.includes(m[1]!)) return json(res, 200, { prefixes: ['backups/'], items: [{ name: 'avatars/1.png', bucket: m[1] }] });
  if (m[1]!.endsWith('.appspot.com')) return json(res, 403, { error: { code: 403, message: 'Permission denied.' } });
  json(res, 404, { error: { code: 404, message: 'Not Found.' } });
};

/** Cloud Firestore's runQuery: rules that refuse unauthenticated reads (PERMISSION_DENIED). */
export const firestoreHandler: FakeHandler = (req, res) => {
  if (!/^\/v1\/projects\/[^/]+\/databases\/\(default\)\/documents:runQuery$/.test(req.path)) return json(res, 404, { error: { code: 404, message: 'not found', status: 'NOT_FOUND' } });
  json(res, 403, { error: { code: 403, message: 'Missing or insufficient permissions.', status: 'PERMISSION_DENIED' } });
};

/** Maps web services: a key is unrestricted, restricted (not authorized for the API) or invalid. */
export const mapsHandler = (live: LiveSet): FakeHandler => (req, res) => {
  const key = req.query.get('key') ?? '';
  if (!/^\/maps\/api\/(?:geocode|directions|elevation)\/json$/.test(req.path)) return json(res, 404, {});
  if (!key.startsWith('AIza')) return json(res, 200, { results: [], status: 'REQUEST_DENIED', error_message: 'The provided API key is invalid. ' });
  if (live.mapsUnrestricted?.includes(key) && req.path.includes('directions')) return json(res, 200, { geocoded_waypoints: [], routes: [], status: 'ZERO_RESULTS' });
  json(res, 200, { results: [], status: 'REQUEST_DENIED', error_message: 'This API project is not authorized to use this API.' });
};

/** FCM legacy send: the first request is rate limited (429, Retry-After: 1), then a dry run answers. */
export const fcmHandler = (live: LiveSet): FakeHandler => {
  let calls = 0;
  return (req, res) => {
    if (calls++ === 0) return json(res, 429, { error: 'rate limited' }, { 'retry-after': '1' });
    const key = String(req.headers.authorization ?? '').replace(/^key=/, '');
    if (!live.fcmKeys?.includes(key)) return res.writeHead(401, { 'content-type': 'text/html' }).end('<HTML><TITLE>Unauthorized</TITLE></HTML>');
    json(res, 200, { multicast_id: 5237480412338611000, success: 0, failure: 1, canonical_ids: 0, results: [{ error: 'InvalidRegistration' }] });
  };
};

/** STS GetCallerIdentity: checks the SigV4 signature by signing the same request again with the known secret. */
export const stsHandler = (live: LiveSet): FakeHandler => (req, res) => {
  const xmlError = (code: string) => res.writeHead(403, { 'content-type': 'text/xml' }).end(`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>1</RequestId></ErrorResponse>`);
  const auth = String(req.headers.authorization ?? '');
  const keyId = /Credential=([A-Z0-9]+)\//.exec(auth)?.[1];
  if (!live.awsPair || keyId !== live.awsPair[0]) return xmlError('InvalidClientTokenId');
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const date = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  const signer = new SignatureV4({ service: 'sts', region: 'us-east-1', credentials: { accessKeyId: live.awsPair[0], secretAccessKey: live.awsPair[1] }, sha256: Sha256 });
  void signer
    .sign({ method: req.method, protocol: 'https:', hostname: 'sts.amazonaws.com', path: '/', headers: { host: 'sts.amazonaws.com', 'content-type': String(req.headers['content-type']) }, body: req.body }, { signingDate: date })
    .then((signed) => {
      if (signed.headers.authorization !== auth || req.body !== 'Action=GetCallerIdentity&Version=2011-06-15') return xmlError('SignatureDoesNotMatch');
      res.writeHead(200, { 'content-type': 'text/xml' }).end(`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/leakdex-sample</Arn><UserId>AIDAEXAMPLEUSERID</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata></GetCallerIdentityResponse>`);
    });
};

/** Cognito GetId: this pool refuses unauthenticated identities. */
export const cognitoHandler: FakeHandler = (_req, res) => json(res, 400, { __type: 'NotAuthorizedException', message: 'Unauthenticated access is not supported for this identity pool.' });

/** GitHub GET /user. */
export const githubHandler = (live: LiveSet): FakeHandler => (req, res) => {
  const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
  if (req.path === '/user' && live.githubTokens?.includes(token)) return json(res, 200, { login: 'leakdex-sample', id: 424242, type: 'User' }, { 'x-oauth-scopes': 'repo, read:org' });
  json(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
};

/** Answers 404 to anything: stands in for every official origin a test does not model, so nothing leaves the machine. */
export const nothingHandler: FakeHandler = (_req, res) => json(res, 404, { error: 'not modelled by this test' });

/** The origins of the samples' own databases and storage accounts (official hosts with a wildcard label). */
export const SAMPLE_WILDCARD_ORIGINS = ['https://leakdex-sample-app.firebaseio.com', 'https://leakdexsamplestore.blob.core.windows.net'];

/** Every fixed official origin of the registered verifiers, and the samples' wildcard ones: route them all locally. */
export function officialOrigins(): string[] {
  return [...new Set([...VERIFIERS.flatMap((v) => v.calls.map((c) => c.origin)).filter((o) => !o.includes('*')), ...SAMPLE_WILDCARD_ORIGINS])].sort();
}

/** A finding as a scan with --show-secrets reports it, made from its rule (fingerprint: the CLI's plain SHA-256). */
export function ruleFinding(ruleId: string, secret: string, over: Partial<ReportFinding> = {}): ReportFinding & { secret: string } {
  const rule = RULES.find((r) => r.id === ruleId);
  if (!rule) throw new Error(`no rule ${ruleId}`);
  return { ruleId, provider: rule.provider, title: rule.title, severity: rule.severity, confidence: rule.confidence, redacted: redact(secret), fingerprint: fingerprint(ruleId, secret), locations: [{ entry: 'res/values/strings.xml', decoder: 'arsc', pointer: 'string/key' }], secret, ...over };
}

/** A report holding `findings` and nothing else, for the verifier tests. */
export function findingsReport(findings: ReportFinding[]): Report {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'leakdex', version: '0' },
    artifact: { path: 'a.apk', sha256: '0'.repeat(64), size: 1, kind: 'apk', platform: 'android', app: { id: 'com.example.a' } },
    findings,
    rating: rate(findings),
    diagnostics: [],
    stats: { entries: 1, bytesRead: 1, bytesInflated: 1, strings: 1, durationMs: 1, stages: { unzip: 0, decode: 0, detect: 0 } },
  };
}
