/**
 * Organizations (docs/organizations.md): a tenant names an organization by its identifiers on each source; discovery
 * (src/market/discovery.ts) lists its apps on a schedule; a newly found app becomes a watch (or waits for approval, by
 * the organization's policy), an app a source no longer lists is marked gone, and every change is an event in the
 * organization's history and a signed webhook to its targets. The rating (src/market/org-rating.ts) covers the
 * current versions of the apps it reaches.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { slackText } from '../report/escape.js';
import type { OrgAppRecord, OrgEvent, Store, StoredOrg } from '../store/types.js';
import { discoverApps, type DiscoveredApp, type DiscoveryState, type OrgIdentifiers, type SourceOutcome } from './discovery.js';
import { checkUrl, redactUrl, type FetchOptions } from './download.js';
import { SourceError, type Endpoints } from './sources.js';
import { MAX_INTERVAL_S, MAX_TARGETS, MIN_INTERVAL_S, type NotifyTarget, type WatchService } from './watches.js';

/** Default time between two discoveries of one organization. */
export const DEFAULT_DISCOVERY_INTERVAL_S = 24 * 3600;
/** Most organizations discovered per sweep pass; most per tenant. */
export const MAX_ORGS_PER_PASS = 20;
export const MAX_ORGS_PER_TENANT = 500;
/** Most identifiers of one kind on one organization (each is a unit of requests). */
export const MAX_IDENTIFIERS = 20;
/** How long a claimed organization stays leased to one sweeper. */
export const ORG_LEASE_MS = 30 * 60_000;
/** Most events listed, and rating points kept in a trend. */
export const MAX_EVENTS = 500;
export const TREND_POINTS = 60;

export type OrgPolicy = 'watch' | 'pending';

export interface NewOrg {
  name: string;
  identifiers: OrgIdentifiers;
  policy?: OrgPolicy;
  intervalS?: number;
  /** Check interval of the watches discovery makes (default 1 h). */
  watchIntervalS?: number;
  notify?: { url: string; secret?: string; format?: 'json' | 'slack'; all?: boolean }[];
}

/** What an organization keeps between discoveries: the sources' ETags and lists, and which units are failing. */
export interface OrgState {
  discovery?: DiscoveryState;
  failing?: Record<string, string>;
}

export interface OrgRecord extends Omit<StoredOrg, 'identifiers' | 'notify' | 'state'> {
  identifiers: OrgIdentifiers;
  notify: NotifyTarget[];
  state: OrgState;
}

function orgFrom(o: StoredOrg): OrgRecord {
  return { ...o, identifiers: o.identifiers as OrgIdentifiers, notify: o.notify as NotifyTarget[], state: (o.state ?? {}) as OrgState };
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim()) : []);

function capped(what: string, v: string[]): string[] {
  if (v.length > MAX_IDENTIFIERS) throw new SourceError('unsupported_url', `at most ${MAX_IDENTIFIERS} ${what}`);
  return v;
}

