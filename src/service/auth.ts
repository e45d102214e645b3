import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Scope, Store } from '../store/types.js';
import { SCOPES } from '../store/types.js';

/** Prefix of every leakdex API key (helps secret scanners, including leakdex, recognise one). */
export const KEY_PREFIX = 'ldx';
const TOKEN = /^ldx_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/** Who is calling: resolved from `Authorization: Bearer KEY`. */
export interface AuthContext {
  keyId: string;
  tenantId: string;
  tenantName: string;
  scopes: Scope[];
  /** Set when a signed report link, not an API key, authenticated the request. */
  viaLink?: boolean;
}

/** Lower-hex SHA-256 of a key's secret part: keys carry 256 random bits, so a fast hash is enough. */
export function hashKeySecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Parses `ldx_<id>_<secret>`. */
export function parseApiKey(token: string): { id: string; secret: string } | undefined {
  const m = TOKEN.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

/** Parses a comma-separated scope list; throws on an unknown scope or an empty list. */
export function parseScopes(list: string): Scope[] {
  const scopes = [...new Set(list.split(',').map((s) => s.trim()).filter(Boolean))];
  for (const s of scopes) if (!SCOPES.includes(s as Scope)) throw new Error(`unknown scope '${s}' (use ${SCOPES.join(', ')})`);
  if (scopes.length === 0) throw new Error('no scope given');
  return scopes as Scope[];
}

/** Creates a key for `tenant` (created when new); the returned token is the only time the key exists in clear. */
export async function createApiKey(store: Store, tenant: string, scopes: Scope[], name: string | null = null): Promise<{ token: string; id: string; tenantId: string }> {
  const t = await store.ensureTenant(tenant);
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  await store.createApiKey({ id, tenantId: t.id, name, hash: hashKeySecret(secret), scopes, createdAt: Date.now() });
  return { token: `${KEY_PREFIX}_${id}_${secret}`, id, tenantId: t.id };
}

/** Resolves a bearer token to its tenant and scopes; undefined when unknown, revoked or wrong. */
export async function authenticate(store: Store, token: string): Promise<AuthContext | undefined> {
  const parsed = parseApiKey(token);
  if (!parsed) return undefined;
  const key = await store.getApiKey(parsed.id);
  if (!key || key.revokedAt !== null) return undefined;
  const given = Buffer.from(hashKeySecret(parsed.secret), 'hex');
  const stored = Buffer.from(key.hash, 'hex');
  if (given.length !== stored.length || !timingSafeEqual(given, stored)) return undefined;
  return { keyId: key.id, tenantId: key.tenantId, tenantName: key.tenantName, scopes: key.scopes };
}

/** True when the key grants `scope` (admin grants everything). */
export function hasScope(auth: AuthContext, scope: Scope): boolean {
  return auth.scopes.includes(scope) || auth.scopes.includes('admin');
}
