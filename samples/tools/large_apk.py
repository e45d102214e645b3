#!/usr/bin/python3
"""The large benchmark APK of samples/large/build.sh: an apktool project about 78 MB inflated, with 5 fake secrets.

    large_apk.py project WORK       write WORK/apk (apktool project: manifest, strings.xml, smali .. smali_classes6,
                                    assets: the JS bundle, PNGs, random .bin blobs), WORK/ppm/*.ppm (noise pictures
                                    that build.sh turns into JPEGs) and WORK/planted.json
    large_apk.py check APK PLANTED OUT
                                    check that every planted secret is in its entry of the built APK, write OUT
                                    (OUT.planted.json) and print the APK's make-up; secrets are never printed

Everything is drawn from fixed seeds (random.Random(str), hashlib.shake_256), so every run writes the same project.
The secrets come from fake_secrets.gen() with labels of their own: format-valid, fake, protecting nothing.
"""
import hashlib
import json
import os
import random
import re
import struct
import sys
import zipfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fake_secrets import ALNUM, B64, UPPER_B32, URLSAFE, DIGITS, gen  # noqa: E402

PACKAGE = 'com.leakdex.bench.large'
PKG_PATH = PACKAGE.replace('.', '/')

# Sizes (bytes). DEX sizes follow from CLASSES_PER_DEX (about 2.4 KB of DEX per class).
JS_BYTES = 12 * 1024 * 1024
CLASSES_PER_DEX = [950, 950, 950, 950, 950, 950]
BIN_SIZES = [2_500_000, 2_000_000, 1_500_000, 1_200_000, 1_000_000, 800_000, 600_000, 400_000,
             300_000, 200_000, 100_000]
PLANT_BIN = 'assets/data/tile_cache_05.bin'


# ---------------------------------------------------------------------------------------------------------- secrets
def secrets():
    s = {}
    s['AWS_ACCESS_KEY_ID'] = 'AKIA' + gen('large-aws-key-id', UPPER_B32, 16)
    s['AWS_SECRET_ACCESS_KEY'] = gen('large-aws-secret', B64, 40)
    s['GOOGLE_API_KEY'] = 'AIzaSy' + gen('large-google-api-key', URLSAFE, 33)
    s['GITHUB_TOKEN'] = 'ghp_' + gen('large-github', ALNUM, 36)
    s['STRIPE_SECRET_KEY'] = 'sk_live_51' + gen('large-stripe-sk', ALNUM, 32)
    s['SLACK_BOT_TOKEN'] = ('xoxb-' + '2' + gen('large-slack-1', DIGITS, 11) + '-' + '4' + gen('large-slack-2', DIGITS, 12)
                            + '-' + gen('large-slack-3', ALNUM, 24))
    return s


SECRETS = secrets()


# ------------------------------------------------------------------------------------------------------- vocabulary
NOUNS = '''account activity address album alert analytics answer app asset attachment audio avatar badge balance
banner basket bid billing block bookmark brand bucket budget bundle button cache calendar campaign card cart catalog
category channel chart chat checkout city claim client clip code collection color comment config connection contact
content context conversation country coupon course credit currency customer dashboard date deal delivery device
dialog discount document download draft driver edge email entry episode error event experiment favorite feed field
file filter flag folder follower font form friend gallery game gift goal group guest header history home hotel icon
image inbox invoice item journey key label language layout league lesson level library like link list locale
location log lottery map market media member menu message metric mission mode module movie music network note
notification offer option order owner package page panel parcel partner payment permission photo picker place plan
player playlist point policy poll post preference price product profile promo provider purchase query queue quote
rating reaction receipt recipe record region reminder report request reservation resource result review reward
room route rule schedule score screen search season section seller session setting share shipment shop size slot
song source sponsor stage station status step sticker stock store story stream subscription suggestion summary
survey tab table tag task team template theme thread ticket timeline tip title topic tour track trip upload user
value variant vehicle venue video view voucher wallet warehouse weather widget wish workout zone'''.split()
VERBS = '''add apply archive attach bind build cache cancel check clear close collect compute confirm copy create
decode delete dispatch download edit emit enqueue fetch filter find flush format handle hide init invalidate join load
log map mark merge migrate notify observe open parse pause persist prefetch prepare publish push query read record
refresh register release reload remove render report request reset resolve restore resume retry save schedule select
send serialize share show sort start stop submit subscribe sync toggle track transform unregister update upload
validate verify watch write'''.split()
ADJS = '''active archived cached current default draft empty expired failed featured hidden invalid latest local
missing new offline online paid pending popular primary private public recent remote saved selected shared stale
synced temporary trending unread valid visible'''.split()
SUFFIXES = '''Manager Repository Service Provider Factory Adapter Presenter ViewModel Controller Helper Utils Client
Handler Listener Callback Module Store Cache Parser Serializer Mapper Validator Tracker Worker Fragment Activity View
Dialog Config Request Response Event Builder Interceptor Loader Resolver Registry Delegate Binder Holder'''.split()
LAYERS = 'data domain ui net db model util di sync api cache analytics widget'.split()
DOMAINS = ['api.leakdex-bench.example', 'cdn.leakdex-bench.example', 'img.leakdex-bench.example',
           'events.metrics-vendor.example', 'sdk.ads-network.example', 'maps.geo-vendor.example',
           'auth.leakdex-bench.example', 'static.leakdex-bench.example', 'graph.social-vendor.example']