/** Checks and normalizes identifiers: shapes, counts and URLs (the download policy applies to every URL given). */
export function normalizeIdentifiers(raw: OrgIdentifiers): OrgIdentifiers {
  const out: OrgIdentifiers = {};
  const as = raw.appStore;
  if (as) {
    const ids = capped('App Store developer ids', list(as.developerIds));
    for (const id of ids) if (!/^\d{1,15}$/.test(id)) throw new SourceError('unsupported_url', `App Store developer id '${id.slice(0, 40)}' is not a number (the id in apps.apple.com/developer/…/id<number>)`);
    const names = capped('App Store developer names', list(as.developerNames));
    const country = (as.country ?? 'us').toLowerCase();
    if (!/^[a-z]{2}$/.test(country)) throw new SourceError('unsupported_url', 'App Store country must be two letters');
    if (ids.length || names.length) out.appStore = { ...(ids.length ? { developerIds: ids } : {}), ...(names.length ? { developerNames: names } : {}), country };
  }
  if (raw.play) {
    const devs = capped('Google Play developers', list(raw.play.developers));
    const gl = (raw.play.gl ?? 'US').toUpperCase();
    if (!/^[A-Z]{2}$/.test(gl)) throw new SourceError('unsupported_url', 'Google Play country (gl) must be two letters');
    if (devs.length) out.play = { developers: devs, gl };
  }
  if (Array.isArray(raw.fdroid) && raw.fdroid.length) {
    if (raw.fdroid.length > MAX_IDENTIFIERS) throw new SourceError('unsupported_url', `at most ${MAX_IDENTIFIERS} F-Droid repositories`);
    out.fdroid = raw.fdroid.map((r) => {
      if (!r || typeof r.repo !== 'string') throw new SourceError('unsupported_url', 'an F-Droid repository needs repo (its URL) and fingerprint');
      const fp = String(r.fingerprint ?? '').replace(/:/g, '').toLowerCase();
      if (!/^[0-9a-f]{64}$/.test(fp)) throw new SourceError('unsupported_url', 'an F-Droid repository fingerprint is 64 hex digits (SHA-256 of the signer certificate)');
      checkUrl(r.repo);
      const authors = list(r.authors);
      const packagePrefixes = list(r.packagePrefixes);
      const sourceHosts = list(r.sourceHosts);
      if (!authors.length && !packagePrefixes.length && !sourceHosts.length && !list(raw.packagePrefixes).length) throw new SourceError('unsupported_url', `F-Droid repository ${redactUrl(r.repo)}: give authors, packagePrefixes or sourceHosts (a whole repository is not one organization)`);
      return { repo: r.repo.replace(/\/+$/, ''), fingerprint: fp, ...(authors.length ? { authors } : {}), ...(packagePrefixes.length ? { packagePrefixes } : {}), ...(sourceHosts.length ? { sourceHosts } : {}) };
    });
  }
  const gh = capped('GitHub owners', list(raw.github));
  for (const g of gh) if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/.test(g)) throw new SourceError('unsupported_url', `'${g.slice(0, 40)}' is not a GitHub organization or user login`);
  if (gh.length) out.github = gh;
  const prefixes = capped('package prefixes', list(raw.packagePrefixes));
  for (const p of prefixes) if (!/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*\.?\*?$/.test(p)) throw new SourceError('unsupported_url', `'${p.slice(0, 60)}' is not a package prefix like com.example. or com.example.*`);
  if (prefixes.length) out.packagePrefixes = prefixes;
  const ota = capped('OTA manifests', list(raw.otaManifests));
  for (const u of ota) {
    const m = /[?&]url=([^&]+)/.exec(u);
    checkUrl(u.startsWith('itms-services:') && m ? decodeURIComponent(m[1]!) : u);
  }
  if (ota.length) out.otaManifests = ota;
  if (Object.keys(out).filter((k) => k !== 'packagePrefixes').length === 0) throw new SourceError('unsupported_url', 'an organization needs at least one identifier on a source: appStore, play, fdroid, github or otaManifests');
  return out;
}

/** Public view: webhook secrets never leave the store after creation. */
export function orgView(o: OrgRecord) {
  return {
    id: o.id,
    name: o.name,
    identifiers: o.identifiers,
    policy: o.policy,
    intervalSeconds: o.intervalS,
    watchIntervalSeconds: o.watchIntervalS,
    nextCheckAt: new Date(o.nextCheckAt).toISOString(),
    lastCheckedAt: o.lastCheckedAt === null ? null : new Date(o.lastCheckedAt).toISOString(),
    errors: o.errors,
    lastError: o.lastError,
    failingSources: Object.keys(o.state.failing ?? {}),
    notify: o.notify.map((n) => ({ url: redactUrl(n.url), format: n.format, all: n.all === true })),
    createdAt: new Date(o.createdAt).toISOString(),
  };
}

export function orgAppView(a: OrgAppRecord) {
  return {
    id: a.id,
    key: a.key,
    source: a.source,
    platform: a.platform,
    appId: a.packageId,
    name: a.name,
    url: a.url,
    status: a.status,
    watchId: a.watchId,
    firstSeenAt: new Date(a.firstSeenAt).toISOString(),
    lastSeenAt: new Date(a.lastSeenAt).toISOString(),
    goneAt: a.goneAt === null ? null : new Date(a.goneAt).toISOString(),
  };
}

export function orgEventView(e: OrgEvent) {
  return { id: e.id, kind: e.kind, detail: e.detail, at: new Date(e.createdAt).toISOString() };
}

