/** `leakdex org add|list|show|remove|approve` and `leakdex feed add|import|list|rm` over the local store. */
import { mkdirSync, readFileSync } from 'node:fs';
import { parseCommand } from './args.js';
import { COMMON, cfg } from './market.js';
import { visible } from '../report/escape.js';
import { findingKeys } from '../service/crypto.js';
import { feedView, FeedService, MAX_FEED_BYTES } from '../service/feeds.js';
import { HttpError } from '../service/errors.js';
import { openStore } from '../store/index.js';
import type { OrgIdentifiers } from '../market/discovery.js';
import { orgMarkdown, rateOrg } from '../market/org-rating.js';
import { orgView, OrgService } from '../market/orgs.js';
import { describeFailure } from '../market/submit.js';
import { parseInterval, WatchService } from '../market/watches.js';
import type { Store } from '../store/types.js';

export const ORG_HELP = `Usage: leakdex org <add|list|show|remove|approve|discover> [options]

  leakdex org add NAME [identifiers] [--policy watch|pending] [--interval 1d] [--watch-interval 1h] [--webhook URL [--secret S] [--slack]]
      an organization whose apps are discovered at every sweep ('leakdex sweep --once', or every minute under
      'leakdex serve'); a found app becomes a watch (--policy watch, the default) or waits for 'org approve'.
      Identifiers (each may be repeated; at least one source):
        --appstore-dev ID        App Store developer id (apps.apple.com/…/developer/…/idID)
        --appstore-name NAME     App Store developer name (exact developer or seller name)
        --country CC             App Store country (default us)
        --play-dev ID|NAME       Google Play developer page (best effort: listing and versions, no download)
        --fdroid URL?fingerprint=FP   F-Droid repository, with --fdroid-author, --fdroid-source HOST[/OWNER]
                                 or --prefix filters (a whole repository is not one organization)
        --github LOGIN           GitHub organization or user: repositories whose releases hold app assets
        --prefix com.example.    package / bundle id prefix filtering the stores' results
        --ota URL                itms-services:// or https manifest URL
        --identifiers FILE       the identifiers as JSON (the API's 'identifiers' object)
  leakdex org list
  leakdex org show NAME|ID [--markdown]   apps found, their status, and the organization's A-F rating with its trend
  leakdex org remove NAME|ID             (the watches it made stay)
  leakdex org approve NAME|ID APP        a pending app (id or key) becomes a watch
  leakdex org discover NAME|ID           due now: the next 'leakdex sweep --once' (or serve's sweep) discovers it

Options:
  --tenant NAME        tenant (default "default")
  --data-dir DIR       data directory (env LEAKDEX_DATA_DIR, default ./data)
  --config FILE        JSON configuration file (env LEAKDEX_CONFIG)
`;

export const FEED_HELP = `Usage: leakdex feed <add|import|list|rm> [options]

Known-compromised credentials, as SHA-256 hashes of the exact secret (never the secret): stored findings whose
value a feed names are marked known compromised, raised to critical and announced by webhook.

  leakdex feed add NAME [--url URL [--interval 1d]]   a feed to import into, or to fetch on a schedule (ETag)
  leakdex feed import NAME FILE                       text (sha256[,source[,date]] per line) or JSON
                                                      ([{"sha256":…,"source":…,"date":…}]); '-' reads stdin
  leakdex feed list
  leakdex feed rm NAME

Options: --tenant, --data-dir, --config as for 'leakdex org'.
`;

function failure(e: unknown): never {
  const f = describeFailure(e);
  if (f) throw new Error(`${f.message} (${f.code})`);
  if (e instanceof HttpError) throw new Error(e.message);
  throw e;
}

/** The --fdroid URL's repository and fingerprint (F-Droid's own repo URL form: …/repo?fingerprint=FP). */
function fdroidRepo(url: string): { repo: string; fingerprint: string } {
  let u: URL;
  try {
    u = new URL(url.replace(/^fdroidrepos:/, 'https:'));
  } catch {
    throw new Error(`--fdroid '${url}' is not a URL`);
  }
  const fp = u.searchParams.get('fingerprint');
  if (!fp) throw new Error('--fdroid needs the repository URL with ?fingerprint=<SHA-256 of its signing certificate>');
  return { repo: `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`, fingerprint: fp };
}

