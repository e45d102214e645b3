/**
 * Native code (docs/code-context.md, "Native code"): the ELF string decoder against readelf -p and strings(1) on the
 * fixtures in test/fixtures/elf (five ABIs, stripped and malformed variants); the committed samples/native samples
 * (built by samples/native/build.sh with clang, ld64.lld-14/-19, ld.lld, llvm-lipo, llvm-strip) scanned by the real
 * CLI; the names, sites and targets the Mach-O and ELF binders report checked against llvm-nm, llvm-objdump (-d,
 * --objc-meta-data) and llvm-readobj --relocations; crafted fixup/method floods end in a diagnostic; truncation and
 * byte-flip sweeps over the fixtures and every binary of the samples.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { severityRank, type Severity } from '../../src/detect/types.js';
import type { Report } from '../../src/report/types.js';
import { collectingContext, DecodeError, type DecodedString } from '../../decoders/types.js';
import { decodeElf, elfStrings } from '../../decoders/elf.js';
import { machoStrings, machoSlices } from '../../decoders/macho.js';
import { decodeElfBound } from '../../decoders/elf-bind.js';
import { machoPointers, MAX_MACHO_FIXUPS } from '../../decoders/macho-fixups.js';
import { cliSync } from '../helpers/cli.js';
import { decodeAll } from '../helpers/decode.js';
import { readFixture, ROOT, sampleExpectations, zipEntries } from '../helpers/files.js';

const DIR = join(ROOT, 'samples/native');
const ELF_DIR = join(ROOT, 'test/fixtures/elf');
const ARCHES = ['arm64', 'armv7', 'x86_64', 'arm64be', 'mips32be'];

const elf = (name: string) => readFixture('elf', name);
/** [pointer, text, context] triples, for compact assertions. */
const triples = (out: DecodedString[]) => out.map((s) => [s.location.pointer, s.text, s.context]);
const find = (out: DecodedString[], text: string) => out.find((s) => s.text === text);

interface Expected {
  file: string;
  planted: { ruleId: string; severity: Severity; secret: string; entry: string; context: string; scope?: string; method?: string }[];
  decoys: { text: string; entry: string; why: string }[];
}
const SAMPLES = sampleExpectations<Expected>(DIR);

/** What the binders find in a native binary: the ELF one for a .so, the Mach-O decoder otherwise. */
const decode = (entry: string, bytes: Uint8Array) => decodeAll(entry.endsWith('.so') ? decodeElfBound : machoStrings, bytes, entry);

t.test('the native samples are there', async (t) => {
  t.same(
    SAMPLES.map((s) => s.expected.file),
    ['native-ios.ipa', 'native-jni.apk'],
  );
});

