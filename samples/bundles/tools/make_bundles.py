#!/usr/bin/python3
"""Sources, fixtures and expectations of the leakdex bundle samples (AAB, .apks, XAPK, APKM, app runtimes).

Every secret is fake, format-valid and derived from sha256(label), so a rebuild plants the same bytes.

    make_bundles.py render OUTDIR            write the app's sources (manifest, res, assets, smali, C, JS, C#) to OUTDIR
    make_bundles.py module APPDIR PROTO OUT  assemble a bundletool module zip from aapt2's proto APK + built files
    make_bundles.py xalz DLL OUT             LZ4-compress a .NET assembly into an XALZ envelope (xamarin-android format)
    make_bundles.py store OUT DLL...         pack assemblies into an assembly store v1 (`XABA`, 24-byte descriptors)
    make_bundles.py il2cpp OUT               write a global-metadata.dat (version 24) whose literal table holds the secrets
    make_bundles.py xapk APKS OUT            XAPK (manifest.json v2 + base + ABI split + an OBB) from a bundletool .apks
    make_bundles.py apkm APKS OUT            APKM (info.json + base.apk + split_config.*.apk) from a bundletool .apks
    make_bundles.py expected OUTDIR          write NAME.expected.json for every committed sample in OUTDIR
"""
import hashlib
import base64
import json
import os
import string
import struct
import sys
import zipfile

ALNUM = string.ascii_letters + string.digits
HEX = '0123456789abcdef'
UPPER_B32 = string.ascii_uppercase + '234567'
B64 = string.ascii_letters + string.digits + '+/'
PKG = 'com.leakdex.sample.bundle'
VERSION_CODE = '7'
VERSION_NAME = '2.1.0'
LABEL = 'Leakdex Bundle Sample'
FIXED_TIME = (2024, 1, 1, 0, 0, 0)


def gen(label, alphabet, n):
    out = []
    counter = 0
    while len(out) < n:
        block = hashlib.sha256(('leakdex-bundle:%s:%d' % (label, counter)).encode()).digest()
        counter += 1
        for b in block:
            if b < 256 - (256 % len(alphabet)) and len(out) < n:
                out.append(alphabet[b % len(alphabet)])
    return ''.join(out)


S = {
    'GOOGLE_MAPS_KEY': 'AIza' + gen('maps', ALNUM + '_-', 35),
    'GITHUB_TOKEN': 'ghp_' + gen('github', ALNUM, 36),
    'SLACK_WEBHOOK': 'https://hooks.slack.com/services/T%s/B%s/%s' % (gen('slack-t', string.ascii_uppercase + string.digits, 10), gen('slack-b', string.ascii_uppercase + string.digits, 10), gen('slack-x', ALNUM, 24)),
    'STRIPE_SECRET_KEY': 'sk_live_' + gen('stripe', ALNUM, 32),
    'AWS_ACCESS_KEY_ID': 'AKIA' + gen('aws-id', UPPER_B32, 16),
    'AWS_SECRET_ACCESS_KEY': gen('aws-secret', B64, 40),
    'SLACK_BOT_TOKEN': 'xoxb-%s-%s-%s' % (gen('slack-bot-1', string.digits, 12), gen('slack-bot-2', string.digits, 13), gen('slack-bot-3', ALNUM, 24)),
    'SENDGRID_API_KEY': 'SG.%s.%s' % (gen('sendgrid-1', ALNUM + '_-', 22), gen('sendgrid-2', ALNUM + '_-', 43)),
    'HF_TOKEN': 'hf_' + gen('hf', string.ascii_letters, 34),
    'MAILGUN_API_KEY': 'key-' + gen('mailgun', HEX, 32),
    'PERPLEXITY_KEY': 'pplx-' + gen('pplx', ALNUM, 48),
    'STRIPE_RESTRICTED_KEY': 'rk_live_' + gen('stripe-rk', ALNUM, 32),
    'GROQ_KEY': 'gsk_' + gen('groq', ALNUM, 52),
    'REPLICATE_TOKEN': 'r8_' + gen('replicate', ALNUM, 37),
    'OBB_GITHUB_TOKEN': 'ghp_' + gen('obb-github', ALNUM, 36),
}

