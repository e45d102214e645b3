/**
 * What a user reads: the one verdict (an incomplete scan never passes) in every format and the exit code, text from
 * the app neutralised in every format (terminal escapes, CR/LF, Markdown and HTML in entry names and strings), the
 * text report's order and units, and one-line usage errors.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule from 'ajv-draft-04';
import JSZip from 'jszip';
import { renderReport, FORMATS } from '../../src/report/render.js';
import type { Report } from '../../src/report/types.js';
import { gapOf, scanGaps, verdictOf } from '../../src/report/verdict.js';
import { mdCode, visible } from '../../src/report/escape.js';
import { closest } from '../../src/cli/args.js';
import { slackPayload } from '../../src/market/watches.js';
import { runMain } from '../helpers/cli.js';
import { CLEAN_APK as CLEAN, CLI, LEAKY_APK as LEAKY, ROOT, tempDir } from '../helpers/files.js';

const ENCRYPTED = join(ROOT, 'samples/ios/encrypted-ios.ipa');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI's `main` in this process: its exit code and the exact text it writes (a process start-up adds nothing here). */
const cli = (args: string[]): Promise<Run> => runMain(args);

/** The CLI as a child process: the real exit status of `node main.js`. */
function cliProcess(args: string[], cwd = ROOT): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.LEAKDEX_SERVER;
    delete env.LEAKDEX_API_KEY;
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const Ajv = AjvModule.default;
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const validateSarif = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'test/fixtures/sarif-schema-2.1.0.json'), 'utf8')) as object);

/** Markdown with its code spans (CommonMark: a run of N backticks up to the next run of exactly N) removed: what is left is read as markup. */
function outsideCode(md: string): string {
  let out = '';
  let i = 0;
  while (i < md.length) {
    const open = /`+/g;
    open.lastIndex = i;
    const m = open.exec(md);
    if (!m) break;
    out += md.slice(i, m.index);
    const close = new RegExp(`(?<!\`)${m[0]}(?!\`)`, 'g');
    close.lastIndex = m.index + m[0].length;
    const c = close.exec(md);
    if (!c) {
      out += m[0];
      i = m.index + m[0].length;
      continue;
    }
    i = c.index + c[0].length;
  }
  return out + md.slice(i);
}

/** Characters that must never reach a terminal or a reader raw from a report. */
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

