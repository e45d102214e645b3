/**
 * `node dist/tools/bench-search.js APP.apk`: the byte-search options of issue 20 measured on one app's inflated
 * entries (DEX, text, other binary): how fast each finds every position where one of the rules' keywords starts,
 * ignoring ASCII case, in MB/s (median of 5), and the number of positions each found (they must agree).
 * - `tables`: the Detector's case-folded trigram, bigram and single-character tables (what RunFilter uses);
 * - `indexOf`: V8's Buffer.indexOf once per keyword over a lower-cased copy (the copy's cost included);
 * - `aho-corasick`: a dense Aho-Corasick automaton over folded bytes, one table step a byte;
 * - `wasm`: the same automaton stepped by tools/wasm/ac.c compiled to WebAssembly (with `--wasm FILE.wasm`, built
 *   as that file says: clang and wasm-ld from Debian; nothing in the scan depends on it).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ZipArchive, bufferSource } from '../decoders/zip.js';
import { sniff } from '../decoders/sniff.js';
import { RULES } from '../rules/index.js';
import { expandShapes } from '../src/detect/rule-lint.js';

const FOLD = new Uint8Array(256);
for (let c = 0; c < 256; c++) FOLD[c] = c >= 128 ? 0 : c >= 65 && c <= 90 ? c + 32 : c;

const keywords = [...new Set(RULES.flatMap(expandShapes).flatMap((r) => (r.whole ? [] : r.keywords)))];

/** The trigram/bigram/single tables, as the Detector builds them. */
function tablesSearch(): (bytes: Uint8Array, marks: Uint8Array) => void {
  const tri = new Uint8Array(1 << 21);
  const bi = new Uint8Array(1 << 14);
  const single = new Uint8Array(128);
  const byTri = new Map<number, string[]>();
  const byBi = new Map<number, string[]>();
  for (const k of keywords) {
    if (k.length >= 3) {
      const key = (k.charCodeAt(0) << 14) | (k.charCodeAt(1) << 7) | k.charCodeAt(2);
      tri[key] = 1;
      (byTri.get(key) ?? byTri.set(key, []).get(key)!).push(k);
    } else if (k.length === 2) {
      const key = (k.charCodeAt(0) << 7) | k.charCodeAt(1);
      bi[key] = 1;
      (byBi.get(key) ?? byBi.set(key, []).get(key)!).push(k);
    } else single[k.charCodeAt(0)] = 1;
  }
  const at = (list: string[], bytes: Uint8Array, i: number): boolean => {
    for (const k of list) {
      if (i + k.length > bytes.length) continue;
      let j = 1;
      while (j < k.length && FOLD[bytes[i + j]!] === k.charCodeAt(j)) j++;
      if (j === k.length) return true;
    }
    return false;
  };
  return (bytes, marks) => {
    const n = bytes.length;
    let c0 = n > 0 ? FOLD[bytes[0]!]! : 0;
    let c1 = n > 1 ? FOLD[bytes[1]!]! : 0;
    for (let i = 0; i < n; i++) {
      const c2 = i + 2 < n ? FOLD[bytes[i + 2]!]! : 0;
      const t = (c0 << 14) | (c1 << 7) | c2;
      if ((tri[t] === 1 && at(byTri.get(t)!, bytes, i)) || (bi[(c0 << 7) | c1] === 1 && at(byBi.get((c0 << 7) | c1)!, bytes, i)) || single[c0] === 1) marks[i] = 1;
      c0 = c1;
      c1 = c2;
    }
  };
}

function indexOfSearch(bytes: Uint8Array, marks: Uint8Array): void {
  const lower = Buffer.allocUnsafe(bytes.length);
  for (let i = 0; i < bytes.length; i++) lower[i] = FOLD[bytes[i]!]!;
  for (const k of keywords) {
    const needle = Buffer.from(k, 'latin1');
    for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, at + 1)) marks[at] = 1;
  }
}

interface WasmApi {
  Memory: new (d: { initial: number }) => { buffer: ArrayBuffer };
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
}

interface Automaton {
  delta: Int32Array;
  lengths: Array<Int32Array | undefined>;
}

/** A dense Aho-Corasick automaton over the 128 folded byte values. */
function ahoCorasick(): (bytes: Uint8Array, marks: Uint8Array) => void {
  const { delta, lengths } = automaton();
  return (bytes, marks) => {
    let s = 0;
    for (let i = 0; i < bytes.length; i++) {
      s = delta[s + FOLD[bytes[i]!]!]!;
      const o = lengths[s >> 7];
      if (o !== undefined) for (const len of o) marks[i - len + 1] = 1;
    }
  };
}