DEX_ROOTS = [
    [PKG_PATH, PKG_PATH + '/core'],
    [PKG_PATH + '/feature', PKG_PATH + '/shop'],
    ['com/facebook/react/bench', 'com/swmansion/bench/gesture', 'com/th3rdwave/bench/safearea'],
    ['com/geovendor/maps/sdk', 'com/geovendor/places/internal'],
    ['okbench/http/internal', 'okbench/io', 'retrobench/converter'],
    ['com/metricsvendor/analytics', 'com/adsnetwork/sdk/mediation', 'io/crashbench/reporting'],
]
LOG_TEMPLATES = [
    'Failed to {v} {n} for {n2}: ', 'Received {k} {n}s from ', '{V} {n} finished in ', 'Unable to {v} {a} {n}, retrying ',
    'Skipping {a} {n} with id=', 'Cache miss for {n} key ', '{V}ing {n2} {n} on thread ', 'Invalid {n} state: ',
    '{N} {n2} changed to ', 'Scheduled {n} {v} in ', 'Dropped {k} {a} {n}s after ', 'No {n} found for {n2} ',
    'onCreate: restoring {a} {n} ', 'Permission for {n} denied by ', '{N} payload too large: ',
]
MESSAGES = [
    'Your {n} has been {v}ed', 'Tap to {v} your {a} {n}', 'We could not {v} this {n}. Please try again.',
    'No {a} {n}s yet', '{N} saved to your {n2}', 'Are you sure you want to {v} this {n}?', 'Something went wrong while loading {n}s',
    'Pull down to {v}', '{k} {a} {n}s', 'Check your {n2} settings and try again', 'Sign in to {v} {n}s',
    'Your {n2} will expire soon', 'Share this {n} with a {n2}', 'Loading {a} {n}s...', '{N} is not available in your region',
]


def cap(w):
    return w[:1].upper() + w[1:]


def fill_template(rng, t):
    n, n2 = rng.choice(NOUNS), rng.choice(NOUNS)
    v = rng.choice(VERBS)
    return t.format(n=n, n2=n2, N=cap(n), v=v, V=cap(v), a=rng.choice(ADJS), k=rng.randrange(2, 500))


# ----------------------------------------------------------------------------------------------------------- smali
def smali_str(s):
    return s.replace('\\', '\\\\').replace('"', '\\"')


SB = 'Ljava/lang/StringBuilder;'
STR = 'Ljava/lang/String;'
APPEND_S = SB + '->append(Ljava/lang/String;)' + SB
APPEND_I = SB + '->append(I)' + SB
TO_STRING = SB + '->toString()' + STR
JSON_OBJ = 'Lorg/json/JSONObject;'


class SmaliClass:
    def __init__(self, desc, simple, dexno):
        self.desc = desc
        self.simple = simple
        self.dexno = dexno


def make_class_names(rng, dexno, count, taken):
    classes = []
    roots = DEX_ROOTS[dexno]
    while len(classes) < count:
        feature = rng.choice(NOUNS)
        pkg = '%s/%s/%s' % (rng.choice(roots), feature, rng.choice(LAYERS))
        words = [cap(rng.choice(ADJS if rng.random() < 0.2 else NOUNS))]
        if rng.random() < 0.6:
            words.append(cap(feature))
        words.append(rng.choice(SUFFIXES))
        simple = ''.join(words)
        if rng.random() < 0.12:
            simple += '$' + rng.choice(['ViewHolder', 'Companion', 'Builder', 'State', '1', '2', 'WhenMappings'])
        desc = 'L%s/%s;' % (pkg, simple)
        if desc in taken:
            continue
        taken.add(desc)
        classes.append(SmaliClass(desc, simple, dexno))
    return classes


def method_log(rng, c, name):
    msg = fill_template(rng, rng.choice(LOG_TEMPLATES))
    tail = rng.choice([', count=', ', attempt ', ' ms', ', size=', ' items, page '])
    level = rng.choice('dddiiwe')
    return [
        '.method public %s(Ljava/lang/String;I)V' % name, '    .locals 3',
        '    const-string v0, "%s"' % smali_str(c.simple.split('$')[0]),
        '    new-instance v1, ' + SB, '    invoke-direct {v1}, %s-><init>()V' % SB,
        '    const-string v2, "%s"' % smali_str(msg), '    invoke-virtual {v1, v2}, ' + APPEND_S,
        '    invoke-virtual {v1, p1}, ' + APPEND_S,
        '    const-string v2, "%s"' % tail, '    invoke-virtual {v1, v2}, ' + APPEND_S,
        '    invoke-virtual {v1, p2}, ' + APPEND_I,
        '    invoke-virtual {v1}, ' + TO_STRING, '    move-result-object v1',
        '    invoke-static {v0, v1}, Landroid/util/Log;->%s(Ljava/lang/String;Ljava/lang/String;)I' % level,
        '    return-void', '.end method']


def method_json(rng, c, name):
    out = ['.method public %s(Ljava/lang/String;I)Ljava/lang/String;' % name, '    .locals 3',
           '    new-instance v0, ' + JSON_OBJ, '    invoke-direct {v0}, %s-><init>()V' % JSON_OBJ]
    for i in range(rng.randrange(3, 9)):
        key = '%s_%s' % (rng.choice(NOUNS), rng.choice(['id', 'name', 'type', 'count', 'url', 'status', 'at', 'version']))
        out.append('    const-string v1, "%s"' % key)
        if i == 0:
            out.append('    invoke-virtual {v0, v1, p1}, %s->put(Ljava/lang/String;Ljava/lang/Object;)%s' % (JSON_OBJ, JSON_OBJ))
        elif i == 1:
            out.append('    invoke-virtual {v0, v1, p2}, %s->put(Ljava/lang/String;I)%s' % (JSON_OBJ, JSON_OBJ))
        else:
            out.append('    const-string v2, "%s"' % smali_str(rng.choice(NOUNS + ADJS + VERBS)))
            out.append('    invoke-virtual {v0, v1, v2}, %s->put(Ljava/lang/String;Ljava/lang/Object;)%s' % (JSON_OBJ, JSON_OBJ))
    out += ['    invoke-virtual {v0}, %s->toString()%s' % (JSON_OBJ, STR), '    move-result-object v0',
            '    return-object v0', '.end method']
    return out


def url_of(rng):
    parts = [rng.choice(NOUNS) + 's']
    for _ in range(rng.randrange(0, 3)):
        parts.append(rng.choice(NOUNS + VERBS))
    return 'https://%s/v%d/%s/' % (rng.choice(DOMAINS), rng.randrange(1, 5), '/'.join(parts))


