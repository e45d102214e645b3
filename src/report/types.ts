import type { ReportFinding } from '../findings.js';
import type { Rating } from '../detect/rating.js';

export type { ReportFinding };

/** Version of the JSON report contract (docs/report.md). Bump on any incompatible change. */
export const REPORT_SCHEMA_VERSION = 1;

export type ArtifactKind = 'apk' | 'ipa' | 'app' | 'aab' | 'xapk' | 'apkm' | 'apks' | 'zip' | 'dex' | 'elf' | 'file';
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
  /** iOS: minimum OS version (Info.plist MinimumOSVersion, else the executable's LC_BUILD_VERSION). */
  minOs?: string;
  /** iOS: developer team id (provisioning profile TeamIdentifier). */
  teamId?: string;
  /** iOS: provisioning profile type: development | ad-hoc | enterprise | app-store. */
  profileType?: string;
  /** iOS: provisioning profile expiry, ISO 8601. */
  profileExpires?: string;
  /** iOS: code-signing identity, the subject CN of the profile's developer certificate. */
  signingIdentity?: string;
  /** iOS: architectures of the main executable (`arm64`, `x86_64`, ...). */
  archs?: string[];
  /** iOS: frameworks and libraries the main executable links (LC_LOAD_DYLIB): which SDKs the app uses. */
  frameworks?: string[];
  /** iOS: a Mach-O of the app is FairPlay-encrypted (cryptid != 0): its code was not scanned, only resources. */
  encrypted?: boolean;
  /** iOS: the encrypted binaries, by entry path. */
  encryptedBinaries?: string[];
}

export interface ReportArtifact {
  path: string;
  sha256: string;
  size: number;
  kind: ArtifactKind;
  platform: Platform;
  app: AppInfo;
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
  /** Work per decoder (entries, strings, input bytes, ms of decoding): where a scan's time went. */
  decoders?: Record<string, { entries: number; strings: number; bytes: number; ms: number }>;
  /** Sum of the scan workers' peak resident memory, MiB (an upper bound on what they held at once). */
  workersPeakRssMb?: number;
}

/** Why part of an artifact was not scanned (src/report/verdict.ts says which diagnostics mean each). */
export type GapKind = 'encrypted' | 'crashed' | 'limit' | 'unread';

/** A part of the artifact whose content was not scanned, from the diagnostic that says so. */
export interface Gap {
  entry: string;
  code: string;
  kind: GapKind;
}

/** Whether every part of the artifact was scanned; an incomplete scan never passes by default. */
export interface Completeness {
  complete: boolean;
  gaps: Gap[];
}

/** The gate's outcome, in a JSON report rendered for a gate (the CLI; the service at the default gate). */
export interface ReportVerdict {
  status: 'pass' | 'fail' | 'incomplete';
  failOn: string;
  allowIncomplete: boolean;
  failing: number;
  exitCode: number;
}

export interface Report {
  schemaVersion: number;
  tool: { name: string; version: string };
  artifact: ReportArtifact;
  findings: ReportFinding[];
  /** A-F exposure rating of the artifact (formula in docs/rules.md, "Exposure rating"). */
  rating: Rating;
  diagnostics: Diagnostic[];
  /** What was not scanned (absent from reports made before it existed: it is derived from `diagnostics`). */
  completeness?: Completeness;
  /** Only in a rendered JSON report: the verdict under the gate it was rendered for. */
  verdict?: ReportVerdict;
  stats: ReportStats;
  /** Findings accepted by a baseline or an ignore file: reported, never counted by --fail-on. Absent when none. */
  suppressed?: SuppressedFinding[];
}

/** Why a finding does not count: an entry of a baseline file or of an ignore file (.leakdexignore). */
export interface Suppression {
  kind: 'baseline' | 'ignore';
  /** The file that accepted it, as given. */
  file: string;
  /** Ignore files: the reason written beside the fingerprint. */
  reason?: string;
  /** Ignore files: the last day (YYYY-MM-DD, UTC) the entry holds; the finding counts again after it. */
  expires?: string;
}

/** A finding accepted by a baseline or ignore entry. */
export interface SuppressedFinding extends ReportFinding {
  suppression: Suppression;
}
