/**
 * The verifier contract (docs/verification.md): one small module per provider, each declaring the only calls it may
 * make (method, official origin, path) and turning a finding into one check. Verification is kept apart from
 * detection: the engine (engine.ts) runs verifiers over a report's findings after the scan, and only when asked.
 */
import type { FindingBase, VerificationEvidence } from '../findings.js';

/** A finding with its value, as the engine hands it to a verifier. */
export type SecretFinding = FindingBase & { secret: string };

/** One call a verifier may make: the fixed table that the HTTP client enforces and the docs list. */
export interface VerifierCall {
  method: 'GET' | 'POST';
  /**
   * The official origin, e.g. `https://api.github.com`; one leading `*` stands for a single DNS label chosen by the
   * finding (`https://*.firebaseio.com`), and must be at least a registrable domain below it.
   */
  origin: string;
  /** The path (without the query) as a pattern, anchored. */
  path: RegExp;
  /** What the call is, for the docs and --verify-dry-run (e.g. `GET /user`). */
  doc: string;
}

/** A response as a verifier sees it (bounded body). */
export interface VerifyResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The body as JSON, or undefined when it is not JSON. */
  json(): unknown;
}

export interface VerifyRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

/** The HTTP client a verifier is given: it refuses any call outside the verifier's table. */
export interface VerifyHttp {
  request(req: VerifyRequest): Promise<VerifyResponse>;
}

/** What a check concluded. `live` means the credential grants what the call tested. */
export interface VerifyOutcome {
  status: 'live' | 'invalid' | 'error';
  reason: string;
  evidence?: VerificationEvidence;
  /** A live result that is not about a secret (an open database URL) leaves the finding's severity alone. */
  keepSeverity?: boolean;
  /** Further findings this check established (a database readable by anyone), reported beside the checked one. */
  exposures?: Exposure[];
}

/** What an open resource is, as a finding of its own: critical, at the checked finding's locations. */
export interface Exposure {
  ruleId: string;
  title: string;
  reason: string;
  evidence?: VerificationEvidence;
}

/** One check of one finding: the inputs are bound, the request not yet sent. */
export interface PlannedCheck {
  /** The official origin the check calls (its first call's), for dry runs and results. */
  host: string;
  /** The calls it makes, e.g. `POST /oauth2/token`. */
  call: string;
  /** Values whose fingerprints key the result cache: the finding's and its partners'. */
  fingerprints: string[];
  run(http: VerifyHttp): Promise<VerifyOutcome>;
}

/** Why a finding cannot be checked, said plainly. */
export interface Unverifiable {
  unverifiable: string;
}

/** What a verifier may look up in the report besides the finding it checks. */
export interface VerifyContext {
  /** The finding's partners of `ruleId` (its `pairedWith`, else every finding of that rule in the report, at most 3). */
  partners(f: SecretFinding, ruleId: string): SecretFinding[];
}

export interface Verifier {
  /** Stable id, e.g. `github-token`. */
  id: string;
  provider: string;
  /** The rules whose findings it checks. */
  ruleIds: readonly string[];
  /** Every call it can make: nothing else is sent. */
  calls: readonly VerifierCall[];
  /** Why these calls change nothing at the provider (docs). */
  readOnly: string;
  plan(f: SecretFinding, ctx: VerifyContext): PlannedCheck | Unverifiable;
}

/** Status and reason helpers shared by verifiers. */
export const live = (reason: string, evidence?: VerificationEvidence): VerifyOutcome => ({ status: 'live', reason, ...(evidence ? { evidence } : {}) });
export const invalid = (reason: string, evidence?: VerificationEvidence): VerifyOutcome => ({ status: 'invalid', reason, ...(evidence ? { evidence } : {}) });

/** The status a verifier could not read as valid or invalid: rate limits, server errors, unexpected answers. */
export function unexpected(res: VerifyResponse, what: string): VerifyOutcome {
  if (res.status === 429) {
    const after = res.headers['retry-after'];
    return { status: 'error', reason: `${what}: rate limited (HTTP 429${typeof after === 'string' ? `, Retry-After ${after.slice(0, 40)}` : ''}) after the retries allowed` };
  }
  if (res.status >= 500) return { status: 'error', reason: `${what}: the provider failed (HTTP ${res.status})` };
  return { status: 'error', reason: `${what}: unexpected answer (HTTP ${res.status})` };
}

/** A short string field of a JSON object, or undefined. */
export function field(obj: unknown, ...path: string[]): unknown {
  let cur = obj;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** A string of evidence, bounded and printable. */
export function ev(v: unknown, max = 200): string | undefined {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') return undefined;
  return v.replace(/[^\x20-\x7e]/g, '?').slice(0, max);
}

/** Evidence without undefined values. */
export function evidence(fields: Record<string, string | number | boolean | string[] | undefined>): VerificationEvidence {
  const out: VerificationEvidence = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return out;
}
