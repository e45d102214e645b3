/**
 * Egress proxies for the safe downloader (src/market/download.ts): `HTTPS_PROXY` / `https_proxy`, `HTTP_PROXY` /
 * `http_proxy` and `NO_PROXY` / `no_proxy`, read at call time (the lower-case name first, then the upper-case one; an
 * empty value counts as unset), or given as FetchOptions.proxy.
 *
 * - `https:` targets use the https proxy only, `http:` targets the http proxy only (as curl and Go do: an
 *   HTTP_PROXY alone does not carry https traffic).
 * - The proxy URL is `http://[user:password@]host[:port]` (port 80 when absent; a bare `host:port` is read as http).
 *   `https://` proxies (TLS to the proxy itself) are refused with a clear error: the tunnel to an https site is
 *   encrypted end to end anyway, and TLS-in-TLS would need a second handshake this client does not do. Other schemes
 *   (socks5://…) are refused the same way.
 * - Credentials in the proxy URL are percent-decoded and sent as `Proxy-Authorization: Basic …`, to the proxy only
 *   (in the CONNECT request for https targets, never inside the tunnel). No message ever contains them: the proxy is
 *   named `host:port`, and an unparsable proxy URL is not echoed.
 * - https targets: `CONNECT host:port HTTP/1.1` to the proxy, a 2xx is required, then TLS over that socket with the
 *   target's name as SNI and the usual certificate checks (FetchOptions.ca respected). http targets: the request is
 *   sent to the proxy in absolute form (`GET http://host:port/path HTTP/1.1`).
 * - NO_PROXY (see noProxyMatches) bypasses the proxy: those hosts are connected to directly, under the same policy.
 */