t.test('an incomplete scan never passes: one verdict in every format, the exit code and --allow-incomplete', async (t) => {
  const dir = tempDir();
  const text = await cliProcess(['scan', ENCRYPTED]);
  t.equal(text.status, 4, 'an encrypted IPA exits 4, not 0 (a real process)');
  const lines = text.stdout.trimEnd().split('\n');
  t.match(lines.at(-1), /^rating C \(capped: incomplete scan; the findings alone give A\) · INCOMPLETE: 1 part\(s\) of the app not scanned \(encrypted code: Payload\/Vault\.app\/Vault\)/, 'the text report ends with the verdict');

  const json = await cli(['scan', ENCRYPTED, '--format', 'json', '--quiet']);
  t.equal(json.status, 4);
  const r = JSON.parse(json.stdout) as Report;
  t.match(r.rating, { grade: 'C', capped: { from: 'A', reason: 'incomplete' } }, 'never graded A');
  t.same(r.completeness, { complete: false, gaps: [{ entry: 'Payload/Vault.app/Vault', code: 'macho.encrypted', kind: 'encrypted' }] });
  t.same(r.verdict, { status: 'incomplete', failOn: 'high', allowIncomplete: false, failing: 0, exitCode: 4 });

  const html = await cli(['scan', ENCRYPTED, '--format', 'html', '--output', join(dir, 'r.html')]);
  t.equal(html.status, 4);
  const page = readFileSync(join(dir, 'r.html'), 'utf8');
  t.match(page, /<div class="rating r-C" id="rating"[^>]*>C<\/div>/, 'HTML: C, not a green A');
  t.match(page, /class="gate incomplete" id="verdict" data-status="incomplete">INCOMPLETE:/);
  t.notMatch(page, /passes|PASS|class="rating r-A"/, 'HTML never says it passes');
  t.match(page, /<section class="box incomplete" id="incomplete">/, 'and lists what was not scanned');
  t.match(html.stderr, /^leakdex: 2 finding\(s\) \(1 low, 1 info\); INCOMPLETE: .*; html report written to /, 'the stderr summary says the same');

  const md = await cli(['scan', ENCRYPTED, '--format', 'markdown', '--quiet']);
  t.equal(md.status, 4);
  t.match(md.stdout.split('\n')[0], /rating \*\*C\*\* \(capped: incomplete scan\) — ⚠️ \*\*INCOMPLETE\*\*$/, 'Markdown: no ✅');
  t.notMatch(md.stdout, /✅/);

  const sarif = await cli(['scan', ENCRYPTED, '--format', 'sarif', '--quiet']);
  t.equal(sarif.status, 4);
  const log = JSON.parse(sarif.stdout) as { runs: { properties: { verdict: { status: string } }; invocations: { toolExecutionNotifications: { level: string; descriptor: { id: string } }[] }[] }[] };
  t.ok(validateSarif(log), 'SARIF stays schema-valid');
  t.equal(log.runs[0]!.properties.verdict.status, 'incomplete');
  t.match(log.runs[0]!.invocations[0]!.toolExecutionNotifications[0], { level: 'error', descriptor: { id: 'leakdex.incomplete' } });

  t.equal((await cli(['scan', ENCRYPTED, '--fail-on', 'none', '--quiet'])).status, 4, '--fail-on none does not accept an incomplete scan');
  const allowed = await cli(['scan', ENCRYPTED, '--allow-incomplete', '--format', 'json']);
  t.equal(allowed.status, 0, '--allow-incomplete: exit 0');
  const a = JSON.parse(allowed.stdout) as Report;
  t.match(a.verdict, { status: 'pass', allowIncomplete: true, exitCode: 0 });
  t.equal(a.rating.grade, 'C', 'the rating stays capped');
  t.match(allowed.stderr, /PASS: nothing at or above high; 1 part\(s\) of the app not scanned .* accepted with --allow-incomplete/);
  t.equal((await cli(['scan', LEAKY, '--allow-incomplete', '--quiet'])).status, 1, 'findings still fail with --allow-incomplete');
  t.equal((await cli(['scan', CLEAN, '--quiet'])).status, 0, 'a complete clean scan passes');
});

