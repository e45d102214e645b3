/**
 * Reports and the CI step, end to end: every format from every sample, SARIF validated against the OASIS schema,
 * the HTML report opened in headless Chromium, baseline / ignore file / gating through the real CLI, remote mode
 * against a real service on 127.0.0.1, the CI recipes in docs/ci run against the samples, progress and colours on
 * a real pseudo-terminal.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import AjvModule from 'ajv-draft-04';
import JSZip from 'jszip';
import { chromium } from 'playwright-core';
import { scanFileSync } from '../../src/pipeline/index.js';
import type { Report, SuppressedFinding } from '../../src/report/types.js';
import { renderReport, FORMATS, negotiateFormat } from '../../src/report/render.js';
import { renderMarkdown, MAX_MARKDOWN_CHARS } from '../../src/report/markdown.js';
import { applySuppressions, parseIgnoreFile, SuppressionFileError } from '../../src/report/baseline.js';
import { FINGERPRINT_KEY, pathToUri, sarifLevel } from '../../src/report/sarif.js';
import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { createApiKey } from '../../src/service/auth.js';
import { severityRank } from '../../src/detect/types.js';
import { runMain as leakdex } from '../helpers/cli.js';
import { CLEAN_APK as CLEAN, CLI, LEAKY_APK as LEAKY, LEAKY_V2_APK as V2, ROOT, tempDir } from '../helpers/files.js';
import { packLeakdex } from '../helpers/pack.js';
import { testNeeding } from '../helpers/postgres.js';

const root = t;
const CHROMIUM = '/usr/bin/chromium';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command without blocking the event loop (the service under test lives in this process). */
function run(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: undefined, LEAKDEX_SERVER: undefined, LEAKDEX_API_KEY: undefined, ...opts.env };
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
    const child = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
/** The CLI as a separate process: exit codes, stdio and the working directory for real. */
const cli = (args: string[], opts: Parameters<typeof run>[2] = {}) => run(process.execPath, [CLI, ...args], opts);

delete process.env.LEAKDEX_SERVER;
delete process.env.LEAKDEX_API_KEY;

/** Every committed sample (Android, quirks, iOS, bundles) with its planted secrets, from its expectations. */
function samples(): { file: string; secrets: string[] }[] {
  const out: { file: string; secrets: string[] }[] = [];
  for (const dir of readdirSync(join(ROOT, 'samples')).sort()) {
    const abs = join(ROOT, 'samples', dir);
    if (!existsSync(abs) || !statSync(abs).isDirectory()) continue;
    for (const f of readdirSync(abs).sort().filter((n) => n.endsWith('.expected.json'))) {
      const e = JSON.parse(readFileSync(join(abs, f), 'utf8')) as { file?: string; planted?: { secret: string }[] };
      if (!e.file || !existsSync(join(abs, e.file))) continue;
      out.push({ file: join(abs, e.file), secrets: (e.planted ?? []).map((p) => p.secret).filter((s) => s.length >= 12) });
    }
  }
  return out;
}
const SAMPLES = samples();
const SECRETS = SAMPLES.flatMap((s) => s.secrets);
const allSamples = () => SAMPLES.map((s) => s.file);

// SARIF 2.1.0 is a draft-04 schema: ajv-draft-04, with the three formats it uses checked for real.
const Ajv = AjvModule.default;
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addFormat('uri', (s: string) => {
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
});
ajv.addFormat('uri-reference', (s: string) => {
  try {
    new URL(s, 'http://base.invalid/');
    return !/\s/.test(s);
  } catch {
    return false;
  }
});
ajv.addFormat('date-time', (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(s) && !Number.isNaN(Date.parse(s)));
const validateSarif = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'test/fixtures/sarif-schema-2.1.0.json'), 'utf8')) as object);

function schemaErrors(doc: unknown): string[] {
  return validateSarif(doc) ? [] : (validateSarif.errors ?? []).slice(0, 5).map((e) => `${e.instancePath} ${e.message}`);
}

interface SarifLog {
  version: string;
  runs: {
    tool: { driver: { name: string; rules: { id: string; defaultConfiguration: { level: string }; properties: Record<string, unknown>; help: { text: string } }[] } };
    artifacts: { location: { uri: string }; parentIndex?: number }[];
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      partialFingerprints: Record<string, string>;
      locations: { physicalLocation: { artifactLocation: { uri: string } }; logicalLocations: { fullyQualifiedName: string }[]; properties: { entry: string; pointer: string } }[];
      relatedLocations?: unknown[];
      suppressions?: { kind: string; justification: string }[];
      baselineState?: string;
      properties: Record<string, unknown>;
    }[];
    invocations: { toolExecutionNotifications: { descriptor: { id: string } }[] }[];
  }[];
}

