/**
 * The one safe downloader for every URL a user can influence (docs/marketplaces-usage.md).
 *
 * - URL policy before any socket: https only (http only for LEAKDEX_ALLOW_HOSTS entries), no credentials, allowed
 *   ports, host-name deny list, literal IPs classified at once (the WHATWG parser has already normalised
 *   `2130706433`, `0x7f.1`, `[::ffff:127.0.0.1]` to their canonical form).
 * - Connect-time check: a guarded `lookup` validates every address a host name resolves to, the address that is
 *   then connected to (DNS rebinding cannot slip between check and connect); a single bad address refuses.
 * - Redirects followed by hand, re-validated hop by hop, at most MAX_REDIRECTS, no https -> http, credentials dropped
 *   across origins.
 * - Connect / header / idle-body / total timeouts; byte cap while streaming; `accept-encoding: identity`; sha256
 *   while streaming and compared with the published one; content sniffed.
 * - Egress proxies (src/market/proxy.ts): HTTPS_PROXY / HTTP_PROXY / NO_PROXY, read at call time, or
 *   FetchOptions.proxy. The URL policy runs first, unchanged, for every hop. Through a proxy the target's name is still
 *   resolved here with the guarded lookup and a refused address still refuses, before any byte reaches the proxy; a
 *   name that does not resolve locally (any lookup error) is left to the proxy, since enterprise networks often
 *   resolve external names only there. The proxy then resolves the name itself: what it connects to is its own
 *   resolution (and its own network's policy), so the local check is a best-effort guard against names that plainly
 *   point inside, not the connect-time guarantee of a direct connection. Hosts in allowHosts go through the proxy too
 *   unless NO_PROXY names them. The connect timeout covers the local lookup, the proxy connection, CONNECT and TLS.
 */
import { sniff } from '../../decoders/sniff.js';
import { createHash } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type Socket } from 'node:net';
import { connectViaProxy, proxyFor, ProxyError, proxyRefusal, proxySettingsFromEnv, type Proxy, type ProxySettings } from './proxy.js';

export { noProxyMatches, parseProxyUrl, proxySettingsFromEnv, type ProxySettings } from './proxy.js';

/** Most redirects followed for one download. */
export const MAX_REDIRECTS = 5;
/** Default byte cap of an app download. */
export const DEFAULT_MAX_BYTES = 1024 * 1024 * 1024;
/** Default byte cap of an index, manifest or API answer read into memory. */
export const DEFAULT_MAX_DOC_BYTES = 64 * 1024 * 1024;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_HEADERS_TIMEOUT_MS = 30_000;
/** Longest silence while the body streams. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
/** Whole transfer, redirects included. */
export const DEFAULT_TOTAL_TIMEOUT_MS = 15 * 60_000;
/** Ports allowed without an explicit allowance. */
export const DEFAULT_PORTS: readonly number[] = [443, 80];

/** Why a URL was refused before any traffic (`policy`) or before the TCP connect (`connect`). */
export class DownloadRefused extends Error {
  constructor(
    readonly reason: string,
    readonly phase: 'policy' | 'connect',
    readonly url: string,
  ) {
    super(`refused ${redactUrl(url)}: ${reason}`);
    this.name = 'DownloadRefused';
  }
}

export type DownloadFailureCode = 'http_status' | 'too_large' | 'timeout' | 'network' | 'sha256_mismatch' | 'not_an_app' | 'redirects';

/** What the errors met while connecting mean, said plainly; the code follows in parentheses. */
const NETWORK_FAILURES: Record<string, string> = {
  ENOTFOUND: 'the host name does not resolve (no such host)',
  EAI_AGAIN: 'the host name could not be resolved now (DNS did not answer)',
  EAI_NODATA: 'the host name has no address',
  ECONNREFUSED: 'the host refused the connection (nothing listens on that port)',
  ECONNRESET: 'the host closed the connection',
  EPIPE: 'the host closed the connection',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'its TLS certificate chain is not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate is not trusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its TLS certificate is for another host name',
};

/** A connection error as one plain phrase, e.g. `the host refused the connection (... ) (ECONNREFUSED)`. */
export function networkFailure(e: NodeJS.ErrnoException): string {
  const plain = e.code ? NETWORK_FAILURES[e.code] : undefined;
  if (plain) return `${plain} (${e.code})`;
  return e.code ? `the connection failed (${e.code})` : e.message;
}

/** A download that was allowed but failed. */
export class DownloadFailed extends Error {
  constructor(
    readonly code: DownloadFailureCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'DownloadFailed';
  }
}

