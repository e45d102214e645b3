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
  /** Organizations, the apps discovery found for them, their history and ratings (src/market/orgs.ts). */
  readonly orgs: OrgStore;
  /** Known-compromised feeds and their matches on stored findings (src/service/feeds.ts). */
  readonly feeds: FeedStore;
  /** Dashboard sessions (src/web/session.ts). */
  readonly sessions: SessionStore;
  /** The dashboard's list queries (src/web). */
  readonly dashboard: DashboardStore;
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
  /**
   * PostgreSQL mode: `runner` takes the scan its pg-boss job names (queued, or running under a runner whose job
   * expired or failed); attempts + 1. Undefined when the scan is done, failed or gone.
   */
  startScan(id: string, runner: string, now: number, leaseMs: number): Promise<ScanRecord | undefined>;
  /** Queued scans created before `before`, oldest first (PostgreSQL mode's reconciler: scans whose job may be missing). */
  listQueuedBefore(before: number, limit: number): Promise<ScanRecord[]>;
  /** The status of each of these scans that exists, whatever its tenant (the orphan-upload sweep). */
  scanStatuses(ids: string[]): Promise<Map<string, ScanStatus>>;
  /** Scans of the tenant waiting in the queue. */
  countQueued(tenantId: string): Promise<number>;
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
  /** A paused watch is not checked until resumed. */
  paused: boolean;
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
  /** The watch whose targets the delivery goes to; null for an organization's event. */
  watchId: string | null;
  /** The organization whose targets the delivery goes to (src/market/orgs.ts); null for a watch's. */
  orgId: string | null;
  /** Idempotency key: the watch version, or `verification:`/`org-event:`/`compromised:` + an event id. */
  watchVersionId: string;
  /** The target URL (a key into the watch's or organization's `notify`). */
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
export type NewWebhookDelivery = Pick<WebhookDeliveryRecord, 'id' | 'tenantId' | 'watchId' | 'watchVersionId' | 'target' | 'payload' | 'createdAt'> & { orgId?: string | null };

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
  /** Pauses or resumes a watch; false when there is no such watch. */
  setPaused(tenantId: string, id: string, paused: boolean): Promise<boolean>;
  /** Watches whose versions were scanned as versions of `appId`. */
  listByApp(tenantId: string, appId: string): Promise<StoredWatch[]>;
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
  /** Pending deliveries of every tenant due at `now`, soonest first, each with its watch's (or organization's) current `notify`. */
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

// ---- organizations (src/market/orgs.ts) -----------------------------------------------------------------------------

/** An organization as stored; `identifiers`, `notify` and `state` are src/market's JSON values, kept as given. */
export interface StoredOrg {
  id: string;
  tenantId: string;
  name: string;
  identifiers: unknown;
  /** 'watch': a found app becomes a watch at once; 'pending': it waits for approval. */
  policy: 'watch' | 'pending';
  notify: unknown[];
  intervalS: number;
  /** Check interval of the watches discovery creates. */
  watchIntervalS: number;
  nextCheckAt: number;
  leaseOwner: string | null;
  leaseUntil: number | null;
  state: unknown;
  errors: number;
  lastError: string | null;
  lastCheckedAt: number | null;
  createdAt: number;
}

export type NewStoredOrg = Pick<StoredOrg, 'id' | 'tenantId' | 'name' | 'identifiers' | 'policy' | 'notify' | 'intervalS' | 'watchIntervalS' | 'nextCheckAt' | 'createdAt'>;
export type OrgCheckOutcome = Pick<StoredOrg, 'nextCheckAt' | 'state' | 'errors' | 'lastError' | 'lastCheckedAt'>;

/** 'watched' (a watch follows it), 'pending' (awaiting approval), 'gone' (no longer listed by its source). */
export type OrgAppStatus = 'watched' | 'pending' | 'gone';

/** An app a source listed for an organization, once per (organization, source key). */
export interface OrgAppRecord {
  id: string;
  orgId: string;
  tenantId: string;
  /** Stable per source and app (src/market/discovery.ts DiscoveredApp.key). */
  key: string;
  source: string;
  platform: string;
  packageId: string | null;
  name: string | null;
  url: string;
  status: OrgAppStatus;
  watchId: string | null;
  firstSeenAt: number;
  lastSeenAt: number;
  goneAt: number | null;
}