# What each planted secret is, where it sits in the APK built from the bundle, and what binds it.
PLANTED = [
    {'ruleId': 'google-api-key', 'key': 'GOOGLE_MAPS_KEY', 'apk': 'resources.arsc', 'context': 'google_maps_key',
     'alsoAt': [{'apk': 'AndroidManifest.xml', 'context': 'com.google.android.geo.API_KEY'}]},
    {'ruleId': 'github-token', 'key': 'GITHUB_TOKEN', 'apk': 'resources.arsc', 'context': 'github_token'},
    {'ruleId': 'slack-webhook', 'key': 'SLACK_WEBHOOK', 'apk': 'AndroidManifest.xml', 'context': 'com.leakdex.SLACK_WEBHOOK'},
    {'ruleId': 'perplexity-api-key', 'key': 'PERPLEXITY_KEY', 'apk': 'res/xml/remote_config.xml', 'context': 'apiKey'},
    {'ruleId': 'stripe-secret-key', 'key': 'STRIPE_SECRET_KEY', 'apk': 'assets/.env', 'context': 'STRIPE_SECRET_KEY'},
    {'ruleId': 'aws-access-key-id', 'key': 'AWS_ACCESS_KEY_ID', 'apk': 'assets/config.json', 'context': 'AWS_ACCESS_KEY_ID',
     'note': 'inside a base64 blob ($.credentials), location says decoded:base64'},
    {'ruleId': 'aws-secret-access-key', 'key': 'AWS_SECRET_ACCESS_KEY', 'apk': 'assets/config.json', 'context': 'AWS_SECRET_ACCESS_KEY'},
    {'ruleId': 'slack-token', 'key': 'SLACK_BOT_TOKEN', 'apk': 'assets/index.android.bundle', 'context': None,
     'note': 'Hermes bytecode string table; the next literal follows without a separator'},
    {'ruleId': 'sendgrid-api-key', 'key': 'SENDGRID_API_KEY', 'apk': 'lib/arm64-v8a/libapp.so', 'context': None,
     'alsoAt': [{'apk': 'lib/armeabi-v7a/libapp.so'}]},
    {'ruleId': 'huggingface-token', 'key': 'HF_TOKEN', 'apk': 'assets/flutter_assets/.env', 'context': 'HF_TOKEN'},
    {'ruleId': 'mailgun-api-key', 'key': 'MAILGUN_API_KEY', 'apk': 'assets/www/js/config.js', 'context': None},
    {'ruleId': 'stripe-restricted-key', 'key': 'STRIPE_RESTRICTED_KEY', 'apk': 'assemblies/Leakdex.Secrets.dll', 'context': None,
     'note': 'C# string literal in the #US heap (UTF-16)'},
    {'ruleId': 'groq-api-key', 'key': 'GROQ_KEY', 'apk': 'assemblies/assemblies.blob', 'context': None,
     'note': 'XALZ (LZ4) assembly inside an assembly store'},
    {'ruleId': 'replicate-token', 'key': 'REPLICATE_TOKEN', 'apk': 'assets/bin/Data/Managed/Metadata/global-metadata.dat', 'context': None,
     'note': 'IL2CPP literal table; literals are stored without separators'},
]

# Severities the rules give (rules/); a change there shows up as a test failure here.
SEVERITY = {'google-api-key': 'low', 'github-token': 'critical', 'slack-webhook': 'medium', 'perplexity-api-key': 'critical', 'stripe-secret-key': 'critical', 'aws-access-key-id': 'high', 'aws-secret-access-key': 'critical', 'slack-token': 'high', 'sendgrid-api-key': 'high', 'huggingface-token': 'high', 'mailgun-api-key': 'high', 'stripe-restricted-key': 'high', 'groq-api-key': 'critical', 'replicate-token': 'critical'}

DECOYS = [
    {'text': 'sk_live_XXXXXXXXXXXXXXXXXXXXXXXX', 'apk': 'resources.arsc', 'why': 'placeholder with a live prefix', 'context': 'stripe_placeholder'},
    {'text': 'YOUR_API_KEY', 'apk': 'assets/.env', 'why': 'placeholder', 'context': 'MAPS_KEY'},
]


def w(path, text, mode='w'):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(text)


