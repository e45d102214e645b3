import { toFindingSummary, type CompromisedMark, type FindingSummary, type Verification } from '../findings.js';
import type { AppRecord, FindingRecord, Store, VersionRecord } from '../store/types.js';
import type { AuthContext } from './auth.js';
import { HttpError } from './errors.js';

/** A version as listed: ordered oldest first, with its signer compared to the previous version's. */
export interface VersionView {
  id: string;
  versionName: string | null;
  versionCode: string | null;
  signer: string | null;
  /** True when the previous version was signed by a different certificate. */
  signerChanged: boolean;
  previousSigner: string | null;
  scanId: string;
  sha256: string;
  findings: number;
  rating: VersionRecord['rating'];
  createdAt: string;
  updatedAt: string;
}

/** Where a version sits in the app's history. */
export interface VersionRef {
  id: string;
  versionName: string | null;
  versionCode: string | null;
}

/** A stored finding with the first and last version of the app it appears in. */
export interface FindingView extends FindingSummary {
  verification?: Verification;
  compromised?: CompromisedMark;
  firstSeen: VersionRef;
  lastSeen: VersionRef;
}

export interface AppView {
  id: string;
  platform: string;
  packageId: string;
  name: string | null;
  versions: number;
  createdAt: string;
  updatedAt: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

function appView(a: AppRecord, versions: number): AppView {
  return { id: a.id, platform: a.platform, packageId: a.packageId, name: a.name, versions, createdAt: iso(a.createdAt), updatedAt: iso(a.updatedAt) };
}

/** Release order: by numeric versionCode when both have one, else by when the version was first stored. */
function compareVersions(a: VersionRecord, b: VersionRecord): number {
  const ca = a.versionCode !== null && /^\d+$/.test(a.versionCode) ? Number(a.versionCode) : undefined;
  const cb = b.versionCode !== null && /^\d+$/.test(b.versionCode) ? Number(b.versionCode) : undefined;
  if (ca !== undefined && cb !== undefined && ca !== cb) return ca - cb;
  return a.createdAt - b.createdAt || a.id.localeCompare(b.id);
}

const ref = (v: VersionRecord): VersionRef => ({ id: v.id, versionName: v.versionName, versionCode: v.versionCode });

/** Apps, their versions, per-version findings with first/last seen, and diffs between versions: tenant-scoped. */
export class HistoryService {
  constructor(
    private readonly store: Store,
    private readonly maxListItems: number,
  ) {}

  async apps(auth: AuthContext): Promise<AppView[]> {
    return (await this.store.listApps(auth.tenantId, this.maxListItems)).map((a) => appView(a, a.versions));
  }

  /** The app named by its id, package id, or `platform:packageId` (needed when two platforms share a package id). */
  async app(auth: AuthContext, appRef: string): Promise<AppRecord> {
    const found = await this.store.findApps(auth.tenantId, appRef);
    if (found.length === 0) throw new HttpError(404, 'not_found', `no app ${appRef}`);
    if (found.length > 1) throw new HttpError(409, 'ambiguous', `${appRef} names ${found.length} apps: use platform:${appRef} (${found.map((a) => a.platform).join(', ')})`);
    return found[0]!;
  }

  async appView(auth: AuthContext, appRef: string): Promise<AppView> {
    const app = await this.app(auth, appRef);
    return appView(app, (await this.store.listVersions(auth.tenantId, app.id)).length);
  }

  private async ordered(auth: AuthContext, app: AppRecord): Promise<VersionRecord[]> {
    return (await this.store.listVersions(auth.tenantId, app.id)).sort(compareVersions);
  }

  async versions(auth: AuthContext, appRef: string): Promise<{ app: AppView; versions: VersionView[] }> {
    const app = await this.app(auth, appRef);
    const versions = await this.ordered(auth, app);
    const views = versions.map((v, i): VersionView => {
      const previous = i > 0 ? versions[i - 1]!.signer : null;
      return {
        id: v.id,
        versionName: v.versionName,
        versionCode: v.versionCode,
        signer: v.signer,
        signerChanged: previous !== null && v.signer !== null && previous !== v.signer,
        previousSigner: previous,
        scanId: v.scanId,
        sha256: v.sha256,
        findings: v.findings,
        rating: v.rating,
        createdAt: iso(v.createdAt),
        updatedAt: iso(v.updatedAt),
      };
    });
    return { app: appView(app, versions.length), versions: views };
  }

