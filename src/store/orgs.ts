/**
 * The organization tables (migration 5): organizations with their identifiers, the apps discovery found for each, the
 * history of changes and rating snapshots. src/market/orgs.ts holds the logic; every statement it needs is here.
 */
import { skipLocked, type Db } from './db.js';
import { rowReader, type Row } from './rows.js';
import type { NewStoredOrg, OrgAppRecord, OrgCheckOutcome, OrgCurrentVersion, OrgEvent, OrgRatingPoint, OrgStore, Rating, StoredOrg } from './types.js';

const orgFrom = rowReader<StoredOrg>({
  id: 'text', tenantId: 'text', name: 'text', identifiers: 'json', policy: 'text', notify: 'json', intervalS: 'num', watchIntervalS: 'num', nextCheckAt: 'num',
  leaseOwner: 'text?', leaseUntil: 'num?', state: 'json?', errors: 'num', lastError: 'text?', lastCheckedAt: 'num?', createdAt: 'num',
});

const appFrom = rowReader<OrgAppRecord>({
  id: 'text', orgId: 'text', tenantId: 'text', key: ['app_key', 'text'], source: 'text', platform: 'text', packageId: 'text?', name: 'text?', url: 'text', status: 'text',
  watchId: 'text?', firstSeenAt: 'num', lastSeenAt: 'num', goneAt: 'num?',
});

const eventFrom = rowReader<OrgEvent>({ id: 'text', tenantId: 'text', orgId: 'text', kind: 'text', detail: 'json', createdAt: 'num' });

const currentFrom = rowReader<OrgCurrentVersion>({
  appId: 'text', platform: 'text', packageId: 'text', appName: 'text?', versionId: 'text', versionName: 'text?', versionCode: 'text?', rating: 'text?', scanId: 'text', createdAt: 'num',
});

/** Ids of the tenant's apps an organization reaches: by a package id its listed apps name, or scanned from its watches. */
const REACHED_APPS = `
  SELECT a2.id FROM apps a2 JOIN org_apps oa ON oa.package_id = a2.package_id AND oa.tenant_id = a2.tenant_id
   WHERE oa.org_id = $2 AND oa.tenant_id = $1 AND oa.status <> 'gone'
  UNION
  SELECT s.app_id FROM org_apps oa JOIN watch_versions wv ON wv.watch_id = oa.watch_id JOIN scans s ON s.id = wv.scan_id
   WHERE oa.org_id = $2 AND oa.tenant_id = $1 AND oa.status <> 'gone' AND s.app_id IS NOT NULL`;

const APP_FIELDS: Record<string, string> = { status: 'status', watchId: 'watch_id', lastSeenAt: 'last_seen_at', goneAt: 'gone_at', name: 'name', packageId: 'package_id' };

export class SqlOrgStore implements OrgStore {
  constructor(private readonly db: Db) {}

  async insert(o: NewStoredOrg): Promise<void> {
    await this.db.run(
      'INSERT INTO organizations (id, tenant_id, name, identifiers, policy, notify, interval_s, watch_interval_s, next_check_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
      [o.id, o.tenantId, o.name, JSON.stringify(o.identifiers), o.policy, JSON.stringify(o.notify), o.intervalS, o.watchIntervalS, o.nextCheckAt, o.createdAt],
    );
  }

