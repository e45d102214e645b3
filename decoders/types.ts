/**
 * Types shared by every decoder. Decoders are pure: bytes in, strings with exact locations out.
 * They know nothing of secrets, scans, files or HTTP.
 */

/** Where a decoded string sits: the entry (nested entries read `outer.apk!/inner.dex`), the decoder, and a pointer inside it. */
export interface Location {
  /** Entry path inside the artifact, e.g. `classes2.dex` or `base.apk!/resources.arsc`. */
  entry: string;
  /** Decoder name, e.g. `dex`, `arsc`, `axml`, `elf`, `json`, `runs`. */
  decoder: string;
  /** Exact place inside the entry, e.g. `string_ids[812]`, `string/twitter_secret`, `.rodata+0x1a0`. */
  pointer: string;
}

/** One string a decoder found, with the name the format binds it to (resource name, meta-data name, JSON key, field name). */
export interface DecodedString {
  text: string;
  location: Location;
  /** The name the value is bound to where the format says so. */
  context?: string;
  /** Extra names bound to the value's container, e.g. the DEX class that holds it. */
  scope?: string;
  /**
   * What the code does with the value (DEX code context, docs/code-context.md), e.g.
   * `arg 0 of javax.crypto.spec.SecretKeySpec.<init> via java.lang.String.getBytes in com.x.Crypto.key`.
   */
  code?: string;
}

/** Fatal problem for one entry: the pipeline records a diagnostic and falls back to printable runs. */
export class DecodeError extends Error {
  constructor(
    /** Stable machine code, e.g. `dex.bad_magic`, `zip.truncated`. */
    public readonly code: string,
    message: string,
    /** Byte offset inside the entry where the problem was found. */
    public readonly offset?: number,
  ) {
    super(offset === undefined ? message : `${message} (at offset ${offset})`);
    this.name = 'DecodeError';
  }
}

/** A tampered-but-readable condition: the decoder warns and continues. */
export interface DecodeWarning {
  code: string;
  message: string;
  offset?: number;
}

/** What a decoder receives besides the bytes. */
export interface DecodeContext {
  /** Entry path used in every Location the decoder emits. */
  entry: string;
  /** Record a tampered-but-readable condition. */
  warn(warning: DecodeWarning): void;
  /** Resolves `@0x7f...` resource references (set for AXML when resources.arsc was read). */
  resources?: ResourceResolver;
  /**
   * Which code uses to emit (DEX code context), by their `code` text, value and bound name; all when absent. A scan
   * passes what its rules can read; `leakdex dump` passes nothing and sees every use.
   */
  keepCodeUse?: (code: string, text: string, context?: string) => boolean;
  /**
   * Which printable runs to make into strings, asked with each run's bytes (`(end - start) / step` characters, ASCII
   * when `step` is 1, UTF-16LE when 2) in the order the runs come; all when absent. A scan passes its rules' byte
   * prefilter (src/detect/run-filter.ts), so runs no rule can read are never made; `leakdex dump` sees every run.
   */
  keepRun?: (bytes: Uint8Array, start: number, end: number, step: number) => boolean;
  /**
   * Which strings of a table whose order means nothing (DEX string_ids) to make when they carry no name, scope or
   * code use, asked with their encoded bytes [start, end); all when absent. It turns down only ASCII bytes.
   */
  keepPlain?: (bytes: Uint8Array, start: number, end: number) => boolean;
  /**
   * Which strings bound to a name, a scope or a code use to make: source literals (JavaScript and the text formats
   * that share its emitter) and DEX strings bound to a field or owned by one class, asked with each value, decoder,
   * bound name and code text, in the order they come; all when absent.
   */
  keepLiteral?: (text: string, decoder: string, context?: string, code?: string) => boolean;
}

/** Resolves Android resource ids to a name and a default value. */
export interface ResourceResolver {
  /** `type/name` for a resource id, e.g. `string/app_name`. */
  name(id: number): string | undefined;
  /** The default-configuration value of a resource as text, if it is a string-like value. */
  value(id: number): string | undefined;
}

/** A decoder: bytes in, lazily generated strings out. */
export type Decoder = (bytes: Uint8Array, ctx: DecodeContext) => Iterable<DecodedString>;

/** A DecodeContext that collects warnings into an array; handy for tests and tools. */
export function collectingContext(entry: string, resources?: ResourceResolver): DecodeContext & { warnings: DecodeWarning[] } {
  const warnings: DecodeWarning[] = [];
  return { entry, warnings, warn: (w) => void warnings.push(w), resources };
}
