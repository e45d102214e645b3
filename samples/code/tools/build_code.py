#!/usr/bin/python3
"""Build the code-context samples (samples/code/NAME.apk), their goldens and expected.json. Run by ../build.sh.

    build_code.py [NAME ...]      all samples of specs.SAMPLES, or these

Per sample: render the sources (fake_secrets slots, plus {{PKG}} / {{PKG_PATH}}), compile the Java and Kotlin
sources with javac / kotlinc (to prove they are real code; the class files are thrown away), assemble the smali that
mirrors them with smali 2.5 (--api 21), build the manifest with aapt, write the APK with fixed zip timestamps,
zipalign -p 4, apksigner v1+v2+v3 with samples/keys/leakdex-sample.p12, then record goldens and expected.json.
"""
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))       # samples/code
SAMPLES_DIR = os.path.dirname(HERE)
SRC = os.path.join(HERE, 'src')
GOLDEN = os.path.join(HERE, 'golden')
sys.path.insert(0, os.path.join(HERE, 'tools'))
sys.path.insert(0, os.path.join(SAMPLES_DIR, 'tools'))
import specs  # noqa: E402
from fake_secrets import SECRETS, fill  # noqa: E402

KEYSTORE = os.path.join(SAMPLES_DIR, 'keys', 'leakdex-sample.p12')
KEYSTORE_PASS = 'leakdex-sample'
FRAMEWORK = '/usr/share/android-framework-res/framework-res.apk'
KOTLIN_STDLIB = '/usr/share/java/kotlin-stdlib.jar'
ZIP_TIME = (1981, 1, 1, 1, 1, 2)
TEXT = ('.smali', '.java', '.kt', '.c', '.txt')


def log(msg):
    sys.stderr.write('samples/code: %s\n' % msg)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


# ------------------------------------------------------------------------------------------ secret shape checks
def entropy(s):
    return -sum(s.count(c) / len(s) * math.log2(s.count(c) / len(s)) for c in set(s))


PLACEHOLDER = re.compile(r'example|dummy|placeholder|changeme|change_me|replace_?me|insert_|(?:^|[^a-z])your[_-]?[a-z]|x{5,}|\*{3,}|\$\{|\{\{|<[a-z_ -]{1,40}>', re.I)
NOT_A_VALUE = re.compile(r'^[A-Za-z][A-Za-z._:-]{0,127}[0-9]{0,6}$')
LUD = [r'[a-z]', r'[A-Z]', r'[0-9]']
SHAPES = {  # rule id -> (regex the secret must fully match, min entropy, regexes it must contain)
    'twitter-consumer-key': (r'[A-Za-z0-9]{25}', 3.5, LUD[:2]),
    'twitter-consumer-secret': (r'[A-Za-z0-9]{50}', 4.2, LUD),
    'twitter-access-token': (r'[0-9]{6,20}-[A-Za-z0-9]{40}', 4.0, LUD[:2]),
    'twitter-access-token-secret': (r'[A-Za-z0-9]{45}', 4.2, LUD),
    'generic-secret': (r'[A-Za-z0-9+/=_.~-]{16,256}', 3.2, [r'[A-Za-z]', r'[0-9]']),
    'crypto-hardcoded-key': (r'[\x21-\x7e]{8,128}', 3.0, [r'[A-Za-z0-9]']),
    'credential-compared-in-code': (r'[\x21-\x7e]{6,128}', 2.5, [r'[A-Za-z]', r'[0-9]']),
    'url-query-credential': (r'[A-Za-z0-9]{32}', 4.0, LUD),
    'http-authorization-credential': (r'[\x21-\x7e]{12,128}', 3.2, [r'[A-Za-z]', r'[0-9]']),
    'facebook-app-id': (r'[0-9]{13,17}', 2.5, []),
    'facebook-client-token': (r'[0-9a-f]{32}', 2.8, []),
    'facebook-app-secret': (r'[0-9a-f]{32}', 2.8, []),
    'google-api-key': (r'AIza[0-9A-Za-z_-]{35}', 4.0, []),
    'firebase-database-url': (r'https://[a-z0-9-]{3,63}\.firebaseio\.com', 0, []),
    'stripe-publishable-key': (r'pk_live_[0-9a-zA-Z]{24,99}', 4.0, []),
    'algolia-app-id': (r'[A-Z0-9]{10}', 2.5, [r'[0-9]', r'[A-Z]']),
    'algolia-admin-key': (r'[0-9a-f]{32}', 3.0, []),
    'mapbox-public-token': (r'pk\.eyJ1[A-Za-z0-9_-]{20,300}\.[A-Za-z0-9_-]{22}', 4.0, []),
    'aws-access-key-id': (r'(?:AKIA|ASIA)[A-Z2-7]{16}', 3.0, []),
    'aws-secret-access-key': (r'[A-Za-z0-9/+]{40}', 4.1, LUD),
    'aws-cognito-identity-pool': (r'us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', 0, []),
}