/** The clean sample with `entries` added (a real APK, re-zipped by jszip). */
async function apkWith(entries: Record<string, string>): Promise<Buffer> {
  const zip = await JSZip.loadAsync(readFileSync(CLEAN));
  for (const [name, text] of Object.entries(entries)) zip.file(name, text);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

t.test('an entry that cannot be read (broken deflate) makes the scan incomplete', async (t) => {
  const dir = tempDir();
  const name = 'assets/broken.txt';
  const apk = await apkWith({ [name]: 'x'.repeat(4000) });
  // The first occurrence of the name is the local header: its data follows the 30-byte header, the name and the extra field.
  const at = apk.indexOf(Buffer.from(name)) - 30;
  t.equal(apk.readUInt32LE(at), 0x04034b50, 'local header found');
  const data = at + 30 + apk.readUInt16LE(at + 26) + apk.readUInt16LE(at + 28);
  apk.fill(0xff, data, data + 8); // deflate block type 3: invalid
  const file = join(dir, 'broken.apk');
  writeFileSync(file, apk);
  const res = await cli(['scan', file, '--format', 'json', '--quiet']);
  t.equal(res.status, 4, 'exit 4');
  const r = JSON.parse(res.stdout) as Report;
  t.same(r.completeness?.gaps, [{ entry: name, code: 'zip.bad_deflate', kind: 'unread' }]);
  t.equal(r.verdict?.status, 'incomplete');
});

t.test('which diagnostics are gaps', async (t) => {
  const d = (code: string, decoder: string, level: 'error' | 'warning' | 'info' = 'warning', entry = 'x') => ({ entry, decoder, level, code, message: '' });
  t.equal(gapOf(d('macho.encrypted', 'macho')), 'encrypted');
  t.equal(gapOf(d('scan.entry_crashed_worker', 'scan', 'error')), 'crashed');
  for (const c of ['scan.entry_too_large', 'scan.nested_too_large', 'scan.nesting_too_deep', 'scan.too_many_strings', 'json.too_many_nodes', 'xml.too_many_strings', 'json.too_deep']) t.equal(gapOf(d(c, c.split('.')[0]!)), 'limit', c);
  t.equal(gapOf(d('zip.entry_too_large', 'zip', 'error')), 'unread', 'a reader error: the entry was never read');
  t.equal(gapOf(d('dir.total_too_large', 'dir', 'error')), 'unread');
  t.equal(gapOf(d('plist.too_many_nodes', 'plist', 'error')), undefined, "a decoder's error is not a gap: its printable runs are scanned");
  t.equal(gapOf(d('dex.code_budget', 'dex')), undefined, 'a code-context budget is not a gap');
  t.equal(gapOf(d('zip.duplicate_name', 'zip', 'warning', '')), undefined, 'a tampered but readable archive is not a gap');
  const report = { findings: [], diagnostics: [d('macho.encrypted', 'macho'), d('macho.encrypted', 'macho')], artifact: { app: { encryptedBinaries: ['x', 'y'] } } } as unknown as Report;
  t.same(scanGaps(report).map((g) => g.entry), ['x', 'y'], 'one gap per entry and code');
  const base = { findings: [], suppressed: undefined, diagnostics: [], artifact: { app: {} } } as unknown as Report;
  t.match(verdictOf(base), { status: 'pass', complete: true, exitCode: 0, rating: { grade: 'A' } });
  t.match(verdictOf(report), { status: 'incomplete', exitCode: 4, rating: { grade: 'C' } });
});

/** Names and strings an attacker puts in an app to act on whoever reads its report. */
const TITLE = '\x1b]0;pwned\x07'; // set the terminal title
const CLEAR = '\x1b[2J\x1b[H'; // clear the screen
const FORGED = '\r\nCRITICAL forged line | <img src=x onerror=alert(1)> [click](https://evil.example) `tick`';
const EVIL_NAME = `assets/${TITLE}${CLEAR}${FORGED} \u202eexe.properties`;
const EVIL_JSON = `assets/${CLEAR}<script>alert(1)</script>|.json`;
/** A GitHub token shape (fake): found by its pattern, whatever its key. */
const TOKEN = 'ghp_' + 'R8sK2mQ7vX4pL9tW3nB6yH1cF5jD0gZ2aE7u';

t.test('output injection: file names, keys and strings carrying escapes, CR/LF and markup are neutralised in every format', async (t) => {
  const dir = tempDir();
  const file = join(dir, 'evil.apk');
  writeFileSync(file, await apkWith({ [EVIL_NAME]: `${CLEAR}api\x1b[8m_key${FORGED.replace(/\r\n/, '')}=${TOKEN}\n`, [EVIL_JSON]: JSON.stringify({ [`k${TITLE}\u009b31m|<b>x</b>`]: TOKEN }) }));
  const json = await cli(['scan', file, '--format', 'json', '--fail-on', 'none']);
  const report = JSON.parse(json.stdout) as Report;
  const entries = report.findings.flatMap((f) => f.locations.map((l) => l.entry));
  t.ok(entries.includes(EVIL_NAME) && entries.includes(EVIL_JSON), 'the JSON keeps the exact names (as JSON escapes)');
  t.notMatch(json.stdout, RAW_CONTROL, 'JSON: no raw control, C1 or bidi character');

  for (const format of FORMATS) {
    const res = await cli(['scan', file, '--format', format, '--fail-on', 'none']);
    t.equal(res.status, 0, `${format}: exit 0 under --fail-on none`);
    t.notMatch(res.stdout, RAW_CONTROL, `${format}: no raw ESC, BEL, CR, C1 or bidi character`);
    t.notMatch(res.stderr, RAW_CONTROL, `${format}: nor on stderr`);
    t.notMatch(res.stdout, /(^|\n)CRITICAL forged/, `${format}: no forged line`);
    if (format === 'text') {
      t.ok(res.stdout.includes(visible(TITLE + CLEAR)), 'text: the escapes are shown as \\x1b…');
      t.ok(res.stdout.includes('\\r\\nCRITICAL forged') && res.stdout.includes('\\u202e'), 'text: CR/LF and the bidi override are visible');
    }
    if (format === 'markdown') {
      const markup = outsideCode(res.stdout);
      t.ok(markup.length < res.stdout.length && res.stdout.includes('<img src=x'), 'markdown: the markup from the file sits inside code spans');
      t.notMatch(markup, /(^|[^\\])<(img|script|b)\b/, 'markdown: no raw HTML outside code');
      t.notMatch(markup, /(^|[^\\])\[click\]\(/, 'markdown: no link outside code');
      for (const row of res.stdout.split('\n').filter((l) => l.startsWith('| ') && l.includes('github'))) {
        t.equal(row.match(/(?<!\\)\|/g)?.length, 6, 'markdown: a finding row has its five cells, the pipes in names escaped');
      }
    }
    if (format === 'html') {
      t.notMatch(res.stdout, /<(img|script|b)\b/, 'html: no tag from the file');
      t.ok(res.stdout.includes('&lt;img src=x onerror=alert(1)&gt;'), 'html: the markup is shown as text');
    }
    if (format === 'sarif') {
      const log = JSON.parse(res.stdout) as { runs: { results: { message: { text: string } }[] }[] };
      t.ok(validateSarif(log), 'sarif: schema-valid JSON');
      const texts = log.runs[0]!.results.map((r) => r.message.text).join('\n');
      t.ok(texts.includes('\\[click\\](https://evil.example)'), 'sarif: brackets escaped, no embedded link');
    }
  }
  const written = await cli(['scan', file, '--format', 'json', '--fail-on', 'none', '--output', join(dir, `out${CLEAR}.json`)]);
  t.notMatch(written.stderr, RAW_CONTROL, 'the stderr summary escapes the output path');
  const dump = await cli(['dump', file]);
  t.notMatch(dump.stdout, RAW_CONTROL, 'dump: JSON lines with escapes only');
});

t.test('escaping: app names, diagnostics and values in every format (synthetic report)', async (t) => {
  const evil = `${TITLE}${FORGED}\u2028x`;
  const report: Report = {
    schemaVersion: 1,
    tool: { name: 'leakdex', version: '0' },
    artifact: { path: `a${CLEAR}.apk`, sha256: '0'.repeat(64), size: 10, kind: 'apk', platform: 'android', app: { id: `com.x${TITLE}`, name: evil, versionName: `1${FORGED}`, versionCode: '1' } },
    findings: [
      {
        ruleId: 'github-token',
        provider: 'github',
        title: 'GitHub token',
        severity: 'critical',
        confidence: 'high',
        reason: `bound to ${evil}`,
        redacted: `gh${CLEAR}…|x`,
        fingerprint: 'f'.repeat(64),
        locations: [{ entry: evil, decoder: 'properties', pointer: `line 1 ${FORGED}`, context: evil }],
      },
    ],
    rating: { grade: 'F', score: 40, counts: { critical: 1, high: 0, medium: 0, low: 0, info: 0 } },
    diagnostics: [{ entry: evil, decoder: 'zip', level: 'warning', code: 'zip.duplicate_name', message: `duplicate ${evil}` }],
    stats: { entries: 1, bytesRead: 1, bytesInflated: 1, strings: 1, durationMs: 1, stages: { unzip: 0, decode: 0, detect: 0 } },
  };
  for (const format of FORMATS) {
    const out = await renderReport(report, format);
    t.notMatch(out, RAW_CONTROL, `${format}: no raw control character`);
    t.notMatch(out, /\u2028/, `${format}: no line separator`);
    t.notMatch(out, /(^|\n)CRITICAL forged/, `${format}: no forged line`);
  }
  const md = await renderReport(report, 'markdown');
  t.match(md.split('\n')[0], /^### leakdex: `.*` — rating \*\*F\*\*/, 'markdown: the app label is inline code on the heading line');
  t.equal(mdCode('a`b``c', true), '```a`b``c```', 'inline code fence longer than any backtick run');
  t.equal(mdCode('x|y', true), '`x\\|y`', 'pipes escaped in a table cell');
  const slack = slackPayload({ scanned: true, version: { appId: `com.x${TITLE}`, name: '<!channel>', code: '<https://evil.example|click>', key: 'k' }, new: [{ severity: 'high', title: 'T', redacted: 'a&<b>' }] }).text;
  t.ok(slack.includes('&lt;!channel&gt;') && slack.includes('&lt;https://evil.example|click&gt;') && slack.includes('a&amp;&lt;b&gt;'), 'Slack: no mention, no link from the app');
  t.notMatch(slack, RAW_CONTROL, 'Slack: no raw control character');
});

t.test('text report: suppressed findings before the closing lines, sizes in B/KiB/MiB', async (t) => {
  const dir = tempDir();
  const baseline = join(dir, 'b.json');
  t.equal((await cli(['baseline', 'create', LEAKY, '--output', baseline, '--quiet'])).status, 0);
  const res = await cli(['scan', LEAKY, '--baseline', baseline]);
  t.equal(res.status, 0);
  const lines = res.stdout.trimEnd().split('\n');
  const sup = lines.findIndex((l) => /^\d+ suppressed finding\(s\)/.test(l));
  const stats = lines.findIndex((l) => /^\d+ entries, \d+ strings, /.test(l));
  t.ok(sup > 0 && stats > sup, `suppressed findings (line ${sup}) come before the figures (line ${stats})`);
  t.equal(stats, lines.length - 2, 'the figures, then the verdict, close the report');
  t.match(lines.at(-1), /^rating A · PASS: nothing at or above high$/);
  t.match(lines[stats], /^\d+ entries, \d+ strings, \d+\.\d KiB inflated in \d+ ms$/, 'a small app is counted in KiB, not "0.0 MB"');
  t.notMatch(res.stdout, /0\.0 MB/);
  t.match(lines[0], /\(apk, android, \d+\.\d KiB, sha256 /);
});

t.test('usage errors: one line, "did you mean"; an unbuilt checkout says to build', async (t) => {
  const typo = await cliProcess(['scan', LEAKY, '--formt', 'json']);
  t.equal(typo.status, 2);
  t.equal(typo.stderr, 'leakdex: error: unknown option --formt: did you mean --format? (hint: leakdex scan --help lists its options)\n', 'one line with a suggestion');
  const swapped = await cli(['scan', LEAKY, '--fial-on=high']);
  t.match(swapped.stderr, /^leakdex: error: unknown option --fial-on: did you mean --fail-on\?/, 'a transposition is one edit');
  const missing = await cli(['scan', LEAKY, '--format']);
  t.equal(missing.stderr, 'leakdex: error: --format needs a value (hint: leakdex scan --help lists its options)\n');
  const keys = await cli(['keys', 'list', '--tenat', 'x']);
  t.equal(keys.status, 2);
  t.match(keys.stderr, /^leakdex: error: unknown option --tenat: did you mean --tenant\?/, 'service commands too');
  const rules = await cli(['rules', '--fromat', 'json']);
  t.match(rules.stderr, /^leakdex: error: unknown option --fromat: did you mean --format\?/, 'and rules');
  t.match((await cli(['scan', LEAKY, '--format', 'jsno'])).stderr, /^leakdex: error: unknown --format jsno: did you mean json\? \(hint: use text, json/, 'a mistyped value too');
  t.match((await cli(['scan', LEAKY, '--fail-on', 'hihg'])).stderr, /^leakdex: error: unknown --fail-on hihg: did you mean high\?/);
  const cmd = await cli(['scna', LEAKY]);
  t.match(cmd.stderr, /^leakdex: error: unknown command 'scna': did you mean scan\?/);
  for (const r of [typo, swapped, missing, keys, rules, cmd]) t.notMatch(r.stderr, /To specify a positional|\n./, 'no raw parser text, one line');
  t.equal(closest('--zzzzzz', ['--format']), undefined, 'no suggestion for something unlike any option');

  // bin/leakdex.js in a checkout without dist/.
  const dir = tempDir();
  mkdirSync(join(dir, 'bin'));
  copyFileSync(join(ROOT, 'bin/leakdex.js'), join(dir, 'bin/leakdex.js'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  const unbuilt = await new Promise<Run>((resolve) => {
    const child = spawn(process.execPath, [join(dir, 'bin/leakdex.js'), 'scan', LEAKY], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
  t.equal(unbuilt.status, 2);
  t.match(unbuilt.stderr, /^leakdex: error: leakdex is not built yet \(.*dist\/src\/cli\/main\.js is missing\) \(hint: run `npm ci && npm run build` in .*\)\n$/);
  t.notMatch(unbuilt.stderr, /ERR_MODULE_NOT_FOUND|\n\s+at /, 'no module-resolution stack');
});
