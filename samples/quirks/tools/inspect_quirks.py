"""Independent header-level checks for the quirk samples (stdlib only, no leakdex code).

Each function returns plain dicts/lists so the builder can assert that a quirk is really present and record
the facts in `<name>.expected.json` and `golden/<name>.headers.txt`.
Specs: PKWARE APPNOTE.TXT; AOSP frameworks/base/libs/androidfw/include/androidfw/ResourceTypes.h;
source.android.com "Dalvik executable format"; the System V ELF gABI.
"""
from __future__ import annotations

import struct

import ziptools

RES_STRING_POOL_TYPE = 0x0001
RES_TABLE_TYPE = 0x0002
RES_XML_TYPE = 0x0003
RES_TABLE_PACKAGE_TYPE = 0x0200
RES_TABLE_TYPE_TYPE = 0x0201
RES_TABLE_TYPE_SPEC_TYPE = 0x0202
RES_XML_RESOURCE_MAP_TYPE = 0x0180
UTF8_FLAG = 0x100
TYPE_FLAGS = {0x01: 'FLAG_SPARSE', 0x02: 'FLAG_OFFSET16'}
ENTRY_FLAG_COMPLEX = 0x0001
ENTRY_FLAG_COMPACT = 0x0008
XML_CHUNK_NAMES = {0x0001: 'STRING_POOL', 0x0180: 'RESOURCE_MAP', 0x0100: 'START_NAMESPACE',
                   0x0101: 'END_NAMESPACE', 0x0102: 'START_ELEMENT', 0x0103: 'END_ELEMENT', 0x0104: 'CDATA'}


def zip_facts(buf: bytes) -> dict:
    """EOCD, zip64 records and, per central entry, the central and local header fields."""
    eocd = buf.rfind(struct.pack('<I', ziptools.EOCD_SIG), max(0, len(buf) - 65557))
    count, cd_size, cd_offset = struct.unpack_from('<HII', buf, eocd + 10)
    facts: dict = {'size': len(buf), 'eocd': {'offset': eocd, 'entries': count, 'cdSize': cd_size,
                                              'cdOffset': cd_offset}}
    zip64 = count == 0xFFFF or cd_offset == 0xFFFFFFFF
    if zip64:
        loc = eocd - 20
        (sig,) = struct.unpack_from('<I', buf, loc)
        (eocd64,) = struct.unpack_from('<Q', buf, loc + 8)
        (sig64,) = struct.unpack_from('<I', buf, eocd64)
        count, _, cd_size, cd_offset = struct.unpack_from('<QQQQ', buf, eocd64 + 24)
        facts['zip64'] = {'locatorSignatureOk': sig == ziptools.EOCD64_LOCATOR_SIG, 'eocd64Offset': eocd64,
                          'eocd64SignatureOk': sig64 == ziptools.EOCD64_SIG, 'entries': count,
                          'cdOffset': cd_offset}
    facts['apkSigningBlock'] = buf[cd_offset - 16:cd_offset] == b'APK Sig Block 42'
    entries = []
    p = cd_offset
    for _ in range(count):
        flags, method = struct.unpack_from('<HH', buf, p + 8)
        crc, csize, usize, nlen, xlen, clen = struct.unpack_from('<IIIHHH', buf, p + 16)
        (offset,) = struct.unpack_from('<I', buf, p + 42)
        name = buf[p + 46:p + 46 + nlen]
        extra = buf[p + 46 + nlen:p + 46 + nlen + xlen]
        usize64, csize64, offset64 = ziptools._apply_zip64_extra(extra, usize, csize, offset)
        lflags, lmethod, _, _, lcrc, lcsize, lusize, lnlen, lxlen = struct.unpack_from('<HHHHIIIHH', buf, offset64 + 6)
        local_name = buf[offset64 + 30:offset64 + 30 + lnlen]
        lextra = buf[offset64 + 30 + lnlen:offset64 + 30 + lnlen + lxlen]
        data_end = offset64 + 30 + lnlen + lxlen + csize64
        descriptor = None
        if lflags & ziptools.FLAG_DATA_DESCRIPTOR:
            if buf[data_end:data_end + 4] == struct.pack('<I', ziptools.DESCRIPTOR_SIG):
                d_crc, d_csize, d_usize = struct.unpack_from('<III', buf, data_end + 4)
                descriptor = {'signature': True, 'crcMatches': d_crc == crc, 'compressedSize': d_csize,
                              'size': d_usize}
            else:
                descriptor = {'signature': False}
        entries.append({
            'name': name.decode('utf-8', 'replace'),
            'localName': local_name.decode('utf-8', 'replace'),
            'centralFlags': f'0x{flags:04x}', 'localFlags': f'0x{lflags:04x}',
            'centralMethod': method, 'localMethod': lmethod,
            'compressedSize': csize64, 'size': usize64, 'offset': offset64,
            'centralZip64Extra': _has_extra(extra, ziptools.ZIP64_EXTRA_ID),
            'localZip64Extra': _has_extra(lextra, ziptools.ZIP64_EXTRA_ID),
            'localSizes': [lcsize, lusize], 'localCrc': f'0x{lcrc:08x}',
            'dataDescriptor': descriptor,
        })
        p += 46 + nlen + xlen + clen
    names = [e['name'] for e in entries]
    facts['duplicates'] = sorted({n for n in names if names.count(n) > 1})
    facts['entries'] = entries
    return facts


