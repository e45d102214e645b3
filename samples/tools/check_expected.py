#!/usr/bin/python3
"""Check that NAME.expected.json tells the truth, using the golden outputs of independent decoders.

    check_expected.py samples/android/NAME.apk

Each planted secret and each decoy must be found at its entry (and every alsoAt), in the decoded form an independent
tool gives: DEX string tables (androguard), resource strings by name (androguard), manifest meta-data resolved
through resources (androguard), .rodata strings (llvm-objcopy), raw bytes for assets. Exits 1 on the first mismatch.
"""
import json
import os
import sys
import zipfile


def load(path):
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def main(apk_path):
    base = apk_path[:-len('.apk')]
    name = os.path.basename(base)
    golden = os.path.join(os.path.dirname(apk_path), 'golden', name)
    expected = load(base + '.expected.json')
    dex = load(golden + '.dex-strings.json')
    res = load(golden + '.resources.json').get('default', {})
    manifest = load(golden + '.manifest.json')
    rodata = load(golden + '.so-rodata.json') if os.path.exists(golden + '.so-rodata.json') else {}
    apk = zipfile.ZipFile(apk_path)
    problems = []

    def found(text, entry, context):
        if entry.endswith('.dex'):
            return text in dex.get(entry, [])
        if entry == 'resources.arsc':
            return res.get('string/' + context) == text
        if entry == 'AndroidManifest.xml':
            return manifest['metaDataResolved'].get(context) == text
        if entry.startswith('lib/'):
            return any(text in s for s in rodata.get(entry, []))
        if entry in apk.namelist():
            return text.encode('utf-8') in apk.read(entry)
        return False

    for item in expected['planted']:
        places = [(item['entry'], item['context'])] + [(a['entry'], a['context']) for a in item.get('alsoAt', [])]
        for entry, context in places:
            if not found(item['secret'], entry, context):
                problems.append('planted %s (%s) not found at %s [%s]' % (item['ruleId'], item['secret'][:8], entry, context))
    for item in expected['decoys']:
        if not found(item['text'], item['entry'], item.get('context', '')):
            problems.append('decoy %r not found at %s' % (item['text'][:12], item['entry']))
    app = expected['app']
    if (app['id'], app['versionName'], app['versionCode']) != (
            manifest['package'], manifest['versionName'], manifest['versionCode']):
        problems.append('app facts differ from androguard: %r' % app)
    for p in problems:
        print('check_expected: %s: %s' % (name, p), file=sys.stderr)
    if not problems:
        print('check_expected: %s: %d planted, %d decoys found where expected'
              % (name, len(expected['planted']), len(expected['decoys'])), file=sys.stderr)
    return 1 if problems else 0


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
