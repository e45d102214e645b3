import type { Severity } from '../detect/types.js';
import type { StoredFinding } from '../findings.js';

/** Lifecycle of a scan job: a contract with clients. */
export type ScanStatus = 'queued' | 'running' | 'done' | 'failed';

/** What an API key may do: read data, write (upload, delete scans), administer (everything, /metrics, raw secrets). */
export type Scope = 'read' | 'write' | 'admin';
export const SCOPES: readonly Scope[] = ['read', 'write', 'admin'];

/** A/B/C/D/F rating of a scan from its worst finding (docs/service.md). */
export type Rating = 'A' | 'B' | 'C' | 'D' | 'F';

/** An isolated owner of apps, scans, findings and keys. */
export interface Tenant {
  id: string;
  name: string;
  createdAt: number;
}

/** A stored API key: only the SHA-256 of its secret part is kept. */
export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  tenantName: string;
  name: string | null;
  /** Lower-hex SHA-256 of the key's secret part. */
  hash: string;
  scopes: Scope[];
  createdAt: number;
  revokedAt: number | null;
}

/** Counts by severity. */
export type SeverityCounts = Record<Severity, number>;

/** What a finished scan found, kept on the scan row for status requests. */
export interface ScanSummary {
  findings: number;
  bySeverity: SeverityCounts;
  diagnostics: number;
  /** Parts of the app that were not scanned (src/report/verdict.ts); absent on scans stored before it was kept. */
  unscanned?: number;
  durationMs: number;
  kind: string;
  platform: string;
  app: { id?: string; name?: string; versionName?: string; versionCode?: string; signer?: string };
}

/** One scan job and, once done, its outcome. Times are ms since the epoch. */
export interface ScanRecord {
  id: string;
  tenantId: string;
  status: ScanStatus;
  sha256: string;
  size: number;
  filename: string;
  /** Where the upload waits for its scan (the file is removed once the scan ends, unless jobs.keepUploads). */
  uploadPath: string | null;
  /** Entries in the archive's central directory, counted at upload. */
  entriesTotal: number | null;
  entriesDone: number;
  attempts: number;
  runner: string | null;
  leaseUntil: number | null;
  error: string | null;
  summary: ScanSummary | null;
  rating: Rating | null;
  appId: string | null;
  versionId: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** The findings are to be verified after the scan (`?verify=true` or the tenant's setting). */
  verify: boolean;
}

/** Fields of a scan created by an upload. */
export interface NewScan {
  id: string;
  tenantId: string;
  sha256: string;
  size: number;
  filename: string;
  uploadPath: string;
  entriesTotal: number | null;
  createdAt: number;
  /** Verify the findings after the scan. */
  verify?: boolean;
}

/** An app: platform plus package name (Android) or bundle id (iOS), within one tenant. */
export interface AppRecord {
  id: string;
  tenantId: string;
  platform: string;
  packageId: string;
  name: string | null;
  createdAt: number;
  updatedAt: number;
}

/** One version of an app (versionName + versionCode), pointing at the latest scan of it. */
export interface VersionRecord {
  id: string;
  tenantId: string;
  appId: string;
  versionName: string | null;
  versionCode: string | null;
  signer: string | null;
  scanId: string;
  sha256: string;
  findings: number;
  rating: Rating | null;
  createdAt: number;
  updatedAt: number;
}

/**
 * A finding row: the stored finding of one scan of one version. `fingerprint` is HMAC-SHA256 (server key) of rule id
 * and value: stable across versions, useless for guessing values; the raw value only encrypted and only when enabled.
 */
export interface FindingRecord extends StoredFinding {
  id: string;
  tenantId: string;
  appId: string;
  versionId: string;
  scanId: string;
}

/** What completing a scan writes, atomically. */
export interface ScanCompletion {
  summary: ScanSummary;
  rating: Rating;
  /** The stored (redacted, keyed) JSON report. */
  report: string;
  /** The app and version to attach the scan to; absent when the artifact names no app. */
  app?: { platform: string; packageId: string; name: string | null };
  version?: { versionName: string | null; versionCode: string | null; signer: string | null };
  findings: StoredFinding[];
}

/** A finding row with the version it was seen in (for first/last-seen and diffs). */
export interface AppFindingRow {
  versionId: string;
  fingerprint: string;
}

/** Persistence behind one async interface: SQLite (embedded default) and PostgreSQL. Every read is tenant-scoped. */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  /** Marketplace watches, the versions they found and their webhook deliveries (src/market). */
  readonly watches: WatchStore;
  /** Verification settings, cache, results and events (src/verify). */
  readonly verifications: VerificationStore;
  /** Applies pending migrations (safe to call from several processes). */
  migrate(): Promise<void>;
  /** True when the database answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;

  ensureTenant(name: string): Promise<Tenant>;
  getTenant(id: string): Promise<Tenant | undefined>;
  createApiKey(key: { id: string; tenantId: string; name: string | null; hash: string; scopes: Scope[]; createdAt: number }): Promise<void>;
  getApiKey(id: string): Promise<ApiKeyRecord | undefined>;
  listApiKeys(tenantId?: string): Promise<ApiKeyRecord[]>;
  revokeApiKey(id: string, at: number): Promise<boolean>;
  countApiKeys(): Promise<number>;

  insertScan(scan: NewScan): Promise<ScanRecord>;
  getScan(tenantId: string, id: string): Promise<ScanRecord | undefined>;
  /** The newest queued, running or done scan of this artifact in the tenant. */
  findReusableScan(tenantId: string, sha256: string): Promise<ScanRecord | undefined>;
  listScans(tenantId: string, opts: { limit: number; status?: ScanStatus }): Promise<ScanRecord[]>;
  /** Deletes a scan, its report and findings, and a version (and app) left without scans. */
  deleteScan(tenantId: string, id: string): Promise<ScanRecord | undefined>;
  getReport(tenantId: string, scanId: string): Promise<string | undefined>;