export type LookupFn = (hostname: string, options: LookupAllOptions, cb: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

export interface FetchOptions {
  /** Extra request headers; `authorization` and `cookie` are dropped when a redirect leaves the origin. */
  headers?: Record<string, string>;
  /** Byte cap (default DEFAULT_MAX_DOC_BYTES for fetchBytes, DEFAULT_MAX_BYTES for downloadToFile). */
  maxBytes?: number;
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  idleTimeoutMs?: number;
  totalTimeoutMs?: number;
  /** `host:port` entries reachable despite the address policy, over http too (default: LEAKDEX_ALLOW_HOSTS). */
  allowHosts?: readonly string[];
  /** Ports allowed for other hosts (default 443 and 80). */
  ports?: readonly number[];
  /** Expected sha256 (hex) of the body: a mismatch fails the download. */
  sha256?: string;
  /** Extra CA certificates (a private mirror's). */
  ca?: string | Buffer;
  /** DNS resolver (default dns.lookup); every address it returns is checked. */
  lookup?: LookupFn;
  /** POST `body` instead of GET (webhooks); redirects are then not followed. */
  method?: 'GET' | 'POST' | 'HEAD';
  body?: Buffer;
  /** Follow redirects (default true; never for POST). Verification calls set false: a credential stays with its host. */
  followRedirects?: boolean;
  /** Statuses returned instead of failing (e.g. 304 for ETag checks). */
  acceptStatus?: readonly number[];
  signal?: AbortSignal;
  /**
   * Egress proxy: URLs for https and http targets and the NO_PROXY list (default: HTTPS_PROXY / HTTP_PROXY / NO_PROXY
   * and their lower-case forms, read at call time); `false` connects directly.
   */
  proxy?: ProxySettings | false;
}

export interface FetchResult {
  status: number;
  url: string;
  headers: IncomingMessage['headers'];
  size: number;
  sha256: string;
}

/** `host:port` allowances from LEAKDEX_ALLOW_HOSTS (comma-separated). */
export function allowHostsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.LEAKDEX_ALLOW_HOSTS ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
}

/** The URL without credentials, query or fragment, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}

// ---- address classification -------------------------------------------------------------------------------

const V4_NON_GLOBAL: [string, number, string][] = [
  ['0.0.0.0', 8, 'this-network'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, '6to4 relay'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];
const V6_NON_GLOBAL: [string, number, string][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['64:ff9b::', 96, 'NAT64'],
  ['64:ff9b:1::', 48, 'NAT64'],
  ['100::', 64, 'discard-only'],
  ['2001::', 23, 'IETF protocol assignments'],
  ['2001:db8::', 32, 'documentation'],
  ['2002::', 16, '6to4'],
  ['fc00::', 7, 'unique-local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
];
/** Cloud metadata and platform endpoints: refused even for allowed hosts. */
export const DENY_ADDRESSES: readonly string[] = ['169.254.169.254', '168.63.129.16', '100.100.100.200', 'fd00:ec2::254'];

