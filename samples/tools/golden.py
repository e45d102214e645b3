#!/usr/bin/python3
"""Compact golden outputs of a built sample, from independent decoders (androguard, llvm-objcopy, aapt, apksigner).

    golden.py dex-strings APK OUT.json       {"classes.dex": [strings in string_ids order], ...}  (androguard)
    golden.py resources APK OUT.json         {"<locale>": {"<type>/<name>": value}} for string resources (androguard)
    golden.py manifest APK OUT.json          package, versions, sdk levels, files, <meta-data> raw and resolved (androguard)
    golden.py rodata OUT.json SO_ENTRY=FILE...  {"lib/<abi>/libx.so": [NUL-separated .rodata strings]} (llvm-objcopy)
    golden.py facts BADGING.txt CERTS.txt OUT.json   app facts for expected.json from aapt badging + apksigner output
    golden.py build-facts APK OUT.json       entries and string-pool encodings (first pool of resources.arsc and manifest)

Run with Debian's /usr/bin/python3, where androguard 3.4 lives.
"""
import json
import logging
import os
import re
import subprocess
import sys
import tempfile

logging.disable(logging.CRITICAL)


def mutf8_decode(raw):
    """MUTF-8 (DEX string_data) -> str; surrogate pairs written as two 3-byte units are joined, lone ones kept."""
    units = []
    i, n = 0, len(raw)
    while i < n:
        c = raw[i]
        if c < 0x80:
            units.append(c)
            i += 1
        elif (c & 0xE0) == 0xC0 and i + 1 < n:
            units.append(((c & 0x1F) << 6) | (raw[i + 1] & 0x3F))
            i += 2
        elif (c & 0xF0) == 0xE0 and i + 2 < n:
            units.append(((c & 0x0F) << 12) | ((raw[i + 1] & 0x3F) << 6) | (raw[i + 2] & 0x3F))
            i += 3
        else:
            units.append(0xFFFD)
            i += 1
    return b''.join(u.to_bytes(2, 'little') for u in units).decode('utf-16-le', 'surrogatepass')


def write_json(path, doc):
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write('\n')


def dex_names(apk):
    names = [n for n in apk.get_files() if re.fullmatch(r'classes\d*\.dex', n)]
    return sorted(names, key=lambda n: (len(n), n))


def dex_strings(apk_path, out):
    from androguard.core.bytecodes.apk import APK
    from androguard.core.bytecodes.dvm import DalvikVMFormat
    apk = APK(apk_path)
    doc = {}
    for name in dex_names(apk):
        dex = DalvikVMFormat(apk.get_file(name))
        doc[name] = [mutf8_decode(bytes(s)) for s in dex.get_strings()]
    write_json(out, doc)


def resources(apk_path, out):
    from androguard.core.bytecodes.apk import APK
    apk = APK(apk_path)
    arsc = apk.get_android_resources()
    package = apk.get_package()
    doc = {}
    for locale in sorted(arsc.get_locales(package)):
        values = arsc.values[package][locale]
        entries = {}
        for name, value in values.get('string', []):
            entries['string/' + name] = value
        doc[locale.replace('\x00', '') or 'default'] = dict(sorted(entries.items()))
    write_json(out, doc)


def manifest(apk_path, out):
    from androguard.core.bytecodes.apk import APK
    apk = APK(apk_path)
    ns = '{http://schemas.android.com/apk/res/android}'
    arsc = apk.get_android_resources()
    meta = {}
    resolved = {}
    for el in apk.get_android_manifest_xml().iter('meta-data'):
        name = el.get(ns + 'name')
        value = el.get(ns + 'value')
        if value is None:
            value = el.get(ns + 'resource')
        meta[name] = value
        if value and re.fullmatch(r'@[0-9A-F]{8}', value):
            configs = arsc.get_resolved_res_configs(int(value[1:], 16))
            defaults = [v for config, v in configs if config.get_qualifier() == '']
            resolved[name] = defaults[0] if defaults else None
        else:
            resolved[name] = value
    write_json(out, {
        'package': apk.get_package(),
        'versionCode': apk.get_androidversion_code(),
        'versionName': apk.get_androidversion_name(),
        'minSdk': apk.get_min_sdk_version(),
        'targetSdk': apk.get_target_sdk_version(),
        'label': apk.get_app_name(),
        'files': apk.get_files(),
        'metaData': meta,
        'metaDataResolved': resolved,
    })


def rodata(out, pairs):
    doc = {}
    with tempfile.TemporaryDirectory() as tmp:
        for pair in pairs:
            entry, path = pair.split('=', 1)
            dump = os.path.join(tmp, 'rodata.bin')
            subprocess.run(['llvm-objcopy', '--dump-section', '.rodata=' + dump, path, os.path.join(tmp, 'ignored')],
                           check=True)
            with open(dump, 'rb') as f:
                data = f.read()
            doc[entry] = [s.decode('utf-8', 'backslashreplace') for s in data.split(b'\x00') if s]
    write_json(out, doc)


def facts(badging_path, certs_path, out):
    with open(badging_path, encoding='utf-8') as f:
        badging = f.read()
    with open(certs_path, encoding='utf-8') as f:
        certs = f.read()

    def one(pattern, text):
        m = re.search(pattern, text, re.M)
        if not m:
            raise SystemExit('golden.py facts: no match for %r' % pattern)
        return m.group(1)
    write_json(out, {
        'platform': 'android',
        'id': one(r"^package: name='([^']*)'", badging),
        'versionName': one(r"versionName='([^']*)'", badging),
        'versionCode': one(r"versionCode='([^']*)'", badging),
        'minSdk': one(r"^sdkVersion:'([^']*)'", badging),
        'targetSdk': one(r"^targetSdkVersion:'([^']*)'", badging),
        'label': one(r"^application-label:'([^']*)'", badging),
        'signerSha256': one(r'^Signer #1 certificate SHA-256 digest: ([0-9a-f]{64})$', certs),
    })


def pool_encoding(data, pool_offset):
    """ResStringPool_header.flags bit UTF8_FLAG (AOSP ResourceTypes.h): the first pool after the file header."""
    import struct
    chunk_type, _header_size, _size, _count, _styles, flags = struct.unpack_from('<HHIIII', data, pool_offset)
    if chunk_type != 0x0001:
        return None
    return 'utf-8' if flags & 0x100 else 'utf-16'


def build_facts(apk_path, out):
    import zipfile
    z = zipfile.ZipFile(apk_path)
    names = z.namelist()
    write_json(out, {
        'arscStringPool': pool_encoding(z.read('resources.arsc'), 12),
        'manifestStringPool': pool_encoding(z.read('AndroidManifest.xml'), 8),
        'dex': sorted((n for n in names if re.fullmatch(r'classes\d*\.dex', n)), key=lambda n: (len(n), n)),
        'nativeLibs': sorted(n for n in names if n.startswith('lib/') and n.endswith('.so')),
        'assets': sorted(n for n in names if n.startswith('assets/')),
        'storedEntries': sorted(i.filename for i in z.infolist() if i.compress_type == zipfile.ZIP_STORED),
    })


def main(argv):
    if len(argv) == 4 and argv[1] == 'dex-strings':
        dex_strings(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == 'resources':
        resources(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == 'manifest':
        manifest(argv[2], argv[3])
    elif len(argv) >= 4 and argv[1] == 'rodata':
        rodata(argv[2], argv[3:])
    elif len(argv) == 4 and argv[1] == 'build-facts':
        build_facts(argv[2], argv[3])
    elif len(argv) == 5 and argv[1] == 'facts':
        facts(argv[2], argv[3], argv[4])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