export interface DiscoveryDeps {
  store: Store;
  watches: WatchService;
  fetch?: FetchOptions;
  endpoints?: Endpoints;
  githubToken?: string;
  /** Least time between two requests to one host (discovery.ts; default there). */
  minIntervalMs?: number;
  now?: () => number;
  log?: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

/** What one discovery of one organization did. */
export interface DiscoveryResult {
  orgId: string;
  sources: { unit: string; ok: boolean; apps: number; unchanged: boolean; requests: number; error?: string }[];
  found: number;
  gone: number;
  back: number;
  watched: number;
  errors: number;
}

/** Organization CRUD and discovery, tenant-scoped: validation here, persistence in the store (Store.orgs). */
export class OrgService {
  readonly owner = `orgs-${randomUUID().slice(0, 8)}`;
  private readonly now: () => number;
  constructor(private readonly deps: DiscoveryDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Creates an organization due for discovery at once; returns it with the webhook secrets (shown only here). */
  async create(tenantId: string, o: NewOrg): Promise<{ org: OrgRecord; secrets: string[] }> {
    const name = String(o.name ?? '').trim();
    if (!/^[^\u0000-\u001f\u007f]{1,100}$/.test(name)) throw new SourceError('unsupported_url', 'an organization name is 1 to 100 printable characters');
    if (await this.deps.store.orgs.getByName(tenantId, name)) throw new SourceError('unsupported_url', `an organization named '${name}' exists`);
    if ((await this.deps.store.orgs.list(tenantId, MAX_ORGS_PER_TENANT + 1)).length >= MAX_ORGS_PER_TENANT) throw new SourceError('unsupported_url', `at most ${MAX_ORGS_PER_TENANT} organizations per tenant`);
    const identifiers = normalizeIdentifiers(o.identifiers ?? {});
    const policy = o.policy ?? 'watch';
    if (policy !== 'watch' && policy !== 'pending') throw new SourceError('unsupported_url', "policy is 'watch' or 'pending'");
    const intervalS = o.intervalS ?? DEFAULT_DISCOVERY_INTERVAL_S;
    const watchIntervalS = o.watchIntervalS ?? 3600;
    for (const s of [intervalS, watchIntervalS]) if (!Number.isInteger(s) || s < MIN_INTERVAL_S || s > MAX_INTERVAL_S) throw new SourceError('unsupported_url', `interval must be between ${MIN_INTERVAL_S} s and ${MAX_INTERVAL_S} s`);
    const notify = (o.notify ?? []).slice(0, MAX_TARGETS + 1).map((n) => {
      checkUrl(n.url);
      return { url: n.url, secret: n.secret ?? randomBytes(32).toString('base64url'), format: n.format ?? 'json', ...(n.all ? { all: true } : {}) } as NotifyTarget;
    });
    if (notify.length > MAX_TARGETS) throw new SourceError('unsupported_url', `at most ${MAX_TARGETS} notification targets`);
    const id = randomUUID();
    const now = this.now();
    await this.deps.store.orgs.insert({ id, tenantId, name, identifiers, policy, notify, intervalS, watchIntervalS, nextCheckAt: now, createdAt: now });
    await this.event(tenantId, id, 'created', { name, identifiers });
    return { org: (await this.get(tenantId, id))!, secrets: notify.map((n) => n.secret) };
  }

  async get(tenantId: string, id: string): Promise<OrgRecord | undefined> {
    const o = await this.deps.store.orgs.get(tenantId, id);
    return o && orgFrom(o);
  }

  /** By id or by name. */
  async resolve(tenantId: string, ref: string): Promise<OrgRecord | undefined> {
    const o = (await this.deps.store.orgs.get(tenantId, ref)) ?? (await this.deps.store.orgs.getByName(tenantId, ref));
    return o && orgFrom(o);
  }

  async list(tenantId: string): Promise<OrgRecord[]> {
    return (await this.deps.store.orgs.list(tenantId, MAX_ORGS_PER_TENANT)).map(orgFrom);
  }

  remove(tenantId: string, id: string): Promise<boolean> {
    return this.deps.store.orgs.remove(tenantId, id);
  }

  apps(tenantId: string, orgId: string): Promise<OrgAppRecord[]> {
    return this.deps.store.orgs.listApps(tenantId, orgId);
  }

  events(tenantId: string, orgId: string, limit = MAX_EVENTS): Promise<OrgEvent[]> {
    return this.deps.store.orgs.listEvents(tenantId, orgId, Math.min(limit, MAX_EVENTS));
  }

  /** A pending app becomes a watch. Undefined when there is no such app; unchanged when it is not pending. */
  async approve(tenantId: string, orgId: string, appRowId: string): Promise<OrgAppRecord | undefined> {
    const org = await this.get(tenantId, orgId);
    const app = org && (await this.apps(tenantId, orgId)).find((a) => a.id === appRowId || a.key === appRowId);
    if (!org || !app) return undefined;
    if (app.status !== 'pending') return app;
    const watchId = await this.watch(org, app);
    await this.deps.store.orgs.updateApp(app.id, { status: 'watched', watchId });
    await this.event(tenantId, orgId, 'app_approved', { key: app.key, appId: app.packageId, url: app.url, watchId });
    return { ...app, status: 'watched', watchId };
  }

  /** Discovers the due organizations (leased, so several sweepers never run one twice). */
  async discoverDue(limit = MAX_ORGS_PER_PASS): Promise<DiscoveryResult[]> {
    const now = this.now();
    const due = (await this.deps.store.orgs.claimDue(this.owner, now, now + ORG_LEASE_MS, limit)).map(orgFrom);
    const out: DiscoveryResult[] = [];
    for (const org of due) out.push(await this.discover(org));
    return out;
  }

  /** Discovery of one leased organization, released with its next due time (backoff while every source fails). */
  private async discover(org: OrgRecord): Promise<DiscoveryResult> {
    const started = this.now();
    const state: OrgState = { discovery: { ...(org.state.discovery ?? {}) }, failing: { ...(org.state.failing ?? {}) } };
    const res: DiscoveryResult = { orgId: org.id, sources: [], found: 0, gone: 0, back: 0, watched: 0, errors: 0 };
    let error: string | null = null;
    try {
      const outcomes = await discoverApps(org.identifiers, {
        fetch: this.deps.fetch,
        endpoints: this.deps.endpoints,
        githubToken: this.deps.githubToken,
        state: state.discovery,
        ...(this.deps.minIntervalMs !== undefined ? { minIntervalMs: this.deps.minIntervalMs } : {}),
      });
      res.sources = outcomes.map((o) => ({ unit: o.unit, ok: o.ok, apps: o.apps.length, unchanged: o.unchanged, requests: o.requests, ...(o.error ? { error: o.error } : {}) }));
      await this.sourceHealth(org, outcomes, state);
      await this.reconcile(org, outcomes, res);
      res.errors = outcomes.filter((o) => !o.ok).length;
      if (res.errors) error = outcomes.filter((o) => !o.ok).map((o) => `${o.unit}: ${o.error}`).join('; ').slice(0, 2000);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
      res.errors++;
      this.deps.log?.warn({ orgId: org.id, err: error }, 'discovery failed');
    }
    const allFailed = res.sources.length === 0 || res.sources.every((s) => !s.ok);
    const errors = error && allFailed ? org.errors + 1 : 0;
    const base = org.intervalS * 1000;
    const delay = errors ? Math.min(7 * 24 * 3600_000, base * 2 ** (errors - 1)) : base * (0.9 + Math.random() * 0.2);
    await this.deps.store.orgs.release(org.id, this.owner, { nextCheckAt: Math.round(this.now() + delay), state, errors, lastError: error, lastCheckedAt: started });
    if (res.found || res.gone || res.back) this.deps.log?.info({ orgId: org.id, found: res.found, gone: res.gone, back: res.back }, 'organization apps changed');
    return res;
  }

  /** A unit that starts or stops failing is an event (not every failing pass). */
  private async sourceHealth(org: OrgRecord, outcomes: SourceOutcome[], state: OrgState): Promise<void> {
    const failing = state.failing!;
    for (const o of outcomes) {
      if (!o.ok && failing[o.unit] === undefined) {
        failing[o.unit] = o.error ?? 'failed';
        await this.announce(org, 'source_failed', { unit: o.unit, source: o.source, error: o.error ?? 'failed' });
      } else if (o.ok && failing[o.unit] !== undefined) {
        delete failing[o.unit];
        await this.announce(org, 'source_recovered', { unit: o.unit, source: o.source });
      }
    }
  }

  /**
   * New apps are recorded (and watched, by policy); apps seen again are kept; an app is gone when no unit lists it and
   * every unit of its source answered (a failing source never makes its apps gone).
   */
  private async reconcile(org: OrgRecord, outcomes: SourceOutcome[], res: DiscoveryResult): Promise<void> {
    const now = this.now();
    const rows = new Map((await this.apps(org.tenantId, org.id)).map((a) => [a.key, a]));
    const found = new Map<string, DiscoveredApp>();
    for (const o of outcomes) if (o.ok) for (const a of o.apps) if (!found.has(a.key)) found.set(a.key, a);
    const failedKinds = new Set(outcomes.filter((o) => !o.ok).map((o) => o.source));
    const configuredKinds = new Set(outcomes.map((o) => o.source));
    for (const [key, app] of found) {
      const row = rows.get(key);
      if (!row) {
        const rec: OrgAppRecord = {
          id: randomUUID(), orgId: org.id, tenantId: org.tenantId, key, source: app.source, platform: app.platform, packageId: app.appId ?? null, name: app.name ?? null, url: app.url,
          status: 'pending', watchId: null, firstSeenAt: now, lastSeenAt: now, goneAt: null,
        };
        if (!(await this.deps.store.orgs.insertApp(rec))) continue;
        res.found++;
        if (org.policy === 'watch') {
          try {
            rec.watchId = await this.watch(org, rec);
            rec.status = 'watched';
            res.watched++;
            await this.deps.store.orgs.updateApp(rec.id, { status: 'watched', watchId: rec.watchId });
          } catch (e) {
            await this.event(org.tenantId, org.id, 'watch_refused', { key, url: rec.url, error: e instanceof Error ? e.message : String(e) });
          }
        }
        await this.announce(org, 'app_found', this.appDetail(rec, app));
      } else {
        const fields: Parameters<Store['orgs']['updateApp']>[1] = { lastSeenAt: now };
        if (!row.packageId && app.appId) fields.packageId = app.appId;
        if (app.name && app.name !== row.name) fields.name = app.name;
        if (row.status === 'gone') {
          fields.status = row.watchId ? 'watched' : 'pending';
          fields.goneAt = null;
          res.back++;
          await this.announce(org, 'app_back', this.appDetail({ ...row, ...fields } as OrgAppRecord, app));
        }
        await this.deps.store.orgs.updateApp(row.id, fields);
      }
    }
    for (const row of rows.values()) {
      if (row.status === 'gone' || found.has(row.key) || failedKinds.has(row.source as SourceOutcome['source'])) continue;
      // An identifier removed from the organization is not a source that stopped listing the app.
      if (!configuredKinds.has(row.source as SourceOutcome['source'])) continue;
      await this.deps.store.orgs.updateApp(row.id, { status: 'gone', goneAt: now });
      res.gone++;
      await this.announce(org, 'app_gone', this.appDetail({ ...row, status: 'gone', goneAt: now }));
    }
  }

  private appDetail(a: OrgAppRecord, d?: DiscoveredApp): Record<string, unknown> {
    return { key: a.key, source: a.source, platform: a.platform, appId: a.packageId, name: a.name, url: a.url, status: a.status, watchId: a.watchId, version: d?.version ?? null, bestEffort: d?.bestEffort === true };
  }

  /** A watch of a found app, with the organization's targets. */
  private async watch(org: OrgRecord, app: OrgAppRecord): Promise<string> {
    const { watch } = await this.deps.watches.create(org.tenantId, { url: app.url, intervalS: org.watchIntervalS, notify: org.notify.map((n) => ({ url: n.url, secret: n.secret, format: n.format, all: n.all })) }, this.now());
    return watch.id;
  }

  private async event(tenantId: string, orgId: string, kind: string, detail: Record<string, unknown>): Promise<OrgEvent> {
    const e: OrgEvent = { id: randomUUID(), tenantId, orgId, kind, detail, createdAt: this.now() };
    await this.deps.store.orgs.insertEvent(e);
    return e;
  }

  /** An event in the history and a signed webhook (`org_<kind>`) to each of the organization's targets. */
  async announce(org: OrgRecord, kind: string, detail: Record<string, unknown>): Promise<void> {
    const e = await this.event(org.tenantId, org.id, kind, detail);
    const payload = { event: `org_${kind}`, organization: { id: org.id, name: org.name }, at: new Date(e.createdAt).toISOString(), ...detail };
    for (const t of org.notify) {
      const body = t.format === 'slack' ? { text: slackLine(org, kind, detail) } : payload;
      await this.deps.store.watches.insertDelivery({ id: randomUUID(), tenantId: org.tenantId, watchId: null, orgId: org.id, watchVersionId: `org-event:${e.id}`, target: t.url, payload: JSON.stringify(body), createdAt: e.createdAt });
    }
  }
}

function slackLine(org: OrgRecord, kind: string, d: Record<string, unknown>): string {
  const what = String(d.name ?? d.appId ?? d.key ?? d.unit ?? '');
  const text: Record<string, string> = {
    app_found: 'new app found',
    app_gone: 'app no longer listed',
    app_back: 'app listed again',
    source_failed: `source failing: ${String(d.error ?? '')}`,
    source_recovered: 'source answering again',
  };
  return `leakdex: ${slackText(org.name)}: ${slackText(text[kind] ?? kind)}: ${slackText(what)}${d.url ? ` (${slackText(String(d.url))})` : ''}`;
}
