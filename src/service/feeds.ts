/**
 * Known-compromised feeds (docs/organizations.md, "Known-compromised feeds"): a tenant imports SHA-256 hashes of
 * credentials known to be compromised (a breach dump, a paste), by CLI, API or a URL fetched on a schedule. Raw
 * secrets are refused. Neither hashes nor values are kept: each hash becomes compromisedMac(fingerprint key, hash),
 * the same keyed MAC the scan worker puts on each finding (findings.value_mac), so a match is an indexed equality.
 * A finding that matches is marked with the feed's source and date, raised to critical (its version graded F), kept
 * in the app's history and announced by webhook (`key_compromised`) to the targets of the watches and organizations
 * that reach its app. Matching runs after every scan of the tenant and whenever a feed changes.
 */
import { randomUUID } from 'node:crypto';
import { compromisedMac, valueMac } from '../detect/fingerprint.js';
import type { CompromisedMark } from '../findings.js';
import { fetchBytes, redactUrl, type FetchOptions } from '../market/download.js';
import { slackText } from '../report/escape.js';
import type { CompromisedMatch, FeedEntry, FeedRecord, Store } from '../store/types.js';
import { decryptSecret, type FindingKeys } from './crypto.js';
import { HttpError } from './errors.js';

/** Largest feed accepted (upload or fetch), and most entries in one feed. */
export const MAX_FEED_BYTES = 64 * 1024 * 1024;
export const MAX_FEED_ENTRIES = 1_000_000;
/** Most findings marked, and back-filled, per matching pass (the next pass goes on). */
export const MAX_MATCHES_PER_PASS = 5_000;
/** Feeds fetched per sweep pass; least and default fetch interval. */
export const MAX_FEEDS_PER_PASS = 20;
export const MIN_FEED_INTERVAL_S = 300;
export const DEFAULT_FEED_INTERVAL_S = 24 * 3600;
/** Lines with errors named in a refusal. */
const MAX_ERROR_LINES = 20;

const SHA256 = /^[0-9a-fA-F]{64}$/;
const clean = (s: string | undefined, max: number): string | null => {
  const v = (s ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, max);
  return v === '' ? null : v;
};

export interface ParsedEntry {
  sha256: string;
  source: string | null;
  seenOn: string | null;
}

/**
 * Reads a feed: JSON (`[{sha256, source?, date?}]` or `{entries: [...]}`) or text, one `sha256[,source[,date]]` per
 * line (commas or tabs; `#` comments; a `sha256,…` header). Anything that is not a SHA-256 refuses the whole feed,
 * naming line numbers only (the line may be a raw secret: it is never echoed).
 */
export function parseFeed(body: Buffer | string): ParsedEntry[] {
  const text = (typeof body === 'string' ? body : body.toString('utf8')).replace(/^\uFEFF/, '');
  const out: ParsedEntry[] = [];
  const bad: number[] = [];
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new HttpError(400, 'bad_feed', `the feed is not valid JSON: ${(e as Error).message.slice(0, 200)}`);
    }
    const items = Array.isArray(doc) ? doc : (doc as { entries?: unknown }).entries;
    if (!Array.isArray(items)) throw new HttpError(400, 'bad_feed', 'a JSON feed is an array of {sha256, source?, date?} or {"entries": [...]}');
    items.forEach((it, i) => {
      const o = (it ?? {}) as Record<string, unknown>;
      const h = typeof o.sha256 === 'string' ? o.sha256.trim() : '';
      if (!SHA256.test(h) || Object.keys(o).some((k) => !['sha256', 'source', 'date'].includes(k))) bad.push(i);
      else out.push({ sha256: h.toLowerCase(), source: clean(typeof o.source === 'string' ? o.source : undefined, 200), seenOn: clean(typeof o.date === 'string' ? o.date : undefined, 40) });
    });
    if (bad.length) throw new HttpError(400, 'bad_feed', `entries ${bad.slice(0, MAX_ERROR_LINES).join(', ')}${bad.length > MAX_ERROR_LINES ? ` and ${bad.length - MAX_ERROR_LINES} more` : ''} are not {sha256: 64 hex digits, source?, date?}: a feed holds SHA-256 hashes of secrets, never secrets`);
  } else {
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const [h, source, date] = line.split(/\s*[,\t]\s*/);
      if (i === 0 && /^sha-?256$/i.test(h ?? '')) return;
      if (!SHA256.test(h ?? '')) bad.push(i + 1);
      else out.push({ sha256: h!.toLowerCase(), source: clean(source, 200), seenOn: clean(date, 40) });
    });
    if (bad.length) throw new HttpError(400, 'bad_feed', `line(s) ${bad.slice(0, MAX_ERROR_LINES).join(', ')}${bad.length > MAX_ERROR_LINES ? ` and ${bad.length - MAX_ERROR_LINES} more` : ''} are not a SHA-256 (64 hex digits): a feed holds hashes of secrets, never secrets`);
  }
  if (out.length > MAX_FEED_ENTRIES) throw new HttpError(413, 'feed_too_large', `a feed holds at most ${MAX_FEED_ENTRIES} entries`);
  return out;
}