def method_url(rng, c, name, extra=None):
    out = ['.method public %s(Ljava/lang/String;)Ljava/lang/String;' % name, '    .locals 2',
           '    new-instance v0, ' + SB, '    invoke-direct {v0}, %s-><init>()V' % SB,
           '    const-string v1, "%s"' % url_of(rng), '    invoke-virtual {v0, v1}, ' + APPEND_S,
           '    invoke-virtual {v0, p1}, ' + APPEND_S,
           '    const-string v1, "?%s=%s&%s="' % (rng.choice(['include', 'fields', 'expand', 'sort']), rng.choice(NOUNS),
                                                   rng.choice(['page', 'limit', 'offset', 'locale'])),
           '    invoke-virtual {v0, v1}, ' + APPEND_S]
    if extra:
        out += ['    const-string v1, "%s"' % smali_str(extra), '    invoke-virtual {v0, v1}, ' + APPEND_S]
    out += ['    invoke-virtual {v0}, ' + TO_STRING, '    move-result-object v0', '    return-object v0', '.end method']
    return out


def method_loop(rng, c, name):
    return ['.method public %s(I)I' % name, '    .locals 2', '    const/4 v0, 0x0', '    const/4 v1, 0x0',
            '    :loop_0', '    if-ge v1, p1, :cond_0', '    mul-int/lit8 v0, v0, 0x%x' % rng.randrange(3, 100),
            '    add-int/2addr v0, v1', '    add-int/lit8 v1, v1, 0x1', '    goto :loop_0', '    :cond_0',
            '    xor-int/lit16 v0, v0, 0x%x' % rng.randrange(1, 0x7fff), '    return v0', '.end method']


def method_call(rng, c, name, other):
    return ['.method public %s(Ljava/lang/String;)Ljava/lang/String;' % name, '    .locals 2',
            '    invoke-static {p1}, %s->describe(Ljava/lang/String;)Ljava/lang/String;' % other.desc,
            '    move-result-object v0', '    invoke-static {v0}, Landroid/text/TextUtils;->isEmpty(Ljava/lang/CharSequence;)Z',
            '    move-result v1', '    if-eqz v1, :cond_0',
            '    const-string v0, "%s"' % smali_str(fill_template(rng, rng.choice(MESSAGES))),
            '    :cond_0', '    return-object v0', '.end method']


def method_switch(rng, c, name):
    n = rng.randrange(3, 9)
    prefix = rng.choice(NOUNS)
    out = ['.method public static %s(I)Ljava/lang/String;' % name, '    .locals 1',
           '    packed-switch p0, :pswitch_data_0', '    const-string v0, "unknown"', '    return-object v0']
    for i in range(n):
        out += ['    :pswitch_%d' % i, '    const-string v0, "%s_%s_%s"' % (prefix, rng.choice(VERBS), rng.choice(ADJS)),
                '    return-object v0']
    out += ['    :pswitch_data_0', '    .packed-switch 0x0'] + ['        :pswitch_%d' % i for i in range(n)]
    out += ['    .end packed-switch', '.end method']
    return out


def class_smali(rng, c, others, extra_methods=()):
    lines = ['.class public %s' % c.desc, '.super Ljava/lang/Object;',
             '.source "%s.java"' % c.simple.split('$')[0], '', '# static fields',
             '.field public static final TAG:Ljava/lang/String; = "%s"' % c.simple.split('$')[0]]
    for _ in range(rng.randrange(1, 4)):
        kind = rng.random()
        if kind < 0.35:
            name, val = 'ENDPOINT_' + rng.choice(NOUNS).upper(), url_of(rng)
        elif kind < 0.65:
            n = rng.choice(NOUNS)
            name, val = 'PREF_KEY_' + n.upper(), 'pref_%s_%s' % (n, rng.choice(ADJS))
        elif kind < 0.85:
            name, val = 'EVENT_' + rng.choice(VERBS).upper(), '%s_%s' % (rng.choice(NOUNS), rng.choice(VERBS))
        else:
            name, val = 'CLASS_NAME', c.desc[1:-1].replace('/', '.')
        lines.append('.field public static final %s:Ljava/lang/String; = "%s"' % (name, smali_str(val)))
    lines += ['.field private static sDefaults:Ljava/util/HashMap;', '.field private static sCount:I', '',
              '# instance fields']
    fields = []
    for _ in range(rng.randrange(2, 6)):
        t = rng.choice(['I', 'Z', STR, STR, 'Ljava/util/List;', rng.choice(others).desc])
        fname = rng.choice(NOUNS) + cap(rng.choice(['id', 'name', 'count', 'enabled', 'items', 'state', 'ref']))
        if any(f[0] == fname for f in fields):
            continue
        fields.append((fname, t))
        lines.append('.field private %s:%s' % (fname, t))
    lines += ['', '# direct methods', '.method static constructor <clinit>()V', '    .locals 3',
              '    new-instance v0, Ljava/util/HashMap;', '    invoke-direct {v0}, Ljava/util/HashMap;-><init>()V']
    for _ in range(rng.randrange(2, 6)):
        lines += ['    const-string v1, "%s.%s"' % (rng.choice(NOUNS), rng.choice(['enabled', 'limit', 'mode', 'ttl', 'path'])),
                  '    const-string v2, "%s"' % rng.choice(ADJS + NOUNS),
                  '    invoke-virtual {v0, v1, v2}, Ljava/util/HashMap;->put(Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;']
    lines += ['    sput-object v0, %s->sDefaults:Ljava/util/HashMap;' % c.desc,
              '    const/16 v0, 0x%x' % rng.randrange(1, 0x7fff), '    sput v0, %s->sCount:I' % c.desc,
              '    return-void', '.end method', '',
              '.method public constructor <init>()V', '    .locals 1',
              '    invoke-direct {p0}, Ljava/lang/Object;-><init>()V']
    for fname, t in fields:
        if t == STR:
            lines += ['    const-string v0, "%s"' % rng.choice(NOUNS), '    iput-object v0, p0, %s->%s:%s' % (c.desc, fname, t)]
        elif t == 'I':
            lines += ['    const/4 v0, 0x%x' % rng.randrange(0, 8), '    iput v0, p0, %s->%s:I' % (c.desc, fname)]
    lines += ['    return-void', '.end method', '',
              '.method public static describe(Ljava/lang/String;)Ljava/lang/String;', '    .locals 2',
              '    new-instance v0, ' + SB, '    invoke-direct {v0}, %s-><init>()V' % SB,
              '    const-string v1, "%s("' % c.simple.split('$')[0], '    invoke-virtual {v0, v1}, ' + APPEND_S,
              '    invoke-virtual {v0, p0}, ' + APPEND_S, '    const-string v1, ")"', '    invoke-virtual {v0, v1}, ' + APPEND_S,
              '    invoke-virtual {v0}, ' + TO_STRING, '    move-result-object v0', '    return-object v0', '.end method', '',
              '# virtual methods']
    for fname, t in fields:
        get_op = {'I': 'iget', 'Z': 'iget-boolean'}.get(t, 'iget-object')
        ret = {'I': 'return', 'Z': 'return'}.get(t, 'return-object')
        lines += ['.method public get%s()%s' % (cap(fname), t), '    .locals 1',
                  '    %s v0, p0, %s->%s:%s' % (get_op, c.desc, fname, t), '    %s v0' % ret, '.end method',
                  '.method public set%s(%s)V' % (cap(fname), t), '    .locals 0',
                  '    %s p1, p0, %s->%s:%s' % (get_op.replace('iget', 'iput'), c.desc, fname, t), '    return-void',
                  '.end method']
    names = set()
    for _ in range(rng.randrange(5, 12)):
        name = rng.choice(VERBS) + cap(rng.choice(ADJS + NOUNS)) + cap(rng.choice(NOUNS))
        if name in names:
            continue
        names.add(name)
        kind = rng.randrange(6)
        body = [method_log, method_json, method_url, method_loop, None, method_switch][kind]
        if body is None:
            lines += method_call(rng, c, name, rng.choice(others))
        else:
            lines += body(rng, c, name)
    for m in extra_methods:
        lines += m
    return '\n'.join(lines) + '\n'


