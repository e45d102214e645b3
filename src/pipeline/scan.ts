import { performance } from 'node:perf_hooks';
import { DecodeError, type DecodeContext, type DecodedString, type Decoder, type DecodeWarning, type ResourceResolver } from '../../decoders/types.js';
import { RATIO_MIN_BYTES, ZipArchive, bufferSource, type RandomAccess } from '../../decoders/zip.js';
import { decodeDex } from '../../decoders/dex.js';
import { decodeAxml } from '../../decoders/axml.js';
import { ResourceTable, decodeArsc } from '../../decoders/arsc.js';
import { decodeElfBound } from '../../decoders/elf-bind.js';
import { decodeText } from '../../decoders/text.js';
import { decodeRuns, printableRuns } from '../../decoders/runs.js';
import { ByteBudget } from '../../decoders/budget.js';
import { SNIFF_TEXT_BYTES, sniff, type ContentKind } from '../../decoders/sniff.js';
import { AaptResourceTable, ResolverChain } from '../../decoders/aapt-pb.js';
import { MIN_BASE64_CHARS, decodedStrings } from '../../decoders/encoded.js';
import { aabDecoder, elfHasAssemblyStore, runtimeDecoders } from './bundles.js';
import { aabRole } from './app-layout.js';
import { IOS_DECODERS, appleDecoderFor } from './ios.js';
import { CLASSIFY_HEAD_BYTES, classifyEntries, classifyLoose, type ArtifactClass } from './artifact.js';
import { SingleFileSource, ZipSource, gunzipSource, readerName, type EntrySource, type SourceEntry } from './entries.js';
import { DirectorySource } from './directory.js';
import { ShardPlan, reportsArtifact, type Shard } from './shards.js';
import { AppIdentity } from './identity.js';
import { DEFAULT_LIMITS, type ScanLimits } from '../limits.js';
import type { AppInfo, ArtifactKind, Diagnostic, Platform } from '../report/types.js';

/** Receives every decoded string of a scan, in order. */
export type StringSink = (s: DecodedString) => void;

export interface WalkOptions {
  limits?: Partial<ScanLimits>;
  /** Entry paths not to decode (a previous worker died on them); each gets a diagnostic instead. */
  skip?: ReadonlySet<string>;
  /** Called before each entry is read, with its full path and the size its container declares (bytes, unchecked). */
  onEntry?: (path: string, declaredSize: number) => void;
  /** Which DEX code uses to emit (DecodeContext.keepCodeUse); all when absent. */
  keepCodeUse?: DecodeContext['keepCodeUse'];
  /** Which printable runs, plain table strings and literals to make (DecodeContext); all when absent. */
  keepRun?: DecodeContext['keepRun'];
  keepPlain?: DecodeContext['keepPlain'];
  keepLiteral?: DecodeContext['keepLiteral'];
  /** Walk only this shard's share of the entries (parallel scans, see shards.ts); shard 0 also reads the app's identity. */
  shard?: Shard;
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

/**
 * Window an entry over limits.maxWholeEntryBytes is streamed in: large enough that printable runs are cut rarely (a
 * cut falls on a byte no run can contain whenever one is near), small next to a worker's memory.
 */
export const STREAM_WINDOW_BYTES = 8 * 1024 * 1024;
/** How far back from a window's end a streamed entry looks for a byte no printable run can hold, to cut there. */
const STREAM_CUT_LOOKBACK = 64 * 1024;

/**
 * Nested archives refused for one reason (a bomb, too deep) listed one by one; the rest are summed up in one
 * diagnostic per reason (42.zip holds 65,536 archives nested five deep).
 */
export const MAX_NESTED_LISTED = 20;

/** Most warnings one decoder records for one entry; one `scan.too_many_warnings` says the rest were dropped. */
export const MAX_WARNINGS_PER_DECODER = 64;
const SINK_BATCH = 1024;

/**
 * Walks an artifact: Artifact -> Entries -> DecodedStrings. Every string goes to `sink`; every problem becomes a
 * Diagnostic and the walk goes on. Entries come from an EntrySource (a zip, a directory, one file, a nested archive);
 * which of them this shard walks is decided by a ShardPlan, and the app's identity is read by AppIdentity. Synchronous
 * and pure apart from reading its input: run it in a worker.
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
  /** Set once the artifact is classified, before any entry is walked. */
  private plan!: ShardPlan;
  private identity!: AppIdentity;
  /** Warnings recorded per entry and decoder (see MAX_WARNINGS_PER_DECODER). */
  private readonly warningsPer = new Map<string, number>();
  /** Inflated bytes of the whole artifact, charged by its archive and every archive nested in it (limits.maxTotalBytes). */
  private readonly budget: ByteBudget;
  /** Entries this shard did not read because `budget` was spent. */
  private unread = 0;
  /** Nested archives this shard refused, per diagnostic code (the first MAX_NESTED_LISTED of each are listed). */
  private readonly refused = new Map<string, { count: number; summary: Omit<Diagnostic, 'message'> & { message: (more: number) => string } }>();

