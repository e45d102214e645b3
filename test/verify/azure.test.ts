/**
 * Azure Storage verifiers (src/verify/providers/azure.ts) against a local stand-in for the blob service. The stand-in
 * checks Shared Key the way the service does: it rebuilds the string-to-sign from the request it received (its own
 * small implementation below, written from Microsoft's "Authorize with Shared Key", not the verifier's), signs it
 * with the account's key and answers 403 AuthenticationFailed when the signature differs. The string-to-sign of the
 * verifier is also held to the examples Microsoft publishes in that document. Every value is a fake: the leaky
 * sample's planted connection string and SAS, or built with rules/fake.ts.
 */
import t, { type Test } from 'tap';
import { createHmac } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE64, fake } from '../../rules/fake.js';
import { RULES } from '../../rules/index.js';
import { redact } from '../../src/detect/redact.js';
import type { ReportFinding } from '../../src/report/types.js';
import { verifyReport } from '../../src/verify/engine.js';
import { originAllowed, parseEndpoints } from '../../src/verify/http.js';
import { VERIFIERS } from '../../src/verify/index.js';
import { AZURE_STORAGE_VERSION, azureVerifiers, sharedKeyStringToSign } from '../../src/verify/providers/azure.js';
import { ROOT } from '../helpers/files.js';
import { serveLocal, type LocalServer } from '../helpers/local-server.js';
import { findingsReport, ruleFinding } from '../helpers/fake-providers.js';

type Finding = ReportFinding & { secret: string };

const planted: { ruleId: string; secret: string }[] = JSON.parse(readFileSync(join(ROOT, 'samples/android/leaky-multidex.expected.json'), 'utf8')).planted;
const sample = (ruleId: string) => planted.find((p) => p.ruleId === ruleId)!.secret;

