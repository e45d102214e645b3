/**
 * The marketplace tables (migration 2): watches, the versions they found and webhook deliveries, over the same SQL
 * driver as the rest of the store. src/market/watches.ts holds the sweep's logic; every statement it needs is here.
 */
import { skipLocked, type Db } from './db.js';
import { rowReader, type Row } from './rows.js';
import type {
  DeliveryAttempt,
  NewStoredWatch,
  NewWatchVersion,
  NewWebhookDelivery,
  StoredWatch,
  WatchCheckOutcome,
  WatchStore,
  WatchVersionRecord,
  WatchVersionStatus,
  WebhookDeliveryRecord,
} from './types.js';

const watchFields = rowReader<Omit<StoredWatch, 'paused'>>({
  id: 'text', tenantId: 'text', url: 'text', source: 'json', host: 'text', intervalS: 'num', nextCheckAt: 'num', leaseOwner: 'text?', leaseUntil: 'num?',
  state: 'json?', errors: 'num', lastError: 'text?', lastCheckedAt: 'num?', notify: 'json', createdAt: 'num',
});
const watchFrom = (r: Row): StoredWatch => ({ ...watchFields(r), paused: Number(r.paused ?? 0) === 1 });

const versionFrom = rowReader<WatchVersionRecord>({
  id: 'text', watchId: 'text', tenantId: 'text', key: ['version_key', 'text'], status: 'text', scanId: 'text?', versionName: 'text?', versionCode: 'text?',
  error: 'text?', attempts: 'num', createdAt: 'num', updatedAt: 'num',
});

const deliveryFrom = rowReader<WebhookDeliveryRecord>({
  id: 'text', tenantId: 'text', watchId: 'text?', orgId: 'text?', watchVersionId: 'text', target: 'text', status: 'text', attempts: 'num', nextAttemptAt: 'num',
  lastStatus: 'num?', lastError: 'text?', payload: 'text', createdAt: 'num', deliveredAt: 'num?',
});

/** WatchStore over SQL both databases share (PostgreSQL re-checks the claim's WHERE on a concurrent update). */
export class SqlWatchStore implements WatchStore {
  constructor(private readonly db: Db) {}

  async insert(w: NewStoredWatch): Promise<void> {
    await this.db.run(
      'INSERT INTO watches (id, tenant_id, url, source, host, interval_s, next_check_at, notify, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      [w.id, w.tenantId, w.url, JSON.stringify(w.source), w.host, w.intervalS, w.nextCheckAt, JSON.stringify(w.notify), w.createdAt],
    );
  }

