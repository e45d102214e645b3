import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { PostgresStore, SqliteStore } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import type { ScanCompletion, Store } from '../../src/store/types.js';
import { decryptSecret, encryptSecret, keyedFingerprint } from '../../src/service/crypto.js';
import { tempDir } from '../helpers/files.js';
import { POSTGRES_MISSING, reachablePostgres, testNeeding } from '../helpers/postgres.js';

function completion(opts: { pkg?: string; versionName?: string; versionCode?: string; signer?: string; fingerprints: string[]; severity?: 'critical' | 'high' | 'low'; secretEnc?: string }): ScanCompletion {
  const sev = opts.severity ?? 'high';
  return {
    summary: { findings: opts.fingerprints.length, bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0, [sev]: opts.fingerprints.length }, diagnostics: 0, durationMs: 5, kind: 'apk', platform: 'android', app: { id: opts.pkg ?? 'com.example.app' } },
    rating: sev === 'critical' ? 'F' : sev === 'high' ? 'D' : 'B',
    report: JSON.stringify({ schemaVersion: 1, findings: opts.fingerprints.map((fingerprint) => ({ fingerprint })) }),
    app: { platform: 'android', packageId: opts.pkg ?? 'com.example.app', name: 'Example' },
    version: { versionName: opts.versionName ?? null, versionCode: opts.versionCode ?? null, signer: opts.signer ?? null },
    findings: opts.fingerprints.map((fingerprint, i) => ({
      fingerprint,
      ruleId: `rule-${i}`,
      provider: 'Example',
      title: 'Example key',
      severity: sev,
      confidence: 'high',
      redacted: 'AKIA…XY',
      locations: [{ entry: 'classes.dex', decoder: 'dex', pointer: `string_ids[${i}]` }],
      secretEnc: opts.secretEnc ?? null,
      valueMac: null,
    })),
  };
}

let clock = 1_700_000_000_000;
const tick = () => (clock += 10);

/** Inserts a queued scan and returns its id. */
async function queue(store: Store, tenantId: string, sha = randomBytes(32).toString('hex')): Promise<string> {
  const id = randomUUID();
  await store.insertScan({ id, tenantId, sha256: sha, size: 123, filename: 'app.apk', uploadPath: `/tmp/${id}`, entriesTotal: 4, createdAt: tick() });
  return id;
}

/** Starts the oldest queued scan as `runner` (as a pg-boss job's runner does, on either store) and completes it with `result`. */
async function runNext(store: Store, runner: string, result: ScanCompletion): Promise<string> {
  const [next] = await store.listQueuedBefore(Number.MAX_SAFE_INTEGER, 1);
  const claimed = next && (await store.startScan(next.id, runner, tick(), 30_000));
  if (!claimed) throw new Error('nothing to claim');
  if (!(await store.completeScan(claimed.id, runner, result, tick()))) throw new Error('complete refused');
  return claimed.id;
}

