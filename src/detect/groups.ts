/**
 * What a Detector accumulates per (rule, secret), and how it becomes findings: scope markers resolved, pairs made
 * within an entry or a scope, occurrences that only count when paired dropped when unpaired, fingerprints and redaction.
 */
import { createHash } from 'node:crypto';
import { publishedExampleIn, publishedReason } from '../../rules/published.js';
import type { Confidence, Rule, RulePairing, Severity } from '../../rules/types.js';
import { redact } from './redact.js';
import { type Finding, type FindingLocation, severityRank } from './types.js';

/** Locations kept per finding; `occurrences` keeps counting. */
export const MAX_LOCATIONS_PER_FINDING = 50;

const CONFIDENCE_RANK: Record<Confidence, number> = { high: 2, medium: 1, low: 0 };

/** Hex SHA-256 of `${ruleId}\0${secret}`: stable across scans, used for baselines and version diffs. */
export function fingerprint(ruleId: string, secret: string): string {
  return createHash('sha256').update(`${ruleId}\0${secret}`, 'utf8').digest('hex');
}

/** Whether `a` outranks `b`: higher severity, then higher confidence. */
export function higher(a: { severity: Severity; confidence: Confidence }, b: { severity: Severity; confidence: Confidence }): boolean {
  const d = severityRank(a.severity) - severityRank(b.severity);
  return d > 0 || (d === 0 && CONFIDENCE_RANK[a.confidence] > CONFIDENCE_RANK[b.confidence]);
}

export interface Candidate {
  rule: Rule;
  secret: string;
  start: number;
  end: number;
  severity: Severity;
  confidence: Confidence;
  reason: string | undefined;
  /** Kept only if a partner is found (value without its required context, or a pairing that is required). */
  needsPair: boolean;
  /** Also kept if a marker of this rule's `context.scope` occurs in the same scope. */
  scopeWait?: { key: string; mark: number };
  /** Found only as half of a shape pair (rules/shape-pairs.ts), with the pair's reason. */
  shapeReason?: string;
}

export interface ScopeWait {
  key: string;
  mark: number;
  /** Index into `locations`, or -1 when the locations were full. */
  location: number;
  /** Index into `sites`, or -1. */
  site: number;
  severity: Severity;
  confidence: Confidence;
  reason: string | undefined;
}

export interface PairSite {
  entry: string;
  scope: string | undefined;
  needsPair: boolean;
}

export interface Group {
  rule: Rule;
  secret: string;
  severity: Severity;
  confidence: Confidence;
  reason: string | undefined;
  /** At least one occurrence stands on its own (not waiting for a partner). */
  standalone: boolean;
  /**
   * The severity comes from an occurrence with a bound name or a code use: a name that explains a value (a Google
   * key given to the Firebase SDK) outranks the same value seen with no name at all (its DEX string table entry).
   */
  named: boolean;
  locations: FindingLocation[];
  /** Whether each kept location waits for a partner, index-aligned with `locations`. */
  locationNeedsPair: boolean[];
  occurrences: number;
  /** The pairing of the shape that produced the group. */
  pairing: RulePairing | undefined;
  /** Occurrences that do not wait for a partner. */
  standaloneOccurrences: number;
  sites: PairSite[];
  /** Occurrences waiting for a scope marker, resolved in `findings()`. */
  waits: ScopeWait[];
  /** Every standalone occurrence came from a shape pair (rules/shape-pairs.ts): its reason, confidence at most medium. */
  shapeReason: string | undefined;
}

