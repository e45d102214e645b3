/**
 * Azure Storage: an account key (in a connection string, or bare beside its account name) and an account SAS each
 * list the account's blob containers, one at most (`GET /?comp=list&maxresults=1` on `<account>.blob.core.windows.net`),
 * and only the count is kept. The key signs with Shared Key as Microsoft's "Authorize with Shared Key" describes it
 * for the Blob service 2009-09-19 and later; only accounts of the public cloud (`core.windows.net`) are checked.
 */
import { createHmac } from 'node:crypto';
import { ev, evidence, invalid, live, unexpected, type PlannedCheck, type SecretFinding, type Unverifiable, type Verifier, type VerifyContext, type VerifyResponse } from '../types.js';

/** The only endpoint suffix checked: Azure's public cloud (not China, US Government, Azure Stack or an emulator). */
const PUBLIC_SUFFIX = 'core.windows.net';
const BLOB_ORIGINS = `https://*.blob.${PUBLIC_SUFFIX}`;
/** The storage service version sent with Shared Key (its string-to-sign: 2009-09-19 and later, Content-Length empty when 0). */
export const AZURE_STORAGE_VERSION = '2020-10-02';
/** List Containers, one at most: the call both checks make. */
const LIST_QUERY = 'comp=list&maxresults=1';
/** A storage account name: 3 to 24 lowercase letters and digits (it becomes a DNS label of the blob host). */
const ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;
/** An account key: 64 bytes in base64. */
const ACCOUNT_KEY = /^[A-Za-z0-9+/]{86}==$/;
/** The local storage emulator's account, whose key Microsoft publishes: never a cloud credential. */
const EMULATOR_ACCOUNT = 'devstoreaccount1';
/** The parameters of an account SAS (Create an account SAS); anything else beside them in the finding is not sent. */
const ACCOUNT_SAS_PARAMS = new Set(['sv', 'ss', 'srt', 'sp', 'se', 'st', 'sip', 'spr', 'ses', 'sig']);
/** The standard headers of the string-to-sign, in its order. */
const SIGNED_STANDARD_HEADERS = ['content-encoding', 'content-language', 'content-length', 'content-md5', 'content-type', 'date', 'if-modified-since', 'if-match', 'if-none-match', 'if-unmodified-since', 'range'];

const blobOrigin = (account: string) => `https://${account}.blob.${PUBLIC_SUFFIX}`;

/** A request as Shared Key signs it: the path as encoded on the wire, the query without `?`, the headers sent. */
export interface SharedKeyRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * The Shared Key string-to-sign of the Blob, Queue and File services (version 2009-09-19 and later): the verb, the
 * eleven standard headers' values (Content-Length empty when 0), the `x-ms-*` headers lowercased and sorted, then
 * `/<account><path>` and each query parameter as `\nname:value` (names lowercased and sorted, values decoded, the
 * values of a repeated name sorted and comma-joined).
 */
