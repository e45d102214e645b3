import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** Life of a signed report link when the caller names none, seconds: long enough to open it, short if it leaks. */
export const DEFAULT_LINK_TTL_S = 15 * 60;
/** Longest life a signed report link may be given, seconds. */
export const MAX_LINK_TTL_S = 24 * 60 * 60;
/** The key id a request authenticated by a signed link carries (it has no API key). */
export const LINK_KEY_ID = 'signed-link';

/** `EXPIRES.TENANT.MAC`: expiry in seconds since the epoch, the tenant id (a UUID), HMAC-SHA256 in base64url. */
const TOKEN = /^(\d{1,12})\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

/**
 * The key report links are signed with, derived from the fingerprint key (HKDF-SHA256 with its own label): every host
 * sharing the fingerprint key verifies the others' links, and neither key can be learnt from the other.
 */
export function reportLinkKey(fingerprintKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', fingerprintKey, Buffer.alloc(0), 'leakdex report links v1', 32));
}

/** What a signed link grants: one scan's report in one format, for one tenant, until it expires. */
export interface ReportLink {
  tenantId: string;
  scanId: string;
  format: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

function mac(key: Buffer, l: ReportLink): string {
  return createHmac('sha256', key).update(`leakdex-report-link\n${l.tenantId}\n${l.scanId}\n${l.format}\n${l.expiresAt}`).digest('base64url');
}

/** The `link` query value that grants `link`. */
export function signReportLink(key: Buffer, link: ReportLink): string {
  return `${link.expiresAt}.${link.tenantId}.${mac(key, link)}`;
}

/** The tenant `token` grants when it was signed for this scan and format and has not expired; why not, otherwise. */
export function verifyReportLink(key: Buffer, token: string, scanId: string, format: string, nowS: number): { tenantId: string } | { error: 'invalid' | 'expired' } {
  const m = TOKEN.exec(token);
  if (!m) return { error: 'invalid' };
  const link: ReportLink = { tenantId: m[2]!, scanId, format, expiresAt: Number(m[1]) };
  const expected = Buffer.from(mac(key, link));
  const given = Buffer.from(m[3]!);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { error: 'invalid' };
  if (link.expiresAt <= nowS) return { error: 'expired' };
  return { tenantId: link.tenantId };
}
