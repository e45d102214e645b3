#!/usr/bin/python3
"""Write a Unity IL2CPP `global-metadata.dat` from a description of the game's managed side (src/game.json).

No Unity editor runs here, so the file is written from the format as the public readers document it (Il2CppDumper
Il2Cpp/MetadataClass.cs, Cpp2IL LibCpp2IL/Metadata, libil2cpp's vm/GlobalMetadataFileInternals.h and
utils/BlobReader.cpp): header (sanity 0xFAB11BAF, version, then one (offset, size) pair per table in the version's
order), then the tables. Only the tables leakdex reads carry data; the others are present and empty.

    make_metadata.py write VERSION DESC OUT      VERSION is 24.0, 24.2, 27, 29 or 31
    make_metadata.py secrets                     print the planted values as JSON (label -> value)
    make_metadata.py expected FILE ENTRY VERSION OUT   write OUT, the expected.json of a sample (FILE scanned, the
                                                 metadata at ENTRY inside it)

Type indices stand for entries of the binary's Il2CppType table (which lives in libil2cpp.so, not here): type
definition i has byval index 2*i (and byref 2*i+1 before v27); a field's own type index is a separate entry (its
attributes differ from the plain type's); a default value's type index is the plain (byval) index of the constant's
type, as libil2cpp's MetadataCache::GetFieldDefaultValue expects.
"""
import hashlib
import json
import os
import string
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tools'))
from fake_secrets import gen as fake_gen  # noqa: E402

ALNUM = string.ascii_letters + string.digits
HEX = '0123456789abcdef'
DIGITS = string.digits


def gen(label, alphabet, n):
    """The shared sample generator (samples/tools/fake_secrets.py) with this sample's own salt."""
    return fake_gen(label, alphabet, n, salt='leakdex-unity')


SECRETS = {
    'TWITTER_CONSUMER_KEY': gen('twitter-key', ALNUM, 25),
    'TWITTER_CONSUMER_SECRET': gen('twitter-secret', ALNUM, 50),
    'FACEBOOK_APP_ID': '1' + gen('fb-id', DIGITS, 14),
    'FACEBOOK_APP_SECRET': gen('fb-secret', HEX, 32),
    'STRIPE_SECRET_KEY': 'sk_live_' + gen('stripe', ALNUM, 32),
    'SENDGRID_API_KEY': 'SG.%s.%s' % (gen('sendgrid-1', ALNUM + '_-', 22), gen('sendgrid-2', ALNUM + '_-', 43)),
    'SHAPE_CONSUMER_KEY': gen('shape-key', ALNUM, 25),
    'SHAPE_CONSUMER_SECRET': gen('shape-secret', ALNUM, 50),
    'LONE_KEY_SHAPE': gen('lone-key', ALNUM, 25),
    'LONE_SECRET_SHAPE': gen('lone-secret', ALNUM, 50),
    'GITHUB_TOKEN': 'ghp_' + gen('github', ALNUM, 36),
    'ARRAY_INIT': hashlib.sha256(b'leakdex-unity:array').hexdigest()[:48],
}

VERSIONS = {'24.0': 24.0, '24.2': 24.2, '27': 27.0, '29': 29.0, '31': 31.0}


def fill(v):
    if isinstance(v, str):
        for k, s in SECRETS.items():
            v = v.replace('{{%s}}' % k, s)
    return v


def header_tables(v):
    """Table names in header order for version v (Il2CppGlobalMetadataHeader)."""
    t = ['stringLiteral', 'stringLiteralData', 'string', 'events', 'properties', 'methods', 'parameterDefaultValues',
         'fieldDefaultValues', 'fieldAndParameterDefaultValueData', 'fieldMarshaledSizes', 'parameters', 'fields',
         'genericParameters', 'genericParameterConstraints', 'genericContainers', 'nestedTypes', 'interfaces',
         'vtableMethods', 'interfaceOffsets', 'typeDefinitions']
    if v <= 24.1:
        t.append('rgctxEntries')
    t += ['images', 'assemblies']
    if 19 <= v < 27:
        t += ['metadataUsageLists', 'metadataUsagePairs']
    t += ['fieldRefs', 'referencedAssemblies']
    t += ['attributeData', 'attributeDataRange'] if v >= 29 else ['attributesInfo', 'attributeTypes']
    t += ['unresolvedVirtualCallParameterTypes', 'unresolvedVirtualCallParameterRanges', 'windowsRuntimeTypeNames']
    if v >= 27:
        t.append('windowsRuntimeStrings')
    t.append('exportedTypeDefinitions')
    return t


