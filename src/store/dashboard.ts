/**
 * The dashboard's list queries (src/web): the overview of a tenant's apps with their newest version and its counts in
 * three indexed queries per page (the total, the page of apps with their newest version and last scan, the counts of
 * those versions' findings), whatever the number of findings. `npm run bench:dashboard` measures them.
 */
import type { Db } from './db.js';
import type { Row } from './rows.js';
import type { AppOverview, DashboardStore, LastWatchVersion, Rating, SeverityCounts, VersionCounts } from './types.js';

const zero = (): SeverityCounts => ({ critical: 0, high: 0, medium: 0, low: 0, info: 0 });
const LIVE = `CASE WHEN verification LIKE '%"status":"live"%' THEN 1 ELSE 0 END`;
const COMPROMISED = 'CASE WHEN compromised IS NOT NULL THEN 1 ELSE 0 END';

export class SqlDashboardStore implements DashboardStore {
  constructor(private readonly db: Db) {}

  async listApps(tenantId: string, opts: { q: string; limit: number; offset: number }): Promise<{ apps: AppOverview[]; total: number }> {
    const q = opts.q.trim().toLowerCase();
    const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const where = `a.tenant_id = $1 AND ($2 = '' OR LOWER(a.package_id) LIKE $3 ESCAPE '\\' OR LOWER(COALESCE(a.name, '')) LIKE $3 ESCAPE '\\')`;
    const total = Number((await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM apps a WHERE ${where}`, [tenantId, q, like]))?.n ?? 0);
    const rows = await this.db.all<Row>(
      `SELECT a.id, a.platform, a.package_id, a.name,
         (SELECT COUNT(*) FROM versions v WHERE v.app_id = a.id) AS n_versions,
         lv.id AS v_id, lv.version_name, lv.version_code, lv.rating, lv.scan_id, lv.created_at AS v_created,
         (SELECT MAX(s.finished_at) FROM scans s WHERE s.app_id = a.id) AS last_scan
       FROM apps a
       LEFT JOIN versions lv ON lv.id = (SELECT v2.id FROM versions v2 WHERE v2.app_id = a.id ORDER BY v2.created_at DESC, v2.id DESC LIMIT 1)
       WHERE ${where}
       ORDER BY a.updated_at DESC, a.id LIMIT $4 OFFSET $5`,
      [tenantId, q, like, opts.limit, opts.offset],
    );
    const counts = await this.counts(tenantId, rows.filter((r) => r.v_id).map((r) => String(r.v_id)));
    const apps = rows.map((r): AppOverview => {
      const vid = r.v_id ? String(r.v_id) : null;
      const c = vid ? counts.get(vid) : undefined;
      return {
        id: String(r.id),
        platform: String(r.platform),
        packageId: String(r.package_id),
        name: r.name == null ? null : String(r.name),
        versions: Number(r.n_versions ?? 0),
        latest: vid ? { id: vid, versionName: r.version_name == null ? null : String(r.version_name), versionCode: r.version_code == null ? null : String(r.version_code), rating: r.rating == null ? null : (String(r.rating) as Rating), scanId: String(r.scan_id), createdAt: Number(r.v_created) } : null,
        counts: c?.counts ?? zero(),
        live: c?.live ?? 0,
        compromised: c?.compromised ?? 0,
        lastScanAt: r.last_scan == null ? null : Number(r.last_scan),
      };
    });
    return { apps, total };
  }

  async versionCounts(tenantId: string, versionIds: string[]): Promise<VersionCounts[]> {
    const counts = await this.counts(tenantId, versionIds);
    return versionIds.map((id) => {
      const c = counts.get(id);
      return { versionId: id, counts: c?.counts ?? zero(), live: c?.live ?? 0 };
    });
  }

  /**
   * Findings of the given versions of the tenant by severity, with the live and the known-compromised ones: one query
   * per 500 versions over findings_tenant_version (tenant_id, version_id, severity).
   */
  private async counts(tenantId: string, versionIds: string[]): Promise<Map<string, VersionCounts & { compromised: number }>> {
    const out = new Map<string, VersionCounts & { compromised: number }>();
    for (let i = 0; i < versionIds.length; i += 500) {
      const ids = versionIds.slice(i, i + 500);
      const rows = await this.db.all<Row>(
        `SELECT version_id, severity, COUNT(*) AS n, SUM(${LIVE}) AS live, SUM(${COMPROMISED}) AS compromised FROM findings
         WHERE tenant_id = $1 AND version_id IN (${ids.map((_, j) => `$${j + 2}`).join(', ')}) GROUP BY version_id, severity`,
        [tenantId, ...ids],
      );
      for (const r of rows) {
        const id = String(r.version_id);
        const c = out.get(id) ?? { versionId: id, counts: zero(), live: 0, compromised: 0 };
        const sev = String(r.severity) as keyof SeverityCounts;
        if (sev in c.counts) c.counts[sev] += Number(r.n);
        c.live += Number(r.live ?? 0);
        c.compromised += Number(r.compromised ?? 0);
        out.set(id, c);
      }
    }
    return out;
  }

  async lastWatchVersions(tenantId: string, watchIds: string[]): Promise<Map<string, LastWatchVersion>> {
    const out = new Map<string, LastWatchVersion>();
    for (let i = 0; i < watchIds.length; i += 500) {
      const ids = watchIds.slice(i, i + 500);
      // One row per watch: its newest version through watch_versions_watch_created (watch_id, created_at).
      const rows = await this.db.all<Row>(
        `SELECT v.watch_id, v.version_key, v.version_name, v.status, v.error, v.updated_at FROM watches w
         JOIN watch_versions v ON v.id = (SELECT v2.id FROM watch_versions v2 WHERE v2.watch_id = w.id ORDER BY v2.created_at DESC, v2.id DESC LIMIT 1)
         WHERE w.tenant_id = $1 AND w.id IN (${ids.map((_, j) => `$${j + 2}`).join(', ')})`,
        [tenantId, ...ids],
      );
      for (const r of rows) {
        const watchId = String(r.watch_id);
        out.set(watchId, { watchId, key: String(r.version_key), versionName: r.version_name == null ? null : String(r.version_name), status: String(r.status), error: r.error == null ? null : String(r.error), updatedAt: Number(r.updated_at) });
      }
    }
    return out;
  }
}