const ACCOUNT = 'leakdexsamplestore';
const ORIGIN = `https://${ACCOUNT}.blob.core.windows.net`;
/** The sample's connection string and the account key inside it: the key the stand-in knows for the account. */
const CONN = sample('azure-storage-connection-string');
const KEY = /AccountKey=([^;]+)/.exec(CONN)![1]!;
const WRONG_KEY = `${fake(BASE64, 86, 9701)}==`;
const CONN_WRONG = CONN.replace(KEY, WRONG_KEY);
const CONN_CHINA = `DefaultEndpointsProtocol=https;AccountName=${ACCOUNT};AccountKey=${KEY};EndpointSuffix=core.chinacloudapi.cn`;
const CONN_CUSTOM_BLOB = `DefaultEndpointsProtocol=https;AccountName=${ACCOUNT};AccountKey=${KEY};BlobEndpoint=https://files.orbitnotes.app/;EndpointSuffix=core.windows.net`;
const CONN_EMULATOR = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${fake(BASE64, 86, 9702)}==`;
/** The sample's account SAS (ss=b, srt=sco, sp=rl, expires 2031) and the signature inside it. */
const SAS = sample('azure-sas-token');
const SAS_SIG = /(?:^|&)sig=([^&]+)/.exec(SAS)![1]!;
const EXPIRED_SIG = encodeURIComponent(`${fake(BASE64, 43, 9703)}=`);
const SAS_EXPIRED = `sv=2022-11-02&ss=b&srt=sco&sp=rl&se=2024-06-30T00:00:00Z&st=2024-01-01T00:00:00Z&spr=https&sig=${EXPIRED_SIG}`;
const SAS_SERVICE = `sv=2022-11-02&sr=c&sp=rl&se=2031-12-31T23:59:59Z&spr=https&sig=${encodeURIComponent(`${fake(BASE64, 43, 9704)}=`)}`;
const SAS_NO_LIST = `sv=2022-11-02&ss=b&srt=sco&sp=r&se=2031-12-31T23:59:59Z&spr=https&sig=${encodeURIComponent(`${fake(BASE64, 43, 9705)}=`)}`;
const rule = (id: string) => RULES.find((r) => r.id === id)!;

// ---------------------------------------------------------------------------------------------------------------
// The stand-in's own Shared Key check, from the document's rules (not the verifier's code):
//   StringToSign = VERB \n Content-Encoding \n Content-Language \n Content-Length (empty when 0) \n Content-MD5 \n
//                  Content-Type \n Date \n If-Modified-Since \n If-Match \n If-None-Match \n If-Unmodified-Since \n
//                  Range \n CanonicalizedHeaders CanonicalizedResource
//   CanonicalizedHeaders: every x-ms-* header, name lowercased, sorted, `name:value\n`.
//   CanonicalizedResource: `/account` + path, then for each query parameter (names lowercased, sorted, decoded)
//                          `\nname:value`, the values of a repeated name sorted and joined with commas.
//   Signature = Base64(HMAC-SHA256(UTF8(StringToSign), Base64Decode(key))).
// ---------------------------------------------------------------------------------------------------------------
function headerValue(h: IncomingHttpHeaders, name: string): string {
  const v = h[name];
  return Array.isArray(v) ? v.join(',') : (v ?? '');
}

function serverSignature(req: IncomingMessage, account: string, key: string): string {
  const h = req.headers;
  const length = headerValue(h, 'content-length');
  const lines = [
    (req.method ?? '').toUpperCase(),
    headerValue(h, 'content-encoding'),
    headerValue(h, 'content-language'),
    length === '0' ? '' : length,
    headerValue(h, 'content-md5'),
    headerValue(h, 'content-type'),
    headerValue(h, 'date'),
    headerValue(h, 'if-modified-since'),
    headerValue(h, 'if-match'),
    headerValue(h, 'if-none-match'),
    headerValue(h, 'if-unmodified-since'),
    headerValue(h, 'range'),
  ];
  let canonicalHeaders = '';
  for (const name of Object.keys(h).filter((n) => n.startsWith('x-ms-')).sort()) canonicalHeaders += `${name}:${headerValue(h, name).trim()}\n`;
  const url = new URL(req.url ?? '/', 'http://stand-in');
  let resource = `/${account}${url.pathname}`;
  const names = [...new Set([...url.searchParams.keys()].map((k) => k.toLowerCase()))].sort();
  for (const name of names) {
    const values = [...url.searchParams].filter(([k]) => k.toLowerCase() === name).map(([, v]) => v).sort();
    resource += `\n${name}:${values.join(',')}`;
  }
  const stringToSign = `${lines.join('\n')}\n${canonicalHeaders}${resource}`;
  return createHmac('sha256', Buffer.from(key, 'base64')).update(stringToSign, 'utf8').digest('base64');
}

const LIST_OK = `\ufeff<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="${ORIGIN}/"><MaxResults>1</MaxResults><Containers><Container><Name>backups</Name><Properties><Last-Modified>Mon, 01 Jan 2024 00:00:00 GMT</Last-Modified><Etag>"0x8DC0A1B2C3D4E5F"</Etag><LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState><HasImmutabilityPolicy>false</HasImmutabilityPolicy><HasLegalHold>false</HasLegalHold></Properties></Container></Containers><NextMarker>/leakdexsamplestore/userdata</NextMarker></EnumerationResults>`;
const CONTAINER_NAMES = ['backups', 'userdata'];

function storageError(res: ServerResponse, status: number, code: string, message: string, detail?: string): void {
  const body = `\ufeff<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}\nRequestId:00000000-0000-0000-0000-000000000000\nTime:2026-01-01T00:00:00.0000000Z</Message>${detail ? `<AuthenticationErrorDetail>${detail}</AuthenticationErrorDetail>` : ''}</Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'x-ms-error-code': code }).end(body);
}

interface Seen {
  method: string;
  path: string;
  rawQuery: string;
  headers: IncomingHttpHeaders;
  /** Shared Key: whether the signature matched the one the stand-in computed with the account's real key. */
  signatureOk?: boolean;
  /** The request as received, to re-sign it with another key afterwards. */
  req: IncomingMessage;
}

interface StandIn {
  server: LocalServer;
  seen: Seen[];
}