/** Occurrences waiting for a scope marker become standalone when their scope has one. */
function resolveScopes(groups: Map<string, Group>, marks: Map<string, Set<number>>): void {
  for (const g of groups.values()) {
    if (g.waits.length === 0) continue;
    const left: ScopeWait[] = [];
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

/**
 * Findings so far, one per (rule, secret) with its locations; pairs resolved (same entry or same scope), values that
 * only count when paired dropped if unpaired; sorted by severity, then rule id, then fingerprint.
 */
export function findingsOf(groups: Map<string, Group>, marks: Map<string, Set<number>>, partners: Map<string, Set<string>>): { findings: Finding[]; unpaired: number } {
  resolveScopes(groups, marks);
  const fingerprints = new Map<Group, string>();
  const fp = (g: Group): string => {
    let f = fingerprints.get(g);
    if (f === undefined) fingerprints.set(g, (f = fingerprint(g.rule.id, g.secret)));
    return f;
  };
  // Published example values (rules/published.ts), looked up once per group.
  const publishedOf = new Map<Group, ReturnType<typeof publishedExampleIn>>();
  const published = (g: Group) => {
    if (!publishedOf.has(g)) publishedOf.set(g, publishedExampleIn(g.secret));
    return publishedOf.get(g);
  };
  const byRule = new Map<string, Group[]>();
  for (const g of groups.values()) {
    if (g.sites.length === 0) continue;
    let list = byRule.get(g.rule.id);
    if (!list) byRule.set(g.rule.id, (list = []));
    list.push(g);
  }
  const pairedWith = new Map<Group, Set<Group>>();
  for (const g of groups.values()) {
    const partnerIds = partners.get(g.rule.id);
    if (!partnerIds || g.sites.length === 0) continue;
    for (const pid of partnerIds) {
      for (const other of byRule.get(pid) ?? []) {
        // A documentation example pairs only with another one: it must not raise a look-alike beside it.
        if ((published(other) === undefined) !== (published(g) === undefined)) continue;
        for (const site of g.sites) {
          // Two values that both have a scope (DEX classes) pair only within it; otherwise the same entry will do.
          const match = other.sites.some((o) => !(o.needsPair && site.needsPair) && (o.scope !== undefined && site.scope !== undefined ? o.scope === site.scope : o.entry === site.entry || (o.scope !== undefined && o.scope === site.scope)));
          if (!match) continue;
          let set = pairedWith.get(g);
          if (!set) pairedWith.set(g, (set = new Set()));
          set.add(other);
          break;
        }
      }
    }
  }
  const absorbed = new Map<Group, Group[]>();
  const isAbsorbed = new Set<Group>();
  for (const [g, partners] of pairedWith) {
    if (!g.pairing?.absorb) continue;
    const taken = [...partners].filter((p) => p.rule.id === g.pairing!.ruleId);
    absorbed.set(g, taken);
    for (const p of taken) isAbsorbed.add(p);
  }
  const out: Finding[] = [];
  let unpaired = 0;
  for (const g of groups.values()) {
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
    if (g.shapeReason !== undefined) {
      // Shape alone is the evidence: the pair's severity, at most medium confidence, and the reason says so.
      reason = g.shapeReason;
      if (confidence === 'high') confidence = 'medium';
    }
    const example = published(g);
    if (example) {
      severity = 'info';
      reason = publishedReason(example);
    }
    let locations = partners ? g.locations : g.locations.filter((_, i) => !g.locationNeedsPair[i]);
    let occurrences = partners ? g.occurrences : g.standaloneOccurrences;
    for (const p of absorbed.get(g) ?? []) {
      locations = [...locations, ...p.locations].slice(0, MAX_LOCATIONS_PER_FINDING);
      occurrences += p.occurrences;
    }
    const linked = partners ? [...partners].filter((p) => !isAbsorbed.has(p)) : [];
    const f: Finding = {
      ruleId: g.rule.id,
      provider: g.rule.provider,
      title: g.rule.title,
      severity,
      confidence,
      secret: g.secret,
      redacted: redact(g.secret),
      fingerprint: fp(g),
      locations,
      occurrences,
    };
    if (reason !== undefined) f.reason = reason;
    if (linked.length > 0) f.pairedWith = linked.map(fp).sort();
    out.push(f);
  }
  return {
    unpaired,
    findings: out.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : a.fingerprint < b.fingerprint ? -1 : 1)),
  };
}
