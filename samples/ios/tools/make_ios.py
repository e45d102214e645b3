#!/usr/bin/python3
"""Build the leakdex iOS samples from samples/ios/src with real tools, then record golden outputs and expectations.

    make_ios.py WORKDIR [NAME...]

Run by samples/ios/build.sh (which checks the tools first). Per sample: clang -target arm64-apple-ios / x86_64 simulator
compiles the sources, ld64.lld links executables, a dylib framework and an app extension against small .tbd stubs,
llvm-lipo makes universal binaries, Python's plistlib writes binary and XML plists, openssl cms signs the provisioning
profile, zipfile packs the IPA with fixed timestamps. Golden outputs: llvm-objdump --macho --section=__TEXT,__cstring
per binary and slice, plistlib's reading of every plist. Every secret is fake (samples/tools/fake_secrets.py).
"""
import base64
import datetime
import hashlib
import json
import os
import plistlib
import struct
import subprocess
import sys
import zipfile

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'tools'))
from fake_secrets import SECRETS, fill, gen, HEX, uuid_from  # noqa: E402

SRC = os.path.join(HERE, 'src')
OUT = HERE
GOLDEN = os.path.join(HERE, 'golden')
KEYS = os.path.join(HERE, 'keys')
ZIP_TIME = (2024, 1, 1, 0, 0, 0)
TEAM = 'LDX9SAMPL3'
MIN_OS = '14.0'

FOUNDATION_TBD = """--- !tapi-tbd
tbd-version:     4
targets:         [ arm64-ios, x86_64-ios-simulator, arm64-ios-simulator ]
install-name:    '%s'
exports:
  - targets:         [ arm64-ios, x86_64-ios-simulator, arm64-ios-simulator ]
    symbols:         [ %s ]
...
"""
TBDS = {
    'Foundation': ('/System/Library/Frameworks/Foundation.framework/Foundation', '_NSLog, ___CFConstantStringClassReference'),
    'FBSDKCoreKit': ('@rpath/FBSDKCoreKit.framework/FBSDKCoreKit', '_FBSDKSettingsVersion'),
    'libSystem': ('/usr/lib/libSystem.B.dylib', 'dyld_stub_binder'),
}


def run(*args, **kw):
    return subprocess.run(list(args), check=True, **kw)


def render_source(name, work):
    with open(os.path.join(SRC, name), encoding='utf-8') as f:
        text = fill(f.read(), SECRETS)
    path = os.path.join(work, name)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    return path


def tbd(work, name):
    path = os.path.join(work, name + '.tbd')
    install, symbols = TBDS[name]
    with open(path, 'w') as f:
        f.write(FOUNDATION_TBD % (install, symbols))
    return path


def compile_link(work, src, out, arch='arm64', sim=False, dylib=None, links=(), extra_objects=()):
    """clang -target ARCH-apple-ios[-simulator] -c, then ld64.lld; returns the linked path."""
    target = '%s-apple-ios%s%s' % (arch, MIN_OS, '-simulator' if sim else '')
    obj = out + '.o'
    lang = ['-x', 'objective-c'] if src.endswith('.m') else []
    run('clang', '-target', target, *lang, '-O1', '-fno-common', '-c', src, '-o', obj)
    platform = 'ios-simulator' if sim else 'ios'
    cmd = ['ld64.lld-14', '-arch', arch, '-platform_version', platform, MIN_OS, MIN_OS, '-headerpad', '0x400', '-o', out, obj]
    cmd += list(extra_objects)
    if dylib:
        cmd += ['-dylib', '-install_name', dylib]
    else:
        cmd += ['-e', '_main']
    cmd += [tbd(work, 'libSystem')] + list(links) + ['-undefined', 'dynamic_lookup']
    run(*cmd)
    return out


def lipo(out, *slices):
    run('llvm-lipo-14', '-create', *slices, '-output', out)
    return out


def fat64(path):
    """Rewrite a 32-bit fat header (FAT_MAGIC) as FAT_MAGIC_64 with fat_arch_64 records, keeping slice offsets."""
    data = bytearray(open(path, 'rb').read())
    magic, n = struct.unpack_from('>II', data, 0)
    assert magic == 0xcafebabe
    archs = [struct.unpack_from('>iiIII', data, 8 + 20 * i) for i in range(n)]
    header = struct.pack('>II', 0xcafebabf, n) + b''.join(struct.pack('>iiQQII', c, s, o, z, a, 0) for c, s, o, z, a in archs)
    assert len(header) <= min(o for _, _, o, _, _ in archs)
    data[:len(header)] = header
    open(path, 'wb').write(bytes(data))


