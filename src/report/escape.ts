/**
 * Neutralising text taken from a scanned file (entry names, strings, contexts, app names, diagnostics quoting them)
 * before a report prints it: an app is attacker-controlled input, and a name holding ESC, CR/LF, Markdown or HTML must
 * not retitle a terminal, forge a report line or inject markup. One function per output language.
 */

/**
 * Characters that act on a terminal or change how text reads: C0 controls, DEL, C1 controls (U+009B is CSI on some
 * terminals), line and paragraph separators, and the bidirectional controls of "Trojan Source" (U+061C, U+200E/F,
 * U+202A-E, U+2066-9).
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** The same characters minus C0 controls, which JSON.stringify already writes as escapes. */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const hex = (c: string, width: number) => c.charCodeAt(0).toString(16).padStart(width, '0');

/** `s` with every UNSAFE character written as a visible escape (`\x1b`, `\r`, `\n`, `\u202e`): one line, inert. */
export function visible(s: string): string {
  return s.replace(UNSAFE, (c) => NAMED[c] ?? (c.charCodeAt(0) <= 0xff ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`));
}

/** JSON text of `value` (indented unless `indent` is false) in which the UNSAFE characters that JSON.stringify leaves raw are `\uXXXX` escapes: the same value, inert on a terminal. */
export function safeJson(value: unknown, indent = true): string {
  // Outside strings JSON text is ASCII, so every match is inside a string, where `\uXXXX` means the same character.
  return JSON.stringify(value, null, indent ? 2 : undefined).replace(UNSAFE_IN_JSON, (c) => `\\u${hex(c, 4)}`);
}

/** Markdown punctuation that can start markup inline: code, emphasis, links and images, HTML, entities, table cells, strikethrough. */
const MD_SPECIAL = /[\\`*_[\]<>&|~]/g;

/**
 * Prose from a file for Markdown (a table cell or a list item): visible control escapes, markup characters
 * backslash-escaped, and `@name` kept from becoming a mention (a word joiner after the `@`).
 */
export function mdText(s: string): string {
  return visible(s)
    .replace(MD_SPECIAL, '\\$&')
    .replace(/@(?=[A-Za-z0-9])/g, '@\u2060');
}

/**
 * Inline code from a file (nothing in it is markup): a fence longer than any run of backticks in `s`, padded when
 * `s` starts or ends with a backtick or a space; `inTable`: pipes escaped, the one escape GFM reads inside code in a cell.
 */
export function mdCode(s: string, inTable = false): string {
  let v = visible(s);
  if (v === '') return '';
  if (inTable) v = v.replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(v.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(v) && !/^ +$/.test(v) ? ' ' : '';
  return `${fence}${pad}${v}${pad}${fence}`;
}

const HTML_ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or an attribute value for HTML: visible control escapes, then the five HTML special characters as entities. */
export function htmlText(s: string): string {
  return visible(s).replace(/[&<>"']/g, (c) => HTML_ESC[c]!);
}

/**
 * A SARIF plain-text message (SARIF 2.1.0 §3.11.6): visible control escapes, and literal square brackets (with a
 * backslash just before one) escaped so a consumer never reads an embedded link in them.
 */
export function sarifText(s: string): string {
  return visible(s)
    .replace(/\\(?=[[\]])/g, '\\\\')
    .replace(/[[\]]/g, '\\$&');
}

/** Text for a Slack message (mrkdwn): visible control escapes, and `&`, `<`, `>` as the entities Slack requires, so `<!channel>` or `<https://x|y>` from a file is shown, not acted on. */
export function slackText(s: string): string {
  return visible(s).replace(/[&<>]/g, (c) => HTML_ESC[c]!);
}
