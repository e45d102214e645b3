/**
 * The name a literal gives to the value that follows it in code (`"?api_key=" + key`, `"Bearer " + token`,
 * `addHeader("X-Api-Key", key)`): shared by the DEX and Hermes code walks (docs/code-context.md, "Names from literals").
 */
/** Longest name taken from the literal before a value. */
const MAX_NAME_CHARS = 40;
/** A query parameter, form field or header at the end of a literal: `...?api_key=`, `&token=`, `key: `. */
const TRAILING_PARAMETER = /(?:^|[?&;,\s/])([A-Za-z][A-Za-z0-9_.-]{0,39}[=:] ?)$/;
/** An authorization scheme at the end of a literal: `Bearer `, `Basic `, `token `. */
const TRAILING_SCHEME = /(?:^|[\s:"])((?:Bearer|Basic|Token|Digest|OAuth|Bot|Key|ApiKey)\s)$/i;
/** A short name: letters and digits in at most seven parts joined by `_`, `.` or `-`. */
const SHORT_NAME = /^[A-Za-z][A-Za-z0-9]{0,39}(?:[_.-][A-Za-z0-9]{1,39}){0,6}$/;

/** The name a literal gives to the value after it, or undefined (see CodeWalker.afterText). */
export function nameBefore(literal: string): string | undefined {
  const tail = literal.length > 256 ? literal.slice(-256) : literal;
  const p = TRAILING_PARAMETER.exec(tail) ?? TRAILING_SCHEME.exec(tail);
  if (p) {
    const lead = tail.charCodeAt(p.index);
    return lead === 0x3f || lead === 0x26 ? tail.slice(p.index) : p[1];
  }
  // Upper case with digits is an id (`AKIA...`, an Algolia app id), not a name.
  if (/[0-9]/.test(literal) && !/[a-z]/.test(literal)) return undefined;
  return literal.length <= MAX_NAME_CHARS && SHORT_NAME.test(literal) && looksLikeWords(literal) ? literal : undefined;
}

/** At most three digits and six changes of letter case: `X-Api-Key`, `LeakyMain`, not `dGeIuWQtxlecbEiqUtB`. */
function looksLikeWords(s: string): boolean {
  let digits = 0;
  let switches = 0;
  let prev = 0; // 1 lower, 2 upper
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const kind = c >= 0x61 && c <= 0x7a ? 1 : c >= 0x41 && c <= 0x5a ? 2 : 0;
    if (c >= 0x30 && c <= 0x39) digits++;
    if (kind !== 0 && prev !== 0 && kind !== prev) switches++;
    prev = kind;
  }
  return digits <= 3 && switches <= 6;
}
