/** The PostgreSQL server the store and sweep suites run against. */
import pg from 'pg';

/** Candidate PostgreSQL URLs: LEAKDEX_TEST_DATABASE_URL, else the local server as postgres or as root. */
export const PG_URLS = process.env.LEAKDEX_TEST_DATABASE_URL ? [process.env.LEAKDEX_TEST_DATABASE_URL] : ['postgres://postgres@127.0.0.1:5432/test', 'postgres://root@127.0.0.1:5432/test'];

/** The first of PG_URLS that answers a query, if any. */
export async function reachablePostgres(): Promise<string | undefined> {
  for (const url of PG_URLS) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return url;
    } catch {
      // try the next one
    } finally {
      await client.end().catch(() => {});
    }
  }
  return undefined;
}
