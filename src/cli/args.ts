/** Command-line parsing for every command: Node's parseArgs, with its errors turned into one line and a suggestion. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A usage problem in the arguments, with a hint; every command prints it as one line and exits 2. */
export class ArgsError extends Error {
  override name = 'ArgsError';
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions): `--fromat` is 1 from `--format`. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate closest to `word` when it is close enough to be a typo (at most 2 edits, and under half its length). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best !== undefined && bestD <= Math.min(2, Math.floor(word.replace(/^-+/, '').length / 2)) ? best : undefined;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** `--name` and `-x` spellings of `options`. */
function spellings(options: Options): string[] {
  return Object.entries(options).flatMap(([name, o]) => [`--${name}`, ...(o.short ? [`-${o.short}`] : [])]);
}

/** Node's parseArgs error as one line naming the option, with "did you mean" for an unknown one. */
export function argsError(e: unknown, options: Options, command: string): ArgsError {
  const err = e as Error & { code?: string };
  const hint = `leakdex ${command} --help lists its options`;
  const quoted = /'([^']*)'/.exec(err.message)?.[1] ?? '';
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const given = quoted.split('=')[0]!;
      const guess = closest(given, spellings(options));
      return new ArgsError(`unknown option ${given}${guess ? `: did you mean ${guess}?` : ''}`, hint);
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const name = quoted.split(/[\s,]/).find((w) => w.startsWith('--')) ?? quoted;
      if (/argument missing/.test(err.message)) return new ArgsError(`${name} needs a value`, hint);
      if (/does not take an argument/.test(err.message)) return new ArgsError(`${name} takes no value`, hint);
      return new ArgsError(`bad value for ${name}`, hint);
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new ArgsError(`unexpected argument '${quoted}'`, hint);
    default:
      return new ArgsError(err.message.split('\n')[0]!, hint);
  }
}

/** parseArgs (strict) for `leakdex <command>`: a usage problem throws ArgsError. */
export function parseCommand<O extends Options>(command: string, args: string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (e) {
    throw argsError(e, options, command);
  }
}