import http, { type IncomingMessage } from 'node:http';
import { BlockList, connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

/** What FetchOptions.proxy holds: proxy URLs per target scheme and the NO_PROXY list. */
export interface ProxySettings {
  https?: string;
  http?: string;
  noProxy?: string;
}

/** A parsed proxy: where to connect and what to send; `label` (host:port) is the only form used in messages. */
export interface Proxy {
  host: string;
  port: number;
  label: string;
  /** `Basic …` when the proxy URL carries credentials. */
  authorization?: string;
}

/**
 * A proxy problem: the configuration, the proxy's answer, or the connection to the proxy (`errno`, phrased by the
 * caller). Its message never holds the proxy's credentials.
 */
export class ProxyError extends Error {
  constructor(
    message: string,
    readonly errno?: NodeJS.ErrnoException,
  ) {
    super(message);
    this.name = 'ProxyError';
  }
}

const firstSet = (...values: (string | undefined)[]): string | undefined => values.find((v) => v !== undefined && v.trim() !== '');

/** The proxy settings of an environment (default process.env), read now. */
export function proxySettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ProxySettings {
  return {
    https: firstSet(env.https_proxy, env.HTTPS_PROXY),
    http: firstSet(env.http_proxy, env.HTTP_PROXY),
    noProxy: firstSet(env.no_proxy, env.NO_PROXY),
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Parses a proxy URL; throws ProxyError (naming `variable`, never the URL, which may hold credentials). */
export function parseProxyUrl(raw: string, variable: string): Proxy {
  const text = raw.trim();
  let u: URL;
  try {
    u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    throw new ProxyError(`${variable} is not a valid proxy URL (expected http://[user:password@]host:port)`);
  }
  if (u.protocol === 'https:') throw new ProxyError(`${variable}: https:// proxies are not supported (TLS to the proxy itself); use the proxy's http:// URL, the tunnel to an https site stays encrypted end to end`);
  if (u.protocol !== 'http:') throw new ProxyError(`${variable}: proxy scheme ${u.protocol} is not supported (http:// proxies only)`);
  if (!u.hostname) throw new ProxyError(`${variable} names no proxy host`);
  const port = u.port ? Number(u.port) : 80;
  const proxy: Proxy = { host: u.hostname.replace(/^\[|\]$/g, ''), port, label: `${u.hostname}:${port}` };
  if (u.username || u.password) proxy.authorization = `Basic ${Buffer.from(`${safeDecode(u.username)}:${safeDecode(u.password)}`).toString('base64')}`;
  return proxy;
}

/** A host name or IP literal in one comparable form: lower case, no brackets, no trailing dot, IPv6 compressed. */
function normalHost(host: string): string {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (isIP(h) === 6) {
    try {
      return new URL(`http://[${h}]/`).hostname.replace(/^\[|\]$/g, '');
    } catch {
      return h;
    }
  }
  return h;
}

function inCidr(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/') as [string, string | undefined];
  const family = isIP(net);
  const prefix = Number(bits);
  if (family === 0 || family !== isIP(ip) || !/^\d+$/.test(bits ?? '') || prefix > (family === 4 ? 32 : 128)) return false;
  const list = new BlockList();
  try {
    list.addSubnet(net, prefix, family === 4 ? 'ipv4' : 'ipv6');
  } catch {
    return false;
  }
  return list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Whether `host` (a URL's host name, brackets allowed) at `port` (the effective port, defaults included) is exempt from
 * the proxy under `noProxy`: comma- (or space-) separated entries, case-insensitive, each one of
 * - `*`: no proxy at all;
 * - `example.com`, `.example.com` or `*.example.com`: that name and every subdomain (as curl does);
 * - an IP literal (`10.1.2.3`, `::1`, `[::1]`) or a CIDR block (`10.0.0.0/8`, `fd00::/8`), matched against IP-literal
 *   targets only (names are not resolved for this);
 * - any of these with `:port` (`example.com:8443`, `[::1]:8080`): only that port, where `https://example.com/` is
 *   port 443 and `http://example.com/` port 80.
 */
export function noProxyMatches(host: string, port: number, noProxy: string | undefined): boolean {
  const target = normalHost(host);
  if (!target) return false;
  const targetIp = isIP(target) !== 0;
  for (const raw of (noProxy ?? '').split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    let entryPort: number | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) {
      entry = bracketed[1]!;
      entryPort = bracketed[2] === undefined ? undefined : Number(bracketed[2]);
    } else if (isIP(entry) !== 6 && !entry.includes('/')) {
      const withPort = /^(.*):(\d+)$/.exec(entry);
      if (withPort) {
        entry = withPort[1]!;
        entryPort = Number(withPort[2]);
      }
    }
    if (entryPort !== undefined && entryPort !== port) continue;
    if (entry.includes('/')) {
      if (targetIp && inCidr(target, entry)) return true;
      continue;
    }
    entry = normalHost(entry.replace(/^\*\./, '.'));
    if (isIP(entry) !== 0) {
      if (targetIp && entry === target) return true;
      continue;
    }
    const domain = entry.replace(/^\.+/, '');
    if (domain && (target === domain || target.endsWith(`.${domain}`))) return true;
  }
  return false;
}

/**
 * The proxy to use for `url` (already past the URL policy) at `port`, or undefined for a direct connection: no proxy
 * set for its scheme, settings `false`, or NO_PROXY matches. Throws ProxyError when the proxy URL is unusable.
 */
export function proxyFor(url: URL, port: number, settings: ProxySettings | false): Proxy | undefined {
  if (!settings) return undefined;
  const https = url.protocol === 'https:';
  const raw = https ? settings.https : settings.http;
  if (raw === undefined || raw.trim() === '') return undefined;
  if (noProxyMatches(url.hostname, port, settings.noProxy)) return undefined;
  return parseProxyUrl(raw, https ? 'HTTPS_PROXY' : 'HTTP_PROXY');
}

/** Plain words for the statuses proxies answer CONNECT with. */
const PROXY_STATUSES: Record<number, string> = {
  400: 'bad request',
  403: 'forbidden by the proxy policy',
  404: 'not found',
  405: 'CONNECT not allowed',
  407: 'proxy authentication required: check the user and password in the proxy URL',
  502: 'the proxy could not reach the host',
  503: 'the proxy is unavailable',
  504: 'the proxy timed out reaching the host',
};

/** The refusal of a tunnel or of a proxied request, e.g. `proxy 10.0.0.5:3128 refused CONNECT example.com:443: HTTP 403 (forbidden …)`. */
export function proxyRefusal(proxy: Proxy, what: string, status: number): ProxyError {
  const words = PROXY_STATUSES[status];
  return new ProxyError(`proxy ${proxy.label} refused ${what}: HTTP ${status}${words ? ` (${words})` : ''}`);
}

/** `host:port` for CONNECT and Host (IPv6 in brackets). */
export function authority(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

export interface TunnelTarget {
  /** Host name or IP literal, without brackets. */
  host: string;
  port: number;
  /** Run TLS over the tunnel (https targets) with these checks; absent: hand over the raw socket to the proxy. */
  tls?: { ca?: string | Buffer };
}

/**
 * Connects to the proxy for `target`: for TLS targets a CONNECT tunnel then the TLS handshake (SNI = the target's name,
 * certificate verified against it); otherwise the TCP connection to the proxy itself. `cb` gets the ready socket, a
 * ProxyError (proxy unreachable, CONNECT refused) or the TLS error of the target. The handle's `destroy` aborts it.
 */
export function connectViaProxy(proxy: Proxy, target: TunnelTarget, cb: (err: Error | null, socket?: Socket) => void): { destroy: () => void } {
  let done = false;
  const finish = (err: Error | null, socket?: Socket) => {
    if (done) return void socket?.destroy();
    done = true;
    cb(err, socket);
  };
  const unreachable = (e: NodeJS.ErrnoException) => finish(new ProxyError(`proxy ${proxy.label}`, e));
  if (!target.tls) {
    const socket = netConnect({ host: proxy.host, port: proxy.port });
    // kept after the handover too: the request's own listener reports later errors, this one ignores them (done)
    socket.on('error', unreachable);
    socket.once('connect', () => finish(null, socket));
    return { destroy: () => ((done = true), socket.destroy()) };
  }
  const where = authority(target.host, target.port);
  const tlsOptions = target.tls;
  let secure: TLSSocket | undefined;
  const req = http.request({
    host: proxy.host,
    port: proxy.port,
    method: 'CONNECT',
    path: where,
    headers: { host: where, ...(proxy.authorization ? { 'proxy-authorization': proxy.authorization } : {}) },
    agent: false,
  });
  req.on('connect', (res: IncomingMessage, socket: Socket, head: Buffer) => {
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      socket.destroy();
      return finish(proxyRefusal(proxy, `CONNECT ${where}`, status));
    }
    if (done) return void socket.destroy();
    if (head.length > 0) socket.unshift(head);
    secure = tlsConnect({ socket, host: target.host, servername: isIP(target.host) ? undefined : target.host, ...(tlsOptions.ca ? { ca: tlsOptions.ca } : {}) });
    secure.on('error', (e) => finish(e));
    secure.once('secureConnect', () => finish(null, secure));
    secure.once('close', () => socket.destroy());
  });
  req.on('error', unreachable);
  req.end();
  return {
    destroy: () => {
      done = true;
      req.destroy();
      secure?.destroy();
    },
  };
}