/** The blob service of `leakdexsamplestore`: its key is KEY; the sample SAS is valid; any other SAS is refused. */
async function azureStandIn(mode: 'storage' | 'odd' = 'storage'): Promise<StandIn> {
  const server = await serveLocal();
  const seen: Seen[] = [];
  server.routes.set('/', (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const s: Seen = { method: req.method ?? '', path: q < 0 ? url : url.slice(0, q), rawQuery: q < 0 ? '' : url.slice(q + 1), headers: req.headers, req };
    seen.push(s);
    if (mode === 'odd') return storageError(res, 403, 'AuthorizationPermissionMismatch', 'This request is not authorized to perform this operation using this permission.');
    const params = new URL(url, 'http://stand-in').searchParams;
    if (params.get('comp') !== 'list') return storageError(res, 400, 'InvalidQueryParameterValue', 'Value for one of the query parameters specified in the request URI is invalid.');
    const auth = headerValue(req.headers, 'authorization');
    if (auth.startsWith('SharedKey ')) {
      const [account, signature] = [auth.slice(10, auth.indexOf(':')), auth.slice(auth.indexOf(':') + 1)];
      const date = Date.parse(headerValue(req.headers, 'x-ms-date'));
      if (!(Math.abs(Date.now() - date) < 15 * 60_000)) return storageError(res, 403, 'AuthenticationFailed', 'Server failed to authenticate the request.', 'Request date header too old or missing');
      if (headerValue(req.headers, 'x-ms-version') === '') return storageError(res, 400, 'MissingRequiredHeader', 'An HTTP header that is mandatory for this request is not specified.');
      s.signatureOk = account === ACCOUNT && signature === serverSignature(req, ACCOUNT, KEY);
      if (!s.signatureOk) {
        return storageError(res, 403, 'AuthenticationFailed', 'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.', `The MAC signature found in the HTTP request '${signature}' is not the same as any computed signature.`);
      }
      return void res.writeHead(200, { 'content-type': 'application/xml', 'x-ms-version': AZURE_STORAGE_VERSION }).end(LIST_OK);
    }
    const sig = params.get('sig');
    if (sig !== null) {
      if (sig === decodeURIComponent(SAS_SIG)) return void res.writeHead(200, { 'content-type': 'application/xml' }).end(LIST_OK);
      const se = Date.parse(params.get('se') ?? '');
      if (se < Date.now()) return storageError(res, 403, 'AuthenticationFailed', 'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.', 'Signed expiry time must be after signed start time');
      return storageError(res, 403, 'AuthenticationFailed', 'Server failed to authenticate the request.', 'Signature did not match.');
    }
    return storageError(res, 401, 'NoAuthenticationInformation', 'Server failed to authenticate the request. Please refer to the information in the www-authenticate header.');
  });
  return { server, seen };
}

/** Verifies `findings` with the Azure verifiers against `s`; the requests sent, and no value in any reason or evidence. */
async function verify(t: Test, s: StandIn, findings: Finding[]): Promise<{ findings: Finding[]; sent: Seen[] }> {
  const before = s.seen.length;
  const r = findingsReport(findings);
  await verifyReport(r, { endpoints: parseEndpoints(JSON.stringify({ [ORIGIN]: s.server.base })), verifiers: azureVerifiers, spacingMs: 0, retries: 0 });
  const out = JSON.stringify(r.findings.map((f) => [f.verification, f.reason]));
  // An account name is an identifier, not a value kept secret: it is the label of the official host (`host`).
  const secrets = findings.filter((f) => f.ruleId !== 'azure-storage-account-name').flatMap((f) => {
    const inner = [/AccountKey=([^;]+)/.exec(f.secret)?.[1], /(?:^|&)sig=([^&]+)/.exec(f.secret)?.[1]].filter((x): x is string => x !== undefined);
    return [f.secret, ...inner, ...inner.map((x) => decodeURIComponent(x))];
  });
  for (const x of secrets) t.notOk(out.includes(x), `${redact(x)}: in no reason or evidence`);
  for (const name of CONTAINER_NAMES) t.notOk(out.includes(name), `the container name ${name} is not kept`);
  return { findings: r.findings as Finding[], sent: s.seen.slice(before) };
}

