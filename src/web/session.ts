/**
 * Dashboard sessions: an API key typed into the sign-in form is exchanged for a random session id in an HttpOnly,
 * SameSite=Strict cookie (`__Host-` prefixed and Secure over https). Only the SHA-256 of the id is stored, with the
 * tenant, the key it came from (revoking the key ends its sessions), a per-session anti-CSRF token and the expiry:
 * idle for SESSION_IDLE_MS or older than SESSION_MAX_MS ends it. A sign-in always makes a new id (a cookie set before
 * it, by anyone, is never promoted: no session fixation); a sign-out deletes the row.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthContext } from '../service/auth.js';
import { authenticate } from '../service/auth.js';
import type { Store, WebSession } from '../store/types.js';

/** A session ends after this long without a request, and after SESSION_MAX_MS in any case. */
export const SESSION_IDLE_MS = 8 * 3600_000;
export const SESSION_MAX_MS = 24 * 3600_000;
/** The session's last-seen time is written at most this often (not on every page). */
const TOUCH_EVERY_MS = 60_000;

const COOKIE_PLAIN = 'leakdex_session';
const COOKIE_SECURE = '__Host-leakdex_session';

export interface WebCaller extends AuthContext {
  session: WebSession;
}

const hashId = (id: string) => createHash('sha256').update(id).digest('hex');

/** Cookies of a request (the last of a repeated name wins, as browsers send the most specific first). */
export function readCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    if (!out.has(name)) out.set(name, part.slice(i + 1).trim());
  }
  return out;
}

const isHttps = (request: FastifyRequest) => request.protocol === 'https';
const cookieName = (request: FastifyRequest) => (isHttps(request) ? COOKIE_SECURE : COOKIE_PLAIN);

function setCookie(reply: FastifyReply, request: FastifyRequest, value: string, maxAgeS: number): void {
  const attrs = [`${cookieName(request)}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAgeS}`];
  if (isHttps(request)) attrs.push('Secure');
  reply.header('set-cookie', attrs.join('; '));
}

/** Signs in with an API key: a new session (never one the browser brought), its cookie set. Undefined when the key is refused. */
export async function signIn(store: Store, request: FastifyRequest, reply: FastifyReply, key: string, now = Date.now()): Promise<WebSession | undefined> {
  const auth = await authenticate(store, key.trim());
  if (!auth) return undefined;
  const old = readCookies(request.headers.cookie).get(cookieName(request));
  if (old) await store.sessions.remove(hashId(old));
  const id = randomBytes(32).toString('base64url');
  const session: WebSession = { idHash: hashId(id), tenantId: auth.tenantId, keyId: auth.keyId, csrf: randomBytes(24).toString('base64url'), reveal: false, createdAt: now, lastSeenAt: now, expiresAt: now + SESSION_IDLE_MS };
  await store.sessions.insert(session);
  await store.sessions.purge(now);
  setCookie(reply, request, id, SESSION_MAX_MS / 1000);
  return session;
}

/** Ends the request's session (row deleted, cookie cleared). */
export async function signOut(store: Store, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const id = readCookies(request.headers.cookie).get(cookieName(request));
  if (id) await store.sessions.remove(hashId(id));
  setCookie(reply, request, '', 0);
}

/** The signed-in caller, or undefined: no cookie, an unknown or expired session, or a revoked key. */
export async function sessionCaller(store: Store, request: FastifyRequest, now = Date.now()): Promise<WebCaller | undefined> {
  const id = readCookies(request.headers.cookie).get(cookieName(request));
  if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
  const s = await store.sessions.get(hashId(id));
  if (!s) return undefined;
  if (s.expiresAt <= now || s.createdAt + SESSION_MAX_MS <= now) {
    await store.sessions.remove(s.idHash);
    return undefined;
  }
  const key = await store.getApiKey(s.keyId);
  if (!key || key.revokedAt !== null || key.tenantId !== s.tenantId) {
    await store.sessions.remove(s.idHash);
    return undefined;
  }
  if (now - s.lastSeenAt > TOUCH_EVERY_MS) await store.sessions.touch(s.idHash, now, Math.min(now + SESSION_IDLE_MS, s.createdAt + SESSION_MAX_MS));
  return { keyId: key.id, tenantId: key.tenantId, tenantName: key.tenantName, scopes: key.scopes, session: s };
}

/** True when `token` is the session's anti-CSRF token (constant time). */
export function csrfValid(session: WebSession, token: unknown): boolean {
  if (typeof token !== 'string') return false;
  const a = Buffer.from(token);
  const b = Buffer.from(session.csrf);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A state-changing request must come from this origin: the Origin header (or, without one, Referer) must name the
 * host the request was sent to. Browsers send Origin on every cross-site POST.
 */
export function sameOrigin(request: FastifyRequest): boolean {
  const from = request.headers.origin ?? request.headers.referer;
  if (typeof from !== 'string') return false;
  try {
    return new URL(from).host === request.headers.host;
  } catch {
    return false;
  }
}