def _has_extra(extra: bytes, wanted: int) -> bool:
    q = 0
    while q + 4 <= len(extra):
        hid, hlen = struct.unpack_from('<HH', extra, q)
        if hid == wanted:
            return True
        q += 4 + hlen
    return False


def _pool_header(b: bytes, at: int) -> dict:
    _, header_size, size = struct.unpack_from('<HHI', b, at)
    count, styles, flags, strings_start, styles_start = struct.unpack_from('<IIIII', b, at + 8)
    return {'offset': at, 'size': size, 'strings': count, 'styles': styles,
            'encoding': 'UTF-8' if flags & UTF8_FLAG else 'UTF-16', 'flags': f'0x{flags:x}'}


def arsc_facts(b: bytes) -> dict:
    """String pool encodings and, per ResTable_type chunk, its flags, config language and entry encodings."""
    t, hs, size = struct.unpack_from('<HHI', b, 0)
    if t != RES_TABLE_TYPE:
        raise ValueError('not a resource table')
    facts: dict = {'size': len(b), 'headerSize': size, 'pools': [], 'types': []}
    off = hs
    type_names: list[str] = []
    while off + 8 <= min(size, len(b)):
        ct, chs, csz = struct.unpack_from('<HHI', b, off)
        if ct == RES_STRING_POOL_TYPE:
            facts['pools'].append({'role': 'values', **_pool_header(b, off)})
        elif ct == RES_TABLE_PACKAGE_TYPE:
            (pkg_id,) = struct.unpack_from('<I', b, off + 8)
            p = off + chs
            pools_seen = 0
            while p + 8 <= off + csz:
                t2, h2, s2 = struct.unpack_from('<HHI', b, p)
                if t2 == RES_STRING_POOL_TYPE:
                    role = 'typeStrings' if pools_seen == 0 else 'keyStrings'
                    pools_seen += 1
                    header = _pool_header(b, p)
                    facts['pools'].append({'role': role, **header})
                    if role == 'typeStrings':
                        type_names = _pool_strings(b, p)
                elif t2 == RES_TABLE_TYPE_TYPE:
                    facts['types'].append(_type_chunk(b, p, h2, s2, type_names, pkg_id))
                p += s2
        off += csz
    return facts


