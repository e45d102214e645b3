/**
 * Declarative verifiers: providers whose check is one fixed call to an official host with the credential in a header
 * (Bearer, a named header, Basic) or a query parameter, where 2xx means live and 401/403 means refused. Each entry of
 * the tables (simple-ai.ts, simple-cloud.ts, simple-services.ts) states the call, how to read the answer and which
 * fields of it to keep; `simpleVerifier` turns it into a Verifier whose call table is that one exact path.
 *
 * Evidence keeps only the account's own identifiers and scopes: never an e-mail address, a person's name, a balance
 * or any data the credential opens. Reasons name the provider and the HTTP status (and, where an entry says where to
 * find it, the provider's short error code); they never quote the provider's message, which may echo the key.
 */
import { ev, evidence, field, invalid, live, unexpected, type Verifier, type VerifyOutcome, type VerifyResponse } from '../types.js';
import { aiEntries } from './simple-ai.js';
import { cloudEntries } from './simple-cloud.js';
import { serviceEntries } from './simple-services.js';
import type { BodyMatch, PublicEntry, SimpleEntry, StatusMatch } from './simple-types.js';

export type { BodyMatch, PublicEntry, SimpleAuth, SimpleEntry, StatusMatch } from './simple-types.js';

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Whether `m` holds for `body`. */
export function bodyMatches(body: unknown, m: Partial<BodyMatch>): boolean {
  if (!m.path) return true;
  const v = field(body, ...m.path);
  if (m.equals !== undefined && v !== m.equals) return false;
  if (m.oneOf !== undefined && !m.oneOf.some((x) => x === v)) return false;
  if (m.present !== undefined && (v !== undefined && v !== null && v !== '') !== m.present) return false;
  return true;
}

const statusMatches = (res: VerifyResponse, m: StatusMatch): boolean => res.status === m.status && bodyMatches(res.json(), m);

/** The evidence an entry keeps from an answer: short strings, numbers, booleans, lists of strings (scopes). */
function pickEvidence(e: SimpleEntry, body: unknown): ReturnType<typeof evidence> | undefined {
  if (!e.evidence) return undefined;
  const out: Record<string, string | number | boolean | string[] | undefined> = {};
  for (const [key, path] of Object.entries(e.evidence)) {
    const v = field(body, ...path);
    out[key] = Array.isArray(v) ? v.map((x) => ev(x, 80)).filter((x): x is string => x !== undefined).slice(0, 50) : typeof v === 'number' || typeof v === 'boolean' ? v : ev(v, 120);
  }
  const kept = evidence(out);
  return Object.keys(kept).length ? kept : undefined;
}

/** The documented call, e.g. `GET /v1/me` or `GET /data/2.5/weather?lat=0&lon=0 (appid=<key>)`. */
export function callDoc(e: SimpleEntry): string {
  const q = e.query && Object.keys(e.query).length ? `?${new URLSearchParams(e.query as Record<string, string>)}` : '';
  const key = e.auth.kind === 'query' ? ` (${e.auth.name}=<key>)` : '';
  return `${e.method ?? 'GET'} ${e.path}${q}${key}`;
}

/** The request of an entry for one credential: URL and headers. */
export function simpleRequest(e: SimpleEntry, secret: string): { url: string; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(e.extraHeaders ?? {})) headers[k.toLowerCase()] = v;
  const query = new URLSearchParams(e.query as Record<string, string> | undefined);
  const a = e.auth;
  if (a.kind === 'bearer') headers.authorization = `Bearer ${secret}`;
  else if (a.kind === 'header') headers[a.name.toLowerCase()] = `${a.prefix ?? ''}${secret}`;
  else if (a.kind === 'basic') {
    const part = (p: string | undefined, dflt: string) => (p === 'key' ? secret : (p ?? dflt));
    headers.authorization = `Basic ${Buffer.from(`${part(a.user, 'key')}:${part(a.password, '')}`).toString('base64')}`;
  } else query.set(a.name, secret);
  const qs = query.toString();
  return { url: `${e.origin}${e.path}${qs ? `?${qs}` : ''}`, headers };
}