def check_shapes(name, spec):
    bad = []
    items = spec['planted'] + spec.get('lostWhenRenamed', [])
    for p in items:
        shape, min_h, must = SHAPES[p['ruleId']]
        s = p['secret']
        problems = []
        if not re.fullmatch(shape, s):
            problems.append('shape')
        if entropy(s) < min_h:
            problems.append('entropy %.2f < %.1f' % (entropy(s), min_h))
        problems += ['lacks ' + m for m in must if not re.search(m, s)]
        if PLACEHOLDER.search(s):
            problems.append('placeholder word')
        if p['ruleId'].startswith('generic') and NOT_A_VALUE.match(s):
            problems.append('looks like a name')
        if problems:
            bad.append('%s: %s (%s...): %s' % (name, p['ruleId'], s[:4], ', '.join(problems)))
        if 'partner' in p:
            ps, _, _ = SHAPES[p['partner']['ruleId']]
            if not re.fullmatch(ps, p['partner']['secret']):
                bad.append('%s: partner %s has the wrong shape' % (name, p['partner']['ruleId']))
    if bad:
        raise SystemExit('secret shape problems:\n  ' + '\n  '.join(bad))


# --------------------------------------------------------------------------------------------------- rendering
def render_tree(src_root, dst_root, slots, rename=None):
    for dirpath, _dirs, files in os.walk(src_root):
        for fn in sorted(files):
            src = os.path.join(dirpath, fn)
            rel = os.path.relpath(src, src_root)
            if rename:
                rel = rename(rel)
            dst = os.path.join(dst_root, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            if fn.endswith(TEXT):
                with open(src, encoding='utf-8') as f:
                    text = fill(f.read(), slots)
                with open(dst, 'w', encoding='utf-8', newline='\n') as f:
                    f.write(text)
            else:
                shutil.copyfile(src, dst)


def manifest(spec, version_name='1.0.0', version_code='1'):
    acts = ''.join('        <activity android:name="%s" android:exported="false"/>\n' % a for a in spec.get('activities', []))
    native = ' android:extractNativeLibs="false"' if spec.get('native') else ''
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="%s"\n'
            '    android:versionCode="%s" android:versionName="%s">\n'
            '    <uses-sdk android:minSdkVersion="21" android:targetSdkVersion="33"/>\n'
            '    <application android:label="%s"%s>\n%s    </application>\n'
            '</manifest>\n') % (spec['pkg'], version_code, version_name, spec['label'], native, acts)


