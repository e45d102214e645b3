import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import { bufferSource } from '../../decoders/zip.js';
import { basename } from 'node:path';
import { statSync } from 'node:fs';
import type { DecodedString } from '../../decoders/types.js';
import { detectorWith } from '../detect/engine.js';
import type { Rule } from '../../rules/types.js';
import { ArtifactWalker, type WalkOptions, type WalkResult } from './scan.js';
import { FileSource } from './source.js';
import { DirectorySource } from './directory.js';
import type { Report } from '../report/types.js';
import { buildReport, type ShardResult } from './merge.js';

export type { ShardResult } from './merge.js';

export interface ScanOptions extends WalkOptions {
  /** Put full secret values in the report (off by default: reports are redacted). */
  showSecrets?: boolean;
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
  const walk = walkWith(new ArtifactWalker((s) => detector.feed(s), { ...opts, keepCodeUse: detector.readsCode }));
  const t0 = performance.now();
  const findings = detector.findings();
  walk.stages.detect += Math.round((performance.now() - t0) * 10) / 10;
  return buildReport(opts.displayPath ?? path, digest.sha256, digest.size, walk, findings, opts.showSecrets === true, performance.now() - started);
}

/** Walks one shard of a file or directory (see WalkOptions.shard) and keeps only the strings a rule matched, for merging. */
export function walkShardSync(path: string, opts: WalkOptions & Pick<ScanOptions, 'rules'> = {}): ShardResult {
  const src = isDirectory(path) ? undefined : new FileSource(path);
  try {
    const detector = detectorWith(opts.rules);
    const hits: DecodedString[] = [];
    const walker = new ArtifactWalker((s) => {
      if (detector.feed(s)) hits.push(s);
    }, { ...opts, keepCodeUse: detector.readsCode });
    return { walk: walkPath(walker, path, src), hits };
  } finally {
    src?.close();
  }
}


/** Every decoded string of an artifact (a file or a directory), in order, for checking decoders against other tools. */
export function dumpFileSync(path: string, onString: (s: DecodedString) => void, opts: WalkOptions = {}): WalkResult {
  const src = isDirectory(path) ? undefined : new FileSource(path);
  try {
    return walkPath(new ArtifactWalker(onString, opts), path, src);
  } finally {
    src?.close();
  }
}