/** The outcome of an entry's answer. */
export function readAnswer(e: SimpleEntry, res: VerifyResponse): VerifyOutcome {
  const noun = e.noun ?? 'key';
  const code = e.errorCode ? ev(field(res.json(), ...e.errorCode), 40) : undefined;
  const status = `HTTP ${res.status}${code ? `, ${code}` : ''}`;
  const limited = e.limited?.find((m) => statusMatches(res, m));
  if (limited) return live(`${e.name} knows the ${noun} but it may not make this call (${status}): ${limited.reason}`);
  if ((e.liveStatuses ?? [200]).includes(res.status)) {
    const body = res.json();
    for (const r of e.liveRequires ?? []) {
      if (bodyMatches(body, r)) continue;
      return r.otherwise === 'invalid' ? invalid(`${e.name} answered ${res.status} but ${r.reason}`) : { status: 'error', reason: `${e.name} ${callDoc(e)}: ${r.reason}` };
    }
    const outcome = live(`${e.name} accepted the ${noun} (${callDoc(e)} answered ${res.status})`, pickEvidence(e, body));
    return e.keepSeverity ? { ...outcome, keepSeverity: true } : outcome;
  }
  if ((e.invalidWhen ?? []).some((m) => statusMatches(res, m)) || (e.invalidStatuses ?? [401, 403]).includes(res.status)) {
    return invalid(`${e.name} refused the ${noun} (${status})${e.invalidNote ? `; ${e.invalidNote}` : ''}`);
  }
  return unexpected(res, `${e.name} ${callDoc(e)}`);
}

/** The verifier of one table entry: its one call, in its call table with the exact path. */
export function simpleVerifier(e: SimpleEntry): Verifier {
  const method = e.method ?? 'GET';
  const doc = callDoc(e);
  return {
    id: e.id,
    provider: e.provider,
    ruleIds: e.ruleIds,
    calls: [{ method, origin: e.origin, path: new RegExp(`^${escapeRe(e.path)}$`), doc }],
    readOnly: e.readOnly,
    plan(f) {
      const skip = e.skipPrefixes?.find((s) => f.secret.startsWith(s.prefix));
      if (skip) return { unverifiable: skip.reason };
      return {
        host: e.origin,
        call: doc,
        fingerprints: [f.fingerprint],
        async run(http) {
          const { url, headers } = simpleRequest(e, f.secret);
          return readAnswer(e, await http.request({ method, url, headers }));
        },
      };
    },
  };
}

/** The verifier of a public-by-design rule: no call, the reason said plainly. */
export function publicVerifier(p: PublicEntry): Verifier {
  return { id: p.id, provider: p.provider, ruleIds: p.ruleIds, calls: [], readOnly: 'Makes no call.', plan: () => ({ unverifiable: p.reason }) };
}

/** Rules of these providers that are public by design: a valid value is expected and there is nothing to check. */
export const publicEntries: readonly PublicEntry[] = [
  { id: 'datadog-client-token', provider: 'datadog', ruleIds: ['datadog-client-token'], reason: 'a Datadog client token is public by design (browser and mobile SDKs ship it to submit RUM data and logs); it has no read-only check of its own' },
  { id: 'intercom-sdk-key', provider: 'intercom', ruleIds: ['intercom-sdk-key'], reason: 'an Intercom mobile SDK key is public by design (every install of the app holds it); identity verification, not the key, protects users' },
  { id: 'square-application-id', provider: 'square', ruleIds: ['square-application-id'], reason: 'a Square application id is public by design (the In-App Payments SDK needs it); the access token, when the app holds one, is what is checked' },
];

/** Every table entry, in a fixed order. */
export const simpleEntries: readonly SimpleEntry[] = [...cloudEntries, ...aiEntries, ...serviceEntries];

export const simpleVerifiers: Verifier[] = [...simpleEntries.map(simpleVerifier), ...publicEntries.map(publicVerifier)];
