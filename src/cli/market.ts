/** `leakdex watch add|list|rm` and `leakdex sweep --once`. */
import { mkdirSync } from 'node:fs';
import { parseCommand } from './args.js';
import { visible } from '../report/escape.js';
import { createLogger } from '../app.js';
import { loadConfig, type Config } from '../config.js';
import { findingKeys } from '../service/crypto.js';
import { JobRunner } from '../service/jobs.js';
import { Metrics } from '../service/metrics.js';
import { openStore } from '../store/index.js';
import { openBackends } from '../service/backends.js';
import { describeFailure } from '../market/submit.js';
import { sweeperFor } from '../market/sweep.js';
import { parseInterval, watchView, type SweepResult } from '../market/watches.js';

export const WATCH_HELP = `Usage: leakdex watch <add|list|rm> [options]

  leakdex watch add URL [--interval 1h] [--webhook URL [--secret S] [--slack]] [--asset GLOB] [--beta] [--ipa-url URL]
      watches a source: a direct .apk/.ipa URL, an F-Droid package page or repo?fingerprint=…&package=…, a GitHub
      releases URL, an itms-services:// manifest, or an App Store / Google Play page (version watch only).
      Prints the watch id and, once, the webhook secret.
  leakdex watch list
  leakdex watch rm ID

Options:
  --tenant NAME        tenant (default "default")
  --data-dir DIR       data directory (env LEAKDEX_DATA_DIR, default ./data)
  --config FILE        JSON configuration file (env LEAKDEX_CONFIG)
`;

export const SWEEP_HELP = `Usage: leakdex sweep --once [options]

Discovers the due organizations' apps (new ones become watches), fetches due known-compromised feeds, then checks
every due watch once: new versions are downloaded (SSRF-safe), scanned exactly once, stored per version, and their
webhooks sent (signed, retried). 'leakdex serve' runs the same sweep every minute (UTC).

Options:
  --once               one pass, then exit (required)
  --wait SECONDS       longest wait for the queued scans (default 600)
  --data-dir DIR       data directory (env LEAKDEX_DATA_DIR, default ./data)
  --config FILE        JSON configuration file (env LEAKDEX_CONFIG)
Environment: LEAKDEX_ALLOW_HOSTS (host:port,… reachable despite the address policy), LEAKDEX_GITHUB_TOKEN.
`;

export const COMMON = { help: { type: 'boolean', short: 'h' }, 'data-dir': { type: 'string' }, config: { type: 'string' }, tenant: { type: 'string' } } as const;

export function cfg(values: Record<string, unknown>): Config {
  return loadConfig({ file: values.config as string | undefined, overrides: values['data-dir'] !== undefined ? { dataDir: String(values['data-dir']) } : {} });
}

