/**
 * Text entries: the encoding (UTF-8, UTF-16), the format (by content first, the path as a hint) and the format's own
 * decoder in decoders/text/: JSON (json.ts), XML and HTML (markup.ts), .properties/.env/INI/YAML/JAR manifests
 * (lines.ts), JavaScript (decoders/js.ts through text/emit.ts).
 */
import { MAX_TEXT_BYTES, jsStrings } from './text/emit.js';
import { jsonStrings } from './text/json.js';
import { keyValueStrings, manifestStrings, yamlStrings } from './text/lines.js';
import { markupStrings, xmlStrings } from './text/markup.js';
import { Buffer } from 'node:buffer';
import { SNIFF_TEXT_BYTES, textEncoding } from './sniff.js';
import { DecodeError, type DecodeContext, type DecodedString, type Decoder } from './types.js';

export { MAX_STRING_LENGTH } from './text/emit.js';

/** Text formats decodeText knows. */
export type TextKind = 'json' | 'xml' | 'properties' | 'yaml' | 'env' | 'ini' | 'js' | 'html' | 'manifest' | 'plain';

const utf8 = new TextDecoder('utf-8');

/** The bytes as a string: UTF-8 (BOM stripped) or UTF-16LE/BE (BOM stripped); throws when it is not text. */
export function decodeTextBytes(bytes: Uint8Array): string {
  if (bytes.length > MAX_TEXT_BYTES) throw new DecodeError('text.too_large', `text entry of ${bytes.length} bytes exceeds ${MAX_TEXT_BYTES}`, 0);
  const encoding = textEncoding(bytes.subarray(0, SNIFF_TEXT_BYTES));
  if (encoding === undefined) throw new DecodeError('text.not_text', 'entry is not UTF-8 or UTF-16 text', 0);
  return decodeAs(bytes, encoding);
}

function decodeAs(bytes: Uint8Array, encoding: NonNullable<ReturnType<typeof textEncoding>>): string {
  switch (encoding) {
    case 'utf8':
    case 'utf8-bom':
      return utf8.decode(bytes);
    case 'utf16le':
    case 'utf16le-bom': {
      const start = encoding === 'utf16le-bom' ? 2 : 0;
      const end = start + ((bytes.length - start) & ~1);
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf16le', start, end);
    }
    case 'utf16be-bom': {
      const swapped = new Uint8Array((bytes.length - 2) & ~1);
      for (let i = 0; i < swapped.length; i += 2) {
        swapped[i] = bytes[i + 3]!;
        swapped[i + 1] = bytes[i + 2]!;
      }
      return Buffer.from(swapped.buffer).toString('utf16le');
    }
  }
}

const EXTENSION_KIND: Record<string, TextKind> = {
  json: 'json', jsonc: 'json', map: 'json', webmanifest: 'json', arb: 'json',
  xml: 'xml', plist: 'xml', xsd: 'xml', svg: 'xml', storyboard: 'xml', xib: 'xml', entitlements: 'xml',
  properties: 'properties', gradle: 'js',
  yaml: 'yaml', yml: 'yaml',
  env: 'env',
  ini: 'ini', cfg: 'ini', conf: 'ini', toml: 'ini',
  js: 'js', mjs: 'js', cjs: 'js', jsx: 'js', ts: 'js', tsx: 'js', bundle: 'js', jsbundle: 'js', strings: 'js', dart: 'js', kt: 'js', java: 'js', swift: 'js', m: 'js', h: 'js',
  html: 'html', htm: 'html', xhtml: 'html', vue: 'html',
  txt: 'plain', md: 'plain', csv: 'plain', pem: 'plain', key: 'plain',
};

function extensionKind(path: string): TextKind | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  if (base === '.env' || base.startsWith('.env.') || base.endsWith('.env')) return 'env';
  const dot = base.lastIndexOf('.');
  return dot < 0 ? undefined : EXTENSION_KIND[base.slice(dot + 1)];
}

function skipSpace(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0xfeff) break;
    i++;
  }
  return i;
}