def i32(*xs):
    return struct.pack('<%di' % len(xs), *xs)


def u16(*xs):
    return struct.pack('<%dH' % len(xs), *xs)


def compressed_u32(n):
    """libil2cpp utils/MemoryRead ReadCompressedUInt32, written."""
    if n < 0x80:
        return bytes([n])
    if n < 0x4000:
        return bytes([0x80 | (n >> 8), n & 0xFF])
    if n < 0x20000000:
        return bytes([0xC0 | (n >> 24), (n >> 16) & 0xFF, (n >> 8) & 0xFF, n & 0xFF])
    return b'\xF0' + struct.pack('<I', n)


def compressed_i32(n):
    """ReadCompressedInt32: the sign in bit 0."""
    return compressed_u32((n << 1) if n >= 0 else (((-n - 1) << 1) | 1))


class Strings:
    def __init__(self):
        self.data = bytearray()
        self.at = {}

    def __call__(self, s):
        if s not in self.at:
            self.at[s] = len(self.data)
            self.data += s.encode() + b'\0'
        return self.at[s]


def flatten(desc):
    """Type definitions in table order (a nested type right after its declaring type), with their image."""
    types = []

    def add(t, image, parent):
        t = dict(t)
        t['image'] = image
        t['parent'] = parent
        t['index'] = len(types)
        types.append(t)
        t['nestedIdx'] = [add(n, image, t['index']) for n in t.get('nested', [])]
        return t['index']

    for im, image in enumerate(desc['images']):
        image['typeStart'] = len(types)
        for t in image['types']:
            add(t, im, -1)
        image['typeCount'] = len(types) - image['typeStart']
    return types


def full_name(types, t):
    if t['parent'] >= 0:
        return full_name(types, types[t['parent']]) + '/' + t['name']
    return (t['namespace'] + '.' if t['namespace'] else '') + t['name']


def default_blob(v, value, type_name):
    if type_name == 'System.String':
        b = value.encode()
        return (struct.pack('<i', len(b)) if v < 29 else compressed_i32(len(b))) + b
    if type_name == 'System.Int32':
        return struct.pack('<i', value) if v < 29 else compressed_i32(value)
    return bytes.fromhex(value)  # static array initialiser data (field RVA), raw