  /** The version named by its id, versionCode or versionName (in that order of preference). */
  private pick(versions: VersionRecord[], versionRef: string): VersionRecord {
    const byId = versions.find((v) => v.id === versionRef);
    if (byId) return byId;
    for (const key of ['versionCode', 'versionName'] as const) {
      const hits = versions.filter((v) => v[key] === versionRef);
      if (hits.length === 1) return hits[0]!;
      if (hits.length > 1) throw new HttpError(409, 'ambiguous', `${key} ${versionRef} names ${hits.length} versions: use a version id`);
    }
    throw new HttpError(404, 'not_found', `no version ${versionRef}`);
  }

  private async seen(auth: AuthContext, app: AppRecord, versions: VersionRecord[]): Promise<Map<string, { first: VersionRecord; last: VersionRecord }>> {
    const rank = new Map(versions.map((v, i) => [v.id, i]));
    const seen = new Map<string, { first: VersionRecord; last: VersionRecord }>();
    for (const row of await this.store.listAppFindingRows(auth.tenantId, app.id)) {
      const i = rank.get(row.versionId);
      if (i === undefined) continue;
      const v = versions[i]!;
      const s = seen.get(row.fingerprint);
      if (!s) seen.set(row.fingerprint, { first: v, last: v });
      else {
        if (i < rank.get(s.first.id)!) s.first = v;
        if (i > rank.get(s.last.id)!) s.last = v;
      }
    }
    return seen;
  }

  private views(findings: FindingRecord[], seen: Map<string, { first: VersionRecord; last: VersionRecord }>, fallback: VersionRecord): FindingView[] {
    return findings.map((f) => {
      const s = seen.get(f.fingerprint);
      return { ...toFindingSummary(f), firstSeen: ref(s?.first ?? fallback), lastSeen: ref(s?.last ?? fallback) };
    });
  }

  async findings(auth: AuthContext, appRef: string, versionRef: string): Promise<{ app: AppView; version: VersionRef; findings: FindingView[] }> {
    const app = await this.app(auth, appRef);
    const versions = await this.ordered(auth, app);
    const version = this.pick(versions, versionRef);
    const seen = await this.seen(auth, app, versions);
    const findings = await this.store.listVersionFindings(auth.tenantId, version.id);
    return { app: appView(app, versions.length), version: ref(version), findings: this.views(findings, seen, version) };
  }

  /**
   * New (only in `to`), resolved (only in `from`) and persisting findings, by fingerprint. Without `to`, the latest
   * version; without `from`, the version before `to`.
   */
  async diff(auth: AuthContext, appRef: string, fromRef?: string, toRef?: string) {
    const app = await this.app(auth, appRef);
    const versions = await this.ordered(auth, app);
    const to = toRef === undefined ? versions.at(-1) : this.pick(versions, toRef);
    if (!to) throw new HttpError(404, 'not_found', `${appRef} has no version`);
    const from = fromRef === undefined ? versions[versions.indexOf(to) - 1] : this.pick(versions, fromRef);
    if (!from) {
      const name = to.versionName && to.versionCode ? `${to.versionName} (${to.versionCode})` : (to.versionName ?? to.versionCode ?? to.id);
      throw new HttpError(404, 'no_previous_version', `version ${name} is the first of ${appRef}: there is no earlier version to compare it with (give from=)`);
    }
    const seen = await this.seen(auth, app, versions);
    const before = await this.store.listVersionFindings(auth.tenantId, from.id);
    const after = await this.store.listVersionFindings(auth.tenantId, to.id);
    const beforeSet = new Set(before.map((f) => f.fingerprint));
    const afterSet = new Set(after.map((f) => f.fingerprint));
    return {
      app: appView(app, versions.length),
      from: { ...ref(from), signer: from.signer },
      to: { ...ref(to), signer: to.signer },
      signerChanged: from.signer !== null && to.signer !== null && from.signer !== to.signer,
      new: this.views(
        after.filter((f) => !beforeSet.has(f.fingerprint)),
        seen,
        to,
      ),
      resolved: this.views(
        before.filter((f) => !afterSet.has(f.fingerprint)),
        seen,
        from,
      ),
      persisting: this.views(
        after.filter((f) => beforeSet.has(f.fingerprint)),
        seen,
        to,
      ),
    };
  }
}
