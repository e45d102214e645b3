"""Builds samples/quirks/<name>.apk: one small, real APK per decoder quirk, each hiding one fake secret where
the quirk hides it, then checks that the quirk is really in the output and records golden outputs of
independent tools. Run through ../build.sh (it finds the tools and sets the environment); Debian python3.

Environment: AAPT2 (a build that knows --enable-compact-entries), FRAMEWORK_APK (android.jar or framework-res.apk
for `aapt2 link -I`), KEYSTORE, KEYSTORE_PASS, KEY_ALIAS.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import inspect_quirks as insp
import ziptools as z

HERE = Path(__file__).resolve().parent.parent
SRC = HERE / 'src'
GOLDEN = HERE / 'golden'
ANDROGUARD_PYTHON = '/usr/bin/python3'

# Fake, format-valid secrets (generated once from fixed seeds; GitHub tokens carry a valid CRC32 checksum).
SECRETS = {
    'GITHUB_TOKEN_FAKE_ENCRYPTED': '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',
    'STRIPE_SECRET_KEY_UNKNOWN_METHOD': 'sk_live_EqMssX2QYdqdxKYX4djW7XtV',
    'AWS_ACCESS_KEY_ID_LOCAL_NAME': 'AKIAP4LWB4P22RVGQ3R4',
    'SLACK_TOKEN_DUPLICATE': 'xoxb-437255363469-9112734084827-jQDHG0vD0hGfxtIMnz2h9sUn',
    'SLACK_WEBHOOK_DATA_DESCRIPTOR': 'https://hooks.slack.com/services/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',
    'FACEBOOK_ACCESS_TOKEN_ZIP64': 'EAAGnALtoErrzt9nZ4QRbgVC5FYtDWTZqoAmU4AlC6ev9co0KRsUY3a0hUElO7DmTcIeWzpgbBDQvY8tOMPOH'
                                   'owl7YlDJK7AcApTmTOJs7AdXE6mG4vvkC9sPwhbxv283ji47MA03EMv5MP5lPwSEaI6M2Rbs5VXQxXe',
    'TWITTER_CONSUMER_SECRET_UTF8': 'NynvvG91E6wFpSOIE9VafqM6abItVzMLaTchVQqfvTEJIhORqv',
    'STRIPE_SECRET_KEY_SPARSE': 'sk_live_mpS8XymJWkiAN0J2Drrvsv14',
    'SLACK_TOKEN_COMPACT': 'xoxb-443126564404-2446128342410-6iDkrjOzK3paY4qlDu4LNpUG',
    'GITHUB_TOKEN_OFFSET16': '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',
    'GOOGLE_API_KEY_MUTF8': 'AIzaSyeBhWpJZ7PpqIy0fv5YBk0qfhqJiNhtisD',
    'PRIVATE_KEY_SO': '-----BEGIN EC PRIVATE KEY-----\n'
                      'MHcCAQEEIERBQbRpovA8Ldz4kbk0+K255p3jfE4uMR55E7bL+fEzoAoGCCqGSM49\n'
                      'AwEHoUQDQgAEcqIwvj8CKQAcgbqbWAKVRsTNtsf3Htgwe6FaZE4iacgwuuXcPTKc\n'
                      'BuaJ6sFDcvY0QU4BDHwdxY6pL8nBFEKvEw==\n'
                      '-----END EC PRIVATE KEY-----\n',
    'GITHUB_TOKEN_NESTED': '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',
    'GOOGLE_API_KEY_INNER': 'AIzaSyx25lQz56O3_YTfJ6q2gyJvOLq3f7oNrIt',
    'GOOGLE_API_KEY_MANIFEST': 'AIzaSyt6fROHrvb6-gYx7UonO0vQPYrmg-SRMbD',
}

UNKNOWN_METHOD = 0x5A
MISMATCHED_LOCAL_NAME = b'classes.xxx'
AXML_UNKNOWN_CHUNK_TYPE = 0x0777      # not a pool, map or XML node type: ResXMLTree::setTo skips it
AXML_UNKNOWN_NODE_TYPE = 0x0105       # in the XML node range but unassigned: ResXMLParser::nextNode skips it
AXML_TRAILING_BYTES = 16
LOG_PREFIX = re.compile(r'\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?\s+\d+\s+\d+')  # Android log time and pids


def redact(secret: str) -> str:
    return secret[:6] + '…' + f'({len(secret)} chars)'


def run(cmd: list[str], *, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, errors='replace')
    if check and proc.returncode != 0:
        raise RuntimeError(f'{" ".join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}')
    return proc


def render(src: Path, dst: Path) -> None:
    """Copies a source tree, replacing @@NAME@@ with the secret (C-escaped in .c files)."""
    for path in sorted(src.rglob('*')):
        if path.is_dir():
            continue
        out = dst / path.relative_to(src)
        out.parent.mkdir(parents=True, exist_ok=True)
        text = path.read_text(encoding='utf-8')
        for key, value in SECRETS.items():
            if path.suffix == '.c':
                value = value.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')
            text = text.replace(f'@@{key}@@', value)
        if '@@' in text:
            raise RuntimeError(f'unreplaced placeholder in {path}')
        out.write_text(text, encoding='utf-8')


class Builder:
    """Shared steps: aapt2 compile/link, smali, clang, apksigner."""

    def __init__(self, work: Path):
        self.work = work
        self.aapt2 = os.environ['AAPT2']
        self.framework = os.environ['FRAMEWORK_APK']
        self.keystore = os.environ['KEYSTORE']
        self.ks_pass = os.environ['KEYSTORE_PASS']
        self.alias = os.environ['KEY_ALIAS']

    def project(self, name: str) -> Path:
        dst = self.work / name
        if not dst.exists():
            render(SRC / name, dst)
        return dst

    def link(self, project: Path, flags: list[str] = ()) -> tuple[bytes, bytes]:
        """Binary AndroidManifest.xml and resources.arsc from `aapt2 compile` + `aapt2 link`."""
        compiled = project / 'compiled.zip'
        linked = project / 'linked.apk'
        run([self.aapt2, 'compile', '--dir', str(project / 'res'), '-o', str(compiled)])
        run([self.aapt2, 'link', '-o', str(linked), '-I', self.framework, '--manifest',
             str(project / 'AndroidManifest.xml'), *flags, str(compiled)])
        got = {e.name.decode(): e.content() for e in z.read_entries(linked.read_bytes())}
        return got['AndroidManifest.xml'], got['resources.arsc']

    def dex(self, project: Path) -> bytes:
        smali_dir = self.work / (project.name + '-smali')
        shutil.copytree(self.project('common') / 'smali', smali_dir, dirs_exist_ok=True)
        if (project / 'smali').exists():
            shutil.copytree(project / 'smali', smali_dir, dirs_exist_ok=True)
        out = self.work / (project.name + '.dex')
        run(['smali', 'assemble', '--api', '21', '-o', str(out), str(smali_dir)])
        return out.read_bytes()

    def so(self, source: Path, strip_sections: bool) -> bytes:
        linked = source.with_suffix('.so')
        run(['clang', '--target=aarch64-linux-android21', '-fPIC', '-shared', '-nostdlib', '-fuse-ld=lld', '-O2',
             '-Wl,--build-id=none', '-Wl,-soname,libquirk.so', '-o', str(linked), str(source)])
        if not strip_sections:
            return linked.read_bytes()
        stripped = source.with_suffix('.stripped.so')
        run(['llvm-objcopy', '--strip-sections', str(linked), str(stripped)])
        return stripped.read_bytes()

    def base_entries(self, name: str, link_flags: list[str] = (), manifest_patch=None) -> list[z.Entry]:
        """Manifest, resources.arsc (stored), classes.dex and assets/** of one quirk project."""
        project = self.project(name)
        manifest, arsc = self.link(project, list(link_flags))
        if manifest_patch:
            manifest = manifest_patch(manifest)
        entries = [z.make_entry('AndroidManifest.xml', manifest), z.make_entry('resources.arsc', arsc, False),
                   z.make_entry('classes.dex', self.dex(project))]
        assets = project / 'assets'
        if assets.exists():
            for path in sorted(assets.rglob('*')):
                if path.is_file():
                    entries.append(z.make_entry('assets/' + path.relative_to(assets).as_posix(), path.read_bytes()))
        return entries

    def sign(self, apk: bytes, *, v1: bool = True, v2: bool = True, v3: bool = True) -> bytes:
        src = self.work / 'to-sign.apk'
        dst = self.work / 'signed.apk'
        src.write_bytes(apk)
        run(['apksigner', 'sign', '--ks', self.keystore, '--ks-pass', f'pass:{self.ks_pass}', '--ks-key-alias',
             self.alias, '--v1-signing-enabled', str(v1).lower(), '--v2-signing-enabled', str(v2).lower(),
             '--v3-signing-enabled', str(v3).lower(), '--v4-signing-enabled', 'false', '--out', str(dst), str(src)])
        return dst.read_bytes()


# ---------------------------------------------------------------------------------------------- quirk builders

def entry_facts(facts: dict, name: str) -> list[dict]:
    return [e for e in facts['entries'] if e['name'] == name]


def require(condition: bool, what: str) -> None:
    if not condition:
        raise AssertionError(f'quirk not present: {what}')


def build_zip_fake_encrypted(b: Builder) -> tuple[bytes, dict]:
    apk = z.write_zip(b.base_entries('zip-fake-encrypted'))
    apk = b.sign(z.patch_headers(apk, 'classes.dex', set_flags=z.FLAG_ENCRYPTED))
    facts = insp.zip_facts(apk)
    [dex] = entry_facts(facts, 'classes.dex')
    require(int(dex['centralFlags'], 16) & 1 and int(dex['localFlags'], 16) & 1, 'bit 0 on classes.dex')
    return apk, {'classes.dex': dex, 'apkSigningBlock': facts['apkSigningBlock']}


def build_zip_unknown_method(b: Builder) -> tuple[bytes, dict]:
    apk = z.write_zip(b.base_entries('zip-unknown-method'))
    apk = b.sign(z.patch_headers(apk, 'classes.dex', method=UNKNOWN_METHOD))
    facts = insp.zip_facts(apk)
    [dex] = entry_facts(facts, 'classes.dex')
    require(dex['centralMethod'] == UNKNOWN_METHOD == dex['localMethod'], 'method 0x5a on classes.dex')
    return apk, {'classes.dex': dex, 'apkSigningBlock': facts['apkSigningBlock']}


def build_zip_local_name_mismatch(b: Builder) -> tuple[bytes, dict]:
    apk = b.sign(z.write_zip(b.base_entries('zip-local-name-mismatch')), v2=False, v3=False)
    apk = z.patch_headers(apk, 'classes.dex', local_name=MISMATCHED_LOCAL_NAME)
    facts = insp.zip_facts(apk)
    [dex] = entry_facts(facts, 'classes.dex')
    require(dex['localName'] == MISMATCHED_LOCAL_NAME.decode(), 'local name differs')
    return apk, {'classes.dex': dex, 'apkSigningBlock': facts['apkSigningBlock']}


def build_zip_duplicate_entry(b: Builder) -> tuple[bytes, dict]:
    apk = b.sign(z.write_zip(b.base_entries('zip-duplicate-entry')), v2=False, v3=False)
    entries = z.read_entries(apk)
    second = (b.project('zip-duplicate-entry') / 'duplicate' / 'assets' / 'config.json').read_bytes()
    at = next(i for i, e in enumerate(entries) if e.name == b'assets/config.json')
    entries.insert(at + 1, z.make_entry('assets/config.json', second))
    apk = z.write_zip(entries)
    facts = insp.zip_facts(apk)
    require(facts['duplicates'] == ['assets/config.json'], 'duplicate assets/config.json')
    return apk, {'duplicates': facts['duplicates'], 'assets/config.json': entry_facts(facts, 'assets/config.json'),
                 'apkSigningBlock': facts['apkSigningBlock']}


def build_zip_data_descriptor(b: Builder) -> tuple[bytes, dict]:
    apk = b.sign(z.write_zip(b.base_entries('zip-data-descriptor'), z.WriteOptions(data_descriptor=True)))
    facts = insp.zip_facts(apk)
    with_descriptor = [e['name'] for e in facts['entries'] if e['dataDescriptor'] and e['dataDescriptor']['signature']]
    require('assets/slack.json' in with_descriptor, 'data descriptor after assets/slack.json')
    [asset] = entry_facts(facts, 'assets/slack.json')
    require(asset['localSizes'] == [0, 0] and asset['localCrc'] == '0x00000000', 'zeros in the local header')
    return apk, {'entriesWithDescriptor': with_descriptor, 'assets/slack.json': asset,
                 'apkSigningBlock': facts['apkSigningBlock']}


def build_zip64(b: Builder) -> tuple[bytes, dict]:
    apk = b.sign(z.write_zip(b.base_entries('zip64')), v2=False, v3=False)
    apk = z.write_zip(z.read_entries(apk), z.WriteOptions(zip64=True))
    facts = insp.zip_facts(apk)
    require(facts.get('zip64', {}).get('eocd64SignatureOk') is True, 'zip64 end records')
    require(all(e['centralZip64Extra'] and e['localZip64Extra'] for e in facts['entries']), 'zip64 extra fields')
    return apk, {'eocd': facts['eocd'], 'zip64': facts['zip64'],
                 'assets/facebook.json': entry_facts(facts, 'assets/facebook.json')[0],
                 'apkSigningBlock': facts['apkSigningBlock']}


def arsc_of(apk: bytes) -> dict:
    entries = {e.name.decode(): e for e in z.read_entries(apk)}
    return insp.arsc_facts(entries['resources.arsc'].content())


def build_arsc_utf8_pool(b: Builder) -> tuple[bytes, dict]:
    apk = b.sign(z.write_zip(b.base_entries('arsc-utf8-pool')))
    facts = arsc_of(apk)
    values = next(p for p in facts['pools'] if p['role'] == 'values')
    require(values['encoding'] == 'UTF-8', 'UTF-8 value pool')
    return apk, {'pools': facts['pools']}


def build_arsc_sparse(b: Builder) -> tuple[bytes, dict]:
    apk = b.sign(z.write_zip(b.base_entries('arsc-sparse', ['--enable-sparse-encoding'])))
    facts = arsc_of(apk)
    fr = [t for t in facts['types'] if t['type'] == 'string' and t['config'] == 'fr']
    require(len(fr) == 1 and 'FLAG_SPARSE' in fr[0]['flagNames'], 'FLAG_SPARSE on string/fr')
    return apk, {'types': facts['types']}


def build_arsc_compact(b: Builder) -> tuple[bytes, dict]:
    apk = b.sign(z.write_zip(b.base_entries('arsc-compact', ['--enable-compact-entries'])))
    facts = arsc_of(apk)
    strings = [t for t in facts['types'] if t['type'] == 'string']
    require(len(strings) == 1 and strings[0]['entryEncodings'] == ['compact'], 'compact string entries')
    return apk, {'types': facts['types']}


def build_arsc_offset16(b: Builder) -> tuple[bytes, dict]:
    apk = b.sign(z.write_zip(b.base_entries('arsc-offset16', ['--enable-compact-entries'])))
    facts = arsc_of(apk)
    arrays = [t for t in facts['types'] if t['type'] == 'array']
    require(len(arrays) == 1 and arrays[0]['flagNames'] == ['FLAG_OFFSET16'] and
            arrays[0]['entryEncodings'] == ['complex'], 'FLAG_OFFSET16 on the array type chunk')
    return apk, {'types': facts['types']}


SHORTENED_PATH = re.compile(r'^res/[A-Za-z0-9_-]{1,6}(?:\.[a-z0-9]{1,8})?$')


def build_arsc_shortened_paths(b: Builder) -> tuple[bytes, dict]:
    """aapt2 link, then `aapt2 optimize --shorten-resource-paths` (what AGP's resource shrinking runs): every file
    resource moves to res/<hash>.<ext> and its resources.arsc value becomes that short path."""
    project = b.project('arsc-shortened-paths')
    compiled = project / 'compiled.zip'
    linked = project / 'linked.apk'
    optimized = project / 'optimized.apk'
    run([b.aapt2, 'compile', '--dir', str(project / 'res'), '-o', str(compiled)])
    run([b.aapt2, 'link', '-o', str(linked), '-I', b.framework, '--manifest', str(project / 'AndroidManifest.xml'),
         str(compiled)])
    run([b.aapt2, 'optimize', '--shorten-resource-paths', '-o', str(optimized), str(linked)])
    entries = []
    for e in z.read_entries(optimized.read_bytes()):
        name = e.name.decode()
        entries.append(z.make_entry(name, e.content(), name != 'resources.arsc'))
    entries.append(z.make_entry('classes.dex', b.dex(project)))
    apk = b.sign(z.write_zip(entries))
    facts = insp.arsc_file_paths(arsc_of_bytes(apk))
    res_entries = sorted(e.name.decode() for e in z.read_entries(apk) if e.name.startswith(b'res/'))
    # aapt2 2.20 shortens every file resource but color state lists (res/color/ keeps its path).
    require(len([n for n in res_entries if SHORTENED_PATH.match(n)]) >= 10 and
            all(SHORTENED_PATH.match(n) or n.startswith('res/color/') for n in res_entries), 'shortened res/ paths')
    require(sorted(facts['valuePaths']) == res_entries, 'resources.arsc values are the shortened paths')
    require('avd_show_password' in facts['keys'], 'drawable/avd_show_password')
    return apk, {'resEntries': res_entries, **facts}


def arsc_of_bytes(apk: bytes) -> bytes:
    return {e.name.decode(): e for e in z.read_entries(apk)}['resources.arsc'].content()


def build_dex_mutf8(b: Builder) -> tuple[bytes, dict]:
    apk = b.sign(z.write_zip(b.base_entries('dex-mutf8')))
    dex = {e.name.decode(): e for e in z.read_entries(apk)}['classes.dex'].content()
    hits = insp.dex_string_bytes(dex, [SECRETS['GOOGLE_API_KEY_MUTF8'].encode(), b'broken', b'\xc0\x80'])
    key = [h for h in hits if SECRETS['GOOGLE_API_KEY_MUTF8'].encode().hex() in h['mutf8Hex']]
    require(len(key) == 1 and key[0]['hasC080'] and 'eda0bdedb880eda080' in key[0]['mutf8Hex'],
            'NUL, surrogate pair and lone surrogate around the key')
    return apk, {'strings': hits}


def build_so_stripped(b: Builder) -> tuple[bytes, dict]:
    project = b.project('so-stripped')
    lib = b.so(project / 'jni' / 'quirk.c', strip_sections=True)
    entries = b.base_entries('so-stripped') + [z.make_entry('lib/arm64-v8a/libquirk.so', lib, False)]
    apk = b.sign(z.write_zip(entries))
    elf = insp.elf_facts(lib)
    require(elf['e_shnum'] == 0 and elf['e_shoff'] == 0, 'no section headers')
    return apk, {'lib/arm64-v8a/libquirk.so': elf}


def build_nested_jar(b: Builder) -> tuple[bytes, dict]:
    project = b.project('nested-jar')
    plugin = z.write_zip([z.make_entry('META-INF/MANIFEST.MF', (project / 'plugin' / 'MANIFEST.MF').read_bytes()),
                          z.make_entry('config.properties', (project / 'plugin' / 'config.properties').read_bytes())])
    inner_manifest, inner_arsc = b.link(project / 'inner')
    inner = b.sign(z.write_zip([z.make_entry('AndroidManifest.xml', inner_manifest),
                                z.make_entry('resources.arsc', inner_arsc, False)]))
    entries = b.base_entries('nested-jar') + [z.make_entry('assets/plugin.jar', plugin),
                                              z.make_entry('assets/inner.apk', inner, False)]
    apk = b.sign(z.write_zip(entries))
    outer = {e.name.decode(): e for e in z.read_entries(apk)}
    nested = {
        'assets/plugin.jar': [e.name.decode() for e in z.read_entries(outer['assets/plugin.jar'].content())],
        'assets/inner.apk': [e.name.decode() for e in z.read_entries(outer['assets/inner.apk'].content())],
    }
    require('config.properties' in nested['assets/plugin.jar'], 'plugin.jar holds config.properties')
    return apk, {'nestedEntries': nested}


def patch_manifest(axml: bytes) -> bytes:
    """Runtime-tolerated AXML damage: unknown chunk before the root node, an unknown node type in the stream,
    android:name/android:value attribute-name strings emptied (the runtime matches attributes by resource id),
    and trailing bytes past the size the XML header declares."""
    b = bytearray(axml)
    _, header_size, size = struct.unpack_from('<HHI', b, 0)
    if size != len(b):
        raise RuntimeError('unexpected AXML size')
    facts = insp.axml_facts(bytes(b))
    pool = facts['stringPool']
    names = [a['string'] for a in facts['attributeNames']]
    for wanted in ('name', 'value'):
        index = names.index(wanted)
        (rel,) = struct.unpack_from('<I', b, pool['offset'] + 28 + 4 * index)
        strings_start = struct.unpack_from('<I', b, pool['offset'] + 20)[0]
        at = pool['offset'] + strings_start + rel
        if pool['encoding'] == 'UTF-8':
            b[at:at + 3] = b'\0\0\0'              # utf16 length 0, utf8 length 0, NUL
        else:
            b[at:at + 4] = b'\0\0\0\0'            # length 0, NUL
    chunks = facts['chunks']
    first_node = next(c for c in chunks if c['name'] == 'START_NAMESPACE')['offset']
    meta = [c for c in chunks if c['name'] == 'START_ELEMENT']
    meta_at = _element_offset(bytes(b), meta, 'meta-data')
    unknown_chunk = struct.pack('<HHI', AXML_UNKNOWN_CHUNK_TYPE, 8, 16) + b'LEAKDEX\0'
    unknown_node = struct.pack('<HHIIi', AXML_UNKNOWN_NODE_TYPE, 16, 24, 0, -1) + b'\0' * 8
    out = b[:first_node] + unknown_chunk + b[first_node:meta_at] + unknown_node + b[meta_at:]
    struct.pack_into('<I', out, 4, len(out))
    return bytes(out) + b'\x00\xde\xad\xbe\xef' + b'\0' * (AXML_TRAILING_BYTES - 5)


def _element_offset(b: bytes, start_elements: list[dict], tag: str) -> int:
    pool = insp._pool_strings(b, next(c for c in insp.axml_facts(b)['chunks'] if c['name'] == 'STRING_POOL')['offset'])
    for c in start_elements:
        (name_index,) = struct.unpack_from('<I', b, c['offset'] + 20)
        if pool[name_index] == tag:
            return c['offset']
    raise RuntimeError(f'no <{tag}>')


def build_axml_quirks(b: Builder) -> tuple[bytes, dict]:
    apk = b.sign(z.write_zip(b.base_entries('axml-quirks', manifest_patch=patch_manifest)))
    manifest = {e.name.decode(): e for e in z.read_entries(apk)}['AndroidManifest.xml'].content()
    facts = insp.axml_facts(manifest)
    kinds = [c['type'] for c in facts['chunks']]
    require(f'0x{AXML_UNKNOWN_CHUNK_TYPE:04x}' in kinds and f'0x{AXML_UNKNOWN_NODE_TYPE:04x}' in kinds,
            'unknown chunks')
    require(facts['trailingBytes'] == AXML_TRAILING_BYTES, 'trailing bytes past the declared size')
    emptied = [a for a in facts['attributeNames'] if a['string'] == '']
    require({a['resId'] for a in emptied} == {'0x01010003', '0x01010024'}, 'emptied name/value attribute names')
    return apk, {'declaredSize': facts['declaredSize'], 'actualSize': facts['actualSize'],
                 'trailingBytes': facts['trailingBytes'],
                 'unknownChunks': [c for c in facts['chunks'] if c['name'] == 'UNKNOWN'],
                 'emptiedAttributeNames': emptied}


# -------------------------------------------------------------------------------------------------- the table

def planted(rule: str, severity: str, secret_key: str, entry: str, context: str | None, where: str) -> dict:
    return {'ruleId': rule, 'severity': severity, 'secret': SECRETS[secret_key], 'entry': entry,
            'context': context, 'where': where}


QUIRKS = [
    {'name': 'zip-fake-encrypted', 'build': build_zip_fake_encrypted, 'diagnostics': ['zip.fake_encrypted'],
     'quirk': 'general-purpose bit 0 ("encrypted") set on classes.dex in the central and local headers, data not '
              'encrypted; Android < 9 and apksig ignore the bit, jszip/app-info-parser refuse the entry',
     'planted': [planted('github-token', 'critical', 'GITHUB_TOKEN_FAKE_ENCRYPTED', 'classes.dex', 'GITHUB_TOKEN',
                         'static final String BuildConfig.GITHUB_TOKEN')]},
    {'name': 'zip-unknown-method', 'build': build_zip_unknown_method, 'diagnostics': ['zip.unknown_method'],
     'quirk': 'classes.dex is deflated but its method field says 0x5a (unknown) in the central and local headers; '
              'Android < 9 and apksig treat any non-zero method as deflate',
     'planted': [planted('stripe-secret-key', 'critical', 'STRIPE_SECRET_KEY_UNKNOWN_METHOD', 'classes.dex', None,
                         'const-string "Bearer sk_live_..." in PaymentClient.authorization()')]},
    {'name': 'zip-local-name-mismatch', 'build': build_zip_local_name_mismatch,
     'diagnostics': ['zip.local_name_mismatch'],
     'quirk': 'central directory names the entry classes.dex, its local header says classes.xxx (same length); '
              'readers that walk local headers see no classes.dex. Signed v1 only, before the patch (JAR signatures '
              'cover contents by central name); modern libziparchive and apksig reject the mismatch',
     'planted': [planted('aws-access-key-id', 'high', 'AWS_ACCESS_KEY_ID_LOCAL_NAME', 'classes.dex',
                         'AWS_ACCESS_KEY_ID', 'static final String AwsConfig.AWS_ACCESS_KEY_ID')]},
    {'name': 'zip-duplicate-entry', 'build': build_zip_duplicate_entry, 'diagnostics': ['zip.duplicate_name'],
     'quirk': 'two central entries named assets/config.json; the first (signed, v1) holds an empty token, the second '
              '(added after signing, the "Master Key" pattern) holds the secret. Both must be scanned',
     'planted': [planted('slack-token', 'high', 'SLACK_TOKEN_DUPLICATE', 'assets/config.json', 'slack_bot_token',
                         'second of the two assets/config.json entries, JSON key slack_bot_token')]},
    {'name': 'zip-data-descriptor', 'build': build_zip_data_descriptor, 'diagnostics': [],
     'quirk': 'every entry has flag bit 3: CRC and sizes are zero in the local headers and follow the data in '
              'signed data descriptors (PK\\7\\8); signed v1+v2+v3 by apksigner, which keeps the descriptors',
     'planted': [planted('slack-webhook', 'medium', 'SLACK_WEBHOOK_DATA_DESCRIPTOR', 'assets/slack.json',
                         'webhook_url', 'JSON key webhook_url')]},
    {'name': 'zip64', 'build': build_zip64, 'diagnostics': [],
     'quirk': 'zip64 end of central directory record + locator, 0xFFFF/0xFFFFFFFF in the classic EOCD, zip64 extra '
              'fields in every local and central header with 0xFFFFFFFF in the 32-bit size/offset fields. '
              'Signed v1 only (apksig and the platform refuse zip64 for v2/v3); libziparchive reads zip64 since Android 11',
     'planted': [planted('facebook-access-token', 'high', 'FACEBOOK_ACCESS_TOKEN_ZIP64', 'assets/facebook.json',
                         'access_token', 'JSON key access_token')]},
    {'name': 'arsc-utf8-pool', 'build': build_arsc_utf8_pool, 'diagnostics': [],
     'quirk': 'resources.arsc value pool is UTF-8 (aapt2 default): two length prefixes (UTF-16 units, then bytes), '
              'multi-byte and 2-byte-length strings before the secret',
     'planted': [planted('twitter-consumer-secret', 'critical', 'TWITTER_CONSUMER_SECRET_UTF8', 'resources.arsc',
                         'twitter_consumer_secret', 'string/twitter_consumer_secret')]},
    {'name': 'arsc-sparse', 'build': build_arsc_sparse, 'diagnostics': [],
     'quirk': 'aapt2 link --enable-sparse-encoding with minSdk 32: the string type chunk for values-fr has '
              'FLAG_SPARSE (u16 entry index + u16 offset/4 pairs); the secret exists only in fr',
     'planted': [planted('stripe-secret-key', 'critical', 'STRIPE_SECRET_KEY_SPARSE', 'resources.arsc',
                         'stripe_secret_key', 'string/stripe_secret_key [fr]')]},
    {'name': 'arsc-compact', 'build': build_arsc_compact, 'diagnostics': [],
     'quirk': 'aapt2 link --enable-compact-entries with minSdk 34: simple entries are 8-byte compact entries '
              '(FLAG_COMPACT, key index in the size field, data type in the flags high byte); aapt2 also sets '
              'FLAG_OFFSET16 on those type chunks',
     'planted': [planted('slack-token', 'high', 'SLACK_TOKEN_COMPACT', 'resources.arsc', 'slack_bot_token',
                         'string/slack_bot_token')]},
    {'name': 'arsc-offset16', 'build': build_arsc_offset16, 'diagnostics': [],
     'quirk': 'FLAG_OFFSET16 (u16 offsets/4, 0xffff = absent) on a type chunk of ordinary complex entries: aapt2 '
              '2.20 only writes FLAG_OFFSET16 together with --enable-compact-entries (minSdk >= 34), and arrays are '
              'never compact, so the array type chunk holding the secret is offset16 + complex map entries',
     'planted': [planted('github-token', 'critical', 'GITHUB_TOKEN_OFFSET16', 'resources.arsc', 'github_tokens',
                         'array/github_tokens[1]')]},
    {'name': 'arsc-shortened-paths', 'build': build_arsc_shortened_paths, 'diagnostics': [],
     'quirk': 'aapt2 optimize --shorten-resource-paths (AGP/R8 resource shrinking): every file resource (drawable, '
              'layout, anim, menu, mipmap, raw, xml; not the res/color/ state list) is stored as '
              'res/<2-character hash>.<ext>, and its resources.arsc value is that path, bound to names like drawable/avd_show_password. A file path is '
              'not a string resource: nothing here is a secret',
     'planted': [],
     'decoys': 'shortened-paths'},
    {'name': 'dex-mutf8', 'build': build_dex_mutf8, 'diagnostics': [],
     'quirk': 'DEX string holding U+0000 (C0 80), a supplementary character (U+1F600 as two 3-byte surrogates) and '
              'a lone high surrogate (ED A0 80) right around the secret; plus a lone surrogate inside another string',
     'planted': [planted('google-api-key', 'medium', 'GOOGLE_API_KEY_MUTF8', 'classes.dex', None,
                         'const-string in Strings.mapsKey(): "\\u0000" + key + "\\ud83d\\ude00\\ud800"')]},
    {'name': 'so-stripped', 'build': build_so_stripped, 'diagnostics': [],
     'quirk': 'lib/arm64-v8a/libquirk.so linked by lld, then llvm-objcopy --strip-sections: e_shoff = e_shnum = 0, '
              'only program headers remain; the key lies in the first PT_LOAD segment (former .rodata). bionic\'s '
              'ElfReader::ReadSectionHeaders refuses e_shnum 0, so such files ship with packers that load them '
              'themselves; a scanner must still read them',
     'planted': [planted('private-key', 'critical', 'PRIVATE_KEY_SO', 'lib/arm64-v8a/libquirk.so', None,
                         'former .rodata, symbol quirk_signing_key')]},
    {'name': 'nested-jar', 'build': build_nested_jar, 'diagnostics': [],
     'quirk': 'archives inside the APK: assets/plugin.jar (a JAR: MANIFEST.MF + config.properties) and '
              'assets/inner.apk (a real signed APK whose resources.arsc holds a key)',
     'planted': [planted('github-token', 'critical', 'GITHUB_TOKEN_NESTED', 'assets/plugin.jar!/config.properties',
                         'github.token', 'properties key github.token'),
                 planted('google-api-key', 'low', 'GOOGLE_API_KEY_INNER', 'assets/inner.apk!/resources.arsc',
                         'google_api_key', 'string/google_api_key')]},
    {'name': 'axml-quirks', 'build': build_axml_quirks, 'diagnostics': [],
     'quirk': 'AndroidManifest.xml patched the way the runtime tolerates: an unknown chunk (type 0x0777) before '
              'the first node (ResXMLTree::setTo skips it), an unknown node (type 0x0105) before <meta-data> '
              '(ResXMLParser::nextNode skips it), the attribute-name strings "name" and "value" emptied (the '
              'framework matches attributes by the resource map: 0x01010003, 0x01010024), and 16 bytes after the '
              'size the XML header declares',
     'planted': [planted('google-api-key', 'low', 'GOOGLE_API_KEY_MANIFEST', 'AndroidManifest.xml',
                         'com.google.android.geo.API_KEY', 'literal <meta-data android:value>')]},
]


# --------------------------------------------------------------------------------------------- golden outputs

ANDROGUARD_SCRIPT = r'''
import sys, re, logging
logging.disable(logging.CRITICAL)
from androguard.core.bytecodes.apk import APK
from androguard.core.bytecodes.dvm import DalvikVMFormat
secrets = sys.argv[2:]
a = APK(sys.argv[1])
print('package:', a.get_package())
print('versionName:', a.get_androidversion_name(), 'versionCode:', a.get_androidversion_code())
print('minSdk:', a.get_min_sdk_version(), 'targetSdk:', a.get_target_sdk_version())
print('files:', a.get_files())
try:
    print('meta-data:', [(m, a.get_attribute_value('meta-data', 'value', name=m)) for m in
                         a.get_all_attribute_value('meta-data', 'name')])
except Exception as e:
    print('meta-data: error', type(e).__name__, e)
try:
    res = a.get_android_resources()
    pkg = res.get_packages_names()[0]
    for locale in sorted(res.get_locales(pkg)):
        strings = res.values[pkg][locale].get('string', [])
        print('strings[%s]:' % (locale or 'default'), strings)
except Exception as e:
    print('resources: error', type(e).__name__, e)
for name in a.get_dex_names():
    try:
        d = DalvikVMFormat(a.get_file(name))
        strings = list(d.get_strings())
        print(name, 'strings:', len(strings))
        for s in strings:
            text = s if isinstance(s, str) else s.decode('utf-8', 'backslashreplace')
            if any(x in text for x in secrets):
                print('  secret string:', repr(text))
    except Exception as e:
        print(name, 'error', type(e).__name__, e)
'''


def record_golden(name: str, apk_path: Path, expected: dict, work: Path) -> None:
    """Outputs of independent tools (aapt, aapt2, androguard, apksigner, jarsigner, unzip, readelf, dexdump)."""
    rel = apk_path.name
    cwd = apk_path.parent
    out: list[str] = []

    def section(title: str, cmd: list[str]) -> None:
        proc = run(cmd, cwd=cwd, check=False)
        text = (proc.stdout + proc.stderr).rstrip()
        out.append(f'$ {" ".join(cmd)}\n(exit {proc.returncode})\n{text}\n')

    section('aapt', ['aapt', 'dump', 'badging', rel])
    section('aapt', ['aapt', 'dump', '--values', 'resources', rel])
    section('aapt', ['aapt', 'dump', 'xmltree', rel, 'AndroidManifest.xml'])
    aapt2 = os.environ['AAPT2']
    section('aapt2', [aapt2, 'dump', 'badging', rel])
    section('aapt2', [aapt2, 'dump', 'resources', rel])
    section('unzip', ['unzip', '-lv', rel])
    section('apksigner', ['apksigner', 'verify', '-v', rel])
    section('jarsigner', ['jarsigner', '-verify', rel])
    secrets = [p['secret'].splitlines()[0] for p in expected['planted']]
    script = work / 'androguard_golden.py'
    script.write_text(ANDROGUARD_SCRIPT)
    section('androguard', [ANDROGUARD_PYTHON, str(script), rel, *secrets])
    if name == 'so-stripped':
        lib = work / 'libquirk.so'
        lib.write_bytes({e.name.decode(): e for e in z.read_entries(apk_path.read_bytes())}
                        ['lib/arm64-v8a/libquirk.so'].content())
        section('readelf', ['readelf', '-h', '-l', '-S', str(lib)])
    if name == 'dex-mutf8':
        dex = work / 'classes.dex'
        dex.write_bytes({e.name.decode(): e for e in z.read_entries(apk_path.read_bytes())}['classes.dex'].content())
        section('dexdump', ['dexdump', '-d', str(dex)])
    text = '\n'.join(out).replace(str(work) + '/', '').replace(aapt2, 'aapt2')
    text = LOG_PREFIX.sub('<log>', text)
    (GOLDEN / f'{name}.tools.txt').write_text(text)


def decoys_of(quirk: dict, verified: dict) -> list[dict]:
    """Values that must not be reported above info: for arsc-shortened-paths, each shortened path and its name."""
    if quirk.get('decoys') != 'shortened-paths':
        return []
    return [{'text': path, 'entry': 'resources.arsc', 'why': f'file path of {name}'}
            for name, path in sorted(verified['namedPaths'].items())]


def signer_sha256(keystore: str, password: str, alias: str) -> str:
    der = subprocess.run(['keytool', '-exportcert', '-keystore', keystore, '-storepass', password, '-alias', alias],
                         capture_output=True, check=True).stdout
    return hashlib.sha256(der).hexdigest()


def manifest_sdk(project: Path) -> tuple[str, str]:
    text = (project / 'AndroidManifest.xml').read_text()
    return (re.search(r'minSdkVersion="(\d+)"', text).group(1), re.search(r'targetSdkVersion="(\d+)"', text).group(1))


def main(argv: list[str]) -> int:
    only = set(argv[1:])
    GOLDEN.mkdir(exist_ok=True)
    signer = signer_sha256(os.environ['KEYSTORE'], os.environ['KEYSTORE_PASS'], os.environ['KEY_ALIAS'])
    with tempfile.TemporaryDirectory(prefix='leakdex-quirks-') as tmp:
        work = Path(tmp)
        builder = Builder(work)
        for quirk in QUIRKS:
            name = quirk['name']
            if only and name not in only:
                continue
            apk, verified = quirk['build'](builder)
            apk_path = HERE / f'{name}.apk'
            apk_path.write_bytes(apk)
            entries = {e.name.decode(): e for e in z.read_entries(apk)}
            for p in quirk['planted']:
                outer = p['entry'].split('!/')[0]
                haystack = entries[outer].content()
                if '!/' in p['entry']:
                    inner = {e.name.decode(): e for e in z.read_entries(haystack)}[p['entry'].split('!/')[1]]
                    haystack = inner.content()
                needle = p['secret'].encode()
                if needle not in haystack:
                    utf16 = p['secret'].encode('utf-16-le')
                    if utf16 not in haystack:
                        raise AssertionError(f'{name}: secret not found in {p["entry"]}')
            min_sdk, target_sdk = manifest_sdk(SRC / name)
            expected = {
                'file': f'{name}.apk',
                'quirk': quirk['quirk'],
                'expectDiagnostics': quirk['diagnostics'],
                'app': {'platform': 'android', 'id': 'com.leakdex.quirks.' + name.replace('-', '_'),
                        'versionName': '1.0.0', 'versionCode': '1', 'minSdk': min_sdk, 'targetSdk': target_sdk,
                        'signerSha256': signer},
                'sha256': hashlib.sha256(apk).hexdigest(),
                'size': len(apk),
                'planted': quirk['planted'],
                'decoys': decoys_of(quirk, verified),
                'verified': verified,
            }
            (HERE / f'{name}.expected.json').write_text(json.dumps(expected, indent=2, ensure_ascii=False) + '\n')
            record_golden(name, apk_path, expected, work)
            shown = ', '.join(f'{p["ruleId"]} {redact(p["secret"])}' for p in quirk['planted'])
            print(f'  {name}.apk  {len(apk):>6} bytes  {shown}')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
