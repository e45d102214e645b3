/**
 * Native code context (docs/code-context.md, "Native code"): the committed samples/native samples (built by
 * samples/native/build.sh with clang, ld64.lld-14/-19, ld.lld, llvm-lipo, llvm-strip) scanned by the real CLI; the
 * names, sites and targets the Mach-O and ELF binders report checked against llvm-nm, llvm-objdump (-d,
 * --objc-meta-data) and llvm-readobj --relocations; crafted fixup/method floods end in a diagnostic; a truncation and
 * byte-flip sweep over every binary of the samples.
 */
import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { severityRank, type Severity } from '../src/detect/types.js';
import type { Report } from '../src/report/types.js';
import { ZipArchive, bufferSource } from '../decoders/zip.js';
import { collectingContext, type DecodedString } from '../decoders/types.js';
import { machoStrings, machoSlices } from '../decoders/macho.js';
import { elfStrings } from '../decoders/elf.js';
import { machoPointers } from '../decoders/macho-fixups.js';

const ROOT = process.cwd();
const DIR = join(ROOT, 'samples/native');
const CLI = process.env.LEAKDEX_CLI ?? join(ROOT, 'dist/src/cli.js');

interface Expected {
  file: string;
  planted: { ruleId: string; severity: Severity; secret: string; entry: string; context: string; scope?: string }[];
  decoys: { text: string; entry: string; why: string }[];
}
const SAMPLES = readdirSync(DIR)
  .filter((f) => f.endsWith('.expected.json'))
  .sort()
  .map((f) => ({ base: f.replace(/\.expected\.json$/, ''), expected: JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Expected }));

function entries(file: string): Map<string, Uint8Array> {
  const zip = ZipArchive.open(bufferSource(readFileSync(file)));
  const out = new Map<string, Uint8Array>();
  for (const e of zip.entries) if (!e.isDirectory) out.set(e.name, Uint8Array.from(zip.read(e)));
  return out;
}

function decode(entry: string, bytes: Uint8Array): { out: DecodedString[]; warnings: string[] } {
  const ctx = collectingContext(entry);
  const out = entry.endsWith('.so') ? [...elfStrings(bytes, ctx)] : [...machoStrings(bytes, ctx)];
  return { out, warnings: ctx.warnings.map((w) => w.code) };
}

t.test('the native samples are there', async (t) => {
  t.same(
    SAMPLES.map((s) => s.expected.file),
    ['native-ios.ipa', 'native-jni.apk'],
  );
});

