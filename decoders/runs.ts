import { Buffer } from 'node:buffer';
import type { DecodeContext, DecodedString, Decoder } from './types.js';

/** Shortest run emitted unless told otherwise. */
export const DEFAULT_MIN_RUN = 6;
/** Longest run emitted as one string; longer runs are split. */
export const DEFAULT_MAX_RUN = 4096;
/** Most runs one entry may yield before the scan stops with a warning. */
export const MAX_RUNS_PER_ENTRY = 2_000_000;
/** How far back from a forced split we look for a separator, so tokens are rarely cut in two. */
const SPLIT_LOOKBACK = 512;

/** Options for {@link printableRuns}. */
export interface RunsOptions {
  /** Shortest run emitted, in characters (default 6). */
  minLength?: number;
  /** Longer runs are split into pieces of at most this many characters (default 4096). */
  maxLength?: number;
  /** Added to every offset in pointers, e.g. where `bytes` sits inside a larger entry. */
  baseOffset?: number;
  /** Prepended to every pointer, e.g. `.rodata` gives `.rodata+0x1a0`. */
  pointerPrefix?: string;
  /** Also treat LF and CR as printable, keeping multi-line strings (PEM blocks) together (default false). */
  newlines?: boolean;
  /** Also look for UTF-16LE runs (default true). */
  utf16?: boolean;
}

const PRINTABLE = new Uint8Array(256);
for (let b = 0x20; b <= 0x7e; b++) PRINTABLE[b] = 1;
PRINTABLE[0x09] = 1;
const PRINTABLE_NL = PRINTABLE.slice();
PRINTABLE_NL[0x0a] = 1;
PRINTABLE_NL[0x0d] = 1;

/** Characters a secret token is usually made of; a forced split prefers to fall just after anything else. */
const TOKEN_CHAR = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_.-') TOKEN_CHAR[c.charCodeAt(0)] = 1;

function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Where to end a piece of a long run that starts at `start` (in units of `step` bytes), preferring a non-token byte. */
function splitPoint(bytes: Uint8Array, start: number, limit: number, step: number, minPiece: number): number {
  const hard = start + limit * step;
  const floor = Math.max(start + minPiece * step, hard - SPLIT_LOOKBACK * step);
  for (let p = hard - step; p >= floor; p -= step) {
    if (!TOKEN_CHAR[bytes[p]!]) return p + step;
  }
  return hard;
}

/**
 * Printable runs: ASCII (0x20-0x7e plus tab) and UTF-16LE (same range, zero high bytes). Pointer `+0x1a0` (ASCII) or
 * `utf16le+0x1a0`, prefixed with `pointerPrefix` when given (`.rodata+0x1a0`, `.rodata:utf16le+0x1a0`).
 */
export function* printableRuns(bytes: Uint8Array, ctx: DecodeContext, opts: RunsOptions = {}, decoder = 'runs'): Generator<DecodedString> {
  const minLength = Math.max(1, Math.floor(opts.minLength ?? DEFAULT_MIN_RUN));
  const maxLength = Math.max(minLength, Math.floor(opts.maxLength ?? DEFAULT_MAX_RUN));
  const base = opts.baseOffset ?? 0;
  const prefix = opts.pointerPrefix ?? '';
  const utf16Prefix = prefix === '' ? 'utf16le' : `${prefix}:utf16le`;
  const table = opts.newlines ? PRINTABLE_NL : PRINTABLE;
  const buf = bufferOf(bytes);
  const n = bytes.length;
  let emitted = 0;

  function* emit(start: number, end: number, step: 1 | 2): Generator<DecodedString> {
    const encoding = step === 1 ? 'latin1' : 'utf16le';
    const pointerHead = step === 1 ? `${prefix}+0x` : `${utf16Prefix}+0x`;
    let at = start;
    while (at < end) {
      const left = (end - at) / step;
      if (left < minLength) return;
      const stop = left <= maxLength ? end : splitPoint(bytes, at, maxLength, step, minLength);
      if (++emitted > MAX_RUNS_PER_ENTRY) return;
      yield { text: buf.toString(encoding, at, stop), location: { entry: ctx.entry, decoder, pointer: pointerHead + (base + at).toString(16) } };
      at = stop;
    }
  }

  let runStart = -1;
  for (let i = 0; i < n; i++) {
    if (table[bytes[i]!]) {
      if (runStart < 0) runStart = i;
    } else if (runStart >= 0) {
      if (i - runStart >= minLength) yield* emit(runStart, i, 1);
      runStart = -1;
      if (emitted > MAX_RUNS_PER_ENTRY) break;
    }
  }
  if (runStart >= 0 && n - runStart >= minLength && emitted <= MAX_RUNS_PER_ENTRY) yield* emit(runStart, n, 1);

  if (opts.utf16 !== false) {
    for (let align = 0; align < 2 && emitted <= MAX_RUNS_PER_ENTRY; align++) {
      runStart = -1;
      let i = align;
      for (; i + 1 < n; i += 2) {
        if (bytes[i + 1] === 0 && table[bytes[i]!]) {
          if (runStart < 0) runStart = i;
        } else if (runStart >= 0) {
          if ((i - runStart) >> 1 >= minLength) yield* emit(runStart, i, 2);
          runStart = -1;
          if (emitted > MAX_RUNS_PER_ENTRY) break;
        }
      }
      if (runStart >= 0 && (i - runStart) >> 1 >= minLength && emitted <= MAX_RUNS_PER_ENTRY) yield* emit(runStart, i, 2);
    }
  }

  if (emitted > MAX_RUNS_PER_ENTRY) {
    ctx.warn({ code: `${decoder}.too_many_runs`, message: `stopped after ${MAX_RUNS_PER_ENTRY} printable runs` });
  }
}

/** Decoder `runs`: the fallback that guarantees no entry is silently skipped. */
export const decodeRuns: Decoder = (bytes, ctx) => printableRuns(bytes, ctx);
