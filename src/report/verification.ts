/** A finding's verification in words, the same line in every format (each escapes it for itself). */
import type { Verification } from '../findings.js';

/** `k=v, k2=a|b` of the evidence, bounded. */
export function evidenceText(e: Verification['evidence']): string {
  if (!e) return '';
  return Object.entries(e)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.slice(0, 20).join('|') : String(v)}`)
    .join(', ')
    .slice(0, 600);
}

/** `verified LIVE via https://api.github.com on 2026-12-06: GitHub accepted ... (account=x)`. */
export function verificationText(v: Verification): string {
  const label = v.status === 'live' ? 'verified LIVE' : v.status === 'invalid' ? 'verified invalid' : v.status === 'error' ? 'verification failed' : v.status === 'skipped' ? 'verification skipped' : 'unverifiable';
  const ev = evidenceText(v.evidence);
  const raised = v.severityBefore ? ` (raised from ${v.severityBefore})` : '';
  return `${label}${raised}${v.host ? ` via ${v.host}` : ''} on ${v.checkedAt.slice(0, 10)}: ${v.reason}${ev ? ` (${ev})` : ''}`;
}