def write_smali(apk_dir, planted):
    taken = set()
    all_classes = []
    for dexno, count in enumerate(CLASSES_PER_DEX):
        all_classes.append(make_class_names(random.Random('large-names-%d' % dexno), dexno, count, taken))
    plant_dex = 3  # classes4.dex
    plant_desc = 'Lcom/geovendor/maps/sdk/places/net/PlacesHttpClient;'
    for dexno, classes in enumerate(all_classes):
        rng = random.Random('large-smali-%d' % dexno)
        sub = 'smali' if dexno == 0 else 'smali_classes%d' % (dexno + 1)
        if dexno == plant_dex:
            classes.append(SmaliClass(plant_desc, 'PlacesHttpClient', dexno))
        for c in classes:
            extra = []
            if c.desc == plant_desc:
                extra.append(method_url(rng, c, 'buildAutocompleteUrl', extra='&key=' + SECRETS['GOOGLE_API_KEY']))
            path = os.path.join(apk_dir, sub, c.desc[1:-1] + '.smali')
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'w', encoding='utf-8', newline='\n') as f:
                f.write(class_smali(rng, c, classes, extra))
    planted.append({'ruleId': 'google-api-key', 'entry': 'classes%d.dex' % (plant_dex + 1), 'context': plant_desc,
                    'where': 'const-string "&key=<key>" in PlacesHttpClient.buildAutocompleteUrl()',
                    'secret': SECRETS['GOOGLE_API_KEY']})
    # A launcher activity in classes.dex, as the manifest names it.
    path = os.path.join(apk_dir, 'smali', PKG_PATH, 'MainActivity.smali')
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        f.write('\n'.join([
            '.class public L%s/MainActivity;' % PKG_PATH, '.super Landroid/app/Activity;', '.source "MainActivity.java"',
            '', '.method public constructor <init>()V', '    .locals 0',
            '    invoke-direct {p0}, Landroid/app/Activity;-><init>()V', '    return-void', '.end method', '',
            '.method protected onCreate(Landroid/os/Bundle;)V', '    .locals 2',
            '    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V',
            '    const-string v0, "ReactNativeJS"', '    const-string v1, "Running \\"LeakdexBench\\" with index.android.bundle"',
            '    invoke-static {v0, v1}, Landroid/util/Log;->i(Ljava/lang/String;Ljava/lang/String;)I',
            '    return-void', '.end method', '']))


