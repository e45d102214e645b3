/**
 * From a Detector's groups to findings, across processes. A scan worker hands over its groups with each value
 * replaced by its fingerprint, its redaction and whether it is a published example (the raw value only when the scan
 * keeps values); the shards of one scan are merged as if one Detector had read them in order; then scope markers are
 * resolved, pairs made within an entry or a scope, and occurrences that only count when paired dropped when unpaired.
 */
import { publishedExampleIn, publishedReason } from '../../rules/published.js';
import { fingerprint, keyedFingerprint, valueMac } from './fingerprint.js';
import { type Group, MAX_GROUPS, MAX_LOCATIONS_PER_FINDING, MAX_PAIR_SITES_PER_GROUP, higher } from './groups.js';
import { redact } from './redact.js';
import { type Finding, severityRank } from './types.js';

/**
 * Most other findings one finding is paired with. 2,000 AWS key ids beside 2,000 secrets in one .env pair every id
 * with every secret: 4,000 lists of 2,000 fingerprints made a report too large for one string (the CLI failed with
 * "Invalid string length" at 1.4 GB).
 */
export const MAX_PAIRED_WITH = 50;

/** A group as it leaves the Detector that made it: plain data, the value only when kept. */
export interface PartialGroup extends Omit<Group, 'rule' | 'secret'> {
  ruleId: string;
  provider: string;
  title: string;
  fingerprint: string;
  /**
   * With keyed fingerprints, the plain one: findings are listed in the same order whether their fingerprints are
   * keyed or not (the service's reports and the CLI's). A sort key only, never put in a finding.
   */
  order?: string;
  redacted: string;
  /** The finding reason when the value is a published documentation example (rules/published.ts). */
  published: string | undefined;
  /** The raw value, only when the scan keeps values. */
  secret?: string;
  /** With keyed fingerprints, the value's keyed MAC for known-compromised feeds (fingerprint.ts valueMac). */
  valueMac?: string;
}

/** What one Detector (one shard of a scan) found: its groups, the scope markers it saw, which rules pair. */
export interface PartialFindings {
  groups: PartialGroup[];
  /** Scope key and the markers seen in that scope. */
  marks: [string, number[]][];
  /** Rule id and the ids of the rules it pairs with. */
  partners: [string, string[]][];
}

/** How a Detector's findings leave it: fingerprints keyed with `fingerprintKey` when given, values only when `keepSecrets`. */
export interface PartialOptions {
  fingerprintKey?: Uint8Array;
  keepSecrets: boolean;
}

/** The groups of a Detector as plain data. */
export function partialOf(groups: Iterable<Group>, marks: Map<string, Set<number>>, partners: Map<string, Set<string>>, opts: PartialOptions): PartialFindings {
  const out: PartialGroup[] = [];
  const key = opts.fingerprintKey;
  for (const g of groups) {
    const { rule, secret, ...rest } = g;
    const example = publishedExampleIn(secret);
    const plain = fingerprint(rule.id, secret);
    const p: PartialGroup = {
      ...rest,
      ruleId: rule.id,
      provider: rule.provider,
      title: rule.title,
      locations: [...g.locations],
      locationNeedsPair: [...g.locationNeedsPair],
      sites: g.sites.map((s) => ({ ...s })),
      waits: g.waits.map((w) => ({ ...w })),
      fingerprint: key === undefined ? plain : keyedFingerprint(key, rule.id, secret),
      redacted: redact(secret),
      published: example && publishedReason(example),
    };
    if (key !== undefined) {
      p.order = plain;
      p.valueMac = valueMac(key, secret);
    }
    if (opts.keepSecrets) p.secret = secret;
    out.push(p);
  }
  return {
    groups: out,
    marks: [...marks].map(([k, v]) => [k, [...v]]),
    partners: [...partners].map(([k, v]) => [k, [...v]]),
  };
}

/** Appends `items` to `into` up to `max`; the new index of each item, or -1 when it did not fit. */
function appendCapped<T>(into: T[], items: readonly T[], max: number, also?: { into: boolean[]; items: readonly boolean[] }): number[] {
  return items.map((item, i) => {
    if (into.length >= max) return -1;
    also?.into.push(also.items[i]!);
    return into.push(item) - 1;
  });
}

/** Adds `b`'s occurrences (read after `a`'s) to `a`, as Detector.record would have. */
function mergeGroup(a: PartialGroup, b: PartialGroup): void {
  // The rank of the first standalone occurrence that no later one outranks, named before unnamed.
  if (b.standalone && (!a.standalone || (b.named && !a.named) || ((b.named || !a.named) && higher(b, a)))) {
    a.named ||= b.named;
    a.severity = b.severity;
    a.confidence = b.confidence;
    a.reason = b.reason;
  }
  a.standalone ||= b.standalone;
  a.plain ||= b.plain;
  a.pairing ??= b.pairing;
  a.occurrences += b.occurrences;
  a.standaloneOccurrences += b.standaloneOccurrences;
  const location = appendCapped(a.locations, b.locations, MAX_LOCATIONS_PER_FINDING, { into: a.locationNeedsPair, items: b.locationNeedsPair });
  const site = appendCapped(a.sites, b.sites, MAX_PAIR_SITES_PER_GROUP);
  const waits = b.waits.map((w) => ({ ...w, location: w.location < 0 ? -1 : location[w.location]!, site: w.site < 0 ? -1 : site[w.site]! }));
  appendCapped(a.waits, waits, MAX_PAIR_SITES_PER_GROUP);
}