def encrypt(path):
    """Set cryptid = 1 in LC_ENCRYPTION_INFO_64 and scramble [cryptoff, cryptoff+cryptsize) as FairPlay would."""
    data = bytearray(open(path, 'rb').read())
    magic, _, _, _, ncmds, _ = struct.unpack_from('<IiiIII', data, 0)
    assert magic == 0xfeedfacf
    at = 32
    for _ in range(ncmds):
        cmd, size = struct.unpack_from('<II', data, at)
        if cmd == 0x2c:
            cryptoff, cryptsize, _ = struct.unpack_from('<III', data, at + 8)
            if cryptsize == 0:
                # lld leaves the range empty: cover __TEXT after the load commands, as App Store builds do.
                cryptoff = 0x4000
                cryptsize = text_end(data) - cryptoff
            struct.pack_into('<III', data, at + 8, cryptoff, cryptsize, 1)
            stream = hashlib.shake_256(b'leakdex-fairplay-lookalike').digest(cryptsize)
            for i in range(cryptsize):
                data[cryptoff + i] ^= stream[i]
            open(path, 'wb').write(bytes(data))
            return cryptoff, cryptsize
        at += size
    raise SystemExit('no LC_ENCRYPTION_INFO_64 in %s' % path)


def text_end(data):
    magic, _, _, _, ncmds, _ = struct.unpack_from('<IiiIII', data, 0)
    at = 32
    for _ in range(ncmds):
        cmd, size = struct.unpack_from('<II', data, at)
        if cmd == 0x19 and data[at + 8:at + 14] == b'__TEXT':
            fileoff, filesize = struct.unpack_from('<QQ', data, at + 40)
            return fileoff + filesize
        at += size
    raise SystemExit('no __TEXT segment')


def info_plist(bundle_id, name, executable, version, build, package='APPL', extra=None):
    d = {
        'CFBundleDevelopmentRegion': 'en',
        'CFBundleExecutable': executable,
        'CFBundleIdentifier': bundle_id,
        'CFBundleInfoDictionaryVersion': '6.0',
        'CFBundleName': executable,
        'CFBundleDisplayName': name,
        'CFBundlePackageType': package,
        'CFBundleShortVersionString': version,
        'CFBundleVersion': build,
        'CFBundleSupportedPlatforms': ['iPhoneOS'],
        'MinimumOSVersion': MIN_OS,
        'UIDeviceFamily': [1, 2],
        'LSRequiresIPhoneOS': True,
    }
    d.update(extra or {})
    return d


def strings_file(pairs, comment):
    lines = ['/* %s */' % comment]
    for k, v in pairs:
        lines.append('"%s" = "%s";' % (k.replace('"', '\\"'), v.replace('"', '\\"')))
    return '\n'.join(lines) + '\n'


def provisioning_profile(work, bundle_id):
    """An ad-hoc provisioning profile plist, signed into a CMS envelope by openssl with the sample key."""
    cert_pem = os.path.join(KEYS, 'profile-signer.pem')
    der = subprocess.run(['openssl', 'x509', '-in', cert_pem, '-outform', 'DER'], check=True, capture_output=True).stdout
    profile = {
        'AppIDName': 'Leakdex iOS Sample',
        'ApplicationIdentifierPrefix': [TEAM],
        'CreationDate': datetime.datetime(2024, 1, 1, 12, 0, 0),
        'Platform': ['iOS'],
        'DeveloperCertificates': [der],
        'Entitlements': {
            'application-identifier': '%s.%s' % (TEAM, bundle_id),
            'com.apple.developer.team-identifier': TEAM,
            'get-task-allow': False,
            'keychain-access-groups': ['%s.*' % TEAM],
        },
        'ExpirationDate': datetime.datetime(2031, 12, 31, 23, 59, 59),
        'Name': 'Leakdex iOS Sample Ad Hoc',
        'ProvisionedDevices': ['00008030-' + gen('udid-%d' % i, HEX, 16).upper() for i in range(3)],
        'TeamIdentifier': [TEAM],
        'TeamName': 'Leakdex Samples',
        'TimeToLive': 2920,
        'UUID': uuid_from('profile'),
        'Version': 1,
    }
    plist_path = os.path.join(work, 'profile.plist')
    with open(plist_path, 'wb') as f:
        plistlib.dump(profile, f, fmt=plistlib.FMT_XML)
    out = os.path.join(work, 'embedded.mobileprovision')
    run('openssl', 'cms', '-sign', '-nodetach', '-binary', '-noattr', '-outform', 'DER', '-md', 'sha256',
        '-signer', cert_pem, '-inkey', os.path.join(KEYS, 'profile-signer.key'), '-in', plist_path, '-out', out)
    return open(out, 'rb').read()