def build(name, spec, work):
    log('building ' + name)
    check_shapes(name, spec)
    tmp = os.path.join(work, name)
    os.makedirs(tmp)
    pkg_path = spec['pkg'].replace('.', '/')
    slots = dict(SECRETS, PKG=spec['pkg'], PKG_PATH=pkg_path)
    sdir = os.path.join(SRC, spec['src'])
    # 1. Java / Kotlin sources: compile to prove they are real code.
    java = os.path.join(tmp, 'java')
    render_tree(os.path.join(SRC, 'stubs', 'java'), java, slots)
    render_tree(os.path.join(sdir, 'java'), java, slots)
    if spec.get('common', True) or name == 'code-renamed':
        render_tree(os.path.join(SRC, 'common', 'java'), os.path.join(java, pkg_path), slots)
    stubs_cls = os.path.join(tmp, 'compile-stubs')
    os.makedirs(stubs_cls)
    stub_srcs = [os.path.join(dp, f) for dp, _, fs in os.walk(os.path.join(SRC, 'compile-stubs')) for f in fs]
    run(['javac', '-nowarn', '--release', '8', '-d', stubs_cls] + stub_srcs, stderr=subprocess.DEVNULL)
    classes = os.path.join(tmp, 'classes')
    os.makedirs(classes)
    srcs = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(java) for f in fs if f.endswith('.java'))
    kdir = os.path.join(sdir, 'kotlin')
    if os.path.isdir(kdir):
        kt = os.path.join(tmp, 'kotlin')
        render_tree(kdir, kt, slots)
        kts = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(kt) for f in fs if f.endswith('.kt'))
        run(['kotlinc', '-nowarn', '-cp', stubs_cls, '-d', classes] + kts, stderr=subprocess.DEVNULL)
    cp = os.pathsep.join([stubs_cls, classes, KOTLIN_STDLIB])
    run(['javac', '-nowarn', '--release', '8', '-cp', cp, '-d', classes] + srcs, stderr=subprocess.DEVNULL)
    # 2. smali -> classes.dex (library stubs + the app's classes).
    smali = os.path.join(tmp, 'smali')
    render_tree(os.path.join(SRC, 'stubs', 'smali'), smali, slots)
    render_tree(os.path.join(sdir, 'smali'), smali, slots)
    if spec.get('common', True):
        render_tree(os.path.join(SRC, 'common', 'smali'), os.path.join(smali, pkg_path), slots)
    dex = os.path.join(tmp, 'classes.dex')
    run(['smali', 'assemble', '--jobs', '1', '--api', '21', '-o', dex, smali])  # one job: deterministic item order
    # 3. native library and asset.
    entries = []  # (name, path, stored)
    if spec.get('native'):
        c = os.path.join(tmp, 'libpairs.c')
        with open(os.path.join(sdir, spec['native']), encoding='utf-8') as f:
            text = fill(f.read(), slots)
        with open(c, 'w', encoding='utf-8') as f:
            f.write(text)
        so = os.path.join(tmp, 'libpairs.so')
        run(['clang', '--target=aarch64-linux-android21', '-shared', '-nostdlib', '-fuse-ld=lld', '-fPIC', '-O2', '-Wl,-O0', '-Wall',
             '-Werror', '-Wl,-soname,libpairs.so', '-Wl,--build-id=sha1', '-o', so, c])
        run(['llvm-strip', '--strip-all', so])
        entries.append((specs.SO, so, True))
    if spec.get('blob'):
        with open(os.path.join(sdir, spec['blob']), encoding='utf-8') as f:
            lines = [ln for ln in fill(f.read(), slots).split('\n') if ln and not ln.startswith('#')]
        blob = os.path.join(tmp, 'blob.bin')
        with open(blob, 'wb') as f:
            f.write(b'LKDXBLOB\x01\x00\x00\x00' + b''.join(s.encode() + b'\0' for s in lines))
        entries.append((specs.BLOB, blob, False))
    # 4. manifest with aapt, APK with fixed timestamps, zipalign, apksigner.
    with open(os.path.join(tmp, 'AndroidManifest.xml'), 'w') as f:
        f.write(manifest(spec))
    base = os.path.join(tmp, 'base.apk')
    run(['aapt', 'package', '-f', '-M', os.path.join(tmp, 'AndroidManifest.xml'), '-I', FRAMEWORK, '-F', base])
    with zipfile.ZipFile(base) as z:
        axml = z.read('AndroidManifest.xml')
    unsigned = os.path.join(tmp, 'unsigned.apk')
    with zipfile.ZipFile(unsigned, 'w') as z:
        def add(arc, data, stored=False):
            info = zipfile.ZipInfo(arc, ZIP_TIME)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
        add('AndroidManifest.xml', axml)
        with open(dex, 'rb') as f:
            add('classes.dex', f.read())
        for arc, path, stored in entries:
            with open(path, 'rb') as f:
                add(arc, f.read(), stored)
    aligned = os.path.join(tmp, 'aligned.apk')
    run(['zipalign', '-f', '-p', '4', unsigned, aligned])
    apk = os.path.join(HERE, name + '.apk')
    run(['apksigner', 'sign', '--ks', KEYSTORE, '--ks-pass', 'pass:' + KEYSTORE_PASS, '--ks-key-alias', 'leakdex-sample',
         '--v1-signer-name', 'CERT', '--v1-signing-enabled', 'true', '--v2-signing-enabled', 'true',
         '--v3-signing-enabled', 'true', '--v4-signing-enabled', 'false', '--out', apk, aligned])
    if os.path.exists(apk + '.idsig'):
        os.remove(apk + '.idsig')
    run(['apksigner', 'verify', apk])
    run(['zipalign', '-c', '-p', '4', apk])
    # 5. goldens.
    os.makedirs(GOLDEN, exist_ok=True)
    out = subprocess.run(['dexdump', '-d', dex], check=True, capture_output=True, text=True).stdout
    out = out.replace(dex, 'classes.dex')
    with open(os.path.join(GOLDEN, name + '.classes.dexdump-d.txt'), 'w') as f:
        f.write(out)
    with open(dex, 'rb') as f:
        dex_sha = hashlib.sha256(f.read()).hexdigest()
    with open(os.path.join(GOLDEN, name + '.classes.dex.sha256'), 'w') as f:
        f.write('%s  classes.dex\n' % dex_sha)
    with open(os.path.join(GOLDEN, name + '.badging.txt'), 'w') as f:
        f.write(subprocess.run(['aapt', 'dump', 'badging', apk], check=True, capture_output=True, text=True).stdout)
    certs = subprocess.run(['apksigner', 'verify', '--verbose', '--print-certs', apk], check=True, capture_output=True, text=True).stdout
    with open(os.path.join(GOLDEN, name + '.apksigner.txt'), 'w') as f:
        f.write(certs)
    for arc, path, _ in entries:
        if arc.endswith('.so'):
            ro = subprocess.run(['readelf', '--unicode=escape', '-p', '.rodata', path], check=True, capture_output=True, text=True).stdout
            with open(os.path.join(GOLDEN, name + '.libpairs.rodata.txt'), 'w') as f:
                f.write(ro.replace(path, arc))
            with open(os.path.join(GOLDEN, name + '.libpairs.readelf-S.txt'), 'w') as f:
                f.write(subprocess.run(['readelf', '-S', '-W', path], check=True, capture_output=True, text=True).stdout.replace(path, arc))
        else:
            with open(path, 'rb') as f:
                data = f.read()
            strings = [s.decode() for s in data[12:].split(b'\0')[:-1]]
            with open(os.path.join(GOLDEN, name + '.blob-strings.json'), 'w') as f:
                json.dump({'entry': arc, 'header': data[:12].hex(), 'strings': strings}, f, indent=2)
                f.write('\n')
    # 6. expected.json
    signer = re.search(r'Signer #1 certificate SHA-256 digest: ([0-9a-f]{64})', certs).group(1)
    doc = {
        'file': name + '.apk',
        'app': {'platform': 'android', 'id': spec['pkg'], 'versionName': '1.0.0', 'versionCode': '1', 'minSdk': '21',
                'targetSdk': '33', 'label': spec['label'], 'signerSha256': signer},
        'build': {'dex': ['classes.dex'], 'nativeLibs': [a for a, _, _ in entries if a.endswith('.so')],
                  'assets': [a for a, _, _ in entries if a.startswith('assets/')],
                  'storedEntries': sorted(a for a, _, s in entries if s),
                  'dexBuiltWith': 'smali 2.5.2 assemble --api 21 (from d8-style smali mirroring src/%s/java, kotlin)' % spec['src'],
                  'manifestBuiltWith': 'aapt 1 package (no resources.arsc)'},
        'planted': spec['planted'],
    }
    if 'lostWhenRenamed' in spec:
        doc['lostWhenRenamed'] = spec['lostWhenRenamed']
    doc['decoys'] = spec['decoys']
    with open(os.path.join(HERE, name + '.expected.json'), 'w', encoding='utf-8') as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write('\n')
    log('%s.apk: %d bytes' % (name, os.path.getsize(apk)))


def main(argv):
    names = argv[1:] or list(specs.SAMPLES)
    for n in names:
        if n not in specs.SAMPLES:
            raise SystemExit('build_code.py: unknown sample %s (%s)' % (n, ' '.join(specs.SAMPLES)))
    work = tempfile.mkdtemp(prefix='leakdex-code-samples.')
    try:
        for n in names:
            build(n, specs.SAMPLES[n], work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main(sys.argv)
