import type { Decoder } from './types.js';
import { parsePlist, plistStrings } from './plist.js';

// Apple "String Resources": a .strings file is an OpenStep dict without the outer braces (`"key" = "value";`), in
// UTF-16 with a BOM, UTF-8, or compiled to a binary plist by Xcode; a .stringsdict is an XML (or binary) plist.

/** True when `path` names a localized strings table (`.strings` or `.stringsdict`). */
export function isStringsPath(path: string): boolean {
  return /\.strings(?:dict)?$/i.test(path);
}

/** Decoder `strings`: every value of a .strings/.stringsdict table, bound to its key (`API_KEY`, `NSLocationUsage.one`). */
export const decodeStringsFile: Decoder = (bytes, ctx) => {
  const { value } = parsePlist(bytes, { warn: (w) => ctx.warn(w) });
  return plistStrings(value, ctx, 'strings', { keys: true });
};