def bplist_bomb(levels=40):
    """A ~600-byte bplist00 whose arrays each reference the next object twice: 2^levels nodes when expanded."""
    objects = []
    for i in range(levels):
        objects.append(bytes([0xa2, i + 1, i + 1]))
    objects.append(bytes([0x51, ord('x')]))
    body = b'bplist00'
    offsets = []
    for o in objects:
        offsets.append(len(body))
        body += o
    table_at = len(body)
    body += b''.join(struct.pack('>H', off) for off in offsets)
    body += b'\0' * 5 + bytes([0, 2, 1]) + struct.pack('>QQQ', len(objects), 0, table_at)
    return body


def write_zip(path, files):
    with zipfile.ZipFile(path, 'w') as z:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.external_attr = (0o755 if files[name][1] else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, files[name][0])


# ---------------------------------------------------------------------------------------------------------------
# Golden outputs

def objdump_cstrings(path, arch):
    """Strings of __TEXT,__cstring as llvm-objdump prints them (address, two spaces, the string)."""
    out = subprocess.run(['llvm-objdump', '--macho', '--arch=' + arch, '--section=__TEXT,__cstring', path],
                         check=True, capture_output=True).stdout.decode('utf-8', 'replace')
    strings = []
    for line in out.splitlines():
        if len(line) > 18 and line[16:18] == '  ' and all(c in '0123456789abcdef' for c in line[:16]):
            strings.append(line[18:])
    return out, strings


def lipo_archs(path):
    out = subprocess.run(['llvm-lipo-14', '-archs', path], check=True, capture_output=True).stdout.decode()
    return out.split()


def plist_json(value):
    if isinstance(value, dict):
        return {k: plist_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plist_json(v) for v in value]
    if isinstance(value, bytes):
        return {'$data': base64.b64encode(value).decode()}
    if isinstance(value, datetime.datetime):
        return {'$date': value.replace(tzinfo=datetime.timezone.utc).isoformat().replace('+00:00', '.000Z')}
    if isinstance(value, plistlib.UID):
        return {'$uid': value.data}
    return value


def record_golden(name, files, binaries):
    """golden/NAME.cstrings.json (llvm-objdump) and golden/NAME.plists.json (plistlib), plus the raw objdump text."""
    os.makedirs(GOLDEN, exist_ok=True)
    cstrings = {}
    raw = []
    for entry, path in binaries:
        for arch in lipo_archs(path):
            text, strings = objdump_cstrings(path, arch)
            cstrings['%s [%s]' % (entry, arch)] = strings
            raw.append('### %s [%s]\n%s' % (entry, arch, text.replace(path, entry)))
    plists = {}
    for entry, (data, _) in sorted(files.items()):
        if entry.endswith('bomb.plist'):
            # plistlib expands shared references too: on the bomb it would exhaust memory, as the issue measured.
            plists[entry] = {'$error': 'not read: expands to 2^40 nodes'}
        elif entry.endswith('.plist') or entry.endswith('.stringsdict'):
            try:
                plists[entry] = plist_json(plistlib.loads(data))
            except Exception as e:  # the bomb and other hostile plists: plistlib's own verdict
                plists[entry] = {'$error': type(e).__name__}
        if entry.endswith('.mobileprovision'):
            content = subprocess.run(['openssl', 'cms', '-verify', '-noverify', '-inform', 'DER'], input=data,
                                     check=True, capture_output=True).stdout
            plists[entry] = plist_json(plistlib.loads(content))
    with open(os.path.join(GOLDEN, name + '.cstrings.json'), 'w') as f:
        json.dump(cstrings, f, indent=1, ensure_ascii=False)
        f.write('\n')
    with open(os.path.join(GOLDEN, name + '.objdump-cstring.txt'), 'w') as f:
        f.write('\n'.join(raw))
    with open(os.path.join(GOLDEN, name + '.plists.json'), 'w') as f:
        json.dump(plists, f, indent=1, ensure_ascii=False, sort_keys=True)
        f.write('\n')
    return cstrings, plists


