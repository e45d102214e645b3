import Database from 'better-sqlite3';
import pg from 'pg';

/** A SQL parameter value both drivers accept. */
export type SqlValue = string | number | null | boolean;

/** The little each store implementation needs from its driver. SQL uses `$1`-style placeholders. */
export interface Db {
  readonly dialect: 'sqlite' | 'postgres';
  all<T>(sql: string, params?: SqlValue[]): Promise<T[]>;
  get<T>(sql: string, params?: SqlValue[]): Promise<T | undefined>;
  /** Runs a statement; resolves to the number of rows changed. */
  run(sql: string, params?: SqlValue[]): Promise<number>;
  exec(sql: string): Promise<void>;
  /** Runs `fn` in one transaction on one connection; rolls back when it throws. */
  tx<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * The row-locking clause of a lease claim's inner SELECT. On PostgreSQL, two claimers that run at once would otherwise
 * pick the same oldest rows; the second then waits on the first, finds them leased when it re-checks, and claims none
 * of the other due rows. `SKIP LOCKED` makes it pass over the rows being claimed and take the next ones. SQLite runs
 * one writer at a time, so it needs (and has) no clause.
 */
export function skipLocked(db: Db): string {
  return db.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
}

const PLACEHOLDER = /\$(\d+)/g;

/** Rewrites `$n` placeholders to `?` and orders the values to match (SQLite has no reusable numbered ones here). */
function toSqlite(sql: string, params: SqlValue[]): { sql: string; values: (string | number | null)[] } {
  const values: (string | number | null)[] = [];
  const text = sql.replace(PLACEHOLDER, (_m, n: string) => {
    const v = params[Number(n) - 1];
    values.push(v === undefined ? null : typeof v === 'boolean' ? (v ? 1 : 0) : v);
    return '?';
  });
  return { sql: text, values };
}

/** better-sqlite3 behind the async interface; a transaction holds a lock so other callers wait for it. */
export class SqliteDb implements Db {
  readonly dialect = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, { stmt: Database.Statement; returns: boolean }>();
  private lock: Promise<void> = Promise.resolve();

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
  }

  private prepare(sql: string) {
    let entry = this.statements.get(sql);
    if (!entry) {
      const stmt = this.db.prepare(sql);
      entry = { stmt, returns: stmt.reader };
      if (this.statements.size > 500) this.statements.clear();
      this.statements.set(sql, entry);
    }
    return entry;
  }

  private direct(): Db {
    const run = <T>(sql: string, params: SqlValue[] = []): { rows: T[]; changes: number } => {
      const q = toSqlite(sql, params);
      const { stmt, returns } = this.prepare(q.sql);
      if (returns) return { rows: stmt.all(...q.values) as T[], changes: 0 };
      return { rows: [], changes: stmt.run(...q.values).changes };
    };
    const self: Db = {
      dialect: 'sqlite',
      all: async <T>(sql: string, params?: SqlValue[]) => run<T>(sql, params).rows,
      get: async <T>(sql: string, params?: SqlValue[]) => run<T>(sql, params).rows[0],
      run: async (sql: string, params?: SqlValue[]) => {
        const r = run(sql, params);
        return r.rows.length || r.changes;
      },
      exec: async (sql: string) => {
        this.db.exec(sql);
      },
      tx: <T>(fn: (db: Db) => Promise<T>) => fn(self),
      close: async () => {},
    };
    return self;
  }

  private async locked<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    const previous = this.lock;
    let release!: () => void;
    this.lock = new Promise<void>((r) => (release = r));
    await previous;
    try {
      return await fn(this.direct());
    } finally {
      release();
    }
  }

  all<T>(sql: string, params?: SqlValue[]): Promise<T[]> {
    return this.locked((db) => db.all<T>(sql, params));
  }
  get<T>(sql: string, params?: SqlValue[]): Promise<T | undefined> {
    return this.locked((db) => db.get<T>(sql, params));
  }
  run(sql: string, params?: SqlValue[]): Promise<number> {
    return this.locked((db) => db.run(sql, params));
  }
  exec(sql: string): Promise<void> {
    return this.locked((db) => db.exec(sql));
  }
  tx<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    return this.locked(async (db) => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const out = await fn(db);
        this.db.exec('COMMIT');
        return out;
      } catch (e) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw e;
      }
    });
  }
  async close(): Promise<void> {
    await this.locked(async () => {
      this.statements.clear();
      this.db.close();
    });
  }
}

/** BIGINT columns hold ms timestamps and counts, all within Number's safe range. */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser,
};

function pgClientDb(query: (sql: string, params?: SqlValue[]) => Promise<pg.QueryResult>): Omit<Db, 'tx' | 'close'> {
  return {
    dialect: 'postgres',
    all: async <T>(sql: string, params?: SqlValue[]) => (await query(sql, params)).rows as T[],
    get: async <T>(sql: string, params?: SqlValue[]) => (await query(sql, params)).rows[0] as T | undefined,
    run: async (sql: string, params?: SqlValue[]) => (await query(sql, params)).rowCount ?? 0,
    exec: async (sql: string) => {
      await query(sql);
    },
  };
}

/** node-postgres pool behind the async interface, optionally confined to one schema. */
export class PostgresDb implements Db {
  readonly dialect = 'postgres' as const;
  readonly pool: pg.Pool;
  private readonly base: Omit<Db, 'tx' | 'close'>;

  constructor(connectionString: string, readonly schema?: string, max = 10) {
    this.pool = new pg.Pool({ connectionString, max, types, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
    this.pool.on('error', () => {});
    this.base = pgClientDb((sql, params) => this.pool.query(sql, params));
  }

  all<T>(sql: string, params?: SqlValue[]): Promise<T[]> {
    return this.base.all<T>(sql, params);
  }
  get<T>(sql: string, params?: SqlValue[]): Promise<T | undefined> {
    return this.base.get<T>(sql, params);
  }
  run(sql: string, params?: SqlValue[]): Promise<number> {
    return this.base.run(sql, params);
  }
  exec(sql: string): Promise<void> {
    return this.base.exec(sql);
  }
  async tx<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const inner: Db = { ...pgClientDb((sql, params) => client.query(sql, params)), tx: (f) => f(inner), close: async () => {} };
      const out = await fn(inner);
      await client.query('COMMIT');
      return out;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      client.release();
    }
  }
  async close(): Promise<void> {
    await this.pool.end();
  }
}
