import { textStrings } from './text.js';
import type { DecodedString, DecodeContext } from './types.js';

// Base64 and hex blobs long enough to hide a key, decoded and rescanned: an app that stores
// `QUtJQV...` instead of `AKIA...` hides nothing from a parser that decodes what looks encoded.

/** Shortest base64 run decoded (24 bytes of payload: shorter blobs cannot hold most keys with any context). */
export const MIN_BASE64_CHARS = 32;
/** Shortest hex run decoded (20 bytes of payload). */
export const MIN_HEX_CHARS = 40;
/** Longest run decoded; longer blobs are images and fonts, not hidden keys. */
export const MAX_ENCODED_CHARS = 64 * 1024;
/** Most blobs decoded per string. */
const MAX_BLOBS_PER_STRING = 16;
/** Decoded text must be at least this long to be rescanned. */
const MIN_DECODED_CHARS = 16;
/** Share of printable characters decoded text must have. */
const MIN_PRINTABLE_SHARE = 0.95;
/** Decoding rounds: base64 of base64 is decoded twice, no further. */
export const MAX_DECODE_DEPTH = 2;
/** Strings taken from structured decoded text (JSON, properties) per blob. */
const MAX_INNER_STRINGS = 10_000;

const B64 = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;
B64['-'.charCodeAt(0)] = 62;
B64['_'.charCodeAt(0)] = 63;

/** Decodes base64 or base64url (padding optional); undefined when the length cannot be base64. */
function decodeBase64(s: string): Uint8Array | undefined {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 61) end--;
  if (s.length - end > 2 || end % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const v = B64[s.charCodeAt(i)]!;
    if (v < 0) return undefined;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}

function decodeHex(s: string): Uint8Array {
  const out = new Uint8Array(s.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
  return out;
}

const utf8 = new TextDecoder('utf-8');

/** Decoded bytes as text when they are mostly printable UTF-8, else undefined; rejects early on binary data. */
function printableText(bytes: Uint8Array): string | undefined {
  if (bytes.length < MIN_DECODED_CHARS) return undefined;
  const allowed = Math.floor(bytes.length * (1 - MIN_PRINTABLE_SHARE));
  let bad = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13) || c === 0x7f || c === 0xc0 || c === 0xc1 || c > 0xf4) {
      if (++bad > allowed) return undefined;
    }
  }
  const text = utf8.decode(bytes);
  let replaced = 0;
  for (let i = text.indexOf('\ufffd'); i >= 0; i = text.indexOf('\ufffd', i + 1)) if (++replaced > allowed) return undefined;
  return text;
}

function printableAscii(c: number): boolean {
  return (c >= 0x20 && c < 0x7f) || c === 9 || c === 10 || c === 13;
}

/** Cheap pre-check: the first 3 bytes a base64 run decodes to are printable ASCII (text starts so; binary rarely). */
function asciiStart(s: string, at: number): boolean {
  const a = B64[s.charCodeAt(at)]!;
  const b = B64[s.charCodeAt(at + 1)]!;
  const c = B64[s.charCodeAt(at + 2)]!;
  const d = B64[s.charCodeAt(at + 3)]!;
  return printableAscii((a << 2) | (b >> 4)) && printableAscii(((b & 15) << 4) | (c >> 2)) && printableAscii(((c & 3) << 6) | d);
}

/** One encoded blob found inside a string. */
export interface EncodedBlob {
  encoding: 'base64' | 'hex';
  /** Character offset of the blob inside the string. */
  start: number;
  /** The decoded text. */
  text: string;
}

/** Shortest run of the base64/base64url alphabet worth examining. */
const MIN_CANDIDATE_CHARS = Math.min(MIN_BASE64_CHARS, MIN_HEX_CHARS);
/** The base64 and base64url alphabets together (the characters of a candidate run), by char code. */
const RUN_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-') RUN_CHAR[c.charCodeAt(0)] = 1;
const inRun = (s: string, i: number): boolean => {
  const c = s.charCodeAt(i);
  return c < 128 && RUN_CHAR[c] === 1;
};
let candidateEnd = 0;

/**
 * Start of the next maximal run of at least MIN_CANDIDATE_CHARS alphabet characters at or after `from`, with up to
 * two `=` of padding (its end in `candidateEnd`), or -1. Skips ahead as printable runs do: a run that long starting in
 * [start, start + MIN) covers the probe character at start + MIN - 1. (A regex search for the same runs retried at
 * every position of every shorter word: 26 ms of a 17 MB APK's scan.)
 */