# ---------------------------------------------------------------------------------------------------------------
# Samples

def planted(rule, severity, name, entry, context=None, note=None, secret=None):
    p = {'ruleId': rule, 'severity': severity, 'secret': secret or SECRETS[name], 'entry': entry}
    if context:
        p['context'] = context
    if note:
        p['note'] = note
    return p


def decoy(text, entry, why, context=None):
    d = {'text': text, 'entry': entry, 'why': why}
    if context:
        d['context'] = context
    return d


def build_leaky(work):
    app = 'Payload/LeakyApp.app/'
    bundle_id = 'com.leakdex.sample.ios'
    kit_arm = compile_link(work, render_source('LeakyKit.c', work), os.path.join(work, 'LeakyKit'), dylib='@rpath/LeakyKit.framework/LeakyKit')
    compile_link(work, os.path.join(work, 'LeakyKit.c'), os.path.join(work, 'LeakyKit-x86_64'), arch='x86_64', sim=True, dylib='@rpath/LeakyKit.framework/LeakyKit')
    arm = compile_link(work, render_source('LeakyApp.m', work), os.path.join(work, 'LeakyApp-arm64'),
                       links=[tbd(work, 'Foundation'), tbd(work, 'FBSDKCoreKit'), os.path.join(work, 'LeakyKit')])
    x86 = compile_link(work, os.path.join(work, 'LeakyApp.m'), os.path.join(work, 'LeakyApp-x86_64'), arch='x86_64', sim=True,
                       links=[tbd(work, 'Foundation'), tbd(work, 'FBSDKCoreKit'), os.path.join(work, 'LeakyKit-x86_64')])
    exe = lipo(os.path.join(work, 'LeakyApp'), arm, x86)
    fb_id = SECRETS['FACEBOOK_APP_ID']
    info = info_plist(bundle_id, 'Leakdex iOS', 'LeakyApp', '2.1.0', '210', extra={
        'FacebookAppID': fb_id,
        'FacebookClientToken': SECRETS['FACEBOOK_CLIENT_TOKEN'],
        'FacebookDisplayName': 'Leakdex',
        'CFBundleURLTypes': [{'CFBundleURLSchemes': ['fb' + fb_id]}],
        'GMSApiKey': SECRETS['GOOGLE_MAPS_KEY'],
        'LDXAnalyticsKey': 'YOUR_API_KEY',
        'NSAppTransportSecurity': {'NSAllowsArbitraryLoads': False},
    })
    gsi = {
        'API_KEY': SECRETS['GOOGLE_API_KEY'],
        'GCM_SENDER_ID': SECRETS['GOOGLE_PROJECT_NUMBER'],
        'PLIST_VERSION': '1',
        'BUNDLE_ID': bundle_id,
        'PROJECT_ID': 'leakdex-sample-app',
        'STORAGE_BUCKET': 'leakdex-sample-app.appspot.com',
        'IS_ADS_ENABLED': False,
        'IS_ANALYTICS_ENABLED': False,
        'IS_GCM_ENABLED': True,
        'IS_SIGNIN_ENABLED': True,
        'GOOGLE_APP_ID': '1:%s:ios:%s' % (SECRETS['GOOGLE_PROJECT_NUMBER'], gen('gmp-ios-app-id', HEX, 16)),
        'DATABASE_URL': SECRETS['FIREBASE_DATABASE_URL'],
    }
    amplify = {
        'UserAgent': 'aws-amplify-cli/2.0', 'Version': '1.0',
        'auth': {'plugins': {'awsCognitoAuthPlugin': {'UserAgent': 'aws-amplify/cli', 'Version': '0.1.0', 'IdentityManager': {'Default': {}},
                 'CredentialsProvider': {'CognitoIdentity': {'Default': {'PoolId': SECRETS['AWS_COGNITO_IDENTITY_POOL'], 'Region': 'us-east-1'}}},
                 'CognitoUserPool': {'Default': {'PoolId': 'us-east-1_Ab12Cd34E', 'AppClientId': gen('cognito-client', 'abcdefghijklmnopqrstuvwxyz0123456789', 26), 'Region': 'us-east-1'}}}}},
    }
    awsconfig = {
        'Version': '1.0',
        'S3TransferUtility': {'Default': {'Bucket': 'leakdex-sample-uploads', 'Region': 'us-east-1'}},
        'StaticCredentials': {'Default': {'AccessKey': SECRETS['AWS_ACCESS_KEY_ID'], 'SecretKey': SECRETS['AWS_SECRET_ACCESS_KEY']}},
    }
    settings = {'StringsTable': 'Root', 'PreferenceSpecifiers': [
        {'Type': 'PSGroupSpecifier', 'Title': 'Payments'},
        {'Type': 'PSTextFieldSpecifier', 'Title': 'Publishable key', 'Key': 'stripe_publishable_key', 'DefaultValue': SECRETS['STRIPE_PUBLISHABLE_KEY']},
    ]}
    stringsdict = {'items_count': {'NSStringLocalizedFormatKey': '%#@items@', 'items': {
        'NSStringFormatSpecTypeKey': 'NSStringPluralRuleType', 'NSStringFormatValueTypeKey': 'd',
        'one': '%d item', 'other': '%d items'}}}
    ext = compile_link(work, render_source('ShareExt.c', work), os.path.join(work, 'ShareExt'))
    files = {
        app + 'Info.plist': (plistlib.dumps(info, fmt=plistlib.FMT_BINARY), False),
        app + 'LeakyApp': (open(exe, 'rb').read(), True),
        app + 'PkgInfo': (b'APPL????', False),
        app + 'GoogleService-Info.plist': (plistlib.dumps(gsi, fmt=plistlib.FMT_XML), False),
        app + 'amplifyconfiguration.json': (json.dumps(amplify, indent=2).encode(), False),
        app + 'awsconfiguration.json': (json.dumps(awsconfig, indent=2).encode(), False),
        app + 'Settings.bundle/Root.plist': (plistlib.dumps(settings, fmt=plistlib.FMT_XML), False),
        app + 'en.lproj/Localizable.strings': (b'\xff\xfe' + strings_file([
            ('checkout_title', 'Checkout'), ('stripe_secret_key', SECRETS['STRIPE_SECRET_KEY']), ('api_key_hint', 'YOUR_API_KEY')],
            'English, UTF-16 with BOM').encode('utf-16-le'), False),
        app + 'fr.lproj/Localizable.strings': (plistlib.dumps({'checkout_title': 'Paiement', 'slack_webhook': SECRETS['SLACK_WEBHOOK_URL']},
                                                              fmt=plistlib.FMT_BINARY), False),
        app + 'de.lproj/Localizable.strings': (strings_file([('checkout_title', 'Kasse'), ('greeting', 'Willkommen zurück')], 'German, UTF-8').encode(), False),
        app + 'Base.lproj/Plurals.stringsdict': (plistlib.dumps(stringsdict, fmt=plistlib.FMT_XML), False),
        app + 'Legacy.plist': (('// OpenStep text plist, as old tools wrote them\n{\n    GitHubToken = "%s";\n    Environment = production;\n'
                                '    Servers = ( "https://api.leakdex.example", "https://backup.leakdex.example" );\n    Salt = <0fa1 9c3e>;\n}\n'
                                % SECRETS['GITHUB_TOKEN']).encode(), False),
        app + 'Frameworks/LeakyKit.framework/LeakyKit': (open(kit_arm, 'rb').read(), True),
        app + 'Frameworks/LeakyKit.framework/Info.plist': (plistlib.dumps(info_plist('com.leakdex.LeakyKit', 'LeakyKit', 'LeakyKit', '1.0', '1', 'FMWK'), fmt=plistlib.FMT_BINARY), False),
        app + 'PlugIns/ShareExt.appex/ShareExt': (open(ext, 'rb').read(), True),
        app + 'PlugIns/ShareExt.appex/Info.plist': (plistlib.dumps(info_plist(bundle_id + '.share', 'Share', 'ShareExt', '2.1.0', '210', 'XPC!', {
            'NSExtension': {'NSExtensionPointIdentifier': 'com.apple.share-services'}}), fmt=plistlib.FMT_BINARY), False),
        app + 'embedded.mobileprovision': (provisioning_profile(work, bundle_id), False),
    }
    exe_entry = app + 'LeakyApp'
    planted_ = [
        planted('facebook-client-token', 'low', 'FACEBOOK_CLIENT_TOKEN', app + 'Info.plist', 'FacebookClientToken'),
        planted('google-api-key', 'low', 'GOOGLE_MAPS_KEY', app + 'Info.plist', 'GMSApiKey'),
        planted('google-api-key', 'low', 'GOOGLE_API_KEY', app + 'GoogleService-Info.plist', 'API_KEY'),
        planted('firebase-database-url', 'low', 'FIREBASE_DATABASE_URL', app + 'GoogleService-Info.plist', 'DATABASE_URL'),
        planted('stripe-secret-key', 'critical', 'STRIPE_SECRET_KEY', app + 'en.lproj/Localizable.strings', 'stripe_secret_key', 'UTF-16 .strings'),
        planted('slack-webhook', 'medium', 'SLACK_WEBHOOK_URL', app + 'fr.lproj/Localizable.strings', 'slack_webhook', 'binary-plist .strings'),
        planted('github-token', 'critical', 'GITHUB_TOKEN', app + 'Legacy.plist', 'GitHubToken', 'OpenStep text plist'),
        planted('aws-access-key-id', 'high', 'AWS_ACCESS_KEY_ID', app + 'awsconfiguration.json', 'AccessKey'),
        planted('aws-secret-access-key', 'critical', 'AWS_SECRET_ACCESS_KEY', app + 'awsconfiguration.json', 'SecretKey'),
        planted('aws-cognito-identity-pool', 'medium', 'AWS_COGNITO_IDENTITY_POOL', app + 'amplifyconfiguration.json', 'PoolId'),
        planted('stripe-publishable-key', 'info', 'STRIPE_PUBLISHABLE_KEY', app + 'Settings.bundle/Root.plist', 'PreferenceSpecifiers[1].DefaultValue'),
        planted('twitter-bearer-token', 'high', 'TWITTER_BEARER_TOKEN', exe_entry, None, 'C string, __TEXT,__cstring of both slices'),
        planted('slack-token', 'high', 'SLACK_BOT_TOKEN', exe_entry, None, 'Objective-C @"..." literal'),
        planted('stripe-restricted-key', 'high', 'STRIPE_RESTRICTED_KEY', exe_entry, None, 'UTF-16 literal in __TEXT,__ustring'),
        planted('azure-storage-connection-string', 'critical', 'AZURE_STORAGE_CONNECTION_STRING', exe_entry, None, 'const char array in __TEXT,__const'),
        planted('google-oauth-client-secret', 'high', 'GOOGLE_OAUTH_CLIENT_SECRET', app + 'Frameworks/LeakyKit.framework/LeakyKit', None, 'dylib framework'),
        planted('twitter-access-token', 'high', 'TWITTER_ACCESS_TOKEN', app + 'PlugIns/ShareExt.appex/ShareExt', None, 'app extension'),
    ]
    decoys = [
        decoy('AKIAIOSFODNN7EXAMPLE', exe_entry, 'AWS documentation example'),
        decoy('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', exe_entry, 'AWS documentation example'),
        decoy('YOUR_API_KEY', exe_entry, 'placeholder'),
        decoy('YOUR_API_KEY', app + 'Info.plist', 'placeholder', 'LDXAnalyticsKey'),
        decoy('YOUR_API_KEY', app + 'en.lproj/Localizable.strings', 'placeholder', 'api_key_hint'),
        decoy(gsi['GOOGLE_APP_ID'], app + 'GoogleService-Info.plist', 'Firebase app id, public identifier', 'GOOGLE_APP_ID'),
        decoy(SECRETS['GOOGLE_OAUTH_CLIENT_ID'], app + 'Frameworks/LeakyKit.framework/LeakyKit', 'OAuth client id, public identifier'),
        decoy('fb' + fb_id, app + 'Info.plist', 'Facebook URL scheme', 'CFBundleURLTypes[0].CFBundleURLSchemes[0]'),
    ]
    app_facts = {'platform': 'ios', 'id': bundle_id, 'versionName': '2.1.0', 'versionCode': '210', 'label': 'Leakdex iOS',
                 'minOs': MIN_OS, 'teamId': TEAM, 'profileType': 'ad-hoc', 'profileExpires': '2031-12-31T23:59:59.000Z',
                 'signingIdentity': 'Apple Distribution: Leakdex Samples (%s)' % TEAM, 'encrypted': False,
                 'archs': ['x86_64', 'arm64'], 'frameworks': ['libSystem.B.dylib', 'Foundation', 'FBSDKCoreKit', 'LeakyKit']}
    binaries = [(exe_entry, exe), (app + 'Frameworks/LeakyKit.framework/LeakyKit', kit_arm), (app + 'PlugIns/ShareExt.appex/ShareExt', ext)]
    return 'leaky-ios.ipa', files, binaries, {'app': app_facts, 'planted': planted_, 'decoys': decoys}