/**
 * The shards of one scan as one: groups of the same rule and value merged in shard order (shards split a scan by
 * entry, and an entry's strings are read in order by one Detector), scope markers and partners united.
 */
export function mergePartials(parts: readonly PartialFindings[]): PartialFindings {
  if (parts.length === 1) return parts[0]!;
  const groups = new Map<string, PartialGroup>();
  const marks = new Map<string, Set<number>>();
  const partners = new Map<string, Set<string>>();
  for (const part of parts) {
    for (const g of part.groups) {
      const key = `${g.ruleId}\0${g.fingerprint}`;
      const a = groups.get(key);
      if (a) mergeGroup(a, g);
      else if (groups.size < MAX_GROUPS) groups.set(key, g);
    }
    for (const [key, seen] of part.marks) {
      let set = marks.get(key);
      if (!set) {
        if (marks.size >= MAX_GROUPS) continue;
        marks.set(key, (set = new Set()));
      }
      for (const m of seen) set.add(m);
    }
    for (const [id, ids] of part.partners) {
      let set = partners.get(id);
      if (!set) partners.set(id, (set = new Set()));
      for (const p of ids) set.add(p);
    }
  }
  return {
    groups: [...groups.values()],
    marks: [...marks].map(([k, v]) => [k, [...v]]),
    partners: [...partners].map(([k, v]) => [k, [...v]]),
  };
}

/** Occurrences waiting for a scope marker become standalone when their scope has one. */
function resolveScopes(groups: readonly PartialGroup[], marks: Map<string, Set<number>>): void {
  for (const g of groups) {
    if (g.waits.length === 0) continue;
    const left: PartialGroup['waits'] = [];
    for (const w of g.waits) {
      if (!marks.get(w.key)?.has(w.mark)) {
        left.push(w);
        continue;
      }
      if (!g.standalone || higher(w, g)) {
        g.severity = w.severity;
        g.confidence = w.confidence;
        g.reason = w.reason;
      }
      g.standalone = true;
      g.standaloneOccurrences++;
      if (w.location >= 0) g.locationNeedsPair[w.location] = false;
      if (w.site >= 0) g.sites[w.site]!.needsPair = false;
    }
    g.waits = left;
  }
}

/** Groups with a pairing site under one key (a scope or an entry): all of them, and those whose site needs no pair. */
interface SiteList {
  any: PartialGroup[];
  free: PartialGroup[];
}

/** The pairing sites of one rule's groups (of one kind: documentation examples or not), by scope and by entry. */
class SiteIndex {
  /** Scoped sites by scope. */
  readonly scoped = new Map<string, SiteList>();
  /** Unscoped sites by entry. */
  readonly unscoped = new Map<string, SiteList>();
  /** Every site by entry. */
  readonly entries = new Map<string, SiteList>();

  add(g: PartialGroup): void {
    for (const s of g.sites) {
      if (s.scope !== undefined) addSite(this.scoped, s.scope, g, s.needsPair);
      else addSite(this.unscoped, s.entry, g, s.needsPair);
      addSite(this.entries, s.entry, g, s.needsPair);
    }
  }

  /**
   * The lists of groups that pair with `site`: two values that both have a scope (DEX classes) pair only within it,
   * otherwise the same entry will do; two values that both wait for a partner do not pair with each other.
   */
  *matches(site: PartialGroup['sites'][number]): Generator<PartialGroup[]> {
    const pick = (l: SiteList | undefined) => (l === undefined ? undefined : site.needsPair ? l.free : l.any);
    const lists = site.scope !== undefined ? [pick(this.scoped.get(site.scope)), pick(this.unscoped.get(site.entry))] : [pick(this.entries.get(site.entry))];
    for (const l of lists) if (l !== undefined && l.length > 0) yield l;
  }
}

function addSite(map: Map<string, SiteList>, key: string, g: PartialGroup, needsPair: boolean): void {
  let l = map.get(key);
  if (!l) map.set(key, (l = { any: [], free: [] }));
  // A group's sites are added one after another: a repeat is always the last one.
  if (l.any[l.any.length - 1] !== g) l.any.push(g);
  if (!needsPair && l.free[l.free.length - 1] !== g) l.free.push(g);
}

/**
 * For each group of a rule that pairs, the groups it pairs with (at most MAX_PAIRED_WITH, in rule then group order):
 * groups of a partner rule with a site in the same scope or entry, a documentation example only with another one.
 * Sites are indexed by scope and entry, so the work is the number of sites and pairs, not groups times groups.
 */