/** The automaton stepped in WebAssembly (tools/wasm/ac.c): input copied into its memory, (position, state) pairs out. */
async function wasmSearch(path: string, maxBytes: number): Promise<(bytes: Uint8Array, marks: Uint8Array) => void> {
  const { delta, lengths } = automaton();
  const MAX_ENDS = 1 << 22;
  const layout = { fold: 0, delta: 256, hits: 256 + delta.byteLength, input: 0, ends: 0 };
  layout.input = (layout.hits + lengths.length + 7) & ~7;
  layout.ends = (layout.input + maxBytes + 7) & ~7;
  // Node's global WebAssembly (the project's TypeScript libs leave out its types).
  const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const memory = new wasm.Memory({ initial: Math.ceil((layout.ends + MAX_ENDS * 8) / 65536) });
  const { instance } = await wasm.instantiate(readFileSync(path), { env: { memory } });
  const scan = instance.exports.scan as (...a: number[]) => number;
  const heap = new Uint8Array(memory.buffer);
  heap.set(FOLD, layout.fold);
  heap.set(new Uint8Array(delta.buffer), layout.delta);
  heap.set(Uint8Array.from(lengths, (l) => (l === undefined ? 0 : 1)), layout.hits);
  return (bytes, marks) => {
    heap.set(bytes, layout.input);
    const found = Math.min(MAX_ENDS, scan(layout.fold, layout.delta, layout.hits, layout.input, bytes.length, layout.ends, MAX_ENDS));
    const ends = new Uint32Array(memory.buffer, layout.ends, found * 2);
    for (let k = 0; k < found; k++) for (const len of lengths[ends[2 * k + 1]!]!) marks[ends[2 * k]! - len + 1] = 1;
  };
}

function automaton(): Automaton {
  const goto: number[][] = [new Array<number>(128).fill(-1)];
  const out: number[][] = [[]];
  for (const k of keywords) {
    let s = 0;
    for (let j = 0; j < k.length; j++) {
      const c = k.charCodeAt(j);
      if (goto[s]![c] === -1) {
        goto[s]![c] = goto.length;
        goto.push(new Array<number>(128).fill(-1));
        out.push([]);
      }
      s = goto[s]![c]!;
    }
    out[s]!.push(k.length);
  }
  const fail = new Array<number>(goto.length).fill(0);
  const queue: number[] = [];
  for (let c = 0; c < 128; c++) {
    const t = goto[0]![c]!;
    if (t === -1) goto[0]![c] = 0;
    else queue.push(t);
  }
  while (queue.length > 0) {
    const s = queue.shift()!;
    for (let c = 0; c < 128; c++) {
      const t = goto[s]![c]!;
      if (t === -1) goto[s]![c] = goto[fail[s]!]![c]!;
      else {
        fail[t] = goto[fail[s]!]![c]!;
        out[t] = out[t]!.concat(out[fail[t]!]!);
        queue.push(t);
      }
    }
  }
  const delta = new Int32Array(goto.length * 128);
  goto.forEach((row, s) => row.forEach((t, c) => (delta[s * 128 + c] = t * 128)));
  return { delta, lengths: out.map((o) => (o.length > 0 ? Int32Array.from(o) : undefined)) };
}

const args = process.argv.slice(2);
const wasmAt = args.indexOf('--wasm');
const wasmPath = wasmAt >= 0 ? args.splice(wasmAt, 2)[1] : undefined;
const file = args[0];
if (!file) {
  process.stderr.write('usage: bench-search [--wasm ac.wasm] APP.apk\n');
  process.exit(2);
}
const zip = ZipArchive.open(bufferSource(readFileSync(file)));
const parts: Record<string, Uint8Array[]> = { dex: [], text: [], binary: [] };
for (const e of zip.entries) {
  if (e.isDirectory) continue;
  const bytes = zip.read(e);
  const kind = sniff(bytes.subarray(0, 512), e.name);
  (kind === 'dex' ? parts.dex : kind === 'text' ? parts.text : parts.binary)!.push(bytes);
}
const methods: Record<string, (bytes: Uint8Array, marks: Uint8Array) => void> = { tables: tablesSearch(), indexOf: indexOfSearch, 'aho-corasick': ahoCorasick() };
if (wasmPath !== undefined) methods.wasm = await wasmSearch(wasmPath, Math.max(...Object.values(parts).map((l) => l.reduce((n, b) => n + b.length, 0))));
process.stdout.write(`${keywords.length} keywords; MB/s, median of 5; positions found\n`);
for (const [kind, list] of Object.entries(parts)) {
  const bytes = Buffer.concat(list);
  const mb = bytes.length / 1048576;
  const row: string[] = [`${kind} ${mb.toFixed(1)} MB`];
  for (const [name, search] of Object.entries(methods)) {
    const times: number[] = [];
    let found = 0;
    for (let r = 0; r < 5; r++) {
      const marks = new Uint8Array(bytes.length);
      const t0 = performance.now();
      search(bytes, marks);
      times.push(performance.now() - t0);
      found = marks.reduce((n, m) => n + m, 0);
    }
    times.sort((a, b) => a - b);
    row.push(`${name} ${(mb / (times[2]! / 1000)).toFixed(0)} MB/s (${found})`);
  }
  process.stdout.write(row.join('  ') + '\n');
}