def build_encrypted(work):
    app = 'Payload/Vault.app/'
    exe = compile_link(work, render_source('Vault.c', work), os.path.join(work, 'Vault'))
    golden_exe = os.path.join(work, 'Vault-plain')
    run('cp', exe, golden_exe)
    encrypt(exe)
    info = info_plist('com.leakdex.sample.vault', 'Vault', 'Vault', '1.0', '7', extra={
        'FacebookAppID': SECRETS['FACEBOOK_APP_ID'], 'FacebookClientToken': SECRETS['FACEBOOK_CLIENT_TOKEN']})
    files = {
        app + 'Info.plist': (plistlib.dumps(info, fmt=plistlib.FMT_BINARY), False),
        app + 'Vault': (open(exe, 'rb').read(), True),
    }
    return 'encrypted-ios.ipa', files, [(app + 'Vault', exe)], {
        'quirk': 'FairPlay: LC_ENCRYPTION_INFO_64 cryptid 1 and a scrambled __TEXT: only resources can be scanned',
        'expectDiagnostics': ['macho.encrypted'],
        'app': {'platform': 'ios', 'id': 'com.leakdex.sample.vault', 'versionName': '1.0', 'versionCode': '7', 'label': 'Vault', 'minOs': MIN_OS, 'encrypted': True},
        'planted': [planted('facebook-client-token', 'low', 'FACEBOOK_CLIENT_TOKEN', app + 'Info.plist', 'FacebookClientToken')],
        'decoys': [decoy(SECRETS['GITHUB_TOKEN'], app + 'Vault', 'inside the encrypted range: unreadable, so it must not be reported')],
        'unreachable': [SECRETS['GITHUB_TOKEN']],
    }


