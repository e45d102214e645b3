/**
 * Watches and the sweep: a due-date table claimed atomically, checks with per-host
 * concurrency, ETags (source state) and exponential backoff, each new version scanned exactly once (UNIQUE
 * (watch_id, version_key)), and signed webhooks with retries and a delivery log.
 *
 * Crash safety: a version row is inserted ('downloading') before the download; a row left 'downloading' by a dead
 * process is retried once stale; ScanService.accept reuses a scan of the same artifact (sha256), so a crash between
 * queueing the scan and recording it never scans twice.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { toDiffFinding } from '../findings.js';
import { slackText } from '../report/escape.js';
import type { Config } from '../config.js';
import type { AuthContext } from '../service/auth.js';
import type { HistoryService } from '../service/history.js';
import { previousVersionDiff } from '../service/report-formats.js';
import type { ScanService } from '../service/scans.js';
import type { StoredWatch, Store, WatchStore } from '../store/types.js';
import { fetchBytes, redactUrl, checkUrl, downloadToFile, type FetchOptions } from './download.js';
import { describeFailure } from './submit.js';
import { checkSource, parseSource, SourceError, type Endpoints, type Source, type SourceState, type Version } from './sources.js';

/** Shortest and longest check interval accepted. */
export const MIN_INTERVAL_S = 60;
export const MAX_INTERVAL_S = 30 * 24 * 3600;
/** Longest backoff after repeated errors. */
export const MAX_BACKOFF_MS = 7 * 24 * 3600_000;
/** How long a claimed watch stays leased to one sweeper. */
export const DEFAULT_LEASE_MS = 15 * 60_000;
/** A version row left 'downloading' this long belongs to a dead sweep and is retried. */
export const STALE_DOWNLOAD_MS = 15 * 60_000;
/** Download attempts of one version before it is marked failed. */
export const MAX_VERSION_ATTEMPTS = 3;
/** Webhook attempts before a delivery is marked failed; backoff WEBHOOK_BACKOFF_MS * 4^(attempt-1). */
export const MAX_DELIVERY_ATTEMPTS = 5;
export const WEBHOOK_BACKOFF_MS = 30_000;
/** Webhook timestamps older than this are rejected by verifyWebhook (replay window). */
export const WEBHOOK_TOLERANCE_S = 300;
/** Most watches claimed per sweep tick; most notification targets per watch. */
export const MAX_CLAIM = 100;
export const MAX_TARGETS = 10;
/** Most webhook deliveries sent per pass (the rest wait for the next). */
export const MAX_DELIVERIES = 500;

export interface NotifyTarget {
  url: string;
  secret: string;
  format: 'json' | 'slack';
  /** Every finding of the version, not only what is new since the previous version. */
  all?: boolean;
}

export interface WatchRecord {
  id: string;
  tenantId: string;
  url: string;
  source: Source;
  host: string;
  intervalS: number;
  nextCheckAt: number;
  leaseOwner: string | null;
  leaseUntil: number | null;
  state: SourceState;
  errors: number;
  lastError: string | null;
  lastCheckedAt: number | null;
  notify: NotifyTarget[];
  createdAt: number;
  paused: boolean;
}

/** The store keeps the source, its state and the targets as this module wrote them. */
function watchFrom(w: StoredWatch): WatchRecord {
  return { ...w, source: w.source as Source, state: (w.state ?? {}) as SourceState, notify: w.notify as NotifyTarget[] };
}

/** Public view: webhook secrets never leave the store after creation. */
export function watchView(w: WatchRecord) {
  return {
    id: w.id,
    url: w.url,
    kind: w.source.kind,
    paused: w.paused,
    intervalSeconds: w.intervalS,
    nextCheckAt: new Date(w.nextCheckAt).toISOString(),
    lastCheckedAt: w.lastCheckedAt === null ? null : new Date(w.lastCheckedAt).toISOString(),
    errors: w.errors,
    lastError: w.lastError,
    notify: w.notify.map((n) => ({ url: redactUrl(n.url), format: n.format, all: n.all === true })),
    createdAt: new Date(w.createdAt).toISOString(),
  };
}

