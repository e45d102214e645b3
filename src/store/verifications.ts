/**
 * The verification tables (migration 4): tenant settings, the result cache every process shares, each finding's
 * latest verification and the changes of status kept in an app's history. src/verify and src/market/rechecks.ts hold
 * the logic; every statement they need is here.
 */
import type { Db } from './db.js';
import { rowReader, type Row } from './rows.js';
import type { RecheckCandidate, TenantSettings, VerificationEvent, VerificationStore } from './types.js';

const eventFrom = rowReader<VerificationEvent>({
  id: 'text', tenantId: 'text', appId: 'text', versionId: 'text', fingerprint: 'text', ruleId: 'text', redacted: 'text', fromStatus: 'text?', toStatus: 'text', reason: 'text', createdAt: 'num',
});

const candidateFrom = rowReader<RecheckCandidate>({
  id: 'text', tenantId: 'text', appId: 'text', versionId: 'text', scanId: 'text', fingerprint: 'text', ruleId: 'text', provider: 'text', title: 'text', severity: 'text',
  confidence: 'text', redacted: 'text', locations: 'json', secretEnc: 'text?', verification: 'json?', valueMac: 'text?', compromised: 'json?', watchId: ['watch_id', 'text'],
});

export class SqlVerificationStore implements VerificationStore {
  constructor(private readonly db: Db) {}

  async getSettings(tenantId: string): Promise<TenantSettings> {
    const r = await this.db.get<Row>('SELECT settings FROM tenants WHERE id = $1', [tenantId]);
    let parsed: Partial<TenantSettings> = {};
    try {
      parsed = r?.settings ? (JSON.parse(String(r.settings)) as Partial<TenantSettings>) : {};
    } catch {
      parsed = {};
    }
    return { verify: parsed.verify === true };
  }

  async setSettings(tenantId: string, settings: TenantSettings): Promise<void> {
    await this.db.run('UPDATE tenants SET settings = $2 WHERE id = $1', [tenantId, JSON.stringify(settings)]);
  }

  async cacheGet(key: string, now: number): Promise<string | undefined> {
    const r = await this.db.get<Row>('SELECT result FROM verification_cache WHERE key = $1 AND expires_at > $2', [key, now]);
    return r ? String(r.result) : undefined;
  }

  async cacheSet(key: string, result: string, expiresAt: number): Promise<void> {
    await this.db.run(
      `INSERT INTO verification_cache (key, result, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE SET result = excluded.result, expires_at = excluded.expires_at`,
      [key, result, expiresAt],
    );
  }

  async cachePurge(now: number): Promise<number> {
    return this.db.run('DELETE FROM verification_cache WHERE expires_at <= $1', [now]);
  }

  async listRecheckCandidates(limit: number): Promise<RecheckCandidate[]> {
    // The newest notified version of each watch (by when it was found), and the findings of its scan with a stored value.
    const rows = await this.db.all<Row>(
      `SELECT f.*, wv.watch_id FROM watch_versions wv
       JOIN findings f ON f.scan_id = wv.scan_id AND f.tenant_id = wv.tenant_id
       WHERE wv.status = 'notified' AND f.secret_enc IS NOT NULL
         AND wv.created_at = (SELECT MAX(w2.created_at) FROM watch_versions w2 WHERE w2.watch_id = wv.watch_id AND w2.status = 'notified')
       ORDER BY f.scan_id, f.id
       LIMIT $1`,
      [limit],
    );
    return rows.map(candidateFrom);
  }

  async setFindingVerification(findingId: string, verification: string, severity: string, confidence: string): Promise<void> {
    await this.db.run('UPDATE findings SET verification = $2, severity = $3, confidence = $4 WHERE id = $1', [findingId, verification, severity, confidence]);
  }

  async setVersionRating(versionId: string, grade: string): Promise<void> {
    await this.db.run('UPDATE versions SET rating = $2 WHERE id = $1', [versionId, grade]);
  }

  async insertEvent(e: VerificationEvent): Promise<void> {
    await this.db.run(
      `INSERT INTO verification_events (id, tenant_id, app_id, version_id, fingerprint, rule_id, redacted, from_status, to_status, reason, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [e.id, e.tenantId, e.appId, e.versionId, e.fingerprint, e.ruleId, e.redacted, e.fromStatus, e.toStatus, e.reason, e.createdAt],
    );
  }

  async listEvents(tenantId: string, appId: string, limit: number): Promise<VerificationEvent[]> {
    return (await this.db.all<Row>('SELECT * FROM verification_events WHERE tenant_id = $1 AND app_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3', [tenantId, appId, limit])).map(eventFrom);
  }
}