def build_zipped_app(work):
    app = 'LeakySim.app/'
    src = render_source('LeakySim.c', work)
    x86 = compile_link(work, src, os.path.join(work, 'LeakySim-x86_64'), arch='x86_64', sim=True)
    arm = compile_link(work, src, os.path.join(work, 'LeakySim-arm64'), arch='arm64', sim=True)
    exe = lipo(os.path.join(work, 'LeakySim'), x86, arm)
    info = info_plist('com.leakdex.sample.sim', 'Leaky Sim', 'LeakySim', '0.9', '90', extra={'CFBundleSupportedPlatforms': ['iPhoneSimulator']})
    files = {
        app + 'Info.plist': (plistlib.dumps(info, fmt=plistlib.FMT_XML), False),
        app + 'LeakySim': (open(exe, 'rb').read(), True),
        app + 'PkgInfo': (b'APPL????', False),
    }
    return 'zipped-app.app.zip', files, [(app + 'LeakySim', exe)], {
        'quirk': 'a simulator build shipped as a zipped .app (no Payload/), universal x86_64 + arm64 simulator slices',
        'app': {'platform': 'ios', 'kind': 'app', 'id': 'com.leakdex.sample.sim', 'versionName': '0.9', 'versionCode': '90', 'label': 'Leaky Sim', 'minOs': MIN_OS},
        'planted': [planted('aws-access-key-id', 'high', 'AWS_ACCESS_KEY_ID', app + 'LeakySim'),
                    planted('aws-secret-access-key', 'critical', 'AWS_SECRET_ACCESS_KEY', app + 'LeakySim')],
        'decoys': [],
    }