  async get(tenantId: string, id: string): Promise<StoredOrg | undefined> {
    const r = await this.db.get<Row>('SELECT * FROM organizations WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    return r && orgFrom(r);
  }

  async getByName(tenantId: string, name: string): Promise<StoredOrg | undefined> {
    const r = await this.db.get<Row>('SELECT * FROM organizations WHERE tenant_id = $1 AND name = $2', [tenantId, name]);
    return r && orgFrom(r);
  }

  async list(tenantId: string, limit: number): Promise<StoredOrg[]> {
    return (await this.db.all<Row>('SELECT * FROM organizations WHERE tenant_id = $1 ORDER BY name, id LIMIT $2', [tenantId, limit])).map(orgFrom);
  }

  async listAll(limit: number): Promise<StoredOrg[]> {
    return (await this.db.all<Row>('SELECT * FROM organizations ORDER BY tenant_id, name LIMIT $1', [limit])).map(orgFrom);
  }

  async remove(tenantId: string, id: string): Promise<boolean> {
    const removed = await this.db.tx(async (db) => {
      await db.run('DELETE FROM webhook_deliveries WHERE org_id = $1 AND tenant_id = $2', [id, tenantId]);
      await db.run('DELETE FROM org_ratings WHERE org_id = $1', [id]);
      await db.run('DELETE FROM org_events WHERE org_id = $1 AND tenant_id = $2', [id, tenantId]);
      await db.run('DELETE FROM org_apps WHERE org_id = $1 AND tenant_id = $2', [id, tenantId]);
      return db.run('DELETE FROM organizations WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    });
    return removed > 0;
  }

  async claimDue(owner: string, now: number, leaseUntil: number, limit: number): Promise<StoredOrg[]> {
    const rows = await this.db.all<Row>(
      `UPDATE organizations SET lease_owner = $1, lease_until = $2
       WHERE id IN (SELECT id FROM organizations WHERE next_check_at <= $3 AND (lease_until IS NULL OR lease_until < $3) ORDER BY next_check_at, id LIMIT $4${skipLocked(this.db)})
         AND (lease_until IS NULL OR lease_until < $3)
       RETURNING *`,
      [owner, leaseUntil, now, limit],
    );
    return rows.map(orgFrom);
  }

  async release(id: string, owner: string, o: OrgCheckOutcome): Promise<boolean> {
    const changed = await this.db.run(
      'UPDATE organizations SET lease_owner = NULL, lease_until = NULL, next_check_at = $1, state = $2, errors = $3, last_error = $4, last_checked_at = $5 WHERE id = $6 AND lease_owner = $7',
      [o.nextCheckAt, JSON.stringify(o.state), o.errors, o.lastError, o.lastCheckedAt, id, owner],
    );
    return changed > 0;
  }

  async setDue(tenantId: string, id: string, at: number): Promise<void> {
    await this.db.run('UPDATE organizations SET next_check_at = $3 WHERE tenant_id = $1 AND id = $2', [tenantId, id, at]);
  }

  async listApps(tenantId: string, orgId: string): Promise<OrgAppRecord[]> {
    return (await this.db.all<Row>('SELECT * FROM org_apps WHERE tenant_id = $1 AND org_id = $2 ORDER BY first_seen_at, app_key', [tenantId, orgId])).map(appFrom);
  }

  async insertApp(a: OrgAppRecord): Promise<boolean> {
    return (
      (await this.db.run(
        `INSERT INTO org_apps (id, org_id, tenant_id, app_key, source, platform, package_id, name, url, status, watch_id, first_seen_at, last_seen_at, gone_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (org_id, app_key) DO NOTHING`,
        [a.id, a.orgId, a.tenantId, a.key, a.source, a.platform, a.packageId, a.name, a.url, a.status, a.watchId, a.firstSeenAt, a.lastSeenAt, a.goneAt],
      )) > 0
    );
  }

  async updateApp(id: string, fields: Partial<Pick<OrgAppRecord, 'status' | 'watchId' | 'lastSeenAt' | 'goneAt' | 'name' | 'packageId'>>): Promise<void> {
    const entries = Object.entries(fields).filter(([k, v]) => APP_FIELDS[k] && v !== undefined);
    if (entries.length === 0) return;
    const sets = entries.map(([k], i) => `${APP_FIELDS[k]} = $${i + 2}`).join(', ');
    await this.db.run(`UPDATE org_apps SET ${sets} WHERE id = $1`, [id, ...entries.map(([, v]) => v)]);
  }

  async insertEvent(e: OrgEvent): Promise<void> {
    await this.db.run('INSERT INTO org_events (id, tenant_id, org_id, kind, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [e.id, e.tenantId, e.orgId, e.kind, JSON.stringify(e.detail), e.createdAt]);
  }

  async listEvents(tenantId: string, orgId: string, limit: number): Promise<OrgEvent[]> {
    return (await this.db.all<Row>('SELECT * FROM org_events WHERE tenant_id = $1 AND org_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3', [tenantId, orgId, limit])).map(eventFrom);
  }

  async insertRating(orgId: string, p: OrgRatingPoint): Promise<void> {
    await this.db.run('INSERT INTO org_ratings (org_id, at, grade, counts) VALUES ($1, $2, $3, $4) ON CONFLICT (org_id, at) DO NOTHING', [orgId, p.at, p.grade, JSON.stringify(p.counts)]);
  }

  async listRatings(orgId: string, limit: number): Promise<OrgRatingPoint[]> {
    const rows = await this.db.all<Row>('SELECT * FROM org_ratings WHERE org_id = $1 ORDER BY at DESC LIMIT $2', [orgId, limit]);
    return rows.reverse().map((r) => ({ at: Number(r.at), grade: String(r.grade) as Rating, counts: JSON.parse(String(r.counts)) as OrgRatingPoint['counts'] }));
  }

  async listCurrentVersions(tenantId: string, orgId: string): Promise<OrgCurrentVersion[]> {
    const rows = await this.db.all<Row>(
      `SELECT a.id AS app_id, a.platform, a.package_id, a.name AS app_name, v.id AS version_id, v.version_name, v.version_code, v.rating, v.scan_id, v.created_at
       FROM apps a JOIN versions v ON v.app_id = a.id
       WHERE a.tenant_id = $1 AND a.id IN (${REACHED_APPS})
       ORDER BY a.id, v.created_at DESC, v.id DESC`,
      [tenantId, orgId],
    );
    const seen = new Set<string>();
    return rows.map(currentFrom).filter((v) => !seen.has(v.appId) && seen.add(v.appId));
  }

  async listOrgsOfApp(tenantId: string, appId: string): Promise<StoredOrg[]> {
    const rows = await this.db.all<Row>('SELECT * FROM organizations WHERE tenant_id = $1 ORDER BY name', [tenantId]);
    const out: StoredOrg[] = [];
    for (const r of rows) {
      const hit = await this.db.get<Row>(`SELECT 1 AS hit WHERE $3 IN (${REACHED_APPS})`, [tenantId, String(r.id), appId]);
      if (hit) out.push(orgFrom(r));
    }
    return out;
  }
}
