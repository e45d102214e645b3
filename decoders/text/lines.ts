/** Line-based text formats: Java .properties, .env, INI, plain key/value text, YAML and JAR manifests. */
import { CH_BACKSLASH, CH_COLON, CH_CR, CH_DQUOTE, CH_GT, CH_LBRACE } from '../js-lex.js';
import { type DecodeContext, type DecodedString } from '../types.js';
import { Emitter, MAX_TREE_DEPTH, MAX_VALUE_LINES } from './emit.js';
import { MAX_CONTEXT_CHARS } from '../js.js';
/** Java Properties escapes (java.util.Properties#load): \t \n \r \f \uXXXX, and any other escaped character as itself. */
function unescapeProperties(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\' || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const e = s[++i]!;
    if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 1, i + 5))) {
      out += String.fromCharCode(parseInt(s.slice(i + 1, i + 5), 16));
      i += 4;
    } else out += e === 't' ? '\t' : e === 'n' ? '\n' : e === 'r' ? '\r' : e === 'f' ? '\f' : e;
  }
  return out;
}

function unescapeDoubleQuoted(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\(.)/g, (_, e: string) => (e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e));
}

/** Lines of a text as [start, end) index pairs without the line break, read lazily. */
function* lineRanges(text: string): Generator<[number, number]> {
  let start = 0;
  while (start <= text.length) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = text.length;
    const end = nl > start && text.charCodeAt(nl - 1) === CH_CR ? nl - 1 : nl;
    yield [start, end];
    start = nl + 1;
  }
}

/** Closing quote index of a quoted value starting at `open`, honouring backslash escapes in double quotes; -1 if open. */
function closingQuote(s: string, open: number): number {
  return quoteFrom(s, open + 1, s.charCodeAt(open));
}

/** Index of the first quote `q` in `s` from `from` on, skipping backslash-escaped characters in double quotes; -1 if none. */
function quoteFrom(s: string, from: number, q: number): number {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === CH_BACKSLASH && q === CH_DQUOTE) i++;
    else if (c === q) return i;
  }
  return -1;
}

/** Whether `s` ends in an odd number of backslashes: a .properties line that continues on the next line. */
function endsInEscape(s: string): boolean {
  let i = s.length;
  while (i > 0 && s.charCodeAt(i - 1) === CH_BACKSLASH) i--;
  return (s.length - i) % 2 === 1;
}

function stripInlineComment(value: string, markers: string): string {
  for (let i = 1; i < value.length; i++) {
    if (markers.includes(value[i]!) && (value[i - 1] === ' ' || value[i - 1] === '\t')) return value.slice(0, i).trimEnd();
  }
  return value;
}

type KeyValueKind = 'properties' | 'env' | 'ini' | 'plain';
const KEY = /^[A-Za-z_][\w.\-/[\]]*$/;