def build_fat64(work):
    app = 'Payload/Fat64.app/'
    src = render_source('Fat64.c', work)
    arm = compile_link(work, src, os.path.join(work, 'Fat64-arm64'))
    x86 = compile_link(work, src, os.path.join(work, 'Fat64-x86_64'), arch='x86_64', sim=True)
    exe = lipo(os.path.join(work, 'Fat64'), arm, x86)
    golden_copy = os.path.join(work, 'Fat64-fat32')
    run('cp', exe, golden_copy)
    fat64(exe)
    info = info_plist('com.leakdex.sample.fat64', 'Fat64', 'Fat64', '1.0', '1')
    files = {app + 'Info.plist': (plistlib.dumps(info, fmt=plistlib.FMT_BINARY), False), app + 'Fat64': (open(exe, 'rb').read(), True)}
    return 'fat64.ipa', files, [(app + 'Fat64', golden_copy)], {
        'quirk': 'universal binary with a 64-bit fat header (FAT_MAGIC_64, fat_arch_64 records)',
        'app': {'platform': 'ios', 'id': 'com.leakdex.sample.fat64', 'versionName': '1.0', 'versionCode': '1', 'archs': ['x86_64', 'arm64']},
        'planted': [planted('slack-webhook', 'medium', 'SLACK_WEBHOOK_URL', app + 'Fat64')],
        'decoys': [],
    }


