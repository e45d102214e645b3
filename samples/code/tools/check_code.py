#!/usr/bin/python3
"""Check the code-context expectations against the independent disassembly, without leakdex.

    check_code.py [NAME ...]          check samples/code/NAME.expected.json against golden/NAME.classes.dexdump-d.txt
    check_code.py --uses NAME         print every use of every planted value found by the walk (to write pointers)

For each planted item with a `pointer`, the method it names must exist in `dexdump -d`, the instruction at its pc must
be a use (docs/code-context.md) of a register loaded by `const-string` with exactly the planted secret, and the use
text, `context` and `code` computed here from the disassembly must equal the expectation. The walk is a small forward
scan over dexdump's text: it starts at the const-string, follows move-object, check-cast, the documented transforms
(getBytes, toCharArray, Base64.decode, static String -> [B / [C methods, ...) and StringBuilder preceding literals,
and stops at a write to the register, goto/return/throw/switch, or after 64 instructions.
Items without a pointer (code-shape-pairs) are checked against the .rodata and asset goldens: the partner must be the
string immediately before the secret. Every decoy text must be present where its entry says.
Python 3 standard library only; exit status 1 on any mismatch.
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(HERE, 'golden')
MAX_FLOW = 64

METHOD = re.compile(r'^[0-9a-f]{6}:\s+\|\[[0-9a-f]{6}\] (.+)\.([^.]+):(\(.*)$')
INSN = re.compile(r'^[0-9a-f]{6}: [0-9a-f ]+\|([0-9a-f]{4}): (\S+)(?: (.*))?$')
REF = re.compile(r'(L[^;]+;)\.([^:]+):(\S+)')
TRANSFORMS = {
    ('java.lang.String', 'getBytes'), ('java.lang.String', 'toCharArray'), ('java.lang.String', 'trim'),
    ('java.lang.String', 'toString'), ('android.util.Base64', 'decode'), ('java.util.Base64$Decoder', 'decode'),
    ('okio.ByteString', 'decodeHex'), ('okio.ByteString', 'decodeBase64'), ('okio.ByteString', 'encodeUtf8'),
    ('kotlin.text.StringsKt', 'encodeToByteArray'),
}
ENDS = ('goto', 'return', 'throw', 'packed-switch', 'sparse-switch')
NO_WRITE = ('invoke-', 'if-', 'sput', 'iput', 'aput', 'return', 'check-cast', 'fill-array-data', 'monitor-', 'throw',
            'goto', 'packed-switch', 'sparse-switch', 'nop', 'filled-new-array')


def dotted(desc):
    return desc[1:-1].replace('/', '.')


def params(sig):
    """Register slots per declared parameter of a method signature `(..)R`: [1, 2, 1, ...] (J/D take 2)."""
    inner = sig[1:sig.index(')')]
    out, i = [], 0
    while i < len(inner):
        j = i
        while inner[j] == '[':
            j += 1
        if inner[j] == 'L':
            j = inner.index(';', j)
        out.append(2 if inner[i] in 'JD' else 1)
        i = j + 1
    return out


def parse_dexdump(path):
    methods = {}
    cur = None
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            m = METHOD.match(line)
            if m:
                cls, name, sig = m.groups()
                cur = methods.setdefault('L%s;->%s%s' % (cls.replace('.', '/'), name, sig), [])
                cur.append(None)  # marker: a new code item (dexdump lists each once)
                continue
            m = INSN.match(line)
            if m and cur is not None:
                cur.append((int(m.group(1), 16), m.group(2), m.group(3) or ''))
    return {k: [i for i in v if i is not None] for k, v in methods.items()}


def regs_of(args):
    m = re.match(r'\{([^}]*)\}', args)
    if not m:
        return [a.strip() for a in args.split(',') if re.fullmatch(r'\s*v\d+\s*', a)]
    body = m.group(1).strip()
    if '..' in body:
        a, b = [int(x.strip()[1:]) for x in body.split('..')]
        return ['v%d' % r for r in range(a, b + 1)]
    return [r.strip() for r in body.split(',') if r.strip()]


def string_of(args):
    m = re.match(r'(v\d+), "(.*)" // string@', args)
    return (m.group(1), m.group(2)) if m else (None, None)


def walk(insns, start, method_key):
    """Uses of the string loaded at insns[start]: [(pc, use, context)]."""
    cls_desc, rest = method_key.split('->', 1)
    mname = rest.split('(')[0]
    lits, builders = {}, {}
    # Before the const-string: only the literals held by registers and the builders' preceding literals.
    for k, (pc, op, args) in enumerate(insns[:start]):
        regs = regs_of(args)
        if op.startswith('const-string'):
            r, s = string_of(args)
            lits[r] = s
            builders.pop(r, None)
        elif op.startswith('invoke-'):
            ref = REF.search(args)
            nxt = insns[k + 1] if k + 1 < len(insns) else None
            if nxt and nxt[1] == 'move-result-object':
                dest = regs_of(nxt[2])[0]
                lits.pop(dest, None)
                builders.pop(dest, None)
                if ref.group(1) == 'Ljava/lang/StringBuilder;' and ref.group(2) == 'append' and len(regs) > 1:
                    if regs[1] in lits:
                        builders[dest] = lits[regs[1]]
        elif op == 'move-result-object':
            continue
        elif not op.startswith(NO_WRITE) and regs:
            lits.pop(regs[0], None)
            builders.pop(regs[0], None)
    reg, _ = string_of(insns[start][2])
    tracked = {reg: []}
    uses = []
    steps = 0
    i = start + 1
    while i < len(insns) and tracked and steps < MAX_FLOW:
        pc, op, args = insns[i]
        steps += 1
        regs = regs_of(args)
        if op == 'return-object' and regs and regs[0] in tracked:
            uses.append((pc, 'return', mname))
        elif op in ('sput-object', 'iput-object') and regs and regs[0] in tracked:
            ref = REF.search(args)
            uses.append((pc, '%s %s.%s' % (op[:4], dotted(ref.group(1)), ref.group(2)), ref.group(2)))
        elif op.startswith('invoke-'):
            ref = REF.search(args)
            ccls, cname, csig = dotted(ref.group(1)), ref.group(2), ref.group(3)
            slots = params(csig)
            static = op.startswith('invoke-static')
            pos = 0 if static else 1
            argregs = [] if static else [(regs[0], 'receiver')]
            for n, width in enumerate(slots):
                argregs.append((regs[pos], n))
                pos += width
            for r, n in argregs:
                if r not in tracked:
                    continue
                via = ''.join(' via ' + v for v in tracked[r])
                after = None
                if n == 'receiver':
                    what = 'receiver of %s.%s' % (ccls, cname)
                else:
                    what = 'arg %d of %s.%s' % (n, ccls, cname)
                    if n > 0:
                        after = lits.get(prev_reg(argregs, n))
                    elif not static and ccls == 'java.lang.StringBuilder':
                        after = builders.get(regs[0])
                after = name_before(after) if after is not None else None
                if after is not None:
                    ctx = after
                    what_full = '%s%s after "%s"' % (what, via, after)
                else:
                    ctx = (ccls.split('.')[-1].split('$')[-1] if cname == '<init>' else cname) if len(slots) == 1 and n != 'receiver' else None
                    what_full = what + via
                uses.append((pc, what_full, ctx))
            # effects of the call on tracking
            nxt = insns[i + 1] if i + 1 < len(insns) else None
            moved = nxt if nxt and nxt[1] == 'move-result-object' else None
            src_tracked = [r for r, n in argregs if r in tracked]
            if moved:
                dest = regs_of(moved[2])[0]
                is_transform = (ccls, cname) in TRANSFORMS or (static and slots == [1] and csig.startswith('(Ljava/lang/String;)')
                                                              and csig.endswith((')[B', ')[C')))
                if src_tracked and is_transform:
                    tracked[dest] = tracked[src_tracked[0]] + ['%s.%s' % (ccls, cname)]
                else:
                    tracked.pop(dest, None)
                if ccls == 'java.lang.StringBuilder' and not static:
                    if cname == 'append' and len(regs) > 1 and (regs[1] in lits or regs[1] in tracked):
                        builders[dest] = lits.get(regs[1])
                    elif cname == 'append' and regs[0] in builders:
                        builders[dest] = builders[regs[0]]
                    else:
                        builders.pop(dest, None)
                else:
                    builders.pop(dest, None)
                lits.pop(dest, None)
                i += 2
                continue
            if ccls == 'java.lang.StringBuilder' and cname == 'append' and len(regs) > 1 and regs[1] in lits:
                builders[regs[0]] = lits[regs[1]]
        elif op.startswith('move-object'):
            d, s = regs[0], regs[1]
            if s in tracked:
                tracked[d] = list(tracked[s])
            else:
                tracked.pop(d, None)
        elif op.startswith('const-string'):
            r, s = string_of(args)
            tracked.pop(r, None)
            builders.pop(r, None)
            lits[r] = s
        elif not op.startswith(NO_WRITE) and regs:
            tracked.pop(regs[0], None)
            lits.pop(regs[0], None)
            builders.pop(regs[0], None)
        if op.startswith(ENDS):
            break
        i += 1
    return uses


TRAILING_PARAMETER = re.compile(r'(?:^|[?&;,\s/])([A-Za-z][A-Za-z0-9_.-]{0,39}[=:] ?)$')
TRAILING_SCHEME = re.compile(r'(?:^|[\s:"])((?:Bearer|Basic|Token|Digest|OAuth|Bot|Key|ApiKey)\s)$', re.I)
SHORT_NAME = re.compile(r'^[A-Za-z][A-Za-z0-9]{0,39}(?:[_.-][A-Za-z0-9]{1,39}){0,6}$')


def name_before(literal):
    """The name a literal gives to the value after it (docs/code-context.md, "Names from literals"), or None."""
    tail = literal[-256:]
    m = TRAILING_PARAMETER.search(tail) or TRAILING_SCHEME.search(tail)
    if m:
        return tail[m.start():] if tail[m.start():m.start() + 1] in ('?', '&') else m.group(1)
    if re.search(r'[0-9]', literal) and not re.search(r'[a-z]', literal):
        return None
    if len(literal) > 40 or not SHORT_NAME.match(literal):
        return None
    digits = sum(c.isdigit() for c in literal)
    switches, prev = 0, 0
    for c in literal:
        kind = 1 if 'a' <= c <= 'z' else 2 if 'A' <= c <= 'Z' else 0
        if kind and prev and kind != prev:
            switches += 1
        prev = kind
    return literal if digits <= 3 and switches <= 6 else None


def prev_reg(argregs, n):
    """The register of declared parameter n-1 (argregs holds the receiver first for instance calls)."""
    for r, k in argregs:
        if k == n - 1:
            return r
    return None


def all_uses(methods, secret):
    out = []
    for key, insns in methods.items():
        for idx, (pc, op, args) in enumerate(insns):
            if op.startswith('const-string') and string_of(args)[1] == secret:  # secret: the whole literal
                for upc, what, ctx in walk(insns, idx, key):
                    out.append(('%s+0x%04x: %s' % (key, upc, what), ctx, key))
    return out


def code_of(pointer):
    key, use = pointer.split(': ', 1)
    cls, rest = key.split('->', 1)
    return '%s in %s.%s' % (use, dotted(cls), rest.split('(')[0])


def check(name):
    errors = []
    with open(os.path.join(HERE, name + '.expected.json'), encoding='utf-8') as f:
        exp = json.load(f)
    dump = os.path.join(GOLDEN, name + '.classes.dexdump-d.txt')
    methods = parse_dexdump(dump)
    with open(dump, encoding='utf-8') as f:
        dump_text = f.read()
    items = exp['planted'] + exp.get('lostWhenRenamed', [])
    for p in items:
        tag = '%s %s (%s...)' % (name, p['ruleId'], p['secret'][:4])
        if p.get('pointer'):
            key = p['pointer'].split('+0x')[0]
            if key not in methods:
                errors.append('%s: no method %s in dexdump' % (tag, key))
                continue
            if p.get('literal') and p['secret'] not in p['literal']:
                errors.append('%s: the secret is not inside its literal' % tag)
            found = [(ptr, ctx) for ptr, ctx, _ in all_uses({key: methods[key]}, p.get('literal', p['secret']))]
            match = [ctx for ptr, ctx in found if ptr == p['pointer']]
            if not match:
                errors.append('%s: pointer %s is not a use of the secret; uses found: %s' % (tag, p['pointer'], [f[0] for f in found]))
                continue
            if match[0] != p['context']:
                errors.append('%s: context %r expected, the walk gives %r' % (tag, p['context'], match[0]))
            if p.get('code') != code_of(p['pointer']):
                errors.append('%s: code %r does not follow from the pointer (%r)' % (tag, p.get('code'), code_of(p['pointer'])))
        elif 'partner' in p:
            for entry, table in tables(name).items():
                if entry != p['entry'] and entry not in [a['entry'] for a in p.get('alsoAt', [])]:
                    continue
                try:
                    at = table.index(p['secret'])
                except ValueError:
                    errors.append('%s: not in %s' % (tag, entry))
                    continue
                if at == 0 or table[at - 1] != p['partner']['secret']:
                    errors.append('%s: partner is not immediately before it in %s' % (tag, entry))
        elif p['entry'] == 'classes.dex' and '"%s"' % p['secret'] not in dump_text:
            errors.append('%s: not a const-string in classes.dex' % tag)
    tabs = None
    for dcy in exp['decoys']:
        if dcy['entry'] == 'classes.dex':
            if '"%s" // string@' % dcy['text'] not in dump_text:
                errors.append('%s decoy %r: not a const-string in classes.dex' % (name, dcy['text'][:12]))
        else:
            tabs = tabs or tables(name)
            if dcy['text'] not in tabs.get(dcy['entry'], []):
                errors.append('%s decoy %r: not in %s' % (name, dcy['text'][:12], dcy['entry']))
    return errors


def tables(name):
    """String tables of the non-DEX entries, from the goldens: {'lib/...so': [...], 'assets/blob.bin': [...]}."""
    out = {}
    ro = os.path.join(GOLDEN, name + '.libpairs.rodata.txt')
    if os.path.exists(ro):
        with open(ro, encoding='utf-8') as f:
            out['lib/arm64-v8a/libpairs.so'] = [m.group(1) for m in re.finditer(r'^\s+\[\s*[0-9a-f]+\]  (.*)$', f.read(), re.M)]
    bl = os.path.join(GOLDEN, name + '.blob-strings.json')
    if os.path.exists(bl):
        with open(bl, encoding='utf-8') as f:
            j = json.load(f)
        out[j['entry']] = j['strings']
    return out


def main(argv):
    if len(argv) == 3 and argv[1] == '--uses':
        with open(os.path.join(HERE, argv[2] + '.expected.json'), encoding='utf-8') as f:
            exp = json.load(f)
        methods = parse_dexdump(os.path.join(GOLDEN, argv[2] + '.classes.dexdump-d.txt'))
        for p in exp['planted'] + exp.get('lostWhenRenamed', []):
            print('%s (%s...):' % (p['ruleId'], p['secret'][:4]))
            for ptr, ctx, _ in all_uses(methods, p.get('literal', p['secret'])):
                print('   %s   [context %r]' % (ptr.replace(p['secret'], p['secret'][:4] + '...'), ctx))
        return 0
    names = argv[1:] or sorted(f[:-len('.expected.json')] for f in os.listdir(HERE) if f.endswith('.expected.json'))
    errors = []
    for n in names:
        errors += check(n)
    for e in errors:
        sys.stderr.write('check_code: %s\n' % e)
    if not errors:
        sys.stderr.write('check_code: %d sample(s) ok: every pointer is the documented use of its const-string\n' % len(names))
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