export function* keyValueStrings(text: string, ctx: DecodeContext, kind: KeyValueKind): Generator<DecodedString> {
  const decoder = kind === 'plain' ? 'text' : kind;
  const out = new Emitter(ctx, decoder);
  const lines = lineRanges(text);
  let lineNo = 0;
  let section: string | undefined;
  for (let next = lines.next(); !next.done && !out.stopped; next = lines.next()) {
    lineNo++;
    const startLine = lineNo;
    let line = text.slice(next.value[0], next.value[1]);
    const trimmed = line.trim();
    if (trimmed === '') continue;
    const first = trimmed[0]!;
    if (kind !== 'plain' && (first === '#' || (kind === 'properties' && first === '!') || (kind === 'ini' && first === ';'))) continue;
    if (kind === 'ini' && first === '[' && trimmed.endsWith(']')) {
      section = trimmed.slice(1, -1).trim() || undefined;
      continue;
    }
    if (kind === 'properties' && endsInEscape(line)) {
      // A line ending in an odd number of backslashes continues on the next line (java.util.Properties#load). Only the
      // newest piece is tested and the pieces are joined once, so the work stays linear however wide the lines are.
      // (The piece before it, less its final backslash, ends in an even run, so the joined line's parity is the piece's.)
      const pieces = [line];
      let last = line;
      let extra = 0;
      while (endsInEscape(last) && extra < MAX_VALUE_LINES) {
        const more = lines.next();
        if (more.done) break;
        lineNo++;
        extra++;
        pieces[pieces.length - 1] = last.slice(0, -1);
        last = text.slice(more.value[0], more.value[1]).trimStart();
        pieces.push(last);
      }
      line = pieces.join('');
    }
    let body = line.trimStart();
    if (kind === 'env' && body.startsWith('export ')) body = body.slice(7).trimStart();
    let sep = -1;
    for (let k = 0; k < body.length && k <= MAX_CONTEXT_CHARS; k++) {
      const c = body[k]!;
      if (kind === 'properties' && c === '\\') {
        k++;
        continue;
      }
      if (c === '=' || (c === ':' && kind !== 'env') || (kind === 'properties' && (c === ' ' || c === '\t'))) {
        sep = k;
        break;
      }
    }
    const rawKey = sep > 0 ? body.slice(0, sep).trim() : '';
    const key = kind === 'properties' ? unescapeProperties(rawKey) : rawKey;
    if (sep <= 0 || key === '' || (kind !== 'properties' && !KEY.test(key))) {
      if (kind === 'plain') yield* out.emit(trimmed, `line ${startLine}`, undefined);
      continue;
    }
    let rest = body.slice(sep + 1);
    if (kind === 'properties') rest = rest.replace(/^[ \t]*[=:]?/, '');
    let value = rest.trim();
    if (kind === 'properties') {
      value = unescapeProperties(rest.trimStart());
    } else if (value.startsWith('"') || value.startsWith("'")) {
      let close = closingQuote(value, 0);
      if (close < 0 && kind === 'env' && value.startsWith('"')) {
        // .env values in double quotes may span lines (dotenv multiline values). Each added line is searched on its
        // own: the line break before it is no quote and absorbs a backslash left pending, so no escape carries into
        // the line. Pieces are joined once, keeping the work linear however wide the lines are.
        const pieces = [value];
        let length = value.length;
        let extra = 0;
        while (close < 0 && extra < MAX_VALUE_LINES) {
          const more = lines.next();
          if (more.done) break;
          lineNo++;
          extra++;
          const added = text.slice(more.value[0], more.value[1]);
          const at = quoteFrom(added, 0, CH_DQUOTE);
          if (at >= 0) close = length + 1 + at;
          pieces.push('\n', added);
          length += 1 + added.length;
        }
        value = pieces.join('');
      }
      const inner = close < 0 ? value.slice(1) : value.slice(1, close);
      value = value.startsWith('"') ? unescapeDoubleQuoted(inner) : inner;
    } else {
      value = stripInlineComment(value, kind === 'ini' ? ';#' : '#');
    }
    const context = kind === 'ini' && section !== undefined ? `${section}.${key}` : key;
    yield* out.emit(value, `line ${startLine}`, context);
  }
}

function yamlScalar(raw: string): string {
  let v = raw.trim();
  // Node properties before the scalar: anchors (&a) and tags (!!str).
  while (v.startsWith('&') || v.startsWith('!')) {
    const space = v.indexOf(' ');
    if (space < 0) return '';
    v = v.slice(space + 1).trimStart();
  }
  if (v.startsWith('"')) {
    const close = closingQuote(v, 0);
    return unescapeDoubleQuoted(close < 0 ? v.slice(1) : v.slice(1, close));
  }
  if (v.startsWith("'")) {
    let out = '';
    let i = 1;
    while (i < v.length) {
      const c = v[i]!;
      if (c === "'") {
        if (v[i + 1] === "'") {
          out += "'";
          i += 2;
          continue;
        }
        break;
      }
      out += c;
      i++;
    }
    return out;
  }
  if (v.startsWith('*')) return '';
  return stripInlineComment(v, '#');
}

/** `key: rest` of a YAML line (plain or quoted key), or undefined when the line is not a mapping entry. */
function yamlKey(content: string): { key: string; rest: string } | undefined {
  if (content.startsWith('"') || content.startsWith("'")) {
    const close = closingQuote(content, 0);
    if (close < 0 || content[close + 1] !== ':') return undefined;
    const after = content.slice(close + 2);
    if (after !== '' && after[0] !== ' ' && after[0] !== '\t') return undefined;
    return { key: content.slice(1, close), rest: after };
  }
  for (let k = 0; k < content.length && k <= MAX_CONTEXT_CHARS; k++) {
    const c = content.charCodeAt(k);
    if (c === CH_COLON && (k + 1 === content.length || content[k + 1] === ' ' || content[k + 1] === '\t')) {
      if (k === 0) return undefined;
      return { key: content.slice(0, k).trim(), rest: content.slice(k + 1) };
    }
    if (k === 0 && (c === 0x5b || c === CH_LBRACE || c === CH_DQUOTE || c === 0x7c /* | */ || c === CH_GT)) return undefined;
    if (c === 0x23 /* # */ && k > 0 && content[k - 1] === ' ') return undefined;
  }
  return undefined;
}

