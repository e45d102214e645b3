import { basename } from 'node:path';
import type { Decoder, DecodeWarning } from '../../decoders/types.js';
import type { EntrySource } from './entries.js';
import type { ContentKind } from '../../decoders/sniff.js';
import { decodePlist, looksLikeXmlPlist, parsePlist, plistGet, plistText, type PlistValue } from '../../decoders/plist.js';
import { decodeStringsFile, isStringsPath } from '../../decoders/strings-file.js';
import { decodeMobileProvision, isCmsSignedData, profileInfo } from '../../decoders/mobileprovision.js';
import { decodeMacho, machoInfo } from '../../decoders/macho.js';
import type { AppInfo } from '../report/types.js';
import { mainAppDir } from './app-layout.js';

// iOS app layout: Apple "Bundle Programming Guide" (an .app is a directory: Info.plist, the executable named by
// CFBundleExecutable, Frameworks/, PlugIns/*.appex, Watch/, *.bundle) and an .ipa is that directory under Payload/.

/** Largest main executable re-read for the app's metadata when its shard did not already hold it, bytes. */
export const MAX_METADATA_BINARY_BYTES = 512 * 1024 * 1024;

const plistDecoder = { name: 'plist', decode: decodePlist };
const stringsDecoder = { name: 'strings', decode: decodeStringsFile };
const provisionDecoder = { name: 'mobileprovision', decode: decodeMobileProvision };

/** Decoders for Apple formats, keyed by the content kinds sniff() gives them. */
export const IOS_DECODERS: Partial<Record<ContentKind, { name: string; decode: Decoder }>> = {
  macho: { name: 'macho', decode: decodeMacho },
  bplist: plistDecoder,
};

/**
 * The decoder for an entry that sniff() called text, bplist or binary but is an Apple format: a .strings/.stringsdict
 * table, an XML plist (by content), a provisioning profile (CMS SignedData, by content). Undefined: use the default.
 */
export function appleDecoderFor(path: string, head: Uint8Array, kind: ContentKind): { name: string; decode: Decoder } | undefined {
  if ((kind === 'text' || kind === 'bplist') && isStringsPath(path)) return stringsDecoder;
  if (kind === 'text' && head.length > 6 && looksLikeXmlPlist(plistText(head.subarray(0, 1024)))) return plistDecoder;
  // An OpenStep text plist has no magic: its extension says what it is.
  if (kind === 'text' && /\.plist$/i.test(path)) return plistDecoder;
  // A JAR signature block is CMS SignedData too, but detached: it holds certificates, not a profile.
  if (kind === 'binary' && isCmsSignedData(head) && !/(^|\/)META-INF\/[^/]+\.(RSA|DSA|EC)$/i.test(path)) return provisionDecoder;
  return undefined;
}

/** Where the walker records problems met while reading the app's identity. */
export interface MetadataSink {
  diag(entry: string, decoder: string, level: 'error' | 'warning', e: unknown): void;
  warning(entry: string, decoder: string, w: DecodeWarning): void;
}

function str(v: PlistValue | undefined): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** Framework or library name of an install name: `@rpath/FBSDKCoreKit.framework/FBSDKCoreKit` -> `FBSDKCoreKit`. */
export function frameworkName(installName: string): string {
  const fw = /([^/]+)\.framework\//.exec(installName);
  if (fw) return fw[1]!;
  return basename(installName);
}

/**
 * The app's identity from its main bundle: Info.plist (bundle id, versions, display name, minimum OS),
 * embedded.mobileprovision (team, profile type, expiry, signing identity) and the main executable (architectures,
 * encryption, linked frameworks).
 */
export function iosAppMetadata(source: EntrySource, sink: MetadataSink): AppInfo {
  const names = source.entries.map((e) => e.name);
  const dir = mainAppDir(names);
  const app: AppInfo = {};
  if (!dir) return app;
  const byName = new Map(source.entries.map((e) => [e.name, e] as const));
  const read = (name: string): Uint8Array | undefined => {
    const e = byName.get(name);
    if (!e) return undefined;
    try {
      return source.read(e);
    } catch {
      return undefined; // reported by the shard that owns the entry
    }
  };
  const set = <K extends keyof AppInfo>(k: K, v: AppInfo[K] | undefined) => {
    if (v !== undefined) app[k] = v;
  };
  let executable: string | undefined;
  const infoBytes = read(`${dir}Info.plist`);
  if (infoBytes) {
    try {
      const info = parsePlist(infoBytes).value;
      set('id', str(plistGet(info, 'CFBundleIdentifier')));
      set('name', str(plistGet(info, 'CFBundleDisplayName')) ?? str(plistGet(info, 'CFBundleName')));
      set('versionName', str(plistGet(info, 'CFBundleShortVersionString')));
      set('versionCode', str(plistGet(info, 'CFBundleVersion')));
      set('minOs', str(plistGet(info, 'MinimumOSVersion')) ?? str(plistGet(info, 'LSMinimumSystemVersion')));
      executable = str(plistGet(info, 'CFBundleExecutable'));
    } catch (e) {
      sink.diag(`${dir}Info.plist`, 'plist', 'error', e);
    }
  } else {
    sink.diag(dir, 'ios', 'warning', new Error('the app bundle has no readable Info.plist'));
  }
  const profileBytes = read(`${dir}embedded.mobileprovision`);
  if (profileBytes) {
    try {
      const p = profileInfo(profileBytes, (w) => sink.warning(`${dir}embedded.mobileprovision`, 'mobileprovision', w));
      set('teamId', p.teamId);
      set('profileType', p.profileType);
      set('profileExpires', p.expirationDate);
      set('signingIdentity', p.signingIdentity);
    } catch (e) {
      sink.diag(`${dir}embedded.mobileprovision`, 'mobileprovision', 'error', e);
    }
  }
  const exeName = `${dir}${executable ?? dir.slice(dir.lastIndexOf('/', dir.length - 2) + 1, -5)}`;
  const exeEntry = byName.get(exeName);
  if (exeEntry && exeEntry.size <= MAX_METADATA_BINARY_BYTES) {
    const bin = read(exeName);
    if (bin) {
      try {
        const m = machoInfo(bin);
        set('archs', m.archs);
        if (app.minOs === undefined) set('minOs', m.minOs);
        set('frameworks', m.dylibs.map(frameworkName));
        if (m.encryptedArchs.length > 0) {
          app.encrypted = true;
          app.encryptedBinaries = [exeName];
        }
      } catch {
        /* not a Mach-O: the decoding shard reports it */
      }
    }
  }
  return app;
}