t.test('the fake values have the shapes of their rules; the call tables; the registry', async (t) => {
  t.match(CONN, rule('azure-storage-connection-string').pattern);
  t.match(CONN_WRONG, rule('azure-storage-connection-string').pattern);
  t.match(KEY, rule('azure-storage-account-key').pattern);
  t.match(WRONG_KEY, rule('azure-storage-account-key').pattern);
  for (const sas of [SAS, SAS_EXPIRED, SAS_SERVICE, SAS_NO_LIST]) t.equal(rule('azure-sas-token').pattern.exec(sas)?.[0], sas, `${sas.slice(0, 40)}…: the whole value matches`);
  t.same(azureVerifiers.flatMap((v) => v.ruleIds).sort(), ['azure-sas-token', 'azure-storage-account-key', 'azure-storage-account-name', 'azure-storage-connection-string']);
  for (const v of azureVerifiers) {
    t.ok(VERIFIERS.includes(v), `${v.id}: registered`);
    t.ok(v.readOnly.length > 0);
    for (const id of v.ruleIds) t.ok(RULES.some((r) => r.id === id), `${v.id}: rule ${id} exists`);
    for (const c of v.calls) {
      t.same([c.method, c.origin, c.path.source], ['GET', 'https://*.blob.core.windows.net', '^\\/$'], `${v.id}: ${c.doc}`);
    }
  }
  t.ok(originAllowed('https://*.blob.core.windows.net', ORIGIN));
  for (const o of ['https://a.b.blob.core.windows.net', 'https://blob.core.windows.net', 'https://x.blob.core.windows.net.evil.com', 'http://leakdexsamplestore.blob.core.windows.net', 'https://leakdexsamplestore.queue.core.windows.net']) {
    t.notOk(originAllowed('https://*.blob.core.windows.net', o), `${o}: not a blob host`);
  }
});

t.test('Shared Key string-to-sign: the examples of Microsoft’s "Authorize with Shared Key"', async (t) => {
  // Its Blob example (version 2009-09-19 and later): no standard header, x-ms-date and x-ms-version, three parameters.
  t.equal(
    sharedKeyStringToSign('myaccount', { method: 'GET', path: '/mycontainer', query: 'restype=container&comp=metadata&timeout=20', headers: { 'x-ms-version': '2009-09-19', 'x-ms-date': 'Sun, 11 Oct 2009 21:49:13 GMT' } }),
    'GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Sun, 11 Oct 2009 21:49:13 GMT\nx-ms-version:2009-09-19\n/myaccount/mycontainer\ncomp:metadata\nrestype:container\ntimeout:20',
  );
  // "Content-Length header in version 2015-02-21 and later": a zero length is an empty line.
  t.equal(
    sharedKeyStringToSign('myaccount', { method: 'PUT', path: '/mycontainer', query: 'restype=container&timeout=30', headers: { 'x-ms-version': '2015-02-21', 'x-ms-date': 'Fri, 26 Jun 2015 23:39:12 GMT', 'Content-Length': '0' } }),
    'PUT\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Fri, 26 Jun 2015 23:39:12 GMT\nx-ms-version:2015-02-21\n/myaccount/mycontainer\nrestype:container\ntimeout:30',
  );
  // Its CanonicalizedResource examples: Get Container Metadata, and List Blobs with a repeated parameter.
  const resource = (path: string, query: string) => sharedKeyStringToSign('myaccount', { method: 'GET', path, query, headers: {} }).split('\n').slice(12).join('\n');
  t.equal(resource('/mycontainer', 'restype=container&comp=metadata'), '/myaccount/mycontainer\ncomp:metadata\nrestype:container');
  t.equal(resource('/mycontainer', 'restype=container&comp=list&include=snapshots&include=metadata&include=uncommittedblobs'), '/myaccount/mycontainer\ncomp:list\ninclude:metadata,snapshots,uncommittedblobs\nrestype:container');
  t.equal(resource('/mycontainer/myblob', ''), '/myaccount/mycontainer/myblob');
  // The document's sample Authorization header is shown without its key (and for three different strings), so
  // there is no published signature to check against: the stand-in below recomputes it from each request instead.
});