function nextCandidate(s: string, from: number): number {
  const n = s.length;
  let start = from;
  while (start + MIN_CANDIDATE_CHARS <= n) {
    const probe = start + MIN_CANDIDATE_CHARS - 1;
    if (!inRun(s, probe)) {
      start = probe + 1;
      continue;
    }
    let q = probe - 1;
    while (q >= start && inRun(s, q)) q--;
    if (q >= start) {
      start = q + 1;
      continue;
    }
    let end = probe + 1;
    while (end < n && inRun(s, end)) end++;
    if (end < n && s.charCodeAt(end) === 61) end++;
    if (end < n && s.charCodeAt(end) === 61) end++;
    candidateEnd = end;
    return start;
  }
  return -1;
}
const ALL_HEX = /^[0-9A-Fa-f]+$/;
const HAS_LOWER = /[a-z]/;
const HAS_UPPER = /[A-Z]/;

/** Runs of base64 or hex characters in `s` that decode to printable text. */
export function encodedBlobs(s: string): EncodedBlob[] {
  const out: EncodedBlob[] = [];
  if (s.length < MIN_BASE64_CHARS) return out;
  let at = 0;
  while (out.length < MAX_BLOBS_PER_STRING) {
    const start = nextCandidate(s, at);
    if (start < 0) break;
    at = candidateEnd;
    const len = at - start;
    if (len > MAX_ENCODED_CHARS) continue;
    const run = s.slice(start, at);
    let body = len;
    while (body > 0 && run.charCodeAt(body - 1) === 61) body--;
    if (len >= MIN_HEX_CHARS && body === len && body % 2 === 0 && ALL_HEX.test(run)) {
      const text = printableText(decodeHex(run));
      if (text !== undefined) {
        out.push({ encoding: 'hex', start, text });
        continue;
      }
    }
    // Real base64 mixes cases; an identifier or a word run (`com_example_SomeClass`) does not decode to text anyway.
    if (len >= MIN_BASE64_CHARS && asciiStart(s, start) && HAS_LOWER.test(run) && HAS_UPPER.test(run)) {
      const bytes = decodeBase64(run);
      const text = bytes && printableText(bytes);
      if (text !== undefined) out.push({ encoding: 'base64', start, text });
    }
  }
  return out;
}

/**
 * Strings hidden in base64/hex blobs of `s`: each decoded blob as a whole (pointer `<pointer> decoded:base64`,
 * the context of `s`), then the strings of the decoded text read as JSON/properties/XML when it is structured,
 * then blobs inside the decoded text, up to {@link MAX_DECODE_DEPTH} rounds.
 */
export function* decodedStrings(s: DecodedString, depth = 1): Generator<DecodedString> {
  if (depth > MAX_DECODE_DEPTH || s.text.length < MIN_BASE64_CHARS) return;
  for (const blob of encodedBlobs(s.text)) {
    const pointer = `${s.location.pointer} decoded:${blob.encoding}${blob.start ? `@${blob.start}` : ''}`;
    const whole: DecodedString = { text: blob.text, location: { entry: s.location.entry, decoder: s.location.decoder, pointer } };
    if (s.context !== undefined) whole.context = s.context;
    if (s.scope !== undefined) whole.scope = s.scope;
    yield whole;
    const t = blob.text.trimStart();
    if (t.startsWith('{') || t.startsWith('[') || t.startsWith('<') || /^[\w.-]+\s*[=:]/.test(t)) {
      // No file extension: the decoded text's own shape decides how it is read.
      const ctx: DecodeContext = { entry: 'decoded', warn: () => {} };
      let k = 0;
      try {
        for (const inner of textStrings(blob.text, ctx)) {
          if (++k > MAX_INNER_STRINGS) break;
          if (inner.text === blob.text) continue;
          const d: DecodedString = { text: inner.text, location: { entry: s.location.entry, decoder: s.location.decoder, pointer: `${pointer} ${inner.location.pointer}` } };
          const context = inner.context ?? s.context;
          if (context !== undefined) d.context = context;
          yield d;
        }
      } catch {
        // Decoded text that is not the structured text it looked like: its whole text was emitted above.
      }
    }
    yield* decodedStrings(whole, depth + 1);
  }
}
