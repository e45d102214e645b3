#!/usr/bin/python3
"""Build the leakdex native-code samples from samples/native/src, record golden outputs and expectations.

    make_native.py WORKDIR

Run by samples/native/build.sh (which checks the tools first).
  native-ios.ipa  Payload/NativeApp.app/NativeApp: Objective-C, arm64, ld64.lld-19 -fixup_chains (LC_DYLD_CHAINED_FIXUPS,
                  DYLD_CHAINED_PTR_64), local symbols stripped (methods named by the ObjC metadata only), ADRP+ADD kept
                  (no linker optimization hints); PlugIns/NativeShare.appex/NativeShare: C, ld64.lld-14 (classic
                  LC_DYLD_INFO_ONLY rebase opcodes); Frameworks/NativeKit.framework/NativeKit: universal dylib, arm64
                  ld64.lld-19 -fixup_chains with optimization hints (ADRP+ADD relaxed to ADR) + x86_64 simulator.
                  PlugIns/NativeWidget.appex/NativeWidget: the same Objective-C object linked by ld64.lld-19
                  -no_fixup_chains (classic rebase opcodes), with optimization hints.
                  PlugIns/NativeIntents.appex/NativeIntents and PlugIns/NativeClip.appex/NativeClip: that object again
                  with relative method lists (-objc_relative_method_lists), classic opcodes and chained fixups
                  respectively, stripped. NativeApp.m has a category on NSObject (another image's class: its cls slot
                  is a bind to _OBJC_CLASS_$_NSObject).
  native-jni.apk  lib/arm64-v8a and lib/armeabi-v7a (Thumb-2, as the NDK builds armv7a) libnativekeys.so: JNI natives,
                  R_*_RELATIVE pointer globals, a const array; AndroidManifest.xml taken from samples/android/clean-app.apk.
Goldens (golden/): llvm-objdump --macho --objc-meta-data, -d, --dyld-info/--bind, --section=__TEXT,__objc_methlist,
llvm-nm, llvm-readobj --relocations, and
golden/NAME.refs.json, the facts a test compares the decoders with, parsed from those tool outputs only.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLES = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SAMPLES, 'tools'))
sys.path.insert(0, os.path.join(SAMPLES, 'ios', 'tools'))
from fake_secrets import fill, gen, ALNUM, HEX, DIGITS, raw_bytes  # noqa: E402
from make_ios import info_plist, write_zip, lipo_archs  # noqa: E402
import base64  # noqa: E402
import plistlib  # noqa: E402

SRC = os.path.join(HERE, 'src')
GOLDEN = os.path.join(HERE, 'golden')
MIN_OS = '14.0'
LLD_CHAINED = 'ld64.lld-19'
LLD_CLASSIC = 'ld64.lld-14'
OBJDUMP = 'llvm-objdump-19'
NM = 'llvm-nm-19'
READOBJ = 'llvm-readobj-19'

S = {
    'NATIVE_TW_ACCESS_TOKEN_SECRET': gen('native-tw-access-token-secret', ALNUM, 45),
    'NATIVE_FB_APP_ID': '5' + gen('native-fb-app-id', DIGITS, 14),
    'NATIVE_FB_APP_SECRET': gen('native-fb-app-secret', HEX, 32),
    'NATIVE_AZURE_ACCOUNT_KEY': base64.b64encode(raw_bytes('native-azure-account-key', 64)).decode(),
    'NATIVE_DECOY_B64_88': base64.b64encode(raw_bytes('native-decoy-b64-88', 64)).decode(),
    'NATIVE_TW_CONSUMER_KEY': gen('native-tw-consumer-key', ALNUM, 25),
    'NATIVE_TW_CONSUMER_SECRET': gen('native-tw-consumer-secret', ALNUM, 50),
    'NATIVE_OBJC_TW_CONSUMER_SECRET': gen('native-objc-tw-consumer-secret', ALNUM, 50),
    'NATIVE_SLACK_SIGNING_SECRET': gen('native-slack-signing-secret', HEX, 32),
    'NATIVE_STRIPE_TEST_KEY': 'sk_test_51' + gen('native-stripe-test-key', ALNUM, 32),
    'NATIVE_DECOY_HEX32': gen('native-decoy-hex32', HEX, 32),
    'NATIVE_JNI_API_KEY': gen('native-jni-api-key', ALNUM, 32),
    'NATIVE_JNI_TW_CONSUMER_SECRET': gen('native-jni-tw-consumer-secret', ALNUM, 50),
    'NATIVE_ELF_AZURE_ACCOUNT_KEY': base64.b64encode(raw_bytes('native-elf-azure-account-key', 64)).decode(),
    'NATIVE_ELF_FB_APP_SECRET': gen('native-elf-fb-app-secret', HEX, 32),
}

TBD = """--- !tapi-tbd
tbd-version:     4
targets:         [ arm64-ios, x86_64-ios-simulator ]
install-name:    '/usr/lib/libSystem.B.dylib'
exports:
  - targets:         [ arm64-ios, x86_64-ios-simulator ]
    symbols:         [ dyld_stub_binder, _NSLog, ___CFConstantStringClassReference, _objc_msgSend ]
    objc-classes:    [ NSObject ]
