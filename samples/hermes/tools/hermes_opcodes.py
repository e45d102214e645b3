#!/usr/bin/env python3
"""Writes decoders/hermes-opcodes.ts: the Hermes bytecode opcode table of each bytecode version we have a compiler for.

    python3 hermes_opcodes.py OUT.ts CORPUS_DIR HERMESC...

For each hermesc binary (npm hermes-compiler / hermes-engine, statically linked x86-64 ELF):
  * the opcode names in opcode order come from the compiler itself: its disassembler's name table (an array of
    pointers to C strings, the first of which is "Unreachable");
  * the operand types of every opcode that the compiler emits for the JS files in CORPUS_DIR come from its own
    `-dump-bytecode -pretty=false` output (`[@ 7] PutByIdLoose 2<Reg8>, 1<Reg8>, 0<UInt8>, 20<UInt16>`), and the
    opcode byte at each printed offset is checked against the name table;
  * operand types of opcodes the corpus does not reach come from REFERENCE below, written from facebook/hermes
    include/hermes/BCGen/HBC/BytecodeList.def (the macro lists) and checked against every observed signature: a
    reference that disagrees with the compiler for an opcode it emits is an error.
The output lists, per version, each opcode's name and operand codes.
"""
import glob, os, re, struct, subprocess, sys, tempfile