  /**
   * Takes a queued scan, or a running one whose lease expired, for `runner`; attempts + 1. Tenants take turns: the
   * tenant with the fewest scans running goes first, then the one whose last scan started longest ago, then the
   * oldest scan of that tenant, so one tenant's queue never holds another's scans back.
   */
  claimScan(runner: string, now: number, leaseMs: number): Promise<ScanRecord | undefined>;
  /** Extends the lease and records progress; false when `runner` no longer owns the scan. */
  heartbeat(id: string, runner: string, leaseUntil: number, entriesDone: number): Promise<boolean>;
  /** Running scans of every tenant (for recovery). */
  listRunning(): Promise<ScanRecord[]>;
  /** Puts a running scan back in the queue (its runner died or stopped). */
  requeueScan(id: string, runner: string): Promise<boolean>;
  /** Writes the outcome, the app, version and findings in one transaction; false when the runner lost the scan. */
  completeScan(id: string, runner: string, result: ScanCompletion, finishedAt: number): Promise<boolean>;
  failScan(id: string, runner: string | null, error: string, finishedAt: number): Promise<boolean>;
  /** Scans by status over every tenant (metrics). */
  countScansByStatus(): Promise<Record<ScanStatus, number>>;

  listApps(tenantId: string, limit: number): Promise<(AppRecord & { versions: number })[]>;
  /** Apps whose id, package id or `platform:packageId` is `ref`. */
  findApps(tenantId: string, ref: string): Promise<AppRecord[]>;
  listVersions(tenantId: string, appId: string): Promise<VersionRecord[]>;
  listVersionFindings(tenantId: string, versionId: string): Promise<FindingRecord[]>;
  /** Findings stored by one scan (those of a version re-scanned later belong to the newer scan). */
  listScanFindings(tenantId: string, scanId: string): Promise<FindingRecord[]>;
  listAppFindingRows(tenantId: string, appId: string): Promise<AppFindingRow[]>;
}

// ---- marketplace watches (src/market/watches.ts) --------------------------------------------------------------

/**
 * A watch as stored. `source`, `state` and the `notify` targets are src/market's JSON values: the store keeps them
 * as given and never reads inside them. Times are ms since the epoch.
 */
