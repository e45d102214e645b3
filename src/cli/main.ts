import type { ParseArgsConfig } from 'node:util';
import { ArgsError, closest, parseCommand } from './args.js';
import { RULES_HELP, ruleSet, rulesCommand } from './rules.js';
import type { Rule } from '../../rules/types.js';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { scanFileIsolated, ScanFailure } from '../pipeline/run.js';

import type { Report } from '../report/types.js';
import { SEVERITIES, countBySeverity, type Severity } from '../detect/types.js';
import type { VersionDiff } from '../report/advice.js';
import {
  applySuppressions,
  createBaseline,
  DEFAULT_IGNORE_FILE,
  FAIL_ON,
  loadBaseline,
  loadIgnoreFile,
  SuppressionFileError,
  type FailOn,
  type Suppressions,
} from '../report/baseline.js';
import { FORMATS, parseFormat, renderReport } from '../report/render.js';
import { ProgressBar } from './progress.js';
import { remoteScan, RemoteError, serverUrl } from './remote.js';
import { redact } from '../detect/redact.js';
import { safeJson, visible } from '../report/escape.js';
import { verdictOf, verdictText, VERDICT_EXIT } from '../report/verdict.js';
import { TOOL_VERSION } from '../version.js';

/** Exit codes, a contract with CI scripts (0, 1 and 4 are the verdict's, src/report/verdict.ts). */
export const EXIT = { ok: VERDICT_EXIT.pass, findings: VERDICT_EXIT.fail, usage: 2, service: 3, incomplete: VERDICT_EXIT.incomplete } as const;

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
  scan <file>              scan an APK, IPA or .app (or a bare .dex/.so/any file, or an unzipped app directory) and
                           report hardcoded credentials
  scan <url>               download (SSRF-safe) and scan: .apk/.ipa URL, F-Droid, GitHub release, itms-services
  baseline create <file>   write a baseline accepting the app's current findings
  dump <file>              print every decoded string with its location (JSON lines), for checking decoders
  rules                    list the detection rules (id, provider, severity, confidence, keywords)
  serve                    run the HTTP service (uploads, scan jobs, history)
  worker                   run scan jobs from the service's store without serving HTTP
  keys                     create, list and revoke the service's API keys
  watch                    add, list and remove marketplace watches (new versions are scanned and notified)
  sweep --once             check due watches once: download, scan, notify
  org                      organizations: discover their apps on every source, watch them, rate them
  feed                     known-compromised credential feeds (SHA-256 hashes): mark matching findings
  help [cmd]               show help for a command

Exit codes: 0 nothing at or above --fail-on, 1 findings at or above --fail-on, 2 usage or input that cannot be
scanned as what it is (an empty or damaged ZIP, an .apk/.ipa that is no app, a file that changed during the scan),
3 the service (--server) could not be used: unreachable, key refused, scan failed or timed out, or it does not
take a file that a local scan reads (not an app, over its upload limit), 4 incomplete scan: nothing at or above
--fail-on, but part of the app was not scanned (encrypted code, an entry over a limit, a worker crash); accept it
with --allow-incomplete.
Run 'leakdex <command> --help' for a command's options.

Examples:
  leakdex scan app-release.apk
  leakdex scan app-release.aab --format sarif --output leakdex.sarif --baseline leakdex-baseline.json
`,
  scan: `Usage: leakdex scan <file> [options]

