/** Shared plumbing of the text decoders: limits, the string emitter with its per-file cap, line/column counting, and the
 * JavaScript literal scan that JSON fallback, `<script>` and .js entries share. */
import { type DecodeContext, type DecodedString } from '../types.js';
import { JsScanner } from '../js.js';

/** Largest text entry decoded at all; larger ones fall back to printable runs. */
export const MAX_TEXT_BYTES = 128 * 1024 * 1024;
/** Largest text handed to JSON.parse; larger JSON is scanned as JS literals. */
export const MAX_JSON_CHARS = 32 * 1024 * 1024;
/** Largest text handed to the XML DOM parser (xmldom reads about 0.2-1 MB/s); larger XML goes to the markup tokenizer. */
export const MAX_XML_DOM_CHARS = 512 * 1024;
/** Deepest JSON/XML nesting walked; deeper subtrees are skipped with a warning. */
export const MAX_TREE_DEPTH = 256;
/** Most JSON values or XML nodes visited in one entry. */
export const MAX_TREE_NODES = 5_000_000;
/** Most strings one text entry may yield before the decoder stops with a warning. */
export const MAX_STRINGS_PER_FILE = 1_000_000;
/** Longest string emitted in one piece; longer values are split. */
export const MAX_STRING_LENGTH = 64 * 1024;
/** JSON numbers are emitted as text only from this many characters on (project numbers, account ids). */
export const MIN_NUMBER_CHARS = 12;
/** Most lines one YAML block scalar, quoted .env value or .properties continuation may span. */
export const MAX_VALUE_LINES = 10_000;
/** Most attributes read from one markup tag. */
export const MAX_ATTRIBUTES = 1024;

/** Emits one string, split into pieces when longer than MAX_STRING_LENGTH; counts against the per-file cap. */
export class Emitter {
  count = 0;
  stopped = false;
  constructor(
    readonly ctx: DecodeContext,
    readonly decoder: string,
  ) {}

  /** The string as one DecodedString when it needs no splitting and the cap is not reached; otherwise undefined (use emit). */
  one(text: string, pointer: string, context: string | undefined, scope?: string, code?: string): DecodedString | undefined {
    if (text === '' || text.length > MAX_STRING_LENGTH || this.count >= MAX_STRINGS_PER_FILE) return undefined;
    this.count++;
    const location = { entry: this.ctx.entry, decoder: this.decoder, pointer };
    const s: DecodedString = context === undefined ? { text, location } : { text, location, context };
    if (scope !== undefined) s.scope = scope;
    if (code !== undefined) s.code = code;
    return s;
  }

  /**
   * Counts a string of one piece that the scan does not need made (DecodeContext.keepLiteral) as `emit` would, so the
   * per-file cap stops at the same place.
   */
  skip(text: string): void {
    if (text === '' || this.stopped) return;
    if (++this.count > MAX_STRINGS_PER_FILE) this.stop();
  }

  private stop(): void {
    this.stopped = true;
    this.ctx.warn({ code: `${this.decoder}.too_many_strings`, message: `stopped after ${MAX_STRINGS_PER_FILE} strings` });
  }

  *emit(text: string, pointer: string, context: string | undefined, scope?: string, code?: string): Generator<DecodedString> {
    if (text === '' || this.stopped) return;
    for (let at = 0; at < text.length; at += MAX_STRING_LENGTH) {
      if (++this.count > MAX_STRINGS_PER_FILE) {
        this.stop();
        return;
      }
      const piece = text.length <= MAX_STRING_LENGTH ? text : text.slice(at, at + MAX_STRING_LENGTH);
      const where = at === 0 ? pointer : `${pointer} [${at}:]`;
      const location = { entry: this.ctx.entry, decoder: this.decoder, pointer: where };
      const s: DecodedString = context === undefined ? { text: piece, location } : { text: piece, location, context };
      if (scope !== undefined) s.scope = scope;
      if (code !== undefined) s.code = code;
      yield s;
    }
  }
}

/** Maps string indices to 1-based line and column, moving forward (re-counting from the start if asked to go back). */
export class LineCounter {
  private index = 0;
  private line = 1;
  private lineStart = 0;
  private nextNewline: number;
  constructor(private readonly text: string) {
    this.nextNewline = text.indexOf('\n');
  }
  at(index: number): { line: number; col: number } {
    if (index < this.index) {
      this.line = 1;
      this.lineStart = 0;
      this.nextNewline = this.text.indexOf('\n');
    }
    while (this.nextNewline >= 0 && this.nextNewline < index) {
      this.line++;
      this.lineStart = this.nextNewline + 1;
      this.nextNewline = this.text.indexOf('\n', this.lineStart);
    }
    this.index = index;
    return { line: this.line, col: index - this.lineStart + 1 };
  }
  pointer(index: number): string {
    const { line, col } = this.at(index);
    return `line ${line} col ${col}`;
  }
}


/**
 * String literals of JS/TS-like source in `text[from, to)` with their bindings (decoders/js.ts, docs/code-context.md
 * "JavaScript"). Pointer `line N col M`. Linear time.
 */
export function* jsStrings(text: string, ctx: DecodeContext, from = 0, to = text.length, emitter?: Emitter, counter?: LineCounter): Generator<DecodedString> {
  const out = emitter ?? new Emitter(ctx, 'js');
  const lines = counter ?? new LineCounter(text);
  const scanner = new JsScanner(text, from, to, (code, message, offset) => ctx.warn({ code, message, offset }));
  const keep = ctx.keepCodeUse;
  const keepLiteral = ctx.keepLiteral;
  while (!out.stopped && scanner.next()) {
    // An unnamed use keeps its code text only when a rule reads it (the literal then stays free for shape pairs).
    const code = scanner.context === undefined && keep !== undefined && scanner.code !== undefined && !keep(scanner.code, scanner.value) ? undefined : scanner.code;
    // A literal the scan's rules cannot read is counted, not made (one emitted in pieces is always made).
    if (keepLiteral !== undefined && scanner.value.length <= MAX_STRING_LENGTH && !keepLiteral(scanner.value, out.decoder, scanner.context, code)) {
      out.skip(scanner.value);
      continue;
    }
    const pointer = code === undefined ? lines.pointer(scanner.at) : `${lines.pointer(scanner.at)}: ${code}`;
    const one = out.one(scanner.value, pointer, scanner.context, scanner.scope, code);
    if (one) yield one;
    else yield* out.emit(scanner.value, pointer, scanner.context, scanner.scope, code);
  }
  scanner.finish();
}