/** The host whose rate limits a source's checks count against. */
function sourceHost(s: Source): string {
  const h = (u: string) => {
    try {
      return new URL(u).host;
    } catch {
      return 'invalid';
    }
  };
  switch (s.kind) {
    case 'direct':
      return h(s.url);
    case 'fdroid':
      return h(s.repo);
    case 'github':
      return 'api.github.com';
    case 'ota':
      return h(s.manifestUrl);
    case 'appstore':
      return 'itunes.apple.com';
    case 'play':
      return 'play.google.com';
  }
}

/** Parses "3600", "90s", "15m", "6h", "1d" to seconds. */
export function parseInterval(v: string | number): number {
  const m = /^(\d+)\s*([smhd]?)$/.exec(String(v).trim());
  if (!m) throw new SourceError('unsupported_url', `interval '${String(v)}' is not a number of seconds or N s|m|h|d`);
  const s = Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600, d: 86400 } as Record<string, number>)[m[2]!]!;
  if (s < MIN_INTERVAL_S || s > MAX_INTERVAL_S) throw new SourceError('unsupported_url', `interval must be between ${MIN_INTERVAL_S} s and ${MAX_INTERVAL_S} s`);
  return s;
}

export interface NewWatch {
  url: string;
  intervalS?: number;
  notify?: { url: string; secret?: string; format?: 'json' | 'slack'; all?: boolean }[];
  /** GitHub: glob on asset names; all releases rather than the latest. */
  assetPattern?: string;
  allReleases?: boolean;
  /** F-Droid: follow Beta releases too. */
  beta?: boolean;
  /** App Store: where new versions' IPAs are downloaded from. */
  ipaUrl?: string;
}

/** Watch CRUD, tenant-scoped: validation here, persistence in the store (Store.watches). */
export class WatchService {
  private readonly store: WatchStore;
  constructor(store: Store) {
    this.store = store.watches;
  }

  /** Creates a watch due at once; returns it with the webhook secrets (shown only here). */
  async create(tenantId: string, w: NewWatch, now = Date.now()): Promise<{ watch: WatchRecord; secrets: string[] }> {
    let source = parseSource(w.url);
    if (source.kind === 'github') source = { ...source, ...(w.assetPattern ? { assetPattern: w.assetPattern } : {}), ...(w.allReleases ? { allReleases: true } : {}) };
    if (source.kind === 'fdroid' && w.beta) source = { ...source, beta: true };
    if (w.ipaUrl !== undefined) {
      if (source.kind !== 'appstore') throw new SourceError('unsupported_url', 'ipaUrl only applies to App Store watches');
      const ipa = parseSource(w.ipaUrl);
      if (ipa.kind === 'appstore' || ipa.kind === 'play' || ipa.kind === 'fdroid') throw new SourceError('unsupported_url', 'ipaUrl must be an OTA manifest, a direct .ipa URL or a GitHub release');
      source = { ...source, ipaSource: ipa };
    }
    // Obviously refused URLs fail now rather than at every sweep (the policy applies again at each connect).
    const urlOf = (x: Source): string | undefined => (x.kind === 'direct' ? x.url : x.kind === 'ota' ? x.manifestUrl : x.kind === 'fdroid' ? x.repo : undefined);
    for (const u of [urlOf(source), source.kind === 'appstore' && source.ipaSource ? urlOf(source.ipaSource) : undefined]) if (u) checkUrl(u);
    const notify = (w.notify ?? []).slice(0, MAX_TARGETS + 1).map((n) => {
      checkUrl(n.url); // the webhook target obeys the download policy (private addresses refused)
      return { url: n.url, secret: n.secret ?? randomBytes(32).toString('base64url'), format: n.format ?? 'json', ...(n.all ? { all: true } : {}) } as NotifyTarget;
    });
    if (notify.length > MAX_TARGETS) throw new SourceError('unsupported_url', `at most ${MAX_TARGETS} notification targets`);
    const id = randomUUID();
    const intervalS = w.intervalS ?? 3600;
    if (intervalS < MIN_INTERVAL_S || intervalS > MAX_INTERVAL_S) throw new SourceError('unsupported_url', `interval must be between ${MIN_INTERVAL_S} s and ${MAX_INTERVAL_S} s`);
    await this.store.insert({ id, tenantId, url: w.url, source, host: sourceHost(source), intervalS, nextCheckAt: now, notify, createdAt: now });
    return { watch: (await this.get(tenantId, id))!, secrets: notify.map((n) => n.secret) };
  }