# -------------------------------------------------------------------------------------------------------------- JS
class Js:
    """Minified Metro-like modules: one __d(...) per line."""
    RESERVED = {'do', 'if', 'in'}

    def __init__(self, rng):
        self.rng = rng
        letters = 'abcdefghijklmnopqrstuvwxyz'
        self.ids = [a for a in letters] + [a + b for a in letters for b in letters + '0123456789_$'
                                           if a + b not in self.RESERVED]

    def ident(self):
        r = self.rng
        return r.choice(self.ids[:26]) if r.random() < 0.5 else r.choice(self.ids)

    def key(self):
        r = self.rng
        return r.choice(NOUNS) + (cap(r.choice(NOUNS + ['id', 'url', 'count', 'label', 'enabled'])) if r.random() < 0.6 else '')

    def num(self):
        r = self.rng
        return r.choice([str(r.randrange(0, 10)), str(r.randrange(10, 1000)), '1e3', '.5', '.25', '255', '-1', '!0', '!1',
                         str(r.randrange(1000, 100000)), '%d.%d' % (r.randrange(0, 100), r.randrange(1, 100))])

    def string(self):
        r = self.rng
        k = r.random()
        if k < 0.35:
            return json.dumps(fill_template(r, r.choice(MESSAGES)))
        if k < 0.5:
            return json.dumps(url_of(r) + r.choice(NOUNS))
        if k < 0.65:
            return json.dumps('#%06x' % r.randrange(1 << 24))
        if k < 0.8:
            return json.dumps('%s/%s' % (r.choice(NOUNS), r.choice(VERBS)))
        return json.dumps(r.choice(NOUNS + ADJS + VERBS))

    def value(self, depth=0):
        r = self.rng
        k = r.random()
        if k < 0.45:
            return self.string()
        if k < 0.75:
            return self.num()
        if k < 0.85 and depth < 2:
            return self.obj(depth + 1)
        if k < 0.92 and depth < 2:
            return '[' + ','.join(self.value(depth + 1) for _ in range(r.randrange(1, 6))) + ']'
        return '%s.%s' % (self.ident(), self.key())

    def obj(self, depth=0):
        r = self.rng
        keys = []
        for _ in range(r.randrange(2, 8)):
            k = self.key()
            if k not in keys:
                keys.append(k)
        return '{' + ','.join('%s:%s' % (k, self.value(depth)) for k in keys) + '}'

    def fn(self):
        r = self.rng
        a, b, c, s = r.sample('abcdefghijklmnopqrstvwxyz', 4)
        return ('function %s(%s,%s){var %s=%s.length,%s=0;for(var %s=0;%s<%s;%s++)%s+=%s[%s]*%s+%d;return %s>%s?%s:%s}'
                % (self.ident(), a, b, c, a, s, 'u', 'u', c, 'u', s, a, 'u', b, r.randrange(1, 99), s, self.num(),
                   self.string(), s))

    def styles(self):
        r = self.rng
        props = ['flex:1', 'flexDirection:"row"', 'alignItems:"center"', 'justifyContent:"space-between"',
                 'paddingHorizontal:%d' % r.choice([4, 8, 12, 16, 24]), 'marginTop:%d' % r.choice([2, 4, 8, 12]),
                 'fontSize:%d' % r.choice([11, 12, 14, 16, 18, 22]), 'fontWeight:"%d00"' % r.randrange(3, 9),
                 'borderRadius:%d' % r.choice([2, 4, 8, 999]), 'opacity:.%d' % r.randrange(1, 10)]
        entries = []
        for _ in range(r.randrange(2, 7)):
            p = r.sample(props, r.randrange(2, 6)) + ['color:%s' % json.dumps('#%06x' % r.randrange(1 << 24))]
            entries.append('%s:{%s}' % (r.choice(NOUNS) + cap(r.choice(['container', 'title', 'row', 'icon', 'label'])),
                                        ','.join(p)))
        return 'var %s=%s.StyleSheet.create({%s});' % (self.ident(), self.ident(), ','.join(entries))

    def i18n(self):
        r = self.rng
        return 'var %s={%s};' % (self.ident(), ','.join(
            '%s_%s:%s' % (r.choice(NOUNS), r.choice(VERBS + ADJS), json.dumps(fill_template(r, r.choice(MESSAGES))))
            for _ in range(r.randrange(4, 16))))

    def api(self):
        r = self.rng
        e = self.ident()
        return ('function %s(%s){return fetch(%s+%s+"?include=%s",{method:"%s",headers:{Accept:"application/json",'
                '"X-Client-Version":"%d.%d.%d"}}).then(function(%s){if(!%s.ok)throw new Error(%s+%s.status);'
                'return %s.json()})}' % (self.ident(), e, json.dumps(url_of(r)), e, r.choice(NOUNS),
                                         r.choice(['GET', 'POST', 'PUT', 'DELETE']), r.randrange(1, 9), r.randrange(0, 30),
                                         r.randrange(0, 10), 't', 't', json.dumps(fill_template(r, r.choice(LOG_TEMPLATES))),
                                         't', 't'))

    def component(self):
        r = self.rng
        kids = ','.join('(0,%s.jsx)(%s.%s,{style:%s.%s,children:%s})' % (
            self.ident(), self.ident(), r.choice(['Text', 'View', 'Image', 'Pressable']), self.ident(), self.key(),
            self.string()) for _ in range(r.randrange(1, 5)))
        return ('function %s(%s){var %s=%s.%s,%s=(0,%s.useState)(!1),%s=(0,%s.default)(%s,2),c=%s[0],s=%s[1];'
                '(0,%s.useEffect)(function(){%s&&s(!0)},[%s]);return(0,%s.jsxs)(%s.View,{style:%s.container,'
                'accessibilityLabel:%s,children:[%s]})}' % (
                    cap(r.choice(NOUNS)) + cap(r.choice(SUFFIXES)), 'e', 't', 'e', self.key(), 'n', self.ident(), 'o',
                    self.ident(), 'n', 'o', 'o', self.ident(), 't', 't', self.ident(), self.ident(), self.ident(),
                    self.string(), kids))

    def klass(self):
        r = self.rng
        methods = ','.join('{key:"%s",value:function(){var e=this;return this.setState({%s:%s}),%s.%s(%s).then(function(t){'
                           'return e.props.on%s(t)})}}' % (r.choice(VERBS) + cap(r.choice(NOUNS)), self.key(), self.value(),
                                                           self.ident(), r.choice(VERBS), self.string(), cap(r.choice(VERBS)))
                           for _ in range(r.randrange(2, 6)))
        return ('var %s=(function(e){(0,%s.default)(n,e);function n(){var e;(0,%s.default)(this,n);for(var r=arguments.'
                'length,i=new Array(r),a=0;a<r;a++)i[a]=arguments[a];return e=t.call.apply(t,[this].concat(i)),e.state=%s,e}'
                'var t=%s(n);return(0,%s.default)(n,[%s]),n})(%s.Component);' % (
                    self.ident(), self.ident(), self.ident(), self.obj(1), self.ident(), self.ident(), methods, self.ident()))

    def reducer(self):
        r = self.rng
        cases = ''.join('case"%s/%s":return Object.assign({},e,{%s:%s});' % (r.choice(NOUNS), r.choice(VERBS) + cap(r.choice(NOUNS)),
                                                                            self.key(), self.value())
                        for _ in range(r.randrange(2, 8)))
        return 'function %s(e,t){switch(void 0===e&&(e=%s),t.type){%sdefault:return e}}' % (self.ident(), self.obj(1), cases)

    def numbers(self):
        return 'var %s=[%s];' % (self.ident(), ','.join(self.num() for _ in range(self.rng.randrange(8, 40))))

    def module(self, mid, n_modules):
        r = self.rng
        deps = sorted(r.sample(range(n_modules), r.randrange(0, 8))) if n_modules > 8 else []
        parts = ['Object.defineProperty(e,"__esModule",{value:!0}),e.default=void 0;']
        if deps:
            decl = ['%s=%s' % (self.ident(), r.choice(['r(d[%d])', 't(r(d[%d]))', 'n(r(d[%d]))']) % i)
                    for i in range(len(deps))]
            parts.append('var ' + ','.join(decl) + ';')
        target = r.choice([600, 1200, 2500, 4000, 8000])
        size = 0
        makers = [self.fn, self.styles, self.i18n, self.api, self.component, self.klass, self.reducer, self.numbers,
                  lambda: 'var %s=%s;' % (self.ident(), self.obj())]
        while size < target:
            p = r.choice(makers)()
            if not p.endswith(';') and not p.endswith('}'):
                p += ';'
            parts.append(p)
            size += len(p)
        parts.append('e.default=%s' % self.ident())
        if r.random() < 0.5:
            path = 'node_modules/%s-%s/lib/%s.js' % (r.choice(['react-native', 'bench', 'metro']), r.choice(NOUNS),
                                                     r.choice(NOUNS) + cap(r.choice(SUFFIXES)))
        else:
            path = 'src/%s/%s.js' % (r.choice(['screens', 'components', 'store', 'api', 'hooks', 'utils']),
                                     cap(r.choice(NOUNS)) + cap(r.choice(SUFFIXES)))
        return '__d(function(g,r,i,a,m,e,d){%s},%d,[%s],%s);' % (''.join(parts), mid, ','.join(map(str, deps)),
                                                                 json.dumps(path))