export interface StoredWatch {
  id: string;
  tenantId: string;
  url: string;
  source: unknown;
  /** The host whose rate limits the watch's checks count against. */
  host: string;
  intervalS: number;
  nextCheckAt: number;
  leaseOwner: string | null;
  leaseUntil: number | null;
  /** Null until the first check released the watch. */
  state: unknown;
  errors: number;
  lastError: string | null;
  lastCheckedAt: number | null;
  notify: unknown[];
  createdAt: number;
}

/** Fields of a new watch. */
export type NewStoredWatch = Pick<StoredWatch, 'id' | 'tenantId' | 'url' | 'source' | 'host' | 'intervalS' | 'nextCheckAt' | 'notify' | 'createdAt'>;

/** What a check writes when it releases its watch. */
export type WatchCheckOutcome = Pick<StoredWatch, 'nextCheckAt' | 'state' | 'errors' | 'lastError' | 'lastCheckedAt'>;

/**
 * A version's way through the sweep: 'seen' (no download) or 'downloading' -> 'queued' (its scan) -> 'notified';
 * 'failed' after too many download attempts or when its scan failed.
 */
export type WatchVersionStatus = 'seen' | 'downloading' | 'queued' | 'notified' | 'failed';

/** A version a watch found, recorded once per (watch, key). */
export interface WatchVersionRecord {
  id: string;
  watchId: string;
  tenantId: string;
  key: string;
  status: WatchVersionStatus;
  scanId: string | null;
  versionName: string | null;
  versionCode: string | null;
  error: string | null;
  attempts: number;
  createdAt: number;
  updatedAt: number;
}

/** Fields of a newly found version. */
export type NewWatchVersion = Pick<WatchVersionRecord, 'id' | 'watchId' | 'tenantId' | 'key' | 'status' | 'versionName' | 'versionCode' | 'createdAt'>;

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One webhook notification of one version to one target, with its last attempt. */
export interface WebhookDeliveryRecord {
  id: string;
  tenantId: string;
  watchId: string;
  watchVersionId: string;
  /** The target URL (a key into the watch's `notify`). */
  target: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  lastStatus: number | null;
  lastError: string | null;
  /** The JSON body sent. */
  payload: string;
  createdAt: number;
  deliveredAt: number | null;
}

/** Fields of a new delivery: pending, due at `createdAt`. */
export type NewWebhookDelivery = Pick<WebhookDeliveryRecord, 'id' | 'tenantId' | 'watchId' | 'watchVersionId' | 'target' | 'payload' | 'createdAt'>;

/** What one delivery attempt writes. */
export type DeliveryAttempt = Pick<WebhookDeliveryRecord, 'status' | 'attempts' | 'lastStatus' | 'lastError' | 'nextAttemptAt' | 'deliveredAt'>;

/**
 * Watches, their versions and webhook deliveries. Reads named by tenant are tenant-scoped; the sweep's operations
 * (claims, version and delivery updates) work over every tenant and are atomic where several sweepers may race.
 */
export interface WatchStore {
  insert(watch: NewStoredWatch): Promise<void>;
  get(tenantId: string, id: string): Promise<StoredWatch | undefined>;
  /** Oldest first. */
  list(tenantId: string, limit: number): Promise<StoredWatch[]>;
  /** Deletes a watch with its versions and deliveries; false when there is no such watch. */
  remove(tenantId: string, id: string): Promise<boolean>;
  /** Leases up to `limit` due watches (next check passed, no live lease), soonest due first, to `owner`, atomically. */
  claimDue(owner: string, now: number, leaseUntil: number, limit: number): Promise<StoredWatch[]>;
  /** Ends `owner`'s lease, writing the check's outcome; false when `owner` no longer holds the watch. */
  release(id: string, owner: string, outcome: WatchCheckOutcome): Promise<boolean>;