function identifiersOf(v: Record<string, unknown>): OrgIdentifiers {
  if (v.identifiers) return JSON.parse(readFileSync(String(v.identifiers), 'utf8')) as OrgIdentifiers;
  const many = (k: string): string[] => (Array.isArray(v[k]) ? (v[k] as string[]) : []);
  const ids: OrgIdentifiers = {};
  if (many('appstore-dev').length || many('appstore-name').length) ids.appStore = { developerIds: many('appstore-dev'), developerNames: many('appstore-name'), ...(v.country ? { country: String(v.country) } : {}) };
  if (many('play-dev').length) ids.play = { developers: many('play-dev') };
  if (many('fdroid').length) {
    ids.fdroid = many('fdroid').map((u) => ({
      ...fdroidRepo(u),
      ...(many('fdroid-author').length ? { authors: many('fdroid-author') } : {}),
      ...(many('fdroid-source').length ? { sourceHosts: many('fdroid-source') } : {}),
      ...(many('prefix').length ? { packagePrefixes: many('prefix') } : {}),
    }));
  }
  if (many('github').length) ids.github = many('github');
  if (many('prefix').length) ids.packagePrefixes = many('prefix');
  if (many('ota').length) ids.otaManifests = many('ota');
  return ids;
}

async function withStore<T>(values: Record<string, unknown>, fn: (store: Store, tenantId: string, keys: ReturnType<typeof findingKeys>) => Promise<T>): Promise<T> {
  const config = cfg(values);
  mkdirSync(config.dataDir, { recursive: true });
  const store = await openStore(config);
  try {
    const tenant = await store.ensureTenant((values.tenant as string | undefined) ?? 'default');
    return await fn(store, tenant.id, findingKeys(config));
  } finally {
    await store.close();
  }
}

export async function orgCommand(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const multi = { type: 'string', multiple: true } as const;
  const { values, positionals } = parseCommand('org', args, {
    ...COMMON,
    'appstore-dev': multi,
    'appstore-name': multi,
    country: { type: 'string' },
    'play-dev': multi,
    fdroid: multi,
    'fdroid-author': multi,
    'fdroid-source': multi,
    github: multi,
    prefix: multi,
    ota: multi,
    identifiers: { type: 'string' },
    policy: { type: 'string' },
    interval: { type: 'string' },
    'watch-interval': { type: 'string' },
    webhook: { type: 'string' },
    secret: { type: 'string' },
    slack: { type: 'boolean' },
    markdown: { type: 'boolean' },
  });
  const [action, ...rest] = positionals;
  if (values.help || !action) {
    out.write(ORG_HELP);
    return values.help ? 0 : 2;
  }
  const arity: Record<string, number> = { add: 1, list: 0, show: 1, remove: 1, rm: 1, approve: 2, discover: 1 };
  if (arity[action] === undefined) throw new Error(`unknown org action '${action}' (use add, list, show, remove, approve or discover)`);
  if (rest.length !== arity[action]) throw new Error(`org ${action} takes ${arity[action] === 0 ? 'no argument' : arity[action] === 1 ? 'one organization name or id' : 'an organization and an app'}`);
  return withStore(values, async (store, tenantId) => {
    const orgs = new OrgService({ store, watches: new WatchService(store) });
    if (action === 'add') {
      if (values.policy !== undefined && values.policy !== 'watch' && values.policy !== 'pending') throw new Error("--policy is 'watch' or 'pending'");
      try {
        const { org, secrets } = await orgs.create(tenantId, {
          name: rest[0]!,
          identifiers: identifiersOf(values),
          policy: values.policy as 'watch' | 'pending' | undefined,
          intervalS: values.interval ? parseInterval(values.interval) : undefined,
          watchIntervalS: values['watch-interval'] ? parseInterval(values['watch-interval']) : undefined,
          notify: values.webhook ? [{ url: values.webhook, secret: values.secret, format: values.slack ? 'slack' : 'json' }] : [],
        });
        const sources = Object.keys(org.identifiers).filter((k) => k !== 'packagePrefixes');
        out.write(`${org.id}\t${visible(org.name)}\t${sources.join(',')}\tpolicy ${org.policy}\tdiscovery every ${org.intervalS}s${secrets.length && !values.secret ? `\twebhook secret ${secrets[0]}` : ''}\n`);
      } catch (e) {
        failure(e);
      }
      return 0;
    }
    if (action === 'list') {
      for (const o of await orgs.list(tenantId)) {
        const v = orgView(o);
        const apps = await orgs.apps(tenantId, o.id);
        const r = await rateOrg(store, tenantId, o.id);
        out.write(`${o.id}\t${visible(o.name)}\t${apps.filter((a) => a.status !== 'gone').length} app(s)\trating ${r.grade ?? '-'}\tnext ${v.nextCheckAt}${o.lastError ? `\terror: ${visible(o.lastError.slice(0, 300))}` : ''}\n`);
      }
      return 0;
    }
    const org = await orgs.resolve(tenantId, rest[0]!);
    if (!org) {
      err.write(`leakdex: error: no organization ${visible(rest[0]!)}\n`);
      return 2;
    }
    if (action === 'remove' || action === 'rm') {
      await orgs.remove(tenantId, org.id);
      out.write(`removed ${visible(org.name)}\n`);
      return 0;
    }
    if (action === 'discover') {
      await store.orgs.setDue(tenantId, org.id, Date.now());
      out.write(`${visible(org.name)} is due: 'leakdex sweep --once' discovers its apps now\n`);
      return 0;
    }
    if (action === 'approve') {
      try {
        const a = await orgs.approve(tenantId, org.id, rest[1]!);
        if (!a) {
          err.write(`leakdex: error: no app ${visible(rest[1]!)} in ${visible(org.name)}\n`);
          return 2;
        }
        out.write(`${a.key}\t${a.status}${a.watchId ? `\twatch ${a.watchId}` : ''}\n`);
      } catch (e) {
        failure(e);
      }
      return 0;
    }
    const apps = await orgs.apps(tenantId, org.id);
    const rating = await rateOrg(store, tenantId, org.id);
    if (values.markdown) {
      out.write(orgMarkdown(org.name, rating, apps.map((a) => ({ key: a.key, status: a.status, name: a.name, appId: a.packageId, source: a.source, url: a.url }))));
      return 0;
    }
    const c = rating.counts;
    out.write(`organization ${visible(org.name)} (${org.id}): rating ${rating.grade ?? '-'} — ${visible(rating.reason)}\n`);
    out.write(`  findings in current versions: ${c.critical} critical, ${c.high} high, ${c.medium} medium, ${c.low} low, ${c.info} info; ${c.live} live, ${c.compromised} known compromised\n`);
    if (rating.worst) out.write(`  worst: ${visible(rating.worst.title)} ${visible(rating.worst.redacted)} in ${visible(rating.worst.packageId)} ${visible(rating.worst.version ?? '')}\n`);
    out.write(`apps (${apps.length}):\n`);
    for (const a of apps) {
      const r = rating.apps.find((x) => x.packageId === a.packageId);
      out.write(`  ${a.status.padEnd(7)} ${a.source.padEnd(8)} ${visible(a.packageId ?? a.key)}${a.name ? ` "${visible(a.name)}"` : ''}${r ? `\t${r.version.name ?? ''} rating ${r.grade ?? '-'}` : ''}\n`);
    }
    for (const a of rating.apps.filter((x) => !apps.some((y) => y.packageId === x.packageId))) out.write(`  scanned  ${visible(a.packageId)}\t${a.version.name ?? ''} rating ${a.grade ?? '-'}\n`);
    if (rating.trend.length) out.write(`trend: ${rating.trend.map((p) => `${p.at.slice(0, 16)} ${p.grade}`).join(', ')}\n`);
    if (org.lastError) out.write(`last discovery error: ${visible(org.lastError.slice(0, 500))}\n`);
    return 0;
  });
}

