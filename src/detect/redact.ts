/** Literal starts that name a credential's format; showing them tells a reader what was found without revealing it. */
const FORMAT_PREFIX =
  /^(?:-----BEGIN [A-Z ]{1,40}-----(?:\\n|\r?\n)?|https?:\/\/|github_pat_|[a-z]{2,6}_(?:live|test)_|(?:live|test)_|xox[a-z]-|xapp-|gh[pousr]_|GOCSPX-|AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9]|AIza|EAA|A{21}|AAAA(?=[A-Za-z0-9_-]{7}:APA91b))/;

/** Values shorter than this are masked completely. */
export const MIN_PARTIAL_REDACTION = 12;

/** The literal start that identifies the format of `secret` (`AKIA`, `sk_live_`, a PEM header...), or ''. */
export function formatPrefix(secret: string): string {
  return FORMAT_PREFIX.exec(secret)?.[0] ?? '';
}

/**
 * A display form of `secret`: the format prefix, up to 4 more characters, '…' and the last 2, never showing more
 * than a third of the value; short values are fully masked.
 */
export function redact(secret: string): string {
  const n = secret.length;
  if (n < MIN_PARTIAL_REDACTION) return '*'.repeat(n);
  const budget = Math.floor(n / 3);
  const tail = 2;
  let prefix = formatPrefix(secret);
  if (prefix.length + tail > budget) prefix = '';
  const head = Math.max(0, Math.min(4, budget - prefix.length - tail));
  return `${secret.slice(0, prefix.length + head)}…${secret.slice(n - tail)}`.replace(/[\r\n\t]/g, ' ');
}
