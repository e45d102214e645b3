import { sniff, type ContentKind } from '../../decoders/sniff.js';
import { ZipArchive, type RandomAccess } from '../../decoders/zip.js';
import { classifySplitSet, iosKind, type SplitSet } from './app-layout.js';
import { ZipSource, type EntrySource } from './entries.js';
import type { ArtifactKind, Platform } from '../report/types.js';

// What an artifact is, decided by its content alone (never its name or URL): the first bytes, and for a ZIP its
// central directory. The one classification the CLI's walker, uploads and URL downloads all use.

/** Bytes read from the start of an artifact to tell what it is. */
export const CLASSIFY_HEAD_BYTES = 512;

/** What an artifact is. */
export interface ArtifactClass {
  kind: ArtifactKind;
  platform: Platform;
  /** An app leakdex reads as one (APK, AAB, IPA, zipped .app, XAPK, APKM, APKS, zip of APKs), not a loose file or plain ZIP. */
  app: boolean;
  /** Set when the artifact is a split set (XAPK, APKM, .apks, zip of APKs). */
  splitSet?: SplitSet;
}

/** The names leakdex reads as an app, for messages. */
export const APP_KINDS_TEXT = 'an APK, AAB, IPA, zipped .app, XAPK, APKS or APKM';

/**
 * What a set of entries is by its names (a ZIP's central directory, a directory's listing): APK, AAB, IPA, .app, a
 * split set, or a plain ZIP.
 */
export function classifyEntries(source: EntrySource): ArtifactClass {
  const names = new Set(source.entries.map((e) => e.name));
  if (names.has('AndroidManifest.xml')) return { kind: 'apk', platform: 'android', app: true };
  if (names.has('base/manifest/AndroidManifest.xml')) return { kind: 'aab', platform: 'android', app: true };
  // iOS by layout: Payload/X.app/ (IPA) or a zipped X.app/ (simulator builds).
  const ios = iosKind(source.entries);
  if (ios) return { kind: ios, platform: 'ios', app: true };
  const splitSet = classifySplitSet(source);
  if (splitSet) return { kind: splitSet.kind, platform: 'android', app: true, splitSet };
  return { kind: 'zip', platform: 'unknown', app: false };
}

/** What a file that is not a (readable) ZIP is, by the content kind its head sniffed as. */
export function classifyLoose(kind: ContentKind): ArtifactClass {
  return {
    kind: kind === 'dex' ? 'dex' : kind === 'elf' ? 'elf' : 'file',
    platform: kind === 'dex' || kind === 'axml' || kind === 'arsc' ? 'android' : 'unknown',
    app: false,
  };
}

/** A classification with what it took: the content kind of the head, the entry count, why a ZIP could not be read. */
export interface Classified extends ArtifactClass {
  content: ContentKind;
  /** Entries in the central directory (0 when not a ZIP). */
  entries: number;
  /** Why a file that starts like a ZIP could not be read as one (it is then classified as a loose file). */
  zipError?: string;
}

/**
 * Classifies the artifact held by `src` by its content: sniffs its head and, for a ZIP, reads its central directory
 * (at most `maxEntries` entries). `name` only helps tell text formats apart; it never makes a file an app.
 */
export function classify(src: RandomAccess, name: string, opts: { maxEntries?: number } = {}): Classified {
  const content = sniff(src.read(0, Math.min(CLASSIFY_HEAD_BYTES, src.size)), name);
  if (content !== 'zip') return { ...classifyLoose(content), content, entries: 0 };
  let zip: ZipArchive;
  try {
    zip = ZipArchive.open(src, { limits: opts.maxEntries !== undefined ? { maxEntries: opts.maxEntries } : {} });
  } catch (e) {
    return { ...classifyLoose('binary'), content, entries: 0, zipError: (e as Error).message };
  }
  return { ...classifyEntries(new ZipSource(zip)), content, entries: zip.entries.length };
}