export function* yamlStrings(text: string, ctx: DecodeContext): Generator<DecodedString> {
  const out = new Emitter(ctx, 'yaml');
  const parents: Array<{ indent: number; key: string }> = [];
  const lines = lineRanges(text);
  let lineNo = 0;
  let held: [number, number] | undefined;
  const path = (key?: string) => {
    const parts = parents.map((p) => p.key);
    if (key !== undefined) parts.push(key);
    return parts.length === 0 ? undefined : parts.join('.');
  };
  while (!out.stopped) {
    let range: [number, number];
    if (held) {
      range = held;
      held = undefined;
    } else {
      const next = lines.next();
      if (next.done) break;
      range = next.value;
    }
    lineNo++;
    const line = text.slice(range[0], range[1]);
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('%')) continue;
    if (trimmed === '---' || trimmed === '...' || trimmed.startsWith('--- ')) {
      parents.length = 0;
      continue;
    }
    let indent = line.length - line.trimStart().length;
    let content = trimmed;
    while (parents.length > 0 && parents[parents.length - 1]!.indent >= indent) parents.pop();
    let listItem = false;
    while (content === '-' || content.startsWith('- ')) {
      listItem = true;
      const rest = content.slice(1).trimStart();
      indent += content.length - rest.length;
      content = rest;
    }
    if (content === '') continue;
    const entry = yamlKey(content);
    const key = entry?.key;
    const rest = entry ? entry.rest.trim() : content;
    const lineOfKey = lineNo;
    if (entry && (rest === '' || rest.startsWith('#') || ((rest.startsWith('&') || rest.startsWith('!')) && !rest.includes(' ')))) {
      if (parents.length < MAX_TREE_DEPTH) parents.push({ indent, key: key! });
      continue;
    }
    if (/^[|>][-+0-9]*(?:\s+#.*)?$/.test(rest)) {
      // Block scalar (YAML 1.2 section 8.1): the following more-indented lines, literal (|) or folded (>).
      const parts: string[] = [];
      let blockIndent = -1;
      let extra = 0;
      for (let more = lines.next(); !more.done; more = lines.next()) {
        const l = text.slice(more.value[0], more.value[1]);
        const lIndent = l.length - l.trimStart().length;
        if (l.trim() !== '' && lIndent <= indent - (listItem && !entry ? 2 : 0)) {
          held = more.value;
          break;
        }
        lineNo++;
        if (++extra > MAX_VALUE_LINES) break;
        if (blockIndent < 0 && l.trim() !== '') blockIndent = lIndent;
        parts.push(l.slice(Math.min(lIndent, Math.max(0, blockIndent))));
      }
      while (parts.length > 0 && parts[parts.length - 1]!.trim() === '') parts.pop();
      yield* out.emit(parts.join(rest.startsWith('>') ? ' ' : '\n'), `line ${lineOfKey}`, path(key));
      continue;
    }
    yield* out.emit(yamlScalar(rest), `line ${lineOfKey}`, path(key));
  }
}

/**
 * JAR manifest format (JAR File Specification, "Manifest Specification"): `Name: value` headers, lines of at most 72
 * bytes continued on lines that start with one space, sections separated by blank lines, individual sections opened
 * by `Name:`. Each value is emitted whole (continuations joined, so a long value is never cut where the line wrapped)
 * with its header name as context, at the line where the header starts. A line that is no header is emitted as it is.
 */
export function* manifestStrings(text: string, ctx: DecodeContext): Generator<DecodedString> {
  const out = new Emitter(ctx, 'manifest');
  const lines = text.split(/\r\n|\n|\r/);
  let i = 0;
  while (i < lines.length && !out.stopped) {
    const start = i;
    const line = lines[i++]!;
    if (line === '') continue;
    // Continuation lines (a leading space) belong to the header before them, up to MAX_VALUE_LINES of them.
    let value: string | string[] = line;
    while (i < lines.length && lines[i]!.charCodeAt(0) === 0x20 && i - start <= MAX_VALUE_LINES) {
      if (typeof value === 'string') value = [value];
      value.push(lines[i++]!.slice(1));
    }
    const whole = typeof value === 'string' ? value : value.join('');
    const colon = whole.indexOf(': ');
    const name = colon > 0 ? whole.slice(0, colon) : '';
    if (colon > 0 && /^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name)) {
      const v = whole.slice(colon + 2);
      const one = out.one(v, `line ${start + 1}`, name);
      if (one) yield one;
      else yield* out.emit(v, `line ${start + 1}`, name);
    } else yield* out.emit(whole, `line ${start + 1}`, undefined);
  }
}
