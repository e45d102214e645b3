import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import { bufferSource } from '../../decoders/zip.js';
import { basename } from 'node:path';
import type { DecodedString } from '../../decoders/types.js';
import { detectorWith } from '../detect/engine.js';
import { rate } from '../detect/rating.js';
import type { Rule } from '../../rules/types.js';
import type { Finding } from '../detect/types.js';
import { ArtifactWalker, type WalkOptions, type WalkResult } from './scan.js';
import { FileSource } from './source.js';
import { markEncrypted } from './ios.js';
import { REPORT_SCHEMA_VERSION, type Report, type ReportFinding } from '../report/types.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';

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
    const walker = new ArtifactWalker((s) => detector.feed(s), opts);
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
  const walk = new ArtifactWalker((s) => detector.feed(s), opts).walk(bufferSource(bytes), name);
  const t0 = performance.now();
  const findings = detector.findings();
  walk.stages.detect += Math.round((performance.now() - t0) * 10) / 10;
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return buildReport(opts.displayPath ?? name, sha256, bytes.length, walk, findings, opts.showSecrets === true, performance.now() - started);
}

/** One shard's share of a parallel scan: its walk and the strings that produced detector candidates. */
export interface ShardResult {
  walk: WalkResult;
  hits: DecodedString[];
}

/** Walks one shard of a file (see WalkOptions.shard) and keeps only the strings a rule matched, for merging. */
export function walkShardSync(path: string, opts: WalkOptions & Pick<ScanOptions, 'rules'> = {}): ShardResult {
  const src = new FileSource(path);
  try {
    const detector = detectorWith(opts.rules);
    const hits: DecodedString[] = [];
    const walk = new ArtifactWalker((s) => {
      if (detector.feed(s)) hits.push(s);
    }, opts).walk(src, basename(path));
    return { walk, hits };
  } finally {
    src.close();
  }
}

/** Merges the shards of one artifact into a report: hit strings re-fed in shard order, stats summed. */
export function mergeShards(path: string, sha256: string, size: number, shards: ShardResult[], showSecrets: boolean, durationMs: number, rules?: Rule[]): Report {
  const detector = detectorWith(rules);
  for (const sh of shards) for (const s of sh.hits) detector.feed(s);
  const t0 = performance.now();
  const findings = detector.findings();
  const first = shards[0]!.walk;
  const walk: WalkResult = {
    ...first,
    app: shards.find((sh) => Object.keys(sh.walk.app).length > 0)?.walk.app ?? first.app,
    diagnostics: shards.flatMap((sh) => sh.walk.diagnostics),
    entries: 0,
    bytesRead: 0,
    bytesInflated: 0,
    strings: 0,
    stages: { unzip: 0, decode: 0, detect: Math.round((performance.now() - t0) * 10) / 10 },
  };
  walk.decoders = {};
  for (const sh of shards) {
    for (const [k, v] of Object.entries(sh.walk.decoders)) {
      const d = (walk.decoders[k] ??= { entries: 0, strings: 0, bytes: 0, ms: 0 });
      d.entries += v.entries;
      d.strings += v.strings;
      d.bytes += v.bytes;
      d.ms = Math.round((d.ms + v.ms) * 10) / 10;
    }
    walk.entries += sh.walk.entries;
    walk.bytesRead += sh.walk.bytesRead;
    walk.bytesInflated += sh.walk.bytesInflated;
    walk.strings += sh.walk.strings;
    walk.stages.unzip += sh.walk.stages.unzip;
    walk.stages.decode += sh.walk.stages.decode;
    walk.stages.detect += sh.walk.stages.detect;
  }
  const r1 = (ms: number) => Math.round(ms * 10) / 10;
  walk.stages = { unzip: r1(walk.stages.unzip), decode: r1(walk.stages.decode), detect: r1(walk.stages.detect) };
  return buildReport(path, sha256, size, walk, findings, showSecrets, durationMs);
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

export function buildReport(path: string, sha256: string, size: number, walk: WalkResult, findings: Finding[], showSecrets: boolean, durationMs: number): Report {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    artifact: markEncrypted({ path, sha256, size, kind: walk.kind, platform: walk.platform, app: walk.app }, walk.diagnostics),
    findings: findings.map((f) => reportFinding(f, showSecrets)),
    rating: rate(findings),
    diagnostics: walk.diagnostics,
    stats: {
      entries: walk.entries,
      bytesRead: walk.bytesRead,
      bytesInflated: walk.bytesInflated,
      strings: walk.strings,
      durationMs: Math.round(durationMs),
      stages: walk.stages,
      decoders: walk.decoders,
    },
  };
}

function reportFinding(f: Finding, showSecrets: boolean): ReportFinding {
  const out: ReportFinding = {
    ruleId: f.ruleId,
    provider: f.provider,
    title: f.title,
    severity: f.severity,
    confidence: f.confidence,
    redacted: f.redacted,
    fingerprint: f.fingerprint,
    locations: f.locations,
  };
  if (f.reason) out.reason = f.reason;
  if (f.pairedWith?.length) out.pairedWith = f.pairedWith;
  if (showSecrets) out.secret = f.secret;
  return out;
}