t.test('the schema validator rejects what is not SARIF', async (t) => {
  t.same(schemaErrors({ version: '2.1.0', runs: [] }), [], 'a minimal log is valid');
  t.not(schemaErrors({ version: '2.0.0', runs: [] }).length, 0, 'a wrong version is not');
  t.not(schemaErrors({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: { text: 'm' }, level: 'fatal' }] }] }).length, 0, 'an unknown level is not');
  t.not(schemaErrors({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x', informationUri: 'not a uri' } } }] }).length, 0, 'a bad uri is not');
});

t.test('every format from every sample; SARIF schema-valid; no secret leaks into any format', async (t) => {
  const samples = allSamples();
  t.ok(samples.length >= 20, `${samples.length} samples`);
  for (const apk of samples) {
    const report = scanFileSync(apk);
    for (const format of FORMATS) {
      const text = await renderReport(report, format, { failOn: 'high' });
      t.ok(text.length > 0, `${apk.split('/').pop()} ${format}`);
      const leaked = SECRETS.filter((s) => text.includes(s));
      t.same(leaked.map((s) => s.slice(0, 4)), [], `${apk.split('/').pop()} ${format}: no full secret`);
    }
    const sarif = JSON.parse(await renderReport(report, 'sarif')) as SarifLog;
    t.same(schemaErrors(sarif), [], `${apk.split('/').pop()}: SARIF validates against the OASIS 2.1.0 schema`);
    t.equal(sarif.runs[0]!.results.length, report.findings.length, 'one result per finding');
    t.equal(sarif.runs[0]!.invocations[0]!.toolExecutionNotifications.length, report.diagnostics.length + (report.completeness?.complete === false ? 1 : 0), 'diagnostics become notifications, and an incomplete scan one more');
  }
});

t.test('SARIF: rules, levels, stable fingerprints, locations inside the app, suppressions', async (t) => {
  const report = scanFileSync(LEAKY);
  const sarif = JSON.parse(await renderReport(report, 'sarif')) as SarifLog;
  t.equal(sarif.version, '2.1.0');
  const run = sarif.runs[0]!;
  t.equal(run.tool.driver.name, 'leakdex');
  const ruleIds = run.tool.driver.rules.map((r) => r.id);
  for (const [i, res] of run.results.entries()) {
    const f = report.findings[i]!;
    t.equal(res.ruleId, f.ruleId);
    t.equal(ruleIds[res.ruleIndex], f.ruleId, `${f.ruleId}: ruleIndex points at its rule`);
    t.equal(res.level, sarifLevel(f.severity), `${f.ruleId}: ${f.severity} -> ${res.level}`);
    t.equal(res.partialFingerprints[FINGERPRINT_KEY], f.fingerprint, 'partialFingerprints carry the finding fingerprint');
    const loc = res.locations[0]!;
    t.equal(loc.physicalLocation.artifactLocation.uri, pathToUri(LEAKY), 'the physical location is the app file');
    t.equal(loc.properties.entry, f.locations[0]!.entry, 'the location names the entry inside the app');
    t.equal(loc.logicalLocations[0]!.fullyQualifiedName, `${f.locations[0]!.entry} ${f.locations[0]!.pointer}`);
    t.ok(res.message.text.includes(f.locations[0]!.entry), 'the message names the entry');
    t.equal((res.relatedLocations ?? []).length, Math.min(f.locations.length, 25) - 1, 'other locations are related locations');
  }
  t.equal(sarif.runs[0]!.results.filter((r) => r.level === 'error').length, report.findings.filter((f) => f.severity === 'critical' || f.severity === 'high').length);
  t.ok(run.tool.driver.rules.every((r) => typeof r.properties['security-severity'] === 'string' && r.help.text.includes('Instead')), 'rules carry security-severity and remediation help');
  const entries = run.artifacts.filter((a) => a.parentIndex === 0).map((a) => a.location.uri);
  t.ok(entries.includes('classes2.dex') && entries.includes('resources.arsc'), 'entries are artifacts nested in the app');

  const again = JSON.parse(await renderReport(scanFileSync(LEAKY), 'sarif')) as SarifLog;
  t.same(
    again.runs[0]!.results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]),
    run.results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]),
    'fingerprints are stable across scans',
  );
  const v2 = JSON.parse(await renderReport(scanFileSync(V2), 'sarif')) as SarifLog;
  const key = (r: SarifLog['runs'][0]['results'][0]) => `${r.ruleId} ${String(r.properties.redacted)}`;
  const v1ByKey = new Map(run.results.map((r) => [key(r), r.partialFingerprints[FINGERPRINT_KEY]]));
  const shared = v2.runs[0]!.results.filter((r) => v1ByKey.has(key(r)));
  t.ok(shared.length > 0, 'the two versions share findings');
  for (const r of shared) t.equal(r.partialFingerprints[FINGERPRINT_KEY], v1ByKey.get(key(r)), `${r.ruleId}: same fingerprint in the next version`);

  const ignored = report.findings[0]!;
  const { report: suppressed } = applySuppressions(report, {
    baseline: { file: 'b.json', fingerprints: new Set([report.findings[1]!.fingerprint]) },
    ignore: { file: '.leakdexignore', entries: [{ fingerprint: ignored.fingerprint.slice(0, 20), reason: 'rotated already', expires: '2999-12-31', line: 1 }] },
  });
  const s = JSON.parse(await renderReport(suppressed, 'sarif', { baselineApplied: true })) as SarifLog;
  t.same(schemaErrors(s), [], 'a log with suppressions validates');
  const sup = s.runs[0]!.results.filter((r) => r.suppressions);
  t.equal(sup.length, 2, 'suppressed findings stay in the log, marked suppressed');
  t.ok(sup.every((r) => r.suppressions![0]!.kind === 'external'));
  t.ok(sup.some((r) => r.suppressions![0]!.justification.includes('rotated already')), 'the ignore reason is the justification');
  t.equal(s.runs[0]!.results.filter((r) => r.baselineState === 'unchanged').length, 1, 'the baselined finding is unchanged');
  t.equal(s.runs[0]!.results.filter((r) => r.baselineState === 'new').length, report.findings.length - 1, 'the others are new');
});

