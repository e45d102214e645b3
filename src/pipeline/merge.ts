/**
 * Turning walks into a report: shard merging, findings, rating. Kept apart from the decoders so that a process that
 * only coordinates workers (the CLI, the service) never loads them.
 */
import { performance } from 'node:perf_hooks';
import type { DecodedString } from '../../decoders/types.js';
import { detectorWith } from '../detect/engine.js';
import { rate } from '../detect/rating.js';
import type { Rule } from '../../rules/types.js';
import type { Finding } from '../detect/types.js';
import type { WalkResult } from './scan.js';
import { markEncrypted } from './encrypted.js';
import { REPORT_SCHEMA_VERSION, type Report, type ReportFinding } from '../report/types.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';

/** One shard's share of a parallel scan: its walk and the strings that produced detector candidates. */
export interface ShardResult {
  walk: WalkResult;
  hits: DecodedString[];
  /** Peak resident memory of the worker that walked this shard, MiB. */
  peakRssMb?: number;
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
  const report = buildReport(path, sha256, size, walk, findings, showSecrets, durationMs);
  const peaks = shards.map((sh) => sh.peakRssMb ?? 0);
  if (peaks.some((p) => p > 0)) report.stats.workersPeakRssMb = Math.round(peaks.reduce((a, b) => a + b, 0));
  return report;
}

/** The report of one walk and its findings. */
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