# Operand codes: r Reg8, R Reg32, b UInt8, h UInt16, w UInt32, a Addr8, A Addr32, i Imm32, d Double.
CODE = {'Reg8': 'r', 'Reg32': 'R', 'UInt8': 'b', 'UInt16': 'h', 'UInt32': 'w', 'Addr8': 'a', 'Addr32': 'A', 'Imm32': 'i', 'Double': 'd'}
# Reference operand lists (BytecodeList.def). Version-specific forms are keyed `name@first-last`.
REFERENCE = {
    'Unreachable': '', 'NewObjectWithBuffer@84-96': 'rhhhh', 'NewObjectWithBufferLong@84-96': 'rhhww',
    'NewObjectWithBuffer@97-99': 'rhh', 'NewObjectWithBufferLong@97-99': 'rww', 'NewObject': 'r', 'NewObjectWithParent': 'rr',
    'NewArrayWithBuffer': 'rhhh', 'NewArrayWithBufferLong': 'rhhw', 'NewArray': 'rh', 'Mov': 'rr', 'MovLong': 'RR',
    'Negate': 'rr', 'Not': 'rr', 'BitNot': 'rr', 'TypeOf': 'rr', 'Inc': 'rr', 'Dec': 'rr', 'ToNumber': 'rr', 'ToNumeric': 'rr',
    'ToInt32': 'rr', 'ToUint32': 'rr', 'AddEmptyString': 'rr', 'CoerceThisNS': 'rr', 'ToPropertyKey': 'rr',
    **{n: 'rrr' for n in 'Eq StrictEq Neq StrictNeq Less LessEq Greater GreaterEq Add AddN AddS Mul MulN Div DivN Mod Sub SubN LShift RShift URshift BitAnd BitXor BitOr InstanceOf IsIn GetByVal SelectObject CreateThis IteratorNext GetArgumentsPropByVal GetArgumentsPropByValLoose GetArgumentsPropByValStrict PutByVal PutByValLoose PutByValStrict AddOwnPrivateBySym'.split()},
    'GetEnvironment@84-96': 'rb', 'GetEnvironment@97-99': 'rrb', 'GetParentEnvironment': 'rb', 'GetClosureEnvironment': 'rr',
    'StoreToEnvironment': 'rbr', 'StoreToEnvironmentL': 'rhr', 'StoreNPToEnvironment': 'rbr', 'StoreNPToEnvironmentL': 'rhr',
    'LoadFromEnvironment': 'rrb', 'LoadFromEnvironmentL': 'rrh', 'GetGlobalObject': 'r', 'GetNewTarget': 'r',
    'CreateEnvironment@84-96': 'r', 'CreateEnvironment@97-99': 'rrw', 'CreateInnerEnvironment': 'rrw',
    'CreateFunctionEnvironment': 'rb', 'CreateTopLevelEnvironment': 'rw', 'DeclareGlobalVar': 'w',
    'ThrowIfHasRestrictedGlobalProperty': 'w', 'GetByIdShort': 'rrbb', 'GetById': 'rrbh', 'GetByIdLong': 'rrbw',
    'GetByIdWithReceiverLong': 'rrbrw', 'TryGetById': 'rrbh', 'TryGetByIdLong': 'rrbw',
    **{n: 'rrbh' for n in 'PutById TryPutById PutByIdLoose PutByIdStrict TryPutByIdLoose TryPutByIdStrict DefineOwnById'.split()},
    **{n: 'rrbw' for n in 'PutByIdLong TryPutByIdLong PutByIdLooseLong PutByIdStrictLong TryPutByIdLooseLong TryPutByIdStrictLong DefineOwnByIdLong'.split()},
    'PutNewOwnByIdShort': 'rrb', 'PutNewOwnById': 'rrh', 'PutNewOwnByIdLong': 'rrw', 'PutNewOwnNEById': 'rrh', 'PutNewOwnNEByIdLong': 'rrw',
    'PutOwnByIndex': 'rrb', 'PutOwnByIndexL': 'rrw', 'DefineOwnByIndex': 'rrb', 'DefineOwnByIndexL': 'rrw',
    'DefineOwnInDenseArray': 'rrb', 'DefineOwnInDenseArrayL': 'rrh', 'PutOwnByVal': 'rrrb', 'DefineOwnByVal': 'rrrb',
    'PutOwnBySlotIdx': 'rrb', 'PutOwnBySlotIdxLong': 'rrw', 'GetOwnBySlotIdx': 'rrb', 'GetOwnBySlotIdxLong': 'rrw',
    'DelById': 'rrh', 'DelByIdLong': 'rrw', 'DelByIdLoose': 'rrh', 'DelByIdStrict': 'rrh', 'DelByIdLooseLong': 'rrw', 'DelByIdStrictLong': 'rrw',
    'DelByVal@84-96': 'rrr', 'DelByVal@97-99': 'rrrb', 'DelByValLoose': 'rrr', 'DelByValStrict': 'rrr',
    'GetByIndex': 'rrb', 'GetByValWithReceiver': 'rrrr', 'PutByValWithReceiver': 'rrrrb',
    'GetOwnPrivateBySym': 'rrbr', 'PutOwnPrivateBySym': 'rrbr', 'PutGetterSetter': 'rwrr',
    'PutOwnGetterSetterByVal': 'rrrrb', 'DefineOwnGetterSetterByVal': 'rrrrb', 'GetPNameList': 'rrrr', 'GetNextPName': 'rrrrr',
    'Call': 'rrb', 'Construct': 'rrb', 'Call1': 'rrr', 'Call2': 'rrrr', 'Call3': 'rrrrr', 'Call4': 'rrrrrr',
    'CallDirect': 'rbh', 'CallLong': 'rrw', 'ConstructLong': 'rrw', 'CallDirectLongIndex': 'rbw', 'CallBuiltin': 'rbb',
    'CallBuiltinLong': 'rbw', 'GetBuiltinClosure': 'rb', 'CallWithNewTarget': 'rrrb', 'CallWithNewTargetLong': 'rrrw',
    'CallRequire': 'rrw', 'Ret': 'r', 'Catch': 'r', 'DirectEval@84-89': 'rr', 'DirectEval@90-99': 'rrb', 'Throw': 'r',
    'ThrowIfEmpty': 'rr', 'ThrowIfUndefinedInst': 'r', 'ThrowIfUndefined': 'r', 'ThrowIfThisInitialized': 'r',
    'Debugger': '', 'DebuggerCheckBreak': '', 'AsyncBreakCheck': '', 'ProfilePoint': 'h',
    'CreateClosure': 'rrh', 'CreateClosureLongIndex': 'rrw', 'CreateGeneratorClosure': 'rrh', 'CreateGeneratorClosureLongIndex': 'rrw',
    'CreateAsyncClosure': 'rrh', 'CreateAsyncClosureLongIndex': 'rrw', 'CreateBaseClass': 'rrrh', 'CreateBaseClassLongIndex': 'rrrw',
    'CreateDerivedClass': 'rrrrh', 'CreateDerivedClassLongIndex': 'rrrrw', 'CreateThisForNew': 'rrb', 'CreateThisForSuper': 'rrrb',
    'LoadParam': 'rb', 'LoadParamLong': 'rw', 'LoadConstUInt8': 'rb', 'LoadConstInt': 'ri', 'LoadConstDouble': 'rd',
    'LoadConstBigInt': 'rh', 'LoadConstBigIntLongIndex': 'rw', 'LoadConstString': 'rh', 'LoadConstStringLongIndex': 'rw',
    **{n: 'r' for n in 'LoadConstEmpty LoadConstUndefined LoadConstNull LoadConstTrue LoadConstFalse LoadConstZero LoadThisNS ReifyArguments ReifyArgumentsLoose ReifyArgumentsStrict'.split()},
    'GetArgumentsLength': 'rr', 'CreateRegExp': 'rwww', 'SwitchImm': 'rwAww', 'UIntSwitchImm': 'rwAww', 'StringSwitchImm': 'rwwAw',
    'StartGenerator': '', 'ResumeGenerator': 'rr', 'CompleteGenerator': '', 'CreateGenerator': 'rrh', 'CreateGeneratorLongIndex': 'rrw',
    'IteratorBegin': 'rr', 'IteratorClose': 'rb', 'Jmp': 'a', 'JmpLong': 'A', 'JmpTrue': 'ar', 'JmpTrueLong': 'Ar',
    'JmpFalse': 'ar', 'JmpFalseLong': 'Ar', 'JmpUndefined': 'ar', 'JmpUndefinedLong': 'Ar', 'SaveGenerator': 'a', 'SaveGeneratorLong': 'A',
    'CreatePrivateName': 'rw', 'PrivateIsIn': 'rrrr', 'TypeOfIs': 'rrh', 'JmpTypeOfIs': 'Arh',
    'JmpBuiltinIs': 'abr', 'JmpBuiltinIsLong': 'Abr', 'JmpBuiltinIsNot': 'abr', 'JmpBuiltinIsNotLong': 'Abr',
    'NewFastArray': 'rh', 'FastArrayLength': 'rr', 'FastArrayLoad': 'rrr', 'FastArrayStore': 'rrr', 'FastArrayPush': 'rr', 'FastArrayAppend': 'rr',
    'LoadParentNoTraps': 'rr', 'TypedLoadParent': 'rr', 'TypedStoreParent': 'rr', 'CacheNewObject': 'rrwb',
    'NewObjectWithBufferAndParent': 'rrww', 'NewTypedObjectWithBuffer': 'rrwwb',
    **{n: 'rrr' for n in 'Add32 Sub32 Mul32 Divi32 Divu32 Loadi8 Loadu8 Loadi16 Loadu16 Loadi32 Loadu32 Store8 Store16 Store32'.split()},
}
for j in 'JLess JNotLess JLessN JNotLessN JLessEqual JNotLessEqual JLessEqualN JNotLessEqualN JGreater JNotGreater JGreaterN JNotGreaterN JGreaterEqual JNotGreaterEqual JGreaterEqualN JNotGreaterEqualN JEqual JNotEqual JStrictEqual JStrictNotEqual'.split():
    REFERENCE[j] = 'arr'
    REFERENCE[j + 'Long'] = 'Arr'