def write(version_key, desc_path, out):
    v = VERSIONS[version_key]
    desc = json.load(open(desc_path))
    types = flatten(desc)
    by_name = {full_name(types, t): t for t in types}
    names = Strings()
    byval = lambda name: 2 * by_name[name]['index'] if v < 27 else by_name[name]['index']  # noqa: E731
    next_type = [2 * len(types) if v < 27 else len(types)]

    def new_type_index():
        next_type[0] += 1
        return next_type[0] - 1

    fields, field_defaults, methods, params, param_defaults, data = [], [], [], [], [], bytearray()
    literals, literal_at, usage_lists, usage_pairs, nested = [], {}, [], [], []
    pending = []  # (table, index, typeIndex, blob): data is laid out after every table entry is known
    for t in types:
        t['fieldStart'] = len(fields) if t.get('fields') else -1
        for f in t.get('fields', []):
            fi = len(fields)
            fields.append((names(f['name']), new_type_index(), 0x04000001 + fi))
            if 'const' in f or 'blob' in f:
                pending.append(('field', fi, byval(f['type']), default_blob(v, fill(f.get('const', f.get('blob'))), f['type'])))
        t['methodStart'] = len(methods) if t.get('methods') else -1
        for m in t.get('methods', []):
            mi = len(methods)
            pstart = len(params) if m.get('params') else -1
            for p in m.get('params', []):
                pi = len(params)
                params.append((names(p['name']), 0x08000001 + pi, new_type_index()))
                if 'default' in p:
                    pending.append(('param', pi, byval(p['type']), default_blob(v, fill(p['default']), p['type'])))
            methods.append((names(m['name']), byval(full_name(types, t)), byval('System.Object'), pstart, len(m.get('params', [])), 0x06000001 + mi))
            start = len(usage_pairs)
            for s in m.get('literals', []):
                s = fill(s)
                if s not in literal_at:
                    literal_at[s] = len(literals)
                    literals.append(s)
                # destination: the method's slot in the binary's metadataUsages array; source: kind 5 (StringLiteral)
                usage_pairs.append((len(usage_pairs), (5 << 29) | literal_at[s]))
            if m.get('literals'):
                usage_lists.append((start, len(usage_pairs) - start))
        t['nestedStart'] = len(nested) if t['nestedIdx'] else -1
        nested += t['nestedIdx']
    for table, idx, type_index, blob in pending:
        (field_defaults if table == 'field' else param_defaults).append((idx, type_index, len(data)))
        data += blob

    tables = {}
    # String literals: (length, dataIndex) and the UTF-8 bytes back to back.
    lit_data = bytearray()
    lit_table = bytearray()
    for s in literals:
        b = s.encode()
        lit_table += struct.pack('<Ii', len(b), len(lit_data))
        lit_data += b
    tables['stringLiteral'] = bytes(lit_table)
    tables['stringLiteralData'] = bytes(lit_data)

    def type_def(t):
        parent_type = byval('System.Object') if t['name'] != 'Object' else -1
        declaring = byval(full_name(types, types[t['parent']])) if t['parent'] >= 0 else -1
        ints = [names(t['name']), names(t['namespace'])]
        if v <= 24.0:
            ints.append(-1)  # customAttributeIndex
        ints.append(byval(full_name(types, t)))
        if v < 27:
            ints.append(byval(full_name(types, t)) + 1)  # byrefTypeIndex
        ints += [declaring, parent_type, -1]  # declaringTypeIndex, parentIndex, elementTypeIndex
        if v <= 24.1:
            ints += [-1, 0]  # rgctxStartIndex, rgctxCount
        ints += [-1, 0x100001]  # genericContainerIndex, flags (public, beforefieldinit)
        ints += [t['fieldStart'], t['methodStart'], -1, -1, t['nestedStart'], -1, -1, -1]
        counts = [len(t.get('methods', [])), 0, len(t.get('fields', [])), 0, len(t['nestedIdx']), 0, 0, 0]
        return i32(*ints) + u16(*counts) + i32(0, 0x02000001 + t['index'])  # bitfield, token

    tables['typeDefinitions'] = b''.join(type_def(t) for t in types)
    tables['fields'] = b''.join(i32(n, ty) + (i32(-1) if v <= 24.0 else b'') + i32(tok) for n, ty, tok in fields)
    tables['fieldDefaultValues'] = b''.join(i32(*x) for x in field_defaults)
    tables['parameterDefaultValues'] = b''.join(i32(*x) for x in param_defaults)
    tables['fieldAndParameterDefaultValueData'] = bytes(data)
    tables['parameters'] = b''.join(i32(n, tok) + (i32(-1) if v <= 24.0 else b'') + i32(ty) for n, tok, ty in params)

    def method_def(m):
        name, declaring, ret, pstart, pcount, tok = m
        ints = [name, declaring, ret]
        if v >= 31:
            ints.append(0x08000000)  # returnParameterToken
        ints.append(pstart)
        if v <= 24.0:
            ints.append(-1)
        ints.append(-1)  # genericContainerIndex
        if v <= 24.1:
            ints += [-1, -1, -1, -1, 0]  # methodIndex, invokerIndex, delegateWrapperIndex, rgctxStartIndex, rgctxCount
        ints.append(tok)
        return i32(*ints) + u16(0x96, 0, 0xFFFF, pcount)

    tables['methods'] = b''.join(method_def(m) for m in methods)
    tables['nestedTypes'] = i32(*nested) if nested else b''
    if 19 <= v < 27:
        tables['metadataUsageLists'] = b''.join(struct.pack('<II', *x) for x in usage_lists)
        tables['metadataUsagePairs'] = b''.join(struct.pack('<II', *x) for x in usage_pairs)

    def image_def(im, image):
        ints = [names(image['name']), im, image['typeStart'], image['typeCount'], 0, 0, -1, 1]
        if v >= 24.1:
            ints += [0, 0]  # customAttributeStart, customAttributeCount
        return i32(*ints)

    def assembly_def(im, image):
        ints = [im]
        if v >= 24.1:
            ints.append(0x20000001)  # token
        if v <= 24.0:
            ints.append(-1)  # customAttributeIndex
        ints += [0, 0]  # referencedAssemblyStart, referencedAssemblyCount
        aname = [names(image['name'][:-4]), names(''), ]
        if v <= 24.3:
            aname.append(-1)  # hashValueIndex
        aname += [names(''), 0x8004, 0, 0, 1, 0, 0, 0]
        return i32(*ints) + i32(*aname) + b'\0' * 8

    tables['images'] = b''.join(image_def(i, im) for i, im in enumerate(desc['images']))
    tables['assemblies'] = b''.join(assembly_def(i, im) for i, im in enumerate(desc['images']))
    tables['string'] = bytes(names.data)

    order = header_tables(v)
    header_size = 8 + 8 * len(order)
    body = bytearray()
    pairs = []
    for name in order:
        blob = tables.get(name, b'')
        body += b'\0' * (-(header_size + len(body)) % 4)
        pairs.append((header_size + len(body), len(blob)))
        body += blob
    head = struct.pack('<Ii', 0xFAB11BAF, int(v)) + b''.join(struct.pack('<Ii', o, n) for o, n in pairs)
    assert len(head) == header_size
    with open(out, 'wb') as f:
        f.write(head + bytes(body))


