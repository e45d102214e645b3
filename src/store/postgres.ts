import { PostgresDb, type Db } from './db.js';
import { SqlStore } from './sql-store.js';

/** Advisory lock id held while migrating, so concurrent processes migrate once. */
const MIGRATION_LOCK = 0x6c65616b;

/** The scale-out store: PostgreSQL through node-postgres, optionally in its own schema. */
export class PostgresStore extends SqlStore {
  readonly dialect = 'postgres' as const;
  private readonly pgDb: PostgresDb;

  constructor(connectionString: string, readonly schema?: string) {
    const db = new PostgresDb(connectionString, schema);
    super(db);
    this.pgDb = db;
  }

  /** Drops the store's schema and everything in it (tests). */
  async dropSchema(): Promise<void> {
    if (!this.schema) throw new Error('dropSchema needs a store opened on its own schema');
    await this.pgDb.exec(`DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`);
  }

  protected async lockMigrations(db: Db): Promise<void> {
    await db.get('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    if (this.schema) await db.exec(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
  }

  /** PostgreSQL mode queues scans in pg-boss (src/service/queue.ts): the store's own queue is SQLite's alone. */
  protected claimSql(): string {
    throw new Error('the PostgreSQL store has no scan queue of its own: scans are pg-boss jobs (src/service/queue.ts)');
  }
}