t.test('connection string: List Containers signed with Shared Key, live; a wrong key is refused', async (t) => {
  const s = await azureStandIn();
  const ok = await verify(t, s, [ruleFinding('azure-storage-connection-string', CONN)]);
  t.match(ok.findings[0], { severity: 'critical', verification: { status: 'live', verifier: 'azure-storage-shared-key', host: ORIGIN, reason: /leakdexsamplestore/ } });
  t.notOk(ok.findings[0]!.verification!.severityBefore, 'already critical: nothing to raise');
  t.same(ok.findings[0]!.verification!.evidence, { account: ACCOUNT, containers: 1, moreContainers: true }, 'the account and the count, never a container name');
  t.equal(ok.sent.length, 1, 'one request');
  const q = ok.sent[0]!;
  t.equal(q.method, 'GET');
  t.equal(q.path, '/');
  t.equal(q.rawQuery, 'comp=list&maxresults=1', 'exactly List Containers, one at most');
  t.match(q.headers.authorization, new RegExp(`^SharedKey ${ACCOUNT}:[A-Za-z0-9+/]{43}=$`), 'SharedKey <account>:<base64 HMAC-SHA256>');
  t.equal(q.headers['x-ms-version'], '2020-10-02');
  t.ok(Math.abs(Date.parse(String(q.headers['x-ms-date'])) - Date.now()) < 60_000, 'x-ms-date is now (RFC 1123)');
  t.match(String(q.headers['x-ms-date']), /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  t.equal(q.signatureOk, true, 'the stand-in’s own string-to-sign and HMAC agree with the signature sent');

  const dead = await verify(t, s, [ruleFinding('azure-storage-connection-string', CONN_WRONG)]);
  t.match(dead.findings[0], { severity: 'critical', verification: { status: 'invalid', reason: /refused the account key of leakdexsamplestore \(403 AuthenticationFailed/ } });
  t.equal(dead.sent.length, 1);
  t.equal(dead.sent[0]!.signatureOk, false, 'refused: signed with another key');
  const sent = String(dead.sent[0]!.headers.authorization).split(':')[1];
  t.equal(serverSignature(dead.sent[0]!.req, ACCOUNT, WRONG_KEY), sent, 'and only the key differs: the stand-in signing the same request with the wrong key gets the same signature');
});

t.test('account key: checked with its account name partner, else unverifiable', async (t) => {
  const s = await azureStandIn();
  const name = ruleFinding('azure-storage-account-name', ACCOUNT);
  const key = ruleFinding('azure-storage-account-key', KEY, { pairedWith: [name.fingerprint] });
  const ok = await verify(t, s, [key, name]);
  t.match(ok.findings, [
    { ruleId: 'azure-storage-account-key', severity: 'critical', reason: /^verified live: /, verification: { status: 'live', severityBefore: 'high', host: ORIGIN } },
    { ruleId: 'azure-storage-account-name', severity: 'info', verification: { status: 'unverifiable', reason: /not a credential/ } },
  ]);
  // The engine redacts every value a check sends (the name is one) from reasons and evidence.
  t.same(ok.findings[0]!.verification!.evidence, { account: redact(ACCOUNT), containers: 1, moreContainers: true });
  t.equal(ok.sent.length, 1);
  t.equal(ok.sent[0]!.signatureOk, true, 'signed for the partner account with the bare key');
  t.match(ok.sent[0]!.headers.authorization, /^SharedKey leakdexsamplestore:/);

  const wrong = await verify(t, s, [ruleFinding('azure-storage-account-key', WRONG_KEY), ruleFinding('azure-storage-account-name', ACCOUNT)]);
  t.match(wrong.findings[0], { severity: 'high', verification: { status: 'invalid', reason: /AuthenticationFailed/ } }, 'a partner found in the report without pairing is used too');
  t.notOk(wrong.findings[0]!.verification!.severityBefore);

  const alone = await verify(t, s, [ruleFinding('azure-storage-account-key', KEY)]);
  t.match(alone.findings[0], { severity: 'high', verification: { status: 'unverifiable', reason: 'an account key is checked with its account name, which this app does not hold' } });
  t.equal(alone.sent.length, 0, 'nothing sent without an account');
});

t.test('account SAS: live with the sample’s account, expired refused, others unverifiable', async (t) => {
  const s = await azureStandIn();
  const conn = ruleFinding('azure-storage-connection-string', CONN);
  const ok = await verify(t, s, [ruleFinding('azure-sas-token', SAS), conn]);
  t.match(ok.findings[0], { ruleId: 'azure-sas-token', severity: 'critical', reason: /^verified live: /, verification: { status: 'live', verifier: 'azure-sas-token', host: ORIGIN, severityBefore: 'high' } });
  t.same(ok.findings[0]!.verification!.evidence, { account: ACCOUNT, permissions: 'rl', expiry: '2031-12-31T23:59:59Z', containers: 1 });
  t.equal(ok.sent.length, 2, 'the SAS and the connection string: one request each');
  const sasReq = ok.sent.find((q) => q.headers.authorization === undefined)!;
  t.equal(sasReq.method, 'GET');
  t.equal(sasReq.path, '/');
  t.equal(sasReq.rawQuery, `comp=list&maxresults=1&${SAS}`, 'List Containers with the SAS as found');
  t.equal(new URL(`http://x/?${sasReq.rawQuery}`).searchParams.get('sig'), decodeURIComponent(SAS_SIG), 'the signature arrives intact');

  const byName = await verify(t, s, [ruleFinding('azure-sas-token', SAS), ruleFinding('azure-storage-account-name', ACCOUNT)]);
  t.match(byName.findings[0], { verification: { status: 'live', host: ORIGIN } }, 'an account name found in the app also gives the host');

  const expired = await verify(t, s, [ruleFinding('azure-sas-token', SAS_EXPIRED), conn]);
  t.match(expired.findings[0], { severity: 'high', verification: { status: 'invalid', reason: /refused the SAS on leakdexsamplestore \(403 AuthenticationFailed: its expiry, se=2024-06-30T00:00:00Z, has passed\)/ } });
  t.notOk(expired.findings[0]!.verification!.severityBefore);
  t.equal(expired.sent.filter((q) => q.headers.authorization === undefined).length, 1);

  const none = await verify(t, s, [ruleFinding('azure-sas-token', SAS), ruleFinding('azure-sas-token', SAS_SERVICE), ruleFinding('azure-sas-token', SAS_NO_LIST)]);
  t.match(none.findings, [
    { verification: { status: 'unverifiable', reason: /storage account, which this app does not name/ } },
    { verification: { status: 'unverifiable', reason: /a service SAS is signed for one container or blob/ } },
    { verification: { status: 'unverifiable', reason: /does not grant list \(sp=r\)/ } },
  ]);
  t.equal(none.sent.length, 0, 'nothing sent');
});

t.test('other clouds, custom endpoints and the emulator are not checked; odd answers are errors', async (t) => {
  const s = await azureStandIn();
  const none = await verify(t, s, [ruleFinding('azure-storage-connection-string', CONN_CHINA), ruleFinding('azure-storage-connection-string', CONN_CUSTOM_BLOB), ruleFinding('azure-storage-connection-string', CONN_EMULATOR)]);
  t.match(none.findings, [
    { verification: { status: 'unverifiable', reason: /only accounts of Azure’s public cloud \(EndpointSuffix=core\.windows\.net\) are checked; this one is at core\.chinacloudapi\.cn/ } },
    { verification: { status: 'unverifiable', reason: /names its own blob endpoint/ } },
    { verification: { status: 'unverifiable', reason: /storage emulator/ } },
  ]);
  t.equal(none.sent.length, 0, 'nothing sent');
  const china = await verify(t, s, [ruleFinding('azure-sas-token', SAS), ruleFinding('azure-storage-connection-string', CONN_CHINA)]);
  t.match(china.findings[0], { verification: { status: 'unverifiable' } }, 'a SAS beside another cloud’s connection string has no public account to be checked at');
  t.equal(china.sent.length, 0);

  const odd = await azureStandIn('odd');
  const err = await verify(t, odd, [ruleFinding('azure-storage-connection-string', CONN), ruleFinding('azure-sas-token', SAS)]);
  t.match(err.findings, [
    { severity: 'critical', verification: { status: 'error', reason: /unexpected answer \(HTTP 403\)/ } },
    { severity: 'high', verification: { status: 'error', reason: /AuthorizationPermissionMismatch.*unexpected answer \(HTTP 403\)/ } },
  ]);
});
