/** JSON text: every string value (and long number) with its key path as context. */
import { type DecodeContext, type DecodedString } from '../types.js';
import { Emitter, MAX_JSON_CHARS, MAX_TREE_DEPTH, MAX_TREE_NODES, MIN_NUMBER_CHARS, jsStrings } from './emit.js';
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function jsonPathKey(key: string): string {
  return IDENTIFIER.test(key) ? `.${key}` : `['${key.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
}

/** Where JSON.parse failed, without the input snippet V8 puts in its message (it may hold a secret). */
function jsonErrorPosition(e: unknown): string {
  const m = /at position (\d{1,12})/.exec(e instanceof Error ? e.message : '');
  return m ? ` at position ${m[1]}` : '';
}

interface JsonFrame {
  value: unknown;
  path: string;
  key: string | undefined;
  depth: number;
}

export function* jsonStrings(text: string, ctx: DecodeContext): Generator<DecodedString> {
  if (text.length > MAX_JSON_CHARS) {
    ctx.warn({ code: 'json.too_large', message: `JSON of ${text.length} characters is scanned as literals, not parsed` });
    yield* jsStrings(text, ctx);
    return;
  }
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    ctx.warn({ code: 'json.invalid', message: `invalid JSON${jsonErrorPosition(e)}; scanning literals instead` });
    yield* jsStrings(text, ctx);
    return;
  }
  const out = new Emitter(ctx, 'json');
  const stack: JsonFrame[] = [{ value: root, path: '$', key: undefined, depth: 0 }];
  let nodes = 0;
  let deepWarned = false;
  while (stack.length > 0 && !out.stopped) {
    const { value, path, key, depth } = stack.pop()!;
    if (++nodes > MAX_TREE_NODES) {
      ctx.warn({ code: 'json.too_many_nodes', message: `stopped after ${MAX_TREE_NODES} JSON values` });
      return;
    }
    if (typeof value === 'string') {
      yield* out.emit(value, path, key);
    } else if (typeof value === 'number') {
      const s = String(value);
      if (s.length >= MIN_NUMBER_CHARS) yield* out.emit(s, path, key);
    } else if (value !== null && typeof value === 'object') {
      if (depth >= MAX_TREE_DEPTH) {
        if (!deepWarned) ctx.warn({ code: 'json.too_deep', message: `JSON nested deeper than ${MAX_TREE_DEPTH} at ${path.slice(0, 200)}; subtree skipped` });
        deepWarned = true;
        continue;
      }
      if (Array.isArray(value)) {
        for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: `${path}[${i}]`, key, depth: depth + 1 });
      } else {
        const record = value as Record<string, unknown>;
        const keys = Object.keys(record);
        for (let i = keys.length - 1; i >= 0; i--) {
          const k = keys[i]!;
          stack.push({ value: record[k], path: path + jsonPathKey(k), key: k, depth: depth + 1 });
        }
      }
    }
  }
}
