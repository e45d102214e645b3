import { randomUUID } from 'node:crypto';
import type { Db } from './db.js';
import { MIGRATIONS } from './migrations.js';
import { rowReader, type Row } from './rows.js';
import type {
  ApiKeyRecord,
  AppFindingRow,
  AppRecord,
  DashboardStore,
  FeedStore,
  FindingRecord,
  NewScan,
  OrgStore,
  ScanCompletion,
  ScanRecord,
  ScanStatus,
  Scope,
  SessionStore,
  Store,
  Tenant,
  VersionRecord,
  VerificationStore,
  WatchStore,
} from './types.js';
import { SqlDashboardStore } from './dashboard.js';
import { SqlFeedStore } from './feeds.js';
import { SqlSessionStore } from './sessions.js';
import { SqlOrgStore } from './orgs.js';
import { SqlVerificationStore } from './verifications.js';
import { SqlWatchStore } from './watches.js';

const scanFields = rowReader<Omit<ScanRecord, 'verify'>>({
  id: 'text', tenantId: 'text', status: 'text', sha256: 'text', size: 'num', filename: 'text', uploadPath: 'text?', entriesTotal: 'num?', entriesDone: 'num', attempts: 'num',
  runner: 'text?', leaseUntil: 'num?', error: 'text?', summary: 'json?', rating: 'text?', appId: 'text?', versionId: 'text?', createdAt: 'num', startedAt: 'num?', finishedAt: 'num?',
});
const scanFrom = (r: Row): ScanRecord => ({ ...scanFields(r), verify: Number(r.verify ?? 0) === 1 });

const keyFields = rowReader<Omit<ApiKeyRecord, 'scopes'>>({ id: 'text', tenantId: 'text', tenantName: 'text', name: 'text?', hash: 'text', createdAt: 'num', revokedAt: 'num?' });
const keyFrom = (r: Row): ApiKeyRecord => ({ ...keyFields(r), scopes: String(r.scopes).split(',').filter(Boolean) as Scope[] });

const appFrom = rowReader<AppRecord>({ id: 'text', tenantId: 'text', platform: 'text', packageId: 'text', name: 'text?', createdAt: 'num', updatedAt: 'num' });

const versionFrom = rowReader<VersionRecord>({
  id: 'text', tenantId: 'text', appId: 'text', versionName: 'text?', versionCode: 'text?', signer: 'text?', scanId: 'text', sha256: 'text', findings: 'num', rating: 'text?',
  createdAt: 'num', updatedAt: 'num',
});

const findingFrom = rowReader<FindingRecord>({
  id: 'text', tenantId: 'text', appId: 'text', versionId: 'text', scanId: 'text', fingerprint: 'text', ruleId: 'text', provider: 'text', title: 'text', severity: 'text',
  confidence: 'text', redacted: 'text', locations: 'json', secretEnc: 'text?', verification: 'json?', valueMac: 'text?', compromised: 'json?',
});

/** Rows of `scans` (as `alias`) a runner may take at `$3` (now): queued, or running under a lease that expired. */
const claimable = (alias: string) => `(${alias}status = 'queued' OR (${alias}status = 'running' AND ${alias}lease_until < $3))`;

/**
 * The next scan to claim, fair between tenants: each tenant with claimable scans is ranked by its scans running under
 * a live lease (fewest first), then by when its last scan started (longest ago first, never first of all); the
 * oldest claimable scan of the first tenant is taken. `lock` is appended to the row's SELECT (PostgreSQL: skip rows
 * other runners hold).
 */
export function fairClaimSql(lock = ''): string {
  return `UPDATE scans SET status = 'running', runner = $1, lease_until = $2, attempts = attempts + 1, started_at = $3
WHERE id = (
  SELECT s.id FROM scans s JOIN (
    SELECT q.tenant_id,
      (SELECT COUNT(*) FROM scans r WHERE r.tenant_id = q.tenant_id AND r.status = 'running' AND r.lease_until >= $3) AS running,
      COALESCE((SELECT MAX(r.started_at) FROM scans r WHERE r.tenant_id = q.tenant_id), 0) AS last_start
    FROM scans q WHERE ${claimable('q.')} GROUP BY q.tenant_id
  ) t ON t.tenant_id = s.tenant_id
  WHERE ${claimable('s.')}
  ORDER BY t.running, t.last_start, s.created_at, s.id
  LIMIT 1${lock ? ` ${lock}` : ''}
) AND ${claimable('')}
RETURNING *`;
}