...
"""


def run(*args, **kw):
    return subprocess.run(list(args), check=True, **kw)


def out(*args):
    return subprocess.run(list(args), check=True, capture_output=True).stdout.decode('utf-8', 'replace')


def render(name, work):
    with open(os.path.join(SRC, name), encoding='utf-8') as f:
        text = fill(f.read(), S)
    path = os.path.join(work, os.path.basename(name))
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    return path


def macho(work, src, name, arch='arm64', linker=LLD_CHAINED, chained=True, loh=False, dylib=None, sim=False, relative=False):
    """clang -c for arm64-apple-ios14.0 (or the x86_64 simulator), then ld64.lld; returns the linked path."""
    target = '%s-apple-ios%s%s' % (arch, MIN_OS, '-simulator' if sim else '')
    obj = os.path.join(work, name + '.o')
    lang = ['-x', 'objective-c', '-fobjc-runtime=ios-14.0'] if src.endswith('.m') else []
    # Without linker optimization hints lld keeps each ADRP+ADD pair; with them it relaxes near ones into ADR+NOP.
    hints = [] if loh or arch != 'arm64' else ['-mllvm', '-aarch64-enable-collect-loh=false']
    run('clang', '-target', target, *lang, *hints, '-O1', '-fno-common', '-c', src, '-o', obj)
    tbd = os.path.join(work, 'libSystem.tbd')
    with open(tbd, 'w') as f:
        f.write(TBD)
    path = os.path.join(work, name)
    cmd = [linker, '-arch', arch, '-platform_version', 'ios-simulator' if sim else 'ios', MIN_OS, MIN_OS, '-o', path, obj, tbd,
           '-undefined', 'dynamic_lookup']
    if linker == LLD_CHAINED:
        cmd.append('-fixup_chains' if chained else '-no_fixup_chains')
        # Relative method lists (method_list_t flag 0x80000000: three int32 offsets, name -> selector reference).
        cmd.append('-objc_relative_method_lists' if relative else '-no_objc_relative_method_lists')
    cmd += ['-dylib', '-install_name', dylib] if dylib else ['-e', '_main']
    run(*cmd)
    return path


def elf(work, src, abi):
    target = {'arm64-v8a': 'aarch64-linux-android21', 'armeabi-v7a': 'armv7a-linux-androideabi21'}[abi]
    thumb = ['-mthumb'] if abi == 'armeabi-v7a' else []
    path = os.path.join(work, abi, 'libnativekeys.so')
    os.makedirs(os.path.dirname(path), exist_ok=True)
    run('clang', '--target=' + target, *thumb, '-shared', '-nostdlib', '-fuse-ld=lld', '-fPIC', '-O2', '-Wall', '-Werror',
        '-Wl,-soname,libnativekeys.so', '-Wl,--build-id=sha1', '-o', path, src)
    return path


# ---------------------------------------------------------------------------------------------------------------
# Goldens: what independent tools say about symbols, methods, code references and relocations.

LABEL = re.compile(r'^(?:([0-9a-f]+) <)?([^\s].*?)>?:$')
INSN = re.compile(r'^\s*([0-9a-f]+):\s')
LITERAL = re.compile(r'(?:literal pool for: "(.*)"|Objc cfstring ref: @"(.*)")\s*$')


def macho_golden(entry, path, arch, raw):
    """llvm-nm symbols, llvm-objdump -d function labels and literal comments, --objc-meta-data method IMPs."""
    nm = out(NM, '--arch=' + arch, path)
    dis = out(OBJDUMP, '--macho', '--arch=' + arch, '-d', path)
    meta = out(OBJDUMP, '--macho', '--arch=' + arch, '--objc-meta-data', path)
    raw.append('### %s [%s] llvm-nm\n%s\n### %s [%s] llvm-objdump -d\n%s\n### %s [%s] llvm-objdump --objc-meta-data\n%s'
               % (entry, arch, nm, entry, arch, dis.replace(path, entry), entry, arch, meta.replace(path, entry)))
    symbols = {}
    for line in nm.splitlines():
        parts = line.split(None, 2)
        if len(parts) == 3 and parts[1] in 'tTsSdD':
            symbols[parts[2]] = int(parts[0], 16)
    functions = {}
    refs = []
    current = None
    for line in dis.splitlines():
        m = re.match(r'^([^\s].*):$', line)
        if m and not line.startswith('(') and not line.endswith('section'):
            current = m.group(1)
            continue
        i = INSN.match(line)
        if i and current:
            functions.setdefault(current, int(i.group(1), 16))
            lit = LITERAL.search(line)
            if lit:
                refs.append({'function': current, 'pc': int(i.group(1), 16), 'text': lit.group(1) if lit.group(1) is not None else lit.group(2)})
    methods = {}
    # A pointer list prints `imp 0x100004000 +[C m]`; a relative one `imp 0xfffffd14 (0x4000) +[C m]` (offset, low bits).
    for m in re.finditer(r'\simp (?:0x([0-9a-f]+) |0x[0-9a-f]+ \(0x[0-9a-f]+\) )?([+-]\[[^\]]+\])', meta):
        methods[m.group(2)] = int(m.group(1), 16) if m.group(1) else functions[m.group(2)]
    # Binds: llvm-objdump --dyld-info (chained fixups) or --bind (classic opcodes); slot address -> symbol.
    binds = {}
    dyld = out(OBJDUMP, '--macho', '--arch=' + arch, '--dyld-info', '--bind', path)
    raw.append('### %s [%s] llvm-objdump --dyld-info --bind\n%s' % (entry, arch, dyld.replace(path, entry)))
    for line in dyld.splitlines():
        b = re.match(r'^__\w+\s+__\w+\s+0x([0-9A-Fa-f]+)\s+(?:0x[0-9A-Fa-f]+\s+bind|pointer)\s+.*\s(\S+)$', line)
        if b:
            binds['%d' % int(b.group(1), 16)] = b.group(2)
    # Method list headers of __objc_methlist (where ld64.lld puts relative lists): {entsizeAndFlags, count} words.
    methlist = out(OBJDUMP, '--macho', '--arch=' + arch, '--section=__TEXT,__objc_methlist', path)
    raw.append('### %s [%s] llvm-objdump --section=__TEXT,__objc_methlist\n%s' % (entry, arch, methlist.replace(path, entry)))
    words = [int(w, 16) for line in methlist.splitlines()[2:] for w in line.split()[1:]]
    lists = []
    i = 0
    while i + 1 < len(words):
        lists.append({'flags': words[i] & 0xffff0000, 'entsize': words[i] & 0xfffc, 'count': words[i + 1]})
        i += 2 + words[i + 1] * (words[i] & 0xfffc) // 4
    return {'symbols': symbols, 'functions': functions, 'refs': refs, 'objcMethods': methods, 'binds': binds, 'methodLists': lists}


def elf_golden(entry, path, raw):
    nm = out(NM, '-S', '--defined-only', path)
    dis = out(OBJDUMP, '-d', path)
    rel = out(READOBJ, '--relocations', path)
    raw.append('### %s llvm-nm -S\n%s\n### %s llvm-objdump -d\n%s\n### %s llvm-readobj --relocations\n%s'
               % (entry, nm, entry, dis.replace(path, entry), entry, rel.replace(path, entry)))
    symbols = {}
    for line in nm.splitlines():
        parts = line.split()
        if len(parts) == 4:
            symbols[parts[3]] = {'addr': int(parts[0], 16), 'size': int(parts[1], 16), 'type': parts[2]}
    functions = {}
    for m in re.finditer(r'^([0-9a-f]+) <([^>]+)>:$', dis, re.M):
        functions[m.group(2)] = int(m.group(1), 16)
    relative = []
    for m in re.finditer(r'^\s+0x([0-9A-F]+) R_(?:AARCH64|ARM|X86_64)_RELATIVE -(?: 0x([0-9A-F]+))?$', rel, re.M):
        relative.append([int(m.group(1), 16), int(m.group(2), 16) if m.group(2) else None])
    return {'symbols': symbols, 'functions': functions, 'relative': relative}


def planted(rule, severity, key, entry, context, scope=None, note=None, method=None):
    p = {'ruleId': rule, 'severity': severity, 'secret': S[key], 'entry': entry, 'context': context}
    if scope:
        p['scope'] = scope
    if note:
        p['note'] = note
    if method:
        p['method'] = method
    return p


def decoy(text, entry, why):
    return {'text': text, 'entry': entry, 'why': why}


def build_ios(work):
    app = 'Payload/NativeApp.app/'
    exe = macho(work, render('NativeApp.m', work), 'NativeApp')
    stripped = os.path.join(work, 'NativeApp-stripped')
    shutil.copy(exe, stripped)
    run('llvm-strip-19', '-x', stripped)
    widget = macho(work, os.path.join(work, 'NativeApp.m'), 'NativeWidget', chained=False, loh=True)
    # The same object with relative method lists: classic opcodes (llvm-objdump --objc-meta-data prints these lists)
    # and chained fixups (as Xcode 15+ links), both stripped of local symbols.
    intents = macho(work, os.path.join(work, 'NativeApp.m'), 'NativeIntents', chained=False, relative=True)
    clip = macho(work, os.path.join(work, 'NativeApp.m'), 'NativeClip', relative=True)
    stripped_rel = {}
    for name, path in (('NativeIntents', intents), ('NativeClip', clip)):
        stripped_rel[name] = path + '-stripped'
        shutil.copy(path, stripped_rel[name])
        run('llvm-strip-19', '-x', stripped_rel[name])
    share = macho(work, render('NativeShare.c', work), 'NativeShare', linker=LLD_CLASSIC)
    kit_src = render('NativeKit.c', work)
    kit_arm = macho(work, kit_src, 'NativeKit-arm64', loh=True, dylib='@rpath/NativeKit.framework/NativeKit')
    kit_x86 = macho(work, kit_src, 'NativeKit-x86_64', arch='x86_64', sim=True, linker=LLD_CLASSIC, dylib='@rpath/NativeKit.framework/NativeKit')
    kit = os.path.join(work, 'NativeKit')
    run('llvm-lipo-14', '-create', kit_arm, kit_x86, '-output', kit)
    bundle_id = 'com.leakdex.sample.native'
    files = {
        app + 'Info.plist': (plistlib.dumps(info_plist(bundle_id, 'Native', 'NativeApp', '1.0', '1'), fmt=plistlib.FMT_BINARY), False),
        app + 'NativeApp': (open(stripped, 'rb').read(), True),
        app + 'Frameworks/NativeKit.framework/NativeKit': (open(kit, 'rb').read(), True),
        app + 'Frameworks/NativeKit.framework/Info.plist': (plistlib.dumps(info_plist('com.leakdex.NativeKit', 'NativeKit', 'NativeKit', '1.0', '1', 'FMWK'), fmt=plistlib.FMT_BINARY), False),
        app + 'PlugIns/NativeShare.appex/NativeShare': (open(share, 'rb').read(), True),
        app + 'PlugIns/NativeWidget.appex/NativeWidget': (open(widget, 'rb').read(), True),
        app + 'PlugIns/NativeWidget.appex/Info.plist': (plistlib.dumps(info_plist(bundle_id + '.widget', 'Widget', 'NativeWidget', '1.0', '1', 'XPC!', {
            'NSExtension': {'NSExtensionPointIdentifier': 'com.apple.widgetkit-extension'}}), fmt=plistlib.FMT_BINARY), False),
        app + 'PlugIns/NativeIntents.appex/NativeIntents': (open(stripped_rel['NativeIntents'], 'rb').read(), True),
        app + 'PlugIns/NativeIntents.appex/Info.plist': (plistlib.dumps(info_plist(bundle_id + '.intents', 'Intents', 'NativeIntents', '1.0', '1', 'XPC!', {
            'NSExtension': {'NSExtensionPointIdentifier': 'com.apple.intents-service'}}), fmt=plistlib.FMT_BINARY), False),
        app + 'PlugIns/NativeClip.appex/NativeClip': (open(stripped_rel['NativeClip'], 'rb').read(), True),
        app + 'PlugIns/NativeClip.appex/Info.plist': (plistlib.dumps(info_plist(bundle_id + '.clip', 'Clip', 'NativeClip', '1.0', '1', 'XPC!', {
            'NSExtension': {'NSExtensionPointIdentifier': 'com.apple.widgetkit-extension'}}), fmt=plistlib.FMT_BINARY), False),
        app + 'PlugIns/NativeShare.appex/Info.plist': (plistlib.dumps(info_plist(bundle_id + '.share', 'Share', 'NativeShare', '1.0', '1', 'XPC!', {
            'NSExtension': {'NSExtensionPointIdentifier': 'com.apple.share-services'}}), fmt=plistlib.FMT_BINARY), False),
    }
    exe_e = app + 'NativeApp'
    kit_e = app + 'Frameworks/NativeKit.framework/NativeKit'
    share_e = app + 'PlugIns/NativeShare.appex/NativeShare'
    widget_e = app + 'PlugIns/NativeWidget.appex/NativeWidget'
    intents_e = app + 'PlugIns/NativeIntents.appex/NativeIntents'
    clip_e = app + 'PlugIns/NativeClip.appex/NativeClip'
    nsobject = '+[NSObject(SKTwitter) twitterConsumerSecret]'
    expected = {
        'planted': [
            planted('twitter-access-token-secret', 'high', 'NATIVE_TW_ACCESS_TOKEN_SECRET', exe_e, 'twitterAccessTokenSecret', 'SKSecrets', 'class method, ADRP+ADD into __cstring, chained fixups, stripped'),
            planted('facebook-app-secret', 'critical', 'NATIVE_FB_APP_SECRET', exe_e, 'facebookAppSecret', 'SKSecrets', 'category class method returning an @"..." literal, with the app id of +facebookAppId'),
            planted('azure-storage-account-key', 'high', 'NATIVE_AZURE_ACCOUNT_KEY', exe_e, 'kAzureStorageKey', None, 'NSString *const: __DATA_CONST,__const -> __cfstring, chained'),
            planted('twitter-access-token-secret', 'high', 'NATIVE_TW_ACCESS_TOKEN_SECRET', widget_e, 'twitterAccessTokenSecret', 'SKSecrets', 'the same class linked with classic rebase opcodes (ld64.lld-19 -no_fixup_chains), ADR'),
            planted('azure-storage-account-key', 'high', 'NATIVE_AZURE_ACCOUNT_KEY', widget_e, 'kAzureStorageKey', None, 'NSString *const, classic rebase opcodes'),
            planted('twitter-consumer-secret', 'critical', 'NATIVE_OBJC_TW_CONSUMER_SECRET', exe_e, 'twitterConsumerSecret', 'NSObject', 'category on another image\'s class: cls is a chained bind to _OBJC_CLASS_$_NSObject', nsobject),
            planted('twitter-consumer-secret', 'critical', 'NATIVE_OBJC_TW_CONSUMER_SECRET', widget_e, 'twitterConsumerSecret', 'NSObject', 'category on NSObject, cls bound by classic bind opcodes', nsobject),
            planted('twitter-access-token-secret', 'high', 'NATIVE_TW_ACCESS_TOKEN_SECRET', intents_e, 'twitterAccessTokenSecret', 'SKSecrets', 'relative method list (-objc_relative_method_lists), classic opcodes, stripped', '+[SKSecrets twitterAccessTokenSecret]'),
            planted('facebook-app-secret', 'critical', 'NATIVE_FB_APP_SECRET', intents_e, 'facebookAppSecret', 'SKSecrets', 'category with a relative method list', '+[SKSecrets(Facebook) facebookAppSecret]'),
            planted('twitter-consumer-secret', 'critical', 'NATIVE_OBJC_TW_CONSUMER_SECRET', intents_e, 'twitterConsumerSecret', 'NSObject', 'category on NSObject with a relative method list', nsobject),
            planted('twitter-access-token-secret', 'high', 'NATIVE_TW_ACCESS_TOKEN_SECRET', clip_e, 'twitterAccessTokenSecret', 'SKSecrets', 'relative method list, chained fixups (selector references rebased by chains), stripped', '+[SKSecrets twitterAccessTokenSecret]'),
            planted('facebook-app-secret', 'critical', 'NATIVE_FB_APP_SECRET', clip_e, 'facebookAppSecret', 'SKSecrets', 'category with a relative method list, chained', '+[SKSecrets(Facebook) facebookAppSecret]'),
            planted('twitter-consumer-secret', 'critical', 'NATIVE_OBJC_TW_CONSUMER_SECRET', clip_e, 'twitterConsumerSecret', 'NSObject', 'category on NSObject: relative list, chained bind', nsobject),
            planted('twitter-consumer-secret', 'critical', 'NATIVE_TW_CONSUMER_SECRET', share_e, 'kShareTwitterSecret', None, 'const char * in __DATA,__data, classic rebase opcodes'),
            planted('twitter-consumer-key', 'medium', 'NATIVE_TW_CONSUMER_KEY', share_e, 'kShareTwitterKey', None, 'const char * in __DATA,__data, classic rebase opcodes'),
            planted('generic-secret', 'medium', 'NATIVE_SLACK_SIGNING_SECRET', kit_e, 'ldx_slack_signing_secret', None, 'function symbol, ADR (relaxed ADRP+ADD), fat arm64 slice'),
            planted('stripe-secret-key', 'low', 'NATIVE_STRIPE_TEST_KEY', kit_e, 'kStripeSecretKey', None, 'const char array named by its own symbol'),
        ],
        'decoys': [
            decoy('YOUR_TWITTER_ACCESS_TOKEN_SECRET_GOES_HERE123', exe_e, 'placeholder returned by -placeholderTokenSecret'),
            decoy('twitter access token secret=%s (len %d)', exe_e, 'format string in -logTwitterSecret:'),
            decoy(S['NATIVE_DECOY_B64_88'], exe_e, 'key-shaped value bound to kBuildFingerprint'),
            decoy('twitter consumer secret missing: set %s in Info.plist', share_e, 'log line bound to kShareTwitterLog'),
            decoy('YOUR_TWITTER_CONSUMER_SECRET', share_e, 'placeholder bound to kShareTwitterPlaceholder'),
            decoy(S['NATIVE_DECOY_HEX32'], kit_e, 'request id returned by ldx_request_id'),
        ],
        'app': {'platform': 'ios', 'id': bundle_id},
    }
    binaries = [(exe_e, exe, 'unstripped copy'), (widget_e, widget, None), (intents_e, intents, 'unstripped copy'), (clip_e, clip, 'unstripped copy'),
                (share_e, share, None), (kit_e, kit, None)]
    return 'native-ios.ipa', files, binaries, expected


def build_jni(work):
    src = render('jni/nativekeys.c', work)
    files = {}
    binaries = []
    for abi in ('arm64-v8a', 'armeabi-v7a'):
        path = elf(work, src, abi)
        entry = 'lib/%s/libnativekeys.so' % abi
        files[entry] = (open(path, 'rb').read(), False)
        binaries.append((entry, path, None))
    with zipfile.ZipFile(os.path.join(SAMPLES, 'android', 'clean-app.apk')) as z:
        files['AndroidManifest.xml'] = (z.read('AndroidManifest.xml'), False)
    planted_ = []
    for abi in ('arm64-v8a', 'armeabi-v7a'):
        e = 'lib/%s/libnativekeys.so' % abi
        planted_ += [
            planted('generic-secret', 'low', 'NATIVE_JNI_API_KEY', e, 'getApiKey', 'com.leakdex.nativekeys.Keys', 'JNI native String getApiKey()'),
            planted('twitter-consumer-secret', 'critical', 'NATIVE_JNI_TW_CONSUMER_SECRET', e, 'getTwitterConsumerSecret', 'com.leakdex.nativekeys.Keys', 'JNI native String getTwitterConsumerSecret()'),
            planted('azure-storage-account-key', 'high', 'NATIVE_ELF_AZURE_ACCOUNT_KEY', e, 'kAzureAccountKey', None, 'pointer global: .data.rel.ro + R_*_RELATIVE -> .rodata'),
            planted('facebook-app-secret', 'critical', 'NATIVE_ELF_FB_APP_SECRET', e, 'kFacebookAppSecret', None, 'const char array in .rodata'),
        ]
    expected = {
        'planted': planted_,
        'decoys': [decoy('secret not configured: call Keys.init(%s) first', 'lib/arm64-v8a/libnativekeys.so', 'log line returned by getSecretHint'),
                   decoy('sk_live_YOUR_STRIPE_SECRET_KEY', 'lib/arm64-v8a/libnativekeys.so', 'placeholder bound to kStripeSecretPlaceholder')],
        'app': {'platform': 'android'},
    }
    return 'native-jni.apk', files, binaries, expected


def main(work):
    os.makedirs(work, exist_ok=True)
    os.makedirs(GOLDEN, exist_ok=True)
    for builder in (build_ios, build_jni):
        sub = os.path.join(work, builder.__name__)
        os.makedirs(sub, exist_ok=True)
        name, files, binaries, expected = builder(sub)
        base = name.rsplit('.', 1)[0]
        write_zip(os.path.join(HERE, name), files)
        raw = []
        golden = {}
        for entry, path, _ in binaries:
            if name.endswith('.ipa'):
                for arch in lipo_archs(path):
                    golden['%s [%s]' % (entry, arch)] = macho_golden(entry, path, arch, raw)
            else:
                golden[entry] = elf_golden(entry, path, raw)
        with open(os.path.join(GOLDEN, base + '.tools.txt'), 'w') as f:
            f.write('\n'.join(raw))
        with open(os.path.join(GOLDEN, base + '.refs.json'), 'w') as f:
            json.dump(golden, f, indent=1, ensure_ascii=False, sort_keys=True)
            f.write('\n')
        problems = [p['ruleId'] for p in expected['planted'] if not any(p['secret'].encode() in d for d, _ in files.values())]
        if problems:
            print('make_native: %s: planted values missing: %s' % (name, problems), file=sys.stderr)
            return 1
        expected = dict({'file': name}, **expected)
        expected['build'] = {'entries': sorted(files), 'tools': 'clang 14, ld64.lld-19 (-fixup_chains), ld64.lld-14 (classic), ld.lld, llvm-strip-19, llvm-lipo-14'}
        with open(os.path.join(HERE, base + '.expected.json'), 'w') as f:
            json.dump(expected, f, indent=2, ensure_ascii=False)
            f.write('\n')
        print('make_native: %s: %d bytes, %d planted, %d decoys' % (name, os.path.getsize(os.path.join(HERE, name)), len(expected['planted']), len(expected['decoys'])), file=sys.stderr)
    return 0


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