Options:
  --format FORMAT        text|json|sarif|html|markdown (default text); json is docs/report.md, sarif is
                         SARIF 2.1.0 for code scanning, html one self-contained page, markdown a PR comment
  --output FILE          write the report to FILE instead of stdout
  --show-secrets         include full secret values in the report (redacted by default; local scans only)
  --verify               ask each provider whether the found credentials work (opt-in; read-only calls to the
                         official API hosts of docs/verification.md): a live one becomes critical; without this
                         flag leakdex sends no request at all. LEAKDEX_VERIFY_ENDPOINTS replaces hosts (mirrors, tests)
  --verify-dry-run       list what --verify would check and against which host; send nothing
  --rules FILE           add the user rules of FILE (JSON, schema in docs/rules.md) to the built-in rules
  --fail-on SEVERITY     exit 1 when an unsuppressed finding is at or above SEVERITY:
                         critical|high|medium|low|info|none (default high); 'live' (with --verify) exits 1
                         only when a credential was verified live
  --allow-incomplete     let an incomplete scan pass (exit 0 instead of 4) when nothing is at or above
                         --fail-on; the report still says what was not scanned and caps the rating at C
  --baseline FILE        accepted findings (leakdex baseline create, or an earlier JSON report): reported as
                         suppressed, never failing the build
  --ignore-file FILE     ignore file (default ./.leakdexignore when present); one entry a line:
                         FINGERPRINT [expires=YYYY-MM-DD] REASON   (the finding counts again after that day)
  --server URL           scan on a leakdex service instead (env LEAKDEX_SERVER): upload, wait, then print and
                         gate like a local scan; its fingerprints are keyed by the server, so make baselines
                         with the same --server
  --api-key KEY          API key for --server (env LEAKDEX_API_KEY; prefer the variable in CI)
  --timeout SECONDS      how long --server may take (default 900)
  --force                with --server: scan again even if the service already scanned this file
  -q, --quiet            no progress bar, warnings or summary on stderr (errors still)
  -h, --help             show this help

A progress bar is drawn on stderr when it is a terminal; NO_COLOR turns colours off.
Exit codes: 0 pass, 1 findings at or above --fail-on, 2 usage or input that cannot be scanned as what it is (with
--server too): an empty file, a damaged or empty ZIP, a name ending in .apk/.aab/.apks/.xapk/.apkm/.ipa on
something that is not an app (an HTML error page from a failed download), a file that changed during the scan;
3 the service could not be used (also when it does not take a file a local scan reads: the service takes only
apps, up to its upload limit), 4 incomplete scan (part of the app was not scanned, e.g. FairPlay-encrypted code,
and nothing at or above --fail-on in the rest) unless --allow-incomplete.

Examples:
  leakdex scan app-release.apk
  leakdex scan app-release.apk --format json --output leakdex.json --fail-on medium
  leakdex scan app-release.apk --format sarif --output leakdex.sarif --baseline leakdex-baseline.json
  leakdex scan app-release.apk --format markdown --output leakdex.md --quiet
  leakdex scan app-release.apk --verify --fail-on live          # fail the build only on working keys
  LEAKDEX_API_KEY=... leakdex scan app-release.aab --server https://leakdex.example.com --format html --output report.html
`,
  baseline: `Usage: leakdex baseline create <file> [--output FILE] [options]

Scans the app and writes a baseline accepting every current finding (fingerprint, rule, severity, redacted
value, first location). 'leakdex scan <file> --baseline FILE' then reports them as suppressed and exits 0
unless a new finding appears. Any leakdex JSON report also works as a baseline.

Options:
  --output FILE          write the baseline to FILE (default stdout)
  --server URL, --api-key KEY, --timeout SECONDS, --force
                         make the baseline from the service's scan (needed to gate remote scans: the
                         service keys fingerprints with its own secret)
  -q, --quiet            nothing on stderr but errors
  -h, --help             show this help

Examples:
  leakdex baseline create app-release.apk --output leakdex-baseline.json
  leakdex scan app-release.apk --baseline leakdex-baseline.json     # exit 0 until a new leak appears
`,
  dump: `Usage: leakdex dump <file> [--show-secrets]

Prints one JSON object per decoded string: {"entry","decoder","pointer","context","text"}.
Values that a rule recognises as secrets are redacted unless --show-secrets is given.

Example:
  leakdex dump app.apk | grep resources.arsc