def build_bomb(work):
    app = 'Payload/Bomb.app/'
    exe = compile_link(work, render_source('ShareExt.c', work), os.path.join(work, 'Bomb'))
    info = info_plist('com.leakdex.sample.bomb', 'Bomb', 'Bomb', '1.0', '1')
    files = {
        app + 'Info.plist': (plistlib.dumps(info, fmt=plistlib.FMT_BINARY), False),
        app + 'Bomb': (open(exe, 'rb').read(), True),
        app + 'bomb.plist': (bplist_bomb(), False),
        app + 'Config.plist': (plistlib.dumps({'Stripe': {'SecretKey': SECRETS['STRIPE_SECRET_KEY']}}, fmt=plistlib.FMT_BINARY), False),
    }
    return 'bplist-bomb.ipa', files, [(app + 'Bomb', exe)], {
        'quirk': 'a 600-byte bplist00 whose arrays each reference the next object twice (2^40 nodes if expanded; shared containers are read once)',
        'expectDiagnostics': ['plist.shared_container'],
        'app': {'platform': 'ios', 'id': 'com.leakdex.sample.bomb', 'versionName': '1.0', 'versionCode': '1'},
        'planted': [planted('stripe-secret-key', 'critical', 'STRIPE_SECRET_KEY', app + 'Config.plist', 'Stripe.SecretKey'),
                    planted('twitter-access-token', 'high', 'TWITTER_ACCESS_TOKEN', app + 'Bomb')],
        'decoys': [],
    }


BUILDERS = {'leaky-ios': build_leaky, 'encrypted-ios': build_encrypted, 'zipped-app': build_zipped_app, 'fat64': build_fat64, 'bplist-bomb': build_bomb}


def check(files, expected):
    """Every planted secret and decoy sits in the bytes of its entry (as UTF-8, UTF-16 or inside a plist as plistlib reads it)."""
    problems = []

    def present(text, entry):
        data = files[entry][0]
        if text.encode() in data or text.encode('utf-16-le') in data or text.encode('utf-16-be') in data:
            return True
        try:
            return text in json.dumps(plist_json(plistlib.loads(data)), ensure_ascii=False)
        except Exception:
            return False
    for p in expected['planted']:
        if not present(p['secret'], p['entry']):
            problems.append('planted %s not in %s' % (p['ruleId'], p['entry']))
    for d in expected['decoys']:
        if d['text'] not in expected.get('unreachable', []) and not present(d['text'], d['entry']):
            problems.append('decoy %r not in %s' % (d['text'][:12], d['entry']))
    for text in expected.get('unreachable', []):
        if any(text.encode() in data for data, _ in files.values()):
            problems.append('unreachable secret %s.. is readable' % text[:6])
    return problems


def main(work, names):
    os.makedirs(work, exist_ok=True)
    # LeakyApp links LeakyKit: build the framework first (build_leaky does, in order).
    for name in names or list(BUILDERS):
        sub = os.path.join(work, name)
        os.makedirs(sub, exist_ok=True)
        file_name, files, binaries, expected = BUILDERS[name](sub)
        out = os.path.join(OUT, file_name)
        write_zip(out, files)
        base = file_name.rsplit('.', 2 if file_name.endswith('.app.zip') else 1)[0]
        cstrings, plists = record_golden(base, files, binaries)
        problems = check(files, expected)
        for p in problems:
            print('make_ios: %s: %s' % (file_name, p), file=sys.stderr)
        if problems:
            return 1
        expected = dict({'file': file_name}, **expected)
        expected.setdefault('app', {})
        expected['build'] = {'entries': sorted(files), 'binaries': {e: lipo_archs(p) for e, p in binaries},
                             'tools': 'clang -target *-apple-ios14.0, ld64.lld-14, llvm-lipo-14, plistlib, openssl cms'}
        with open(os.path.join(OUT, base + '.expected.json'), 'w') as f:
            json.dump(expected, f, indent=2, ensure_ascii=False)
            f.write('\n')
        print('make_ios: %s: %d bytes, %d planted, %d decoys' % (file_name, os.path.getsize(out), len(expected['planted']), len(expected['decoys'])), file=sys.stderr)
    return 0


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.stderr.write(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2:]))