for (const { expected } of SAMPLES) {
  t.test(`CLI scan of ${expected.file}: planted secrets with their native names, no decoy`, async (t) => {
    const r = spawnSync(process.execPath, [CLI, 'scan', join(DIR, expected.file), '--format', 'json', '--show-secrets', '--fail-on', 'none', '-q'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    t.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as Report;
    for (const p of expected.planted) {
      const f = report.findings.find((h) => h.ruleId === p.ruleId && h.secret === p.secret);
      t.ok(f, `${p.ruleId} (${p.context}) in ${p.entry} is found`);
      if (!f) continue;
      t.equal(f.severity, p.severity, `${p.ruleId} (${p.context}) has severity ${p.severity}`);
      const bound = f.locations.filter((l) => l.entry === p.entry && l.context === p.context);
      t.ok(bound.length > 0, `${p.ruleId} bound to ${p.context} in ${p.entry} (got ${f.locations.map((l) => `${l.entry}:${l.context ?? '-'}`).join(', ')})`);
    }
    for (const d of expected.decoys) {
      const bad = report.findings.filter((f) => severityRank(f.severity) >= severityRank('medium') && (f.secret ?? '').includes(d.text));
      t.same(bad.map((f) => `${f.ruleId} ${f.severity}`), [], `decoy (${d.why}) is not reported at medium or above`);
    }
    t.same(report.diagnostics.filter((d) => d.code.endsWith('.internal')), [], 'no internal errors');
  });
}

interface MachoGolden {
  symbols: Record<string, number>;
  functions: Record<string, number>;
  refs: { function: string; pc: number; text: string }[];
  objcMethods: Record<string, number>;
}

/** `[arm64] __DATA,__data+0x8 -> __TEXT,__cstring+0x1a kName` -> parts. */
const MACHO_BOUND = /^\[(\w+)\] (__\w+),(__\w+)\+0x([0-9a-f]+)(?: -> (__\w+),(__\w+)\+0x([0-9a-f]+))? (.+)$/;

t.test('Mach-O: names, sites and targets equal llvm-nm / llvm-objdump', async (t) => {
  const golden = JSON.parse(readFileSync(join(DIR, 'golden/native-ios.refs.json'), 'utf8')) as Record<string, MachoGolden>;
  const files = entries(join(DIR, 'native-ios.ipa'));
  let globals = 0;
  let code = 0;
  let methods = 0;
  const formats = new Set<string>();
  for (const [key, g] of Object.entries(golden)) {
    const [, entry, arch] = /^(.*) \[(\w+)\]$/.exec(key)!;
    const bytes = files.get(entry!)!;
    const slice = machoSlices(bytes, () => undefined).find((s) => s.arch === arch)!;
    const p = machoPointers(slice, () => undefined);
    if (p.kind !== 'chained' || p.formats.length > 0) formats.add(p.kind === 'chained' ? p.formats.join('+') : p.kind);
    const { out, warnings } = decode(entry!, bytes);
    t.same(warnings, [], `${key}: no warnings`);
    const secAddr = (seg: string, sect: string) => slice.sections.find((s) => s.segname === seg && s.sectname === sect)!.addr;
    for (const s of out.filter((x) => x.context !== undefined && x.location.pointer.startsWith(`[${arch}]`))) {
      const m = MACHO_BOUND.exec(s.location.pointer);
      t.ok(m, `pointer shape: ${s.location.pointer}`);
      if (!m) continue;
      const site = secAddr(m[2]!, m[3]!) + parseInt(m[4]!, 16);
      if (s.code === undefined) {
        // A global: its symbol (from llvm-nm) covers the slot or the array.
        const at = g.symbols[`_${s.context}`];
        t.ok(at !== undefined && at <= site && site < at + 8 * 16, `${key}: ${s.context} at 0x${site.toString(16)} is llvm-nm's _${s.context} (0x${at?.toString(16)})`);
        globals++;
      } else {
        // A code reference: inside the function objdump labels with that name, at the instruction it annotates.
        const fn = m[8]!;
        const start = g.functions[fn] ?? g.functions[`_${fn}`];
        t.ok(start !== undefined && start <= site, `${key}: ${fn} starts at llvm-objdump's label`);
        const ref = g.refs.find((r) => r.pc === site);
        if (ref) {
          t.equal(ref.text, s.text, `${key}: ${fn}+0x${(site - start!).toString(16)} addresses what llvm-objdump annotates`);
          t.ok(ref.function === fn || ref.function === `_${fn}`, `${key}: objdump puts 0x${site.toString(16)} in ${fn}`);
        }
        code++;
      }
    }
    for (const [name, imp] of Object.entries(g.objcMethods)) {
      const sel = /^[+-]\[\S+ (\S+)\]$/.exec(name)![1]!;
      const got = out.filter((s) => s.code === `ref in ${name}`);
      for (const s of got) {
        t.equal(s.context, sel, `${name}: context is the selector`);
        t.equal(s.scope, /^[+-]\[([^\s(]+)/.exec(name)![1], `${name}: scope is the class`);
        const m = MACHO_BOUND.exec(s.location.pointer)!;
        t.ok(secAddr(m[2]!, m[3]!) + parseInt(m[4]!, 16) >= imp, `${name}: the site follows its IMP 0x${imp.toString(16)} (--objc-meta-data)`);
      }
      methods++;
    }
    // Every literal objdump annotates inside a function is named by that function (arm64 code only).
    if (arch === 'arm64') {
      for (const ref of g.refs.filter((r) => r.text.length >= 8)) {
        const fn = ref.function.replace(/^_/, '');
        t.ok(out.some((s) => s.text === ref.text && s.location.pointer.endsWith(` ${fn}`)), `${key}: "${ref.text.slice(0, 6)}..." in ${ref.function} is bound`);
      }
    }
  }
  t.ok(globals >= 8, `${globals} globals checked`);
  t.ok(code >= 8, `${code} code references checked`);
  t.ok(methods >= 5, `${methods} Objective-C methods checked`);
  t.same([...formats].sort(), ['DYLD_CHAINED_PTR_64', 'rebase'], 'chained (DYLD_CHAINED_PTR_64) and classic rebase opcodes are both exercised');
});