`,
  rules: RULES_HELP,
};


type Parsed = { values: Record<string, string | boolean | undefined>; positionals: string[] };

function parse(command: string, args: string[], options: ParseArgsConfig['options']): Parsed {
  return parseCommand(command, args, { help: { type: 'boolean', short: 'h' }, ...options }) as Parsed;
}

function inputFile(positionals: string[], cmd: string): string {
  if (positionals.length !== 1) throw new UsageError(`${cmd} takes exactly one file`, `leakdex ${cmd} --help`);
  const file = positionals[0]!;
  if (!existsSync(file)) throw new UsageError(`cannot read ${file}: no such file`);
  const st = statSync(file);
  if (st.isDirectory()) return file; // an unzipped app (an iOS .app bundle, an APK tree), scanned in place
  if (!st.isFile()) throw new UsageError(`cannot read ${file}: not a regular file`);
  if (st.size === 0) throw new UsageError(`cannot read ${file}: the file is empty`);
  return file;
}

/** The unreadable-input condition: an archive (by content or extension) or a directory that could not be opened at all. */
function unreadableReason(report: Report): string | undefined {
  const fatal = report.diagnostics.find((d) => d.entry === '' && (d.decoder === 'zip' || d.decoder === 'dir') && d.level === 'error');
  if (fatal && (report.artifact.kind === 'file' || report.artifact.kind === 'zip')) return `${report.artifact.path} is not a readable ${fatal.decoder === 'dir' ? 'directory' : 'archive'}: ${fatal.message} (${fatal.code})`;
  return undefined;
}

/** Options of every command that produces a report (scan, baseline create). */
const REPORT_OPTIONS = {
  'show-secrets': { type: 'boolean', default: false },
  quiet: { type: 'boolean', short: 'q', default: false },
  server: { type: 'string' },
  'api-key': { type: 'string' },
  timeout: { type: 'string' },
  force: { type: 'boolean', default: false },
  rules: { type: 'string' },
  verify: { type: 'boolean', default: false },
  'verify-dry-run': { type: 'boolean', default: false },
} as const;

/** User rules of --rules FILE; a file with problems is a usage error listing them. */
async function userRules(file: string | undefined): Promise<Rule[]> {
  if (file === undefined) return [];
  try {
    return (await ruleSet(file)).user;
  } catch (e) {
    if (e instanceof (await import('../detect/user-rules.js')).UserRulesError) throw new UsageError(e.message, 'the schema is in docs/rules.md, "User rules"');
    throw e;
  }
}

/** Where a report comes from: a local scan in worker processes, or the service (--server). */
async function obtainReport(file: string, values: Parsed['values'], progress: ProgressBar, err: NodeJS.WritableStream = process.stderr): Promise<{ report: Report; diff?: VersionDiff }> {
  const server = (values.server as string | undefined) ?? process.env.LEAKDEX_SERVER;
  if (server) {
    if (statSync(file).isDirectory()) throw new UsageError(`${file} is a directory: the service scans app files`, 'scan it locally (without --server), or zip it first');
    const apiKey = (values['api-key'] as string | undefined) ?? process.env.LEAKDEX_API_KEY;
    if (!apiKey) throw new UsageError('--server needs an API key', 'pass --api-key KEY or set LEAKDEX_API_KEY');
    try {
      serverUrl(server);
    } catch (e) {
      if (e instanceof RemoteError) throw new UsageError(e.message, e.hint);
      throw e;
    }
    let timeoutMs: number | undefined;
    if (values.timeout !== undefined) {
      const s = Number(values.timeout);
      if (!Number.isFinite(s) || s <= 0) throw new UsageError(`--timeout needs a number of seconds, got '${String(values.timeout)}'`);
      timeoutMs = s * 1000;
    }
    if (values['verify-dry-run'] === true) throw new UsageError('--verify-dry-run is for local scans', 'drop --server to see what --verify would check');
    const r = await remoteScan(file, { server, apiKey, timeoutMs, force: values.force === true, verify: values.verify === true, interactive: progress.active, onStatus: (t, f) => progress.status(t, f) });
    if (values['show-secrets'] === true) process.stderr.write('leakdex: warning: --show-secrets has no effect with --server: the service keeps reports redacted\n');
    return r;
  }
  progress.prepare(file);
  let report: Report;
  try {
    const rules = await userRules(values.rules as string | undefined);
    // Verification needs the values; they are dropped again after it unless --show-secrets (verifyLocal).
    const keep = values['show-secrets'] === true || values.verify === true || values['verify-dry-run'] === true;
    report = await scanFileIsolated(file, { displayPath: file, showSecrets: keep, onEntry: (p) => progress.entry(p), ...(rules.length > 0 ? { rules } : {}) });
  } catch (e) {
    if (e instanceof ScanFailure) throw new UsageError(`cannot scan ${file}: ${e.message}`);
    throw e;
  }
  const unreadable = unreadableReason(report);
  if (unreadable) throw new UsageError(unreadable, 'is it an APK, AAB or IPA?');
  if (values.verify === true || values['verify-dry-run'] === true) await verifyLocal(report, values['verify-dry-run'] === true, values.quiet === true ? undefined : err);
  if (values['show-secrets'] !== true) for (const f of report.findings) delete f.secret;
  return { report };
}

/** --verify and --verify-dry-run of a local scan: the engine loads only then, so a plain scan never opens a socket. */
async function verifyLocal(report: Report, dryRun: boolean, err: NodeJS.WritableStream | undefined): Promise<void> {
  const { orderBySeverity, verifyReport, parseEndpoints, VerifyConfigError } = await import('../verify/cli.js');
  let endpoints;
  try {
    endpoints = parseEndpoints(process.env.LEAKDEX_VERIFY_ENDPOINTS);
  } catch (e) {
    if (e instanceof VerifyConfigError) throw new UsageError(e.message);
    throw e;
  }
  const s = await verifyReport(report, { endpoints, dryRun });
  orderBySeverity(report);
  if (!err) return;
  const b = s.byStatus;
  if (dryRun) err.write(`leakdex: verify dry run: ${report.findings.filter((f) => f.verification?.status === 'skipped' && f.verification.host).length} finding(s) would be checked against ${s.hosts.length} host(s) (${s.hosts.join(', ') || 'none'}); no request was sent\n`);
  else err.write(`leakdex: verified: ${b.live} live, ${b.invalid} invalid, ${b.error} error, ${b.unverifiable} unverifiable, ${b.skipped} skipped (${s.checked} check(s) sent to ${s.hosts.length} host(s)${s.exposures ? `, ${s.exposures} exposure(s) found` : ''})\n`);
}

/** --baseline and the ignore file (--ignore-file, else ./.leakdexignore when present). */
function loadSuppressions(values: Parsed['values']): Suppressions {
  const s: Suppressions = {};
  try {
    if (values.baseline !== undefined) {
      const file = String(values.baseline);
      s.baseline = { file, fingerprints: loadBaseline(file) };
    }
    const ignoreFile = values['ignore-file'] !== undefined ? String(values['ignore-file']) : existsSync(DEFAULT_IGNORE_FILE) ? DEFAULT_IGNORE_FILE : undefined;
    if (ignoreFile !== undefined) s.ignore = { file: ignoreFile, entries: loadIgnoreFile(ignoreFile) };
  } catch (e) {
    if (e instanceof SuppressionFileError) throw new UsageError(e.message, values.baseline !== undefined ? 'create one with: leakdex baseline create <app> --output FILE' : undefined);
    throw e;
  }
  return s;
}

function countsLine(findings: readonly { severity: Severity }[]): string {
  const c = countBySeverity(findings);
  const parts = SEVERITIES.filter((s) => c[s] > 0).map((s) => `${c[s]} ${s}`);
  return `${findings.length} finding(s)${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

async function scanCommand(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const { values, positionals } = parse('scan', args, {
    format: { type: 'string', default: 'text' },
    output: { type: 'string' },
    'fail-on': { type: 'string', default: 'high' },
    'allow-incomplete': { type: 'boolean', default: false },
    baseline: { type: 'string' },
    'ignore-file': { type: 'string' },
    ...REPORT_OPTIONS,
  });
  if (values.help) {
    out.write(HELP.scan!);
    return EXIT.ok;
  }
  const format = parseFormat(String(values.format));
  const guess = (given: string, known: readonly string[]) => (closest(given, known) ? `: did you mean ${closest(given, known)}?` : '');
  if (!format) throw new UsageError(`unknown --format ${String(values.format)}${guess(String(values.format), FORMATS)}`, `use ${FORMATS.join(', ')}`);
  const failOn = String(values['fail-on']) as FailOn;
  if (!FAIL_ON.includes(failOn)) throw new UsageError(`unknown --fail-on ${failOn}${guess(failOn, FAIL_ON)}`, `use one of ${FAIL_ON.join(', ')}`);
  if (failOn === 'live' && values.verify !== true) throw new UsageError('--fail-on live needs --verify', 'without --verify no credential is checked, so none can be live');
  if (values.verify === true && values['verify-dry-run'] === true) throw new UsageError('--verify and --verify-dry-run exclude each other', 'the dry run sends nothing; drop one of them');
  // A URL (direct app file, F-Droid, GitHub release, itms-services manifest) is downloaded safely first (src/market).
  const market = positionals.length === 1 && /^(https?|itms-services|fdroidrepos):\/\//i.test(positionals[0]!) ? await import('../market/submit.js') : undefined;
  const file = market ? (await market.downloadForCli(positionals[0]!)).path : inputFile(positionals, 'scan');
  const suppressions = loadSuppressions(values);
  const quiet = values.quiet === true;
  const progress = new ProgressBar(process.stderr, !quiet);
  let obtained: { report: Report; diff?: VersionDiff };
  try {
    obtained = await obtainReport(file, values, progress, err);
  } finally {
    progress.done();
  }
  const { report, expired } = applySuppressions(obtained.report, suppressions);
  if (!quiet) {
    for (const e of expired) err.write(`leakdex: warning: ${suppressions.ignore!.file} line ${e.line}: accepted until ${e.expires}, so ${e.fingerprint.slice(0, 16)} counts again (${e.reason})\n`);
  }
  const gate = { failOn, allowIncomplete: values['allow-incomplete'] === true };
  const verdict = verdictOf(report, gate);
  const color = format === 'text' && !values.output && process.stdout.isTTY === true && !process.env.NO_COLOR;
  const text = await renderReport(report, format, { color, ...gate, diff: obtained.diff, baselineApplied: suppressions.baseline !== undefined });
  if (values.output) writeFileSync(String(values.output), text);
  else out.write(text);
  if (!quiet && (values.output || format !== 'text')) {
    const sup = report.suppressed?.length ?? 0;
    err.write(`leakdex: ${countsLine(report.findings)}${sup ? `, ${sup} suppressed` : ''}; ${visible(verdictText(verdict))}${values.output ? `; ${format} report written to ${visible(String(values.output))}` : ''}\n`);
  }
  return verdict.exitCode;
}

/** `leakdex baseline create <app> --output FILE`: accepts every current finding. */
async function baselineCommand(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parse('baseline', args, { output: { type: 'string' }, ...REPORT_OPTIONS });
  if (values.help) {
    out.write(HELP.baseline!);
    return EXIT.ok;
  }
  const [action, ...rest] = positionals;
  if (action !== 'create') throw new UsageError(action === undefined ? 'baseline needs an action' : `unknown baseline action '${action}'`, 'leakdex baseline create <app> --output FILE');
  const file = inputFile(rest, 'baseline create');
  const progress = new ProgressBar(process.stderr, values.quiet !== true);
  let report: Report;
  try {
    report = (await obtainReport(file, { ...values, 'show-secrets': false }, progress, err)).report;
  } finally {
    progress.done();
  }
  const verdict = verdictOf(report);
  if (!verdict.complete && values.quiet !== true) err.write(`leakdex: warning: incomplete scan, the baseline accepts only what was scanned: ${visible(verdictText(verdict))}\n`);
  const baseline = createBaseline(report);
  const json = JSON.stringify(baseline, null, 2) + '\n';
  if (values.output) writeFileSync(String(values.output), json);
  else out.write(json);
  if (values.quiet !== true) err.write(`leakdex: baseline of ${countsLine(baseline.findings.map((f) => ({ severity: f.severity ?? 'info' })))}${values.output ? ` written to ${String(values.output)}` : ''}\n`);
  return EXIT.ok;
}

async function dumpCommand(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parse('dump', args, { 'show-secrets': { type: 'boolean', default: false } });
  if (values.help) {
    out.write(HELP.dump!);
    return EXIT.ok;
  }
  const file = inputFile(positionals, 'dump');
  // The decoders load only for dump: a scan's main process coordinates workers and never needs them.
  const { dumpFileSync, scanFileSync } = await import('../pipeline/index.js');
  const secrets = values['show-secrets'] ? [] : scanFileSync(file, { showSecrets: true }).findings.map((f) => f.secret!).filter((s) => s.length > 0);
  const mask = (text: string) => {
    for (const s of secrets) if (text.includes(s)) text = text.split(s).join(redact(s));
    return text;
  };
  const chunks: string[] = [];
  const walk = dumpFileSync(file, (s) => {
    chunks.push(safeJson({ entry: s.location.entry, decoder: s.location.decoder, pointer: s.location.pointer, context: s.context === undefined ? null : mask(s.context), text: mask(s.text) }, false));
    if (chunks.length >= 4096) {
      out.write(chunks.join('\n') + '\n');
      chunks.length = 0;
    }
  });
  if (chunks.length) out.write(chunks.join('\n') + '\n');
  for (const d of walk.diagnostics) process.stderr.write(`leakdex: ${d.level} ${visible(d.code)} ${visible(d.entry || '(archive)')}: ${visible(d.message)}\n`);
  return EXIT.ok;
}

/** Errors are one line on stderr, whatever the message holds (a file name from an archive or a server included). */
function oneLine(s: string): string {
  return visible(s.replace(/\s*\n\s*/g, ' ').trim());
}

/** Every command `main` knows, for "did you mean". */
const COMMANDS = ['scan', 'baseline', 'dump', 'rules', 'serve', 'worker', 'keys', 'watch', 'sweep', 'org', 'feed', 'help'];

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'scan':
        return await scanCommand(rest, out, err);
      case 'baseline':
        return await baselineCommand(rest, out, err);
      case 'dump':
        return await dumpCommand(rest, out);
      case 'rules':
        return await rulesCommand(rest, out);
      // The service commands load fastify and the store: imported only when asked for, never for `scan`.
      case 'serve':
        return await (await import('./service.js')).serveCommand(rest, out, err);
      case 'worker':
        return await (await import('./service.js')).workerCommand(rest, out, err);
      case 'keys':
        return await (await import('./service.js')).keysCommand(rest, out, err);
      case 'watch':
        return await (await import('./market.js')).watchCommand(rest, out, err);
      case 'sweep':
        return await (await import('./market.js')).sweepCommand(rest, out, err);
      case 'org':
        return await (await import('./orgs.js')).orgCommand(rest, out, err);
      case 'feed':
        return await (await import('./orgs.js')).feedCommand(rest, out, err);
      case 'help': {
        const service = ['serve', 'worker', 'keys'].includes(rest[0] ?? '') ? await import('./service.js') : undefined;
        const orgs = ['org', 'feed'].includes(rest[0] ?? '') ? await import('./orgs.js') : undefined;
        const serviceHelp: Record<string, string | undefined> = { serve: service?.SERVE_HELP, worker: service?.WORKER_HELP, keys: service?.KEYS_HELP, org: orgs?.ORG_HELP, feed: orgs?.FEED_HELP };
        out.write(serviceHelp[rest[0] ?? ''] ?? HELP[rest[0] ?? 'main'] ?? HELP.main!);
        return EXIT.ok;
      }
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
        throw new UsageError(`unknown command '${cmd}'${closest(cmd, COMMANDS) ? `: did you mean ${closest(cmd, COMMANDS)}?` : ''}`, 'leakdex --help lists the commands');
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof ArgsError) {
      err.write(`leakdex: error: ${oneLine(e.message)}${e.hint ? ` (hint: ${e.hint})` : ''}\n`);
      return EXIT.usage;
    }
    if (e instanceof RemoteError) {
      err.write(`leakdex: error: ${oneLine(e.message)}${e.hint ? ` (hint: ${e.hint})` : ''}\n`);
      return e.inputRejected ? EXIT.usage : EXIT.service;
    }
    const msg = e instanceof Error ? e.message : String(e);
    err.write(`leakdex: error: ${oneLine(msg)}\n`);
    return EXIT.usage;
  }
}

const invokedDirectly = process.argv[1] !== undefined && /(?:cli[\\/]main\.js|leakdex(?:\.js)?)$/.test(process.argv[1]);
if (invokedDirectly) {
  // A reader that stops early (`leakdex scan app.apk | head`) closes the pipe: what is left of the output is dropped, as
  // by any Unix tool, and the command still ends with its own exit status instead of an EPIPE stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
    });
  }
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