def render(out):
    w(f'{out}/AndroidManifest.xml', f'''<?xml version="1.0" encoding="utf-8"?>
<!-- leakdex bundle sample: every credential is fake (samples/README.md). -->
<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="{PKG}"
    android:versionCode="{VERSION_CODE}" android:versionName="{VERSION_NAME}">
    <uses-sdk android:minSdkVersion="21" android:targetSdkVersion="33"/>
    <uses-permission android:name="android.permission.INTERNET"/>
    <application android:label="@string/app_name" android:hasCode="true">
        <meta-data android:name="com.google.android.geo.API_KEY" android:value="@string/google_maps_key"/>
        <meta-data android:name="com.leakdex.SLACK_WEBHOOK" android:value="{S['SLACK_WEBHOOK']}"/>
        <meta-data android:name="com.leakdex.CONFIG" android:resource="@xml/remote_config"/>
    </application>
</manifest>
''')
    w(f'{out}/res/values/strings.xml', f'''<?xml version="1.0" encoding="utf-8"?>
<resources>
    <string name="app_name">{LABEL}</string>
    <string name="google_maps_key" translatable="false">{S['GOOGLE_MAPS_KEY']}</string>
    <string name="github_token" translatable="false">{S['GITHUB_TOKEN']}</string>
    <string name="stripe_placeholder" translatable="false">sk_live_XXXXXXXXXXXXXXXXXXXXXXXX</string>
    <string name="greeting">Hello from the bundle</string>
</resources>
''')
    w(f'{out}/res/values-fr/strings.xml', '''<?xml version="1.0" encoding="utf-8"?>
<resources>
    <string name="greeting">Bonjour depuis le bundle</string>
</resources>
''')
    w(f'{out}/res/xml/remote_config.xml', f'''<?xml version="1.0" encoding="utf-8"?>
<remote-config>
    <provider name="perplexity" apiKey="{S['PERPLEXITY_KEY']}" endpoint="https://api.perplexity.ai"/>
</remote-config>
''')
    w(f'{out}/assets/.env', f'STRIPE_SECRET_KEY={S["STRIPE_SECRET_KEY"]}\nMAPS_KEY=YOUR_API_KEY\n')
    creds = f'AWS_ACCESS_KEY_ID={S["AWS_ACCESS_KEY_ID"]}\nAWS_SECRET_ACCESS_KEY={S["AWS_SECRET_ACCESS_KEY"]}\n'
    w(f'{out}/assets/config.json', json.dumps({'region': 'eu-west-1', 'credentials': base64.b64encode(creds.encode()).decode()}, indent=2) + '\n')
    w(f'{out}/assets/flutter_assets/.env', f'HF_TOKEN={S["HF_TOKEN"]}\nAPI_BASE=https://api.example.org\n')
    w(f'{out}/assets/www/js/config.js', f'window.APP_CONFIG = {{ mailer: "{S["MAILGUN_API_KEY"]}", theme: "dark" }};\n')
    w(f'{out}/js/index.js', f'''// React Native entry compiled to Hermes bytecode by hermesc.
var config = {{ slackToken: "{S['SLACK_BOT_TOKEN']}", channel: "deploys-and-alerts", region: "eu-west-1" }};
function notify(text) {{
  return fetch("https://slack.com/api/chat.postMessage", {{ method: "POST", headers: {{ Authorization: "Bearer " + config.slackToken }}, body: JSON.stringify({{ channel: config.channel, text: text }}) }});
}}
globalThis.notify = notify;
''')
    w(f'{out}/native/libapp.c', f'''/* Stands in for a Flutter/NDK native library: a secret in .rodata. */
const char leakdex_sendgrid_key[] = "{S['SENDGRID_API_KEY']}";
const char *leakdex_key(void) {{ return leakdex_sendgrid_key; }}
''')
    w(f'{out}/dotnet/Secrets.cs', f'''// Xamarin/.NET MAUI stand-in: literals end up in the #US heap.
namespace Leakdex.Sample {{
  public static class Secrets {{
    public static readonly string StripeKey = "{S['STRIPE_RESTRICTED_KEY']}";
    public static string Endpoint() {{ return "https://api.stripe.com/v1/charges"; }}
  }}
}}
''')
    w(f'{out}/dotnet/Groq.cs', f'''namespace Leakdex.Sample {{
  public static class Groq {{
    public static string Key() {{ return "{S['GROQ_KEY']}"; }}
    public static string Model() {{ return "llama-3.1-8b-instant"; }}
  }}
}}
''')
    w(f'{out}/smali/com/leakdex/bundle/BuildConfig.smali', f'''.class public final Lcom/leakdex/bundle/BuildConfig;
.super Ljava/lang/Object;

.field public static final APPLICATION_ID:Ljava/lang/String; = "{PKG}"

.field public static final VERSION_NAME:Ljava/lang/String; = "{VERSION_NAME}"
''')
    w(f'{out}/apktool/apktool.yml', f'''!!brut.androlib.meta.MetaInfo
apkFileName: dex-only.apk
compressionType: false
isFrameworkApk: false
packageInfo:
  forcedPackageId: '127'
sdkInfo:
  minSdkVersion: '21'
  targetSdkVersion: '33'
usesFramework:
  ids:
  - 1
version: 2.7.0
versionInfo:
  versionCode: '{VERSION_CODE}'
  versionName: {VERSION_NAME}
''')
    w(f'{out}/apktool/AndroidManifest.xml', f'<?xml version="1.0" encoding="utf-8"?>\n<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="{PKG}"><application/></manifest>\n')