  /** Records a version once per (watch, key); false when the key was recorded before (by this or another sweeper). */
  insertVersion(version: NewWatchVersion): Promise<boolean>;
  getVersion(watchId: string, key: string): Promise<WatchVersionRecord | undefined>;
  /** Oldest first. */
  listVersions(tenantId: string, watchId: string): Promise<WatchVersionRecord[]>;
  /** Versions of a watch left 'downloading' since before `before` (their sweep died or failed). */
  listStaleDownloads(watchId: string, before: number): Promise<WatchVersionRecord[]>;
  /** Takes over a stale download: set-if-unchanged on `updatedAt`; false when another sweeper took it first. */
  takeOverDownload(id: string, updatedAt: number, now: number): Promise<boolean>;
  /** The version's download was accepted as scan `scanId`: 'queued', attempts + 1, error cleared. */
  setVersionQueued(id: string, scanId: string, now: number): Promise<void>;
  /** A failed download: attempts + 1, the error kept, 'failed' once attempts reach `maxAttempts`. */
  recordDownloadFailure(id: string, error: string, maxAttempts: number, updatedAt: number): Promise<void>;
  /** Sets a version's status; with `from`, only while it has that status (a claim). False when nothing changed. */
  setVersionStatus(id: string, status: WatchVersionStatus, now: number, from?: WatchVersionStatus): Promise<boolean>;
  /** 'queued' versions of every tenant whose scan ended, with the scan's status. */
  listVersionsScanned(): Promise<(WatchVersionRecord & { scanStatus: 'done' | 'failed' })[]>;
  /** 'queued' versions of every tenant whose scan is still queued or running. */
  countVersionsScanning(): Promise<number>;

  /** Records a pending delivery once per (version, target); false when it was recorded before. */
  insertDelivery(delivery: NewWebhookDelivery): Promise<boolean>;
  /** Oldest first. */
  listDeliveries(tenantId: string, watchId: string): Promise<WebhookDeliveryRecord[]>;
  /** Pending deliveries of every tenant due at `now`, soonest first, each with its watch's current `notify`. */
  listDueDeliveries(now: number, limit: number): Promise<(WebhookDeliveryRecord & { notify: unknown[] })[]>;
  recordDeliveryAttempt(id: string, attempt: DeliveryAttempt): Promise<void>;
}

// ---- verification (src/verify, src/market/rechecks.ts) ------------------------------------------------------------

/** A tenant's settings (JSON in `tenants.settings`). */
export interface TenantSettings {
  /** Verify every upload's findings, as `?verify=true` does for one. */
  verify: boolean;
}

/** A stored finding a re-check may verify again: on the latest notified version of a watched app, its value stored. */
export interface RecheckCandidate extends FindingRecord {
  watchId: string;
}

/** A change of a finding's verification status, kept in the app's history. */
export interface VerificationEvent {
  id: string;
  tenantId: string;
  appId: string;
  versionId: string;
  fingerprint: string;
  ruleId: string;
  redacted: string;
  fromStatus: string | null;
  toStatus: string;
  reason: string;
  createdAt: number;
}

/** Settings, the result cache shared by every process, per-finding results and their changes. */
export interface VerificationStore {
  getSettings(tenantId: string): Promise<TenantSettings>;
  setSettings(tenantId: string, settings: TenantSettings): Promise<void>;
  /** A cached check result (JSON) until `expires_at`. */
  cacheGet(key: string, now: number): Promise<string | undefined>;
  cacheSet(key: string, result: string, expiresAt: number): Promise<void>;
  /** Removes expired cache rows; resolves with how many. */
  cachePurge(now: number): Promise<number>;
  /** Findings of the latest notified version of each watched app whose value is stored (every tenant), at most `limit`. */
  listRecheckCandidates(limit: number): Promise<RecheckCandidate[]>;
  /** A re-check's result: the finding's verification and its severity (raised when it turned live). */
  setFindingVerification(findingId: string, verification: string, severity: string, confidence: string): Promise<void>;
  insertEvent(e: VerificationEvent): Promise<void>;
  /** A key of the version turned live (critical, high confidence): its rating becomes `grade` (F). */
  setVersionRating(versionId: string, grade: string): Promise<void>;
  /** Newest first. */
  listEvents(tenantId: string, appId: string, limit: number): Promise<VerificationEvent[]>;
}