# What a scan must report: rule, severity (rules/), confidence, and where (pointer in the metadata, bound name).
PLANTED = [
    ('twitter-consumer-key', 'medium', 'medium', 'TWITTER_CONSUMER_KEY', 'field_defaults[1] Leakdex.Game.SocialConfig.TwitterConsumerKey', 'TwitterConsumerKey',
     'const string field: value from fieldDefaultValues, name from fields, class from typeDefinitions; paired with the secret'),
    ('twitter-consumer-secret', 'critical', 'high', 'TWITTER_CONSUMER_SECRET', 'field_defaults[2] Leakdex.Game.SocialConfig.TwitterConsumerSecret', 'TwitterConsumerSecret', None),
    ('facebook-app-secret', 'critical', 'high', 'FACEBOOK_APP_SECRET', 'field_defaults[4] Leakdex.Game.SocialConfig.FacebookAppSecret', 'FacebookAppSecret', None),
    ('facebook-app-id', 'info', 'medium', 'FACEBOOK_APP_ID', 'field_defaults[3] Leakdex.Game.SocialConfig.FacebookAppId', 'FacebookAppId', 'an app id is public: info'),
    ('stripe-secret-key', 'critical', 'high', 'STRIPE_SECRET_KEY', 'field_defaults[9] Leakdex.Game.Backend/Keys.StripeSecretKey', 'StripeSecretKey', 'nested type: Outer/Inner'),
    ('sendgrid-api-key', 'high', 'high', 'SENDGRID_API_KEY', 'parameter_defaults[0] Leakdex.Game.Backend.Connect(apiKey)', 'apiKey', 'string parameter default value'),
    ('twitter-consumer-key', 'medium', 'medium', 'SHAPE_CONSUMER_KEY', 'string_literals[5]', None,
     'no name: shape pair, the 25-character key right before its 50-character secret in the literal table'),
    ('twitter-consumer-secret', 'critical', 'medium', 'SHAPE_CONSUMER_SECRET', 'string_literals[6]', None, 'shape pair (second half)'),
    ('github-token', 'critical', 'high', 'GITHUB_TOKEN', 'string_literals[13]', None, 'literal found by its format'),
]
DECOYS = [
    ('YOUR_TWITTER_CONSUMER_SECRET_GOES_HERE_0123456789ab', 'placeholder in a const field named TwitterConsumerSecretHint'),
    ('XXXXXXXXXXXXXXXXXXXXXXXXX', 'placeholder with the consumer-key shape, right before a placeholder with the secret shape'),
    ('xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'placeholder with the consumer-secret shape'),
    (SECRETS['LONE_KEY_SHAPE'], 'consumer-key shape with no name, not followed by a secret shape (a log literal between)'),
    (SECRETS['LONE_SECRET_SHAPE'], 'consumer-secret shape with no name, not right after a key shape'),
    ('Twitter consumer key: {0}', 'log format string'),
    ('consumer_secret=%s', 'format string'),
    ('TwitterConsumerSecret={0} (redacted)', 'log literal naming the secret'),
]


def expected(file, entry, version, out):
    planted = []
    for rule, severity, confidence, key, pointer, context, note in PLANTED:
        item = {'ruleId': rule, 'severity': severity, 'confidence': confidence, 'secret': SECRETS[key], 'entry': entry, 'pointer': pointer, 'context': context}
        if note:
            item['note'] = note
        planted.append(item)
    exp = {'file': file, 'metadataVersion': version, 'entry': entry, 'planted': planted,
           'decoys': [{'text': t, 'entry': entry, 'why': why} for t, why in DECOYS]}
    with open(out, 'w') as f:
        json.dump(exp, f, indent=2)
        f.write('\n')


def main(argv):
    if argv[1] == 'write':
        write(argv[2], argv[3], argv[4])
    elif argv[1] == 'expected':
        expected(argv[2], argv[3], argv[4], argv[5])
    elif argv[1] == 'secrets':
        json.dump(SECRETS, sys.stdout, indent=2)
        print()
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main(sys.argv)