function blockList(rows: [string, number, string][], type: 'ipv4' | 'ipv6'): { list: BlockList; label: (a: string) => string | undefined } {
  const lists = rows.map(([net, prefix, label]) => {
    const l = new BlockList();
    l.addSubnet(net, prefix, type);
    return { l, label };
  });
  const all = new BlockList();
  for (const [net, prefix] of rows) all.addSubnet(net, prefix, type);
  return { list: all, label: (a) => lists.find((x) => x.l.check(a, type))?.label };
}
const V4 = blockList(V4_NON_GLOBAL, 'ipv4');
const V6 = blockList(V6_NON_GLOBAL, 'ipv6');
const GLOBAL_V6 = new BlockList();
GLOBAL_V6.addSubnet('2000::', 3, 'ipv6');

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:7f00:1` or `::ffff:127.0.0.1`), if it is one. */
function mappedV4(addr: string): string | undefined {
  const m = /^(?:0{0,4}:){0,5}:?ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(addr);
  if (!m) return undefined;
  if (m[1]) return m[1];
  const hi = parseInt(m[2]!, 16);
  const lo = parseInt(m[3]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Why `addr` (an IP literal) may not be contacted, or undefined when it is global unicast and not denied. */
export function addressRefusal(addr: string): string | undefined {
  const a = addr.replace(/^\[|\]$/g, '').toLowerCase();
  const v = isIP(a);
  if (v === 0) return `'${a}' is not an IP address`;
  if (DENY_ADDRESSES.includes(a)) return `${a} is a cloud metadata address (deny list)`;
  if (v === 4) {
    const label = V4.label(a);
    return label ? `${a} is a ${label} address, not global unicast` : undefined;
  }
  const v4 = mappedV4(a);
  if (v4 !== undefined) {
    const inner = addressRefusal(v4);
    return `${a} is an IPv4-mapped IPv6 address${inner ? ` (${inner})` : ''}; refused`;
  }
  const label = V6.label(a);
  if (label) return `${a} is a ${label} address, not global unicast`;
  if (!GLOBAL_V6.check(a, 'ipv6')) return `${a} is not a global unicast address`;
  return undefined;
}

/** Host names refused by name, before any resolution. */
function hostnameRefusal(host: string): string | undefined {
  if (host === 'localhost' || host.endsWith('.localhost')) return `${host} is a loopback name`;
  if (host === 'metadata.google.internal' || host.endsWith('.internal') || host === 'metadata') return `${host} is an internal/metadata name`;
  if (!host.includes('.')) return `${host} is a single-label (intranet) name`;
  return undefined;
}

// ---- URL policy ---------------------------------------------------------------------------------------------

interface Checked {
  url: URL;
  /** The host:port is in the explicit allowance. */
  allowed: boolean;
}

function effectivePort(u: URL): number {
  return u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
}

/** Applies the URL policy; throws DownloadRefused (phase 'policy'). */
export function checkUrl(input: string | URL, opts: Pick<FetchOptions, 'allowHosts' | 'ports'> = {}): Checked {
  const raw = String(input);
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new DownloadRefused('not a valid absolute URL', 'policy', raw);
  }
  const refuse = (why: string): never => {
    throw new DownloadRefused(why, 'policy', raw);
  };
  if (u.protocol !== 'https:' && u.protocol !== 'http:') refuse(`scheme ${u.protocol} is not allowed (https only)`);
  if (u.username || u.password) refuse('credentials in the URL are not allowed');
  const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = effectivePort(u);
  const allowHosts = opts.allowHosts ?? allowHostsFromEnv();
  const allowed = allowHosts.includes(`${host}:${port}`) || allowHosts.includes(`${u.hostname.toLowerCase()}:${port}`);
  if (isIP(host) && DENY_ADDRESSES.includes(host)) refuse(`${host} is a cloud metadata address (deny list)`);
  if (allowed) return { url: u, allowed };
  if (u.protocol === 'http:') refuse('plain http is not allowed (https only; LEAKDEX_ALLOW_HOSTS admits a private mirror)');
  const ports = opts.ports ?? DEFAULT_PORTS;
  if (!ports.includes(port)) refuse(`port ${port} is not allowed`);
  if (isIP(host)) {
    const why = addressRefusal(host);
    if (why) refuse(why);
  } else {
    const why = hostnameRefusal(host);
    if (why) refuse(why);
  }
  return { url: u, allowed };
}

/** A dns.lookup replacement that refuses when any resolved address is refused; answers both lookup forms. */
function guardedLookup(resolve: LookupFn, allowed: boolean, url: string, onRefused: (e: DownloadRefused) => void) {
  return (hostname: string, options: { all?: boolean; family?: number } | number, cb: (...args: unknown[]) => void): void => {
    const o = typeof options === 'number' ? { family: options } : (options ?? {});
    resolve(hostname, { ...(o as object), all: true } as LookupAllOptions, (err, list) => {
      if (err) return cb(err);
      if (!list || list.length === 0) return cb(Object.assign(new Error(`${hostname} did not resolve`), { code: 'ENOTFOUND' }));
      for (const { address } of list) {
        const why = DENY_ADDRESSES.includes(address.toLowerCase()) ? `${address} is a cloud metadata address (deny list)` : allowed ? undefined : addressRefusal(address);
        if (why) {
          const e = new DownloadRefused(`${hostname} resolves to ${why}`, 'connect', url);
          onRefused(e);
          return cb(e);
        }
      }
      if (o.all) cb(null, list);
      else cb(null, list[0]!.address, list[0]!.family);
    });
  };
}

// ---- one hop ------------------------------------------------------------------------------------------------

interface Hop {
  res: IncomingMessage;
  abort: (e: Error) => void;
}

function requestOnce(checked: Checked, headers: Record<string, string>, opts: FetchOptions, deadline: number, proxies: ProxySettings | false): Promise<Hop> {
  const u = checked.url;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = effectivePort(u);
  let via: Proxy | undefined;
  try {
    via = proxyFor(u, port, proxies);
  } catch (e) {
    return Promise.reject(e instanceof ProxyError ? new DownloadFailed('network', e.message) : e);
  }
  const proxy = via;
  return new Promise<Hop>((resolvePromise, reject) => {
    let refused: DownloadRefused | undefined;
    let settled = false;
    let tunnel: { destroy: () => void } | undefined;
    const lookup = guardedLookup(opts.lookup ?? (dnsLookup as unknown as LookupFn), checked.allowed, u.href, (e) => (refused = e));
    const sent = { 'user-agent': 'leakdex', accept: '*/*', ...headers, 'accept-encoding': 'identity', ...(opts.body ? { 'content-length': String(opts.body.length) } : {}) };
    const fail = (e: Error) => {
      settled = true;
      clearTimeout(headerTimer);
      clearTimeout(connectTimer);
      tunnel?.destroy();
      reject(e);
    };
    const onResponse = (res: IncomingMessage) => {
      clearTimeout(headerTimer);
      settled = true;
      if (proxy && u.protocol === 'http:' && res.statusCode === 407) {
        res.resume();
        req.destroy();
        return reject(new DownloadFailed('network', `${u.host}: ${proxyRefusal(proxy, `GET ${redactUrl(u.href)}`, 407).message}`));
      }
      resolvePromise({ res, abort: (e) => req.destroy(e) });
    };
    let req: http.ClientRequest;
    if (!proxy) {
      const mod = u.protocol === 'https:' ? https : http;
      req = mod.request(
        {
          protocol: u.protocol,
          hostname: host,
          port,
          path: `${u.pathname}${u.search}`,
          method: opts.method ?? 'GET',
          headers: sent,
          agent: false,
          lookup: lookup as never,
          ...(opts.ca ? { ca: opts.ca } : {}),
          servername: isIP(host) ? undefined : u.hostname,
        },
        onResponse,
      );
      req.on('socket', (s: Socket) => {
        s.once(u.protocol === 'https:' ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer));
      });
    } else {
      // Through the proxy: the name is checked here first (a refusal never reaches the proxy; a name that does not
      // resolve locally is left to the proxy), then a CONNECT tunnel + TLS (https) or the proxy's own socket with the
      // request in absolute form (http). No agent: one connection per request, as for direct ones.
      const tunnelTo = (cb: (err: Error | null, socket?: Socket) => void) => {
        if (settled) return;
        tunnel = connectViaProxy(proxy, { host, port, ...(u.protocol === 'https:' ? { tls: { ca: opts.ca } } : {}) }, (err, socket) => {
          if (!err) clearTimeout(connectTimer);
          cb(err, socket);
        });
      };
      req = http.request(
        {
          host,
          port,
          path: u.protocol === 'https:' ? `${u.pathname}${u.search}` : `${u.protocol}//${u.host}${u.pathname}${u.search}`,
          method: opts.method ?? 'GET',
          headers: { ...sent, host: u.host, ...(u.protocol === 'http:' && proxy.authorization ? { 'proxy-authorization': proxy.authorization } : {}) },
          createConnection: ((_o: unknown, cb: (err: Error | null, socket?: Socket) => void) => {
            if (isIP(host)) tunnelTo(cb);
            else lookup(host, { all: true }, (err) => (err instanceof DownloadRefused ? cb(err) : tunnelTo(cb)));
            return undefined;
          }) as never,
        },
        onResponse,
      );
    }
    // Before it has a socket (a proxy tunnel still opening) a request destroyed emits no error: fail it here.
    const stop = (e: Error) => {
      const attached = req.socket !== null && req.socket !== undefined;
      req.destroy(e);
      if (!attached) fail(e);
    };
    const connectTimer = setTimeout(() => stop(new DownloadFailed('timeout', `connecting to ${u.host}${proxy ? ` via proxy ${proxy.label}` : ''} timed out`)), Math.min(opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, Math.max(1, deadline - Date.now())));
    const headerTimer = setTimeout(() => stop(new DownloadFailed('timeout', `${u.host} sent no response headers in time`)), Math.min(opts.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS, Math.max(1, deadline - Date.now())));
    req.on('error', (e) => {
      if (refused) return fail(refused);
      if (e instanceof DownloadRefused || e instanceof DownloadFailed) return fail(e);
      if (e instanceof ProxyError) return fail(new DownloadFailed('network', `${u.host}: ${e.message}${e.errno ? `: ${networkFailure(e.errno)}` : ''}`));
      fail(new DownloadFailed('network', `${u.host}${proxy ? ` (via proxy ${proxy.label})` : ''}: ${networkFailure(e as NodeJS.ErrnoException)}`));
    });
    req.end(opts.body);
  });
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Follows redirects under the policy; resolves with the final response (its body not yet read). */
async function open(url: string, opts: FetchOptions): Promise<{ hop: Hop; url: URL; deadline: number }> {
  const deadline = Date.now() + (opts.totalTimeoutMs ?? DEFAULT_TOTAL_TIMEOUT_MS);
  let headers = { ...(opts.headers ?? {}) };
  let checked = checkUrl(url, opts);
  const proxies = opts.proxy === false ? false : (opts.proxy ?? proxySettingsFromEnv());
  const origin0 = checked.url.origin;
  for (let hops = 0; ; hops++) {
    if (opts.signal?.aborted) throw new DownloadFailed('timeout', 'aborted');
    const hop = await requestOnce(checked, headers, opts, deadline, proxies);
    const status = hop.res.statusCode ?? 0;
    if (!REDIRECTS.has(status) || opts.method === 'POST' || opts.followRedirects === false) return { hop, url: checked.url, deadline };
    hop.res.resume();
    hop.abort(new Error('redirect'));
    const loc = hop.res.headers.location;
    if (!loc) throw new DownloadFailed('http_status', `${redactUrl(checked.url.href)}: redirect ${status} without a location`, status);
    if (hops + 1 > MAX_REDIRECTS) throw new DownloadFailed('redirects', `more than ${MAX_REDIRECTS} redirects`);
    let next: URL;
    try {
      next = new URL(loc, checked.url);
    } catch {
      throw new DownloadRefused('redirect to an invalid URL', 'policy', checked.url.href);
    }
    if (checked.url.protocol === 'https:' && next.protocol !== 'https:') throw new DownloadRefused(`redirect from https to ${next.protocol} (downgrade)`, 'policy', next.href);
    const nextChecked = checkUrl(next.href, opts);
    if (nextChecked.url.origin !== checked.url.origin || nextChecked.url.origin !== origin0) {
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !['authorization', 'cookie', 'proxy-authorization'].includes(k.toLowerCase())));
    }
    checked = nextChecked;
  }
}

