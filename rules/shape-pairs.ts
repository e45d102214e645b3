/**
 * Shape pairs: two values with the exact shapes of a known credential pair, side by side in one string table, with no
 * name and no code use (a stripped native library, a Unity IL2CPP literal table, a reflective app's table, a blob). Each value must pass its own
 * rule's shape checks (pattern, length, entropy, character classes, placeholders); the pair is then reported as that
 * pair at medium confidence. Sorted tables (DEX string_ids) carry no adjacency and are never read for pairs.
 */
export interface ShapePair {
  /** The rule whose shape the first value has (e.g. the 25-character consumer key). */
  first: string;
  /** The rule whose shape the value right after it has. */
  second: string;
  reason: string;
}

export const SHAPE_PAIRS: readonly ShapePair[] = [
  {
    first: 'twitter-consumer-key',
    second: 'twitter-consumer-secret',
    reason: 'shape pair: a 25-character Twitter consumer key followed by a 50-character consumer secret in one string table, with no name; check that they are the app’s Twitter credentials',
  },
  {
    first: 'facebook-app-id',
    second: 'facebook-app-secret',
    reason: 'shape pair: a Facebook app id followed by a 32-hex app secret in one string table, with no name; check that they are the app’s Facebook credentials',
  },
];

/** Decoders whose string order is not the program's (sorted tables): never read for shape pairs. */
export const UNORDERED_DECODERS: ReadonlySet<string> = new Set(['dex']);
