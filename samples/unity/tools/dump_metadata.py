#!/usr/bin/python3
"""A second, independent reader of `global-metadata.dat`, for the goldens: dumps the string literals, the string
field and parameter default values (with their field/parameter, method and class names) and, for v19..24.x, the
literal uses grouped per metadata usage list, as JSON.

Written from Il2CppDumper's Il2Cpp/Metadata.cs + MetadataClass.cs field tables (fixed struct formats per version, its
24.x sub-version guess), not from make_metadata.py nor from leakdex's decoder. A default value is a string when its
type index is the byval type of the type definition System.String.

    dump_metadata.py FILE > golden.json
"""
import json
import struct
import sys

# Struct formats per (sub-)version; '<' little-endian, i = int32, I = uint32, H = uint16.
TYPE_DEF = {24.0: '<2i i i i 3i 2i i I 8i 8H I I', 24.1: '<2i i i 3i 2i i I 8i 8H I I',
            24.2: '<2i i i 3i i I 8i 8H I I', 27: '<2i i 3i i I 8i 8H I I'}
FIELD_DEF = {24.0: '<iiiI', 24.1: '<iiI', 27: '<iiI'}
METHOD_DEF = {24.0: '<6i 5i I 4H', 24.1: '<5i 5i I 4H', 24.2: '<5i I 4H', 31: '<6i I 4H'}
PARAM_DEF = {24.0: '<iIii', 24.1: '<iIi', 27: '<iIi'}


def pick(table, v):
    return struct.Struct(table[max(k for k in table if k <= v)].replace(' ', ''))