/** The one store suite, run against every implementation. */
function suite(name: string, open: () => Promise<Store>, cleanup: (store: Store) => Promise<void>) {
  t.test(name, async (t) => {
    const store = await open();
    t.teardown(() => cleanup(store));

    await t.test('migrations apply once and can run again', async (t) => {
      await store.migrate();
      await store.migrate();
      t.equal(await store.ping(), true);
      t.same(await store.countScansByStatus(), { queued: 0, running: 0, done: 0, failed: 0 });
    });

    const acme = await store.ensureTenant('acme');
    const other = await store.ensureTenant('other');

    await t.test('tenants are created once by name', async (t) => {
      const again = await store.ensureTenant('acme');
      t.equal(again.id, acme.id);
      t.not(acme.id, other.id);
      t.equal((await store.getTenant(acme.id))?.name, 'acme');
      t.equal(await store.getTenant('missing'), undefined);
    });

    await t.test('api keys: hashed records, scopes, revocation', async (t) => {
      t.equal(await store.countApiKeys(), 0);
      await store.createApiKey({ id: 'k1', tenantId: acme.id, name: 'ci', hash: 'ab'.repeat(32), scopes: ['read', 'write'], createdAt: tick() });
      await store.createApiKey({ id: 'k2', tenantId: other.id, name: null, hash: 'cd'.repeat(32), scopes: ['admin'], createdAt: tick() });
      const k1 = await store.getApiKey('k1');
      t.match(k1, { id: 'k1', tenantId: acme.id, tenantName: 'acme', name: 'ci', hash: 'ab'.repeat(32), scopes: ['read', 'write'], revokedAt: null });
      t.equal(await store.countApiKeys(), 2);
      t.same((await store.listApiKeys(acme.id)).map((k) => k.id), ['k1']);
      t.same((await store.listApiKeys()).map((k) => k.id).sort(), ['k1', 'k2']);
      t.equal(await store.revokeApiKey('k1', tick()), true);
      t.equal(await store.revokeApiKey('k1', tick()), false, 'revoking twice changes nothing');
      t.type((await store.getApiKey('k1'))?.revokedAt, 'number');
      t.equal(await store.getApiKey('nope'), undefined);
    });

    await t.test('scans are tenant-scoped; reuse ignores failed scans and other tenants', async (t) => {
      const sha = 'f'.repeat(64);
      const id = await queue(store, acme.id, sha);
      const scan = await store.getScan(acme.id, id);
      t.match(scan, { id, tenantId: acme.id, status: 'queued', sha256: sha, size: 123, entriesTotal: 4, entriesDone: 0, attempts: 0, summary: null, rating: null });
      t.equal(await store.getScan(other.id, id), undefined, 'another tenant cannot read it');
      t.equal((await store.findReusableScan(acme.id, sha))?.id, id);
      t.equal(await store.findReusableScan(other.id, sha), undefined);
      t.equal(await store.failScan(id, null, 'broken', tick()), true);
      t.match(await store.getScan(acme.id, id), { status: 'failed', error: 'broken' });
      t.equal(await store.findReusableScan(acme.id, sha), undefined, 'a failed scan is not reused');
      t.same(
        (await store.listScans(acme.id, { limit: 10, status: 'failed' })).map((s) => s.id),
        [id],
      );
      t.same(await store.listScans(other.id, { limit: 10 }), []);
      t.ok(await store.deleteScan(acme.id, id));
    });

    await t.test('a job starts its scan: attempts counted, a later start takes it over, a finished scan is not started again', async (t) => {
      const id = await queue(store, acme.id);
      t.same((await store.listQueuedBefore(Number.MAX_SAFE_INTEGER, 10)).map((s) => s.id), [id]);
      t.equal(await store.countQueued(acme.id), 1);
      t.equal(await store.countQueued(other.id), 0);
      const first = await store.startScan(id, 'w1', tick(), 30_000);
      t.match(first, { id, status: 'running', runner: 'w1', attempts: 1 });
      t.same(await store.listQueuedBefore(Number.MAX_SAFE_INTEGER, 10), [], 'a running scan is not queued');
      // The first worker died: its job expired and pg-boss gave it to another worker.
      const second = await store.startScan(id, 'w2', tick(), 30_000);
      t.match(second, { status: 'running', runner: 'w2', attempts: 2 });
      t.equal(await store.heartbeat(id, 'w1', tick() + 30_000, 2), false, 'the first runner has lost it');
      t.equal(await store.completeScan(id, 'w1', completion({ fingerprints: [] }), tick()), false, 'and cannot complete it');
      t.equal(await store.completeScan(id, 'w2', completion({ fingerprints: [] }), tick()), true);
      t.equal(await store.startScan(id, 'w3', tick(), 30_000), undefined, 'a done scan is not started again');
      t.equal(await store.startScan(randomUUID(), 'w3', tick(), 30_000), undefined, 'nor a deleted one');
      t.ok(await store.deleteScan(acme.id, id));
    });

    // The store's own queue serves the embedded (SQLite) mode only; PostgreSQL mode queues in pg-boss.
    if (store.dialect === 'postgres') {
      await t.rejects(store.claimScan('r', tick(), 30_000), /no scan queue of its own/, 'the PostgreSQL store has no queue of its own');
    }

    if (store.dialect === 'sqlite') await t.test('claims take the oldest first, never twice, and expired leases are taken over', async (t) => {
      const ids = [await queue(store, acme.id), await queue(store, other.id), await queue(store, acme.id)];
      const now = tick();
      const claims = await Promise.all([1, 2, 3, 4, 5].map((n) => store.claimScan(`runner-${n}`, now, 30_000)));
      const got = claims.filter((c) => c !== undefined).map((c) => c!.id);
      t.same([...got].sort(), [...ids].sort(), 'each scan claimed exactly once');
      t.equal(claims.filter((c) => c === undefined).length, 2);
      const first = claims.find((c) => c?.id === ids[0])!;
      t.match(first, { status: 'running', attempts: 1 });
      for (const c of claims) if (c) t.equal(await store.heartbeat(c.id, c.runner!, now + 60_000, c.id === first.id ? 3 : 1), true);
      t.equal(await store.heartbeat(first.id, 'someone-else', now + 60_000, 3), false);
      t.equal((await store.getScan(acme.id, first.id))?.entriesDone, 3);
      t.equal(await store.claimScan('late', now + 31_000, 30_000), undefined, 'a lease still held (extended by the heartbeat) is not taken');
      const expired = await store.claimScan('late', now + 61_000, 30_000);
      t.equal(expired?.id, ids[0], 'an expired lease is taken over, oldest first');
      t.equal(expired!.attempts, 2);
      t.equal(await store.requeueScan(expired!.id, 'late'), true);
      t.match(await store.getScan(expired!.tenantId, expired!.id), { status: 'queued', runner: null });
      t.equal((await store.listRunning()).length, 2);
      for (const s of await store.listRunning()) await store.failScan(s.id, s.runner, 'test cleanup', tick());
      const again = await store.claimScan('last', tick(), 30_000);
      t.equal(again?.id, expired!.id);
      t.equal(await store.completeScan(again!.id, 'wrong-runner', completion({ fingerprints: [] }), tick()), false, 'only the owner completes a scan');
      await store.failScan(again!.id, 'last', 'done with it', tick());
      for (const id of ids) await store.deleteScan(id === ids[1] ? other.id : acme.id, id);
    });

    if (store.dialect === 'sqlite') await t.test("claims take turns between tenants: one tenant's queue does not hold another's scans back", async (t) => {
      const a = [await queue(store, acme.id), await queue(store, acme.id), await queue(store, acme.id)];
      const b = [await queue(store, other.id)];
      const claim = async (runner: string) => (await store.claimScan(runner, tick(), 30_000))?.id;
      t.equal(await claim('r1'), a[0], 'the oldest scan goes first');
      t.equal(await claim('r2'), b[0], "with one of acme's scans running, the other tenant's goes before acme's next");
      await store.failScan(b[0]!, 'r2', 'finished', tick());
      b.push(await queue(store, other.id));
      t.equal(await claim('r2'), b[1], 'the tenant with fewer scans running goes first, although its last scan started later');
      await store.failScan(a[0]!, 'r1', 'finished', tick());
      await store.failScan(b[1]!, 'r2', 'finished', tick());
      b.push(await queue(store, other.id));
      t.equal(await claim('r1'), a[1], 'with none running, the tenant whose last scan started longest ago goes first');
      t.equal(await claim('r2'), b[2]);
      t.equal(await claim('r3'), a[2]);
      for (const id of [...a, ...b]) {
        await store.failScan(id, null, 'test cleanup', tick());
        await store.deleteScan(a.includes(id) ? acme.id : other.id, id);
      }
    });

    await t.test('completion stores app, versions, findings; history queries are tenant-scoped', async (t) => {
      const a = keyedFingerprint(Buffer.alloc(32, 1), 'aws', 'AKIA1');
      const b = keyedFingerprint(Buffer.alloc(32, 1), 'gh', 'ghp_1');
      const c = keyedFingerprint(Buffer.alloc(32, 1), 'tw', 'tw_1');
      await queue(store, acme.id);
      const s1 = await runNext(store, 'r', completion({ versionName: '1.0', versionCode: '10', signer: 'aa', fingerprints: [a, b] }));
      await queue(store, acme.id);
      const s2 = await runNext(store, 'r', completion({ versionName: '1.1', versionCode: '11', signer: 'aa', fingerprints: [a, c], severity: 'critical' }));
      const scan1 = await store.getScan(acme.id, s1);
      t.match(scan1, { status: 'done', rating: 'D', entriesDone: 4, summary: { findings: 2 } });
      t.ok(scan1!.appId && scan1!.versionId);
      t.equal(JSON.parse((await store.getReport(acme.id, s1))!).findings.length, 2);
      t.equal(await store.getReport(other.id, s1), undefined);

      const apps = await store.listApps(acme.id, 10);
      t.equal(apps.length, 1);
      t.match(apps[0], { platform: 'android', packageId: 'com.example.app', name: 'Example', versions: 2 });
      t.same(await store.listApps(other.id, 10), []);
      for (const ref of [apps[0]!.id, 'com.example.app', 'android:com.example.app']) t.equal((await store.findApps(acme.id, ref)).length, 1, `found by ${ref}`);
      t.same(await store.findApps(other.id, 'com.example.app'), []);

      const versions = await store.listVersions(acme.id, apps[0]!.id);
      t.same(
        versions.map((v) => [v.versionName, v.versionCode, v.signer, v.findings, v.rating]),
        [
          ['1.0', '10', 'aa', 2, 'D'],
          ['1.1', '11', 'aa', 2, 'F'],
        ],
      );
      t.same(await store.listVersions(other.id, apps[0]!.id), []);
      const v1 = versions[0]!;
      const f1 = await store.listVersionFindings(acme.id, v1.id);
      t.same(f1.map((f) => f.fingerprint).sort(), [a, b].sort());
      t.match(f1[0], { ruleId: /^rule-/, severity: 'high', redacted: 'AKIA…XY', locations: [{ entry: 'classes.dex', decoder: 'dex' }], secretEnc: null });
      t.same(await store.listVersionFindings(other.id, v1.id), []);
      const rows = await store.listAppFindingRows(acme.id, apps[0]!.id);
      t.equal(rows.length, 4);
      t.same(await store.listAppFindingRows(other.id, apps[0]!.id), []);
      t.equal((await store.listScanFindings(acme.id, s2)).length, 2);

      await t.test('re-scanning a version replaces its findings and points it at the new scan', async (t) => {
        await queue(store, acme.id);
        const s3 = await runNext(store, 'r', completion({ versionName: '1.1', versionCode: '11', signer: 'bb', fingerprints: [c] }));
        const vs = await store.listVersions(acme.id, apps[0]!.id);
        t.equal(vs.length, 2);
        const v11 = vs.find((v) => v.versionCode === '11')!;
        t.match(v11, { scanId: s3, signer: 'bb', findings: 1 });
        t.same((await store.listVersionFindings(acme.id, v11.id)).map((f) => f.fingerprint), [c]);
        t.same(await store.listScanFindings(acme.id, s2), [], 'the older scan no longer owns findings');

        t.ok(await store.deleteScan(acme.id, s3));
        t.equal(await store.getScan(acme.id, s3), undefined);
        t.equal((await store.listVersions(acme.id, apps[0]!.id)).length, 1, "deleting a version's scan deletes the version");
        t.ok(await store.deleteScan(acme.id, s2));
        t.ok(await store.deleteScan(acme.id, s1));
        t.same(await store.listApps(acme.id, 10), [], 'an app without versions goes');
        t.equal(await store.deleteScan(acme.id, s1), undefined);
      });
    });

    await t.test('encrypted secrets round-trip through the store', async (t) => {
      const key = randomBytes(32);
      const fp = keyedFingerprint(key, 'aws', 'AKIAEXAMPLEEXAMPLE00');
      const enc = encryptSecret(key, 'AKIAEXAMPLEEXAMPLE00', fp);
      t.notMatch(enc, /AKIA/);
      await queue(store, other.id);
      const id = await runNext(store, 'r', completion({ pkg: 'com.other', fingerprints: [fp], secretEnc: enc }));
      const [f] = await store.listScanFindings(other.id, id);
      t.equal(decryptSecret(key, f!.secretEnc!, fp), 'AKIAEXAMPLEEXAMPLE00');
      t.throws(() => decryptSecret(key, f!.secretEnc!, 'another-fingerprint'), 'the ciphertext is bound to its finding');
      t.throws(() => decryptSecret(randomBytes(32), f!.secretEnc!, fp), 'a wrong key fails');
      t.same(await store.countScansByStatus(), { queued: 0, running: 0, done: 1, failed: 0 });
      await store.deleteScan(other.id, id);
    });

    await t.test('the same artifact in two tenants stays two scans and two apps', async (t) => {
      const sha = 'e'.repeat(64);
      await queue(store, acme.id, sha);
      await runNext(store, 'r', completion({ pkg: 'com.shared', versionCode: '1', fingerprints: ['x'] }));
      await queue(store, other.id, sha);
      await runNext(store, 'r', completion({ pkg: 'com.shared', versionCode: '1', fingerprints: ['x'] }));
      const [appA] = await store.findApps(acme.id, 'com.shared');
      const [appB] = await store.findApps(other.id, 'com.shared');
      t.ok(appA && appB);
      t.not(appA!.id, appB!.id);
      t.same(await store.findApps(acme.id, appB!.id), [], "tenant A cannot name tenant B's app by id");
      const reusableA = await store.findReusableScan(acme.id, sha);
      const reusableB = await store.findReusableScan(other.id, sha);
      t.ok(reusableA && reusableB, 'both tenants have a reusable scan of the file');
      t.not(reusableA?.id, reusableB?.id);
    });

    await t.test('watches: tenant-scoped records, disjoint claims, owner-only release', async (t) => {
      const now = tick();
      const source = { kind: 'direct', url: 'https://example.com/a.apk' };
      const notify = [{ url: 'https://hooks.example.com/x', secret: 's'.repeat(32), format: 'json' }];
      const add = async (tenantId: string, nextCheckAt: number) => {
        const id = randomUUID();
        await store.watches.insert({ id, tenantId, url: source.url, source, host: 'example.com', intervalS: 600, nextCheckAt, notify, createdAt: tick() });
        return id;
      };
      const due = [await add(acme.id, now - 20), await add(other.id, now - 10), await add(acme.id, now)];
      const later = await add(acme.id, now + 60_000);
      t.match(await store.watches.get(acme.id, due[0]!), { id: due[0], tenantId: acme.id, source, notify, host: 'example.com', intervalS: 600, nextCheckAt: now - 20, state: null, errors: 0, leaseOwner: null });
      t.equal(await store.watches.get(other.id, due[0]!), undefined, 'another tenant cannot read it');
      t.same((await store.watches.list(acme.id, 10)).map((w) => w.id), [due[0], due[2], later], 'oldest first');
      t.same((await store.watches.list(acme.id, 1)).map((w) => w.id), [due[0]]);

      // Racing claims are disjoint and, between them, take every due watch up to their limits.
      const [a, b] = await Promise.all([store.watches.claimDue('sweep-a', now, now + 1000, 2), store.watches.claimDue('sweep-b', now, now + 1000, 2)]);
      t.ok(a.length <= 2 && b.length <= 2, 'at most the limit per claim');
      t.equal(a.length + b.length, 3, 'the two racing claims took all three due watches');
      const c = await store.watches.claimDue('sweep-c', now, now + 1000, 10);
      const claims = [...a, ...b, ...c];
      t.equal(new Set(claims.map((w) => w.id)).size, claims.length, 'no watch claimed twice');
      t.same(claims.map((w) => w.id).sort(), [...due].sort(), 'every due watch claimed, over every tenant; the one due later not');
      t.same(await store.watches.claimDue('sweep-d', now + 500, now + 1500, 10), [], 'live leases are not taken');
      const held = claims.find((w) => w.id === due[0])!;
      t.match(held, { leaseUntil: now + 1000 });
      const stolen = await store.watches.claimDue('sweep-e', now + 1001, now + 2000, 1);
      t.same(stolen.map((w) => [w.id, w.leaseOwner]), [[due[0], 'sweep-e']], 'an expired lease is taken over, soonest due first');

      const outcome = { nextCheckAt: now + 600_000, state: { etag: '"v1"' }, errors: 2, lastError: 'HTTP 500', lastCheckedAt: now };
      t.equal(await store.watches.release(due[0]!, held.leaseOwner!, outcome), false, 'a sweeper that lost the lease cannot release it');
      t.equal(await store.watches.release(due[0]!, 'sweep-e', outcome), true);
      t.match(await store.watches.get(acme.id, due[0]!), { ...outcome, leaseOwner: null, leaseUntil: null });
      for (const w of claims.filter((x) => x.id !== due[0])) t.equal(await store.watches.release(w.id, w.leaseOwner!, { ...outcome, state: {} }), true);
      t.same(await store.watches.claimDue('sweep-f', now + 3000, now + 4000, 10), [], 'released watches are due again only at their next check');
    });

    await t.test('racing lease claims of watches, organizations and feeds take every due row once', async (t) => {
      // 30 due rows, two claimers of 20 at once, over several rounds: before SKIP LOCKED, PostgreSQL's second claimer
      // waited on the first's rows, found them leased and came back with none of the other ten (155 rounds in 200).
      const rounds = 6;
      for (let round = 0; round < rounds; round++) {
        const now = tick();
        const ids: Record<'watches' | 'orgs' | 'feeds', string[]> = { watches: [], orgs: [], feeds: [] };
        for (let i = 0; i < 30; i++) {
          const at = now - 1 - (i % 7);
          const w = randomUUID();
          await store.watches.insert({ id: w, tenantId: acme.id, url: `https://example.com/${w}.apk`, source: { kind: 'direct', url: `https://example.com/${w}.apk` }, host: 'example.com', intervalS: 600, nextCheckAt: at, notify: [], createdAt: at });
          const o = randomUUID();
          await store.orgs.insert({ id: o, tenantId: acme.id, name: `org ${o}`, identifiers: { github: [o] }, policy: 'watch', notify: [], intervalS: 3600, watchIntervalS: 3600, nextCheckAt: at, createdAt: at });
          const f = randomUUID();
          await store.feeds.insert({ id: f, tenantId: acme.id, name: `feed ${f}`, url: `https://feeds.example.com/${f}.txt`, intervalS: 300, nextFetchAt: at, createdAt: at });
          ids.watches.push(w);
          ids.orgs.push(o);
          ids.feeds.push(f);
        }
        const lease = now + 10_000;
        const claimed = {
          watches: await Promise.all([store.watches.claimDue(`w-a${round}`, now, lease, 20), store.watches.claimDue(`w-b${round}`, now, lease, 20)]),
          orgs: await Promise.all([store.orgs.claimDue(`o-a${round}`, now, lease, 20), store.orgs.claimDue(`o-b${round}`, now, lease, 20)]),
          feeds: await Promise.all([store.feeds.claimDue(`f-a${round}`, now, lease, 20), store.feeds.claimDue(`f-b${round}`, now, lease, 20)]),
        };
        for (const kind of ['watches', 'orgs', 'feeds'] as const) {
          const [x, y] = claimed[kind];
          const got = [...x!, ...y!].map((r) => r.id);
          t.ok(x!.length <= 20 && y!.length <= 20, `${kind}, round ${round}: at most the limit per claim`);
          t.equal(new Set(got).size, got.length, `${kind}, round ${round}: none claimed twice`);
          t.same(got.sort(), [...ids[kind]].sort(), `${kind}, round ${round}: every due row claimed (${x!.length} + ${y!.length})`);
        }
        // Leased until after the next round's time: the next round's claims see only its own rows.
      }
    });

    await t.test('watch versions: once per key, stale take-over, attempts, the scan they wait for', async (t) => {
      const [w] = await store.watches.list(acme.id, 1);
      const ins = (id: string, key: string, status: 'downloading' | 'seen', at: number) => store.watches.insertVersion({ id, watchId: w!.id, tenantId: acme.id, key, status, versionName: '1.0', versionCode: '1', createdAt: at });
      const t0 = tick();
      const [x, y] = await Promise.all([ins('wv-1', 'k1', 'downloading', t0), ins('wv-2', 'k1', 'downloading', t0)]);
      t.equal(Number(x) + Number(y), 1, 'one key, one row, when two sweepers race');
      const v1 = (await store.watches.getVersion(w!.id, 'k1'))!;
      t.match(v1, { watchId: w!.id, tenantId: acme.id, key: 'k1', status: 'downloading', scanId: null, versionName: '1.0', versionCode: '1', attempts: 0, createdAt: t0, updatedAt: t0 });
      t.equal(await store.watches.getVersion(w!.id, 'k2'), undefined);
      t.equal(await ins('wv-3', 'k2', 'seen', tick()), true);
      t.same((await store.watches.listVersions(acme.id, w!.id)).map((v) => v.key), ['k1', 'k2']);
      t.same(await store.watches.listVersions(other.id, w!.id), [], 'tenant-scoped');

      t.same(await store.watches.listStaleDownloads(w!.id, t0), [], 'not stale yet');
      t.same((await store.watches.listStaleDownloads(w!.id, t0 + 1)).map((v) => v.id), [v1.id], "only 'downloading' rows are stale");
      const t1 = tick();
      const takes = await Promise.all([store.watches.takeOverDownload(v1.id, t0, t1), store.watches.takeOverDownload(v1.id, t0, t1 + 1)]);
      t.same(takes.filter(Boolean).length, 1, 'one sweeper takes a stale download over');

      await store.watches.recordDownloadFailure(v1.id, 'HTTP 500', 2, t0);
      t.match(await store.watches.getVersion(w!.id, 'k1'), { status: 'downloading', attempts: 1, error: 'HTTP 500', updatedAt: t0 });
      await store.watches.recordDownloadFailure(v1.id, 'HTTP 502', 2, t0);
      t.match(await store.watches.getVersion(w!.id, 'k1'), { status: 'failed', attempts: 2, error: 'HTTP 502' }, "'failed' once attempts reach the limit");
      t.equal(await store.watches.setVersionStatus('wv-3', 'notified', tick(), 'queued'), false, 'a conditional update leaves other statuses alone');
      t.equal(await store.watches.setVersionStatus('wv-3', 'notified', tick()), true);

      // Two versions wait for scans: one finishes, one fails.
      const done = await queue(store, acme.id);
      const failed = await queue(store, acme.id);
      await ins('wv-4', 'k4', 'downloading', tick());
      await ins('wv-5', 'k5', 'downloading', tick());
      await store.watches.setVersionQueued('wv-4', done, tick());
      await store.watches.setVersionQueued('wv-5', failed, tick());
      t.match(await store.watches.getVersion(w!.id, 'k4'), { status: 'queued', scanId: done, attempts: 1, error: null });
      t.equal(await store.watches.countVersionsScanning(), 2);
      t.same(await store.watches.listVersionsScanned(), []);
      t.equal(await runNext(store, 'r', completion({ pkg: 'com.watched', fingerprints: [] })), done);
      await store.failScan(failed, null, 'broken', tick());
      t.equal(await store.watches.countVersionsScanning(), 0);
      t.same((await store.watches.listVersionsScanned()).map((v) => [v.id, v.scanStatus]), [['wv-4', 'done'], ['wv-5', 'failed']]);
      t.equal(await store.watches.setVersionStatus('wv-4', 'notified', tick(), 'queued'), true);
      t.equal(await store.watches.setVersionStatus('wv-4', 'notified', tick(), 'queued'), false, 'notified once');
      t.equal(await store.watches.setVersionStatus('wv-5', 'failed', tick(), 'queued'), true);
      t.same(await store.watches.listVersionsScanned(), []);
    });

    await t.test('webhook deliveries: once per version and target, due, attempts; removing a watch removes them', async (t) => {
      const [w] = await store.watches.list(acme.id, 1);
      const t0 = tick();
      const add = (id: string, target: string) => store.watches.insertDelivery({ id, tenantId: acme.id, watchId: w!.id, watchVersionId: 'wv-4', target, payload: '{"event":"new_version"}', createdAt: t0 });
      t.equal(await add('d-1', 'https://hooks.example.com/x'), true);
      t.equal(await add('d-2', 'https://hooks.example.com/x'), false, 'one delivery per version and target');
      t.equal(await add('d-3', 'https://hooks.example.com/gone'), true);
      t.same(await store.watches.listDueDeliveries(t0 - 1, 10), [], 'not due before it was created');
      const due = await store.watches.listDueDeliveries(t0, 10);
      t.same(due.map((d) => d.id), ['d-1', 'd-3']);
      t.match(due[0], { tenantId: acme.id, watchId: w!.id, watchVersionId: 'wv-4', target: 'https://hooks.example.com/x', status: 'pending', attempts: 0, nextAttemptAt: t0, payload: '{"event":"new_version"}', lastStatus: null, deliveredAt: null });
      t.same(due[0]!.notify, w!.notify, "each with its watch's targets");
      t.equal((await store.watches.listDueDeliveries(t0, 1)).length, 1, 'at most the limit');
      await store.watches.recordDeliveryAttempt('d-1', { status: 'pending', attempts: 1, lastStatus: 503, lastError: null, nextAttemptAt: t0 + 30_000, deliveredAt: null });
      await store.watches.recordDeliveryAttempt('d-3', { status: 'failed', attempts: 1, lastStatus: null, lastError: 'the target was removed from the watch', nextAttemptAt: t0 + 30_000, deliveredAt: null });
      t.same(await store.watches.listDueDeliveries(t0 + 29_999, 10), [], 'retried after its backoff; failed ones never');
      await store.watches.recordDeliveryAttempt('d-1', { status: 'delivered', attempts: 2, lastStatus: 204, lastError: null, nextAttemptAt: t0 + 150_000, deliveredAt: t0 + 30_000 });
      t.same(await store.watches.listDueDeliveries(t0 + 1e9, 10), []);
      t.match(await store.watches.listDeliveries(acme.id, w!.id), [
        { id: 'd-1', status: 'delivered', attempts: 2, lastStatus: 204, deliveredAt: t0 + 30_000 },
        { id: 'd-3', status: 'failed', lastError: /removed/ },
      ]);
      t.same(await store.watches.listDeliveries(other.id, w!.id), [], 'tenant-scoped');

      t.equal(await store.watches.remove(other.id, w!.id), false, 'another tenant cannot remove it');
      t.equal(await store.watches.remove(acme.id, w!.id), true);
      t.equal(await store.watches.get(acme.id, w!.id), undefined);
      t.same(await store.watches.listVersions(acme.id, w!.id), [], 'its versions are gone');
      t.same(await store.watches.listDeliveries(acme.id, w!.id), [], 'and its deliveries');
      t.equal(await store.watches.remove(acme.id, w!.id), false);
    });
  });
}