/** Guess from the first lines whether key/value text is .env, .properties or YAML. */
function lineKind(head: string): TextKind | undefined {
  let assign = 0;
  let exported = 0;
  let colon = 0;
  let section = 0;
  let code = 0;
  let lines = 0;
  for (const raw of head.split('\n', 64)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';') || line.startsWith('//')) continue;
    lines++;
    if (/^\[[^\]]{1,200}\]$/.test(line)) section++;
    else if (/^export\s+[A-Za-z_]\w{0,200}=/.test(line)) exported++;
    else if (/^[\w.-]{1,200}\s*=/.test(line) && !/[;{}()]$/.test(line)) assign++;
    else if (/^(?:- )?[\w.-]{1,200}:(?: |$)/.test(line) || line.startsWith('- ')) colon++;
    if (/(?:\bfunction\b|=>|;$|^(?:var|let|const|import|export)\b)/.test(line)) code++;
  }
  if (lines === 0) return undefined;
  if (code * 2 > lines) return 'js';
  if (section > 0 && section + assign + colon >= lines * 0.8) return 'ini';
  if (exported + assign >= lines * 0.8) return exported > 0 ? 'env' : 'properties';
  if (colon >= lines * 0.8) return 'yaml';
  return undefined;
}

/** The text format of an entry: by content first (JSON, XML, HTML), the path's extension as a hint; undefined when not text. */
export function textKind(path: string, head: Uint8Array): TextKind | undefined {
  const encoding = textEncoding(head.subarray(0, SNIFF_TEXT_BYTES));
  if (encoding === undefined) return undefined;
  const text = decodeAs(head.subarray(0, Math.min(head.length, 4096)), encoding);
  return kindOf(path, text);
}

/** A JAR manifest or signature file: `META-INF/MANIFEST.MF`, `META-INF/CERT.SF` (also inside nested archives). */
const JAR_MANIFEST_PATH = /(^|\/|!\/)META-INF\/[^/]+\.(MF|SF)$/i;

function kindOf(path: string, text: string): TextKind {
  if (JAR_MANIFEST_PATH.test(path)) return 'manifest';
  const hint = extensionKind(path);
  const start = skipSpace(text, 0);
  const first = text.charCodeAt(start);
  const lower = text.slice(start, start + 256).toLowerCase();
  if (first === 0x7b /* { */) return hint === 'js' || hint === 'html' ? hint : 'json';
  if (first === 0x5b /* [ */) {
    const lineEnd = text.indexOf('\n', start);
    const firstLine = text.slice(start, lineEnd < 0 ? undefined : lineEnd).trim();
    if (hint === 'ini' || (hint !== 'json' && /^\[[\w .:-]{1,200}\]$/.test(firstLine) && !/^\[\s*\d/.test(firstLine))) return 'ini';
    return hint === 'js' ? 'js' : 'json';
  }
  if (first === 0x3c /* < */) {
    if (lower.startsWith('<!doctype html') || lower.startsWith('<html') || hint === 'html') return 'html';
    return 'xml';
  }
  if (hint !== undefined) return hint;
  // 64 lines decide; never split a whole large file to look at them.
  return lineKind(text.length > 16384 ? text.slice(0, 16384) : text) ?? 'plain';
}

/** Strings of one text entry in the given (or detected) format. */
export function* textStrings(text: string, ctx: DecodeContext, kind: TextKind = kindOf(ctx.entry, text)): Generator<DecodedString> {
  switch (kind) {
    case 'json':
      yield* jsonStrings(text, ctx);
      return;
    case 'xml':
      yield* xmlStrings(text, ctx);
      return;
    case 'html':
      yield* markupStrings(text, ctx, 'html');
      return;
    case 'js':
      yield* jsStrings(text, ctx);
      return;
    case 'yaml':
      yield* yamlStrings(text, ctx);
      return;
    case 'manifest':
      yield* manifestStrings(text, ctx);
      return;
    case 'properties':
    case 'env':
    case 'ini':
    case 'plain':
      yield* keyValueStrings(text, ctx, kind);
      return;
  }
}

/** Decoder for text entries: decodes UTF-8/UTF-16, picks the format from the entry path and content, emits values with their keys. */
export const decodeText: Decoder = (bytes, ctx) => textStrings(decodeTextBytes(bytes), ctx);
