/**
 * An organization's A-F rating (docs/organizations.md, "Rating"): over the current (newest stored) version of every
 * app it reaches, the worst version grade; a key verified live or known compromised anywhere makes it F. Counts by
 * severity, live and compromised keys, and a trend of snapshots taken after each sweep that changed it.
 */
import type { Severity } from '../detect/types.js';
import type { OrgRatingPoint, Rating, Store } from '../store/types.js';
import { TREND_POINTS } from './orgs.js';

const GRADES: readonly Rating[] = ['A', 'B', 'C', 'D', 'F'];
const worse = (a: Rating, b: Rating): Rating => (GRADES.indexOf(b) > GRADES.indexOf(a) ? b : a);
const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
const rank = (s: string) => SEVERITIES.indexOf(s as Severity);

export interface OrgAppRating {
  appId: string;
  platform: string;
  packageId: string;
  name: string | null;
  version: { id: string; name: string | null; code: string | null; scanId: string; at: string };
  grade: Rating | null;
  counts: OrgRatingPoint['counts'];
}

export interface OrgRating {
  /** Null while no app of the organization has a scanned version. */
  grade: Rating | null;
  reason: string;
  counts: OrgRatingPoint['counts'];
  apps: OrgAppRating[];
  /** The finding that decides the grade, when one does. */
  worst: { appId: string; packageId: string; version: string | null; ruleId: string; title: string; redacted: string; severity: string; live: boolean; compromised: boolean } | null;
  trend: { at: string; grade: Rating; counts: OrgRatingPoint['counts'] }[];
}

const zero = (): OrgRatingPoint['counts'] => ({ critical: 0, high: 0, medium: 0, low: 0, info: 0, live: 0, compromised: 0 });

/** The rating of one organization now, with its trend. */
export async function rateOrg(store: Store, tenantId: string, orgId: string): Promise<OrgRating> {
  const current = await store.orgs.listCurrentVersions(tenantId, orgId);
  const total = zero();
  const apps: OrgAppRating[] = [];
  let grade: Rating | null = null;
  let worst: OrgRating['worst'] = null;
  let worstKey = -1;
  for (const v of current) {
    const counts = zero();
    let appGrade: Rating | null = v.rating;
    for (const f of await store.listVersionFindings(tenantId, v.versionId)) {
      counts[f.severity] += 1;
      const live = f.verification?.status === 'live';
      const compromised = Boolean(f.compromised);
      if (live) counts.live++;
      if (compromised) counts.compromised++;
      // A live or known-compromised key grades its version F, whatever the stored grade says (a mark after the scan).
      if (live || compromised) appGrade = 'F';
      const key = (live ? 20 : 0) + (compromised ? 10 : 0) + (SEVERITIES.length - rank(f.severity));
      if (key > worstKey) {
        worstKey = key;
        worst = { appId: v.appId, packageId: v.packageId, version: v.versionName, ruleId: f.ruleId, title: f.title, redacted: f.redacted, severity: f.severity, live, compromised };
      }
    }
    for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += counts[k];
    if (appGrade) grade = grade ? worse(grade, appGrade) : appGrade;
    apps.push({ appId: v.appId, platform: v.platform, packageId: v.packageId, name: v.appName, version: { id: v.versionId, name: v.versionName, code: v.versionCode, scanId: v.scanId, at: new Date(v.createdAt).toISOString() }, grade: appGrade, counts });
  }
  apps.sort((a, b) => GRADES.indexOf(b.grade ?? 'A') - GRADES.indexOf(a.grade ?? 'A') || a.packageId.localeCompare(b.packageId));
  const reason =
    grade === null
      ? 'no app of the organization has a scanned version yet'
      : total.live || total.compromised
        ? `${total.live} key(s) verified live and ${total.compromised} known compromised in current versions`
        : `worst current version of ${apps.length} app(s)`;
  const trend = (await store.orgs.listRatings(orgId, TREND_POINTS)).map((p) => ({ at: new Date(p.at).toISOString(), grade: p.grade, counts: p.counts }));
  return { grade, reason, counts: total, apps, worst, trend };
}

/** Adds a trend point when the rating differs from the last one; true when it did. */
export async function snapshotOrgRating(store: Store, tenantId: string, orgId: string, at: number): Promise<boolean> {
  const r = await rateOrg(store, tenantId, orgId);
  if (r.grade === null) return false;
  const last = r.trend.at(-1);
  if (last && last.grade === r.grade && JSON.stringify(last.counts) === JSON.stringify(r.counts)) return false;
  await store.orgs.insertRating(orgId, { at, grade: r.grade, counts: r.counts });
  return true;
}

/** A Markdown report of an organization: rating, apps, trend. Values are redacted already; text from apps is escaped. */
export function orgMarkdown(name: string, r: OrgRating, apps: { key: string; status: string; name: string | null; appId: string | null; source: string; url: string }[]): string {
  const esc = (s: string) => s.replace(/[\\`*_{}[\]()#+!|<>]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');
  const lines = [`# Organization ${esc(name)}: ${r.grade ?? 'not rated'}`, '', esc(r.reason), ''];
  lines.push(`Findings in current versions: ${SEVERITIES.map((s) => `${r.counts[s]} ${s}`).join(', ')}; ${r.counts.live} live; ${r.counts.compromised} known compromised.`, '');
  if (r.worst) lines.push(`Worst: ${esc(r.worst.title)} \`${r.worst.redacted.replace(/`/g, "'")}\` in ${esc(r.worst.packageId)} ${esc(r.worst.version ?? '')}${r.worst.live ? ' (verified live)' : ''}${r.worst.compromised ? ' (known compromised)' : ''}`, '');
  lines.push('| App | Version | Grade | Critical | High | Medium | Live | Compromised |', '|---|---|---|---|---|---|---|---|');
  for (const a of r.apps) lines.push(`| ${esc(a.packageId)} | ${esc(a.version.name ?? '')} | ${a.grade ?? '-'} | ${a.counts.critical} | ${a.counts.high} | ${a.counts.medium} | ${a.counts.live} | ${a.counts.compromised} |`);
  lines.push('', '## Apps found', '', '| Source | App | Status | Where |', '|---|---|---|---|');
  for (const a of apps) lines.push(`| ${a.source} | ${esc(a.name ?? a.appId ?? a.key)} | ${a.status} | ${esc(a.url)} |`);
  if (r.trend.length) {
    lines.push('', '## Trend', '');
    for (const p of r.trend) lines.push(`- ${p.at}: ${p.grade} (${p.counts.critical} critical, ${p.counts.high} high, ${p.counts.live} live, ${p.counts.compromised} compromised)`);
  }
  return lines.join('\n') + '\n';
}