export function sharedKeyStringToSign(account: string, req: SharedKeyRequest): string {
  const headers = new Map(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const standard = SIGNED_STANDARD_HEADERS.map((name) => {
    const v = headers.get(name) ?? '';
    return name === 'content-length' && v === '0' ? '' : v;
  });
  const canonicalHeaders = [...headers.keys()]
    .filter((k) => k.startsWith('x-ms-'))
    .sort()
    .map((k) => `${k}:${headers.get(k)!.replace(/\s+/g, ' ').trim()}\n`)
    .join('');
  const params = new Map<string, string[]>();
  for (const pair of req.query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(eq < 0 ? pair : pair.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    params.set(name, [...(params.get(name) ?? []), value]);
  }
  const canonicalQuery = [...params.keys()]
    .sort()
    .map((name) => `\n${name}:${[...params.get(name)!].sort().join(',')}`)
    .join('');
  return `${[req.method.toUpperCase(), ...standard].join('\n')}\n${canonicalHeaders}/${account}${req.path}${canonicalQuery}`;
}

/** The `SharedKey <account>:<signature>` header value: HMAC-SHA256 of the string-to-sign with the decoded key, base64. */
function sharedKeyAuthorization(account: string, key: string, req: SharedKeyRequest): string {
  const signature = createHmac('sha256', Buffer.from(key, 'base64')).update(sharedKeyStringToSign(account, req), 'utf8').digest('base64');
  return `SharedKey ${account}:${signature}`;
}

/** The start of an answer as text (a BOM is harmless to the patterns below). */
const text = (res: VerifyResponse) => res.body.toString('utf8', 0, Math.min(res.body.length, 65536));

/** The storage error code: the `x-ms-error-code` header, else `<Code>` of the error XML; bounded. */
function errorCode(res: VerifyResponse): string | undefined {
  const h = res.headers['x-ms-error-code'];
  const code = typeof h === 'string' ? h : /<Code>([^<]{1,100})<\/Code>/.exec(text(res))?.[1];
  return code !== undefined && /^[A-Za-z]{1,100}$/.test(code) ? code : undefined;
}

/** A List Containers answer: how many containers the page holds (their names are not read) and whether more follow. */
function containerPage(res: VerifyResponse): { containers: number; more: boolean } | undefined {
  if (res.status !== 200) return undefined;
  const body = text(res);
  if (!/<EnumerationResults[\s>]/.test(body)) return undefined;
  return { containers: (body.match(/<Container>/g) ?? []).length, more: /<NextMarker>[^<]+<\/NextMarker>/.test(body) };
}

/** `key=value` pairs split at the first `=` (connection strings: keys case-insensitive). */
function pairs(s: string, sep: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of s.split(sep)) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

type Account = { account: string; key: string };

/** The account name and key of a connection string, when it is an account of the public cloud that can be checked. */
function connectionAccount(value: string): Account | Unverifiable {
  const cs = pairs(value, ';');
  const account = cs.get('accountname') ?? '';
  const key = cs.get('accountkey') ?? '';
  if (!ACCOUNT_NAME.test(account)) return { unverifiable: 'the connection string holds no valid account name (3 to 24 lowercase letters and digits)' };
  if (account === EMULATOR_ACCOUNT) return { unverifiable: 'devstoreaccount1 is the local storage emulator’s account, whose key is published: not an account in Azure' };
  if (!ACCOUNT_KEY.test(key)) return { unverifiable: 'the connection string holds no well-formed account key (88 base64 characters)' };
  const suffix = (cs.get('endpointsuffix') ?? PUBLIC_SUFFIX).toLowerCase();
  if (suffix !== PUBLIC_SUFFIX) return { unverifiable: `only accounts of Azure’s public cloud (EndpointSuffix=${PUBLIC_SUFFIX}) are checked; this one is at ${ev(suffix, 60) ?? '?'} (another cloud or Azure Stack)` };
  const blob = cs.get('blobendpoint');
  if (blob !== undefined) {
    let host: string | undefined;
    try {
      host = new URL(blob).hostname.toLowerCase();
    } catch {
      host = undefined;
    }
    if (host !== `${account}.blob.${PUBLIC_SUFFIX}`) return { unverifiable: `the connection string names its own blob endpoint instead of ${account}.blob.${PUBLIC_SUFFIX} (an emulator, a custom domain or another cloud), which is not checked` };
  }
  return { account, key };
}

/** The account name of a partner `azure-storage-account-name` finding, when it can be a host label. */
function nameOf(f: SecretFinding): string | undefined {
  const name = f.secret.trim();
  return ACCOUNT_NAME.test(name) && name !== EMULATOR_ACCOUNT ? name : undefined;
}

/** The List Containers check with Shared Key. */
function sharedKeyCheck(account: string, key: string, fingerprints: string[]): PlannedCheck {
  const origin = blobOrigin(account);
  return {
    host: origin,
    call: `GET /?${LIST_QUERY} (List Containers, Shared Key)`,
    fingerprints,
    async run(http) {
      const headers = { 'x-ms-date': new Date().toUTCString(), 'x-ms-version': AZURE_STORAGE_VERSION };
      const authorization = sharedKeyAuthorization(account, key, { method: 'GET', path: '/', query: LIST_QUERY, headers });
      const res = await http.request({ method: 'GET', url: `${origin}/?${LIST_QUERY}`, headers: { ...headers, authorization, accept: 'application/xml' } });
      const page = containerPage(res);
      if (page) {
        return live(
          `Azure Storage accepted the account key of ${account}: it lists the account’s blob containers (full control of the account)`,
          evidence({ account, containers: page.containers, moreContainers: page.more }),
        );
      }
      const code = errorCode(res);
      if (res.status === 403 && code === 'AuthenticationFailed') return invalid(`Azure Storage refused the account key of ${account} (403 AuthenticationFailed: a wrong or rotated key)`);
      return unexpected(res, `Azure Storage List Containers on ${account}${code ? ` (${code})` : ''}`);
    },
  };
}

/** A SAS's parameters by lowercased name, values as found (first occurrence). */
function sasParams(value: string): Map<string, string> {
  return pairs(value.trim().replace(/^\?/, ''), '&');
}

/** The account a SAS is checked at: a connection string's (public cloud), else an account name found in the app. */
function sasAccount(f: SecretFinding, ctx: VerifyContext): { account: string; partner: SecretFinding } | undefined {
  for (const p of ctx.partners(f, 'azure-storage-connection-string')) {
    const a = connectionAccount(p.secret);
    if (!('unverifiable' in a)) return { account: a.account, partner: p };
  }
  for (const p of ctx.partners(f, 'azure-storage-account-name')) {
    const name = nameOf(p);
    if (name) return { account: name, partner: p };
  }
  return undefined;
}

export const azureVerifiers: Verifier[] = [
  {
    id: 'azure-storage-shared-key',
    provider: 'azure',
    ruleIds: ['azure-storage-connection-string', 'azure-storage-account-key'],
    calls: [{ method: 'GET', origin: BLOB_ORIGINS, path: /^\/$/, doc: `GET /?${LIST_QUERY} (List Containers, Shared Key)` }],
    readOnly: 'List Containers with maxresults=1 reads at most one container name of the account (only the count is kept); it creates, changes and deletes nothing.',
    plan(f, ctx) {
      if (f.ruleId === 'azure-storage-connection-string') {
        const a = connectionAccount(f.secret);
        if ('unverifiable' in a) return a;
        return sharedKeyCheck(a.account, a.key, [f.fingerprint]);
      }
      const key = f.secret.trim();
      if (!ACCOUNT_KEY.test(key)) return { unverifiable: 'the value is not a well-formed account key (88 base64 characters)' };
      const names = ctx.partners(f, 'azure-storage-account-name');
      const partner = names.find((p) => nameOf(p) !== undefined);
      if (!partner) return { unverifiable: 'an account key is checked with its account name, which this app does not hold' };
      return sharedKeyCheck(nameOf(partner)!, key, [f.fingerprint, partner.fingerprint]);
    },
  },
  {
    id: 'azure-sas-token',
    provider: 'azure',
    ruleIds: ['azure-sas-token'],
    calls: [{ method: 'GET', origin: BLOB_ORIGINS, path: /^\/$/, doc: `GET /?${LIST_QUERY}&<account SAS> (List Containers)` }],
    readOnly: 'List Containers with maxresults=1 reads at most one container name of the account (only the count is kept); it creates, changes and deletes nothing.',
    plan(f, ctx) {
      const sas = sasParams(f.secret);
      const ss = decode(sas.get('ss') ?? '');
      const srt = decode(sas.get('srt') ?? '');
      const sp = decode(sas.get('sp') ?? '');
      if (!sas.get('sig') || !sas.get('sv')) return { unverifiable: 'the value is not a complete SAS (sv= and sig=)' };
      if (!sas.has('ss') || !sas.has('srt') || sas.has('sr')) return { unverifiable: 'a service SAS is signed for one container or blob, which the finding does not hold (only the query string); only an account SAS (ss=, srt=) is checked' };
      if (!ss.includes('b')) return { unverifiable: `the account SAS does not cover the Blob service (ss=${ev(ss, 10) ?? ''}), the only one checked` };
      if (!srt.includes('s')) return { unverifiable: `the account SAS does not cover service-level calls (srt=${ev(srt, 10) ?? ''}), and listing containers is one` };
      if (!sp.includes('l')) return { unverifiable: `the account SAS does not grant list (sp=${ev(sp, 20) ?? ''}), and listing containers is the only read-only call made` };
      if (sas.has('sip')) return { unverifiable: 'the SAS works only from the addresses of its sip= range, so an answer to this host would say nothing about it' };
      const at = sasAccount(f, ctx);
      if (!at) return { unverifiable: 'a SAS is checked at its storage account, which this app does not name (no connection string or account name found beside it)' };
      const { account, partner } = at;
      // Only the SAS's own parameters are sent, as found; a literal `+` of a signature would read as a space.
      const query = [...sas.entries()].filter(([k]) => ACCOUNT_SAS_PARAMS.has(k)).map(([k, v]) => `${k}=${v.replace(/\+/g, '%2B')}`).join('&');
      const origin = blobOrigin(account);
      const se = decode(sas.get('se') ?? '');
      return {
        host: origin,
        call: `GET /?${LIST_QUERY}&<account SAS> (List Containers)`,
        fingerprints: [f.fingerprint, partner.fingerprint],
        async run(http) {
          const res = await http.request({ method: 'GET', url: `${origin}/?${LIST_QUERY}&${query}`, headers: { accept: 'application/xml' } });
          const page = containerPage(res);
          if (page) {
            return live(
              `Azure Storage accepted the account SAS on ${account}: it lists the account’s blob containers (permissions ${ev(sp, 20)}, until ${ev(se, 40) || 'no expiry given'})`,
              evidence({ account, permissions: ev(sp, 20), expiry: ev(se, 40) || undefined, containers: page.containers }),
            );
          }
          const code = errorCode(res);
          if (res.status === 403 && (code === undefined || code === 'AuthenticationFailed' || code === 'AuthorizationFailure')) {
            const cause =
              Date.parse(se) < Date.now()
                ? `its expiry, se=${ev(se, 40)}, has passed`
                : code === 'AuthorizationFailure'
                  ? 'a revoked SAS, or network rules of the account that refuse this address'
                  : 'a revoked SAS, a rotated account key, or a SAS signed for another account';
            return invalid(`Azure Storage refused the SAS on ${account} (403${code ? ` ${code}` : ''}: ${cause})`);
          }
          return unexpected(res, `Azure Storage List Containers with the SAS on ${account}${code ? ` (${code})` : ''}`);
        },
      };
    },
  },
  {
    id: 'azure-storage-account-name',
    provider: 'azure',
    ruleIds: ['azure-storage-account-name'],
    calls: [],
    readOnly: 'Makes no call.',
    plan() {
      return { unverifiable: 'an account name is not a credential: its account key or SAS is what is checked' };
    },
  },
];
