"""Re-checks the committed quirk APKs without any Android tool: recomputes the header facts of each
`<name>.apk` with inspect_quirks, compares them with `verified` in `<name>.expected.json`, checks the sha256 and
that every planted secret is in its entry, and prints one line of evidence per quirk.

Usage: python3 samples/quirks/tools/verify_quirks.py   (exit 1 on any mismatch)
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
import inspect_quirks as insp  # noqa: E402
import ziptools as z  # noqa: E402

HERE = Path(__file__).resolve().parent.parent


def entry_bytes(apk: bytes, path: str) -> bytes:
    data = apk
    for part in path.split('!/'):
        matches = [e for e in z.read_entries(data) if e.name.decode() == part]
        data = matches[-1].content()
    return data


def evidence(name: str, apk: bytes, verified: dict) -> tuple[str, dict]:
    facts = insp.zip_facts(apk)
    by_name = {}
    for e in facts['entries']:
        by_name.setdefault(e['name'], []).append(e)
    if name in ('zip-fake-encrypted', 'zip-unknown-method', 'zip-local-name-mismatch'):
        dex = by_name['classes.dex'][0]
        line = (f"classes.dex central flags {dex['centralFlags']} local flags {dex['localFlags']}, "
                f"method {dex['centralMethod']}/{dex['localMethod']}, local name {dex['localName']!r}")
        return line, {'classes.dex': dex, 'apkSigningBlock': facts['apkSigningBlock']}
    if name == 'zip-duplicate-entry':
        line = f"duplicates {facts['duplicates']}, {len(by_name['assets/config.json'])} central entries"
        return line, {'duplicates': facts['duplicates'], 'assets/config.json': by_name['assets/config.json'],
                      'apkSigningBlock': facts['apkSigningBlock']}
    if name == 'zip-data-descriptor':
        with_descriptor = [e['name'] for e in facts['entries'] if e['dataDescriptor'] and e['dataDescriptor']['signature']]
        asset = by_name['assets/slack.json'][0]
        line = (f"flag bit 3 + PK\\7\\8 descriptor on {len(with_descriptor)}/{len(facts['entries'])} entries; "
                f"assets/slack.json local crc {asset['localCrc']} sizes {asset['localSizes']}")
        return line, {'entriesWithDescriptor': with_descriptor, 'assets/slack.json': asset,
                      'apkSigningBlock': facts['apkSigningBlock']}
    if name == 'zip64':
        line = (f"EOCD entries {facts['eocd']['entries']:#x} cdOffset {facts['eocd']['cdOffset']:#x}; zip64 EOCD at "
                f"{facts['zip64']['eocd64Offset']}; zip64 extra in all {len(facts['entries'])} local+central headers: "
                f"{all(e['centralZip64Extra'] and e['localZip64Extra'] for e in facts['entries'])}")
        return line, {'eocd': facts['eocd'], 'zip64': facts['zip64'],
                      'assets/facebook.json': by_name['assets/facebook.json'][0],
                      'apkSigningBlock': facts['apkSigningBlock']}
    if name == 'arsc-shortened-paths':
        res_entries = sorted(e['name'] for e in facts['entries'] if e['name'].startswith('res/'))
        paths = insp.arsc_file_paths(entry_bytes(apk, 'resources.arsc'))
        short = [n for n in res_entries if '/' not in n[len('res/'):]]
        line = (f"{len(short)}/{len(res_entries)} res/ entries shortened ({', '.join(short[:3])}, ...); "
                f"drawable/avd_show_password -> {paths['namedPaths'].get('drawable/avd_show_password')}")
        return line, {'resEntries': res_entries, **paths}
    if name.startswith('arsc-'):
        arsc = insp.arsc_facts(entry_bytes(apk, 'resources.arsc'))
        if name == 'arsc-utf8-pool':
            line = ', '.join(f"{p['role']} pool {p['encoding']}" for p in arsc['pools'])
            return line, {'pools': arsc['pools']}
        line = '; '.join(f"{t['type']}[{t['config']}] flags {t['flags']} {'+'.join(t['flagNames']) or '-'} "
                         f"entries {'/'.join(t['entryEncodings'])}" for t in arsc['types'])
        return line, {'types': arsc['types']}
    if name == 'dex-mutf8':
        hits = [h for h in verified['strings']]
        recomputed = insp.dex_string_bytes(entry_bytes(apk, 'classes.dex'),
                                           [bytes.fromhex(h['mutf8Hex']) for h in hits])
        key = [h for h in recomputed if h['hasC080'] and 'eda0bdedb880eda080' in h['mutf8Hex']]
        line = (f"{len(recomputed)} strings checked; key string: utf16 length {key[0]['utf16Length']}, "
                f"{key[0]['mutf8Length']} MUTF-8 bytes, C0 80 present, ED A0 BD ED B8 80 + ED A0 80 present")
        return line, {'strings': recomputed}
    if name == 'so-stripped':
        elf = insp.elf_facts(entry_bytes(apk, 'lib/arm64-v8a/libquirk.so'))
        line = f"e_shoff {elf['e_shoff']} e_shnum {elf['e_shnum']}, {len(elf['loadSegments'])} PT_LOAD segments"
        return line, {'lib/arm64-v8a/libquirk.so': elf}
    if name == 'nested-jar':
        outer = {e.name.decode(): e for e in z.read_entries(apk)}
        nested = {k: [e.name.decode() for e in z.read_entries(outer[k].content())]
                  for k in ('assets/plugin.jar', 'assets/inner.apk')}
        return f"assets/plugin.jar {nested['assets/plugin.jar']}; assets/inner.apk {len(nested['assets/inner.apk'])} entries", \
            {'nestedEntries': nested}
    if name == 'axml-quirks':
        ax = insp.axml_facts(entry_bytes(apk, 'AndroidManifest.xml'))
        unknown = [c for c in ax['chunks'] if c['name'] == 'UNKNOWN']
        emptied = [a for a in ax['attributeNames'] if a['string'] == '']
        line = (f"declared size {ax['declaredSize']} < actual {ax['actualSize']}; unknown chunks "
                f"{[c['type'] for c in unknown]}; emptied attribute names {[a['resId'] for a in emptied]}")
        return line, {'declaredSize': ax['declaredSize'], 'actualSize': ax['actualSize'],
                      'trailingBytes': ax['trailingBytes'], 'unknownChunks': unknown, 'emptiedAttributeNames': emptied}
    raise KeyError(name)


def main() -> int:
    failures = 0
    for expected_path in sorted(HERE.glob('*.expected.json')):
        expected = json.loads(expected_path.read_text())
        name = expected['file'][:-len('.apk')]
        apk = (HERE / expected['file']).read_bytes()
        problems = []
        if hashlib.sha256(apk).hexdigest() != expected['sha256']:
            problems.append('sha256 differs')
        for p in expected['planted']:
            data = entry_bytes(apk, p['entry'])
            if p['secret'].encode() not in data and p['secret'].encode('utf-16-le') not in data:
                problems.append(f"secret for {p['ruleId']} not in {p['entry']}")
        line, facts = evidence(name, apk, expected['verified'])
        if json.loads(json.dumps(facts)) != expected['verified']:
            problems.append('header facts differ from expected.json')
        failures += bool(problems)
        print(f"{'FAIL' if problems else 'ok  '} {name}: {line}" + (f"  <- {problems}" if problems else ''))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