export interface FeedServiceDeps {
  store: Store;
  keys: FindingKeys;
  fetch?: FetchOptions;
  now?: () => number;
  log?: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

export interface MatchResult {
  /** Findings marked in this pass. */
  marked: number;
  /** Findings given a value MAC from their stored (encrypted) value. */
  backfilled: number;
}

export function feedView(f: FeedRecord) {
  return {
    id: f.id,
    name: f.name,
    url: f.url === null ? null : redactUrl(f.url),
    intervalSeconds: f.intervalS,
    entries: f.entries,
    nextFetchAt: f.nextFetchAt === null || f.url === null ? null : new Date(f.nextFetchAt).toISOString(),
    lastFetchedAt: f.lastFetchedAt === null ? null : new Date(f.lastFetchedAt).toISOString(),
    lastError: f.lastError,
    createdAt: new Date(f.createdAt).toISOString(),
  };
}

export class FeedService {
  readonly owner = `feeds-${randomUUID().slice(0, 8)}`;
  private readonly now: () => number;
  constructor(private readonly deps: FeedServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  async create(tenantId: string, f: { name: string; url?: string; intervalS?: number }): Promise<FeedRecord> {
    const name = String(f.name ?? '').trim();
    if (!/^[^\u0000-\u001f\u007f]{1,100}$/.test(name)) throw new HttpError(400, 'bad_feed', 'a feed name is 1 to 100 printable characters');
    if (await this.deps.store.feeds.getByName(tenantId, name)) throw new HttpError(409, 'feed_exists', `a feed named '${name}' exists`);
    let url: string | null = null;
    if (f.url !== undefined) {
      let u: URL;
      try {
        u = new URL(f.url);
      } catch {
        throw new HttpError(400, 'bad_feed', 'the feed URL is not a valid absolute URL');
      }
      if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new HttpError(400, 'bad_feed', 'the feed URL must be http(s)');
      url = u.href;
    }
    const intervalS = url ? (f.intervalS ?? DEFAULT_FEED_INTERVAL_S) : null;
    if (intervalS !== null && (!Number.isInteger(intervalS) || intervalS < MIN_FEED_INTERVAL_S || intervalS > 30 * 86400)) throw new HttpError(400, 'bad_feed', `a feed interval is between ${MIN_FEED_INTERVAL_S} s and 30 days`);
    const id = randomUUID();
    const now = this.now();
    await this.deps.store.feeds.insert({ id, tenantId, name, url, intervalS, nextFetchAt: url ? now : null, createdAt: now });
    return (await this.deps.store.feeds.get(tenantId, id))!;
  }

  /** By id or name. */
  async resolve(tenantId: string, ref: string): Promise<FeedRecord | undefined> {
    return (await this.deps.store.feeds.get(tenantId, ref)) ?? (await this.deps.store.feeds.getByName(tenantId, ref));
  }

  private entries(parsed: ParsedEntry[]): FeedEntry[] {
    return parsed.map((e) => ({ valueMac: compromisedMac(this.deps.keys.fingerprint, e.sha256), source: e.source, seenOn: e.seenOn }));
  }

  /** Adds a feed's entries (hashes only), then marks what they match across the tenant's stored findings. */
  async import(tenantId: string, feed: FeedRecord, body: Buffer | string): Promise<{ received: number; added: number; entries: number } & MatchResult> {
    if (Buffer.byteLength(body) > MAX_FEED_BYTES) throw new HttpError(413, 'feed_too_large', `a feed is at most ${MAX_FEED_BYTES / 1024 / 1024} MiB`);
    const parsed = parseFeed(body);
    if (feed.entries + parsed.length > MAX_FEED_ENTRIES) throw new HttpError(413, 'feed_too_large', `a feed holds at most ${MAX_FEED_ENTRIES} entries`);
    const added = await this.deps.store.feeds.addEntries(feed.id, tenantId, this.entries(parsed), this.now());
    const match = await this.match(tenantId);
    const after = await this.deps.store.feeds.get(tenantId, feed.id);
    return { received: parsed.length, added, entries: after?.entries ?? 0, ...match };
  }

  /** Fetches the due URL feeds (ETag: an unchanged feed is not downloaded again), replaces their entries, matches. */
  async fetchDue(limit = MAX_FEEDS_PER_PASS): Promise<{ fetched: number; unchanged: number; errors: number; marked: number }> {
    const now = this.now();
    const res = { fetched: 0, unchanged: 0, errors: 0, marked: 0 };
    for (const f of await this.deps.store.feeds.claimDue(this.owner, now, now + 15 * 60_000, limit)) {
      let etag = f.etag;
      let lastError: string | null = null;
      try {
        const r = await fetchBytes(f.url!, { ...this.deps.fetch, maxBytes: MAX_FEED_BYTES, acceptStatus: [304], headers: f.etag && f.entries > 0 ? { 'if-none-match': f.etag } : {} });
        if (r.status === 304) res.unchanged++;
        else {
          const parsed = parseFeed(r.body);
          await this.deps.store.feeds.replaceEntries(f.id, f.tenantId, this.entries(parsed), this.now());
          etag = typeof r.headers.etag === 'string' ? r.headers.etag.slice(0, 200) : null;
          res.fetched++;
          res.marked += (await this.match(f.tenantId)).marked;
        }
      } catch (e) {
        lastError = `${redactUrl(f.url!)}: ${(e as Error).message}`.slice(0, 500);
        res.errors++;
        this.deps.log?.warn({ feedId: f.id, err: lastError }, 'feed fetch failed');
      }
      await this.deps.store.feeds.releaseFetch(f.id, this.owner, { nextFetchAt: this.now() + (f.intervalS ?? DEFAULT_FEED_INTERVAL_S) * 1000, etag, lastError, lastFetchedAt: this.now() });
    }
    return res;
  }

  /**
   * Marks the tenant's stored findings a feed names. Findings stored before value MACs existed get one from their
   * encrypted value when values are stored (the value is decrypted in memory, hashed, and dropped).
   */
  async match(tenantId: string): Promise<MatchResult> {
    const { store, keys } = this.deps;
    const res: MatchResult = { marked: 0, backfilled: 0 };
    if ((await store.feeds.list(tenantId)).every((f) => f.entries === 0)) return res;
    if (keys.encryption) {
      for (const f of await store.feeds.listWithoutMac(tenantId, MAX_MATCHES_PER_PASS)) {
        try {
          await store.feeds.setValueMac(f.id, valueMac(keys.fingerprint, decryptSecret(keys.encryption, f.secretEnc!, f.fingerprint)));
          res.backfilled++;
        } catch {
          this.deps.log?.warn({ findingId: f.id }, 'a stored value could not be decrypted (another key?); not matched against feeds');
        }
      }
    }
    for (const m of await store.feeds.listUnmarkedMatches(tenantId, MAX_MATCHES_PER_PASS)) {
      await this.mark(m);
      res.marked++;
    }
    if (res.marked) this.deps.log?.info({ tenantId, marked: res.marked }, 'known-compromised keys found');
    return res;
  }

  private async mark(m: CompromisedMatch): Promise<void> {
    const { store } = this.deps;
    const at = this.now();
    const mark: CompromisedMark = { feed: m.feedName, feedId: m.feedId, source: m.entrySource, seenOn: m.entrySeenOn, markedAt: new Date(at).toISOString(), severityBefore: m.severity };
    await store.feeds.markCompromised(m.id, JSON.stringify(mark));
    await store.verifications.setVersionRating(m.versionId, 'F');
    const reason = `known compromised: listed by feed '${m.feedName}'${m.entrySource ? ` (${m.entrySource}${m.entrySeenOn ? `, ${m.entrySeenOn}` : ''})` : m.entrySeenOn ? ` (${m.entrySeenOn})` : ''}`;
    const eventId = randomUUID();
    await store.verifications.insertEvent({ id: eventId, tenantId: m.tenantId, appId: m.appId, versionId: m.versionId, fingerprint: m.fingerprint, ruleId: m.ruleId, redacted: m.redacted, fromStatus: m.verification?.status ?? null, toStatus: 'compromised', reason, createdAt: at });
    const payload = {
      event: 'key_compromised',
      appId: m.appId,
      versionId: m.versionId,
      finding: { fingerprint: m.fingerprint, ruleId: m.ruleId, title: m.title, redacted: m.redacted, severity: 'critical', severityBefore: m.severity },
      compromised: { feed: m.feedName, source: m.entrySource, seenOn: m.entrySeenOn, markedAt: mark.markedAt },
    };
    const text = `leakdex: KNOWN COMPROMISED KEY: ${slackText(m.title)} ${slackText(m.redacted)} (${slackText(reason)})`;
    const sent = new Set<string>();
    for (const o of await store.orgs.listOrgsOfApp(m.tenantId, m.appId)) {
      const e = { id: randomUUID(), tenantId: m.tenantId, orgId: o.id, kind: 'key_compromised', detail: { ...payload }, createdAt: at };
      await store.orgs.insertEvent(e);
      for (const t of o.notify as { url: string; format: string }[]) {
        if (sent.has(t.url)) continue;
        sent.add(t.url);
        const body = t.format === 'slack' ? { text } : { ...payload, organization: { id: o.id, name: o.name } };
        await store.watches.insertDelivery({ id: randomUUID(), tenantId: m.tenantId, watchId: null, orgId: o.id, watchVersionId: `compromised:${m.id}`, target: t.url, payload: JSON.stringify(body), createdAt: at });
      }
    }
    for (const w of await store.watches.listByApp(m.tenantId, m.appId)) {
      for (const t of w.notify as { url: string; format: string }[]) {
        if (sent.has(t.url)) continue;
        sent.add(t.url);
        const body = t.format === 'slack' ? { text } : { ...payload, watch: { id: w.id, url: w.url } };
        await store.watches.insertDelivery({ id: randomUUID(), tenantId: m.tenantId, watchId: w.id, watchVersionId: `compromised:${m.id}`, target: t.url, payload: JSON.stringify(body), createdAt: at });
      }
    }
  }
}
