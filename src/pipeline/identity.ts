import type { ResourceResolver } from '../../decoders/types.js';
import { apkSigners } from '../../decoders/apksig.js';
import { manifestInfo } from '../../decoders/manifest.js';
import { aaptManifestInfo } from '../../decoders/aapt-pb.js';
import type { EntrySource } from './entries.js';
import type { ArtifactClass } from './artifact.js';
import { basePrefix } from './app-layout.js';
import { iosAppMetadata, type MetadataSink } from './ios.js';
import type { AppInfo, Diagnostic } from '../report/types.js';

/** Where reading an identity records problems: decoder errors and warnings, and plain diagnostics. */
export interface IdentitySink extends MetadataSink {
  push(d: Diagnostic): void;
}

const AAB_MANIFEST = 'base/manifest/AndroidManifest.xml';

/**
 * An artifact's identity (package or bundle id, name, versions, SDK levels, signer), read once per walk by the shard
 * that reports the artifact:
 * - APK: its AndroidManifest.xml, resolved through its resources.arsc, and its APK signature;
 * - AAB: `base/manifest/AndroidManifest.xml` (protobuf), resolved through the resources.pb tables, and its JAR signature;
 * - split set (XAPK, APKM, .apks): the base APK read as an APK, with the set's own manifest (XAPK manifest.json,
 *   APKM info.json) where the base is silent;
 * - iOS (IPA, .app): the main bundle's Info.plist, embedded.mobileprovision and executable (see ios.ts).
 * The walk hands it the manifest bytes it decoded and the resource tables of the identity's archive, so nothing is
 * read or parsed twice.
 */
export class AppIdentity {
  private app: AppInfo = {};
  private manifest: Uint8Array | undefined;
  private resources: ResourceResolver | undefined;
  /** Path prefix of the archive that holds the Android manifest: the artifact (`''`), or a split set's base APK. */
  private readonly archivePrefix: string | undefined;
  /** Full entry path of the manifest that names the app. */
  private readonly manifestPath: string | undefined;

  /** `reads`: this shard reports the artifact (the others leave the identity empty). */
  constructor(
    private readonly cls: ArtifactClass,
    private readonly reads: boolean,
    private readonly sink: IdentitySink,
  ) {
    if (cls.splitSet) {
      this.archivePrefix = basePrefix(cls.splitSet);
      this.manifestPath = this.archivePrefix === undefined ? undefined : `${this.archivePrefix}AndroidManifest.xml`;
    } else if (cls.kind === 'apk' || cls.kind === 'aab') {
      this.archivePrefix = '';
      this.manifestPath = cls.kind === 'aab' ? AAB_MANIFEST : 'AndroidManifest.xml';
    }
  }

  /** Told of every entry the walk decodes: keeps the manifest's bytes. */
  decoded(path: string, bytes: Uint8Array): void {
    // A copy: the walk reads entries as transient (their buffer is reused for the next one).
    if (path === this.manifestPath) this.manifest = bytes.slice();
  }

  /** Told when the walk has finished the archive at `prefix`, whose entries resolved through `resources`. */
  archiveDone(prefix: string, source: EntrySource, resources: ResourceResolver | undefined): void {
    if (prefix !== this.archivePrefix) return;
    this.resources = resources;
    // A split set's base APK is read as soon as it is walked: its source is gone after that.
    if (prefix !== '' && this.reads) this.android(source);
  }

  /** The identity, once the walk of the artifact's own `source` is done. */
  finish(source: EntrySource): AppInfo {
    if (!this.reads) return this.app;
    const { cls } = this;
    if (cls.platform === 'ios') this.app = iosAppMetadata(source, this.sink);
    else if (cls.kind === 'aab') this.aab(source);
    // The base APK's own identity (read while walking it) wins over what the set's manifest declares.
    else if (cls.splitSet) this.app = dropUndefined({ ...cls.splitSet.declared, ...this.app });
    else if (cls.kind === 'apk') this.android(source);
    return this.app;
  }

  /** An APK's identity: binary manifest (through resources.arsc) and signer certificate. */
  private android(source: EntrySource): void {
    let manifest = this.manifest;
    if (!manifest) {
      const entry = source.entries.find((e) => e.name === 'AndroidManifest.xml');
      try {
        if (entry) manifest = source.read(entry);
      } catch {
        /* reported by the shard that owns the entry */
      }
    }
    try {
      if (manifest) {
        const info = manifestInfo(manifest, this.resources);
        this.app = dropUndefined({ id: info.package, name: info.label, versionName: info.versionName, versionCode: info.versionCode, minSdk: info.minSdk, targetSdk: info.targetSdk });
      }
    } catch (e) {
      this.sink.diag('AndroidManifest.xml', 'manifest', 'error', e);
    }
    this.signer(source, true);
  }

  /** An AAB's identity: protobuf manifest (through resources.pb) and the JAR signature of the bundle. */
  private aab(source: EntrySource): void {
    let manifest = this.manifest;
    try {
      const e = manifest ? undefined : source.entries.find((x) => x.name === AAB_MANIFEST);
      if (e) manifest = source.read(e);
      if (manifest) {
        const info = aaptManifestInfo(manifest, this.resources);
        this.app = dropUndefined({ id: info.package, name: info.label, versionName: info.versionName, versionCode: info.versionCode, minSdk: info.minSdk, targetSdk: info.targetSdk });
      }
    } catch (e) {
      this.sink.diag(AAB_MANIFEST, 'aapt-xml', 'error', e);
    }
    this.signer(source, false);
  }

  /** The first signer's certificate; `sayUnsigned`: record that there is none. */
  private signer(source: EntrySource, sayUnsigned: boolean): void {
    if (!source.archive) {
      this.sink.push({ entry: '', decoder: 'apksig', level: 'info', code: 'apksig.not_an_archive', message: 'a directory keeps no APK signing block: the signer is not read' });
      return;
    }
    try {
      const first = apkSigners(source.archive, (w) => this.sink.warning('', 'apksig', w))[0];
      if (first) {
        this.app.signer = first.certSha256;
        this.app.signatureScheme = first.scheme;
      } else if (sayUnsigned) {
        this.sink.push({ entry: '', decoder: 'apksig', level: 'info', code: 'apksig.unsigned', message: 'no APK signature (v1, v2 or v3) found' });
      }
    } catch (e) {
      this.sink.diag('', 'apksig', 'warning', e);
    }
  }
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
