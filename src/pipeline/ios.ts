import { closeSync, lstatSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Decoder, DecodeWarning } from '../../decoders/types.js';
import type { ZipArchive, ZipEntry } from '../../decoders/zip.js';
import type { ContentKind } from '../../decoders/sniff.js';
import { decodePlist, looksLikeXmlPlist, parsePlist, plistGet, plistText, type PlistValue } from '../../decoders/plist.js';
import { decodeStringsFile, isStringsPath } from '../../decoders/strings-file.js';
import { decodeMobileProvision, isCmsSignedData, profileInfo } from '../../decoders/mobileprovision.js';
import { decodeMacho, machoInfo } from '../../decoders/macho.js';
import type { AppInfo, ArtifactKind, Diagnostic, ReportArtifact } from '../report/types.js';

// iOS app layout: Apple "Bundle Programming Guide" (an .app is a directory: Info.plist, the executable named by
// CFBundleExecutable, Frameworks/, PlugIns/*.appex, Watch/, *.bundle) and an .ipa is that directory under Payload/.

/** Largest main executable re-read for the app's metadata when its shard did not already hold it, bytes. */
export const MAX_METADATA_BINARY_BYTES = 512 * 1024 * 1024;
/** Most files packed from a `.app` directory given on the command line. */
export const MAX_APP_DIR_FILES = 65_000;
/** Deepest directory nesting followed inside a `.app` directory. */
export const MAX_APP_DIR_DEPTH = 32;
/** Largest `.app` directory packed (the temporary archive is a 32-bit zip). */
export const MAX_APP_DIR_BYTES = 4 * 1024 ** 3 - 64 * 1024 * 1024;