def zip_write(z, name, data, stored=False):
    info = zipfile.ZipInfo(name, FIXED_TIME)
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    z.writestr(info, data)


def module(appdir, proto_apk, out):
    """bundletool module layout (BundleModule.java): manifest/, resources.pb, res/, dex/, lib/, assets/, root/."""
    with zipfile.ZipFile(proto_apk) as p, zipfile.ZipFile(out, 'w') as z:
        for n in sorted(p.namelist()):
            if n == 'AndroidManifest.xml':
                zip_write(z, 'manifest/AndroidManifest.xml', p.read(n))
            elif n == 'resources.pb' or n.startswith('res/'):
                zip_write(z, n, p.read(n))
        for top, target in (('built/dex', 'dex'), ('built/lib', 'lib'), ('assets', 'assets'), ('built/assets', 'assets'), ('built/root', 'root')):
            base = os.path.join(appdir, top)
            for dirpath, _, files in sorted(os.walk(base)):
                for f in sorted(files):
                    full = os.path.join(dirpath, f)
                    zip_write(z, target + '/' + os.path.relpath(full, base).replace(os.sep, '/'), open(full, 'rb').read())


def lz4_compress(data):
    """Greedy LZ4 block compressor (lz4_Block_format.md): 4-byte hash matches, last 5 bytes as literals."""
    out = bytearray()
    table = {}
    i = anchor = 0
    n = len(data)
    limit = n - 12

    def length_bytes(v):
        b = bytearray()
        while v >= 255:
            b.append(255)
            v -= 255
        b.append(v)
        return b
    while i < limit:
        key = data[i:i + 4]
        cand = table.get(key)
        table[key] = i
        if cand is None or i - cand > 0xffff:
            i += 1
            continue
        mlen = 4
        while i + mlen < n - 5 and data[cand + mlen] == data[i + mlen]:
            mlen += 1
        lit = i - anchor
        token = (min(lit, 15) << 4) | min(mlen - 4, 15)
        out.append(token)
        if lit >= 15:
            out += length_bytes(lit - 15)
        out += data[anchor:i]
        out += struct.pack('<H', i - cand)
        if mlen - 4 >= 15:
            out += length_bytes(mlen - 4 - 15)
        i += mlen
        anchor = i
    lit = n - anchor
    out.append(min(lit, 15) << 4)
    if lit >= 15:
        out += length_bytes(lit - 15)
    out += data[anchor:]
    return bytes(out)


def lz4_decompress(src, size):
    out = bytearray()
    i = 0
    while i < len(src):
        t = src[i]; i += 1
        lit = t >> 4
        if lit == 15:
            while True:
                b = src[i]; i += 1; lit += b
                if b != 255:
                    break
        out += src[i:i + lit]; i += lit
        if i >= len(src):
            break
        off = src[i] | (src[i + 1] << 8); i += 2
        m = (t & 15) + 4
        if (t & 15) == 15:
            while True:
                b = src[i]; i += 1; m += b
                if b != 255:
                    break
        for _ in range(m):
            out.append(out[-off])
    assert len(out) == size
    return bytes(out)


def xalz(dll, out):
    data = open(dll, 'rb').read()
    comp = lz4_compress(data)
    assert lz4_decompress(comp, len(data)) == data, 'LZ4 round trip'
    assert len(comp) < len(data), 'LZ4 compressed something'
    # xamarin-android CompressedAssemblyHeader: magic 'XALZ', descriptor index, uncompressed length.
    open(out, 'wb').write(b'XALZ' + struct.pack('<II', 0, len(data)) + comp)


