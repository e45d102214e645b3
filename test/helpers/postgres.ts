/**
 * The PostgreSQL server the store and sweep suites run against, and the rule for every suite that needs something
 * outside the repository (PostgreSQL, Chromium): on a developer's machine that lacks it, the suite is skipped with
 * the reason and how to run it (tap lists it as SKIP with that text); under CI (CI=true) it is required and fails.
 */
import t from 'tap';
import pg from 'pg';

/** A test's body, as t.test takes it (its last overload: the callback alone). */
type TestFn = Parameters<typeof t.test>[0];

/** Candidate PostgreSQL URLs: LEAKDEX_TEST_DATABASE_URL, else the local server as postgres or as root. */
export const PG_URLS = process.env.LEAKDEX_TEST_DATABASE_URL ? [process.env.LEAKDEX_TEST_DATABASE_URL] : ['postgres://postgres@127.0.0.1:5432/test', 'postgres://root@127.0.0.1:5432/test'];

/** Under CI every suite runs: a missing PostgreSQL or Chromium is a failure there, not a skip. */
export const SERVICES_REQUIRED = /^(1|true)$/i.test(process.env.CI ?? '');

/** Why the PostgreSQL suites cannot run here, and how to run them. */
export const POSTGRES_MISSING = `PostgreSQL is not reachable at ${PG_URLS.join(' or ')}: start a local server (trust auth, a database named test) or set LEAKDEX_TEST_DATABASE_URL`;

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

/**
 * A top-level test that needs something this machine may lack: `missing` is undefined when it is there (the test
 * runs), else why it is not and how to get it: the test is skipped with that reason, or fails under CI.
 */
export function testNeeding(name: string, missing: string | undefined, fn: TestFn): void {
  if (missing === undefined) t.test(name, fn);
  else if (SERVICES_REQUIRED) t.test(name, async (t) => void t.fail(`${missing} (required under CI=true)`));
  else t.test(name, { skip: `${missing} (skipped here; CI=true makes it required)` }, () => {});
}
