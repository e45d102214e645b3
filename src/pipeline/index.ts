import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import { bufferSource } from '../../decoders/zip.js';
import { basename } from 'node:path';
import type { DecodedString } from '../../decoders/types.js';
import { detectorWith } from '../detect/engine.js';
import type { Rule } from '../../rules/types.js';
import { ArtifactWalker, type WalkOptions, type WalkResult } from './scan.js';
import { FileSource } from './source.js';
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

/** Scans one artifact file synchronously: Artifact -> Entries -> DecodedStrings -> Findings -> Report. */
export function scanFileSync(path: string, opts: ScanOptions = {}): Report {
  const started = performance.now();
  const src = new FileSource(path);
  try {
    const sha256 = src.sha256();
    const detector = detectorWith(opts.rules);
    const walker = new ArtifactWalker((s) => detector.feed(s), { ...opts, keepCodeUse: detector.readsCode });
    const walk = walker.walk(src, basename(path));
    const t0 = performance.now();
    const findings = detector.findings();
    walk.stages.detect += Math.round((performance.now() - t0) * 10) / 10;
    return buildReport(opts.displayPath ?? path, sha256, src.size, walk, findings, opts.showSecrets === true, performance.now() - started);
  } finally {
    src.close();
  }
}

/** Scans an artifact held in memory (uploads already on disk use scanFileSync). */
export function scanBytesSync(bytes: Uint8Array, name: string, opts: ScanOptions = {}): Report {
  const started = performance.now();
  const detector = detectorWith(opts.rules);
  const walk = new ArtifactWalker((s) => detector.feed(s), { ...opts, keepCodeUse: detector.readsCode }).walk(bufferSource(bytes), name);
  const t0 = performance.now();
  const findings = detector.findings();
  walk.stages.detect += Math.round((performance.now() - t0) * 10) / 10;
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return buildReport(opts.displayPath ?? name, sha256, bytes.length, walk, findings, opts.showSecrets === true, performance.now() - started);
}


/** Walks one shard of a file (see WalkOptions.shard) and keeps only the strings a rule matched, for merging. */
export function walkShardSync(path: string, opts: WalkOptions & Pick<ScanOptions, 'rules'> = {}): ShardResult {
  const src = new FileSource(path);
  try {
    const detector = detectorWith(opts.rules);
    const hits: DecodedString[] = [];
    const walk = new ArtifactWalker((s) => {
      if (detector.feed(s)) hits.push(s);
    }, { ...opts, keepCodeUse: detector.readsCode }).walk(src, basename(path));
    return { walk, hits };
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