def store(out, dlls):
    """Assembly store v1 (xamarin-android AssemblyStoreHeader + AssemblyStoreAssemblyDescriptor)."""
    blobs = [open(d, 'rb').read() for d in dlls]
    header = 20 + 24 * len(blobs)
    hashes = 2 * 20 * len(blobs)  # 32- and 64-bit name hash tables (AssemblyStoreHashEntry: u64 hash, u32 mapping, u32 local, u32 store)
    data_at = header + hashes
    desc = bytearray()
    payload = bytearray()
    for b in blobs:
        desc += struct.pack('<IIIIII', data_at + len(payload), len(b), 0, 0, 0, 0)
        payload += b
        payload += b'\0' * (-len(payload) % 16)
    body = b'XABA' + struct.pack('<IIII', 1, len(blobs), len(blobs), 0) + bytes(desc) + b'\0' * hashes + bytes(payload)
    open(out, 'wb').write(body)


def il2cpp(out):
    """global-metadata.dat v24: header (sanity, version, then offset/size pairs), literal table, literal data."""
    literals = ['https://api.replicate.com/v1/predictions', S['REPLICATE_TOKEN'], 'stability-ai/sdxl', 'Authorization', 'Token ']
    data = b''.join(s.encode() for s in literals)
    table = b''
    pos = 0
    for s in literals:
        table += struct.pack('<Ii', len(s.encode()), pos)
        pos += len(s.encode())
    header_size = 8 + 8 * 8
    names = b'Assembly-CSharp\0UnityEngine\0'
    table_at = header_size
    data_at = table_at + len(table)
    names_at = data_at + len(data)
    pairs = [(table_at, len(table)), (data_at, len(data)), (names_at, len(names))] + [(names_at + len(names), 0)] * 5
    head = struct.pack('<Ii', 0xFAB11BAF, 24) + b''.join(struct.pack('<II', o, n) for o, n in pairs)
    assert len(head) == header_size
    open(out, 'wb').write(head + table + data + names)


def split_files(apks):
    with zipfile.ZipFile(apks) as z:
        return {n: z.read(n) for n in z.namelist() if n.endswith('.apk')}


def xapk(apks, out):
    files = split_files(apks)
    obb = bytearray()
    with zipfile.ZipFile(out, 'w') as z:
        manifest = {
            'xapk_version': 2, 'package_name': PKG, 'name': LABEL, 'version_code': VERSION_CODE, 'version_name': VERSION_NAME,
            'min_sdk_version': '21', 'target_sdk_version': '33', 'permissions': ['android.permission.INTERNET'],
            'split_configs': ['config.arm64_v8a', 'config.armeabi_v7a'],
            'split_apks': [{'file': f'{PKG}.apk', 'id': 'base'}, {'file': 'config.arm64_v8a.apk', 'id': 'config.arm64_v8a'},
                           {'file': 'config.armeabi_v7a.apk', 'id': 'config.armeabi_v7a'}],
            'expansions': [{'file': f'Android/obb/{PKG}/main.{VERSION_CODE}.{PKG}.obb', 'install_location': 'EXTERNAL_STORAGE',
                            'install_path': f'Android/obb/{PKG}/main.{VERSION_CODE}.{PKG}.obb'}],
        }
        zip_write(z, 'manifest.json', json.dumps(manifest, indent=2))
        zip_write(z, f'{PKG}.apk', files['splits/base-master.apk'], stored=True)
        zip_write(z, 'config.arm64_v8a.apk', files['splits/base-arm64_v8a.apk'], stored=True)
        zip_write(z, 'config.armeabi_v7a.apk', files['splits/base-armeabi_v7a.apk'], stored=True)
        import io
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, 'w') as o:
            zip_write(o, 'game/settings.properties', f'sync.github.token={S["OBB_GITHUB_TOKEN"]}\nsync.enabled=true\n')
        zip_write(z, f'Android/obb/{PKG}/main.{VERSION_CODE}.{PKG}.obb', buf.getvalue(), stored=True)
    del obb


def apkm(apks, out):
    files = split_files(apks)
    with zipfile.ZipFile(out, 'w') as z:
        info = {'apkm_version': 5, 'app_name': LABEL, 'pname': PKG, 'release_version': VERSION_NAME, 'versioncode': VERSION_CODE,
                'min_api': '21', 'arches': ['arm64-v8a', 'armeabi-v7a'], 'capabilities': [], 'languages': []}
        zip_write(z, 'info.json', json.dumps(info))
        zip_write(z, 'base.apk', files['splits/base-master.apk'], stored=True)
        zip_write(z, 'split_config.arm64_v8a.apk', files['splits/base-arm64_v8a.apk'], stored=True)
        zip_write(z, 'split_config.armeabi_v7a.apk', files['splits/base-armeabi_v7a.apk'], stored=True)