  async get(tenantId: string, id: string): Promise<WatchRecord | undefined> {
    const w = await this.store.get(tenantId, id);
    return w && watchFrom(w);
  }

  async list(tenantId: string, limit = 500): Promise<WatchRecord[]> {
    return (await this.store.list(tenantId, limit)).map(watchFrom);
  }

  remove(tenantId: string, id: string): Promise<boolean> {
    return this.store.remove(tenantId, id);
  }

  /** A paused watch is not checked (its history stays) until resumed. */
  setPaused(tenantId: string, id: string, paused: boolean): Promise<boolean> {
    return this.store.setPaused(tenantId, id, paused);
  }

  /** Public view of the versions a watch found. */
  async versions(tenantId: string, watchId: string) {
    return (await this.store.listVersions(tenantId, watchId)).map((v) => ({ id: v.id, key: v.key, status: v.status, scanId: v.scanId, versionName: v.versionName, versionCode: v.versionCode, error: v.error, attempts: v.attempts, createdAt: new Date(v.createdAt).toISOString() }));
  }

  /** Public view of the delivery log: target URLs redacted. */
  async deliveries(tenantId: string, watchId: string) {
    return (await this.store.listDeliveries(tenantId, watchId)).map((d) => ({ id: d.id, versionId: d.watchVersionId, target: redactUrl(d.target), status: d.status, attempts: d.attempts, lastStatus: d.lastStatus, lastError: d.lastError, deliveredAt: d.deliveredAt === null ? null : new Date(d.deliveredAt).toISOString() }));
  }
}

// ---- webhooks -------------------------------------------------------------------------------------------------

/** Headers of a signed delivery: HMAC-SHA256 over `${timestamp}.${body}` (replay-safe with the delivery id). */
export function signWebhook(secret: string, body: string, deliveryId: string, now = Date.now()): Record<string, string> {
  const ts = String(Math.floor(now / 1000));
  const sig = createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex');
  return { 'content-type': 'application/json', 'x-leakdex-delivery': deliveryId, 'x-leakdex-timestamp': ts, 'x-leakdex-signature': `v1=${sig}` };
}