for (const { expected } of SAMPLES) {
  t.test(`CLI scan of ${expected.file}: planted secrets with their native names, no decoy`, async (t) => {
    const r = cliSync(['scan', join(DIR, expected.file), '--format', 'json', '--show-secrets', '--fail-on', 'none', '-q']);
    t.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as Report;
    for (const p of expected.planted) {
      const f = report.findings.find((h) => h.ruleId === p.ruleId && h.secret === p.secret);
      t.ok(f, `${p.ruleId} (${p.context}) in ${p.entry} is found`);
      if (!f) continue;
      t.equal(f.severity, p.severity, `${p.ruleId} (${p.context}) has severity ${p.severity}`);
      const bound = f.locations.filter((l) => l.entry === p.entry && l.context === p.context);
      t.ok(bound.length > 0, `${p.ruleId} bound to ${p.context} in ${p.entry} (got ${f.locations.map((l) => `${l.entry}:${l.context ?? '-'}`).join(', ')})`);
      if (p.method) t.ok(bound.some((l) => l.pointer.endsWith(` ${p.method}`)), `${p.ruleId} in ${p.entry} is named ${p.method}`);
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
  /** llvm-objdump --dyld-info / --bind: slot address (decimal) -> symbol. */
  binds: Record<string, string>;
  /** Headers of __TEXT,__objc_methlist (llvm-objdump --section). */
  methodLists: { flags: number; entsize: number; count: number }[];
}

/** `[arm64] __DATA,__data+0x8 -> __TEXT,__cstring+0x1a kName` -> parts. */
const MACHO_BOUND = /^\[(\w+)\] (__\w+),(__\w+)\+0x([0-9a-f]+)(?: -> (__\w+),(__\w+)\+0x([0-9a-f]+))? (.+)$/;

t.test('Mach-O: names, sites and targets equal llvm-nm / llvm-objdump', async (t) => {
  const golden = JSON.parse(readFileSync(join(DIR, 'golden/native-ios.refs.json'), 'utf8')) as Record<string, MachoGolden>;
  const files = zipEntries(join(DIR, 'native-ios.ipa'));
  let globals = 0;
  let code = 0;
  let methods = 0;
  let binds = 0;
  const relative = new Set<string>();
  const formats = new Set<string>();
  for (const [key, g] of Object.entries(golden)) {
    const [, entry, arch] = /^(.*) \[(\w+)\]$/.exec(key)!;
    const bytes = files.get(entry!)!;
    const slice = machoSlices(bytes, () => undefined).find((s) => s.arch === arch)!;
    const p = machoPointers(slice, () => undefined);
    if (p.kind !== 'chained' || p.formats.length > 0) formats.add(p.kind === 'chained' ? p.formats.join('+') : p.kind);
    const { strings: out, codes: warnings } = decode(entry!, bytes);
    t.same(warnings, [], `${key}: no warnings`);
    // Every bind objdump lists (chained imports or classic opcodes) is read to the same symbol.
    for (const [slot, symbol] of Object.entries(g.binds)) {
      t.equal(p.bindName(Number(slot)), symbol, `${key}: the slot at 0x${Number(slot).toString(16)} is bound to ${symbol}`);
      binds++;
    }
    // Relative method lists (flag 0x80000000, 12-byte entries) as llvm-objdump dumps __objc_methlist.
    if (g.methodLists.length > 0 && g.methodLists.every((l) => l.flags === 0x80000000 && l.entsize === 12)) relative.add(entry!);
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
      // Each method objdump reads whose code addresses a literal is named by the metadata (these apps are stripped).
      if (g.refs.some((r) => r.function === name && r.text.length >= 8)) t.ok(got.length > 0, `${key}: ${name} names its literal`);
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
  t.ok(methods >= 12, `${methods} Objective-C methods checked`);
  t.ok(binds >= 40, `${binds} binds checked`);
  t.same([...relative].sort(), ['Payload/NativeApp.app/PlugIns/NativeClip.appex/NativeClip', 'Payload/NativeApp.app/PlugIns/NativeIntents.appex/NativeIntents'], 'relative method lists: classic and chained');
  t.same([...formats].sort(), ['DYLD_CHAINED_PTR_64', 'rebase'], 'chained (DYLD_CHAINED_PTR_64) and classic rebase opcodes are both exercised');
});

interface ElfGolden {
  symbols: Record<string, { addr: number; size: number; type: string }>;
  functions: Record<string, number>;
  relative: [number, number | null][];
}

t.test('ELF: names, sites and relocations equal llvm-nm -S / llvm-objdump -d / llvm-readobj --relocations', async (t) => {
  const golden = JSON.parse(readFileSync(join(DIR, 'golden/native-jni.refs.json'), 'utf8')) as Record<string, ElfGolden>;
  const files = zipEntries(join(DIR, 'native-jni.apk'));
  let checked = 0;
  for (const [entry, g] of Object.entries(golden)) {
    const { strings: out, codes: warnings } = decode(entry, files.get(entry)!);
    t.same(warnings, [], `${entry}: no warnings`);
    const bound = out.filter((s) => s.context !== undefined);
    for (const s of bound) {
      const m = /^(\.[\w.]+)\+0x([0-9a-f]+)(?: -> (\.[\w.]+)\+0x([0-9a-f]+))? (\S+)$/.exec(s.location.pointer);
      t.ok(m, `pointer shape: ${s.location.pointer}`);
      if (!m) continue;
      const name = m[5]!;
      const sym = g.symbols[name];
      t.ok(sym, `${entry}: ${name} is an llvm-nm symbol`);
      if (s.code) {
        t.ok(g.functions[name] !== undefined, `${entry}: ${name} is a function llvm-objdump labels`);
        if (name.startsWith('Java_')) {
          const parts = name.slice(5).split('_');
          t.equal(s.context, parts.at(-1), `${name}: context is the Java method`);
          t.equal(s.scope, parts.slice(0, -1).join('.'), `${name}: scope is the Java class`);
          t.equal(s.code, `ref in ${s.scope}.${s.context} (JNI)`);
        }
      } else if (m[3]) {
        // A pointer global: llvm-readobj lists a RELATIVE relocation at the slot; the slot lies inside the symbol.
        const rel = g.relative.find(([slot]) => slot >= sym!.addr && slot < sym!.addr + Math.max(sym!.size, 4));
        t.ok(rel, `${entry}: ${name}'s slot has an R_*_RELATIVE relocation in llvm-readobj`);
      } else {
        t.equal(Buffer.byteLength(s.text) + 1, sym!.size, `${entry}: ${name} is an array of the string's size (llvm-nm -S)`);
      }
      checked++;
    }
    for (const fn of Object.keys(g.functions).filter((n) => n.startsWith('Java_'))) {
      t.ok(bound.some((s) => s.location.pointer.endsWith(` ${fn}`)), `${entry}: ${fn} binds its literal`);
    }
  }
  t.ok(checked >= 12, `${checked} bound ELF strings checked`);
});

/** Golden `readelf -p` output recorded by build.sh: section -> [offset, text][]. */
function readelfGolden(arch: string): Map<string, Array<[number, string]>> {
  const golden = new Map<string, Array<[number, string]>>();
  let section = '';
  for (const line of readFileSync(join(ELF_DIR, `lib${arch}.readelf.txt`), 'utf8').split('\n')) {
    if (line.startsWith('== ')) golden.set((section = line.slice(3)), []);
    else if (line.includes('\t')) {
      const [off, text] = line.split('\t') as [string, string];
      golden.get(section)!.push([parseInt(off, 16), text.replace(/\\n/g, '\n')]);
    }
  }
  return golden;
}

function u16(bytes: Uint8Array, at: number, le: boolean, value: number) {
  new DataView(bytes.buffer, bytes.byteOffset).setUint16(at, value, le);
}
function u32(bytes: Uint8Array, at: number, le: boolean, value: number) {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, value, le);
}

t.test('ELF: data-section strings match readelf -p on every fixture ABI', async (t) => {
  for (const arch of ARCHES) {
    const { strings: out, warnings } = decodeAll(decodeElf, elf(`lib${arch}.so`), `lib/${arch}/libx.so`);
    t.same(warnings, [], `${arch}: no warnings`);
    t.ok(out.every((s) => s.location.decoder === 'elf' && s.location.entry === `lib/${arch}/libx.so`), `${arch}: locations`);
    let compared = 0;
    for (const [section, strings] of readelfGolden(arch)) {
      for (const [offset, text] of strings) {
        if (text.length < 6) continue;
        const hit = out.find((s) => s.location.pointer === `${section}+0x${offset.toString(16)}`);
        t.equal(hit?.text, text, `${arch}: ${section}+0x${offset.toString(16)} as readelf shows it`);
        compared++;
      }
    }
    t.equal(compared, 5, `${arch}: five golden strings of 6+ characters compared`);
    t.equal(find(out, 'AIzaSyFAKEfakeFAKEfake-leakdex_000000000')?.location.pointer, '.rodata+0x0');
    t.equal(find(out, 'sk_test_FAKEmutableDataString0001')?.location.pointer, '.data+0x0', `${arch}: non-const global from .data`);
    t.ok(find(out, '-----BEGIN FAKE KEY-----\nZmFrZS1rZXktZm9yLXRlc3Rz\n-----END FAKE KEY-----'), `${arch}: multi-line string kept whole`);
    t.ok(out.some((s) => s.text.endsWith('wide-utf16-fake-token-1234') && s.location.pointer.startsWith('.rodata:utf16le+0x')), `${arch}: UTF-16 string`);
    t.notOk(out.some((s) => s.text === 'google_api_key' || s.text === 'mutable_secret'), `${arch}: symbol names (.dynstr/.strtab) are skipped`);
    t.notOk(out.some((s) => s.text.includes('clang version')), `${arch}: .comment is skipped`);
  }
});

t.test('ELF: symbols option adds .dynstr/.strtab names', async (t) => {
  const ctx = collectingContext('libx.so');
  const out = [...elfStrings(elf('libarm64.so'), ctx, { symbols: true })];
  t.ok(out.some((s) => s.text === 'google_api_key' && /^\.(dyn)?strtab\+0x|^\.dynstr\+0x/.test(s.location.pointer)));
});

t.test('ELF: stripped section headers fall back to PT_LOAD segments, matching strings(1)', async (t) => {
  for (const arch of ARCHES) {
    const { strings: out, codes } = decodeAll(decodeElf, elf(`lib${arch}-stripped.so`));
    t.same(codes, ['elf.no_sections'], `${arch}: warns once`);
    const loads = readFileSync(join(ELF_DIR, `lib${arch}-stripped.loads.txt`), 'utf8').trim().split('\n').map((l) => l.split(' ').map((v) => parseInt(v, 16)) as [number, number]);
    const golden = readFileSync(join(ELF_DIR, `lib${arch}-stripped.strings.txt`), 'utf8').trim().split('\n').map((l) => l.split('\t') as [string, string]);
    let compared = 0;
    for (const [hexOffset, text] of golden) {
      const fileOffset = parseInt(hexOffset, 16);
      const k = loads.findIndex(([off, size]) => fileOffset >= off && fileOffset + text.length <= off + size);
      if (k < 0) continue;
      const rel = fileOffset - loads[k]![0];
      const covered = out.some((s) => {
        const m = /^load\[(\d+)\]\+0x([0-9a-f]+)$/.exec(s.location.pointer);
        if (!m || Number(m[1]) !== k) return false;
        const start = parseInt(m[2]!, 16);
        return start <= rel && s.text.slice(rel - start, rel - start + text.length) === text;
      });
      t.ok(covered, `${arch}: strings(1) ${JSON.stringify(text)} at load[${k}]+0x${rel.toString(16)}`);
      compared++;
    }
    t.ok(compared >= 8, `${arch}: compared ${compared} strings`);
    t.ok(out.some((s) => s.text === 'AIzaSyFAKEfakeFAKEfake-leakdex_000000000'));
  }
});

t.test('ELF: malformed headers', async (t) => {
  const original = elf('libarm64.so');
  const le = true;
  const patched = (patch: (b: Uint8Array) => void) => {
    const b = original.slice();
    patch(b);
    return b;
  };
  const keyFound = (out: DecodedString[]) => out.some((s) => s.text === 'AIzaSyFAKEfakeFAKEfake-leakdex_000000000');

  const pastEnd = decodeAll(decodeElf, patched((b) => u32(b, 40, le, b.length + 100)));
  t.same(pastEnd.codes, ['elf.sections_past_end'], 'section table past EOF: warn');
  t.ok(keyFound(pastEnd.strings) && pastEnd.strings.every((s) => s.location.pointer.startsWith('load[')), 'and read the load segments');

  const absurd = decodeAll(decodeElf, patched((b) => u16(b, 60, le, 0xfeff)));
  t.same(absurd.codes, ['elf.sections_past_end'], 'absurd e_shnum: warn');
  t.ok(keyFound(absurd.strings));

  // Extended numbering (gABI): e_shnum = 0 and e_shstrndx = SHN_XINDEX defer to section 0's sh_size and sh_link.
  const shoff = new DataView(original.buffer).getUint32(40, true);
  const shnum = new DataView(original.buffer).getUint16(60, true);
  const shstrndx = new DataView(original.buffer).getUint16(62, true);
  const extended = decodeAll(
    decodeElf,
    patched((b) => {
      u16(b, 60, le, 0);
      u16(b, 62, le, 0xffff);
      u32(b, shoff + 32, le, shnum);
      u32(b, shoff + 40, le, shstrndx);
    }),
  );
  t.same(triples(extended.strings), triples(decodeAll(decodeElf, original).strings), 'extended section numbering reads like the original');
  t.same(extended.codes, []);

  const hugeExtended = decodeAll(decodeElf, patched((b) => (u16(b, 60, le, 0), u32(b, shoff + 32, le, 0xffffffff))));
  t.same(hugeExtended.codes, ['elf.sections_past_end'], 'absurd extended count: warn and fall back');

  const badNames = decodeAll(decodeElf, patched((b) => u16(b, 62, le, 0x7777)));
  t.ok(badNames.codes.includes('elf.bad_shstrndx'), 'bad e_shstrndx: warn');
  t.ok(keyFound(badNames.strings), 'sections still chosen by flags');

  // Point .data's sh_offset at .rodata: overlapping ranges are scanned once.
  const sections = readelfSections(original);
  const rodata = sections.find((s) => s.name === '.rodata')!;
  const data = sections.find((s) => s.name === '.data')!;
  const overlap = decodeAll(decodeElf, patched((b) => u32(b, shoff + data.index * 64 + 24, le, rodata.offset)));
  t.ok(overlap.codes.includes('elf.overlap'));
  t.equal(overlap.strings.filter((s) => s.text === 'AIzaSyFAKEfakeFAKEfake-leakdex_000000000').length, 1, 'no string emitted twice');

  const sectionPastEnd = decodeAll(decodeElf, patched((b) => u32(b, shoff + rodata.index * 64 + 24, le, b.length)));
  t.ok(sectionPastEnd.codes.includes('elf.section_past_end'), 'a section outside the file: warn and skip it');
  t.ok(sectionPastEnd.strings.some((s) => s.text === 'sk_test_FAKEmutableDataString0001'), 'other sections still read');

  t.throws(() => decodeAll(decodeElf, new TextEncoder().encode('not an elf file at all')), { code: 'elf.bad_magic' });
  t.throws(() => decodeAll(decodeElf, original.subarray(0, 10)), { code: 'elf.truncated' });
  const noSegments = patched((b) => (u32(b, 40, le, 0), u16(b, 56, le, 0)));
  t.throws(() => decodeAll(decodeElf, noSegments), { code: 'elf.no_data' }, 'no sections and no segments');
  t.throws(() => decodeAll(decodeElf, patched((b) => (b[4] = 7))), { code: 'elf.bad_class' });
});

/** Section index, name and offset of a 64-bit LE fixture, read with fixed offsets (independent of the decoder). */
function readelfSections(b: Uint8Array) {
  const v = new DataView(b.buffer, b.byteOffset);
  const shoff = v.getUint32(40, true);
  const count = v.getUint16(60, true);
  const names = shoff + v.getUint16(62, true) * 64;
  const namesOffset = v.getUint32(names + 24, true);
  const out: Array<{ index: number; name: string; offset: number }> = [];
  for (let i = 0; i < count; i++) {
    const at = shoff + i * 64;
    const nameAt = namesOffset + v.getUint32(at, true);
    const name = new TextDecoder().decode(b.subarray(nameAt, b.indexOf(0, nameAt)));
    out.push({ index: i, name, offset: v.getUint32(at + 24, true) });
  }
  return out;
}

t.test('ELF: truncation and byte-flip sweep ends in a result or a DecodeError', async (t) => {
  let results = 0;
  let errors = 0;
  const check = (bytes: Uint8Array) => {
    try {
      const out = [...decodeElf(bytes, collectingContext('x.so'))];
      if (out.length > bytes.length) throw new Error('more strings than bytes');
      results++;
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      errors++;
    }
  };
  for (const name of ['libarm64.so', 'libarmv7.so', 'libmips32be.so', 'libarm64-stripped.so', 'libarmv7-stripped.so']) {
    const original = elf(name);
    for (let n = 0; n <= original.length; n += 7) check(original.subarray(0, n));
    // Every header byte and every 5th byte beyond, flipped two ways.
    for (let i = 0; i < original.length; i += i < 64 ? 1 : 5) {
      for (const flip of [0xff, 0x80]) {
        const b = original.slice();
        b[i] ^= flip;
        check(b);
      }
    }
  }
  t.ok(results > 1000 && errors > 100, `${results} results, ${errors} DecodeErrors`);
});


/** A thin arm64 Mach-O with one __DATA segment whose chained fixups point at one page holding one endless chain. */
function machoChainFlood(): Uint8Array {
  const page = 0x4000;
  const buf = Buffer.alloc(0x10000);
  const cmds: Buffer[] = [];
  const seg = (name: string, vmaddr: number, fileoff: number, size: number) => {
    const c = Buffer.alloc(72);
    c.writeUInt32LE(0x19, 0);
    c.writeUInt32LE(72, 4);
    c.write(name, 8);
    c.writeBigUInt64LE(BigInt(vmaddr), 24);
    c.writeBigUInt64LE(BigInt(size), 32);
    c.writeBigUInt64LE(BigInt(fileoff), 40);
    c.writeBigUInt64LE(BigInt(size), 48);
    return c;
  };
  cmds.push(seg('__TEXT', 0x100000000, 0, page), seg('__DATA', 0x100004000, page, page));
  const fix = Buffer.alloc(16);
  fix.writeUInt32LE(0x80000034, 0);
  fix.writeUInt32LE(16, 4);
  fix.writeUInt32LE(0x8000, 8);
  fix.writeUInt32LE(0x100, 12);
  cmds.push(fix);
  const all = Buffer.concat(cmds);
  buf.writeUInt32LE(0xfeedfacf, 0);
  buf.writeUInt32LE(0x0100000c, 4);
  buf.writeUInt32LE(2, 12);
  buf.writeUInt32LE(cmds.length, 16);
  buf.writeUInt32LE(all.length, 20);
  all.copy(buf, 32);
  // dyld_chained_fixups_header -> starts_in_image (2 segments) -> __DATA starts: one page, DYLD_CHAINED_PTR_64.
  const h = 0x8000;
  buf.writeUInt32LE(0, h);
  buf.writeUInt32LE(28, h + 4);
  buf.writeUInt32LE(2, h + 28);
  buf.writeUInt32LE(0, h + 32);
  buf.writeUInt32LE(16, h + 36);
  const s = h + 28 + 16;
  buf.writeUInt32LE(24, s);
  buf.writeUInt16LE(page, s + 4);
  buf.writeUInt16LE(2, s + 6);
  buf.writeBigUInt64LE(0x4000n, s + 8);
  buf.writeUInt16LE(1, s + 20);
  buf.writeUInt16LE(0, s + 22);
  // Every slot of the page: a rebase whose next (4-byte strides) is 2, i.e. the next slot: 2,048 links per page.
  for (let o = page; o < 2 * page; o += 8) buf.writeBigUInt64LE((o + 8 < 2 * page ? 2n : 0n) << 51n, o);
  return new Uint8Array(buf);
}

t.test('crafted floods end in a diagnostic: rebase opcodes that repeat 2^60 times, chains, symbols', async (t) => {
  const chain = machoChainFlood();
  const [slice] = machoSlices(chain, () => undefined);
  const p = machoPointers(slice!, () => undefined);
  t.equal(p.size, 2048, 'an honest chain over one page: one slot per 8 bytes');
  // Classic: REBASE_OPCODE_DO_REBASE_ULEB_TIMES with a 2^60 count over a slot that stays inside its segment only
  // briefly: the walk ends at the segment's end (a diagnostic), not after 2^60 steps.
  const classic = Buffer.from(chain);
  const lc = 32 + 72 * 2;
  classic.writeUInt32LE(0x80000022, lc);
  classic.writeUInt32LE(48, lc + 4);
  classic.writeUInt32LE(0x8000, lc + 8);
  classic.writeUInt32LE(16, lc + 12);
  classic.writeUInt32LE(32 + 72 * 2 + 48, 20);
  Buffer.from([0x11, 0x21, 0x00, 0x60, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10, 0x00]).copy(classic, 0x8000);
  // Bind opcodes: symbol `_x`, __DATA+0, BIND_OPCODE_DO_BIND_ULEB_TIMES_SKIPPING_ULEB 2^60 times: ends at the segment's end.
  classic.writeUInt32LE(0x9000, lc + 16);
  classic.writeUInt32LE(17, lc + 20);
  Buffer.from([0x40, 0x5f, 0x78, 0x00, 0x71, 0x00, 0xc0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10, 0x00]).copy(classic, 0x9000);
  const warnings: string[] = [];
  const started = Date.now();
  const q = machoPointers(machoSlices(new Uint8Array(classic), () => undefined)[0]!, (w) => warnings.push(w.code));
  t.ok(Date.now() - started < 2000, 'ends quickly');
  t.equal(q.kind, 'rebase');
  t.ok(q.size <= 2048, `${q.size} slots kept`);
  t.ok(warnings.includes('macho.bad_rebase'), `a diagnostic (${warnings.join(', ')})`);
  t.ok(warnings.includes('macho.bad_bind'), 'binds too');
  t.equal(q.bindName(0x100004000 + 0x3ff8), '_x', 'the binds inside the segment are kept');
  t.equal(q.bindName(0x100004000 + 0x4000), undefined, 'none past it');
  // Millions of rebases: SET_SEGMENT_AND_OFFSET 0 + DO_REBASE_IMM_TIMES 15, repeated (5 rebases per opcode byte).
  const ops = Buffer.alloc(3 * 300_000);
  for (let i = 0; i < ops.length; i += 3) ops.set([0x21, 0x00, 0x5f], i);
  const flood = Buffer.concat([classic, Buffer.from([0x11]), ops]);
  flood.writeUInt32LE(classic.length, lc + 8);
  flood.writeUInt32LE(ops.length + 1, lc + 12);
  const floodWarnings: string[] = [];
  const many = machoPointers(machoSlices(new Uint8Array(flood), () => undefined)[0]!, (w) => floodWarnings.push(w.code));
  t.equal(many.size, MAX_MACHO_FIXUPS, 'the budget caps what is kept');
  t.ok(floodWarnings.includes('macho.fixup_budget'), 'and says so');
  // Through the whole decoder: never a throw.
  for (const bytes of [chain, new Uint8Array(classic)]) t.doesNotThrow(() => [...machoStrings(bytes, collectingContext('x'))]);
});

t.test('truncation and byte-flip sweep over every binary of the native samples', async (t) => {
  let scans = 0;
  for (const { expected } of SAMPLES) {
    for (const [name, bytes] of zipEntries(join(DIR, expected.file))) {
      if (!name.endsWith('.so') && !/\/Native\w+$/.test(name)) continue;
      let seed = 0x2545f491 ^ bytes.length;
      const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
      const variants: Uint8Array[] = [];
      for (let i = 1; i <= 7; i++) variants.push(bytes.subarray(0, Math.floor((bytes.length * i) / 8)));
      for (let i = 0; i < 24; i++) {
        const copy = Uint8Array.from(bytes);
        // Half the flips land in the headers and load commands, half anywhere (fixups, symbols, metadata, code).
        for (let k = 0; k < 8; k++) copy[Math.floor(rnd() * (i % 2 ? copy.length : Math.min(copy.length, 4096)))] ^= 1 + Math.floor(rnd() * 255);
        variants.push(copy);
      }
      for (const v of variants) {
        try {
          decode(name, v);
        } catch (e) {
          if ((e as Error).name !== 'DecodeError') t.fail(`${name} (${v.length} bytes) threw ${(e as Error).stack}`);
        }
        scans++;
      }
    }
  }
  t.ok(scans >= 150, `${scans} hostile variants decoded`);
});
