import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import { bufferSource } from '../../decoders/zip.js';
import { basename } from 'node:path';
import type { DecodedString } from '../../decoders/types.js';
import { type Detector, detectorWith } from '../detect/engine.js';
import { findingsOfShards, type PartialFindings } from '../detect/partial.js';
import type { Rule } from '../../rules/types.js';
import { ArtifactWalker, type WalkOptions, type WalkResult } from './scan.js';
import { FileSource } from './source.js';
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

/** Scans one artifact file synchronously: Artifact -> Entries -> DecodedStrings -> Findings -> Report. */
export function scanFileSync(path: string, opts: ScanOptions = {}): Report {
  const started = performance.now();
  const src = new FileSource(path);
  try {
    const sha256 = src.sha256();
    const detector = detectorWith(opts.rules);
    const walker = new ArtifactWalker((s) => detector.feed(s), { ...opts, keepCodeUse: detector.readsCode });
    const walk = walker.walk(src, basename(path));
    const findings = timed(walk, () => findingsOfShards([detectionOf(detector, opts)]));
    return buildReport(opts.displayPath ?? path, sha256, src.size, walk, findings, performance.now() - started);
  } finally {
    src.close();
  }
}

/** Scans an artifact held in memory (uploads already on disk use scanFileSync). */
export function scanBytesSync(bytes: Uint8Array, name: string, opts: ScanOptions = {}): Report {
  const started = performance.now();
  const detector = detectorWith(opts.rules);
  const walk = new ArtifactWalker((s) => detector.feed(s), { ...opts, keepCodeUse: detector.readsCode }).walk(bufferSource(bytes), name);
  const findings = timed(walk, () => findingsOfShards([detectionOf(detector, opts)]));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return buildReport(opts.displayPath ?? name, sha256, bytes.length, walk, findings, performance.now() - started);
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
  const src = new FileSource(path);
  try {
    const detector = detectorWith(opts.rules);
    const walk = new ArtifactWalker((s) => detector.feed(s), { ...opts, keepCodeUse: detector.readsCode }).walk(src, basename(path));
    return { walk, detection: timed(walk, () => detectionOf(detector, opts)) };
  } finally {
    src.close();
  }
}


/** Every decoded string of an artifact, in order, for checking decoders against other tools. */
export function dumpFileSync(path: string, onString: (s: DecodedString) => void, opts: WalkOptions = {}): WalkResult {
  const src = new FileSource(path);
  try {
    return new ArtifactWalker(onString, opts).walk(src, basename(path));
  } finally {
    src.close();
  }
}