def reference(name, version):
    for key, ops in REFERENCE.items():
        base, _, span = key.partition('@')
        if base != name:
            continue
        if not span:
            return ops
        lo, hi = map(int, span.split('-'))
        if lo <= version <= hi:
            return ops
    return None


def elf_names(path):
    """The disassembler's opcode name table: consecutive pointers to identifier strings, starting at "Unreachable"."""
    b = open(path, 'rb').read()
    shoff = struct.unpack_from('<Q', b, 0x28)[0]
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', b, 0x3a)
    secs = []
    for i in range(shnum):
        name, _t, _f, addr, off, size = struct.unpack_from('<IIQQQQ', b, shoff + i * shentsize)
        secs.append((name, addr, off, size))
    st = secs[shstrndx][2]
    secs = [(b[st + n:b.index(b'\0', st + n)].decode(), a, o, s) for n, a, o, s in secs]

    def cstr(a):
        for n, addr, off, size in secs:
            if addr and addr <= a < addr + size and n not in ('.bss', '.tbss'):
                o = off + a - addr
                s = b[o:b.index(b'\0', o)]
                return s.decode('ascii') if s.isascii() else None
        return None
    best = []
    for n, addr, off, size in secs:
        if n != '.rodata':
            continue
        i = b.find(b'\0Unreachable\0', off, off + size)
        while i >= 0:
            p = struct.pack('<Q', addr + i + 1 - off)
            j = b.find(p)
            while j >= 0:
                names, k = [], j
                while True:
                    s = cstr(struct.unpack_from('<Q', b, k)[0])
                    if not s or not s.isidentifier():
                        break
                    names.append(s)
                    k += 8
                if len(names) > len(best):
                    best = names
                j = b.find(p, j + 1)
            i = b.find(b'\0Unreachable\0', i + 1, off + size)
    return best


INSN = re.compile(r'^\[@ (\d+)\] (\w+)(?: (.*))?$')
FUNC = re.compile(r'^\w+<.*>\(\d+ params')