/** One change in an organization's history. */
export interface OrgEvent {
  id: string;
  tenantId: string;
  orgId: string;
  kind: string;
  detail: Record<string, unknown>;
  createdAt: number;
}

/** A rating snapshot of an organization (its trend). */
export interface OrgRatingPoint {
  at: number;
  grade: Rating;
  counts: SeverityCounts & { live: number; compromised: number };
}

/** The current version of an app of an organization, for its rating. */
export interface OrgCurrentVersion {
  appId: string;
  platform: string;
  packageId: string;
  appName: string | null;
  versionId: string;
  versionName: string | null;
  versionCode: string | null;
  rating: Rating | null;
  scanId: string;
  createdAt: number;
}

export interface OrgStore {
  insert(org: NewStoredOrg): Promise<void>;
  get(tenantId: string, id: string): Promise<StoredOrg | undefined>;
  getByName(tenantId: string, name: string): Promise<StoredOrg | undefined>;
  list(tenantId: string, limit: number): Promise<StoredOrg[]>;
  /** Organizations of every tenant (rating snapshots), at most `limit`. */
  listAll(limit: number): Promise<StoredOrg[]>;
  /** Deletes the organization, its apps, history and deliveries (the watches it made stay); false when absent. */
  remove(tenantId: string, id: string): Promise<boolean>;
  /** Leases due organizations to `owner`, atomically (as WatchStore.claimDue). */
  claimDue(owner: string, now: number, leaseUntil: number, limit: number): Promise<StoredOrg[]>;
  release(id: string, owner: string, outcome: OrgCheckOutcome): Promise<boolean>;
  /** Makes an organization due now (a discovery on request). */
  setDue(tenantId: string, id: string, at: number): Promise<void>;

  listApps(tenantId: string, orgId: string): Promise<OrgAppRecord[]>;
  /** Records an app once per (organization, key); false when it was recorded before. */
  insertApp(app: OrgAppRecord): Promise<boolean>;
  updateApp(id: string, fields: Partial<Pick<OrgAppRecord, 'status' | 'watchId' | 'lastSeenAt' | 'goneAt' | 'name' | 'packageId'>>): Promise<void>;

  insertEvent(e: OrgEvent): Promise<void>;
  /** Newest first. */
  listEvents(tenantId: string, orgId: string, limit: number): Promise<OrgEvent[]>;
  insertRating(orgId: string, point: OrgRatingPoint): Promise<void>;
  /** Oldest first, the last `limit`. */
  listRatings(orgId: string, limit: number): Promise<OrgRatingPoint[]>;

  /**
   * The newest version of each app of the tenant that the organization reaches: apps with a package id one of its
   * apps names, and apps scanned from its watches.
   */
  listCurrentVersions(tenantId: string, orgId: string): Promise<OrgCurrentVersion[]>;
  /** Organizations of the tenant that reach `appId` (as listCurrentVersions does). */
  listOrgsOfApp(tenantId: string, appId: string): Promise<StoredOrg[]>;
}

// ---- known-compromised feeds (src/service/feeds.ts) ----------------------------------------------------------------

export interface FeedRecord {
  id: string;
  tenantId: string;
  name: string;
  /** Fetched on a schedule when set. */
  url: string | null;
  intervalS: number | null;
  nextFetchAt: number | null;
  etag: string | null;
  leaseOwner: string | null;
  leaseUntil: number | null;
  lastError: string | null;
  lastFetchedAt: number | null;
  createdAt: number;
  /** Entries held (computed on read). */
  entries: number;
}

export type NewFeed = Pick<FeedRecord, 'id' | 'tenantId' | 'name' | 'url' | 'intervalS' | 'nextFetchAt' | 'createdAt'>;

/** One entry: the keyed MAC of a SHA-256 (never the hash itself, never a value), with the feed's source and date. */
export interface FeedEntry {
  valueMac: string;
  source: string | null;
  seenOn: string | null;
}

/** A stored finding whose value the feeds name. */
export interface CompromisedMatch extends FindingRecord {
  feedId: string;
  feedName: string;
  entrySource: string | null;
  entrySeenOn: string | null;
}