const pgUrl = await reachablePostgres();
const sqliteDir = tempDir('leakdex-store-');
suite(
  'sqlite',
  async () => {
    const store = new SqliteStore(join(sqliteDir, 'store.sqlite'));
    await store.migrate();
    return store;
  },
  async (store) => {
    await store.close();
  },
);

t.test('sqlite runs in WAL mode', async (t) => {
  const file = join(sqliteDir, 'wal.sqlite');
  const store = new SqliteStore(file);
  await store.migrate();
  await store.close();
  // Byte 18 of the database header is the write version: 2 means WAL (sqlite.org/fileformat.html#the_database_header).
  t.equal(readFileSync(file)[18], 2);
});

if (!pgUrl) {
  testNeeding('postgres', POSTGRES_MISSING, () => {});
} else {
  const schema = `leakdex_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  suite(
    'postgres',
    async () => {
      const store = new PostgresStore(pgUrl, schema);
      await store.migrate();
      return store;
    },
    async (store) => {
      await (store as PostgresStore).dropSchema();
      await store.close();
    },
  );
  t.test('postgres migrations run once when processes race', async (t) => {
    const raceSchema = `${schema}_race`;
    const stores = [1, 2, 3].map(() => new PostgresStore(pgUrl, raceSchema));
    t.teardown(async () => {
      await stores[0]!.dropSchema();
      for (const s of stores) await s.close();
    });
    await Promise.all(stores.map((s) => s.migrate()));
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM "${raceSchema}".leakdex_migrations`);
    await client.end();
    t.equal(rows[0].n, MIGRATIONS.length, 'each migration applied once');
  });
}

