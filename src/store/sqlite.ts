import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SqliteDb, type Db } from './db.js';
import { fairClaimSql, SqlStore } from './sql-store.js';

const CLAIM = fairClaimSql();

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
