/** Where a decoded string belongs for the Detector: its key path in a config document, and the scope it shares. */
import type { DecodedString } from '../../decoders/types.js';

/** Decoders whose entry is one structured configuration: all its values share a scope (the entry) for `context.scope`. */
export const FILE_SCOPED_DECODERS = new Set(['json', 'yaml', 'properties', 'env', 'ini', 'xml', 'plist', 'strings', 'manifest']);
/** Marker strings longer than this are not considered (a marker is a host name, a class or an SDK constant). */
export const MAX_MARKER_LENGTH = 512;

/**
 * The full key path of a value in a JSON or YAML document (`$.algolia.adminKey`), when the decoder's pointer is one:
 * name conditions are tried on the bound key (`adminKey`) first, then on its path.
 */
export function keyPath(s: DecodedString): string | undefined {
  const p = s.location.pointer;
  return p.charCodeAt(0) === 36 /* $ */ && (s.location.decoder === 'json' || s.location.decoder === 'yaml') ? p : undefined;
}

export function boundPath(s: DecodedString, re: RegExp): boolean {
  const path = keyPath(s);
  return path !== undefined && re.test(path);
}

/** The scope a value shares with others for `context.scope`: its DEX class, or its config file. */
export function scopeKey(s: DecodedString): string | undefined {
  if (s.scope !== undefined) return `${s.location.entry}\0${s.scope}`;
  return FILE_SCOPED_DECODERS.has(s.location.decoder) ? s.location.entry : undefined;
}