def _type_chunk(b: bytes, p: int, header_size: int, size: int, type_names: list[str], pkg_id: int) -> dict:
    type_id, flags, _, entry_count, entries_start = struct.unpack_from('<BBHII', b, p + 8)
    language = b[p + 20 + 8:p + 20 + 10].rstrip(b'\0').decode('ascii', 'replace')
    idx_at = p + header_size
    present = []
    for i in range(entry_count):
        if flags & 0x01:
            idx, o16 = struct.unpack_from('<HH', b, idx_at + 4 * i)
            present.append((idx, o16 * 4))
        elif flags & 0x02:
            (o16,) = struct.unpack_from('<H', b, idx_at + 2 * i)
            if o16 != 0xFFFF:
                present.append((i, o16 * 4))
        else:
            (o32,) = struct.unpack_from('<I', b, idx_at + 4 * i)
            if o32 != 0xFFFFFFFF:
                present.append((i, o32))
    encodings = set()
    for _, o in present:
        e_size, e_flags = struct.unpack_from('<HH', b, p + entries_start + o)
        if e_flags & ENTRY_FLAG_COMPACT:
            encodings.add('compact')
        elif e_flags & ENTRY_FLAG_COMPLEX:
            encodings.add('complex')
        else:
            encodings.add('simple')
    name = type_names[type_id - 1] if 0 < type_id <= len(type_names) else str(type_id)
    return {'offset': p, 'type': name, 'id': f'0x{pkg_id:02x}{type_id:02x}', 'config': language or 'default',
            'flags': f'0x{flags:02x}', 'flagNames': [n for bit, n in TYPE_FLAGS.items() if flags & bit],
            'entryCount': entry_count, 'present': len(present), 'entryEncodings': sorted(encodings)}


def _pool_strings(b: bytes, at: int) -> list[str]:
    _, header_size, _ = struct.unpack_from('<HHI', b, at)
    count, _, flags, strings_start, _ = struct.unpack_from('<IIIII', b, at + 8)
    out = []
    for i in range(count):
        (o,) = struct.unpack_from('<I', b, at + header_size + 4 * i)
        q = at + strings_start + o
        if flags & UTF8_FLAG:
            n16 = b[q]; q += 2 if n16 & 0x80 else 1
            n8 = b[q]
            if n8 & 0x80:
                n8 = ((n8 & 0x7F) << 8) | b[q + 1]; q += 2
            else:
                q += 1
            out.append(b[q:q + n8].decode('utf-8', 'replace'))
        else:
            (n,) = struct.unpack_from('<H', b, q); q += 2
            if n & 0x8000:
                n = ((n & 0x7FFF) << 16) | struct.unpack_from('<H', b, q)[0]; q += 2
            out.append(b[q:q + 2 * n].decode('utf-16-le', 'replace'))
    return out


def axml_facts(b: bytes) -> dict:
    """XML header fields against the real length, the chunk sequence, and the attribute-name strings."""
    t, hs, size = struct.unpack_from('<HHI', b, 0)
    facts: dict = {'headerType': f'0x{t:04x}', 'headerSize': hs, 'declaredSize': size, 'actualSize': len(b),
                   'chunks': []}
    off = hs
    strings: list[str] = []
    resmap: list[int] = []
    end = min(size, len(b))
    while off + 8 <= end:
        ct, chs, csz = struct.unpack_from('<HHI', b, off)
        facts['chunks'].append({'offset': off, 'type': f'0x{ct:04x}', 'name': XML_CHUNK_NAMES.get(ct, 'UNKNOWN'),
                                'headerSize': chs, 'size': csz})
        if ct == RES_STRING_POOL_TYPE:
            strings = _pool_strings(b, off)
            facts['stringPool'] = _pool_header(b, off)
        elif ct == RES_XML_RESOURCE_MAP_TYPE:
            resmap = list(struct.unpack_from(f'<{(csz - chs) // 4}I', b, off + chs))
        if csz < 8:
            break
        off += csz
    facts['trailingBytes'] = len(b) - size if len(b) > size else 0
    facts['attributeNames'] = [{'string': strings[i] if i < len(strings) else None, 'resId': f'0x{r:08x}'}
                               for i, r in enumerate(resmap)]
    return facts


