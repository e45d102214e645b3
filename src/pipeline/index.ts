import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import { bufferSource } from '../../decoders/zip.js';
import { basename } from 'node:path';
import { statSync } from 'node:fs';
import type { DecodedString } from '../../decoders/types.js';
import { type Detector, detectorWith } from '../detect/engine.js';
import { findingsOfShards, type PartialFindings } from '../detect/partial.js';
import type { Rule } from '../../rules/types.js';
import { ArtifactWalker, type WalkOptions, type WalkResult } from './scan.js';
import { FileSource } from './source.js';
import { DirectorySource } from './directory.js';
import type { Report } from '../report/types.js';
import { buildReport, type ShardResult } from './merge.js';

export type { ShardResult } from './merge.js';

export interface ScanOptions extends WalkOptions {
  /** Keep full secret values: in the report, and in what a scan worker sends back (off by default: redacted). */
  showSecrets?: boolean;
  /**
   * Key of HMAC-SHA256 finding fingerprints (the service's); without one, fingerprints are plain SHA-256 of rule and
   * value. Key bytes, not a function: scan workers are other processes.
   */
  fingerprintKey?: Uint8Array;
  /** Path shown in the report (default: the path scanned). */
  displayPath?: string;
  /** User rules (validated, see src/detect/user-rules.ts), used alongside the built-in rules. */
  rules?: Rule[];
}

/** True when `path` is a directory: it is scanned in place as a set of entries (see directory.ts). */
function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Walks the file or directory at `path` with `walker`. */
function walkPath(walker: ArtifactWalker, path: string, src: FileSource | undefined): WalkResult {
  return src ? walker.walk(src, basename(path)) : walker.walkDirectory(path);
}

/** Scans one artifact file or directory synchronously: Artifact -> Entries -> DecodedStrings -> Findings -> Report. */
export function scanFileSync(path: string, opts: ScanOptions = {}): Report {
  const started = performance.now();
  if (isDirectory(path)) {
    let digest = { sha256: createHash('sha256').digest('hex'), size: 0 };
    try {
      const listed = DirectorySource.open(path, { limits: opts.limits ?? {} });
      digest = { sha256: listed.sha256Sync(), size: listed.size };
    } catch {
      // The walk reports why the directory cannot be read.
    }
    return scanWith(opts, path, digest, started, (walker) => walker.walkDirectory(path));
  }
  const src = new FileSource(path);
  try {
    return scanWith(opts, path, { sha256: src.sha256(), size: src.size }, started, (walker) => walker.walk(src, basename(path)));
  } finally {
    src.close();
  }
}

/** Scans an artifact held in memory (uploads already on disk use scanFileSync). */
export function scanBytesSync(bytes: Uint8Array, name: string, opts: ScanOptions = {}): Report {
  const started = performance.now();
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return scanWith(opts, name, { sha256, size: bytes.length }, started, (walker) => walker.walk(bufferSource(bytes), name));
}

/** Walks with a fresh detector and builds the report of the artifact at `path`. */
function scanWith(opts: ScanOptions, path: string, digest: { sha256: string; size: number }, started: number, walkWith: (walker: ArtifactWalker) => WalkResult): Report {
  const detector = detectorWith(opts.rules);
  const walk = walkWith(new ArtifactWalker((s) => detector.feed(s), { ...opts, keepCodeUse: detector.readsCode, ...detector.byteFilters() }));
  const findings = timed(walk, () => findingsOfShards([detectionOf(detector, opts)]));
  return buildReport(opts.displayPath ?? path, digest.sha256, digest.size, walk, findings, performance.now() - started);
}

/** What `detector` found, fingerprinted as `opts` say, values only when `opts.showSecrets`. */
function detectionOf(detector: Detector, opts: Pick<ScanOptions, 'fingerprintKey' | 'showSecrets'>): PartialFindings {
  return detector.partial({ fingerprintKey: opts.fingerprintKey, keepSecrets: opts.showSecrets === true });
}

/** Runs `make`, adding its time to the walk's detect stage. */
function timed<T>(walk: WalkResult, make: () => T): T {
  const t0 = performance.now();
  const out = make();
  walk.stages.detect += Math.round((performance.now() - t0) * 10) / 10;
  return out;
}

/** A Detector and the byte filters of one walk, not yet fed. */
interface Prepared {
  rules: readonly Rule[] | undefined;
  detector: Detector;
  filters: ReturnType<Detector['byteFilters']>;
}

function fresh(rules: readonly Rule[] | undefined): Prepared {
  const detector = detectorWith(rules);
  return { rules, detector, filters: detector.byteFilters() };
}

let prepared: Prepared | undefined;

/**
 * Builds the Detector and byte filters of the next walkShardSync with these user rules (none: the built-in rules
 * alone) ahead of it: a scan worker does this while it waits for its scan, which takes 35-65 ms of a fresh process's
 * CPU here (the built-in rules checked once, the keyword automaton, the run filter's tables). Throws as the scan would
 * on invalid rules.
 */
export function prepareShardDetector(rules?: readonly Rule[]): void {
  if (!shardDetectorPrepared(rules)) prepared = fresh(rules);
}

/** Whether the next walkShardSync with these user rules will take a prepared Detector. */
export function shardDetectorPrepared(rules?: readonly Rule[]): boolean {
  const none = (r: readonly Rule[] | undefined) => r === undefined || r.length === 0;
  return prepared !== undefined && (prepared.rules === rules || (none(prepared.rules) && none(rules)));
}

/** The prepared Detector, if it was made for exactly these rules; it is used once. */
function takePrepared(rules: readonly Rule[] | undefined): Prepared | undefined {
  const p = shardDetectorPrepared(rules) ? prepared : undefined;
  prepared = undefined;
  return p;
}

/** Options of one shard's walk in a scan worker. */
export type ShardOptions = WalkOptions & Pick<ScanOptions, 'rules' | 'fingerprintKey' | 'showSecrets'>;


/**
 * Walks one shard of a file (see WalkOptions.shard) and returns what its Detector found, fingerprinted as `opts`
 * say, for merging: raw values only when `opts.showSecrets`.
 */
export function walkShardSync(path: string, opts: ShardOptions = {}): ShardResult {
  const src = isDirectory(path) ? undefined : new FileSource(path);
  try {
    const { detector, filters } = takePrepared(opts.rules) ?? fresh(opts.rules);
    const walk = walkPath(new ArtifactWalker((s) => detector.feed(s), { ...opts, keepCodeUse: detector.readsCode, ...filters }), path, src);
    return { walk, detection: timed(walk, () => detectionOf(detector, opts)) };
  } finally {
    src?.close();
  }
}


/** Every decoded string of an artifact, in order, for checking decoders against other tools. */
export function dumpFileSync(path: string, onString: (s: DecodedString) => void, opts: WalkOptions = {}): WalkResult {
  const src = isDirectory(path) ? undefined : new FileSource(path);
  try {
    return walkPath(new ArtifactWalker(onString, opts), path, src);
  } finally {
    src?.close();
  }
}