  async get(tenantId: string, id: string): Promise<StoredWatch | undefined> {
    const r = await this.db.get<Row>('SELECT * FROM watches WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    return r && watchFrom(r);
  }

  async list(tenantId: string, limit: number): Promise<StoredWatch[]> {
    return (await this.db.all<Row>('SELECT * FROM watches WHERE tenant_id = $1 ORDER BY created_at, id LIMIT $2', [tenantId, limit])).map(watchFrom);
  }

  async setPaused(tenantId: string, id: string, paused: boolean): Promise<boolean> {
    return (await this.db.run('UPDATE watches SET paused = $3 WHERE tenant_id = $1 AND id = $2', [tenantId, id, paused ? 1 : 0])) > 0;
  }

  async listByApp(tenantId: string, appId: string): Promise<StoredWatch[]> {
    const rows = await this.db.all<Row>(
      'SELECT * FROM watches WHERE tenant_id = $1 AND id IN (SELECT wv.watch_id FROM watch_versions wv JOIN scans s ON s.id = wv.scan_id WHERE s.tenant_id = $1 AND s.app_id = $2) ORDER BY created_at, id',
      [tenantId, appId],
    );
    return rows.map(watchFrom);
  }

  async remove(tenantId: string, id: string): Promise<boolean> {
    const removed = await this.db.tx(async (db) => {
      await db.run('DELETE FROM webhook_deliveries WHERE watch_id = $1 AND tenant_id = $2', [id, tenantId]);
      await db.run('DELETE FROM watch_versions WHERE watch_id = $1 AND tenant_id = $2', [id, tenantId]);
      return db.run('DELETE FROM watches WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    });
    return removed > 0;
  }

  async claimDue(owner: string, now: number, leaseUntil: number, limit: number): Promise<StoredWatch[]> {
    const rows = await this.db.all<Row>(
      `UPDATE watches SET lease_owner = $1, lease_until = $2
       WHERE id IN (SELECT id FROM watches WHERE paused = 0 AND next_check_at <= $3 AND (lease_until IS NULL OR lease_until < $3) ORDER BY next_check_at, id LIMIT $4${skipLocked(this.db)})
         AND (lease_until IS NULL OR lease_until < $3)
       RETURNING *`,
      [owner, leaseUntil, now, limit],
    );
    return rows.map(watchFrom);
  }

  async release(id: string, owner: string, o: WatchCheckOutcome): Promise<boolean> {
    const changed = await this.db.run(
      'UPDATE watches SET lease_owner = NULL, lease_until = NULL, next_check_at = $1, state = $2, errors = $3, last_error = $4, last_checked_at = $5 WHERE id = $6 AND lease_owner = $7',
      [o.nextCheckAt, JSON.stringify(o.state), o.errors, o.lastError, o.lastCheckedAt, id, owner],
    );
    return changed > 0;
  }

  async insertVersion(v: NewWatchVersion): Promise<boolean> {
    const inserted = await this.db.run(
      'INSERT INTO watch_versions (id, watch_id, tenant_id, version_key, status, version_name, version_code, attempts, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $8) ON CONFLICT (watch_id, version_key) DO NOTHING',
      [v.id, v.watchId, v.tenantId, v.key, v.status, v.versionName, v.versionCode, v.createdAt],
    );
    return inserted > 0;
  }

  async getVersion(watchId: string, key: string): Promise<WatchVersionRecord | undefined> {
    const r = await this.db.get<Row>('SELECT * FROM watch_versions WHERE watch_id = $1 AND version_key = $2', [watchId, key]);
    return r && versionFrom(r);
  }

  async listVersions(tenantId: string, watchId: string): Promise<WatchVersionRecord[]> {
    return (await this.db.all<Row>('SELECT * FROM watch_versions WHERE tenant_id = $1 AND watch_id = $2 ORDER BY created_at, id', [tenantId, watchId])).map(versionFrom);
  }

  async listStaleDownloads(watchId: string, before: number): Promise<WatchVersionRecord[]> {
    return (await this.db.all<Row>("SELECT * FROM watch_versions WHERE watch_id = $1 AND status = 'downloading' AND updated_at < $2 ORDER BY created_at, id", [watchId, before])).map(versionFrom);
  }

  async takeOverDownload(id: string, updatedAt: number, now: number): Promise<boolean> {
    return (await this.db.run("UPDATE watch_versions SET updated_at = $1 WHERE id = $2 AND status = 'downloading' AND updated_at = $3", [now, id, updatedAt])) > 0;
  }

  async setVersionQueued(id: string, scanId: string, now: number): Promise<void> {
    await this.db.run("UPDATE watch_versions SET status = 'queued', scan_id = $1, attempts = attempts + 1, error = NULL, updated_at = $2 WHERE id = $3", [scanId, now, id]);
  }

  async recordDownloadFailure(id: string, error: string, maxAttempts: number, updatedAt: number): Promise<void> {
    await this.db.run(`UPDATE watch_versions SET attempts = attempts + 1, error = $1, status = CASE WHEN attempts + 1 >= $2 THEN 'failed' ELSE status END, updated_at = $3 WHERE id = $4`, [
      error,
      maxAttempts,
      updatedAt,
      id,
    ]);
  }

  async setVersionStatus(id: string, status: WatchVersionStatus, now: number, from?: WatchVersionStatus): Promise<boolean> {
    const changed = from
      ? await this.db.run('UPDATE watch_versions SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4', [status, now, id, from])
      : await this.db.run('UPDATE watch_versions SET status = $1, updated_at = $2 WHERE id = $3', [status, now, id]);
    return changed > 0;
  }

  async listVersionsScanned(): Promise<(WatchVersionRecord & { scanStatus: 'done' | 'failed' })[]> {
    const rows = await this.db.all<Row>(
      "SELECT v.*, s.status AS scan_status FROM watch_versions v JOIN scans s ON s.id = v.scan_id WHERE v.status = 'queued' AND s.status IN ('done', 'failed') ORDER BY v.created_at, v.id",
    );
    return rows.map((r) => ({ ...versionFrom(r), scanStatus: r.scan_status as 'done' | 'failed' }));
  }

  async countVersionsScanning(): Promise<number> {
    const r = await this.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM watch_versions v JOIN scans s ON s.id = v.scan_id WHERE v.status = 'queued' AND s.status IN ('queued', 'running')");
    return Number(r?.n ?? 0);
  }

  async insertDelivery(d: NewWebhookDelivery): Promise<boolean> {
    const inserted = await this.db.run(
      "INSERT INTO webhook_deliveries (id, tenant_id, watch_id, org_id, watch_version_id, target, status, attempts, next_attempt_at, payload, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $8, $7) ON CONFLICT (watch_version_id, target) DO NOTHING",
      [d.id, d.tenantId, d.watchId, d.orgId ?? null, d.watchVersionId, d.target, d.createdAt, d.payload],
    );
    return inserted > 0;
  }

  async listDeliveries(tenantId: string, watchId: string): Promise<WebhookDeliveryRecord[]> {
    return (await this.db.all<Row>('SELECT * FROM webhook_deliveries WHERE tenant_id = $1 AND watch_id = $2 ORDER BY created_at, id', [tenantId, watchId])).map(deliveryFrom);
  }

  async listDueDeliveries(now: number, limit: number): Promise<(WebhookDeliveryRecord & { notify: unknown[] })[]> {
    const rows = await this.db.all<Row>(
      "SELECT d.*, COALESCE(w.notify, o.notify) AS notify FROM webhook_deliveries d LEFT JOIN watches w ON w.id = d.watch_id LEFT JOIN organizations o ON o.id = d.org_id WHERE d.status = 'pending' AND d.next_attempt_at <= $1 ORDER BY d.next_attempt_at, d.id LIMIT $2",
      [now, limit],
    );
    return rows.map((r) => ({ ...deliveryFrom(r), notify: r.notify === null || r.notify === undefined ? [] : (JSON.parse(String(r.notify)) as unknown[]) }));
  }

  async recordDeliveryAttempt(id: string, a: DeliveryAttempt): Promise<void> {
    await this.db.run('UPDATE webhook_deliveries SET status = $1, attempts = $2, last_status = $3, last_error = $4, next_attempt_at = $5, delivered_at = $6 WHERE id = $7', [
      a.status,
      a.attempts,
      a.lastStatus,
      a.lastError,
      a.nextAttemptAt,
      a.deliveredAt,
      id,
    ]);
  }
}
