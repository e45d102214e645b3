/**
 * Turning walks into a report: shard merging, findings, rating. Kept apart from the decoders so that a process that
 * only coordinates workers (the CLI, the service) never loads them.
 */
import { performance } from 'node:perf_hooks';
import { findingsOfShards, type PartialFindings } from '../detect/partial.js';
import { rate } from '../detect/rating.js';
import type { Finding } from '../detect/types.js';
import type { WalkResult } from './scan.js';
import { markEncrypted } from './encrypted.js';
import { REPORT_SCHEMA_VERSION, type Report } from '../report/types.js';
import { toReportFinding } from '../findings.js';
import { capRating, scanGaps } from '../report/verdict.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';

/**
 * One shard's share of a scan, as a worker sends it: its walk and what its Detector found, fingerprinted, values
 * only when the scan keeps them.
 */
export interface ShardResult {
  walk: WalkResult;
  detection: PartialFindings;
  /** Peak resident memory of the worker that walked this shard, MiB. */
  peakRssMb?: number;
}

/** Merges the shards of one artifact into a report: detections merged in shard order, stats summed. */
export function mergeShards(path: string, sha256: string, size: number, shards: ShardResult[], durationMs: number): Report {
  const t0 = performance.now();
  const findings = findingsOfShards(shards.map((sh) => sh.detection));
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
  const report = buildReport(path, sha256, size, walk, findings, durationMs);
  const peaks = shards.map((sh) => sh.peakRssMb ?? 0);
  if (peaks.some((p) => p > 0)) report.stats.workersPeakRssMb = Math.round(peaks.reduce((a, b) => a + b, 0));
  return report;
}

/** The report of one walk and its findings (values in the report when the findings carry them). */
export function buildReport(path: string, sha256: string, size: number, walk: WalkResult, findings: Finding[], durationMs: number): Report {
  const artifact = markEncrypted({ path, sha256, size, kind: walk.kind, platform: walk.platform, app: walk.app }, walk.diagnostics);
  const gaps = scanGaps({ artifact, diagnostics: walk.diagnostics });
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    artifact,
    findings: findings.map((f) => toReportFinding(f, true)),
    rating: capRating(rate(findings), gaps),
    diagnostics: walk.diagnostics,
    completeness: { complete: gaps.length === 0, gaps },
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