/** Streams the body of `res` into `sink` with the byte cap, timeouts and hashing. */
function consume(hop: Hop, url: URL, opts: FetchOptions, deadline: number, maxBytes: number, sink: (chunk: Buffer) => void): Promise<{ size: number; sha256: string }> {
  const { res } = hop;
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes && opts.method !== 'HEAD') {
    hop.abort(new Error('too large'));
    return Promise.reject(new DownloadFailed('too_large', `${redactUrl(url.href)} declares ${declared} bytes, over the limit of ${maxBytes}`));
  }
  const hash = createHash('sha256');
  let size = 0;
  return new Promise((resolve, reject) => {
    let finished = false;
    const idleMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    let idle = setTimeout(() => stop(new DownloadFailed('timeout', `${url.host} stalled for ${idleMs} ms`)), idleMs);
    const total = setTimeout(() => stop(new DownloadFailed('timeout', `${url.host}: the transfer exceeded its time limit`)), Math.max(1, deadline - Date.now()));
    const onAbort = () => stop(new DownloadFailed('timeout', 'aborted'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const stop = (e?: Error) => {
      if (finished) return;
      finished = true;
      clearTimeout(idle);
      clearTimeout(total);
      opts.signal?.removeEventListener('abort', onAbort);
      if (e) {
        hop.abort(e);
        res.destroy();
        reject(e);
      } else resolve({ size, sha256: hash.digest('hex') });
    };
    res.on('data', (chunk: Buffer) => {
      if (finished) return;
      size += chunk.length;
      if (size > maxBytes) return stop(new DownloadFailed('too_large', `${redactUrl(url.href)} sent more than the limit of ${maxBytes} bytes`));
      clearTimeout(idle);
      idle = setTimeout(() => stop(new DownloadFailed('timeout', `${url.host} stalled for ${idleMs} ms`)), idleMs);
      hash.update(chunk);
      try {
        sink(chunk);
      } catch (e) {
        stop(e as Error);
      }
    });
    res.on('end', () => {
      if (Number.isFinite(declared) && size !== declared && opts.method !== 'HEAD') return stop(new DownloadFailed('network', `${url.host}: body ended after ${size} of ${declared} bytes`));
      stop();
    });
    res.on('aborted', () => stop(new DownloadFailed('network', `${url.host}: connection closed mid-body`)));
    res.on('error', (e) => stop(e instanceof DownloadFailed ? e : new DownloadFailed('network', `${url.host}: ${e.message}`)));
  });
}

function checkStatus(status: number, url: URL, opts: FetchOptions): void {
  if (status >= 200 && status < 300) return;
  if (opts.acceptStatus?.includes(status)) return;
  throw new DownloadFailed('http_status', `${redactUrl(url.href)} answered HTTP ${status}`, status);
}

function checkSha(expected: string | undefined, got: string, url: URL): void {
  if (expected && expected.toLowerCase() !== got) {
    throw new DownloadFailed('sha256_mismatch', `${redactUrl(url.href)}: sha256 ${got.slice(0, 16)}… does not match the published ${expected.toLowerCase().slice(0, 16)}…`);
  }
}

/** Reads a (small) document into memory: indexes, manifests, API answers. */
export async function fetchBytes(url: string, opts: FetchOptions = {}): Promise<FetchResult & { body: Buffer }> {
  const { hop, url: final, deadline } = await open(url, opts);
  const status = hop.res.statusCode ?? 0;
  try {
    checkStatus(status, final, opts);
  } catch (e) {
    hop.res.resume();
    hop.abort(e as Error);
    throw e;
  }
  const chunks: Buffer[] = [];
  const { size, sha256 } = await consume(hop, final, opts, deadline, opts.maxBytes ?? DEFAULT_MAX_DOC_BYTES, (c) => chunks.push(c));
  if (status >= 200 && status < 300) checkSha(opts.sha256, sha256, final);
  return { status, url: final.href, headers: hop.res.headers, size, sha256, body: Buffer.concat(chunks) };
}

/** The refusal of a body that is not a ZIP, whatever the URL's path says: every app leakdex reads is one. */
function notAnApp(url: URL, contentType: string | undefined): DownloadFailed {
  const served = contentType ? `it served ${contentType.split(';')[0]!.trim().slice(0, 100)}, ` : '';
  return new DownloadFailed('not_an_app', `${redactUrl(url.href)} is not an app (${served}not a ZIP archive): leakdex reads APK, AAB, IPA, XAPK, APKS, APKM and zipped .app files`);
}

/**
 * Streams `url` to `dest` (created exclusively, mode 0600); removes it on any failure. The body must be a ZIP (every app
 * is one): a body that starts otherwise is refused at its first bytes. What app it is, is decided by the caller from the
 * file's content (src/pipeline/artifact.ts), never from the URL.
 */
export async function downloadToFile(url: string, dest: string, opts: FetchOptions = {}): Promise<FetchResult> {
  const { hop, url: final, deadline } = await open(url, opts);
  const status = hop.res.statusCode ?? 0;
  try {
    checkStatus(status, final, { ...opts, acceptStatus: [] });
  } catch (e) {
    hop.res.resume();
    hop.abort(e as Error);
    throw e;
  }
  let out: WriteStream | undefined;
  let head = Buffer.alloc(0);
  try {
    out = createWriteStream(dest, { flags: 'wx', mode: 0o600 });
    const ws = out;
    const wsError = new Promise<never>((_r, reject) => ws.on('error', reject));
    const { size, sha256 } = await Promise.race([
      consume(hop, final, opts, deadline, opts.maxBytes ?? DEFAULT_MAX_BYTES, (c) => {
        if (head.length < 4) head = Buffer.concat([head, c.subarray(0, 4 - head.length)]);
        if (head.length >= 4 && sniff(head) !== 'zip') throw notAnApp(final, hop.res.headers['content-type']);
        if (!ws.write(c)) {
          hop.res.pause();
          ws.once('drain', () => hop.res.resume());
        }
      }),
      wsError,
    ]);
    if (sniff(head) !== 'zip') throw notAnApp(final, hop.res.headers['content-type']);
    checkSha(opts.sha256, sha256, final);
    await new Promise<void>((resolve, reject) => ws.end((e?: Error | null) => (e ? reject(e) : resolve())));
    return { status, url: final.href, headers: hop.res.headers, size, sha256 };
  } catch (e) {
    // The stream opens its file asynchronously: a failure that comes first (a declared size over the cap) must wait
    // for it to open and close, or the file would appear after it was removed.
    if (out !== undefined && !out.closed) {
      const ws = out;
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.destroy();
      });
    }
    await rm(dest, { force: true });
    throw e;
  }
}
