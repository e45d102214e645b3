/**
 * The verification HTTP client: every request goes through the SSRF-safe downloader (src/market/download.ts), only to
 * a call in the verifier's own table, with a per-request timeout, per-provider concurrency and spacing, and
 * `Retry-After` honoured on 429. Endpoints may be replaced for tests and air-gapped mirrors (LEAKDEX_VERIFY_ENDPOINTS).
 */
import { fetchBytes, type FetchOptions } from '../market/download.js';
import type { Verifier, VerifierCall, VerifyHttp, VerifyRequest, VerifyResponse } from './types.js';

/** Longest time one verification request may take, connect to last byte. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** Requests in flight to one provider at once. */
export const DEFAULT_PROVIDER_CONCURRENCY = 2;
/** Least time between two requests to one provider (a polite client; providers rate-limit per key and per address). */
export const DEFAULT_PROVIDER_SPACING_MS = 100;
/** Longest Retry-After waited for; a provider asking for longer makes the check an error (rate limited). */
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;
/** Retries of one request after a 429 or a 5xx. */
export const DEFAULT_RETRIES = 2;
/** Largest answer read: verification reads status, a few fields and never the data a credential opens. */
export const MAX_VERIFY_BODY_BYTES = 1024 * 1024;

/** Problems with LEAKDEX_VERIFY_ENDPOINTS or a call outside a verifier's table. */
export class VerifyConfigError extends Error {
  override name = 'VerifyConfigError';
}

/** A request the client refused or that failed (network, timeout): the check ends as an error. */
export class VerifyRequestError extends Error {
  override name = 'VerifyRequestError';
}

/**
 * LEAKDEX_VERIFY_ENDPOINTS: a JSON object mapping an official origin (`https://api.twitter.com`) to the origin that
 * answers in its place (`http://127.0.0.1:4001`). Replacement hosts are reachable even on loopback: they are the
 * operator's own choice, as LEAKDEX_ALLOW_HOSTS.
 */