export async function feedCommand(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseCommand('feed', args, { ...COMMON, url: { type: 'string' }, interval: { type: 'string' } });
  const [action, ...rest] = positionals;
  if (values.help || !action) {
    out.write(FEED_HELP);
    return values.help ? 0 : 2;
  }
  const arity: Record<string, number> = { add: 1, import: 2, list: 0, rm: 1, remove: 1 };
  if (arity[action] === undefined) throw new Error(`unknown feed action '${action}' (use add, import, list or rm)`);
  if (rest.length !== arity[action]) throw new Error(`feed ${action} takes ${arity[action] === 2 ? 'a feed name and a file' : arity[action] === 1 ? 'a feed name' : 'no argument'}`);
  return withStore(values, async (store, tenantId, keys) => {
    const feeds = new FeedService({ store, keys });
    try {
      if (action === 'add') {
        const f = await feeds.create(tenantId, { name: rest[0]!, url: values.url, intervalS: values.interval ? parseInterval(values.interval) : undefined });
        out.write(`${f.id}\t${visible(f.name)}${f.url ? `\tfetched every ${f.intervalS}s` : ''}\n`);
        return 0;
      }
      if (action === 'list') {
        for (const f of (await store.feeds.list(tenantId)).map(feedView)) out.write(`${f.id}\t${visible(f.name)}\t${f.entries} entries${f.url ? `\t${visible(f.url)}` : ''}${f.lastError ? `\terror: ${visible(f.lastError)}` : ''}\n`);
        return 0;
      }
      const f = await feeds.resolve(tenantId, rest[0]!);
      if (!f) {
        err.write(`leakdex: error: no feed ${visible(rest[0]!)}\n`);
        return 2;
      }
      if (action === 'import') {
        const body = rest[1] === '-' ? readFileSync(0) : readFileSync(rest[1]!);
        if (body.length > MAX_FEED_BYTES) throw new Error(`a feed is at most ${MAX_FEED_BYTES / 1024 / 1024} MiB`);
        const r = await feeds.import(tenantId, f, body);
        out.write(`${r.received} entries read, ${r.added} new (${r.entries} in ${visible(f.name)}); ${r.marked} stored finding(s) marked known compromised\n`);
        return 0;
      }
      await store.feeds.remove(tenantId, f.id);
      out.write(`removed ${visible(f.name)}\n`);
      return 0;
    } catch (e) {
      failure(e);
    }
  });
}
