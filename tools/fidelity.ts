/**
 * `npm run fidelity -- CORPUS_DIR`: compares what `leakdex dump` decodes from each real APK of the corpus with the
 * independent oracle (androguard 3.4 + aapt) in CORPUS_DIR/oracle: the sorted DEX string hash and count, the
 * default-configuration `string` resources, the manifest meta-data, and package/version. Prints one line per APK and
 * totals. The corpus is reference material outside the repo, so this is a developer tool, not a test.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dumpFileSync } from '../src/pipeline/index.js';
import { scanFileSync } from '../src/pipeline/index.js';

interface Oracle {
  package?: string;
  versionCode?: string | null;
  versionName?: string | null;
  dex_strings_total?: number;
  dex_strings_sha256_sorted?: string;
  resources_strings_default?: Record<string, string>;
  resources_strings_default_conflicting_dups?: number;
  manifest_meta_data?: Record<string, string | null>;
}

function sortedHash(strings: string[]): string {
  const h = createHash('sha256');
  const zero = Buffer.alloc(2);
  for (const s of strings.sort()) {
    h.update(Buffer.from(s, 'utf16le'));
    h.update(zero);
  }
  return h.digest('hex');
}

const LOCALE = /^(?:mcc\d+-)?(?:mnc\d+-)?(?:[a-z]{2,3}(?:-r[A-Z0-9]{2,3})?|b\+[A-Za-z0-9+]+)(?:-|$)/;
const corpus = process.argv[2] ?? '../shared/corpus';
const oracleDir = join(corpus, 'oracle');
if (!existsSync(oracleDir)) {
  process.stderr.write(`no oracle directory at ${oracleDir}\n`);
  process.exit(2);
}
const totals = { apks: 0, dexExact: 0, dexChecked: 0, resChecked: 0, resExact: 0, resValues: 0, resAgree: 0, metaChecked: 0, metaExact: 0, idChecked: 0, idExact: 0 };
for (const f of readdirSync(oracleDir).sort()) {
  if (!f.startsWith('android__') || !f.endsWith('.json')) continue;
  const rel = f.replace(/\.json$/, '').split('__').join('/');
  const apk = join(corpus, rel);
  if (!existsSync(apk)) continue;
  const oracle = JSON.parse(readFileSync(join(oracleDir, f), 'utf8')) as Oracle;
  totals.apks++;
  const dex: string[] = [];
  const res = new Map<string, string>();
  const meta = new Map<string, string>();
  dumpFileSync(apk, (s) => {
    const { entry, decoder, pointer } = s.location;
    if (decoder === 'dex' && !entry.includes('!/') && /^string_ids\[\d+\]/.test(pointer)) dex.push(s.text);
    else if (decoder === 'arsc' && entry === 'resources.arsc') {
      // androguard's "default" merges every configuration without a language or region; the last one wins.
      const m = /^string\/([^ []+)(?: \[([^\]]+)\])?$/.exec(pointer);
      if (m && !(m[2] !== undefined && LOCALE.test(m[2]))) res.set(m[1]!, s.text);
    } else if (decoder === 'axml' && entry === 'AndroidManifest.xml') {
      const m = /^meta-data\[(.+?)\](?: -> (@\S+))?/.exec(pointer);
      if (m && !meta.has(m[1]!)) meta.set(m[1]!, m[2] ?? s.text);
    }
  });
  const notes: string[] = [];
  if (oracle.dex_strings_sha256_sorted) {
    totals.dexChecked++;
    const ok = dex.length === oracle.dex_strings_total && sortedHash(dex) === oracle.dex_strings_sha256_sorted;
    if (ok) totals.dexExact++;
    else notes.push(`dex ${dex.length} vs ${oracle.dex_strings_total}`);
  }
  if (oracle.resources_strings_default) {
    totals.resChecked++;
    const want = oracle.resources_strings_default;
    let agree = 0;
    const differ: string[] = [];
    for (const [k, v] of Object.entries(want)) {
      totals.resValues++;
      if ((res.get(k) ?? '') === v) agree++; // dump omits empty values
      else differ.push(k);
    }
    totals.resAgree += agree;
    if (differ.length === 0) totals.resExact++;
    else notes.push(`res ${agree}/${Object.keys(want).length} (differ: ${differ.slice(0, 3).join(', ')}${differ.length > 3 ? ', …' : ''}; oracle merged dups ${oracle.resources_strings_default_conflicting_dups ?? 0})`);
  }
  if (oracle.manifest_meta_data) {
    totals.metaChecked++;
    const want = oracle.manifest_meta_data;
    const bad = Object.entries(want).filter(([k, v]) => {
      const got = meta.get(k);
      if (v === null) return false;
      if (v.startsWith('@')) return got === undefined || !got.startsWith('@');
      return got !== v;
    });
    if (bad.length === 0 && meta.size >= Object.keys(want).length) totals.metaExact++;
    else notes.push(`meta-data differ: ${bad.map(([k]) => k).join(', ') || `count ${meta.size} vs ${Object.keys(want).length}`}`);
  }
  if (oracle.package) {
    totals.idChecked++;
    const app = scanFileSync(apk).artifact.app;
    const ok = app.id === oracle.package && (oracle.versionCode == null || app.versionCode === oracle.versionCode) && (oracle.versionName == null || app.versionName === oracle.versionName);
    if (ok) totals.idExact++;
    else notes.push(`app ${app.id} ${app.versionName}/${app.versionCode} vs ${oracle.package} ${oracle.versionName}/${oracle.versionCode}`);
  }
  process.stdout.write(`${notes.length ? 'DIFF' : 'ok  '} ${rel}${notes.length ? '  ' + notes.join('; ') : ''}\n`);
}
process.stdout.write(
  `\n${totals.apks} APKs with an oracle\n` +
    `DEX strings (count + sorted hash): ${totals.dexExact}/${totals.dexChecked} exact\n` +
    `default string resources: ${totals.resExact}/${totals.resChecked} APKs exact, ${totals.resAgree}/${totals.resValues} values equal\n` +
    `manifest meta-data: ${totals.metaExact}/${totals.metaChecked} exact\n` +
    `package + versions: ${totals.idExact}/${totals.idChecked} exact\n`,
);
