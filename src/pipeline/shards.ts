import type { EntrySource, SourceEntry } from './entries.js';
import { aabRole, type SplitSet } from './app-layout.js';
import type { ArtifactKind } from '../report/types.js';

// Parallel scans split one artifact's entries among shards (worker processes). This module decides, for every entry
// of every archive a shard walks, what that shard does with it; the walker only follows the decision.

/**
 * A DEX byte costs more to scan than a byte of most other entries: its code is walked for code contexts as well as its
 * strings read. Measured on the 17 MB uiautomator2 server APK (two shards, medians of three): by size alone the shard
 * holding classes.dex took 1,015 ms and the other 853 ms; with DEX weighed 1.5x, 931 and 870 ms.
 */
const DEX_COST_WEIGHT = 1.5;
const DEX_NAME = /(?:^|\/)classes\d*\.dex$/;

/** One shard of a parallel walk: its index among `count` shards. */
export interface Shard {
  index: number;
  count: number;
}

/**
 * Splits entries into `count` shards of about equal size (largest first, each to the lightest shard). Deterministic
 * for a given listing, so every shard worker computes the same split. Directory records belong to no shard.
 */
export function shardOf(entries: readonly SourceEntry[], count: number): Map<SourceEntry, number> {
  const owner = new Map<SourceEntry, number>();
  const load = new Array<number>(count).fill(0);
  // Every entry costs something to look at, however small it claims to be.
  const cost = (e: SourceEntry) => (Math.min(e.size, 1 << 30) + 4096) * (DEX_NAME.test(e.name) ? DEX_COST_WEIGHT : 1);
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

/** True for the shard that reports what concerns the whole artifact: its identity and its own container's warnings (shard 0). */
export function reportsArtifact(shard: Shard | undefined): boolean {
  return (shard?.index ?? 0) === 0;
}

/**
 * What one shard does with one entry of an archive it walks:
 * - `mine`: read, decode and report it (every entry is `mine` when the walk is not sharded);
 * - `resource-only`: a resource table another shard owns. This shard reads and parses it quietly (no diagnostics, not
 *   counted) because its own entries resolve references through it (a manifest's `@string/...`), and reports nothing;
 * - `split-apk`: an inner APK of a split set that another shard owns. Every shard opens every inner APK, quietly when
 *   not its own, and walks its share of that APK's entries, so one large split is spread over all shards;
 * - `skip`: another shard's entry.
 */
export type EntryRole = 'mine' | 'resource-only' | 'split-apk' | 'skip';

/** A resource table: resources.arsc (APK), or one of an AAB's `<module>/resources.pb`. */
export type TableKind = 'arsc' | 'aapt';

/** One entry of an archive in walk order, with its role for this shard. */
export interface PlannedEntry {
  entry: SourceEntry;
  role: EntryRole;
  /** Set when the entry is a resource table the archive's other entries resolve through. */
  table?: TableKind;
}

/**
 * Which entries one shard walks. The entries split among shards are those of the artifact itself and those of a split
 * set's inner APKs; entries of any other nested archive belong to whoever walks that archive.
 */
export class ShardPlan {
  constructor(
    private readonly shard: Shard | undefined,
    private readonly kind: ArtifactKind,
    private readonly splitSet: SplitSet | undefined,
  ) {}

  /** True for the shard that reports what concerns the whole artifact (see reportsArtifact). */
  get reportsArtifact(): boolean {
    return reportsArtifact(this.shard);
  }

  /**
   * The entries of the archive at `prefix` (`''` for the artifact, `base.apk!/` for an inner APK; `depth` levels
   * down) in walk order, resource tables first so references resolve, each with its role; directory records left out.
   */
  plan(source: EntrySource, prefix: string, depth: number): PlannedEntry[] {
    const tables = this.tables(source, prefix);
    const order = [...tables.keys(), ...source.entries.filter((e) => !tables.has(e))];
    const shard = this.shard && this.shard.count > 1 && (prefix === '' || (depth === 1 && this.isSplitApk(prefix))) ? this.shard : undefined;
    const owner = shard ? shardOf(source.entries, shard.count) : undefined;
    const planned: PlannedEntry[] = [];
    for (const entry of order) {
      if (entry.isDirectory) continue;
      const table = tables.get(entry);
      let role: EntryRole;
      if (!owner || owner.get(entry) === shard!.index) role = 'mine';
      else if (table) role = 'resource-only';
      else if (prefix === '' && this.splitSet?.apks.has(entry)) role = 'split-apk';
      else role = 'skip';
      planned.push(table ? { entry, role, table } : { entry, role });
    }
    return planned;
  }

  /** The resource tables of an archive: its first resources.arsc, and at the top of an AAB every module's resources.pb. */
  private tables(source: EntrySource, prefix: string): Map<SourceEntry, TableKind> {
    const tables = new Map<SourceEntry, TableKind>();
    // A loose file (or a gzip entry's content) is one entry whatever its name: nothing resolves through it.
    if (source.kind === 'file') return tables;
    const arsc = source.entries.find((e) => e.name === 'resources.arsc');
    if (arsc) tables.set(arsc, 'arsc');
    // An AAB's tables are read as one resolver (resource ids are unique across modules).
    if (prefix === '' && this.kind === 'aab') for (const e of source.entries) if (aabRole(e.name) === 'table') tables.set(e, 'aapt');
    return tables;
  }

  /** True when `prefix` is an inner APK of the split set (`config.arm64_v8a.apk!/`). */
  private isSplitApk(prefix: string): boolean {
    if (!this.splitSet || !prefix.endsWith('!/')) return false;
    for (const e of this.splitSet.apks) if (`${e.name}!/` === prefix) return true;
    return false;
  }
}