export async function watchCommand(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseCommand('watch', args, {
    ...COMMON,
    interval: { type: 'string' },
    webhook: { type: 'string' },
    secret: { type: 'string' },
    slack: { type: 'boolean' },
    asset: { type: 'string' },
    beta: { type: 'boolean' },
    'ipa-url': { type: 'string' },
  });
  const [action, ...rest] = positionals;
  if (values.help || !action) {
    out.write(WATCH_HELP);
    return values.help ? 0 : 2;
  }
  if (!['add', 'list', 'rm'].includes(action)) throw new Error(`unknown watch action '${action}' (use add, list or rm)`);
  if (action !== 'list' && rest.length !== 1) throw new Error(`watch ${action} takes exactly one ${action === 'add' ? 'URL' : 'watch id'}`);
  const config = cfg(values);
  mkdirSync(config.dataDir, { recursive: true });
  const store = await openStore(config);
  try {
    const tenant = await store.ensureTenant(values.tenant ?? 'default');
    const watches = sweeperFor(store, config).watches;
    if (action === 'add') {
      try {
        const { watch, secrets } = await watches.create(tenant.id, {
          url: rest[0]!,
          intervalS: values.interval ? parseInterval(values.interval) : undefined,
          notify: values.webhook ? [{ url: values.webhook, secret: values.secret, format: values.slack ? 'slack' : 'json' }] : [],
          assetPattern: values.asset,
          beta: values.beta,
          ipaUrl: values['ipa-url'],
        });
        out.write(`${watch.id}\t${watch.source.kind}\tevery ${watch.intervalS}s${secrets.length && !values.secret ? `\twebhook secret ${secrets[0]}` : ''}\n`);
      } catch (e) {
        const f = describeFailure(e);
        if (f) throw new Error(`${f.message} (${f.code})`);
        throw e;
      }
      return 0;
    }
    if (action === 'list') {
      // The URL and the last error (which can quote a remote server) are printed inert.
      for (const w of (await watches.list(tenant.id)).map(watchView)) out.write(`${w.id}\t${w.kind}\t${visible(w.url)}\tnext ${w.nextCheckAt}${w.lastError ? `\terror: ${visible(w.lastError)}` : ''}\n`);
      return 0;
    }
    if (!(await watches.remove(tenant.id, rest[0]!))) {
      err.write(`leakdex: error: no watch ${rest[0]}\n`);
      return 2;
    }
    out.write(`removed ${rest[0]}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

/** `leakdex sweep --once`: one pass with an in-process scan runner; waits for the scans, then notifies. */
export async function sweepCommand(args: string[], out: NodeJS.WritableStream, _err: NodeJS.WritableStream): Promise<number> {
  const { values } = parseCommand('sweep', args, { ...COMMON, once: { type: 'boolean' }, wait: { type: 'string' } }, false);
  if (values.help || !values.once) {
    out.write(SWEEP_HELP);
    return values.help ? 0 : 2;
  }
  const waitS = values.wait === undefined ? 600 : Number(values.wait);
  if (!Number.isFinite(waitS) || waitS < 0) throw new Error(`--wait needs seconds, got '${values.wait}'`);
  const config = cfg(values);
  mkdirSync(config.dataDir, { recursive: true });
  const store = await openStore(config);
  const logger = createLogger(config.logLevel, undefined, config.logFormat);
  const backends = await openBackends(config, logger.child({ component: 'queue' }), { schedule: false }).catch(async (e: unknown) => {
    await store.close();
    throw e;
  });
  const runner = new JobRunner({ store, config, keys: findingKeys(config), metrics: new Metrics(), log: logger.child({ component: 'runner' }), blobs: backends.blobs, ...(backends.queue ? { queue: backends.queue } : {}) });
  try {
    await runner.start();
    const sweeper = sweeperFor(store, config, runner, logger.child({ component: 'sweep' }));
    const r = await sweeper.sweepOnce();
    const total: SweepResult = { ...r };
    const deadline = Date.now() + waitS * 1000;
    while (Date.now() < deadline) {
      if ((await store.watches.countVersionsScanning()) === 0) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    total.notified += await sweeper.notifyFinished();
    await sweeper.snapshot();
    total.delivered += await sweeper.deliver();
    const orgs = total.orgs ? `${total.orgs} organization(s) discovered (${total.appsFound ?? 0} app(s) found, ${total.appsGone ?? 0} gone, ${total.sourceErrors ?? 0} source error(s)), ` : '';
    const feeds = total.feedsFetched ? `${total.feedsFetched} feed(s) fetched (${total.compromised ?? 0} finding(s) marked compromised), ` : '';
    out.write(`sweep: ${orgs}${feeds}${total.claimed} due, ${total.checked} checked, ${total.newVersions} new version(s), ${total.errors} error(s), ${total.notified} notified, ${total.delivered} webhook(s) delivered\n`);
    return total.errors > 0 ? 1 : 0;
  } finally {
    await runner.stop();
    await backends.close();
    await store.close();
  }
}