// This file run again as a child against a PostgreSQL that is not there (port 1), as on a machine without a server
// (not inside that child).
if (process.env.LEAKDEX_STORE_PROBE !== '1') {
  t.test('without PostgreSQL: the suite is skipped with why and how to run it, and fails under CI=true', async (t) => {
    const runSelf = (ci: string | undefined) =>
      new Promise<{ status: number | null; out: string }>((resolve, reject) => {
        const env: NodeJS.ProcessEnv = { ...process.env, LEAKDEX_STORE_PROBE: '1', LEAKDEX_TEST_DATABASE_URL: 'postgres://leakdex@127.0.0.1:1/test', CI: ci };
        if (ci === undefined) delete env.CI;
        const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
        child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
        child.on('error', reject);
        child.on('close', (status) => resolve({ status, out }));
      });
    const local = await runSelf(undefined);
    t.equal(local.status, 0, 'locally the file passes');
    t.match(local.out, /^ok \d+ - postgres # SKIP PostgreSQL is not reachable at postgres:\/\/leakdex@127\.0\.0\.1:1\/test: start a local server \(trust auth, a database named test\) or set LEAKDEX_TEST_DATABASE_URL \(skipped here; CI=true makes it required\)$/m, 'and says what was skipped, why and how to run it');
    t.notMatch(local.out, /^\s*not ok /m, 'and nothing fails');
    const ci = await runSelf('true');
    t.not(ci.status, 0, 'under CI=true the file fails');
    t.match(ci.out, /not ok \d+ - PostgreSQL is not reachable at .* \(required under CI=true\)/);
  });
}
