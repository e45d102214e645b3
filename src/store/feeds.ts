/**
 * The known-compromised tables (migration 5): feeds, their entries (keyed MACs of SHA-256 hashes, never a hash or a
 * value) and the marks on findings. src/service/feeds.ts holds the logic; every statement it needs is here.
 */
import { skipLocked, type Db } from './db.js';
import { rowReader, type Row } from './rows.js';
import type { CompromisedMatch, FeedEntry, FeedRecord, FeedStore, FindingRecord, NewFeed } from './types.js';

const feedFrom = rowReader<FeedRecord>({
  id: 'text', tenantId: 'text', name: 'text', url: 'text?', intervalS: 'num?', nextFetchAt: 'num?', etag: 'text?', leaseOwner: 'text?', leaseUntil: 'num?', lastError: 'text?',
  lastFetchedAt: 'num?', createdAt: 'num', entries: 'num',
});

const findingFrom = rowReader<FindingRecord>({
  id: 'text', tenantId: 'text', appId: 'text', versionId: 'text', scanId: 'text', fingerprint: 'text', ruleId: 'text', provider: 'text', title: 'text', severity: 'text',
  confidence: 'text', redacted: 'text', locations: 'json', secretEnc: 'text?', verification: 'json?', valueMac: 'text?', compromised: 'json?',
});

const FEED_COLUMNS = 'f.*, (SELECT COUNT(*) FROM feed_entries e WHERE e.feed_id = f.id) AS entries';
/** Rows per INSERT of entries (SQLite allows 32,766 parameters; 6 per row). */
const ENTRY_BATCH = 500;

export class SqlFeedStore implements FeedStore {
  constructor(private readonly db: Db) {}

