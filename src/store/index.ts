import { join } from 'node:path';
import type { Config } from '../config.js';
import { PostgresStore } from './postgres.js';
import { SqliteStore } from './sqlite.js';
import type { Store } from './types.js';

export type * from './types.js';
export { SqliteStore } from './sqlite.js';
export { PostgresStore } from './postgres.js';

/** The SQLite file inside the data directory. */
export const SQLITE_FILE = 'leakdex.sqlite';

/** Opens and migrates the configured store: PostgreSQL when databaseUrl is set, else SQLite in dataDir. */
export async function openStore(config: Pick<Config, 'dataDir' | 'databaseUrl' | 'databaseSchema'>): Promise<Store> {
  const store = config.databaseUrl ? new PostgresStore(config.databaseUrl, config.databaseSchema) : new SqliteStore(join(config.dataDir, SQLITE_FILE));
  try {
    await store.migrate();
  } catch (e) {
    await store.close().catch(() => {});
    throw e;
  }
  return store;
}