/** What a receiver does: checks the signature and the timestamp window. Remember delivery ids to refuse replays. */
export function verifyWebhook(secret: string, headers: Record<string, string | string[] | undefined>, body: string, now = Date.now(), toleranceS = WEBHOOK_TOLERANCE_S): boolean {
  const ts = String(headers['x-leakdex-timestamp'] ?? '');
  const sig = String(headers['x-leakdex-signature'] ?? '');
  if (!/^\d+$/.test(ts) || !sig.startsWith('v1=')) return false;
  if (Math.abs(now / 1000 - Number(ts)) > toleranceS) return false;
  const want = Buffer.from(createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex'));
  const got = Buffer.from(sig.slice(3));
  return want.length === got.length && timingSafeEqual(want, got);
}

// ---- the sweep -------------------------------------------------------------------------------------------------

export interface SweepDeps {
  store: Store;
  config: Config;
  scans: ScanService;
  history: HistoryService;
  fetch?: FetchOptions;
  endpoints?: Endpoints;
  githubToken?: string;
  /** Checks at once, over all hosts / per host. */
  concurrency?: number;
  perHost?: number;
  leaseMs?: number;
  now?: () => number;
  log?: { info(o: object, m: string): void; warn(o: object, m: string): void };
  /** Re-checks of watched apps' keys (src/market/rechecks.ts), run before each pass delivers its webhooks. */
  recheck?: () => Promise<{ checked: number; changed: number }>;
  /** Organizations' discovery (src/market/orgs.ts), run first so that the watches it makes are checked in the same pass. */
  discover?: () => Promise<{ found: number; gone: number; errors: number }[]>;
  /** Known-compromised feeds fetched by URL (src/service/feeds.ts). */
  feeds?: () => Promise<{ fetched: number; marked: number }>;
  /** Organizations' rating snapshots (their trend), after the pass notified its scans. */
  snapshot?: () => Promise<number>;
}

export interface SweepResult {
  claimed: number;
  checked: number;
  newVersions: number;
  errors: number;
  notified: number;
  delivered: number;
  /** Keys verified again, and how many changed status. */
  rechecked?: number;
  keyChanges?: number;
  /** Organizations discovered; apps found, gone; sources failing. */
  orgs?: number;
  appsFound?: number;
  appsGone?: number;
  sourceErrors?: number;
  /** Feeds fetched, and findings they marked known compromised. */
  feedsFetched?: number;
  compromised?: number;
}

/** Runs `fn` over `items` with a global limit and a per-key limit. */
async function limited<T>(items: T[], keyOf: (t: T) => string, global: number, perKey: number, fn: (t: T) => Promise<void>): Promise<void> {
  const active = new Map<string, number>();
  let running = 0;
  const queue = [...items];
  await new Promise<void>((resolve) => {
    const pump = () => {
      if (queue.length === 0 && running === 0) return resolve();
      for (let i = 0; i < queue.length && running < global; ) {
        const k = keyOf(queue[i]!);
        if ((active.get(k) ?? 0) >= perKey) {
          i++;
          continue;
        }
        const item = queue.splice(i, 1)[0]!;
        active.set(k, (active.get(k) ?? 0) + 1);
        running++;
        fn(item)
          .catch(() => {})
          .finally(() => {
            active.set(k, active.get(k)! - 1);
            running--;
            pump();
          });
      }
    };
    pump();
  });
}

export class Sweeper {
  readonly id = `sweep-${randomUUID().slice(0, 8)}`;
  readonly watches: WatchService;
  private readonly store: WatchStore;
  private readonly now: () => number;

  constructor(private readonly deps: SweepDeps) {
    this.watches = new WatchService(deps.store);
    this.store = deps.store.watches;
    this.now = deps.now ?? Date.now;
  }

  private chain: Promise<unknown> = Promise.resolve();
  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => {});
    return run;
  }

  private auth(tenantId: string): AuthContext {
    return { keyId: this.id, tenantId, tenantName: '', scopes: ['write', 'read'] };
  }

  /** Claims due watches (overdue ones included, oldest first) for this sweeper, atomically. */
  async claimDue(limit = MAX_CLAIM): Promise<WatchRecord[]> {
    const now = this.now();
    return (await this.store.claimDue(this.id, now, now + (this.deps.leaseMs ?? DEFAULT_LEASE_MS), limit)).map(watchFrom);
  }

  /** One pass: claim, check, download and queue new versions; notify finished scans; deliver webhooks. */
  async sweepOnce(): Promise<SweepResult> {
    const res: SweepResult = { claimed: 0, checked: 0, newVersions: 0, errors: 0, notified: 0, delivered: 0 };
    await this.removeStaleDownloads();
    const warn = (what: string) => (e: unknown) => {
      this.deps.log?.warn({ err: e instanceof Error ? e.message : String(e) }, `${what} failed`);
      return undefined;
    };
    if (this.deps.discover) {
      const d = await this.deps.discover().catch(warn('discovering organizations\' apps'));
      if (d) Object.assign(res, { orgs: d.length, appsFound: d.reduce((n, x) => n + x.found, 0), appsGone: d.reduce((n, x) => n + x.gone, 0), sourceErrors: d.reduce((n, x) => n + x.errors, 0) });
    }
    if (this.deps.feeds) {
      const f = await this.deps.feeds().catch(warn('fetching known-compromised feeds'));
      if (f) Object.assign(res, { feedsFetched: f.fetched, compromised: f.marked });
    }
    const due = await this.claimDue();
    res.claimed = due.length;
    await limited(due, (w) => w.host, this.deps.concurrency ?? 4, this.deps.perHost ?? 2, async (w) => {
      const r = await this.checkWatch(w);
      res.checked++;
      res.newVersions += r.newVersions;
      if (r.error) res.errors++;
    });
    res.notified = await this.notifyFinished();
    if (this.deps.snapshot && (res.notified || res.orgs || res.compromised)) await this.deps.snapshot().catch(warn('rating organizations'));
    if (this.deps.recheck) {
      const r = await this.deps.recheck().catch((e: unknown) => {
        this.deps.log?.warn({ err: e instanceof Error ? e.message : String(e) }, 're-checking keys failed');
        return { checked: 0, changed: 0 };
      });
      res.rechecked = r.checked;
      res.keyChanges = r.changed;
    }
    res.delivered = await this.deliver();
    return res;
  }

  /** Organizations' rating snapshots (their trend); how many changed. */
  async snapshot(): Promise<number> {
    return this.deps.snapshot ? this.deps.snapshot() : 0;
  }

  /** Partial downloads of sweeps that died (kill -9) are removed once stale. */
  private async removeStaleDownloads(): Promise<void> {
    const dir = this.deps.scans.uploadsDir;
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const n of names.filter((x) => x.startsWith('watch-'))) {
      const st = await stat(join(dir, n)).catch(() => undefined);
      if (st && st.mtimeMs < this.now() - STALE_DOWNLOAD_MS) await rm(join(dir, n), { recursive: true, force: true });
    }
  }

  /** Checks one claimed watch and releases it with its next due date. */
  async checkWatch(w: WatchRecord): Promise<{ newVersions: number; error?: string }> {
    const started = this.now();
    let newVersions = 0;
    let error: string | undefined;
    const state: SourceState = { ...w.state };
    try {
      const found = await checkSource(w.source, { fetch: this.deps.fetch, endpoints: this.deps.endpoints, githubToken: this.deps.githubToken, state });
      if (found !== 'unchanged') {
        for (const v of found) if (await this.handleVersion(w, v)) newVersions++;
      }
      // Retry versions a dead or failed sweep left behind, even when the source says nothing changed.
      if (found === 'unchanged') await this.retryStale(w);
    } catch (e) {
      error = describeFailure(e)?.message ?? (e as Error).message;
      this.deps.log?.warn({ watchId: w.id, err: error }, 'watch check failed');
    }
    const now = this.now();
    const errors = error ? w.errors + 1 : 0;
    const base = w.intervalS * 1000;
    const jitter = error ? 1 : 0.9 + Math.random() * 0.2;
    const delay = error ? Math.min(MAX_BACKOFF_MS, base * 2 ** (errors - 1)) : base * jitter;
    await this.store.release(w.id, this.id, { nextCheckAt: Math.round(now + delay), state, errors, lastError: error ?? null, lastCheckedAt: started });
    return { newVersions, ...(error ? { error } : {}) };
  }

  private async retryStale(w: WatchRecord): Promise<void> {
    const rows = await this.store.listStaleDownloads(w.id, this.now() - STALE_DOWNLOAD_MS);
    if (rows.length === 0) return;
    // The source answered 304: ask again without the ETag to learn the download of the stale version.
    const found = await checkSource(w.source, { fetch: this.deps.fetch, endpoints: this.deps.endpoints, githubToken: this.deps.githubToken, state: {} });
    if (found === 'unchanged') return;
    for (const v of found) if (rows.some((r) => r.key === v.key)) await this.handleVersion(w, v);
  }

  /** Records a version once (UNIQUE key) and, when it has a download, downloads it and queues its scan. True when new. */
  private async handleVersion(w: WatchRecord, v: Version): Promise<boolean> {
    const now = this.now();
    const id = randomUUID();
    const inserted = await this.store.insertVersion({ id, watchId: w.id, tenantId: w.tenantId, key: v.key, status: v.download ? 'downloading' : 'seen', versionName: v.versionName ?? null, versionCode: v.versionCode ?? null, createdAt: now });
    let rowId: string = id;
    if (!inserted) {
      // Seen before: only a stale download (its sweep died) is taken over, by one sweeper (the update is the claim).
      const row = await this.store.getVersion(w.id, v.key);
      if (!row || row.status !== 'downloading' || row.updatedAt >= now - STALE_DOWNLOAD_MS) return false;
      if (!(await this.store.takeOverDownload(row.id, row.updatedAt, now))) return false;
      rowId = row.id;
    } else if (!v.download) {
      // A watch-only store version (App Store without IPA source, Google Play): recorded and notified, not scanned.
      await this.enqueueDeliveries(w, rowId, { event: 'new_version', watch: { id: w.id, url: w.url, kind: w.source.kind }, version: { key: v.key, name: v.versionName ?? null, code: v.versionCode ?? null }, scanned: false });
      await this.store.setVersionStatus(rowId, 'notified', now);
      return true;
    }
    await this.download(w, rowId, v);
    return true;
  }

  private async download(w: WatchRecord, rowId: string, v: Version): Promise<void> {
    const d = v.download!;
    const dir = join(this.deps.scans.uploadsDir, `watch-${randomUUID()}`);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    try {
      const path = join(dir, 'download');
      await downloadToFile(d.url, path, { ...this.deps.fetch, ...(d.sha256 ? { sha256: d.sha256 } : {}) });
      // One accept at a time: two sources serving the same artifact at once must share one scan (reuse by sha256).
      const { scan } = await this.serially(() => this.deps.scans.accept(this.auth(w.tenantId), { fieldname: 'file', filename: d.filename, file: createReadStream(path) as unknown as NodeJS.ReadableStream & { resume(): unknown } }, false));
      await this.store.setVersionQueued(rowId, scan.id, this.now());
    } catch (e) {
      const msg = describeFailure(e)?.message ?? (e as Error).message;
      // Failed attempts stay 'downloading' (retried once stale) until MAX_VERSION_ATTEMPTS.
      await this.store.recordDownloadFailure(rowId, msg, MAX_VERSION_ATTEMPTS, this.now() - STALE_DOWNLOAD_MS);
      throw e;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Versions whose scan finished: builds the notification (only what is new, by default) once. */
  async notifyFinished(): Promise<number> {
    let n = 0;
    for (const r of await this.store.listVersionsScanned()) {
      const w = await this.watches.get(r.tenantId, r.watchId);
      if (!w) continue;
      const claimed = await this.store.setVersionStatus(r.id, r.scanStatus === 'done' ? 'notified' : 'failed', this.now(), 'queued');
      if (!claimed || r.scanStatus !== 'done') continue;
      const auth = this.auth(w.tenantId);
      const scan = await this.deps.scans.get(auth, r.scanId!);
      const diff = await previousVersionDiff(this.deps.history, auth, scan).catch(() => undefined);
      const findings = diff ? undefined : (await this.deps.store.listScanFindings(w.tenantId, scan.id)).map(toDiffFinding);
      await this.enqueueDeliveries(w, r.id, {
        event: 'new_version',
        watch: { id: w.id, url: w.url, kind: w.source.kind },
        version: { key: r.key, name: scan.summary?.app?.versionName ?? r.versionName, code: scan.summary?.app?.versionCode ?? r.versionCode, appId: scan.summary?.app?.id ?? null },
        scanned: true,
        scan: { id: scan.id, rating: scan.rating, summary: scan.summary },
        firstVersion: diff === undefined,
        new: diff ? diff.new : findings!,
        resolved: diff?.resolved ?? [],
        persisting: diff?.persisting ?? [],
        previous: diff?.previous ?? null,
        signerChanged: diff?.signerChanged ?? false,
      });
      n++;
    }
    return n;
  }

  private async enqueueDeliveries(w: WatchRecord, versionRowId: string, payload: Record<string, unknown>): Promise<void> {
    const now = this.now();
    for (const t of w.notify) {
      const body = t.format === 'slack' ? slackPayload(payload) : t.all ? payload : { ...payload, persisting: undefined };
      await this.store.insertDelivery({ id: randomUUID(), tenantId: w.tenantId, watchId: w.id, watchVersionId: versionRowId, target: t.url, payload: JSON.stringify(body), createdAt: now });
    }
  }

  /** Sends due deliveries, signed; retries with backoff; every attempt is logged on the delivery row. */
  async deliver(): Promise<number> {
    const now = this.now();
    let delivered = 0;
    for (const r of await this.store.listDueDeliveries(now, MAX_DELIVERIES)) {
      const target = (r.notify as NotifyTarget[]).find((t) => t.url === r.target);
      const attempts = r.attempts + 1;
      let status: number | null = null;
      let error: string | null = null;
      if (!target) error = 'the target was removed from the watch';
      else {
        try {
          const body = r.payload;
          const res = await fetchBytes(target.url, { ...this.deps.fetch, method: 'POST', body: Buffer.from(body), headers: signWebhook(target.secret, body, r.id, this.now()), maxBytes: 64 * 1024, totalTimeoutMs: 30_000, acceptStatus: [] });
          status = res.status;
        } catch (e) {
          status = (e as { status?: number }).status ?? null;
          error = (e as Error).message;
        }
      }
      const ok = error === null && status !== null && status >= 200 && status < 300;
      const final = ok ? 'delivered' : attempts >= MAX_DELIVERY_ATTEMPTS || !target ? 'failed' : 'pending';
      await this.store.recordDeliveryAttempt(r.id, { status: final, attempts, lastStatus: status, lastError: error, nextAttemptAt: now + WEBHOOK_BACKOFF_MS * 4 ** (attempts - 1), deliveredAt: ok ? this.now() : null });
      if (ok) delivered++;
    }
    return delivered;
  }
}

/** A Slack message for a webhook payload; app ids, versions and values come from the app, so they go through slackText (no `<!channel>`, no links). */
export function slackPayload(p: Record<string, unknown>): { text: string } {
  const v = p.version as { name?: string | null; code?: string | null; appId?: string | null; key: string };
  const fresh = (p.new as { severity: string; title: string; redacted: string }[] | undefined) ?? [];
  const head = slackText(`leakdex: ${v.appId ?? (p.watch as { url: string }).url} ${v.name ?? ''}${v.code ? ` (${v.code})` : ''}`.trim());
  if (!p.scanned) return { text: `${head}: new version published (not downloadable from this store; not scanned)` };
  const lines = fresh.slice(0, 20).map((f) => `• ${f.severity} ${slackText(f.title)} ${slackText(f.redacted)}`);
  return { text: `${head}: ${fresh.length} new finding(s)${p.previous ? ` since ${slackText(String(p.previous))}` : ''}${p.signerChanged ? ' — SIGNER CHANGED' : ''}\n${lines.join('\n')}` };
}