def js_bundle(planted):
    rng = random.Random('large-js')
    js = Js(rng)
    head = ('var __BUNDLE_START_TIME__=this.nativePerformanceNow?nativePerformanceNow():Date.now(),__DEV__=false,'
            'process=this.process||{},__METRO_GLOBAL_PREFIX__="";process.env=process.env||{};'
            'process.env.NODE_ENV=process.env.NODE_ENV||"production";\n'
            '!(function(r){"use strict";r.__r=o,r.__d=function(r,i,n){if(null!=e[i])return;var o={dependencyMap:n,'
            'factory:r,hasError:!1,importedAll:t,importedDefault:t,isInitialized:!1,publicModule:{exports:{}}};e[i]=o};'
            'var e=Object.create(null),t={};function o(r){var t=e[r];return t&&t.isInitialized?t.publicModule.exports:'
            'n(r,t)}function n(r,e){e.isInitialized=!0;var t=e.publicModule;e.factory(r,o,o,o,t,t.exports,'
            'e.dependencyMap);return t.exports}})("undefined"!=typeof globalThis?globalThis:"undefined"!=typeof global?'
            'global:"undefined"!=typeof window?window:this);\n')
    out = [head]
    size = len(head)
    mid = 0
    est_modules = 4000
    plant_at = int(JS_BYTES * 0.62)
    plant_line = None
    aws_path = 'src/config/awsUploadConfig.js'
    while size < JS_BYTES - 200:
        if plant_line is None and size >= plant_at:
            line = ('__d(function(g,r,i,a,m,e,d){Object.defineProperty(e,"__esModule",{value:!0}),e.default=void 0;'
                    'var t={region:"eu-west-3",bucket:"leakdex-bench-uploads",identityPoolEnabled:!1,awsAccessKeyId:"%s",'
                    'awsSecretAccessKey:"%s",maxRetries:3,partSize:5242880};e.default=t},%d,[],%s);\n'
                    % (SECRETS['AWS_ACCESS_KEY_ID'], SECRETS['AWS_SECRET_ACCESS_KEY'], mid, json.dumps(aws_path)))
            plant_line = sum(part.count('\n') for part in out) + 1
        else:
            line = js.module(mid, est_modules) + '\n'
        out.append(line)
        size += len(line)
        mid += 1
    tail = '__r(%d);\n__r(0);' % (mid // 2)
    out.append(tail)
    text = ''.join(out)
    for rule, name in (('aws-access-key-id', 'awsAccessKeyId'), ('aws-secret-access-key', 'awsSecretAccessKey')):
        planted.append({'ruleId': rule, 'entry': 'assets/index.android.bundle', 'context': name,
                        'where': 'object key %s in module %s (line %d)' % (name, aws_path, plant_line),
                        'secret': SECRETS['AWS_ACCESS_KEY_ID' if rule == 'aws-access-key-id' else 'AWS_SECRET_ACCESS_KEY']})
    return text.encode('ascii')


# ------------------------------------------------------------------------------------------------------------- PNG
def png_chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)


def noise(label, n):
    return hashlib.shake_256(('leakdex-large:%s' % label).encode()).digest(n)


# Byte tables that keep noise noisy but narrow its range (a grain over a flat colour): such IDATs deflate a little.
NARROW = [bytes((base + (b & mask)) & 0xff for b in range(256)) for base, mask in ((40, 0x3f), (128, 0x7f), (200, 0x1f))]


def png(label, w, h, color_type, texts=(), narrow=None):
    channels = {0: 1, 2: 3, 6: 4}[color_type]
    stride = w * channels
    pix = noise(label, h * stride)
    if narrow is not None:
        pix = pix.translate(NARROW[narrow])
    filters = noise(label + ':filters', h)
    raw = b''.join(bytes((filters[y] % 5,)) + pix[y * stride:(y + 1) * stride] for y in range(h))
    idat = zlib.compress(raw, 6 if narrow is not None else 1)
    out = [b'\x89PNG\r\n\x1a\n', png_chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, color_type, 0, 0, 0))]
    for kind, key, text in texts:
        if kind == b'tEXt':
            out.append(png_chunk(kind, key.encode('latin-1') + b'\0' + text.encode('latin-1')))
        elif kind == b'zTXt':
            out.append(png_chunk(kind, key.encode('latin-1') + b'\0\0' + zlib.compress(text.encode('latin-1'), 9)))
        else:  # iTXt, uncompressed, no language tag
            out.append(png_chunk(kind, key.encode('latin-1') + b'\0\0\0\0\0' + text.encode('utf-8')))
    for i in range(0, len(idat), 65536):
        out.append(png_chunk(b'IDAT', idat[i:i + 65536]))
    out.append(png_chunk(b'IEND', b''))
    return b''.join(out)


XMP = ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/" '
       'x:xmptk="XMP Core 6.0.0"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
       'rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="Adobe Photoshop 24.1 (Macintosh)" '
       'xmp:CreateDate="2023-03-14T10:12:31+01:00"/></rdf:RDF></x:xmpmeta><?xpacket end="r"?>')
EXIF_PROFILE = '\nexif\n      64\n' + ''.join('%08x' % (i * 2654435761 & 0xffffffff) for i in range(16)) + '\n'