class Metadata:
    def __init__(self, data):
        self.d = data
        sanity, version = struct.unpack_from('<Ii', data, 0)
        assert sanity == 0xFAB11BAF, 'not IL2CPP metadata'
        self.version = float(version)
        self.h = self.header()
        if version == 24:
            # Il2CppDumper: a 264-byte header (no rgctxEntries) is 24.2+; else 24.1 when an image token is not 1 read as 24.0.
            if self.h['stringLiteral'][0] == 264:
                self.version = 24.2
                self.h = self.header()
            else:
                off, size = self.h['images']
                tokens = [struct.unpack_from('<8i', data, off + 32 * k)[7] for k in range(size // 32)]
                if any(t != 1 for t in tokens):
                    self.version = 24.1
                    self.h = self.header()

    def header(self):
        v = self.version
        names = ('stringLiteral stringLiteralData string events properties methods parameterDefaultValues '
                 'fieldDefaultValues defaultData fieldMarshaledSizes parameters fields genericParameters '
                 'genericParameterConstraints genericContainers nestedTypes interfaces vtableMethods interfaceOffsets '
                 'typeDefinitions').split()
        names += ['rgctxEntries'] if v <= 24.1 else []
        names += ['images', 'assemblies']
        names += ['metadataUsageLists', 'metadataUsagePairs'] if 19 <= v < 27 else []
        names += ['fieldRefs', 'referencedAssemblies', 'attributes1', 'attributes2', 'unresolved1', 'unresolved2',
                  'windowsRuntimeTypeNames']
        names += ['windowsRuntimeStrings'] if v >= 27 else []
        names += ['exportedTypeDefinitions']
        return {n: struct.unpack_from('<Ii', self.d, 8 + 8 * k) for k, n in enumerate(names)}

    def rows(self, name, st):
        off, size = self.h[name]
        return [st.unpack_from(self.d, off + k * st.size) for k in range(size // st.size)]

    def name(self, index):
        off = self.h['string'][0] + index
        return self.d[off:self.d.index(b'\0', off)].decode()

    def blob_string(self, data_index):
        p = self.h['defaultData'][0] + data_index
        if self.version < 29:
            (n,) = struct.unpack_from('<i', self.d, p)
            p += 4
        else:
            b = self.d[p]
            if b < 0x80:
                u, p = b, p + 1
            elif b & 0xC0 == 0x80:
                u, p = ((b & 0x3F) << 8) | self.d[p + 1], p + 2
            elif b & 0xE0 == 0xC0:
                u, p = ((b & 0x1F) << 24) | (self.d[p + 1] << 16) | (self.d[p + 2] << 8) | self.d[p + 3], p + 4
            else:
                (u,), p = struct.unpack_from('<I', self.d, p + 1), p + 5
            n = -((u >> 1) + 1) if u & 1 else u >> 1
        return None if n < 0 else self.d[p:p + n].decode()

    def dump(self):
        v = self.version
        tdefs = self.rows('typeDefinitions', pick(TYPE_DEF, v))
        fdefs = self.rows('fields', pick(FIELD_DEF, v))
        mdefs = self.rows('methods', pick(METHOD_DEF, v))
        pdefs = self.rows('parameters', pick(PARAM_DEF, v))
        nested = self.rows('nestedTypes', struct.Struct('<i'))
        byval_at = 3 if v <= 24.0 else 2
        parent = {}
        for k, t in enumerate(tdefs):
            nstart, ncount = t[-14], t[-6]  # nestedTypesStart, nested_type_count
            for j in range(max(ncount, 0)):
                parent[nested[nstart + j][0]] = k

        def full(k):
            t = tdefs[k]
            if k in parent:
                return full(parent[k]) + '/' + self.name(t[0])
            ns = self.name(t[1])
            return (ns + '.' if ns else '') + self.name(t[0])

        string_type = next(t[byval_at] for t in tdefs if self.name(t[1]) == 'System' and self.name(t[0]) == 'String')
        field_owner, method_owner, param_owner = {}, {}, {}
        for k, t in enumerate(tdefs):
            fstart, mstart, mcount, fcount = t[-18], t[-17], t[-10], t[-8]
            for j in range(fcount):
                field_owner[fstart + j] = k
            for j in range(mcount):
                method_owner[mstart + j] = k
        for m, row in enumerate(mdefs):
            pstart, pcount = row[4 if v >= 31 else 3], row[-1]
            for j in range(pcount):
                param_owner[pstart + j] = m
        out = {'version': {24.0: '24.0', 24.1: '24.1', 24.2: '24.2'}.get(v, str(int(v)))}
        lit = self.rows('stringLiteral', struct.Struct('<Ii'))
        base = self.h['stringLiteralData'][0]
        out['literals'] = [self.d[base + i:base + i + n].decode() for n, i in lit]
        out['fieldDefaults'] = []
        for k, (fi, ti, di) in enumerate(self.rows('fieldDefaultValues', struct.Struct('<iii'))):
            if ti != string_type:
                continue
            out['fieldDefaults'].append({'index': k, 'class': full(field_owner[fi]), 'field': self.name(fdefs[fi][0]), 'value': self.blob_string(di)})
        out['parameterDefaults'] = []
        for k, (pi, ti, di) in enumerate(self.rows('parameterDefaultValues', struct.Struct('<iii'))):
            if ti != string_type:
                continue
            m = param_owner[pi]
            out['parameterDefaults'].append({'index': k, 'class': full(method_owner[m]), 'method': self.name(mdefs[m][0]),
                                             'parameter': self.name(pdefs[pi][0]), 'value': self.blob_string(di)})
        if 19 <= v < 27:
            pairs = self.rows('metadataUsagePairs', struct.Struct('<II'))
            out['literalUsesPerList'] = [[pairs[s + j][1] & 0x1FFFFFFF for j in range(n) if pairs[s + j][1] >> 29 == 5]
                                         for s, n in self.rows('metadataUsageLists', struct.Struct('<II'))]
        return out


if __name__ == '__main__':
    json.dump(Metadata(open(sys.argv[1], 'rb').read()).dump(), sys.stdout, indent=2, ensure_ascii=False)
    print()
