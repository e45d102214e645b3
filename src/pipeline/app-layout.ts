/**
 * App container layouts, told by entry names (and the small JSON manifests of split sets) alone: which archive is an
 * IPA or a zipped .app and where its main bundle is, which is a split set and which inner APK is its base, what an AAB
 * entry is. Imports no decoder: the scan's parent process classifies an input with it before any worker starts.
 */
import type { AppInfo, ArtifactKind } from '../report/types.js';
import type { EntrySource, SourceEntry } from './entries.js';

// iOS app layout: Apple "Bundle Programming Guide" (an .app is a directory: Info.plist, the executable named by
// CFBundleExecutable, Frameworks/, PlugIns/*.appex, Watch/, *.bundle) and an .ipa is that directory under Payload/.

/** The main app bundle of an iOS archive: `Payload/X.app/` (IPA) or `X.app/` (zipped .app, any depth), shallowest first. */
export function mainAppDir(names: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const n of names) {
    const m = /^((?:[^/]+\/)*?[^/]+\.app\/)Info\.plist$/.exec(n);
    if (!m || n.startsWith('__MACOSX/')) continue;
    const dir = m[1]!;
    if (best === undefined || dir.split('/').length < best.split('/').length || (dir.split('/').length === best.split('/').length && dir < best)) best = dir;
  }
  if (best) return best;
  // An IPA whose Info.plist is missing still has its Payload/X.app/ layout.
  for (const n of names) {
    const m = /^(Payload\/[^/]+\.app\/)/.exec(n);
    if (m) return m[1];
  }
  return undefined;
}

/** The artifact kind of an archive judged by its iOS layout: `ipa` (Payload/X.app/), `app` (a zipped .app), else undefined. */
export function iosKind(entries: readonly { name: string }[]): ArtifactKind | undefined {
  const names = entries.map((e) => e.name);
  const dir = mainAppDir(names);
  if (!dir) return undefined;
  return dir.startsWith('Payload/') ? 'ipa' : 'app';
}

// Android App Bundles and split sets (XAPK, APKM, bundletool .apks, plain zips of APKs): which inner APKs there are,
// which one is the base, and where an AAB keeps its protobuf manifest and resource table. Layouts from
// bundletool (BundleModule.java, ApkPathManager.java), APKPure's XAPK manifest and APKMirror's APKM.

/** Largest manifest.json / info.json read to classify a split set. */
const MAX_SET_MANIFEST_BYTES = 1024 * 1024;

/** A split set: its kind, the base APK (metadata comes from it) and every inner APK. */
export interface SplitSet {
  kind: Extract<ArtifactKind, 'xapk' | 'apkm' | 'apks' | 'zip'>;
  base?: SourceEntry;
  apks: Set<SourceEntry>;
  /** What the set's own manifest says (XAPK manifest.json, APKM info.json), used where the base APK is silent. */
  declared: AppInfo;
}

function readJson(source: EntrySource, entry: SourceEntry | undefined): Record<string, unknown> | undefined {
  if (!entry || entry.size > MAX_SET_MANIFEST_BYTES) return undefined;
  try {
    const v: unknown = JSON.parse(new TextDecoder().decode(source.read(entry)));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
}

/**
 * Recognises a split set by its entries: XAPK (`manifest.json` with `xapk_version`), APKM (`info.json` + `base.apk`),
 * bundletool .apks (`toc.pb`, `splits/`, `standalones/`), SAI .apks and plain zips holding APKs. Undefined when the
 * zip holds no APK at all. Inner APKs are recognised by name here and by content when they are opened.
 */
export function classifySplitSet(source: EntrySource): SplitSet | undefined {
  const files = source.entries.filter((e) => !e.isDirectory);
  const apks = files.filter((e) => /\.apk$/i.test(e.name) && !e.name.startsWith('META-INF/'));
  if (apks.length === 0) return undefined;
  const byName = new Map(files.map((e) => [e.name, e]));
  const pick = (...names: string[]) => names.map((n) => byName.get(n)).find((e) => e !== undefined);
  const declared: AppInfo = {};
  let kind: SplitSet['kind'] = 'zip';
  let base: SourceEntry | undefined;
  const manifest = readJson(source, byName.get('manifest.json'));
  const info = readJson(source, byName.get('info.json'));
  if (manifest && 'xapk_version' in manifest) {
    kind = 'xapk';
    const pkg = str(manifest.package_name);
    const splits = Array.isArray(manifest.split_apks) ? (manifest.split_apks as unknown[]) : [];
    const baseFile = splits.map((s) => (s && typeof s === 'object' ? (s as Record<string, unknown>) : {})).find((s) => s.id === 'base')?.file;
    base = pick(str(baseFile) ?? '', `${pkg ?? ''}.apk`, 'base.apk');
    Object.assign(declared, {
      id: pkg,
      name: str(manifest.name),
      versionName: str(manifest.version_name),
      versionCode: str(manifest.version_code),
      minSdk: str(manifest.min_sdk_version),
      targetSdk: str(manifest.target_sdk_version),
    });
  } else if (info && byName.has('base.apk')) {
    kind = 'apkm';
    base = pick('base.apk');
    Object.assign(declared, {
      id: str(info.pname) ?? str(info.package_name),
      name: str(info.app_name),
      versionName: str(info.release_version) ?? str(info.versionname),
      versionCode: str(info.versioncode) ?? str(info.version_code),
      minSdk: str(info.min_api),
    });
  } else if (byName.has('toc.pb') || apks.some((e) => /^(splits|standalones)\//.test(e.name)) || byName.has('meta.sai_v2.json')) {
    kind = 'apks';
    base = pick('splits/base-master.apk', 'base-master.apk', 'base.apk', 'universal.apk') ?? apks.find((e) => e.name.startsWith('standalones/'));
  } else {
    base = pick('base.apk');
  }
  // Otherwise the largest APK is the base: splits hold one ABI, density or language each.
  base ??= [...apks].sort((a, b) => b.size - a.size)[0];
  for (const k of Object.keys(declared) as (keyof AppInfo)[]) if (declared[k] === undefined) delete declared[k];
  return { kind, base, apks: new Set(apks), declared };
}

/** What an AAB entry is by the bundle layout: protobuf XML, the protobuf resource table, or neither. */
export function aabRole(path: string): 'xml' | 'table' | undefined {
  // <module>/manifest/AndroidManifest.xml, <module>/res/**.xml, <module>/resources.pb (BundleModule.java).
  const slash = path.indexOf('/');
  if (slash <= 0) return undefined;
  const module = path.slice(0, slash);
  if (module === 'BUNDLE-METADATA' || module === 'META-INF') return undefined;
  const rest = path.slice(slash + 1);
  if (rest === 'resources.pb') return 'table';
  if (rest === 'manifest/AndroidManifest.xml' || (rest.startsWith('res/') && rest.endsWith('.xml'))) return 'xml';
  return undefined;
}

/** The path prefix of a split set's base APK inside the walk (`base.apk!/`). */
export function basePrefix(set: SplitSet | undefined): string | undefined {
  return set?.base ? `${set.base.name}!/` : undefined;
}