def write_pngs(apk_dir, planted):
    rng = random.Random('large-png')
    specs = []
    for i in range(160):  # launcher/toolbar-size icons
        s = rng.choice([24, 32, 36, 48, 64, 72, 96, 128, 144, 192])
        specs.append(('assets/images/icons/ic_%s_%s_%d.png' % (rng.choice(VERBS), rng.choice(NOUNS), i), s, s,
                      rng.choice([6, 6, 2, 0]), rng.random() < 0.5))
    for i in range(48):  # illustrations and thumbnails
        w, h = rng.choice([(256, 256), (320, 240), (360, 360), (400, 300), (480, 320), (512, 512)])
        specs.append(('assets/images/content/%s_%s_%d.png' % (rng.choice(ADJS), rng.choice(NOUNS), i), w, h,
                      rng.choice([2, 6]), rng.random() < 0.3))
    for i in range(4):  # onboarding screens and backgrounds
        w, h = rng.choice([(720, 1280), (1080, 720), (1024, 1024), (800, 1200)])
        specs.append(('assets/images/onboarding/onboarding_%s_%d.png' % (rng.choice(NOUNS), i), w, h, 2, False))
    plant_index = 160 + 12
    total = 0
    for idx, (path, w, h, ct, narrow) in enumerate(specs):
        texts = []
        if idx % 37 == 5:
            texts.append((b'tEXt', 'Software', 'Adobe ImageReady'))
        if idx % 53 == 11:
            texts.append((b'iTXt', 'XML:com.adobe.xmp', XMP))
        if idx % 61 == 17:
            texts.append((b'zTXt', 'Raw profile type exif', EXIF_PROFILE))
        if idx == plant_index:
            texts.append((b'tEXt', 'Comment', 'exported by asset-sync (uploader token %s)' % SECRETS['GITHUB_TOKEN']))
            planted.append({'ruleId': 'github-token', 'entry': path, 'context': 'Comment',
                            'where': 'PNG tEXt chunk, keyword "Comment"', 'secret': SECRETS['GITHUB_TOKEN']})
        data = png(path, w, h, ct, texts, narrow=(idx % 3) if narrow else None)
        full = os.path.join(apk_dir, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, 'wb') as f:
            f.write(data)
        total += len(data)
    return len(specs), total


def write_ppms(ppm_dir):
    """Noise pictures (binary PPM) for build.sh to encode as JPEG: name, width, height."""
    os.makedirs(ppm_dir, exist_ok=True)
    for name, w, h in (('splash_background', 1080, 1920), ('hero_banner', 1280, 720), ('promo_card', 1024, 1024),
                       ('avatar_placeholder', 512, 512)):
        with open(os.path.join(ppm_dir, name + '.ppm'), 'wb') as f:
            f.write(b'P6\n%d %d\n255\n' % (w, h) + noise('jpeg:' + name, w * h * 3))


# -------------------------------------------------------------------------------------------------------- blobs etc
def write_bins(apk_dir, planted):
    total = 0
    for i, size in enumerate(BIN_SIZES):
        path = 'assets/data/tile_cache_%02d.bin' % i
        data = noise(path, size)
        if path == PLANT_BIN:
            text = ('\0stripe.secret_key=%s\0' % SECRETS['STRIPE_SECRET_KEY']).encode('ascii')
            at = size // 2 + 12345
            data = data[:at] + text + data[at + len(text):]
            planted.append({'ruleId': 'stripe-secret-key', 'entry': path, 'context': 'stripe.secret_key',
                            'where': 'NUL-delimited ASCII at offset %d of %d random bytes' % (at + 1, size),
                            'offset': at + 1 + len('stripe.secret_key='), 'secret': SECRETS['STRIPE_SECRET_KEY']})
        full = os.path.join(apk_dir, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, 'wb') as f:
            f.write(data)
        total += len(data)
    return total


def write_android_files(apk_dir, planted):
    os.makedirs(os.path.join(apk_dir, 'res', 'values'), exist_ok=True)
    os.makedirs(os.path.join(apk_dir, 'res', 'values-fr'), exist_ok=True)
    with open(os.path.join(apk_dir, 'AndroidManifest.xml'), 'w', encoding='utf-8') as f:
        f.write('''<?xml version="1.0" encoding="utf-8"?>
<!-- leakdex benchmark APK (samples/large/build.sh): large and realistic, with a handful of fake secrets. -->
<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="%s">
    <uses-permission android:name="android.permission.INTERNET"/>
    <uses-permission android:name="android.permission.ACCESS_NETWORK_STATE"/>
    <uses-permission android:name="android.permission.ACCESS_FINE_LOCATION"/>
    <uses-permission android:name="android.permission.CAMERA"/>
    <application android:label="@string/app_name" android:allowBackup="false" android:supportsRtl="true"
        android:largeHeap="true">
        <activity android:name="%s.MainActivity" android:exported="true" android:launchMode="singleTask"
            android:configChanges="keyboard|keyboardHidden|orientation|screenSize|uiMode">
            <intent-filter>
                <action android:name="android.intent.action.MAIN"/>
                <category android:name="android.intent.category.LAUNCHER"/>
            </intent-filter>
        </activity>
        <meta-data android:name="com.google.android.gms.version" android:value="12451000"/>
        <meta-data android:name="com.leakdex.bench.BUNDLE" android:value="index.android.bundle"/>
    </application>
</manifest>
''' % (PACKAGE, PACKAGE))
    rng = random.Random('large-res')
    names = []
    for _ in range(60):
        n = '%s_%s_%s' % (rng.choice(NOUNS), rng.choice(VERBS), rng.choice(['title', 'message', 'hint', 'action', 'label']))
        if n not in names:
            names.append(n)
    values = [(n, fill_template(rng, rng.choice(MESSAGES))) for n in names]

    def xml_text(s):
        return s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;').replace("'", "\\'").replace('"', '\\"')
    with open(os.path.join(apk_dir, 'res', 'values', 'strings.xml'), 'w', encoding='utf-8') as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n<resources>\n    <string name="app_name">Leakdex Bench</string>\n')
        for n, v in values:
            f.write('    <string name="%s">%s</string>\n' % (n, xml_text(v)))
        f.write('    <string name="slack_bot_token" translatable="false">%s</string>\n' % SECRETS['SLACK_BOT_TOKEN'])
        f.write('</resources>\n')
    with open(os.path.join(apk_dir, 'res', 'values-fr', 'strings.xml'), 'w', encoding='utf-8') as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n<resources>\n    <string name="app_name">Leakdex Banc d\\\'essai</string>\n')
        for n, v in values[:20]:
            f.write('    <string name="%s">%s (fr)</string>\n' % (n, xml_text(v)))
        f.write('</resources>\n')
    planted.append({'ruleId': 'slack-token', 'entry': 'resources.arsc', 'context': 'slack_bot_token',
                    'where': 'res/values/strings.xml <string name="slack_bot_token">', 'secret': SECRETS['SLACK_BOT_TOKEN']})
    with open(os.path.join(apk_dir, 'apktool.yml'), 'w', encoding='utf-8') as f:
        f.write('''!!brut.androlib.meta.MetaInfo
apkFileName: leakdex-large.apk
compressionType: false
doNotCompress:
- resources.arsc
- png
- jpg
- ogg
isFrameworkApk: false
packageInfo:
  forcedPackageId: '127'
  renameManifestPackage: null
sdkInfo:
  minSdkVersion: '21'
  targetSdkVersion: '33'
sharedLibrary: false
sparseResources: false
unknownFiles: {}
usesFramework:
  ids:
  - 1
  tag: null
version: 2.7.0
versionInfo:
  versionCode: '20'
  versionName: 4.12.0
''')