t.test('Markdown fits a pull-request comment', async (t) => {
  const report = scanFileSync(LEAKY);
  const md = renderMarkdown(report, { failOn: 'high' });
  const failing = report.findings.filter((f) => severityRank(f.severity) >= severityRank('high')).length;
  t.match(md, /^### leakdex: .*rating \*\*F\*\*.*❌ \*\*FAIL\*\*/);
  t.match(md, new RegExp(`^FAIL: ${failing} finding\\(s\\) at or above high$`, 'm'));
  t.match(md, /\| 🟥 critical \| 🟧 high \|/);
  t.ok(md.includes('`classes2.dex`'), 'locations are named');
  t.ok(md.includes('What to do'), 'remediation');
  // A huge report (many findings with long locations) still fits the comment limit.
  const big: Report = { ...report, findings: Array.from({ length: 3000 }, (_, i) => ({ ...report.findings[i % report.findings.length]!, fingerprint: i.toString(16).padStart(64, '0') })) };
  const bigMd = renderMarkdown(big);
  t.ok(bigMd.length <= MAX_MARKDOWN_CHARS + 1, `huge report is ${bigMd.length} characters`);
  t.match(bigMd, /and \d+ more finding\(s\)/);
  const pipe: Report = { ...report, findings: [{ ...report.findings[0]!, title: 'a | b', redacted: 'x`y|z' }] };
  const pipeLine = renderMarkdown(pipe).split('\n').find((l) => l.includes('a \\| b'));
  t.ok(pipeLine, 'the title pipe is escaped');
  t.notMatch(pipeLine ?? '', /[^\\]\|[^|]*`y\|/, 'pipes in cells are escaped');
});

t.test('content negotiation and ignore-file parsing', async (t) => {
  t.equal(negotiateFormat('application/sarif+json'), 'sarif');
  t.equal(negotiateFormat('text/html,application/xhtml+xml;q=0.9'), 'html');
  t.equal(negotiateFormat('text/markdown;q=0.5, application/json;q=0.8'), 'json');
  t.equal(negotiateFormat('image/png'), undefined);
  t.equal(negotiateFormat('*/*'), 'json');
  const entries = parseIgnoreFile('# comment\n\n' + 'a'.repeat(64) + ' expires=2030-01-31 test key, revoked\n' + 'b'.repeat(16) + ' public by design\n', 'x');
  t.same(entries, [
    { fingerprint: 'a'.repeat(64), reason: 'test key, revoked', expires: '2030-01-31', line: 3 },
    { fingerprint: 'b'.repeat(16), reason: 'public by design', line: 4 },
  ]);
  t.throws(() => parseIgnoreFile('a'.repeat(64) + '\n', 'x'), SuppressionFileError, 'a reason is required');
  t.throws(() => parseIgnoreFile('abc reason\n', 'x'), /line 1: a fingerprint is 64 hex/);
  t.throws(() => parseIgnoreFile('a'.repeat(64) + ' expires=2030-02-30 r\n', 'x'), /not a date/);
});

t.test('baseline, ignore file and gating through the CLI', async (t) => {
  const dir = tempDir();
  const baseline = join(dir, 'baseline.json');
  const created = await cli(['baseline', 'create', LEAKY, '--output', baseline]);
  t.equal(created.status, 0, `baseline create exits 0 (${created.stderr.trim()})`);
  const b = JSON.parse(readFileSync(baseline, 'utf8')) as { leakdexBaseline: number; findings: { fingerprint: string; redacted: string }[] };
  const v1 = JSON.parse((await leakdex(['scan', LEAKY, '--format', 'json'])).stdout) as Report;
  t.equal(b.leakdexBaseline, 1);
  t.same(b.findings.map((f) => f.fingerprint).sort(), v1.findings.map((f) => f.fingerprint).sort(), 'the baseline holds every finding');
  t.notOk(SECRETS.some((s) => readFileSync(baseline, 'utf8').includes(s)), 'no secret in the baseline');

  const accepted = await cli(['scan', LEAKY, '--baseline', baseline, '--format', 'json']);
  t.equal(accepted.status, 0, 'scan with the baseline exits 0');
  const acc = JSON.parse(accepted.stdout) as Report;
  t.equal(acc.findings.length, 0, 'nothing counts');
  t.equal(acc.suppressed?.length, v1.findings.length, 'every finding is reported as suppressed');
  t.ok(acc.suppressed!.every((f) => f.suppression.kind === 'baseline'));
  t.match(accepted.stderr, /0 finding\(s\), \d+ suppressed; PASS: nothing at or above high/, 'the summary line says why it passes');

  // The next version adds leaks: only they count.
  const v2 = JSON.parse((await leakdex(['scan', V2, '--format', 'json'])).stdout) as Report;
  const known = new Set(v1.findings.map((f) => f.fingerprint));
  const newOnes = v2.findings.filter((f) => !known.has(f.fingerprint));
  const newGating = newOnes.filter((f) => severityRank(f.severity) >= severityRank('high'));
  t.ok(newGating.length > 0, `leaky-v2 adds ${newGating.length} finding(s) at or above high`);
  const next = await leakdex(['scan', V2, '--baseline', baseline, '--format', 'json']);
  t.equal(next.status, 1, 'a new leak fails the build despite the baseline');
  t.same((JSON.parse(next.stdout) as Report).findings.map((f) => f.fingerprint).sort(), newOnes.map((f) => f.fingerprint).sort(), 'exactly the new findings count');

  // .leakdexignore in the working directory: accept the new ones with a reason, one until a past date.
  const [first, ...rest] = newGating;
  const ignore = [`# accepted by the security team`, `${first!.fingerprint.slice(0, 16)} expires=2001-01-01 was a test key`, ...rest.map((f) => `${f.fingerprint} expires=2999-12-31 rotating in the next release`)];
  writeFileSync(join(dir, '.leakdexignore'), ignore.join('\n') + '\n');
  const expired = await cli(['scan', V2, '--baseline', baseline, '--format', 'json'], { cwd: dir });
  t.equal(expired.status, 1, 'an expired ignore entry counts again');
  t.match(expired.stderr, /\.leakdexignore line 2: accepted until 2001-01-01/, 'and says so on stderr');
  const ex = JSON.parse(expired.stdout) as Report;
  t.same(ex.findings.filter((f) => severityRank(f.severity) >= severityRank('high')).map((f) => f.fingerprint), [first!.fingerprint], 'only the expired one gates');
  writeFileSync(join(dir, '.leakdexignore'), ignore.join('\n').replace('2001-01-01', '2999-01-01') + '\n');
  const acceptedAll = await cli(['scan', V2, '--baseline', baseline, '--format', 'json'], { cwd: dir });
  t.equal(acceptedAll.status, 0, 'with every new one accepted, the build passes');
  t.ok(
    (JSON.parse(acceptedAll.stdout) as Report).suppressed!.some((f: SuppressedFinding) => f.fingerprint === first!.fingerprint && f.suppression.kind === 'ignore' && f.suppression.reason === 'was a test key' && f.suppression.expires === '2999-01-01'),
    'suppressed by the ignore entry, with its reason and date',
  );
  const quiet = await cli(['scan', V2, '--baseline', baseline, '--quiet', '--format', 'sarif'], { cwd: dir });
  t.equal(quiet.stderr, '', '--quiet writes nothing on stderr');
  t.same(schemaErrors(JSON.parse(quiet.stdout)), [], 'the gated SARIF validates');
  t.equal((await leakdex(['scan', V2, '--baseline', baseline, '--ignore-file', join(dir, 'none')])).status, 2, 'a missing --ignore-file is a usage error');

  // --fail-on with suppressions.
  t.equal((await leakdex(['scan', V2, '--baseline', baseline, '--fail-on', 'critical', '--format', 'json'])).status, newOnes.some((f) => f.severity === 'critical') ? 1 : 0, '--fail-on critical');
  t.equal((await leakdex(['scan', V2, '--baseline', baseline, '--fail-on', 'none'])).status, 0, '--fail-on none');

  // Errors are one line with a hint.
  writeFileSync(join(dir, 'bad-ignore'), `${'c'.repeat(64)}\n`);
  const bad = await leakdex(['scan', LEAKY, '--ignore-file', join(dir, 'bad-ignore')]);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /^leakdex: error: .*bad-ignore line 1: give a reason after the fingerprint\n$/);
  writeFileSync(join(dir, 'bad-baseline.json'), '{"hello": 1}');
  const badBase = await leakdex(['scan', LEAKY, '--baseline', join(dir, 'bad-baseline.json')]);
  t.equal(badBase.status, 2);
  t.match(badBase.stderr, /^leakdex: error: .*neither a leakdex baseline nor a leakdex JSON report \(hint: create one with: leakdex baseline create/);
  t.equal((await leakdex(['scan', LEAKY, '--baseline', join(ROOT, 'samples/android/leaky-multidex.expected.json')])).status, 2, 'a JSON that is no baseline is refused');
  const fmt = await leakdex(['scan', LEAKY, '--format', 'pdf']);
  t.equal(fmt.status, 2);
  t.match(fmt.stderr, /^leakdex: error: unknown --format pdf \(hint: use text, json, sarif, html, markdown\)\n$/);
  t.equal((await leakdex(['baseline', 'frobnicate', LEAKY])).status, 2);
  // An earlier JSON report is a baseline too.
  writeFileSync(join(dir, 'v1.json'), JSON.stringify(v1));
  t.equal((await leakdex(['scan', LEAKY, '--baseline', join(dir, 'v1.json')])).status, 0, 'a JSON report works as a baseline');

  for (const cmd of ['scan', 'baseline', 'dump', 'serve', 'worker', 'keys']) {
    const h = await leakdex([cmd, '--help']);
    t.equal(h.status, 0, `${cmd} --help exits 0`);
    t.match(h.stdout, /^Usage: leakdex /, `${cmd} --help prints usage`);
    if (['scan', 'baseline', 'dump'].includes(cmd)) t.match(h.stdout, /Examples?:\n {2}leakdex /, `${cmd} --help has examples`);
  }
  t.match((await leakdex(['help', 'serve'])).stdout, /leakdex serve/);
  t.match((await cli(['--help'])).stdout, /baseline create/);
});

t.test('progress bar and colours on a terminal, silence in CI', { skip: existsSync('/usr/bin/script') ? false : 'util-linux script(1) is not installed' }, async (t) => {
  const cmd = (env: string) => `${env} '${process.execPath}' '${CLI}' scan '${LEAKY}' --fail-on none`;
  const tty = await run('script', ['-qec', cmd(''), '/dev/null'], { env: { COLUMNS: '100' } });
  t.equal(tty.status, 0, `on a terminal (${tty.stderr.trim()})`);
  t.match(tty.stdout, /leakdex \[[#.]{24}\] \d+\/\d+ entries read, [\d.]+ MB inflated/, 'a progress bar is drawn');
  t.match(tty.stdout, /\x1b\[1;31mCRITICAL/, 'severities are coloured');
  const noColor = await run('script', ['-qec', cmd('NO_COLOR=1'), '/dev/null']);
  t.notMatch(noColor.stdout, /\x1b\[/, 'NO_COLOR: no escape sequence');
  t.match(noColor.stdout, /CRITICAL/);
  const quiet = await run('script', ['-qec', `${cmd('')} --quiet`, '/dev/null']);
  t.notMatch(quiet.stdout, /entries read/, '--quiet: no progress bar');
  const ci = await cli(['scan', LEAKY, '--fail-on', 'none']);
  t.equal(ci.stderr, '', 'not a terminal: nothing on stderr for a text report');
  t.notMatch(ci.stdout, /\x1b\[/, 'and no colour');
});

let server: RunningServer | undefined;
let apiKey = '';
let readOnlyKey = '';
let remoteHtml = '';

t.test('remote mode: upload, wait, print and gate like a local scan', async (t) => {
  const dir = tempDir();
  const config = loadConfig({ env: { LEAKDEX_DATA_DIR: join(dir, 'data') }, overrides: { host: '127.0.0.1', port: 0, bootstrapKey: false, logLevel: 'silent', jobs: { concurrency: 2, pollMs: 50 } } });
  server = await startServer(config);
  // Closed at the very end: the CI recipes below use it too.
  root.teardown(() => server?.close());
  apiKey = (await createApiKey(server.store, 'ci', ['read', 'write'])).token;
  readOnlyKey = (await createApiKey(server.store, 'ci', ['read'])).token;
  const remote = ['--server', server.url, '--api-key', apiKey];

  const local = JSON.parse((await leakdex(['scan', LEAKY, '--format', 'json'])).stdout) as Report;
  const r1 = await leakdex(['scan', LEAKY, ...remote, '--format', 'json']);
  t.equal(r1.status, 1, `remote scan of the leaky app exits 1 like the local one (${r1.stderr.trim()})`);
  const rep = JSON.parse(r1.stdout) as Report;
  t.equal(rep.artifact.path, LEAKY, 'the report names the file as given');
  t.equal(rep.artifact.sha256, local.artifact.sha256);
  t.same(rep.findings.map((f) => `${f.ruleId} ${f.severity} ${f.redacted}`), local.findings.map((f) => `${f.ruleId} ${f.severity} ${f.redacted}`), 'the same findings as a local scan');
  t.ok(rep.findings.every((f) => f.secret === undefined), 'redacted');
  const text = await cli(['scan', CLEAN, '--server', server.url], { env: { LEAKDEX_API_KEY: apiKey } });
  t.equal(text.status, 0, 'the clean app passes remotely; the key can come from LEAKDEX_API_KEY');
  t.match(text.stdout, /clean-app\.apk/);

  // A baseline made through the service gates remote scans (the service keys fingerprints with its own secret).
  const baseline = join(dir, 'remote-baseline.json');
  t.equal((await leakdex(['baseline', 'create', LEAKY, ...remote, '--output', baseline, '--quiet'])).status, 0);
  const gated = await leakdex(['scan', LEAKY, ...remote, '--baseline', baseline, '--format', 'json']);
  t.equal(gated.status, 0, 'remote scan with the remote baseline exits 0');
  t.equal((JSON.parse(gated.stdout) as Report).suppressed?.length, rep.findings.length);

  // The next version: the HTML report shows the diff the service computes.
  const html = join(dir, 'v2.html');
  const r2 = await leakdex(['scan', V2, ...remote, '--baseline', baseline, '--format', 'html', '--output', html]);
  t.equal(r2.status, 1, 'a new leak in the next version fails the remote scan too');
  remoteHtml = readFileSync(html, 'utf8');
  t.match(remoteHtml, /Compared with 1\.2\.0 \(12\)/, 'the HTML report carries the diff with the previous version');
  const md = await leakdex(['scan', V2, ...remote, '--format', 'markdown']);
  t.match(md.stdout, /Compared with \*\*1\.2\.0 \(12\)\*\*: \d+ new, \d+ resolved/, 'so does the Markdown report');

  // The service serves the same formats: ?format= first, then the Accept header, JSON by default.
  const auth = { authorization: `Bearer ${apiKey}` };
  const scansList = (await (await fetch(`${server.url}/v1/scans?limit=50`, { headers: auth })).json()) as { scans: { id: string; filename: string; sha256: string }[] };
  const v2Sha = (JSON.parse((await leakdex(['scan', V2, '--format', 'json', '--fail-on', 'none'])).stdout) as Report).artifact.sha256;
  const v2Scan = scansList.scans.find((s) => s.sha256 === v2Sha);
  t.ok(v2Scan, 'the v2 scan is listed');
  const reportUrl = `${server.url}/v1/scans/${v2Scan!.id}/report`;
  const sarifRes = await fetch(`${reportUrl}?format=sarif`, { headers: auth });
  t.equal(sarifRes.status, 200);
  t.match(sarifRes.headers.get('content-type'), /^application\/sarif\+json/);
  t.same(schemaErrors(await sarifRes.json()), [], 'the service SARIF validates');
  const htmlRes = await fetch(reportUrl, { headers: { ...auth, accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8' } });
  t.match(htmlRes.headers.get('content-type'), /^text\/html/, 'Accept: text/html gets HTML');
  t.match(await htmlRes.text(), /Compared with 1\.2\.0 \(12\)/, 'with the diff against the previous version');
  const mdRes = await fetch(reportUrl, { headers: { ...auth, accept: 'text/markdown' } });
  t.match(mdRes.headers.get('content-type'), /^text\/markdown/);
  t.match(await mdRes.text(), /^### leakdex: /);
  const jsonRes = await fetch(reportUrl, { headers: auth });
  t.match(jsonRes.headers.get('content-type'), /^application\/json/, 'JSON by default');
  t.equal(((await jsonRes.json()) as Report).schemaVersion, 1);
  t.match((await fetch(`${reportUrl}?format=text`, { headers: { ...auth, accept: 'text/html' } })).headers.get('content-type'), /^text\/plain/, '?format= wins over Accept');
  t.equal((await fetch(`${reportUrl}?format=pdf`, { headers: auth })).status, 400, 'an unknown format is a 400');

  // Errors: one line, a hint, exit 3 for the service, 2 for input it refuses.
  const wrongKey = await leakdex(['scan', LEAKY, '--server', server.url, '--api-key', 'ldx_wrong']);
  t.equal(wrongKey.status, 3, 'a refused key exits 3');
  t.match(wrongKey.stderr, /^leakdex: error: .*answered 401.*\(hint: check --api-key/);
  t.equal(wrongKey.stderr.split('\n').length, 2, 'in one line');
  const ro = await leakdex(['scan', LEAKY, '--server', server.url, '--api-key', readOnlyKey]);
  t.equal(ro.status, 3, 'a read-only key cannot upload');
  t.match(ro.stderr, /403.*hint: the key needs the write scope/);
  // A file the service refuses: exit 2 only when a local scan refuses it too (the file's fault), else 3 (the service
  // takes only apps, but the file can be scanned locally).
  const refusals: [string, string | Uint8Array, number, RegExp][] = [
    ['notes.txt', 'just text, no app here\n', 0, /answered 422 not_an_archive: .*\(hint: the service takes only an APK, AAB, IPA.*; scan other files without --server\)/],
    ['notes.zip', await new JSZip().file('notes.txt', 'hello').generateAsync({ type: 'uint8array' }), 0, /answered 422 not_an_app: .*\(hint: the service takes only /],
    ['damaged.apk', 'PK\u0003\u0004 truncated', 2, /answered 422 not_an_archive: the upload cannot be read as a ZIP archive.*\(hint: is it an APK, AAB or IPA\?\)/],
    ['empty.apk', '', 2, /empty\.apk: the file is empty/],
    ['page.apk', '<!doctype html><html><body>Sign in to download</body></html>\n', 2, /answered 422 not_an_archive: .*\(hint: is it an APK, AAB or IPA\?\)/],
  ];
  for (const [name, content, localStatus, message] of refusals) {
    const file = join(dir, name);
    writeFileSync(file, content);
    t.equal((await leakdex(['scan', file, '--fail-on', 'none'])).status, localStatus, `${name}: a local scan exits ${localStatus}`);
    const refused = await leakdex(['scan', file, ...remote, '--fail-on', 'none']);
    t.equal(refused.status, localStatus === 2 ? 2 : 3, `${name}: refused by the service, exit ${localStatus === 2 ? '2, unreadable input' : '3, the service could not be used'}`);
    t.match(refused.stderr, message, `${name}: the service's answer and a hint`);
    t.equal(refused.stderr.split('\n').length, 2, `${name}: in one line`);
  }
  const incomplete = await leakdex(['scan', join(ROOT, 'samples/ios/encrypted-ios.ipa'), ...remote, '--format', 'json']);
  t.equal(incomplete.status, 4, 'remote: an incomplete scan exits 4 as a local one does');
  t.match(JSON.parse(incomplete.stdout), { rating: { grade: 'C' }, verdict: { status: 'incomplete' } });
  const closedPort = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const port = (probe.address() as AddressInfo).port;
      probe.close(() => resolve(port));
    });
  });
  const down = await leakdex(['scan', LEAKY, '--server', `http://127.0.0.1:${closedPort}`, '--api-key', apiKey]);
  t.equal(down.status, 3, 'an unreachable service exits 3');
  t.match(down.stderr, /^leakdex: error: cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED \(hint: check --server/);
  t.equal((await leakdex(['scan', LEAKY, '--server', server.url])).status, 2, '--server without a key is a usage error');
  const ftp = await leakdex(['scan', LEAKY, '--server', 'ftp://x', '--api-key', 'k']);
  t.equal(ftp.status, 2, 'a non-http --server is a usage error');
  t.match(ftp.stderr, /not an http\(s\) URL \(hint: e\.g\. --server https:/);
});

testNeeding('HTML report in headless Chromium', existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing: apt-get install chromium (Debian's; .ci/run installs it)`, async (t) => {
  const dir = tempDir();
  const htmlFile = join(dir, 'leaky.html');
  const res = await cli(['scan', LEAKY, '--format', 'html', '--output', htmlFile]);
  t.equal(res.status, 1);
  const shown = scanFileSync(LEAKY, { showSecrets: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`file://${htmlFile}`);
  t.same(requests, [`file://${htmlFile}`], 'self-contained: the page loads nothing else');
  t.match(await page.title(), /Leakdex Leaky Sample.*rating F/);
  t.equal(await page.textContent('#rating'), 'F', 'rating F (critical findings)');
  const body = (await page.textContent('body')) ?? '';
  t.match(body, new RegExp(`${shown.findings.length} finding\\(s\\)`), 'summary count');
  t.match(await page.textContent('#verdict'), /^FAIL: \d+ finding\(s\) at or above high$/);
  const sections = await page.$$eval('section.sev', (els) => els.map((e) => e.id));
  t.same(
    sections.filter((s) => s.startsWith('sev-')),
    ['critical', 'high', 'medium', 'low', 'info'].filter((s) => shown.findings.some((f) => f.severity === s)).map((s) => `sev-${s}`),
    'findings grouped by severity, worst first',
  );
  t.equal(await page.locator('article.finding').count(), shown.findings.length, 'one card per finding');
  const providersInCritical = await page.$$eval('#sev-critical .provider', (els) => els.map((e) => e.getAttribute('data-provider')));
  t.same(providersInCritical, [...new Set(shown.findings.filter((f) => f.severity === 'critical').map((f) => f.provider))].sort(), 'grouped by provider within a severity');
  const aws = (await page.textContent('#advice .provider-advice[data-provider="aws"] .advice')) ?? '';
  t.match(aws, /What to do\..*access key in IAM/s, 'what to do for AWS');
  t.match(aws, /secrets manager/, 'move it to a secrets manager or a backend');
  // Reading a long report: advice once per provider, a summary table, a table of contents, a filter, a shorter page.
  const providers = [...new Set(shown.findings.map((f) => f.provider))].sort();
  t.same(await page.$$eval('#advice .provider-advice', (els) => els.map((e) => e.getAttribute('data-provider'))), providers, 'what to do: once per provider');
  t.equal(await page.locator('section.sev .advice').count(), 0, 'no advice repeated in the severity sections');
  t.equal(await page.locator('#glance tbody tr').count(), shown.findings.length, 'at a glance: one row per finding');
  const glanceLinks = await page.$$eval('#glance tbody a', (els) => els.map((e) => e.getAttribute('href')));
  t.same(glanceLinks, shown.findings.map((f) => `#f-${f.fingerprint}`), 'each row links to its card, worst first');
  const toc = await page.$$eval('#toc a', (els) => els.map((e) => e.getAttribute('href')!));
  t.ok(toc.includes('#glance') && toc.includes('#sev-critical') && toc.includes('#advice'), `table of contents: ${toc.join(' ')}`);
  for (const href of toc) t.equal(await page.locator(href).count(), 1, `${href} exists`);
  const cards = page.locator('article.finding');
  await page.click('label[for=filter-critical]');
  const visibleSeverities = await cards.evaluateAll((els) => els.filter((e) => (e as unknown as { offsetParent: unknown }).offsetParent !== null).map((e) => e.getAttribute('data-severity')));
  t.same(visibleSeverities, shown.findings.filter((f) => f.severity === 'critical').map(() => 'critical'), 'the severity filter shows only critical cards');
  t.equal(await page.locator('#glance tbody tr:visible').count(), shown.findings.filter((f) => f.severity === 'critical').length, 'and only their summary rows');
  await page.click('label[for=filter-all]');
  t.equal(await cards.evaluateAll((els) => els.filter((e) => (e as unknown as { offsetParent: unknown }).offsetParent !== null).length), shown.findings.length, '"all" shows every card again');
  const height = await page.$eval('html', (e) => (e as unknown as { scrollHeight: number }).scrollHeight);
  t.ok(height / shown.findings.length < 300, `${height} px for ${shown.findings.length} findings (was about 400 px a finding)`);
  for (const f of shown.findings) {
    const card = page.locator(`article.finding[data-fingerprint="${f.fingerprint}"]`);
    const text = (await card.textContent()) ?? '';
    t.ok(text.includes(f.redacted), `${f.ruleId}: redacted value shown`);
    t.ok(text.includes(f.locations[0]!.entry) && text.includes(f.locations[0]!.pointer), `${f.ruleId}: location shown`);
    if (f.secret!.length >= 12) t.notOk(body.includes(f.secret!), `${f.ruleId}: the full value is not in the page`);
  }
  const visible = await page.isVisible('#sev-critical');
  t.ok(visible, 'rendered and visible');
  const shotDir = join(ROOT, 'dist', 'screenshots');
  mkdirSync(shotDir, { recursive: true });
  const shot = join(shotDir, 'report-leaky-multidex.png');
  await page.screenshot({ path: shot, fullPage: true });
  const png = readFileSync(shot);
  t.ok(png.subarray(1, 4).toString() === 'PNG' && png.length > 20_000, `screenshot saved (${png.length} bytes) to ${shot}`);

  t.ok(remoteHtml, 'the remote-mode test above produced an HTML report to render');
  if (remoteHtml) {
    const file = join(dir, 'remote.html');
    writeFileSync(file, remoteHtml);
    await page.goto(`file://${file}`);
    t.match((await page.textContent('#diff')) ?? '', /Compared with 1\.2\.0 \(12\)\s*\d+ new, \d+ resolved/, 'the diff section renders');
    t.ok(await page.isVisible('#suppressed'), 'suppressed findings are listed');
    await page.screenshot({ path: join(shotDir, 'report-remote-diff.png'), fullPage: true });
  }
});

/** The lines of a YAML block scalar (`key: |`) or list under `key:` after the line matching `anchor`. */
function yamlBlock(text: string, anchor: RegExp, key: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => anchor.test(l));
  if (start < 0) return [];
  const keyLine = lines.findIndex((l, i) => i > start && new RegExp(`^\\s*${key}:`).test(l));
  if (keyLine < 0) return [];
  const indent = /^\s*/.exec(lines[keyLine]!)![0].length;
  const out: string[] = [];
  for (let i = keyLine + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() !== '' && /^\s*/.exec(l)![0].length <= indent && !/^\s*- /.test(l)) break;
    if (l.trim().startsWith('#')) continue;
    if (/^\s*- /.test(l) && /^\s*/.exec(l)![0].length < indent) break;
    out.push(l);
  }
  const body = out.filter((l) => l.trim() !== '');
  const min = Math.min(...body.map((l) => /^\s*/.exec(l)![0].length));
  return body.map((l) => l.slice(min)).map((l) => (l.startsWith('- ') ? l.slice(2) : l));
}

t.test('CI recipes in docs/ci, run against the samples', async (t) => {
  const dir = tempDir();
  const gha = readFileSync(join(ROOT, 'docs/ci/github-actions.yml'), 'utf8');
  const gitlab = readFileSync(join(ROOT, 'docs/ci/gitlab-ci.yml'), 'utf8');
  // `leakdex` on PATH is the one the recipes install: the package file `npm pack` makes from these sources, put in a
  // temporary prefix by the recipe's own install line.
  const install = /- name: Install leakdex\n\s+run: (.+)/.exec(gha)?.[1] ?? '';
  t.match(install, /^npm install --global "\$LEAKDEX_PACKAGE"$/, 'GitHub: installs the packed tarball named by LEAKDEX_PACKAGE');
  t.same(yamlBlock(gitlab, /^leakdex:/, 'before_script'), [install], 'GitLab: the same install line');
  const started = Date.now();
  const pack = await packLeakdex(dir);
  const packed = Date.now();
  t.ok(pack.files.includes('dist/src/pipeline/worker.bundle.js') && pack.files.includes('bin/leakdex.js'), `npm pack: the prepack build made the package (${pack.files.length} files)`);
  t.same(pack.files.filter((f) => !/^(bin\/[^/]+\.js|dist\/(src|decoders|rules)\/.+\.js|package\.json|README\.md)$/.test(f)), [], 'only the CLI, compiled code and README: no tests, sources, maps or tools');
  const prefix = join(dir, 'prefix');
  // From npm's cache (npm ci filled it), without install scripts: better-sqlite3's (a download, or minutes of
  // compiling here) serves only the service's store, which a scan never loads: the scans below prove it.
  const npmEnv = { LEAKDEX_PACKAGE: pack.tarball, npm_config_prefix: prefix, npm_config_prefer_offline: 'true', npm_config_ignore_scripts: 'true', npm_config_audit: 'false', npm_config_fund: 'false' };
  const installed = await run('sh', ['-c', install], { cwd: dir, env: npmEnv });
  t.equal(installed.status, 0, `the install line installs it (${installed.stderr.trim().slice(-500)})`);
  t.comment(`npm pack ${((packed - started) / 1000).toFixed(1)} s, npm install -g ${((Date.now() - packed) / 1000).toFixed(1)} s`);
  const modules = join(prefix, 'lib/node_modules/leakdex/node_modules');
  t.same(['typescript', 'tap', 'esbuild', 'eslint', 'jszip', 'playwright-core'].filter((m) => existsSync(join(modules, m))), [], 'no dev dependency is installed');
  const bin = join(prefix, 'bin');
  t.ok(existsSync(join(bin, 'leakdex')), 'leakdex is in the prefix\'s bin/');
  // The installed bin runs under `node` from PATH: this test's own runtime.
  const PATH = `${bin}:${dirname(process.execPath)}:${process.env.PATH}`;
  const version = await run('leakdex', ['--version'], { cwd: dir, env: { PATH } });
  const { version: want } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  t.ok(version.status === 0 && version.stdout.includes(want), `the installed leakdex runs: ${version.stdout.trim()}`);

  t.match(gha, /security-events: write/, 'GitHub: permission to upload SARIF');
  t.match(gha, /uses: github\/codeql-action\/upload-sarif@v3\n\s+with:\n\s+sarif_file: leakdex\.sarif/, 'GitHub: uploads leakdex.sarif');
  t.match(gha, /if: \$\{\{ always\(\)/, 'GitHub: the SARIF is uploaded even when the scan step fails the job');
  const ghaScript = yamlBlock(gha, /id: leakdex/, 'run').join('\n');
  t.match(ghaScript, /leakdex scan "\$APP_PATH" --format sarif --output leakdex\.sarif/);
  for (const [apk, want] of [
    [LEAKY, 1],
    [CLEAN, 0],
  ] as const) {
    const ws = mkdtempSync(join(dir, 'gha-'));
    const res = await run('bash', ['-e', '-c', ghaScript], { cwd: ws, env: { PATH, APP_PATH: apk } });
    t.equal(res.status, want, `GitHub step on ${apk.split('/').pop()} exits ${want} (${res.stderr.trim()})`);
    t.same(schemaErrors(JSON.parse(readFileSync(join(ws, 'leakdex.sarif'), 'utf8'))), [], 'and leaves a schema-valid leakdex.sarif to upload');
  }
  {
    const ws = mkdtempSync(join(dir, 'gha-'));
    t.equal((await leakdex(['baseline', 'create', LEAKY, '--output', join(ws, 'leakdex-baseline.json'), '--quiet'])).status, 0);
    const res = await run('bash', ['-e', '-c', ghaScript], { cwd: ws, env: { PATH, APP_PATH: LEAKY } });
    t.equal(res.status, 0, 'GitHub step with a committed baseline passes');
    const log = JSON.parse(readFileSync(join(ws, 'leakdex.sarif'), 'utf8')) as SarifLog;
    t.ok(log.runs[0]!.results.length > 0 && log.runs[0]!.results.every((r) => r.suppressions?.length === 1), 'accepted findings are uploaded as suppressed');
  }

  t.match(gitlab, /artifacts:\n\s+when: always\n\s+expose_as: leakdex report\n\s+paths:\n\s+- leakdex\.md/, 'GitLab: the Markdown report is an artifact, kept on failure');
  const glScript = yamlBlock(gitlab, /^leakdex:/, 'script');
  t.equal(glScript.length, 2, 'GitLab: two script lines');
  for (const [apk, want] of [
    [V2, 1],
    [CLEAN, 0],
  ] as const) {
    const ws = mkdtempSync(join(dir, 'gl-'));
    let status: number | null = 0;
    for (const line of glScript) {
      const res = await run('sh', ['-c', line], { cwd: ws, env: { PATH, APP_PATH: apk } });
      status = res.status;
      if (status !== 0) break;
    }
    t.equal(status, want, `GitLab job on ${apk.split('/').pop()} exits ${want}`);
    const md = readFileSync(join(ws, 'leakdex.md'), 'utf8');
    t.match(md, /^### leakdex: /, 'leaves leakdex.md');
    t.ok(md.length < MAX_MARKDOWN_CHARS, 'sized for a comment');
  }

  const step = join(ROOT, 'docs/ci/leakdex-step.sh');
  const ws = mkdtempSync(join(dir, 'sh-'));
  const leaky = await run('sh', [step, LEAKY], { cwd: ws, env: { PATH } });
  t.equal(leaky.status, 1, 'shell step: leaky app exits 1');
  t.match(leaky.stdout, /new hardcoded secret\(s\) at or above high in .*leaky-multidex\.apk: see leakdex-report\.html/);
  t.ok(existsSync(join(ws, 'leakdex-report.html')), 'writes the HTML report');
  const clean = await run('sh', [step, CLEAN], { cwd: ws, env: { PATH } });
  t.equal(clean.status, 0, 'shell step: clean app exits 0');
  const encrypted = join(ROOT, 'samples/ios/encrypted-ios.ipa');
  const incomplete = await run('sh', [step, encrypted], { cwd: ws, env: { PATH } });
  t.equal(incomplete.status, 4, 'shell step: an encrypted app is an incomplete scan, exit 4');
  t.match(incomplete.stdout, /incomplete scan of .*encrypted-ios\.ipa: part of it was not scanned/);
  t.equal((await run('sh', [step, encrypted], { cwd: ws, env: { PATH, LEAKDEX_ALLOW_INCOMPLETE: '1' } })).status, 0, 'LEAKDEX_ALLOW_INCOMPLETE=1 accepts it');
  const custom = await run('sh', [step, LEAKY], { cwd: ws, env: { LEAKDEX: `'${process.execPath}' '${CLI}'`.replace(/'/g, ''), LEAKDEX_FAIL_ON: 'none', LEAKDEX_OUT: 'custom' } });
  t.equal(custom.status, 0, 'LEAKDEX and LEAKDEX_FAIL_ON are honoured');
  t.ok(existsSync(join(ws, 'custom.html')));
  const missing = await run('sh', [step, join(ws, 'nope.apk')], { cwd: ws, env: { PATH } });
  t.equal(missing.status, 2, 'a missing app exits 2');
  t.match(missing.stdout, /could not scan/);
  t.ok(server, 'the remote-mode test above started a server');
  if (server) {
    const remote = await run('sh', [step, LEAKY], { cwd: ws, env: { PATH, LEAKDEX_SERVER: server.url, LEAKDEX_API_KEY: apiKey, LEAKDEX_OUT: 'remote' } });
    t.equal(remote.status, 1, 'shell step in remote mode (LEAKDEX_SERVER, LEAKDEX_API_KEY)');
    t.ok(existsSync(join(ws, 'remote.html')));
  }
});