export function parseEndpoints(raw: string | undefined): Map<string, URL> {
  const out = new Map<string, URL>();
  if (raw === undefined || raw.trim() === '') return out;
  let obj: unknown;
  try {
    obj = JSON.parse(raw);
  } catch {
    throw new VerifyConfigError('LEAKDEX_VERIFY_ENDPOINTS is not JSON: expected an object such as {"https://api.twitter.com":"http://127.0.0.1:4001"}');
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new VerifyConfigError('LEAKDEX_VERIFY_ENDPOINTS must be a JSON object of official origin -> replacement origin');
  for (const [from, to] of Object.entries(obj as Record<string, unknown>)) {
    const key = originOf(from);
    if (!key || typeof to !== 'string') throw new VerifyConfigError(`LEAKDEX_VERIFY_ENDPOINTS: '${from.slice(0, 100)}' -> must map an https origin to an http(s) origin`);
    let target: URL;
    try {
      target = new URL(to);
    } catch {
      throw new VerifyConfigError(`LEAKDEX_VERIFY_ENDPOINTS: '${String(to).slice(0, 100)}' is not a URL`);
    }
    if ((target.protocol !== 'http:' && target.protocol !== 'https:') || target.username || target.password || (target.pathname !== '/' && target.pathname !== '') || target.search) {
      throw new VerifyConfigError(`LEAKDEX_VERIFY_ENDPOINTS: '${to.slice(0, 100)}' must be a bare http(s) origin`);
    }
    out.set(key, target);
  }
  return out;
}

function originOf(s: string): string | undefined {
  try {
    const u = new URL(s);
    if (u.protocol !== 'https:' || u.pathname.length > 1 || u.search || u.username) return undefined;
    return u.origin;
  } catch {
    return undefined;
  }
}

/** Whether `origin` is the declared one: equal, or the declared `https://*.domain` with one DNS label in place of `*`. */
export function originAllowed(declared: string, origin: string): boolean {
  if (!declared.includes('*')) return declared === origin;
  const [scheme, rest] = declared.split('://') as [string, string];
  const suffix = rest.slice(1); // `.firebaseio.com`
  if (!origin.startsWith(`${scheme}://`)) return false;
  const host = origin.slice(scheme.length + 3);
  if (!host.endsWith(suffix)) return false;
  return /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(host.slice(0, host.length - suffix.length));
}

/** The declared call a request is, or undefined. */
export function matchCall(calls: readonly VerifierCall[], method: string, url: URL): VerifierCall | undefined {
  return calls.find((c) => c.method === method && originAllowed(c.origin, url.origin) && c.path.test(url.pathname));
}

/** Spacing, concurrency and Retry-After gate of one provider. */
export class ProviderLimiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private nextAt = 0;
  constructor(
    readonly concurrency: number,
    readonly spacingMs: number,
  ) {}

  /** Holds every request to this provider until `at` (epoch ms): a Retry-After applies to the provider, not one call. */
  pauseUntil(at: number): void {
    this.nextAt = Math.max(this.nextAt, at);
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      for (;;) {
        const wait = this.nextAt - Date.now();
        if (wait <= 0) break;
        await sleep(wait);
      }
      this.nextAt = Date.now() + this.spacingMs;
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/** A wait that keeps the process alive: `leakdex scan --verify` waiting on a provider's spacing or Retry-After must not exit. */
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Retry-After in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined) return undefined;
  if (/^\s*\d{1,9}\s*$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

export interface VerifyHttpOptions {
  endpoints?: Map<string, URL>;
  timeoutMs?: number;
  retries?: number;
  maxRetryAfterMs?: number;
  /** Extra options of the downloader (a private CA, a resolver), for tests and mirrors. */
  fetch?: Pick<FetchOptions, 'ca' | 'lookup' | 'ports'>;
  /** Called once per request sent (metrics: provider, HTTP status or 0 when none came). */
  onRequest?: (provider: string, status: number) => void;
}

/** The client of one verifier: its calls only, through its provider's limiter. */
export function verifierHttp(v: Verifier, limiter: ProviderLimiter, opts: VerifyHttpOptions): VerifyHttp {
  const endpoints = opts.endpoints ?? new Map<string, URL>();
  return {
    async request(req: VerifyRequest): Promise<VerifyResponse> {
      const official = new URL(req.url);
      const call = matchCall(v.calls, req.method, official);
      if (!call) throw new VerifyConfigError(`${v.id}: ${req.method} ${official.origin}${official.pathname} is not in its table of calls`);
      const replacement = endpoints.get(official.origin);
      const target = new URL(official.href);
      if (replacement) {
        target.protocol = replacement.protocol;
        target.host = replacement.host;
      }
      const fetchOpts: FetchOptions = {
        ...opts.fetch,
        method: req.method,
        headers: { accept: 'application/json', ...(req.headers ?? {}), ...(req.body !== undefined && !hasHeader(req.headers, 'content-type') ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        ...(req.body !== undefined ? { body: Buffer.from(req.body) } : {}),
        maxBytes: MAX_VERIFY_BODY_BYTES,
        followRedirects: false,
        acceptStatus: ALL_STATUSES,
        connectTimeoutMs: opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
        headersTimeoutMs: opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
        idleTimeoutMs: opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
        totalTimeoutMs: opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
        ...(replacement ? { allowHosts: [`${replacement.hostname.replace(/^\[|\]$/g, '').toLowerCase()}:${replacement.port || (replacement.protocol === 'https:' ? 443 : 80)}`] } : {}),
      };
      const retries = opts.retries ?? DEFAULT_RETRIES;
      const maxWait = opts.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
      for (let attempt = 0; ; attempt++) {
        let res: VerifyResponse;
        try {
          res = await limiter.run(async () => {
            const r = await fetchBytes(target.href, fetchOpts);
            return response(r.status, r.headers, r.body);
          });
        } catch (e) {
          opts.onRequest?.(v.provider, 0);
          // The downloader's messages name the host and path only (redactUrl): never a query, header or body.
          throw new VerifyRequestError(`${call.doc} on ${official.origin}: ${e instanceof Error ? e.message : String(e)}`);
        }
        opts.onRequest?.(v.provider, res.status);
        if (attempt >= retries) return res;
        if (res.status === 429) {
          const wait = retryAfterMs(res.headers['retry-after']) ?? 1000 * 2 ** attempt;
          if (wait > maxWait) return res;
          limiter.pauseUntil(Date.now() + wait);
          continue;
        }
        if (res.status >= 500 && res.status !== 501) {
          await sleep(250 * 2 ** attempt);
          continue;
        }
        return res;
      }
    },
  };
}

const ALL_STATUSES: readonly number[] = Array.from({ length: 500 }, (_, i) => i + 100);

function hasHeader(h: Record<string, string> | undefined, name: string): boolean {
  return h !== undefined && Object.keys(h).some((k) => k.toLowerCase() === name);
}

function response(status: number, headers: VerifyResponse['headers'], body: Buffer): VerifyResponse {
  let parsed: { v: unknown } | undefined;
  return {
    status,
    headers,
    body,
    json() {
      if (!parsed) {
        try {
          parsed = { v: JSON.parse(body.toString('utf8')) };
        } catch {
          parsed = { v: undefined };
        }
      }
      return parsed.v;
    },
  };
}
