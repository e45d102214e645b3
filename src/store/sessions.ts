/** Dashboard sessions (migration 6): the statements src/web/session.ts needs. */
import type { Db } from './db.js';
import { rowReader, type Row } from './rows.js';
import type { SessionStore, WebSession } from './types.js';

const fields = rowReader<Omit<WebSession, 'reveal'>>({ idHash: 'text', tenantId: 'text', keyId: 'text', csrf: 'text', createdAt: 'num', lastSeenAt: 'num', expiresAt: 'num' });
const sessionFrom = (r: Row): WebSession => ({ ...fields(r), reveal: Number(r.reveal ?? 0) === 1 });

export class SqlSessionStore implements SessionStore {
  constructor(private readonly db: Db) {}

  async insert(s: WebSession): Promise<void> {
    await this.db.run('INSERT INTO web_sessions (id_hash, tenant_id, key_id, csrf, reveal, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
      s.idHash,
      s.tenantId,
      s.keyId,
      s.csrf,
      s.reveal ? 1 : 0,
      s.createdAt,
      s.lastSeenAt,
      s.expiresAt,
    ]);
  }

  async get(idHash: string): Promise<WebSession | undefined> {
    const r = await this.db.get<Row>('SELECT * FROM web_sessions WHERE id_hash = $1', [idHash]);
    return r && sessionFrom(r);
  }

  async touch(idHash: string, lastSeenAt: number, expiresAt: number): Promise<void> {
    await this.db.run('UPDATE web_sessions SET last_seen_at = $2, expires_at = $3 WHERE id_hash = $1', [idHash, lastSeenAt, expiresAt]);
  }

  async setReveal(idHash: string, reveal: boolean): Promise<void> {
    await this.db.run('UPDATE web_sessions SET reveal = $2 WHERE id_hash = $1', [idHash, reveal ? 1 : 0]);
  }

  async remove(idHash: string): Promise<void> {
    await this.db.run('DELETE FROM web_sessions WHERE id_hash = $1', [idHash]);
  }

  async purge(now: number): Promise<number> {
    return this.db.run('DELETE FROM web_sessions WHERE expires_at <= $1', [now]);
  }
}
