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

/** Options of one shard's walk in a scan worker. */
export type ShardOptions = WalkOptions & Pick<ScanOptions, 'rules' | 'fingerprintKey' | 'showSecrets'>;


/**
 * Walks one shard of a file (see WalkOptions.shard) and returns what its Detector found, fingerprinted as `opts`
 * say, for merging: raw values only when `opts.showSecrets`.
 */
export function walkShardSync(path: string, opts: ShardOptions = {}): ShardResult {
  const src = isDirectory(path) ? undefined : new FileSource(path);
  try {
    const detector = detectorWith(opts.rules);
    const walk = walkPath(new ArtifactWalker((s) => detector.feed(s), { ...opts, keepCodeUse: detector.readsCode, ...detector.byteFilters() }), path, src);
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

