/**
 * `node dist/tools/ios-fidelity.js [CORPUS_DIR]`: checks the iOS decoders against independent tools on the real apps of
 * CORPUS_DIR/ios (default ../shared/corpus): every plist (and .strings) of each app parsed by us and by Python's
 * plistlib, and the `__TEXT,__cstring` strings of every slice of every Mach-O parsed by us and by
 * `llvm-objdump --macho --section=__TEXT,__cstring`. Prints one line per app and totals. A developer tool, not a test:
 * the corpus lives outside the repository.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZipArchive } from '../decoders/zip.js';
import { FileSource } from '../src/pipeline/source.js';
import { parsePlist, plistToJson } from '../decoders/plist.js';
import { cstrings, machoSlices } from '../decoders/macho.js';
import { sniff } from '../decoders/sniff.js';

const PLISTLIB = String.raw`
import base64, datetime, json, plistlib, sys
def conv(v):
    if isinstance(v, dict): return {k: conv(x) for k, x in v.items()}
    if isinstance(v, list): return [conv(x) for x in v]
    if isinstance(v, bytes): return {'$data': base64.b64encode(v).decode()}
    if isinstance(v, datetime.datetime): return {'$date': v.replace(tzinfo=datetime.timezone.utc).isoformat(timespec='milliseconds').replace('+00:00', 'Z')}
    if isinstance(v, plistlib.UID): return {'$uid': v.data}
    if isinstance(v, float) and v == int(v) and abs(v) < 2**53: return v
    return v
out = {}
for p in sys.argv[1:]:
    try:
        out[p] = conv(plistlib.load(open(p, 'rb')))
    except Exception as e:
        out[p] = {'$error': type(e).__name__}
print(json.dumps(out))
`;

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (/\.(zip|ipa)$/i.test(name)) out.push(p);
  }
  return out;
}

function objdumpCstrings(file: string, arch: string): string[] {
  const text = execFileSync('llvm-objdump', ['--macho', `--arch=${arch}`, '--section=__TEXT,__cstring', file], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^(?:[0-9a-f]{8}|[0-9a-f]{16})  (.*)$/.exec(line);
    if (m) out.push(m[1]!);
  }
  return out;
}

/** How llvm-objdump prints a C string (raw_ostream::write_escaped): \\ \t \n \" and octal for other bytes. */
export function objdumpEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    if (b === 0x5c) out += '\\\\';
    else if (b === 0x09) out += '\\t';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x22) out += '\\"';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += '\\' + ((b >> 6) & 7).toString() + ((b >> 3) & 7).toString() + (b & 7).toString();
  }
  return out;
}

const corpus = process.argv[2] ?? '../shared/corpus';
const totals = { apps: 0, plists: 0, plistsEqual: 0, slices: 0, slicesEqual: 0, cstrings: 0, cstringsEqual: 0 };
for (const file of walk(join(corpus, 'ios'))) {
  const src = new FileSource(file);
  const tmp = mkdtempSync(join(tmpdir(), 'leakdex-iosfid-'));
  try {
    const zip = ZipArchive.open(src);
    const plists: { name: string; path: string; bytes: Uint8Array }[] = [];
    const machos: { name: string; path: string; bytes: Uint8Array }[] = [];
    zip.entries.forEach((e, i) => {
      if (e.isDirectory || e.name.startsWith('__MACOSX/')) return;
      const bytes = zip.read(e);
      const path = join(tmp, `${i}`);
      if (/\.(plist|strings)$/i.test(e.name)) {
        writeFileSync(path, bytes);
        plists.push({ name: e.name, path, bytes });
      } else if (sniff(bytes.subarray(0, 512)) === 'macho') {
        writeFileSync(path, bytes);
        machos.push({ name: e.name, path, bytes });
      }
    });
    const oracle = plists.length ? (JSON.parse(execFileSync('/usr/bin/python3', ['-c', PLISTLIB, ...plists.map((p) => p.path)], { encoding: 'utf8', maxBuffer: 256 << 20 })) as Record<string, unknown>) : {};
    let pOk = 0;
    let pAll = 0;
    const diffs: string[] = [];
    for (const p of plists) {
      const want = oracle[p.path] as { $error?: string };
      if (want && want.$error) continue; // plistlib cannot read it (.strings in OpenStep text): no oracle
      pAll++;
      let got: unknown;
      try {
        got = plistToJson(parsePlist(p.bytes).value);
      } catch (e) {
        got = { $error: (e as Error).message };
      }
      if (isDeepStrictEqual(got, want)) pOk++;
      else diffs.push(`plist ${p.name}`);
    }
    let sOk = 0;
    let sAll = 0;
    let cOk = 0;
    let cAll = 0;
    for (const m of machos) {
      for (const slice of machoSlices(m.bytes, () => undefined)) {
        const sect = slice.sections.find((s) => s.segname === '__TEXT' && s.sectname === '__cstring');
        const ours = sect ? [...cstrings(slice.bytes.subarray(sect.offset, sect.offset + sect.size))].map(([, s]) => objdumpEscape(s)) : [];
        // A dSYM (MH_DSYM) keeps the section headers but not their bytes: there is nothing to compare.
        if (slice.filetype === 0xa) continue;
        // llvm-objdump prints empty strings (runs of NULs) too; the decoder has nothing to emit for them.
        const theirs = objdumpCstrings(m.path, slice.arch).filter((x) => x !== '');
        sAll++;
        cAll += theirs.length;
        for (let i = 0; i < theirs.length; i++) if (ours[i] === theirs[i]) cOk++;
        if (isDeepStrictEqual(ours, theirs)) sOk++;
        else diffs.push(`cstring ${m.name} [${slice.arch}] ${ours.length} vs ${theirs.length}`);
      }
    }
    totals.apps++;
    totals.plists += pAll;
    totals.plistsEqual += pOk;
    totals.slices += sAll;
    totals.slicesEqual += sOk;
    totals.cstrings += cAll;
    totals.cstringsEqual += cOk;
    process.stdout.write(`${file}: plists ${pOk}/${pAll} equal plistlib; Mach-O slices ${sOk}/${sAll}, __cstring strings ${cOk}/${cAll} equal llvm-objdump${diffs.length ? '  DIFF ' + diffs.slice(0, 4).join('; ') : ''}\n`);
  } catch (e) {
    process.stdout.write(`${file}: ERROR ${(e as Error).message}\n`);
  } finally {
    src.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}
process.stdout.write(
  `total: ${totals.apps} apps; plists ${totals.plistsEqual}/${totals.plists} equal plistlib; slices ${totals.slicesEqual}/${totals.slices} and __cstring strings ${totals.cstringsEqual}/${totals.cstrings} equal llvm-objdump\n`,
);