  constructor(
    private readonly sink: StringSink,
    private readonly opts: WalkOptions = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.budget = new ByteBudget(this.limits.maxTotalBytes);
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
    return this.walkTop(() => this.openFile(src, name));
  }

  /** Walks a directory on disk (an unzipped app) in place, its entries named as in the archive it came from. */
  walkDirectory(root: string): WalkResult {
    return this.walkTop(() => this.openDirectory(root));
  }

  private walkTop(open: () => { source: EntrySource | undefined; cls: ArtifactClass }): WalkResult {
    const started = performance.now();
    const { source, cls } = open();
    this.kind = cls.kind;
    this.platform = cls.platform;
    this.plan = new ShardPlan(this.opts.shard, cls.kind, cls.splitSet);
    this.identity = new AppIdentity(cls, this.plan.reportsArtifact, {
      diag: (en, de, level, e) => this.diag(en, de, level, e),
      warning: (en, de, w) => this.warning(en, de, w),
      push: (d) => this.diagnostics.push(d),
    });
    if (source) {
      this.walkSource(source, '', 0);
      this.bytesRead += source.bytesRead;
      this.app = this.identity.finish(source);
    }
    for (const { count, summary } of this.refused.values()) {
      if (count > MAX_NESTED_LISTED) this.diagnostics.push({ ...summary, entry: '', message: summary.message(count - MAX_NESTED_LISTED) });
    }
    if (this.unread > 0) {
      this.diagnostics.push({ entry: '', decoder: 'scan', level: 'error', code: 'scan.budget_exhausted', message: `the artifact's ${this.limits.maxTotalBytes}-byte inflation budget (nested archives included) was spent: ${this.unread} entries were not read` });
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

  /** A file's entries: its zip archive, or the file itself as one entry when it is not a (readable) zip. */
  private openFile(src: RandomAccess, name: string): { source: EntrySource | undefined; cls: ArtifactClass } {
    let kind = sniff(src.read(0, Math.min(CLASSIFY_HEAD_BYTES, src.size)), name);
    if (kind === 'zip') {
      try {
        const quiet = !reportsArtifact(this.opts.shard);
        const zip = new ZipSource(this.openZip(src, '', quiet));
        if (!quiet) this.overlapBomb(zip, '');
        return { source: zip, cls: classifyEntries(zip) };
      } catch (e) {
        this.diag('', 'zip', 'error', e);
        kind = 'binary';
      }
    }
    const cls = classifyLoose(kind);
    if (src.size > this.limits.maxEntryBytes) {
      this.diagnostics.push({ entry: name, decoder: 'scan', level: 'error', code: 'scan.entry_too_large', message: `file of ${src.size} bytes is over the ${this.limits.maxEntryBytes}-byte limit for one entry` });
      return { source: undefined, cls };
    }
    return { source: new SingleFileSource(name, src), cls };
  }

  /** A directory's entries, listed within the entry limits; none when it cannot be listed (a diagnostic says why). */
  private openDirectory(root: string): { source: EntrySource | undefined; cls: ArtifactClass } {
    const quiet = !reportsArtifact(this.opts.shard);
    try {
      const dir = DirectorySource.open(root, {
        limits: { maxEntries: this.limits.maxEntries, maxEntryBytes: this.limits.maxEntryBytes, maxTotalBytes: this.limits.maxTotalBytes },
        warn: (entry, w) => {
          if (!quiet) this.warning(entry, 'dir', w);
        },
      });
      return { source: dir, cls: classifyEntries(dir) };
    } catch (e) {
      this.diag('', 'dir', 'error', e);
      return { source: undefined, cls: classifyLoose('binary') };
    }
  }

  private openZip(src: RandomAccess, prefix: string, quiet = false): ZipArchive {
    return ZipArchive.open(src, {
      limits: {
        maxEntries: this.limits.maxEntries,
        maxEntryBytes: this.limits.maxEntryBytes,
        maxTotalBytes: this.limits.maxTotalBytes,
        maxRatio: this.limits.maxRatio,
      },
      warn: (w) => {
        if (!quiet) this.warning(prefix, 'zip', w);
      },
      budget: this.budget,
    });
  }

  /** Reports, once per archive, the entries left out because their data overlaps another's (an overlapping-entry bomb). */
  private overlapBomb(zip: ZipSource, archive: string): void {
    if (zip.overlapping === 0) return;
    const all = zip.overlapping + zip.entries.length;
    this.diagnostics.push({ entry: archive, decoder: 'zip', level: 'error', code: 'zip.overlap_bomb', message: `${zip.overlapping} of ${all} entries share their compressed data with another entry (an overlapping-entry zip bomb): they were not read` });
  }

  /**
   * Walks the entries of `source`, the archive at `prefix` (`''` for the artifact itself), as the ShardPlan says:
   * resource tables first, so manifest references resolve, then every entry this shard decodes.
   */
  private walkSource(source: EntrySource, prefix: string, depth: number): void {
    let resources: ResourceResolver | undefined;
    const planned = this.plan.plan(source, prefix, depth);
    // An AAB's resources.pb tables are read as one resolver.
    const chain = planned.some((p) => p.table === 'aapt') ? new ResolverChain() : undefined;
    if (chain) resources = chain;
    for (const { entry, role, table } of planned) {
      if (role === 'skip') continue;
      const path = prefix + entry.name;
      if (this.opts.skip?.has(path)) {
        this.diagnostics.push({ entry: path, decoder: 'scan', level: 'error', code: 'scan.entry_crashed_worker', message: 'decoding this entry stopped the scan worker (memory or time limit); it was skipped on retry' });
        continue;
      }
      // Only what this shard owns is counted and has its problems reported.
      const mine = role === 'mine';
      if (this.budget.exhausted) {
        if (mine && !entry.isDirectory) this.unread++;
        continue;
      }
      this.opts.onEntry?.(path, entry.size);
      const whole = this.wholeLimit();
      if (entry.size > whole && source.stream && !table) {
        this.streamEntry(source, entry, path, mine);
        continue;
      }
      // Table bytes are kept by their resolver; other entries are let go once scanned (and the identity copies the
      // manifest it keeps), so they are read as transient.
      const bytes = this.readEntry(source, entry, path, mine, table ? undefined : whole, table === undefined);
      if (bytes === 'stream') {
        this.streamEntry(source, entry, path, mine);
        continue;
      }
      if (!bytes) continue;
      if (table === 'arsc') {
        try {
          resources = ResourceTable.parse(bytes, (w) => {
            if (mine) this.warning(path, 'arsc', w);
          });
        } catch (e) {
          if (mine) this.diag(path, 'arsc', 'error', e);
        }
      } else if (table === 'aapt' && chain) {
        try {
          chain.tables.push(AaptResourceTable.parse(bytes, (w) => {
            if (mine) this.warning(path, 'aapt-table', w);
          }));
        } catch (e) {
          if (mine) this.diag(path, 'aapt-table', 'error', e);
        }
      }
      if (role === 'resource-only') continue;
      this.identity.decoded(path, bytes);
      this.scanEntry(path, bytes, depth, resources, mine);
    }
    this.identity.archiveDone(prefix, source, resources);
  }

  /** Largest entry read whole; larger ones are streamed (Infinity when the entry limit is lower anyway). */
  private wholeLimit(): number {
    return this.limits.maxWholeEntryBytes < this.limits.maxEntryBytes ? this.limits.maxWholeEntryBytes : Infinity;
  }

  /**
   * One entry's bytes; undefined when they cannot be read (a diagnostic says why), 'stream' when they turn out larger
   * than `whole` (a declared size that lied) and the source can stream them instead.
   */
  private readEntry(source: EntrySource, entry: SourceEntry, path: string, counted: boolean, whole = Infinity, transient = false): Uint8Array | 'stream' | undefined {
    const t0 = performance.now();
    const before = source.bytesInflated;
    let out: Uint8Array | 'stream' | undefined;
    try {
      out = whole === Infinity ? source.read(entry, { transient }) : source.read(entry, { maxBytes: whole, transient });
    } catch (e) {
      if (whole !== Infinity && source.stream && e instanceof DecodeError && e.code.endsWith('.entry_too_large')) out = 'stream';
      else if (counted) this.diag(path, readerName(source.kind), 'error', e);
    }
    const got = source.bytesInflated - before;
    // A zip charges the shared budget itself; what other sources give is charged here.
    if (source.kind !== 'zip') this.budget.charge(got);
    // An entry handed on to streamEntry is counted there.
    if (counted && out !== 'stream') {
      this.entries++;
      this.bytesInflated += got;
    }
    this.unzipMs += performance.now() - t0;
    return out;
  }

  /**
   * Decodes one entry's bytes by content, recursing into nested archives within the depth limit. `mine`: this shard
   * owns the entry (a split set's inner APK owned by another shard is opened quietly).
   */
  private scanEntry(path: string, bytes: Uint8Array, depth: number, resources: ResourceResolver | undefined, mine: boolean): void {
    if (bytes.length === 0) return;
    // The same head the text decoder checks again, so an entry sniffed as text is never refused by it.
    const head = bytes.subarray(0, SNIFF_TEXT_BYTES);
    const kind = sniff(head, path);
    if (kind === 'zip' || kind === 'gzip') {
      if (this.nested(path, bytes, kind, depth, mine)) return;
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

  /**
   * Scans an entry too large to hold whole (over limits.maxWholeEntryBytes) as it streams from its source, window by
   * window, with printable runs: the one decoder that needs no whole entry. Each window is cut after a byte no run can
   * hold (a control byte, or two zero bytes for UTF-16), looking back at most STREAM_CUT_LOOKBACK, and the rest is
   * carried into the next window, so runs are not split and pointers are offsets in the whole entry.
   */
  private streamEntry(source: EntrySource, entry: SourceEntry, path: string, mine: boolean): void {
    const t0 = performance.now();
    const sinkBefore = this.sinkMs;
    const before = source.bytesInflated;
    const ctx: DecodeContext = { entry: path, warn: (w) => this.warning(path, 'runs', w), keepRun: this.opts.keepRun };
    let carry: Uint8Array = new Uint8Array(0);
    let carryAt = 0;
    const taken = { count: 0 };
    let stopped = false;
    const decode = (bytes: Uint8Array, at: number) => {
      if (!stopped) stopped = !this.emit(printableRuns(bytes, ctx, { baseOffset: at }), taken, path, 'runs', mine);
    };
    const onWindow = (w: Uint8Array, offset: number) => {
      const bytes = carry.length === 0 ? w : concat(carry, w);
      const at = carry.length === 0 ? offset : carryAt;
      const cut = runsCut(bytes);
      decode(bytes.subarray(0, cut), at);
      // The window is only valid during this call: what is carried is copied (a Buffer's slice() would be a view).
      carry = Uint8Array.prototype.slice.call(bytes, cut);
      carryAt = at + cut;
    };
    let given = 0;
    let failure: unknown;
    try {
      given = source.stream!(entry, onWindow, { windowBytes: STREAM_WINDOW_BYTES });
    } catch (e) {
      failure = e;
    }
    decode(carry, carryAt);
    this.flush();
    const got = source.bytesInflated - before;
    if (source.kind !== 'zip') this.budget.charge(got);
    if (mine) {
      this.entries++;
      this.bytesInflated += got;
      // Inflating the entry is part of its time here: a stream cannot be timed apart from what reads it.
      this.account('runs', taken.count, got, performance.now() - t0 - (this.sinkMs - sinkBefore));
      this.diagnostics.push({ entry: path, decoder: 'scan', level: 'info', code: 'scan.entry_streamed', message: `entry of ${failure === undefined ? given : 'more than ' + String(got)} bytes is over the ${this.limits.maxWholeEntryBytes}-byte limit for holding one entry whole: scanned as printable runs while it streamed` });
      if (failure instanceof DecodeError && failure.code.endsWith('.entry_too_large')) {
        this.diagnostics.push({ entry: path, decoder: 'scan', level: 'warning', code: 'scan.entry_too_large', message: failure.message });
      } else if (failure !== undefined) this.diag(path, readerName(source.kind), 'error', failure);
    }
  }

  /** Records a nested archive refused for `d.code`: listed while fewer than MAX_NESTED_LISTED were, then only counted. */
  private refuse(d: Diagnostic, more: (n: number) => string): void {
    const r = this.refused.get(d.code) ?? { count: 0, summary: { entry: '', decoder: d.decoder, level: d.level, code: d.code, message: more } };
    this.refused.set(d.code, r);
    if (++r.count <= MAX_NESTED_LISTED) this.diagnostics.push(d);
  }

  /** Walks a nested zip or gzip as an entry source; false when it cannot be read (the caller falls back to printable runs). */
  private nested(path: string, bytes: Uint8Array, kind: 'zip' | 'gzip', depth: number, mine: boolean): boolean {
    if (depth + 1 > this.limits.maxNestingDepth) {
      if (mine) {
        const max = this.limits.maxNestingDepth;
        this.refuse({ entry: path, decoder: kind, level: 'warning', code: 'scan.nesting_too_deep', message: `archive nested deeper than ${max} levels: not opened` }, (n) => `${n} more archives nested deeper than ${max} levels: not opened`);
      }
      // Not scanned as raw bytes either: printable runs of compressed data are noise, and 42.zip's 65,536 archives
      // five deep would cost the detector about 8 s per GB of them.
      return true;
    }
    const maxNested = this.limits.maxNestedArchiveBytes;
    if (kind === 'zip' && bytes.length > maxNested) {
      this.diagnostics.push({ entry: path, decoder: kind, level: 'warning', code: 'scan.nested_too_large', message: `nested archive of ${bytes.length} bytes is over the ${maxNested}-byte limit: scanned as raw bytes` });
      return false;
    }
    const prefix = `${path}!/`;
    let inner: EntrySource;
    const t0 = performance.now();
    try {
      if (kind === 'gzip') {
        const cap = Math.min(this.limits.maxEntryBytes, maxNested, this.budget.left);
        try {
          inner = gunzipSource(path, bytes, cap);
        } catch (e) {
          // zlib stops at the cap: the work is charged to the artifact's budget like kept bytes.
          if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') this.budget.charge(cap);
          throw e;
        }
      } else {
        const zip = new ZipSource(this.openZip(bufferSource(bytes), prefix, !mine));
        if (mine) this.overlapBomb(zip, path);
        // Ratio before recursing: what the inner archive says it holds against its own size.
        const declared = zip.entries.reduce((sum, e) => sum + e.size, 0);
        const most = Math.max(RATIO_MIN_BYTES, bytes.length * this.limits.maxRatio);
        if (declared > most) {
          if (mine) {
            this.refuse({ entry: path, decoder: 'zip', level: 'error', code: 'scan.nested_bomb', message: `nested archive of ${bytes.length} bytes declares ${declared} bytes of entries (ratio over ${this.limits.maxRatio}): a zip bomb, not opened` }, (n) => `${n} more nested archives declared more than their ratio allows: zip bombs, not opened`);
          }
          return true;
        }
        inner = zip;
      }
    } catch (e) {
      this.diag(path, kind, 'warning', e);
      return false;
    } finally {
      this.unzipMs += performance.now() - t0;
    }
    this.walkSource(inner, prefix, depth + 1);
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
    const ctx: DecodeContext = { entry: path, warn: (w) => this.warning(path, name, w), resources, keepCodeUse: this.keepCodeUse, keepRun: this.opts.keepRun, keepPlain: this.opts.keepPlain, keepLiteral: this.opts.keepLiteral };
    const started = performance.now();
    const sinkBefore = this.sinkMs;
    const taken = { count: 0 };
    let ok = true;
    try {
      this.emit(decode(bytes, ctx), taken, path, name, true);
    } catch (e) {
      ok = false;
      this.diag(path, name, 'error', e);
    }
    this.flush();
    this.account(name, taken.count, bytes.length, performance.now() - started - (this.sinkMs - sinkBefore));
    return ok;
  }

  /**
   * Gives decoded strings to the sink in batches, each followed by the strings its base64 or hex blob decodes to
   * (location `... decoded:base64`), counting them in `taken` against limits.maxStringsPerEntry. False once the cap
   * is passed: the rest are skipped, with one `scan.too_many_strings` when `report`.
   */
  private emit(strings: Iterable<DecodedString>, taken: { count: number }, path: string, decoder: string, report: boolean): boolean {
    const max = this.limits.maxStringsPerEntry;
    const batch = this.batch;
    for (const s of strings) {
      if (++taken.count > max) {
        if (report) this.diagnostics.push({ entry: path, decoder, level: 'warning', code: 'scan.too_many_strings', message: `more than ${max} strings in one entry: the rest were skipped` });
        return false;
      }
      if (batch.push(s) === SINK_BATCH) this.flush();
      if (s.text.length >= MIN_BASE64_CHARS) for (const d of decodedStrings(s)) if (batch.push(d) === SINK_BATCH) this.flush();
    }
    return true;
  }

  /** Counts one entry's work for a decoder: strings, input bytes and time decoding (detection excluded), ms. */
  private account(name: string, strings: number, bytes: number, ms: number): void {
    const d = (this.perDecoder[name] ??= { entries: 0, strings: 0, bytes: 0, ms: 0 });
    d.entries++;
    d.strings += strings;
    d.bytes += bytes;
    d.ms += ms;
    this.strings += strings;
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

/** `a` then `b` in one new array. */
function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * Where to cut a streamed window so that no printable run (ASCII, or UTF-16LE: printable bytes each followed by a
 * zero) crosses the cut: just after a byte that is neither printable nor zero, or after two zero bytes, searched back
 * from the end at most STREAM_CUT_LOOKBACK bytes; the end itself when there is none (a run over 64 KiB is split).
 */
function runsCut(bytes: Uint8Array): number {
  const stop = Math.max(1, bytes.length - STREAM_CUT_LOOKBACK);
  for (let i = bytes.length - 1; i >= stop; i--) {
    const b = bytes[i]!;
    if (b === 0 ? bytes[i - 1] === 0 : b < 0x09 || (b > 0x09 && b < 0x20) || b > 0x7e) return i + 1;
  }
  return bytes.length;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
