import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SqliteDb, type Db } from './db.js';
import { SqlStore } from './sql-store.js';

const CLAIM = `UPDATE scans SET status = 'running', runner = $1, lease_until = $2, attempts = attempts + 1, started_at = $3
WHERE id = (SELECT id FROM scans WHERE status = 'queued' OR (status = 'running' AND lease_until < $3) ORDER BY created_at, id LIMIT 1)
RETURNING *`;

/** The embedded store: one SQLite file in WAL mode (better-sqlite3). */
export class SqliteStore extends SqlStore {
  readonly dialect = 'sqlite' as const;

  constructor(readonly file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    super(new SqliteDb(file));
  }

  protected async lockMigrations(_db: Db): Promise<void> {
    // BEGIN IMMEDIATE in SqliteDb.tx already holds the database's write lock.
  }

  protected claimSql(): string {
    return CLAIM;
  }
}
