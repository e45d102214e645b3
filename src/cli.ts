import { parseArgs, type ParseArgsConfig } from 'node:util';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { scanFileIsolated, ScanFailure } from './pipeline/run.js';
import { dumpFileSync, scanFileSync } from './pipeline/index.js';
import { renderText } from './report/text.js';
import type { Report } from './report/types.js';
import { SEVERITIES, severityRank, type Severity } from './detect/types.js';
import { redact } from './detect/redact.js';
import { TOOL_VERSION } from './version.js';

/** Exit codes, a contract with CI scripts. */
export const EXIT = { ok: 0, findings: 1, usage: 2 } as const;

class UsageError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

const HELP: Record<string, string> = {
  main: `leakdex ${TOOL_VERSION} — find hardcoded secrets in mobile app binaries

Usage: leakdex <command> [options]

Commands:
  scan <file>   scan an APK (or a bare .dex/.so/any file) and report hardcoded credentials
  dump <file>   print every decoded string with its location (JSON lines), for checking decoders
  help [cmd]    show help for a command

Exit codes: 0 nothing at or above --fail-on, 1 findings at or above --fail-on, 2 usage or unreadable input.
Run 'leakdex <command> --help' for a command's options.
`,
  scan: `Usage: leakdex scan <file> [options]

Options:
  --format text|json     report format (default text)
  --output FILE          write the report to FILE instead of stdout
  --show-secrets         include full secret values in the report (redacted by default)
  --fail-on SEVERITY     exit 1 when a finding is at or above SEVERITY:
                         critical|high|medium|low|info|none (default high)
  -h, --help             show this help

Examples:
  leakdex scan app-release.apk
  leakdex scan app-release.apk --format json --output leakdex.json --fail-on medium
`,
  dump: `Usage: leakdex dump <file> [--show-secrets]

Prints one JSON object per decoded string: {"entry","decoder","pointer","context","text"}.
Values that a rule recognises as secrets are redacted unless --show-secrets is given.

Example:
  leakdex dump app.apk | grep resources.arsc
`,
};

const FAIL_ON = [...SEVERITIES, 'none'] as const;

type Parsed = { values: Record<string, string | boolean | undefined>; positionals: string[] };

function parse(args: string[], options: ParseArgsConfig['options']): Parsed {
  try {
    return parseArgs({ args, options: { help: { type: 'boolean', short: 'h' }, ...options }, allowPositionals: true, strict: true }) as Parsed;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function inputFile(positionals: string[], cmd: string): string {
  if (positionals.length !== 1) throw new UsageError(`${cmd} takes exactly one file`, `leakdex ${cmd} --help`);
  const file = positionals[0]!;
  if (!existsSync(file)) throw new UsageError(`cannot read ${file}: no such file`);
  const st = statSync(file);
  if (!st.isFile()) throw new UsageError(`cannot read ${file}: not a regular file`);
  if (st.size === 0) throw new UsageError(`cannot read ${file}: the file is empty`);
  return file;
}

/** The unreadable-input condition: an archive (by content or extension) that could not be opened at all. */
function unreadableReason(report: Report): string | undefined {
  const fatal = report.diagnostics.find((d) => d.entry === '' && d.decoder === 'zip' && d.level === 'error');
  if (fatal && (report.artifact.kind === 'file' || report.artifact.kind === 'zip')) return `${report.artifact.path} is not a readable archive: ${fatal.message} (${fatal.code})`;
  return undefined;
}

async function scanCommand(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parse(args, {
    format: { type: 'string', default: 'text' },
    output: { type: 'string' },
    'show-secrets': { type: 'boolean', default: false },
    'fail-on': { type: 'string', default: 'high' },
  });
  if (values.help) {
    out.write(HELP.scan!);
    return EXIT.ok;
  }
  const format = String(values.format);
  if (format !== 'text' && format !== 'json') throw new UsageError(`unknown --format ${format}`, 'use text or json');
  const failOn = String(values['fail-on']) as (typeof FAIL_ON)[number];
  if (!FAIL_ON.includes(failOn)) throw new UsageError(`unknown --fail-on ${failOn}`, `use one of ${FAIL_ON.join(', ')}`);
  const file = inputFile(positionals, 'scan');
  let report: Report;
  try {
    report = await scanFileIsolated(file, { showSecrets: values['show-secrets'] === true });
  } catch (e) {
    if (e instanceof ScanFailure) throw new UsageError(`cannot scan ${file}: ${e.message}`);
    throw e;
  }
  const unreadable = unreadableReason(report);
  if (unreadable) throw new UsageError(unreadable);
  const color = format === 'text' && !values.output && process.stdout.isTTY === true && !process.env.NO_COLOR;
  const text = format === 'json' ? JSON.stringify(report, null, 2) + '\n' : renderText(report, { color });
  if (values.output) writeFileSync(String(values.output), text);
  else out.write(text);
  if (failOn === 'none') return EXIT.ok;
  const threshold = severityRank(failOn as Severity);
  return report.findings.some((f) => severityRank(f.severity) >= threshold) ? EXIT.findings : EXIT.ok;
}

function dumpCommand(args: string[], out: NodeJS.WritableStream): number {
  const { values, positionals } = parse(args, { 'show-secrets': { type: 'boolean', default: false } });
  if (values.help) {
    out.write(HELP.dump!);
    return EXIT.ok;
  }
  const file = inputFile(positionals, 'dump');
  const secrets = values['show-secrets'] ? [] : scanFileSync(file, { showSecrets: true }).findings.map((f) => f.secret!).filter((s) => s.length > 0);
  const mask = (text: string) => {
    for (const s of secrets) if (text.includes(s)) text = text.split(s).join(redact(s));
    return text;
  };
  const chunks: string[] = [];
  const walk = dumpFileSync(file, (s) => {
    chunks.push(JSON.stringify({ entry: s.location.entry, decoder: s.location.decoder, pointer: s.location.pointer, context: s.context ?? null, text: mask(s.text) }));
    if (chunks.length >= 4096) {
      out.write(chunks.join('\n') + '\n');
      chunks.length = 0;
    }
  });
  if (chunks.length) out.write(chunks.join('\n') + '\n');
  for (const d of walk.diagnostics) process.stderr.write(`leakdex: ${d.level} ${d.code} ${d.entry || '(archive)'}: ${d.message}\n`);
  return EXIT.ok;
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'scan':
        return await scanCommand(rest, out);
      case 'dump':
        return dumpCommand(rest, out);
      case 'help':
        out.write(HELP[rest[0] ?? 'main'] ?? HELP.main!);
        return EXIT.ok;
      case '--version':
      case '-v':
        out.write(`${TOOL_VERSION}\n`);
        return EXIT.ok;
      case undefined:
      case '--help':
      case '-h':
        out.write(HELP.main!);
        return cmd === undefined ? EXIT.usage : EXIT.ok;
      default:
        throw new UsageError(`unknown command '${cmd}'`, 'leakdex --help lists the commands');
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err.write(`leakdex: error: ${e.message}${e.hint ? ` (hint: ${e.hint})` : ''}\n`);
      return EXIT.usage;
    }
    const msg = e instanceof Error ? e.message : String(e);
    err.write(`leakdex: error: ${msg}\n`);
    return EXIT.usage;
  }
}

const invokedDirectly = process.argv[1] !== undefined && /(?:cli\.js|leakdex(?:\.js)?)$/.test(process.argv[1]);
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`leakdex: error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = EXIT.usage;
    },
  );
}
