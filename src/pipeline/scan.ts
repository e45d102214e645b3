import { gunzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { basename } from 'node:path';
import { DecodeError, type DecodeContext, type DecodedString, type Decoder, type DecodeWarning, type ResourceResolver } from '../../decoders/types.js';
import { ZipArchive, bufferSource, type RandomAccess, type ZipEntry } from '../../decoders/zip.js';
import { apkSigners } from '../../decoders/apksig.js';
import { decodeDex } from '../../decoders/dex.js';
import { decodeAxml } from '../../decoders/axml.js';
import { ResourceTable, decodeArsc } from '../../decoders/arsc.js';
import { manifestInfo } from '../../decoders/manifest.js';
import { decodeElfBound } from '../../decoders/elf-bind.js';
import { decodeText } from '../../decoders/text.js';
import { decodeRuns } from '../../decoders/runs.js';
import { SNIFF_TEXT_BYTES, sniff, type ContentKind } from '../../decoders/sniff.js';
import { AaptResourceTable, ResolverChain, aaptManifestInfo } from '../../decoders/aapt-pb.js';
import { MIN_BASE64_CHARS, decodedStrings } from '../../decoders/encoded.js';
import { aabDecoder, aabRole, basePrefix, elfHasAssemblyStore, runtimeDecoders, type SplitSet } from './bundles.js';
import { IOS_DECODERS, appleDecoderFor, iosAppMetadata } from './ios.js';
import { CLASSIFY_HEAD_BYTES, classifyLoose, classifyZip, type ArtifactClass } from './artifact.js';
import { DEFAULT_LIMITS, type ScanLimits } from '../limits.js';
import type { AppInfo, ArtifactKind, Diagnostic, Platform } from '../report/types.js';

/** Receives every decoded string of a scan, in order. */
export type StringSink = (s: DecodedString) => void;

export interface WalkOptions {
  limits?: Partial<ScanLimits>;
  /** Entry paths not to decode (a previous worker died on them); each gets a diagnostic instead. */
  skip?: ReadonlySet<string>;
  /** Called before each entry is read, with its full path. */
  onEntry?: (path: string) => void;
  /** Which DEX code uses to emit (DecodeContext.keepCodeUse); all when absent. */
  keepCodeUse?: (code: string, text: string, context?: string) => boolean;
  /** Walk only this shard's share of the top-level entries (parallel scans); shard 0 also reads the app's identity. */
  shard?: { index: number; count: number };
}

/**
 * A DEX byte costs more to scan than a byte of most other entries: its code is walked for code contexts as well as its
 * strings read. Measured on the 17 MB uiautomator2 server APK (two shards, medians of three): by size alone the shard
 * holding classes.dex took 1,015 ms and the other 853 ms; with DEX weighed 1.5x, 931 and 870 ms.
 */
const DEX_COST_WEIGHT = 1.5;
const DEX_NAME = /(?:^|\/)classes\d*\.dex$/;

/**
 * Splits the top-level entries into `count` shards of about equal inflated size (largest first, each to the lightest
 * shard). Deterministic for a given central directory, so every shard worker computes the same split.
 */
export function shardOf(entries: readonly ZipEntry[], count: number): Map<ZipEntry, number> {
  const owner = new Map<ZipEntry, number>();
  const load = new Array<number>(count).fill(0);
  // Every entry costs something to look at, however small it claims to be.
  const cost = (e: ZipEntry) => (Math.min(e.uncompressedSize, 1 << 30) + 4096) * (DEX_NAME.test(e.name) ? DEX_COST_WEIGHT : 1);
  const bySize = entries
    .filter((e) => !e.isDirectory)
    .map((e) => ({ e, cost: cost(e) }))
    .sort((a, b) => b.cost - a.cost || a.e.index - b.e.index);
  for (const { e, cost } of bySize) {
    let best = 0;
    for (let i = 1; i < count; i++) if (load[i]! < load[best]!) best = i;
    owner.set(e, best);
    load[best]! += cost;
  }
  return owner;
}

/** What walking an artifact produced besides the strings. */
export interface WalkResult {
  kind: ArtifactKind;
  platform: Platform;
  app: AppInfo;
  diagnostics: Diagnostic[];
  entries: number;
  bytesRead: number;
  bytesInflated: number;
  strings: number;
  stages: { unzip: number; decode: number; detect: number };
  /** Work per decoder: entries, strings, input bytes and time spent decoding (detection excluded), ms. */
  decoders: Record<string, DecoderStats>;
}

/** Work done by one decoder during a walk. */
export interface DecoderStats {
  entries: number;
  strings: number;
  bytes: number;
  ms: number;
}

const decoderFor: Partial<Record<ContentKind, { name: string; decode: Decoder }>> = {
  dex: { name: 'dex', decode: decodeDex },
  axml: { name: 'axml', decode: decodeAxml },
  arsc: { name: 'arsc', decode: decodeArsc },
  elf: { name: 'elf', decode: decodeElfBound },
  text: { name: 'text', decode: decodeText },
  ...runtimeDecoders,
  ...IOS_DECODERS,
};

/** Most warnings one decoder records for one entry; one `scan.too_many_warnings` says the rest were dropped. */
export const MAX_WARNINGS_PER_DECODER = 64;
const SINK_BATCH = 1024;

/**
 * Walks an artifact: Artifact -> Entries -> DecodedStrings. Every string goes to `sink`; every problem becomes a
 * Diagnostic and the walk goes on. Synchronous and pure apart from reading `src`: run it in a worker.
 */
export class ArtifactWalker {
  readonly limits: ScanLimits;
  readonly diagnostics: Diagnostic[] = [];
  private entries = 0;
  private bytesRead = 0;
  private bytesInflated = 0;
  private strings = 0;
  private unzipMs = 0;
  private sinkMs = 0;
  private app: AppInfo = {};
  private kind: ArtifactKind = 'file';
  private platform: Platform = 'unknown';
  private readonly perDecoder: Record<string, DecoderStats> = {};
  private topResources: ResourceResolver | undefined;
  private topManifest: Uint8Array | undefined;
  /** Set when the artifact is a split set (XAPK, APKM, .apks, zip of APKs). */
  private splitSet: SplitSet | undefined;
  /** Inner APKs this shard walks only for its share of their entries (another shard owns the APK itself). */
  private readonly notMine = new Set<string>();
  /** Warnings recorded per entry and decoder (see MAX_WARNINGS_PER_DECODER). */
  private readonly warningsPer = new Map<string, number>();

  constructor(
    private readonly sink: StringSink,
    private readonly opts: WalkOptions = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    const keep = opts.keepCodeUse;
    if (keep) {
      this.keepCodeUse = (code, text, context) => {
        this.flush();
        return keep(code, text, context);
      };
    }
  }

  /** Walks the artifact held by `src`; `name` is used as the entry name when the artifact is not an archive. */
  walk(src: RandomAccess, name: string): WalkResult {
    const started = performance.now();
    const head = src.read(0, Math.min(CLASSIFY_HEAD_BYTES, src.size));
    const kind = sniff(head, name);
    if (kind === 'zip') {
      let zip: ZipArchive | undefined;
      try {
        zip = this.openZip(src, '', this.shardIndex !== 0);
      } catch (e) {
        this.diag('', 'zip', 'error', e);
      }
      if (zip) {
        this.classify(classifyZip(zip));
        this.walkZip(zip, '', 0);
        this.bytesRead += zip.bytesRead;
        this.appMetadata(zip);
      } else {
        this.classify(classifyLoose('binary'));
        this.scanWhole(src, name);
      }
    } else {
      this.classify(classifyLoose(kind));
      this.scanWhole(src, name);
    }
    const total = performance.now() - started;
    return {
      kind: this.kind,
      platform: this.platform,
      app: this.app,
      diagnostics: this.diagnostics,
      entries: this.entries,
      bytesRead: this.bytesRead,
      bytesInflated: this.bytesInflated,
      strings: this.strings,
      stages: { unzip: round(this.unzipMs), detect: round(this.sinkMs), decode: round(Math.max(0, total - this.unzipMs - this.sinkMs)) },
      decoders: Object.fromEntries(Object.entries(this.perDecoder).map(([k, v]) => [k, { ...v, ms: round(v.ms) }])),
    };
  }

  private scanWhole(src: RandomAccess, name: string): void {
    if (src.size > this.limits.maxEntryBytes) {
      this.diagnostics.push({ entry: name, decoder: 'scan', level: 'error', code: 'scan.entry_too_large', message: `file of ${src.size} bytes is over the ${this.limits.maxEntryBytes}-byte limit for one entry` });
      return;
    }
    const t0 = performance.now();
    const bytes = src.read(0, src.size);
    this.unzipMs += performance.now() - t0;
    this.bytesRead += src.size;
    this.entries++;
    this.scanEntry(name, bytes, 0, undefined);
  }

  private get shardIndex(): number {
    return this.opts.shard?.index ?? 0;
  }

  private openZip(src: RandomAccess, prefix: string, quiet = false): ZipArchive {
    const budget = this.limits.maxTotalBytes - this.bytesInflated;
    return ZipArchive.open(src, {
      limits: {
        maxEntries: this.limits.maxEntries,
        maxEntryBytes: this.limits.maxEntryBytes,
        maxTotalBytes: Math.max(0, budget),
        maxRatio: this.limits.maxRatio,
      },
      warn: (w) => {
        if (!quiet) this.warning(prefix, 'zip', w);
      },
    });
  }

  private classify(c: ArtifactClass): void {
    this.kind = c.kind;
    this.platform = c.platform;
    this.splitSet = c.splitSet;
  }

  /** Reads each entry of `zip` (resources.arsc first, so manifest references resolve) and decodes it. */
  private walkZip(zip: ZipArchive, prefix: string, depth: number): void {
    const arscEntry = zip.entries.find((e) => e.name === 'resources.arsc');
    let resources: ResourceResolver | undefined;
    const order: ZipEntry[] = [];
    if (arscEntry) order.push(arscEntry);
    // An AAB's resources.pb tables come first too, read as one resolver (ids are unique across modules).
    const tables = new Set(prefix === '' && this.kind === 'aab' ? zip.entries.filter((e) => aabRole(e.name) === 'table') : []);
    const chain = tables.size > 0 ? new ResolverChain() : undefined;
    if (chain) resources = chain;
    order.push(...tables);
    for (const e of zip.entries) if (e !== arscEntry && !tables.has(e)) order.push(e);
    // A split set's inner APKs are walked by every shard, each taking its share of their entries.
    const splitTop = prefix === '' && this.splitSet !== undefined;
    const inSplit = depth === 1 && this.splitSet !== undefined && prefix.endsWith('!/') && [...this.splitSet.apks].some((e) => `${e.name}!/` === prefix);
    const shard = (prefix === '' || inSplit) && this.opts.shard && this.opts.shard.count > 1 ? this.opts.shard : undefined;
    const owner = shard ? shardOf(zip.entries, shard.count) : undefined;
    for (const entry of order) {
      if (entry.isDirectory) continue;
      const mine = !owner || owner.get(entry) === shard!.index;
      const everyShard = splitTop && this.splitSet!.apks.has(entry);
      // Every shard needs the resource table to resolve manifest references; only its owner reports its strings.
      if (!mine && entry !== arscEntry && !tables.has(entry) && !everyShard) continue;
      const path = prefix + entry.name;
      if (this.opts.skip?.has(path)) {
        this.diagnostics.push({ entry: path, decoder: 'scan', level: 'error', code: 'scan.entry_crashed_worker', message: 'decoding this entry stopped the scan worker (memory or time limit); it was skipped on retry' });
        continue;
      }
      this.opts.onEntry?.(path);
      const bytes = this.readEntry(zip, entry, path, mine);
      if (!bytes) continue;
      if (entry === arscEntry) {
        try {
          resources = ResourceTable.parse(bytes, (w) => {
            if (mine) this.warning(path, 'arsc', w);
          });
        } catch (e) {
          if (mine) this.diag(path, 'arsc', 'error', e);
        }
        if (!mine) continue;
      }
      if (chain && tables.has(entry)) {
        try {
          chain.tables.push(AaptResourceTable.parse(bytes, (w) => {
            if (mine) this.warning(path, 'aapt-table', w);
          }));
        } catch (e) {
          if (mine) this.diag(path, 'aapt-table', 'error', e);
        }
        if (!mine) continue;
      }
      if ((prefix === '' || prefix === basePrefix(this.splitSet)) && (entry.name === 'AndroidManifest.xml' || (this.kind === 'aab' && entry.name === 'base/manifest/AndroidManifest.xml'))) this.topManifest = bytes;
      if (everyShard && !mine) this.notMine.add(path);
      this.scanEntry(path, bytes, depth, resources);
    }
    if (prefix === '') this.topResources = resources;
    if (prefix !== '' && prefix === basePrefix(this.splitSet)) {
      this.topResources = resources;
      this.appMetadata(zip, true);
    }
  }

  private readEntry(zip: ZipArchive, entry: ZipEntry, path: string, counted = true): Uint8Array | undefined {
    const t0 = performance.now();
    const before = zip.bytesInflated;
    try {
      return zip.read(entry);
    } catch (e) {
      if (counted) this.diag(path, 'zip', 'error', e);
      return undefined;
    } finally {
      if (counted) {
        this.entries++;
        this.bytesInflated += zip.bytesInflated - before;
      }
      this.unzipMs += performance.now() - t0;
    }
  }

  /** Decodes one entry's bytes by content, recursing into nested archives within the depth limit. */
  private scanEntry(path: string, bytes: Uint8Array, depth: number, resources: ResourceResolver | undefined): void {
    if (bytes.length === 0) return;
    // The same head the text decoder checks again, so an entry sniffed as text is never refused by it.
    const head = bytes.subarray(0, SNIFF_TEXT_BYTES);
    const kind = sniff(head, path);
    if (kind === 'zip' || kind === 'gzip') {
      if (this.nested(path, bytes, kind, depth)) return;
    }
    // AAB layout: protobuf XML and resource tables sit where an APK has binary XML and resources.arsc.
    const role = depth === 0 && this.kind === 'aab' && (kind === 'binary' || bytes[0] === 0x0a) ? aabRole(path) : undefined;
    if (kind === 'elf' && elfHasAssemblyStore(bytes)) this.runDecoder('dotnet', runtimeDecoders['assembly-store']!.decode, path, bytes, undefined);
    const dec = role ? aabDecoder(role) : (appleDecoderFor(path, head, kind) ?? decoderFor[kind]);
    if (dec) {
      const ok = this.runDecoder(dec.name, dec.decode, path, bytes, resources);
      if (ok) return;
      this.runDecoder('runs', decodeRuns, path, bytes, undefined);
      return;
    }
    this.runDecoder('runs', decodeRuns, path, bytes, undefined);
  }

  /** Opens a nested zip or gzip; false when it cannot be read (the caller falls back to printable runs). */
  private nested(path: string, bytes: Uint8Array, kind: 'zip' | 'gzip', depth: number): boolean {
    if (depth + 1 > this.limits.maxNestingDepth) {
      this.diagnostics.push({ entry: path, decoder: kind, level: 'warning', code: 'scan.nesting_too_deep', message: `archive nested deeper than ${this.limits.maxNestingDepth} levels: scanned as raw bytes` });
      return false;
    }
    const maxNested = this.limits.maxNestedArchiveBytes;
    if (kind === 'zip' && bytes.length > maxNested) {
      this.diagnostics.push({ entry: path, decoder: kind, level: 'warning', code: 'scan.nested_too_large', message: `nested archive of ${bytes.length} bytes is over the ${maxNested}-byte limit: scanned as raw bytes` });
      return false;
    }
    if (kind === 'gzip') {
      const budget = Math.min(this.limits.maxEntryBytes, maxNested, this.limits.maxTotalBytes - this.bytesInflated);
      let inner: Uint8Array;
      const t0 = performance.now();
      try {
        inner = gunzipSync(bytes, { maxOutputLength: Math.max(1, budget) });
      } catch (e) {
        this.diag(path, 'gzip', 'warning', e);
        return false;
      } finally {
        this.unzipMs += performance.now() - t0;
      }
      this.bytesInflated += inner.length;
      this.entries++;
      const innerName = `${path}!/${basename(path).replace(/\.(t?gz|gzip)$/i, '') || 'data'}`;
      this.scanEntry(innerName, inner, depth + 1, undefined);
      return true;
    }
    let zip: ZipArchive;
    try {
      zip = this.openZip(bufferSource(bytes), `${path}!/`, this.notMine.has(path));
    } catch (e) {
      this.diag(path, 'zip', 'warning', e);
      return false;
    }
    this.walkZip(zip, `${path}!/`, depth + 1);
    return true;
  }

  /** Strings decoded and not yet given to the sink: they reach it in batches, so the detect stage is timed without a clock read per string. */
  private readonly batch: DecodedString[] = [];

  private flush(): void {
    const batch = this.batch;
    if (batch.length === 0) return;
    const t0 = performance.now();
    for (const s of batch) this.sink(s);
    this.sinkMs += performance.now() - t0;
    batch.length = 0;
  }

  /**
   * DecodeContext.keepCodeUse for every entry (one function for the whole walk: optimised decoder code that calls it is
   * not thrown away at the next entry). A decoder asks about a string's code uses right after emitting the string: the
   * sink sees the string first, so a detector that keeps its keyword scan of the last string answers without scanning
   * it again.
   */
  private readonly keepCodeUse: DecodeContext['keepCodeUse'];

  /** Runs a decoder over an entry; false when it failed fatally (a diagnostic is recorded). */
  private runDecoder(name: string, decode: Decoder, path: string, bytes: Uint8Array, resources: ResourceResolver | undefined): boolean {
    const ctx: DecodeContext = { entry: path, warn: (w) => this.warning(path, name, w), resources, keepCodeUse: this.keepCodeUse };
    const started = performance.now();
    const sinkBefore = this.sinkMs;
    const account = () => {
      const d = (this.perDecoder[name] ??= { entries: 0, strings: 0, bytes: 0, ms: 0 });
      d.entries++;
      d.strings += count;
      d.bytes += bytes.length;
      d.ms += performance.now() - started - (this.sinkMs - sinkBefore);
    };
    let count = 0;
    const max = this.limits.maxStringsPerEntry;
    const batch = this.batch;
    const flush = () => this.flush();
    try {
      for (const s of decode(bytes, ctx)) {
        if (++count > max) {
          this.diagnostics.push({ entry: path, decoder: name, level: 'warning', code: 'scan.too_many_strings', message: `more than ${max} strings in one entry: the rest were skipped` });
          break;
        }
        if (batch.push(s) === SINK_BATCH) flush();
        // Base64 and hex blobs that decode to text are rescanned (location `... decoded:base64`).
        if (s.text.length >= MIN_BASE64_CHARS) for (const d of decodedStrings(s)) if (batch.push(d) === SINK_BATCH) flush();
      }
    } catch (e) {
      flush();
      this.diag(path, name, 'error', e);
      this.strings += count;
      account();
      return false;
    }
    flush();
    this.strings += count;
    account();
    return true;
  }

  /** Reads the app's identity: manifest (through resources.arsc) and signer certificate. */
  private appMetadata(zip: ZipArchive, base = false): void {
    if (this.shardIndex !== 0) return;
    if (this.platform === 'ios' && !base) {
      this.app = iosAppMetadata(zip, { diag: (en, de, level, e) => this.diag(en, de, level, e), warning: (en, de, w) => this.warning(en, de, w) });
      return;
    }
    if (this.kind === 'aab' && !base) {
      this.aabMetadata(zip);
      return;
    }
    if (this.splitSet && !base) {
      // The base APK's own identity (read while walking it) wins over what the set's manifest declares.
      this.app = dropUndefined({ ...this.splitSet.declared, ...this.app });
      return;
    }
    if (this.kind !== 'apk' && !base) return;
    let manifest = this.topManifest;
    if (!manifest) {
      const entry = zip.entries.find((e) => e.name === 'AndroidManifest.xml');
      try {
        if (entry) manifest = zip.read(entry);
      } catch {
        /* reported by the shard that owns the entry */
      }
    }
    try {
      if (manifest) {
        const info = manifestInfo(manifest, this.topResources);
        this.app = dropUndefined({
          id: info.package,
          name: info.label,
          versionName: info.versionName,
          versionCode: info.versionCode,
          minSdk: info.minSdk,
          targetSdk: info.targetSdk,
        });
      }
    } catch (e) {
      this.diag('AndroidManifest.xml', 'manifest', 'error', e);
    }
    try {
      const signers = apkSigners(zip, (w) => this.warning('', 'apksig', w));
      const first = signers[0];
      if (first) {
        this.app.signer = first.certSha256;
        this.app.signatureScheme = first.scheme;
      } else {
        this.diagnostics.push({ entry: '', decoder: 'apksig', level: 'info', code: 'apksig.unsigned', message: 'no APK signature (v1, v2 or v3) found' });
      }
    } catch (e) {
      this.diag('', 'apksig', 'warning', e);
    }
  }

  /** An AAB's identity: protobuf manifest (through resources.pb) and the JAR signature of the bundle. */
  private aabMetadata(zip: ZipArchive): void {
    let manifest = this.topManifest;
    const entry = 'base/manifest/AndroidManifest.xml';
    try {
      const e = manifest ? undefined : zip.entries.find((x) => x.name === entry);
      if (e) manifest = zip.read(e);
      if (manifest) {
        const info = aaptManifestInfo(manifest, this.topResources);
        this.app = dropUndefined({ id: info.package, name: info.label, versionName: info.versionName, versionCode: info.versionCode, minSdk: info.minSdk, targetSdk: info.targetSdk });
      }
    } catch (e) {
      this.diag(entry, 'aapt-xml', 'error', e);
    }
    try {
      const first = apkSigners(zip, (w) => this.warning('', 'apksig', w))[0];
      if (first) {
        this.app.signer = first.certSha256;
        this.app.signatureScheme = first.scheme;
      }
    } catch (e) {
      this.diag('', 'apksig', 'warning', e);
    }
  }

  private warning(entry: string, decoder: string, w: DecodeWarning): void {
    // One cap for every decoder: a crafted file can make any of them warn once per record (5,000 ELF section
    // headers gave 5,000 warnings), and a report is read by people.
    const key = `${entry}\0${decoder}`;
    const n = (this.warningsPer.get(key) ?? 0) + 1;
    this.warningsPer.set(key, n);
    if (n > MAX_WARNINGS_PER_DECODER) {
      if (n === MAX_WARNINGS_PER_DECODER + 1) {
        this.diagnostics.push({ entry: entry.endsWith('!/') ? entry.slice(0, -2) : entry, decoder, level: 'warning', code: 'scan.too_many_warnings', message: `more than ${MAX_WARNINGS_PER_DECODER} warnings from ${decoder} for this entry: the rest are not listed` });
      }
      return;
    }
    const d: Diagnostic = { entry: entry.endsWith('!/') ? entry.slice(0, -2) : entry, decoder, level: 'warning', code: w.code, message: w.message };
    if (w.offset !== undefined) d.offset = w.offset;
    this.diagnostics.push(d);
  }

  private diag(entry: string, decoder: string, level: 'error' | 'warning', e: unknown): void {
    if (e instanceof DecodeError) {
      const d: Diagnostic = { entry, decoder, level, code: e.code, message: e.message };
      if (e.offset !== undefined) d.offset = e.offset;
      this.diagnostics.push(d);
    } else {
      const err = e instanceof Error ? e : new Error(String(e));
      this.diagnostics.push({ entry, decoder, level: 'error', code: `${decoder}.internal`, message: `${err.name}: ${err.message}` });
    }
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