export interface FeedStore {
  insert(feed: NewFeed): Promise<void>;
  get(tenantId: string, id: string): Promise<FeedRecord | undefined>;
  getByName(tenantId: string, name: string): Promise<FeedRecord | undefined>;
  list(tenantId: string): Promise<FeedRecord[]>;
  remove(tenantId: string, id: string): Promise<boolean>;
  /** Adds entries (existing ones keep their first source and date); resolves with how many were new. */
  addEntries(feedId: string, tenantId: string, entries: FeedEntry[], at: number): Promise<number>;
  /** Replaces every entry of the feed (a fetched feed is the whole list); resolves with how many are new. */
  replaceEntries(feedId: string, tenantId: string, entries: FeedEntry[], at: number): Promise<number>;
  /** Feeds with a URL due at `now`, leased to `owner`. */
  claimDue(owner: string, now: number, leaseUntil: number, limit: number): Promise<FeedRecord[]>;
  releaseFetch(id: string, owner: string, o: { nextFetchAt: number; etag: string | null; lastError: string | null; lastFetchedAt: number }): Promise<void>;
  /** Stored findings of the tenant whose value MAC a feed holds and that are not yet marked, at most `limit`. */
  listUnmarkedMatches(tenantId: string, limit: number): Promise<CompromisedMatch[]>;
  /** Findings of the tenant without a value MAC but with a stored (encrypted) value, for a back-fill; at most `limit`. */
  listWithoutMac(tenantId: string, limit: number): Promise<FindingRecord[]>;
  setValueMac(findingId: string, valueMac: string): Promise<void>;
  /** Marks a finding known compromised: the mark (JSON), critical severity. */
  markCompromised(findingId: string, mark: string): Promise<void>;
  /** Tenants with at least one feed entry. */
  listTenantsWithFeeds(): Promise<string[]>;
  /** Findings of the tenant marked compromised, newest first. */
  listMarked(tenantId: string, limit: number): Promise<FindingRecord[]>;
}

// ---- dashboard (src/web) -------------------------------------------------------------------------------------------

/** A signed-in browser: only the SHA-256 of the cookie's id is stored. */
export interface WebSession {
  idHash: string;
  tenantId: string;
  keyId: string;
  /** The session's anti-CSRF token (sent in every form). */
  csrf: string;
  /** The user asked to see values (admin keys only). */
  reveal: boolean;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

export interface SessionStore {
  insert(s: WebSession): Promise<void>;
  get(idHash: string): Promise<WebSession | undefined>;
  touch(idHash: string, lastSeenAt: number, expiresAt: number): Promise<void>;
  setReveal(idHash: string, reveal: boolean): Promise<void>;
  remove(idHash: string): Promise<void>;
  /** Removes expired sessions; resolves with how many. */
  purge(now: number): Promise<number>;
}

/** One app of the overview: its newest version, counts by severity of that version, live keys, last scan. */
export interface AppOverview {
  id: string;
  platform: string;
  packageId: string;
  name: string | null;
  versions: number;
  latest: { id: string; versionName: string | null; versionCode: string | null; rating: Rating | null; scanId: string; createdAt: number } | null;
  counts: SeverityCounts;
  live: number;
  compromised: number;
  lastScanAt: number | null;
}

/** Counts of one version's findings. */
export interface VersionCounts {
  versionId: string;
  counts: SeverityCounts;
  live: number;
}

export interface DashboardStore {
  /** Apps of the tenant, most recently updated first; `q` filters package id and name (case-insensitive substring). */
  listApps(tenantId: string, opts: { q: string; limit: number; offset: number }): Promise<{ apps: AppOverview[]; total: number }>;
  /** Finding counts of the given versions of the tenant. */
  versionCounts(tenantId: string, versionIds: string[]): Promise<VersionCounts[]>;
  /** The newest version each of the given watches of the tenant found (one query, whatever the number of watches). */
  lastWatchVersions(tenantId: string, watchIds: string[]): Promise<Map<string, LastWatchVersion>>;
}

/** What a watch found last, for the watches page. */
export interface LastWatchVersion {
  watchId: string;
  key: string;
  versionName: string | null;
  status: string;
  error: string | null;
  updatedAt: number;
}