def elf_facts(b: bytes) -> dict:
    """ELF header fields that say whether section headers survive, and the loadable segments."""
    if b[:4] != b'\x7fELF':
        raise ValueError('not ELF')
    is64 = b[4] == 2
    if is64:
        (e_type, e_machine, _, _, e_phoff, e_shoff, _, _, e_phentsize, e_phnum, e_shentsize, e_shnum,
         e_shstrndx) = struct.unpack_from('<HHIQQQIHHHHHH', b, 16)
    else:
        (e_type, e_machine, _, _, e_phoff, e_shoff, _, _, e_phentsize, e_phnum, e_shentsize, e_shnum,
         e_shstrndx) = struct.unpack_from('<HHIIIIIHHHHHH', b, 16)
    segments = []
    for i in range(e_phnum):
        at = e_phoff + i * e_phentsize
        if is64:
            p_type, p_flags, p_offset, p_vaddr, _, p_filesz, _, _ = struct.unpack_from('<IIQQQQQQ', b, at)
        else:
            p_type, p_offset, p_vaddr, _, p_filesz, _, p_flags, _ = struct.unpack_from('<IIIIIIII', b, at)
        if p_type == 1:
            segments.append({'offset': p_offset, 'vaddr': p_vaddr, 'filesz': p_filesz,
                             'flags': ''.join(c for c, bit in (('R', 4), ('W', 2), ('X', 1)) if p_flags & bit)})
    return {'class': 'ELF64' if is64 else 'ELF32', 'machine': e_machine, 'type': e_type, 'e_shoff': e_shoff,
            'e_shnum': e_shnum, 'e_shentsize': e_shentsize, 'e_shstrndx': e_shstrndx, 'e_phnum': e_phnum,
            'loadSegments': segments, 'size': len(b)}


def dex_string_bytes(b: bytes, needles: list[bytes]) -> list[dict]:
    """Raw string_data_item bytes (ULEB128 UTF-16 length + MUTF-8) of every string containing a needle."""
    if b[:4] != b'dex\n':
        raise ValueError('not DEX')
    count, ids_off = struct.unpack_from('<II', b, 0x38)
    hits = []
    for i in range(count):
        (data_off,) = struct.unpack_from('<I', b, ids_off + 4 * i)
        q = data_off
        utf16_len = shift = 0
        while True:
            byte = b[q]; q += 1
            utf16_len |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        end = b.index(b'\0', q)
        raw = b[q:end]
        if any(n in raw for n in needles):
            hits.append({'index': i, 'utf16Length': utf16_len, 'mutf8Length': len(raw), 'mutf8Hex': raw.hex(),
                         'hasC080': b'\xc0\x80' in raw, 'surrogateTriples': raw.count(b'\xed')})
    return hits


def arsc_file_paths(b: bytes) -> dict:
    """Entries whose value is a string starting with res/ (file resources): key names, paths, and type/name -> path.
    Reads plain (non-sparse, non-compact) simple entries only, as aapt2 writes them for minSdk < 26."""
    _, hs, size = struct.unpack_from('<HHI', b, 0)
    values: list[str] = []
    named: dict[str, str] = {}
    off = hs
    while off + 8 <= min(size, len(b)):
        ct, chs, csz = struct.unpack_from('<HHI', b, off)
        if ct == RES_STRING_POOL_TYPE:
            values = _pool_strings(b, off)
        elif ct == RES_TABLE_PACKAGE_TYPE:
            pools: list[list[str]] = []
            p = off + chs
            while p + 8 <= off + csz:
                t2, h2, s2 = struct.unpack_from('<HHI', b, p)
                if t2 == RES_STRING_POOL_TYPE:
                    pools.append(_pool_strings(b, p))
                elif t2 == RES_TABLE_TYPE_TYPE:
                    type_id, flags, _, count, entries_start = struct.unpack_from('<BBHII', b, p + 8)
                    if flags:
                        raise ValueError('sparse or offset16 type chunk: not read here')
                    for i in range(count):
                        (o,) = struct.unpack_from('<I', b, p + h2 + 4 * i)
                        if o == 0xFFFFFFFF:
                            continue
                        e = p + entries_start + o
                        e_size, e_flags, key = struct.unpack_from('<HHI', b, e)
                        if e_flags & (ENTRY_FLAG_COMPLEX | ENTRY_FLAG_COMPACT):
                            continue
                        data_type, data = struct.unpack_from('<xxxBI', b, e + e_size)
                        if data_type == 0x03 and values[data].startswith('res/'):
                            named[f'{pools[0][type_id - 1]}/{pools[1][key]}'] = values[data]
                p += s2
        off += csz
    return {'keys': sorted(n.split('/', 1)[1] for n in named), 'valuePaths': sorted(named.values()),
            'namedPaths': dict(sorted(named.items()))}