def project(work):
    apk_dir = os.path.join(work, 'apk')
    os.makedirs(apk_dir)
    planted = []
    write_android_files(apk_dir, planted)
    write_smali(apk_dir, planted)
    js = js_bundle(planted)
    os.makedirs(os.path.join(apk_dir, 'assets'), exist_ok=True)
    with open(os.path.join(apk_dir, 'assets', 'index.android.bundle'), 'wb') as f:
        f.write(js)
    n_png, png_bytes = write_pngs(apk_dir, planted)
    bin_bytes = write_bins(apk_dir, planted)
    write_ppms(os.path.join(work, 'ppm'))
    with open(os.path.join(work, 'planted.json'), 'w', encoding='utf-8') as f:
        json.dump(planted, f, indent=2)
        f.write('\n')
    sys.stderr.write('large_apk: project written: JS %d bytes, %d PNGs %d bytes, .bin %d bytes\n'
                     % (len(js), n_png, png_bytes, bin_bytes))


# ------------------------------------------------------------------------------------------------------------ check
def png_texts(data):
    pos, out = 8, []
    while pos + 8 <= len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        if kind in (b'tEXt', b'iTXt', b'zTXt'):
            key, _, rest = data[pos + 8:pos + 8 + n].partition(b'\0')
            out.append((kind.decode(), key.decode('latin-1'), rest))
        pos += 12 + n
    return out


def kind_of(name):
    if re.fullmatch(r'classes\d*\.dex', name):
        return 'dex'
    if name.startswith('META-INF/'):
        return 'signature'
    if name in ('AndroidManifest.xml', 'resources.arsc'):
        return name
    ext = name.rsplit('.', 1)[-1].lower()
    return {'bundle': 'js', 'png': 'png', 'jpg': 'jpeg', 'ogg': 'ogg', 'bin': 'bin'}.get(ext, 'other')


def check(apk, planted_path, out_path):
    with open(planted_path, encoding='utf-8') as f:
        planted = json.load(f)
    z = zipfile.ZipFile(apk)
    missing = []
    for p in planted:
        data = z.read(p['entry'])
        secret = p['secret'].encode('ascii')
        if p['entry'].endswith('.png'):
            ok = any(k == 'tEXt' and key == p['context'] and secret in rest for k, key, rest in png_texts(data))
        elif p['entry'] == 'resources.arsc':
            ok = secret in data or p['secret'].encode('utf-16-le') in data
        elif 'offset' in p:
            ok = data[p['offset']:p['offset'] + len(secret)] == secret
        else:
            ok = secret in data
        if not ok:
            missing.append(p)
    if missing:
        for p in missing:
            sys.stderr.write('large_apk: planted %s not found in %s\n' % (p['ruleId'], p['entry']))
        return 1
    infos = z.infolist()
    by_kind = {}
    for i in infos:
        k = by_kind.setdefault(kind_of(i.filename), [0, 0, 0, set()])
        k[0] += 1
        k[1] += i.compress_size
        k[2] += i.file_size
        k[3].add('stored' if i.compress_type == zipfile.ZIP_STORED else 'deflated')
    size = os.path.getsize(apk)
    inflated = sum(i.file_size for i in infos)
    doc = {'file': os.path.basename(apk), 'bytes': size, 'inflatedBytes': inflated, 'entries': len(infos),
           'dex': {i.filename: i.file_size for i in infos if kind_of(i.filename) == 'dex'},
           'byKind': {k: {'entries': v[0], 'bytesInZip': v[1], 'inflatedBytes': v[2], 'method': '/'.join(sorted(v[3]))}
                      for k, v in sorted(by_kind.items())},
           'planted': planted,
           'note': 'fake, format-valid secrets from samples/tools/large_apk.py (fake_secrets.gen); they protect nothing'}
    with open(out_path, 'w', encoding='utf-8') as f:
        json.dump(doc, f, indent=2)
        f.write('\n')
    mb = 1e6
    print('%s: %.1f MB on disk, %.1f MB inflated, %d entries' % (apk, size / mb, inflated / mb, len(infos)))
    print('  %-20s %7s %12s %12s  %s' % ('kind', 'entries', 'in zip', 'inflated', 'method'))
    for k, v in sorted(by_kind.items(), key=lambda kv: -kv[1][2]):
        print('  %-20s %7d %12d %12d  %s' % (k, v[0], v[1], v[2], '/'.join(sorted(v[3]))))
    print('  dex: ' + ', '.join('%s %d' % (n, s) for n, s in doc['dex'].items()))
    print('planted (%d, values in %s):' % (len(planted), out_path))
    for p in planted:
        print('  %-22s %-45s %s' % (p['ruleId'], p['entry'], p['context']))
    return 0


def main(argv):
    if len(argv) == 3 and argv[1] == 'project':
        project(argv[2])
        return 0
    if len(argv) == 5 and argv[1] == 'check':
        return check(argv[2], argv[3], argv[4])
    sys.stderr.write(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