const SEVERITY_ORDER = `CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END`;

/** The Store over SQL shared by both databases; subclasses bring the driver and the dialect's few differences. */
export abstract class SqlStore implements Store {
  abstract readonly dialect: 'sqlite' | 'postgres';

  readonly watches: WatchStore;
  readonly verifications: VerificationStore;
  readonly orgs: OrgStore;
  readonly feeds: FeedStore;
  readonly sessions: SessionStore;
  readonly dashboard: DashboardStore;

  constructor(protected readonly db: Db) {
    this.sessions = new SqlSessionStore(db);
    this.dashboard = new SqlDashboardStore(db);
    this.watches = new SqlWatchStore(db);
    this.verifications = new SqlVerificationStore(db);
    this.orgs = new SqlOrgStore(db);
    this.feeds = new SqlFeedStore(db);
  }

  /** Serialises concurrent migrations across processes (advisory lock, or SQLite's write lock). */
  protected abstract lockMigrations(db: Db): Promise<void>;
  /** The claim statement: PostgreSQL skips rows other runners hold. */
  protected abstract claimSql(): string;

  async migrate(): Promise<void> {
    await this.db.tx(async (db) => {
      await this.lockMigrations(db);
      await db.exec('CREATE TABLE IF NOT EXISTS leakdex_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
      const done = new Set((await db.all<{ version: number }>('SELECT version FROM leakdex_migrations')).map((r) => Number(r.version)));
      for (const m of MIGRATIONS) {
        if (done.has(m.version)) continue;
        await db.exec(this.dialect === 'postgres' && m.postgres ? m.postgres : m.sql);
        await db.run('INSERT INTO leakdex_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
      }
    });
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.db.get<{ ok: number }>('SELECT 1 AS ok'))?.ok !== undefined;
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    return this.db.close();
  }

  async ensureTenant(name: string): Promise<Tenant> {
    await this.db.run('INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING', [randomUUID(), name, Date.now()]);
    const r = await this.db.get<Row>('SELECT * FROM tenants WHERE name = $1', [name]);
    return { id: String(r!.id), name: String(r!.name), createdAt: Number(r!.created_at) };
  }

  async getTenant(id: string): Promise<Tenant | undefined> {
    const r = await this.db.get<Row>('SELECT * FROM tenants WHERE id = $1', [id]);
    return r && { id: String(r.id), name: String(r.name), createdAt: Number(r.created_at) };
  }

  async createApiKey(k: { id: string; tenantId: string; name: string | null; hash: string; scopes: Scope[]; createdAt: number }): Promise<void> {
    await this.db.run('INSERT INTO api_keys (id, tenant_id, name, hash, scopes, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [k.id, k.tenantId, k.name, k.hash, k.scopes.join(','), k.createdAt]);
  }

  async getApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    const r = await this.db.get<Row>('SELECT k.*, t.name AS tenant_name FROM api_keys k JOIN tenants t ON t.id = k.tenant_id WHERE k.id = $1', [id]);
    return r && keyFrom(r);
  }

  async listApiKeys(tenantId?: string): Promise<ApiKeyRecord[]> {
    const rows = tenantId
      ? await this.db.all<Row>('SELECT k.*, t.name AS tenant_name FROM api_keys k JOIN tenants t ON t.id = k.tenant_id WHERE k.tenant_id = $1 ORDER BY k.created_at, k.id', [tenantId])
      : await this.db.all<Row>('SELECT k.*, t.name AS tenant_name FROM api_keys k JOIN tenants t ON t.id = k.tenant_id ORDER BY t.name, k.created_at, k.id');
    return rows.map(keyFrom);
  }

  async revokeApiKey(id: string, at: number): Promise<boolean> {
    return (await this.db.run('UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', [id, at])) > 0;
  }

  async countApiKeys(): Promise<number> {
    return Number((await this.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM api_keys'))?.n ?? 0);
  }

  async insertScan(s: NewScan): Promise<ScanRecord> {
    const r = await this.db.get<Row>(
      `INSERT INTO scans (id, tenant_id, status, sha256, size, filename, upload_path, entries_total, created_at, verify)
       VALUES ($1, $2, 'queued', $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
      [s.id, s.tenantId, s.sha256, s.size, s.filename, s.uploadPath, s.entriesTotal, s.createdAt, s.verify ? 1 : 0],
    );
    return scanFrom(r!);
  }

  async getScan(tenantId: string, id: string): Promise<ScanRecord | undefined> {
    const r = await this.db.get<Row>('SELECT * FROM scans WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    return r && scanFrom(r);
  }

  async findReusableScan(tenantId: string, sha256: string): Promise<ScanRecord | undefined> {
    const r = await this.db.get<Row>(
      `SELECT * FROM scans WHERE tenant_id = $1 AND sha256 = $2 AND status <> 'failed' ORDER BY created_at DESC, id DESC LIMIT 1`,
      [tenantId, sha256],
    );
    return r && scanFrom(r);
  }

  async listScans(tenantId: string, opts: { limit: number; status?: ScanStatus }): Promise<ScanRecord[]> {
    const rows = opts.status
      ? await this.db.all<Row>('SELECT * FROM scans WHERE tenant_id = $1 AND status = $2 ORDER BY created_at DESC, id DESC LIMIT $3', [tenantId, opts.status, opts.limit])
      : await this.db.all<Row>('SELECT * FROM scans WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2', [tenantId, opts.limit]);
    return rows.map(scanFrom);
  }

  async deleteScan(tenantId: string, id: string): Promise<ScanRecord | undefined> {
    return this.db.tx(async (db) => {
      const r = await db.get<Row>('SELECT * FROM scans WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
      if (!r) return undefined;
      const scan = scanFrom(r);
      await db.run('DELETE FROM findings WHERE tenant_id = $1 AND scan_id = $2', [tenantId, id]);
      await db.run('DELETE FROM versions WHERE tenant_id = $1 AND scan_id = $2', [tenantId, id]);
      if (scan.appId) await db.run('DELETE FROM apps WHERE tenant_id = $1 AND id = $2 AND NOT EXISTS (SELECT 1 FROM versions v WHERE v.app_id = apps.id)', [tenantId, scan.appId]);
      await db.run('DELETE FROM reports WHERE tenant_id = $1 AND scan_id = $2', [tenantId, id]);
      await db.run('DELETE FROM scans WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
      return scan;
    });
  }

  async getReport(tenantId: string, scanId: string): Promise<string | undefined> {
    const r = await this.db.get<{ body: string }>('SELECT body FROM reports WHERE tenant_id = $1 AND scan_id = $2', [tenantId, scanId]);
    return r?.body;
  }

  async claimScan(runner: string, now: number, leaseMs: number): Promise<ScanRecord | undefined> {
    const r = await this.db.get<Row>(this.claimSql(), [runner, now + leaseMs, now]);
    return r && scanFrom(r);
  }

  async startScan(id: string, runner: string, now: number, leaseMs: number): Promise<ScanRecord | undefined> {
    const r = await this.db.get<Row>(
      `UPDATE scans SET status = 'running', runner = $2, lease_until = $3, attempts = attempts + 1, started_at = $4 WHERE id = $1 AND status IN ('queued', 'running') RETURNING *`,
      [id, runner, now + leaseMs, now],
    );
    return r ? scanFrom(r) : undefined;
  }

  async listQueuedBefore(before: number, limit: number): Promise<ScanRecord[]> {
    return (await this.db.all<Row>(`SELECT * FROM scans WHERE status = 'queued' AND created_at < $1 ORDER BY created_at LIMIT $2`, [before, limit])).map(scanFrom);
  }

  async scanStatuses(ids: string[]): Promise<Map<string, ScanStatus>> {
    const out = new Map<string, ScanStatus>();
    for (let i = 0; i < ids.length; i += 500) {
      const part = ids.slice(i, i + 500);
      const rows = await this.db.all<{ id: string; status: ScanStatus }>(`SELECT id, status FROM scans WHERE id IN (${part.map((_, j) => `$${j + 1}`).join(', ')})`, part);
      for (const r of rows) out.set(String(r.id), r.status);
    }
    return out;
  }

  async countQueued(tenantId: string): Promise<number> {
    return Number((await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM scans WHERE tenant_id = $1 AND status = 'queued'`, [tenantId]))?.n ?? 0);
  }

  async heartbeat(id: string, runner: string, leaseUntil: number, entriesDone: number): Promise<boolean> {
    return (await this.db.run(`UPDATE scans SET lease_until = $3, entries_done = $4 WHERE id = $1 AND runner = $2 AND status = 'running'`, [id, runner, leaseUntil, entriesDone])) > 0;
  }

  async listRunning(): Promise<ScanRecord[]> {
    return (await this.db.all<Row>(`SELECT * FROM scans WHERE status = 'running' ORDER BY created_at`)).map(scanFrom);
  }

  async requeueScan(id: string, runner: string): Promise<boolean> {
    return (await this.db.run(`UPDATE scans SET status = 'queued', runner = NULL, lease_until = NULL WHERE id = $1 AND runner = $2 AND status = 'running'`, [id, runner])) > 0;
  }

  async completeScan(id: string, runner: string, result: ScanCompletion, finishedAt: number): Promise<boolean> {
    return this.db.tx(async (db) => {
      const r = await db.get<Row>(`SELECT * FROM scans WHERE id = $1 AND runner = $2 AND status = 'running'`, [id, runner]);
      if (!r) return false;
      const scan = scanFrom(r);
      let appId: string | null = null;
      let versionId: string | null = null;
      if (result.app) {
        const a = result.app;
        await db.run(
          `INSERT INTO apps (id, tenant_id, platform, package_id, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)
           ON CONFLICT (tenant_id, platform, package_id) DO UPDATE SET name = COALESCE(excluded.name, apps.name), updated_at = excluded.updated_at`,
          [randomUUID(), scan.tenantId, a.platform, a.packageId, a.name, finishedAt],
        );
        appId = String((await db.get<Row>('SELECT id FROM apps WHERE tenant_id = $1 AND platform = $2 AND package_id = $3', [scan.tenantId, a.platform, a.packageId]))!.id);
        const v = result.version ?? { versionName: null, versionCode: null, signer: null };
        const versionKey = JSON.stringify([v.versionCode, v.versionName]);
        await db.run(
          `INSERT INTO versions (id, tenant_id, app_id, version_key, version_name, version_code, signer, scan_id, sha256, findings, rating, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
           ON CONFLICT (app_id, version_key) DO UPDATE SET signer = excluded.signer, scan_id = excluded.scan_id, sha256 = excluded.sha256,
             findings = excluded.findings, rating = excluded.rating, updated_at = excluded.updated_at`,
          [randomUUID(), scan.tenantId, appId, versionKey, v.versionName, v.versionCode, v.signer, id, scan.sha256, result.findings.length, result.rating, finishedAt],
        );
        versionId = String((await db.get<Row>('SELECT id FROM versions WHERE app_id = $1 AND version_key = $2', [appId, versionKey]))!.id);
        await db.run('DELETE FROM findings WHERE version_id = $1', [versionId]);
        for (const f of result.findings) {
          await db.run(
            `INSERT INTO findings (id, tenant_id, app_id, version_id, scan_id, fingerprint, rule_id, provider, title, severity, confidence, redacted, locations, secret_enc, verification, value_mac)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
            [randomUUID(), scan.tenantId, appId, versionId, id, f.fingerprint, f.ruleId, f.provider, f.title, f.severity, f.confidence, f.redacted, JSON.stringify(f.locations), f.secretEnc, f.verification ? JSON.stringify(f.verification) : null, f.valueMac ?? null],
          );
        }
      }
      await db.run('INSERT INTO reports (scan_id, tenant_id, body) VALUES ($1, $2, $3)', [id, scan.tenantId, result.report]);
      await db.run(
        `UPDATE scans SET status = 'done', summary = $2, rating = $3, app_id = $4, version_id = $5, finished_at = $6, runner = NULL, lease_until = NULL,
           entries_done = COALESCE(entries_total, entries_done), error = NULL WHERE id = $1`,
        [id, JSON.stringify(result.summary), result.rating, appId, versionId, finishedAt],
      );
      return true;
    });
  }

  async failScan(id: string, runner: string | null, error: string, finishedAt: number): Promise<boolean> {
    const changed = runner
      ? await this.db.run(`UPDATE scans SET status = 'failed', error = $3, finished_at = $4, runner = NULL, lease_until = NULL WHERE id = $1 AND runner = $2 AND status = 'running'`, [id, runner, error, finishedAt])
      : await this.db.run(`UPDATE scans SET status = 'failed', error = $2, finished_at = $3, runner = NULL, lease_until = NULL WHERE id = $1 AND status IN ('queued', 'running')`, [id, error, finishedAt]);
    return changed > 0;
  }

  async countScansByStatus(): Promise<Record<ScanStatus, number>> {
    const out: Record<ScanStatus, number> = { queued: 0, running: 0, done: 0, failed: 0 };
    for (const r of await this.db.all<{ status: ScanStatus; n: number }>('SELECT status, COUNT(*) AS n FROM scans GROUP BY status')) out[r.status] = Number(r.n);
    return out;
  }

  async listApps(tenantId: string, limit: number): Promise<(AppRecord & { versions: number })[]> {
    const rows = await this.db.all<Row>(
      `SELECT a.*, (SELECT COUNT(*) FROM versions v WHERE v.app_id = a.id) AS version_count FROM apps a WHERE a.tenant_id = $1 ORDER BY a.package_id, a.platform LIMIT $2`,
      [tenantId, limit],
    );
    return rows.map((r) => ({ ...appFrom(r), versions: Number(r.version_count) }));
  }

  async findApps(tenantId: string, ref: string): Promise<AppRecord[]> {
    const rows = await this.db.all<Row>(`SELECT * FROM apps WHERE tenant_id = $1 AND (id = $2 OR package_id = $2 OR platform || ':' || package_id = $2) ORDER BY platform`, [tenantId, ref]);
    return rows.map(appFrom);
  }

  async listVersions(tenantId: string, appId: string): Promise<VersionRecord[]> {
    return (await this.db.all<Row>('SELECT * FROM versions WHERE tenant_id = $1 AND app_id = $2 ORDER BY created_at, id', [tenantId, appId])).map(versionFrom);
  }

  async listVersionFindings(tenantId: string, versionId: string): Promise<FindingRecord[]> {
    const rows = await this.db.all<Row>(`SELECT * FROM findings WHERE tenant_id = $1 AND version_id = $2 ORDER BY ${SEVERITY_ORDER}, rule_id, fingerprint`, [tenantId, versionId]);
    return rows.map(findingFrom);
  }

  async listScanFindings(tenantId: string, scanId: string): Promise<FindingRecord[]> {
    const rows = await this.db.all<Row>(`SELECT * FROM findings WHERE tenant_id = $1 AND scan_id = $2 ORDER BY ${SEVERITY_ORDER}, rule_id, fingerprint`, [tenantId, scanId]);
    return rows.map(findingFrom);
  }

  async listAppFindingRows(tenantId: string, appId: string): Promise<AppFindingRow[]> {
    const rows = await this.db.all<Row>('SELECT version_id, fingerprint FROM findings WHERE tenant_id = $1 AND app_id = $2', [tenantId, appId]);
    return rows.map((r) => ({ versionId: String(r.version_id), fingerprint: String(r.fingerprint) }));
  }
}
