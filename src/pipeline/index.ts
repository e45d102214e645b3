import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import { bufferSource } from '../../decoders/zip.js';
import { basename } from 'node:path';
import type { DecodedString } from '../../decoders/types.js';
import { Detector } from '../detect/engine.js';
import type { Finding } from '../detect/types.js';
import { ArtifactWalker, type WalkOptions, type WalkResult } from './scan.js';
import { FileSource } from './source.js';
import { REPORT_SCHEMA_VERSION, type Report, type ReportFinding } from '../report/types.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';

export interface ScanOptions extends WalkOptions {
  /** Put full secret values in the report (off by default: reports are redacted). */
  showSecrets?: boolean;
  /** Path shown in the report (default: the path scanned). */
  displayPath?: string;
}

/** Scans one artifact file synchronously: Artifact -> Entries -> DecodedStrings -> Findings -> Report. */
export function scanFileSync(path: string, opts: ScanOptions = {}): Report {
  const started = performance.now();
  const src = new FileSource(path);
  try {
    const sha256 = src.sha256();
    const detector = new Detector();
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
  const detector = new Detector();
  const walk = new ArtifactWalker((s) => detector.feed(s), opts).walk(bufferSource(bytes), name);
  const t0 = performance.now();
  const findings = detector.findings();
  walk.stages.detect += Math.round((performance.now() - t0) * 10) / 10;
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return buildReport(opts.displayPath ?? name, sha256, bytes.length, walk, findings, opts.showSecrets === true, performance.now() - started);
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
    artifact: { path, sha256, size, kind: walk.kind, platform: walk.platform, app: walk.app },
    findings: findings.map((f) => reportFinding(f, showSecrets)),
    diagnostics: walk.diagnostics,
    stats: {
      entries: walk.entries,
      bytesRead: walk.bytesRead,
      bytesInflated: walk.bytesInflated,
      strings: walk.strings,
      durationMs: Math.round(durationMs),
      stages: walk.stages,
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
