/**
 * Lexical pieces of JavaScript for decoders/js.ts (and the markup tokenizer of decoders/text.ts): character codes,
 * identifiers, quoted strings, template text, escapes and regex literals. Every function reads at most up to `to`.
 */
/** Longest regex literal looked for before deciding that the slash was a division. */
export const MAX_REGEX_CHARS = 4096;

export const CH_TAB = 9;
export const CH_LF = 10;
export const CH_CR = 13;
export const CH_SPACE = 32;
export const CH_DQUOTE = 34;
export const CH_DOLLAR = 36;
export const CH_SQUOTE = 39;
export const CH_LPAREN = 40;
export const CH_RPAREN = 41;
export const CH_STAR = 42;
export const CH_COMMA = 44;
export const CH_DOT = 46;
export const CH_SLASH = 47;
export const CH_COLON = 58;
export const CH_SEMI = 59;
export const CH_LT = 60;
export const CH_EQ = 61;
export const CH_GT = 62;
export const CH_QUESTION = 63;
export const CH_LBRACKET = 91;
export const CH_BACKSLASH = 92;
export const CH_RBRACKET = 93;
export const CH_BACKTICK = 96;
export const CH_LBRACE = 123;
export const CH_RBRACE = 125;

const IDENT_START = new Uint8Array(128);
export const IDENT_PART = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_$]/.test(ch)) IDENT_START[c] = 1;
  if (/[\w$]/.test(ch)) IDENT_PART[c] = 1;
}

export function isIdentStart(c: number): boolean {
  return c < 128 ? IDENT_START[c] === 1 : c !== 0xa0 && c !== 0xfeff && c !== 0x2028 && c !== 0x2029;
}

/** End of the identifier (or regex flags) starting at `i`. */
export function identEnd(text: string, i: number, to: number): number {
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c < 128 ? IDENT_PART[c] !== 1 : c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029) break;
    i++;
  }
  return i;
}

export let quotedEscaped = false;

/** End of a '...' or "..." literal whose quote is at `i`: the closing quote, a line break, or `to`; sets `quotedEscaped`. */
export function quotedEnd(text: string, i: number, to: number, quote: number): number {
  let j = i + 1;
  quotedEscaped = false;
  while (j < to) {
    const d = text.charCodeAt(j);
    if (d === quote || d === CH_LF) break;
    if (d === CH_BACKSLASH) {
      quotedEscaped = true;
      j += text.charCodeAt(j + 1) === CH_CR && text.charCodeAt(j + 2) === CH_LF ? 3 : 2;
      continue;
    }
    j++;
  }
  return Math.min(j, to);
}

/** End of a template literal's static text from `i`: a backtick, `${`, or `to`; sets `quotedEscaped`. */
export function templateEnd(text: string, i: number, to: number): number {
  quotedEscaped = false;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c === CH_BACKSLASH) {
      quotedEscaped = true;
      i += 2;
      continue;
    }
    if (c === CH_BACKTICK || (c === CH_DOLLAR && text.charCodeAt(i + 1) === CH_LBRACE)) return i;
    i++;
  }
  return to;
}

/** The UTF-16 unit written as `n` hex digits at `at` (`\xHH`, `\uHHHH`), or undefined. */
function hexUnit(text: string, at: number, n: number): string | undefined {
  const h = text.slice(at, at + n);
  return h.length === n && /^[0-9a-fA-F]+$/.test(h) ? String.fromCharCode(parseInt(h, 16)) : undefined;
}

/** Decodes the escapes of a JS string or template in `text[from, to)`. */
export function unescapeJs(text: string, from: number, to: number): string {
  let out = '';
  let chunk = from;
  let i = from;
  while (i < to) {
    if (text.charCodeAt(i) !== CH_BACKSLASH) {
      i++;
      continue;
    }
    out += text.slice(chunk, i);
    const e = text[i + 1];
    let step = 2;
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'v': out += '\v'; break;
      case '0': out += '\0'; break;
      case '\r': step = text[i + 2] === '\n' ? 3 : 2; break;
      case '\n': case '\u2028': case '\u2029': break;
      case 'x': {
        const ch = hexUnit(text, i + 2, 2);
        out += ch ?? 'x';
        if (ch !== undefined) step = 4;
        break;
      }
      case 'u': {
        if (text[i + 2] === '{') {
          // At most six hex digits and the brace, inside the literal.
          const m = /^([0-9a-fA-F]{1,6})\}/.exec(text.slice(i + 3, Math.min(to, i + 10)));
          const cp = m ? parseInt(m[1]!, 16) : -1;
          if (cp >= 0 && cp <= 0x10ffff) {
            out += String.fromCodePoint(cp);
            step = 4 + m![1]!.length;
          } else out += 'u';
        } else {
          const ch = hexUnit(text, i + 2, 4);
          out += ch ?? 'u';
          if (ch !== undefined) step = 6;
        }
        break;
      }
      default:
        if (e !== undefined) out += e;
    }
    i = Math.min(to, i + step);
    chunk = i;
  }
  return out + text.slice(chunk, to);
}

/** Characters the last failed regexEnd looked at. */
export let regexScanned = 0;

/** End of the regex literal whose slash is at `i` (after its flags), or -1 when it does not close on its line. */
export function regexEnd(text: string, i: number, to: number): number {
  let j = i + 1;
  let inClass = false;
  const limit = Math.min(to, i + MAX_REGEX_CHARS);
  regexScanned = limit - i;
  while (j < limit) {
    const d = text.charCodeAt(j);
    if (d === CH_BACKSLASH) j += 2;
    else if (d === CH_LF || d === CH_CR) {
      regexScanned = j - i;
      return -1;
    }
    else if (d === CH_SLASH && !inClass) return identEnd(text, j + 1, to);
    else {
      if (d === CH_LBRACKET) inClass = true;
      else if (d === CH_RBRACKET) inClass = false;
      j++;
    }
  }
  return -1;
}

/** Keywords after which a slash starts a regex literal and that never name a value. */
export const KEYWORDS = new Set([
  'return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await',
  'if', 'for', 'while', 'switch', 'catch', 'with', 'function', 'var', 'let', 'const', 'import', 'export', 'from', 'default',
]);
/** Keywords after which `{` opens an object literal rather than a block. */
export const EXPRESSION_KEYWORDS = new Set(['return', 'typeof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'yield', 'await', 'case', 'default']);
/** `=>` as a punctuator code (no character has it). */
export const P_ARROW = 0x10000;
/** Names of the global object: a member stored on one has no container scope. */
export const GLOBAL_OBJECTS = new Set(['window', 'globalThis', 'global', 'self']);