function pairsOf(groups: readonly PartialGroup[], partners: Map<string, Set<string>>): Map<PartialGroup, PartialGroup[]> {
  const indexes = new Map<string, SiteIndex>();
  const order = new Map<PartialGroup, number>();
  groups.forEach((g, i) => {
    order.set(g, i);
    if (g.sites.length === 0) return;
    const key = `${g.published === undefined ? 0 : 1}${g.ruleId}`;
    let index = indexes.get(key);
    if (!index) indexes.set(key, (index = new SiteIndex()));
    index.add(g);
  });
  const out = new Map<PartialGroup, PartialGroup[]>();
  for (const g of groups) {
    const partnerIds = partners.get(g.ruleId);
    if (!partnerIds || g.sites.length === 0) continue;
    const found: Array<{ other: PartialGroup; rule: number }> = [];
    const seen = new Set<PartialGroup>();
    let rule = 0;
    for (const pid of partnerIds) {
      const index = indexes.get(`${g.published === undefined ? 0 : 1}${pid}`);
      rule++;
      if (!index) continue;
      const read = new Set<PartialGroup[]>();
      for (const site of g.sites) {
        for (const list of index.matches(site)) {
          if (read.has(list)) continue;
          read.add(list);
          for (const other of list) {
            if (found.length >= MAX_PAIRED_WITH) break;
            if (seen.has(other)) continue;
            seen.add(other);
            found.push({ other, rule });
          }
        }
      }
    }
    if (found.length > 0) out.set(g, found.sort((a, b) => a.rule - b.rule || order.get(a.other)! - order.get(b.other)!).map((f) => f.other));
  }
  return out;
}

/**
 * The findings of a (merged) partial: one per (rule, value) with its locations; pairs resolved (same entry or same
 * scope), values that only count when paired dropped if unpaired; sorted by severity, then rule id, then plain
 * fingerprint (pairs too).
 * Changes `partial`'s groups: resolve a partial once.
 */
export function findingsOf(partial: PartialFindings): { findings: Finding[]; unpaired: number } {
  const { groups } = partial;
  const marks = new Map(partial.marks.map(([k, v]) => [k, new Set(v)]));
  const partners = new Map(partial.partners.map(([k, v]) => [k, new Set(v)]));
  resolveScopes(groups, marks);
  const pairedWith = pairsOf(groups, partners);
  const absorbed = new Map<PartialGroup, PartialGroup[]>();
  const isAbsorbed = new Set<PartialGroup>();
  for (const [g, partners] of pairedWith) {
    if (!g.pairing?.absorb) continue;
    const taken = [...partners].filter((p) => p.ruleId === g.pairing!.ruleId);
    absorbed.set(g, taken);
    for (const p of taken) isAbsorbed.add(p);
  }
  const out: Finding[] = [];
  const orderOf = new Map<Finding | PartialGroup, string>();
  const before = (a: Finding | PartialGroup, b: Finding | PartialGroup) => (orderOf.get(a)! < orderOf.get(b)! ? -1 : 1);
  for (const g of groups) orderOf.set(g, g.order ?? g.fingerprint);
  let unpaired = 0;
  for (const g of groups) {
    if (isAbsorbed.has(g)) continue;
    const partners = pairedWith.get(g);
    if (!g.standalone && !partners) {
      unpaired++;
      continue;
    }
    let { severity, confidence, reason } = g;
    if (partners && g.pairing && higher(g.pairing, { severity, confidence })) {
      ({ severity, confidence, reason } = g.pairing);
    }
    const shapeReason = g.plain ? undefined : g.shapeReason;
    if (shapeReason !== undefined) {
      // Shape alone is the evidence: the pair's severity, at most medium confidence, and the reason says so.
      reason = shapeReason;
      if (confidence === 'high') confidence = 'medium';
    }
    if (g.published !== undefined) {
      severity = 'info';
      reason = g.published;
    }
    let locations = partners ? g.locations : g.locations.filter((_, i) => !g.locationNeedsPair[i]);
    let occurrences = partners ? g.occurrences : g.standaloneOccurrences;
    for (const p of absorbed.get(g) ?? []) {
      locations = [...locations, ...p.locations].slice(0, MAX_LOCATIONS_PER_FINDING);
      occurrences += p.occurrences;
    }
    const linked = partners ? [...partners].filter((p) => !isAbsorbed.has(p)) : [];
    const value = g.secret === undefined ? {} : { secret: g.secret };
    const f: Finding = { ruleId: g.ruleId, provider: g.provider, title: g.title, severity, confidence, ...value, redacted: g.redacted, fingerprint: g.fingerprint, locations, occurrences };
    if (g.valueMac !== undefined) f.valueMac = g.valueMac;
    if (reason !== undefined) f.reason = reason;
    if (linked.length > 0) f.pairedWith = linked.sort(before).map((p) => p.fingerprint);
    orderOf.set(f, orderOf.get(g)!);
    out.push(f);
  }
  return {
    unpaired,
    findings: out.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : before(a, b))),
  };
}

/** The findings of the shards of one scan, in shard order. */
export function findingsOfShards(parts: readonly PartialFindings[]): Finding[] {
  return findingsOf(mergePartials(parts)).findings;
}