/** Diagnostic code of a FairPlay-encrypted Mach-O slice (emitted by the Mach-O decoder). */
export const ENCRYPTED_CODE = 'macho.encrypted';

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
export function iosKind(entries: readonly ZipEntry[]): ArtifactKind | undefined {
  const names = entries.map((e) => e.name);
  const dir = mainAppDir(names);
  if (!dir) return undefined;
  return dir.startsWith('Payload/') ? 'ipa' : 'app';
}

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
export function iosAppMetadata(zip: ZipArchive, sink: MetadataSink): AppInfo {
  const names = zip.entries.map((e) => e.name);
  const dir = mainAppDir(names);
  const app: AppInfo = {};
  if (!dir) return app;
  const byName = new Map(zip.entries.map((e) => [e.name, e] as const));
  const read = (name: string): Uint8Array | undefined => {
    const e = byName.get(name);
    if (!e) return undefined;
    try {
      return zip.read(e);
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
  if (exeEntry && exeEntry.uncompressedSize <= MAX_METADATA_BINARY_BYTES) {
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

/**
 * Completes an iOS artifact after every shard has run: any Mach-O the decoder found FairPlay-encrypted marks the app
 * `encrypted` (its code was not scanned, only resources), so it is never presented as clean.
 */
export function markEncrypted(artifact: ReportArtifact, diagnostics: readonly Diagnostic[]): ReportArtifact {
  const entries = new Set(artifact.app.encryptedBinaries ?? []);
  for (const d of diagnostics) if (d.code === ENCRYPTED_CODE) entries.add(d.entry);
  if (entries.size === 0) return artifact;
  artifact.app.encrypted = true;
  artifact.app.encryptedBinaries = [...entries].sort();
  return artifact;
}

// ---------------------------------------------------------------------------------------------------------------
// A `.app` directory given on the command line: packed into a temporary stored zip, scanned like a zipped .app.

/** True when `dir` is an app bundle directory (`X.app/` holding an Info.plist). */
export function isAppDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory() && statSync(join(dir, 'Info.plist')).isFile();
  } catch {
    return false;
  }
}

function listFiles(root: string): { rel: string; abs: string; size: number }[] {
  const out: { rel: string; abs: string; size: number }[] = [];
  const walk = (abs: string, rel: string, depth: number) => {
    if (depth > MAX_APP_DIR_DEPTH) throw new Error(`${root}: directories nested deeper than ${MAX_APP_DIR_DEPTH}`);
    for (const name of readdirSync(abs).sort()) {
      const a = join(abs, name);
      const r = rel === '' ? name : `${rel}/${name}`;
      // Symbolic links are not followed: they could point outside the bundle.
      const st = lstatSync(a);
      if (st.isDirectory()) walk(a, r, depth + 1);
      else if (st.isFile()) {
        out.push({ rel: r, abs: a, size: st.size });
        if (out.length > MAX_APP_DIR_FILES) throw new Error(`${root}: more than ${MAX_APP_DIR_FILES} files`);
      }
    }
  };
  walk(root, '', 0);
  return out;
}

/**
 * Packs a `.app` directory into a temporary stored (uncompressed) zip whose entries read `X.app/...`, so the scan
 * pipeline (workers, shards, limits) treats it exactly like a zipped simulator build. Call `cleanup` when done.
 */
export function packAppDirectory(dir: string): { path: string; cleanup: () => void } {
  const bundle = basename(dir.replace(/\/+$/, '')) || 'App.app';
  const files = listFiles(dir);
  const total = files.reduce((n, f) => n + f.size + 128 + 2 * Buffer.byteLength(f.rel), 0);
  if (total > MAX_APP_DIR_BYTES) throw new Error(`${dir}: ${total} bytes is over the ${MAX_APP_DIR_BYTES}-byte limit for a directory`);
  const tmp = mkdtempSync(join(tmpdir(), 'leakdex-app-'));
  const path = join(tmp, `${bundle}.zip`);
  const cleanup = () => rmSync(tmp, { recursive: true, force: true });
  const fd = openSync(path, 'w');
  try {
    let offset = 0;
    const central: Buffer[] = [];
    for (const f of files) {
      const name = Buffer.from(`${bundle}/${f.rel}`, 'utf8');
      const data = readWhole(f.abs, f.size);
      const crc = crc32(data);
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4);
      local.writeUInt16LE(0x0800, 6);
      local.writeUInt32LE(crc >>> 0, 14);
      local.writeUInt32LE(data.length, 18);
      local.writeUInt32LE(data.length, 22);
      local.writeUInt16LE(name.length, 26);
      const cd = Buffer.alloc(46);
      cd.writeUInt32LE(0x02014b50, 0);
      cd.writeUInt16LE(20, 4);
      cd.writeUInt16LE(20, 6);
      cd.writeUInt16LE(0x0800, 8);
      cd.writeUInt32LE(crc >>> 0, 16);
      cd.writeUInt32LE(data.length, 20);
      cd.writeUInt32LE(data.length, 24);
      cd.writeUInt16LE(name.length, 28);
      cd.writeUInt32LE(offset, 42);
      central.push(cd, name);
      writeSync(fd, local);
      writeSync(fd, name);
      writeSync(fd, data);
      offset += 30 + name.length + data.length;
    }
    const cdBytes = Buffer.concat(central);
    writeSync(fd, cdBytes);
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0);
    eocd.writeUInt16LE(Math.min(files.length, 0xffff), 8);
    eocd.writeUInt16LE(Math.min(files.length, 0xffff), 10);
    eocd.writeUInt32LE(cdBytes.length, 12);
    eocd.writeUInt32LE(offset, 16);
    writeSync(fd, eocd);
  } catch (e) {
    closeSync(fd);
    cleanup();
    throw e;
  }
  closeSync(fd);
  return { path, cleanup };
}

function readWhole(path: string, size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  const fd = openSync(path, 'r');
  try {
    let done = 0;
    while (done < size) {
      const n = readSync(fd, out, done, size - done, done);
      if (n === 0) break;
      done += n;
    }
    return done === size ? out : out.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

/** Runs `scan` on `file`, or, when `file` is a `.app` directory, on a temporary archive of it (removed afterwards). */
export async function withAppDirectory<T>(file: string, scan: (path: string) => Promise<T>): Promise<T> {
  if (!isAppDirectory(file)) return scan(file);
  const packed = packAppDirectory(file);
  try {
    return await scan(packed.path);
  } finally {
    packed.cleanup();
  }
}