def aab_path(p):
    if p == 'resources.arsc':
        return 'base/resources.pb'
    if p == 'AndroidManifest.xml':
        return 'base/manifest/AndroidManifest.xml'
    if p.endswith('.dex'):
        return 'base/dex/' + p
    if p.split('/')[0] in ('lib', 'assets', 'res'):
        return 'base/' + p
    return 'base/root/' + p


def split_path(base, abi_apk):
    def f(p):
        if p.startswith('lib/'):
            return abi_apk(p.split('/')[1]) + '!/' + p
        return base + '!/' + p
    return f


SAMPLES = {
    'bundle-app.aab': ('aab', aab_path, 'the app as an Android App Bundle: protobuf manifest and resources.pb (bundletool build-bundle, signed with jarsigner)'),
    'bundle-app-universal.apk': ('apk', lambda p: p, 'the same app as the universal APK bundletool builds from the AAB'),
    'bundle-app.apks': ('apks', split_path('splits/base-master.apk', lambda abi: 'splits/base-%s.apk' % abi.replace('-', '_')), 'bundletool build-apks output: toc.pb, splits/'),
    'bundle-app.xapk': ('xapk', split_path(f'{PKG}.apk', lambda abi: 'config.%s.apk' % abi.replace('-', '_')), 'XAPK: manifest.json (xapk_version 2), base, ABI splits and an OBB expansion'),
    'bundle-app.apkm': ('apkm', split_path('base.apk', lambda abi: 'split_config.%s.apk' % abi.replace('-', '_')), 'APKM: info.json, base.apk, split_config.*.apk'),
}


def expected(outdir):
    for name, (kind, mapper, quirk) in SAMPLES.items():
        planted = []
        for p in PLANTED:
            entry = mapper(p['apk'])
            if p['apk'] == 'assemblies/assemblies.blob' and kind == 'aab':
                entry = 'base/root/assemblies/assemblies.blob'
            item = {'ruleId': p['ruleId'], 'severity': SEVERITY[p['ruleId']], 'secret': S[p['key']], 'entry': entry}
            if p['context']:
                item['context'] = p['context']
            also = [{'entry': mapper(a['apk']), **({'context': a['context']} if a.get('context') else {})} for a in p.get('alsoAt', [])]
            if also:
                item['alsoAt'] = also
            if p.get('note'):
                item['note'] = p['note']
            planted.append(item)
        if kind == 'xapk':
            planted.append({'ruleId': 'github-token', 'severity': 'critical', 'secret': S['OBB_GITHUB_TOKEN'], 'entry': f'Android/obb/{PKG}/main.{VERSION_CODE}.{PKG}.obb!/game/settings.properties',
                            'context': 'sync.github.token', 'note': 'OBB expansion file (a zip) beside the APKs'})
        decoys = [{'text': d['text'], 'entry': mapper(d['apk']), 'why': d['why'], 'context': d['context']} for d in DECOYS]
        exp = {'file': name, 'kind': kind, 'quirk': quirk,
               'app': {'platform': 'android', 'id': PKG, 'versionName': VERSION_NAME, 'versionCode': VERSION_CODE, 'minSdk': '21', 'targetSdk': '33', 'label': LABEL},
               'planted': planted, 'decoys': decoys}
        with open(os.path.join(outdir, name + '.expected.json'), 'w') as f:
            json.dump(exp, f, indent=2)
            f.write('\n')


def main(argv):
    cmd = argv[1]
    if cmd == 'render':
        render(argv[2])
    elif cmd == 'module':
        module(argv[2], argv[3], argv[4])
    elif cmd == 'xalz':
        xalz(argv[2], argv[3])
    elif cmd == 'store':
        store(argv[2], argv[3:])
    elif cmd == 'il2cpp':
        il2cpp(argv[2])
    elif cmd == 'xapk':
        xapk(argv[2], argv[3])
    elif cmd == 'apkm':
        apkm(argv[2], argv[3])
    elif cmd == 'expected':
        expected(argv[2])
    else:
        sys.exit('unknown command ' + cmd)


if __name__ == '__main__':
    main(sys.argv)
