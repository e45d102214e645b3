import type { Confidence, FindingLocation, Severity } from '../detect/types.js';

/** Version of the JSON report contract (docs/report.md). Bump on any incompatible change. */
export const REPORT_SCHEMA_VERSION = 1;

export type ArtifactKind = 'apk' | 'ipa' | 'aab' | 'xapk' | 'apkm' | 'apks' | 'zip' | 'dex' | 'elf' | 'file';
export type Platform = 'android' | 'ios' | 'unknown';

/** App identity of the artifact: the key of per-version history. */
export interface AppInfo {
  id?: string;
  name?: string;
  versionName?: string;
  versionCode?: string;
  minSdk?: string;
  targetSdk?: string;
  /** SHA-256 (lower hex) of the first signer certificate. */
  signer?: string;
  /** Which signature scheme gave `signer`: v3, v2 or v1. */
  signatureScheme?: string;
}

export interface ReportArtifact {
  path: string;
  sha256: string;
  size: number;
  kind: ArtifactKind;
  platform: Platform;
  app: AppInfo;
}

export interface ReportFinding {
  ruleId: string;
  provider: string;
  title: string;
  severity: Severity;
  confidence: Confidence;
  reason?: string;
  redacted: string;
  /** Present only when the report was made with --show-secrets. */
  secret?: string;
  fingerprint: string;
  locations: FindingLocation[];
  pairedWith?: string[];
}

export type DiagnosticLevel = 'error' | 'warning' | 'info';

/** A problem met while reading the artifact: part of the report, never only a log line. */
export interface Diagnostic {
  entry: string;
  decoder: string;
  level: DiagnosticLevel;
  code: string;
  message: string;
  offset?: number;
}

export interface ReportStats {
  entries: number;
  bytesRead: number;
  bytesInflated: number;
  strings: number;
  durationMs: number;
  /** Time per stage, ms: reading and inflating entries, decoding, detection. */
  stages: { unzip: number; decode: number; detect: number };
}

export interface Report {
  schemaVersion: number;
  tool: { name: string; version: string };
  artifact: ReportArtifact;
  findings: ReportFinding[];
  diagnostics: Diagnostic[];
  stats: ReportStats;
}