  async insert(f: NewFeed): Promise<void> {
    await this.db.run('INSERT INTO feeds (id, tenant_id, name, url, interval_s, next_fetch_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [f.id, f.tenantId, f.name, f.url, f.intervalS, f.nextFetchAt, f.createdAt]);
  }

  async get(tenantId: string, id: string): Promise<FeedRecord | undefined> {
    const r = await this.db.get<Row>(`SELECT ${FEED_COLUMNS} FROM feeds f WHERE f.tenant_id = $1 AND f.id = $2`, [tenantId, id]);
    return r && feedFrom(r);
  }

  async getByName(tenantId: string, name: string): Promise<FeedRecord | undefined> {
    const r = await this.db.get<Row>(`SELECT ${FEED_COLUMNS} FROM feeds f WHERE f.tenant_id = $1 AND f.name = $2`, [tenantId, name]);
    return r && feedFrom(r);
  }

  async list(tenantId: string): Promise<FeedRecord[]> {
    return (await this.db.all<Row>(`SELECT ${FEED_COLUMNS} FROM feeds f WHERE f.tenant_id = $1 ORDER BY f.name`, [tenantId])).map(feedFrom);
  }

  async remove(tenantId: string, id: string): Promise<boolean> {
    return (
      (await this.db.tx(async (db) => {
        await db.run('DELETE FROM feed_entries WHERE feed_id = $1 AND tenant_id = $2', [id, tenantId]);
        return db.run('DELETE FROM feeds WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
      })) > 0
    );
  }

  async addEntries(feedId: string, tenantId: string, entries: FeedEntry[], at: number): Promise<number> {
    return this.db.tx(async (db) => {
      let added = 0;
      for (let i = 0; i < entries.length; i += ENTRY_BATCH) {
        const batch = entries.slice(i, i + ENTRY_BATCH);
        const values = batch.map((_, j) => `($${j * 6 + 1}, $${j * 6 + 2}, $${j * 6 + 3}, $${j * 6 + 4}, $${j * 6 + 5}, $${j * 6 + 6})`).join(', ');
        added += await db.run(
          `INSERT INTO feed_entries (feed_id, tenant_id, value_mac, source, seen_on, added_at) VALUES ${values} ON CONFLICT (feed_id, value_mac) DO NOTHING`,
          batch.flatMap((e) => [feedId, tenantId, e.valueMac, e.source, e.seenOn, at]),
        );
      }
      return added;
    });
  }

  async replaceEntries(feedId: string, tenantId: string, entries: FeedEntry[], at: number): Promise<number> {
    return this.db.tx(async (db) => {
      const before = new Set((await db.all<Row>('SELECT value_mac FROM feed_entries WHERE feed_id = $1', [feedId])).map((r) => String(r.value_mac)));
      await db.run('DELETE FROM feed_entries WHERE feed_id = $1', [feedId]);
      const unique = new Map(entries.map((e) => [e.valueMac, e]));
      const list = [...unique.values()];
      for (let i = 0; i < list.length; i += ENTRY_BATCH) {
        const batch = list.slice(i, i + ENTRY_BATCH);
        const values = batch.map((_, j) => `($${j * 6 + 1}, $${j * 6 + 2}, $${j * 6 + 3}, $${j * 6 + 4}, $${j * 6 + 5}, $${j * 6 + 6})`).join(', ');
        await db.run(`INSERT INTO feed_entries (feed_id, tenant_id, value_mac, source, seen_on, added_at) VALUES ${values}`, batch.flatMap((e) => [feedId, tenantId, e.valueMac, e.source, e.seenOn, at]));
      }
      return list.filter((e) => !before.has(e.valueMac)).length;
    });
  }

  async claimDue(owner: string, now: number, leaseUntil: number, limit: number): Promise<FeedRecord[]> {
    const ids = await this.db.all<Row>(
      `UPDATE feeds SET lease_owner = $1, lease_until = $2
       WHERE id IN (SELECT id FROM feeds WHERE url IS NOT NULL AND next_fetch_at <= $3 AND (lease_until IS NULL OR lease_until < $3) ORDER BY next_fetch_at, id LIMIT $4${skipLocked(this.db)})
         AND (lease_until IS NULL OR lease_until < $3)
       RETURNING id, tenant_id`,
      [owner, leaseUntil, now, limit],
    );
    const out: FeedRecord[] = [];
    for (const r of ids) {
      const f = await this.get(String(r.tenant_id), String(r.id));
      if (f) out.push(f);
    }
    return out;
  }

  async releaseFetch(id: string, owner: string, o: { nextFetchAt: number; etag: string | null; lastError: string | null; lastFetchedAt: number }): Promise<void> {
    await this.db.run('UPDATE feeds SET lease_owner = NULL, lease_until = NULL, next_fetch_at = $1, etag = $2, last_error = $3, last_fetched_at = $4 WHERE id = $5 AND lease_owner = $6', [
      o.nextFetchAt,
      o.etag,
      o.lastError,
      o.lastFetchedAt,
      id,
      owner,
    ]);
  }

  async listUnmarkedMatches(tenantId: string, limit: number): Promise<CompromisedMatch[]> {
    const rows = await this.db.all<Row>(
      `SELECT f.*, e.feed_id, fd.name AS feed_name, e.source AS entry_source, e.seen_on AS entry_seen_on
       FROM findings f JOIN feed_entries e ON e.tenant_id = f.tenant_id AND e.value_mac = f.value_mac JOIN feeds fd ON fd.id = e.feed_id
       WHERE f.tenant_id = $1 AND f.value_mac IS NOT NULL AND f.compromised IS NULL
       ORDER BY f.id, e.added_at, e.feed_id LIMIT $2`,
      [tenantId, limit],
    );
    const seen = new Set<string>();
    return rows
      .filter((r) => !seen.has(String(r.id)) && seen.add(String(r.id)))
      .map((r) => ({ ...findingFrom(r), feedId: String(r.feed_id), feedName: String(r.feed_name), entrySource: r.entry_source == null ? null : String(r.entry_source), entrySeenOn: r.entry_seen_on == null ? null : String(r.entry_seen_on) }));
  }

  async listWithoutMac(tenantId: string, limit: number): Promise<FindingRecord[]> {
    return (await this.db.all<Row>('SELECT * FROM findings WHERE tenant_id = $1 AND value_mac IS NULL AND secret_enc IS NOT NULL ORDER BY id LIMIT $2', [tenantId, limit])).map(findingFrom);
  }

  async setValueMac(findingId: string, valueMac: string): Promise<void> {
    await this.db.run('UPDATE findings SET value_mac = $2 WHERE id = $1', [findingId, valueMac]);
  }

  async markCompromised(findingId: string, mark: string): Promise<void> {
    await this.db.run("UPDATE findings SET compromised = $2, severity = 'critical' WHERE id = $1 AND compromised IS NULL", [findingId, mark]);
  }

  async listTenantsWithFeeds(): Promise<string[]> {
    return (await this.db.all<Row>('SELECT DISTINCT tenant_id FROM feed_entries ORDER BY tenant_id')).map((r) => String(r.tenant_id));
  }

  async listMarked(tenantId: string, limit: number): Promise<FindingRecord[]> {
    return (await this.db.all<Row>('SELECT * FROM findings WHERE tenant_id = $1 AND compromised IS NOT NULL ORDER BY id LIMIT $2', [tenantId, limit])).map(findingFrom);
  }
}