def observe(hermesc, version, names, corpus, seen):
    """Operand lists of every opcode the compiler emits for the corpus; then every function of every file decoded with
    the name table must give one of the instruction sequences the compiler printed."""
    width = {'r': 1, 'R': 4, 'b': 1, 'h': 2, 'w': 4, 'a': 1, 'A': 4, 'i': 4, 'd': 8}
    files = []
    with tempfile.TemporaryDirectory() as tmp:
        for js in sorted(glob.glob(os.path.join(corpus, '*.js'))):
            for opt in ('-O', '-O0'):
                out = os.path.join(tmp, f'{os.path.basename(js)}{opt}.hbc')
                if subprocess.run([hermesc, '-emit-binary', opt, '-out', out, js], capture_output=True).returncode != 0:
                    continue
                dump = subprocess.run([hermesc, '-b', '-dump-bytecode', '-pretty=false', out], capture_output=True, text=True).stdout
                sequences, cur = set(), None
                for line in dump.splitlines():
                    if FUNC.match(line):
                        if cur is not None:
                            sequences.add(tuple(cur))
                        cur = []
                        continue
                    m = INSN.match(line)
                    if not m or cur is None:
                        continue
                    name, ops = m.group(2), m.group(3) or ''
                    sig = ''.join(CODE[t] for t in re.findall(r'<(\w+)>', ops))
                    if seen.get(name, sig) != sig:
                        raise SystemExit(f'v{version}: {name} seen as {seen[name]} and {sig}')
                    seen[name] = sig
                    cur.append((int(m.group(1)), name))
                if cur is not None:
                    sequences.add(tuple(cur))
                files.append((os.path.basename(js) + opt, open(out, 'rb').read(), sequences))
    for label, code, sequences in files:
        for fi, (start, size) in enumerate(function_offsets(code, version)):
            got, pc = [], 0
            while pc < size:
                name = names[code[start + pc]]
                got.append((pc, name))
                sig = seen.get(name) or reference(name, version)
                pc += 1 + sum(width[c] for c in sig)
            if tuple(got) not in sequences:
                raise SystemExit(f'v{version} {label}: function {fi} decodes to no sequence the compiler printed')
    return len(files)


def function_offsets(code, version):
    count = struct.unpack_from('<I', code, 0x28)[0]
    size = 12 if version >= 98 else 16
    out = []
    for i in range(count):
        o = 128 + i * size
        w1, w2, w3 = struct.unpack_from('<III', code, o)
        flags = code[o + size - 1]
        if flags & 0x20:
            large = ((w2 >> 14) & 0xff) << 24 | (w1 & 0x1ffffff) if version >= 98 else ((w3 & 0x1ffffff) << 16) | (w1 & 0xffff)
            # FunctionHeader: offset, paramCount, [loopDepth since v98,] bytecodeSizeInBytes, ... as u32.
            out.append((struct.unpack_from('<I', code, large)[0], struct.unpack_from('<I', code, large + (12 if version >= 98 else 8))[0]))
        else:
            out.append((w1 & 0x1ffffff, (w2 & 0x3fff) if version >= 98 else (w2 & 0x7fff)))
    return out


def main():
    outfile, corpus, compilers = sys.argv[1], sys.argv[2], sys.argv[3:]
    tables = {}
    for hermesc in compilers:
        text = subprocess.run([hermesc, '-version'], capture_output=True, text=True).stdout
        version = int(re.search(r'HBC bytecode version: (\d+)', text).group(1))
        names = elf_names(hermesc)
        seen = {}
        nfiles = observe(hermesc, version, names, corpus, seen)
        sigs = []
        for n in names:
            ref = reference(n, version)
            if n in seen and ref is not None and ref != seen[n]:
                raise SystemExit(f'v{version}: reference says {n} {ref}, hermesc emits {seen[n]}')
            sig = seen.get(n, ref)
            if sig is None:
                raise SystemExit(f'v{version}: no operand list for {n}')
            sigs.append((n, sig, n in seen))
        tables[version] = sigs
        print(f'v{version}: {len(names)} opcodes, {len(seen)} observed in {nfiles} compiled files, every function decoded as printed', file=sys.stderr)
    with open(outfile, 'w') as f:
        f.write('/**\n * Hermes bytecode opcodes per bytecode version, in opcode order: `Name:operands`, operand codes r Reg8, R Reg32,\n')
        f.write(' * b UInt8, h UInt16, w UInt32, a Addr8, A Addr32, i Imm32, d Double. Generated by samples/hermes/tools/hermes_opcodes.py\n')
        f.write(' * from each compiler (npm hermes-compiler / hermes-engine): names from its disassembler\'s table, operands from its\n')
        f.write(' * own bytecode dumps, the rest from facebook/hermes BytecodeList.def. Do not edit by hand.\n */\n')
        f.write('export const HERMES_OPCODES: Readonly<Record<number, string>> = {\n')
        for v in sorted(tables):
            f.write(f'  {v}: [\n')
            line = '   '
            for n, s, _ in tables[v]:
                tok = f' {n}:{s}'
                if len(line) + len(tok) > 116:
                    f.write(f"   '{line[3:].strip()} ' +\n")
                    line = '   '
                line += tok
            f.write(f"   '{line[3:].strip()}',\n  ].join(''),\n")
        f.write('};\n')


main()
