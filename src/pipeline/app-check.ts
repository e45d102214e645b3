/**
 * Whether an input is scannable as what it claims to be, checked by the scan's parent process before any worker
 * starts, and whether it stayed the same file while it was scanned. A CI job that downloaded an error page to
 * app.apk, or a build step still writing the file, must fail its gate, never pass with nothing read.
 */
import { statSync, type Stats } from 'node:fs';
import { sniff, textEncoding, type ContentKind } from '../../decoders/sniff.js';
import { ZipArchive } from '../../decoders/zip.js';
import { DirectorySource, type DirectoryLimits } from './directory.js';
import { ZipSource } from './entries.js';
import { FileSource } from './source.js';

/** Bytes of the head looked at: enough for every magic number and to tell markup, JSON and prose apart. */
const HEAD_BYTES = 1024;

/** The container a file name claims by its extension (case-insensitive), for messages. */
const CLAIMS: Record<string, string> = { apk: 'APK', aab: 'AAB', apks: 'APKS', xapk: 'XAPK', apkm: 'APKM', ipa: 'IPA' };

/** What an archive that claims each container must hold, said when it does not. */
const MISSING: Record<string, string> = {
  APK: 'AndroidManifest.xml',
  AAB: 'base/manifest/AndroidManifest.xml',
  APKS: 'AndroidManifest.xml or inner APKs',
  XAPK: 'AndroidManifest.xml or inner APKs',
  APKM: 'AndroidManifest.xml or inner APKs',
  IPA: 'Payload/<name>.app/',
};

/** What each content kind that is not a ZIP archive looks like, in a message. */
const LOOKS_LIKE: Record<Exclude<ContentKind, 'zip' | 'text' | 'binary'>, string> = {
  dex: 'a DEX file',
  axml: 'an Android binary XML file',
  arsc: 'an Android resource table',
  elf: 'an ELF binary',
  macho: 'a Mach-O binary',
  bplist: 'a binary property list',
  gzip: 'gzip data',
  hermes: 'Hermes bytecode',
  pe: 'a Windows PE executable',
  xalz: 'a compressed .NET assembly',
  'assembly-store': 'a .NET assembly store',
  il2cpp: 'IL2CPP metadata',
};

/** The app container `name` claims by its extension (APK, IPA, ...), or undefined for any other name. */
export function claimedContainer(name: string): string | undefined {
  const ext = /\.([a-z]+)$/i.exec(name)?.[1]?.toLowerCase();
  return ext === undefined ? undefined : CLAIMS[ext];
}

/** What text or unrecognised bytes look like: an HTML page, XML, JSON, text, or unrecognised binary data. */
function describeHead(head: Uint8Array, kind: 'text' | 'binary'): string {
  const enc = textEncoding(head);
  const label = enc === 'utf16le' || enc === 'utf16le-bom' ? 'utf-16le' : enc === 'utf16be-bom' ? 'utf-16be' : enc ? 'utf-8' : 'latin1';
  const start = new TextDecoder(label).decode(head).replace(/^[\ufeff\s]+/, '').slice(0, 256).toLowerCase();
  if (/^<(!doctype html|html|head|body|title|meta)\b/.test(start) || (start.startsWith('<?xml') && /<(!doctype html|html)\b/.test(start))) return 'an HTML page';
  if (kind === 'binary') return 'unrecognised binary data';
  if (start.startsWith('<')) return 'XML';
  if (/^[{[]/.test(start)) return 'JSON';
  return 'text';
}

/**
 * Why the file at `path` cannot be scanned as what it is, or undefined when it can. `name` (the upload's or the shown
 * name, else the path) says what the file claims to be: a name ending in .apk, .aab, .apks, .xapk, .apkm or .ipa must
 * be a readable ZIP holding an app (any app: leakdex reads it by its content). Any file that starts like a ZIP must
 * have a readable central directory with at least one file. Other loose files (.dex, .so, text) always can be.
 * The reason is one line that quotes nothing from the file.
 */
export async function artifactProblem(path: string, name: string, opts: { maxEntries?: number } = {}): Promise<string | undefined> {
  const src = new FileSource(path);
  try {
    if (src.size === 0) return 'the file is empty: nothing to scan';
    const claim = claimedContainer(name);
    const head = src.read(0, Math.min(HEAD_BYTES, src.size));
    const kind = sniff(head, name);
    if (kind !== 'zip') {
      if (claim === undefined) return undefined;
      const what = kind === 'text' || kind === 'binary' ? describeHead(head, kind) : LOOKS_LIKE[kind];
      return what === 'unrecognised binary data' ? `not an ${claim}: unrecognised binary data, not a ZIP archive` : `not an ${claim}: looks like ${what}${what === 'an HTML page' ? ' (a failed download?)' : ''}`;
    }
    let zip: ZipArchive;
    try {
      zip = ZipArchive.open(src, { limits: opts.maxEntries !== undefined ? { maxEntries: opts.maxEntries } : {} });
    } catch (e) {
      return `not a readable ZIP archive: ${(e as Error).message}; a truncated or failed download?`;
    }
    if (!zip.entries.some((e) => !e.isDirectory)) return 'an empty ZIP archive: nothing to scan';
    if (claim === undefined) return undefined;
    const names = new Set(zip.entries.map((e) => e.name));
    // The common case without loading the classifier (it brings most decoders into this process).
    if (names.has('AndroidManifest.xml') || names.has('base/manifest/AndroidManifest.xml')) return undefined;
    // An Android claim on an archive of DEX code without a manifest (androguard's multidex.apk, a stripped build): the
    // code is what leaks, so it is scanned.
    if (claim !== 'IPA' && [...names].some((n) => /^classes\d*\.dex$/.test(n))) return undefined;
    const { classifyEntries } = await import('./artifact.js');
    if (classifyEntries(new ZipSource(zip)).app) return undefined;
    return `not an ${claim}: a ZIP archive without ${MISSING[claim]}`;
  } finally {
    src.close();
  }
}

/** What identifies a file's content on disk: a change to any of these while it is read means it was not read whole. */
export interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  /** For a directory: its files' names and sizes as listed. */
  listing?: string;
}

/** The identity of a file from its stat, or of a directory from its listing. */
export function identityOf(st: Stats, directory?: DirectorySource): FileIdentity {
  const id: FileIdentity = { dev: st.dev, ino: st.ino, size: directory ? directory.size : st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
  if (directory) {
    id.listing = directory.entries.map((e) => `${e.name}\0${e.size}`).join('\n');
    // A directory's own times change only when it gains or loses names: its listing says that, and more.
    id.mtimeMs = id.ctimeMs = 0;
  }
  return id;
}

/**
 * How the file or directory at `path` differs from `before` now, or undefined when it is the same. A directory is
 * listed again with the `limits` of its first listing (and as cheap): files added, removed or resized are seen, a file
 * rewritten at the same size is not.
 */
export function identityChange(path: string, before: FileIdentity, limits: Partial<DirectoryLimits> = {}): string | undefined {
  let now: FileIdentity;
  try {
    const st = statSync(path);
    now = identityOf(st, before.listing !== undefined && st.isDirectory() ? DirectorySource.open(path, { limits }) : undefined);
  } catch {
    return 'it is gone or can no longer be read';
  }
  if (now.dev !== before.dev || now.ino !== before.ino) return 'it was replaced by another file';
  if (now.size !== before.size) return `size ${before.size} -> ${now.size}`;
  if (now.listing !== before.listing) return 'files were added, removed or resized';
  if (now.mtimeMs !== before.mtimeMs || now.ctimeMs !== before.ctimeMs) return 'it was written to';
  return undefined;
}
