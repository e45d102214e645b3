"""Raw ZIP reading and writing for the quirk samples: keeps compressed bytes as they are and lets a
quirk change exactly one structural detail (flags, method, local name, duplicates, data descriptors, zip64).

Spec: PKWARE APPNOTE.TXT 6.3.x (sections 4.3.7 local header, 4.3.9 data descriptor, 4.3.12 central header,
4.3.14-4.3.16 zip64 end records, 4.5.3 zip64 extra field).
"""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field, replace

LOCAL_SIG = 0x04034B50
CENTRAL_SIG = 0x02014B50
EOCD_SIG = 0x06054B50
EOCD64_SIG = 0x06064B50
EOCD64_LOCATOR_SIG = 0x07064B50
DESCRIPTOR_SIG = 0x08074B50
ZIP64_EXTRA_ID = 0x0001
ALIGNMENT_EXTRA_ID = 0xD935  # zipalign's "Android ZIP alignment" extra field
FLAG_ENCRYPTED = 0x0001
FLAG_DATA_DESCRIPTOR = 0x0008
DOS_TIME_1981 = (0, (1 << 5) | 1 | (1 << 9))  # 00:00:00, 1981-01-01


@dataclass
class Entry:
    """One entry as stored: the compressed bytes and the header fields that describe them."""
    name: bytes
    method: int
    flags: int
    crc: int
    compressed_size: int
    size: int
    data: bytes
    time: int = DOS_TIME_1981[0]
    date: int = DOS_TIME_1981[1]
    version_made: int = 20
    version_needed: int = 20
    internal_attr: int = 0
    external_attr: int = 0
    comment: bytes = b''
    local_name: bytes | None = None  # written in the local header instead of `name` when set

    def content(self) -> bytes:
        """Uncompressed bytes (any method other than 0 is read as deflate, as Android < 9 does)."""
        return self.data if self.method == 0 else zlib.decompress(self.data, -15)


def make_entry(name: str, content: bytes, compress: bool = True) -> Entry:
    """An entry for new content, deflated (level 9) or stored."""
    if compress:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        data = c.compress(content) + c.flush()
    else:
        data = content
    return Entry(name=name.encode(), method=8 if compress else 0, flags=0x0800 if not name.isascii() else 0,
                 crc=zlib.crc32(content), compressed_size=len(data), size=len(content), data=data)


def _eocd(buf: bytes) -> int:
    pos = buf.rfind(struct.pack('<I', EOCD_SIG), max(0, len(buf) - 65557))
    if pos < 0:
        raise ValueError('no end of central directory record')
    return pos


def read_entries(buf: bytes) -> list[Entry]:
    """Entries in central-directory order, with their raw data; handles zip64 sizes and offsets."""
    eocd = _eocd(buf)
    count, cd_size, cd_offset = struct.unpack_from('<HII', buf, eocd + 10)
    if cd_offset == 0xFFFFFFFF or count == 0xFFFF:
        loc = eocd - 20
        (sig,) = struct.unpack_from('<I', buf, loc)
        if sig != EOCD64_LOCATOR_SIG:
            raise ValueError('zip64 markers without a zip64 locator')
        (eocd64,) = struct.unpack_from('<Q', buf, loc + 8)
        count, _, cd_size, cd_offset = struct.unpack_from('<QQQQ', buf, eocd64 + 24)
    entries: list[Entry] = []
    p = cd_offset
    for _ in range(count):
        (sig, made, needed, flags, method, time, date, crc, csize, usize, nlen, xlen, clen, _disk,
         iattr, eattr, offset) = struct.unpack_from('<IHHHHHHIIIHHHHHII', buf, p)
        if sig != CENTRAL_SIG:
            raise ValueError(f'bad central header at {p}')
        name = buf[p + 46:p + 46 + nlen]
        extra = buf[p + 46 + nlen:p + 46 + nlen + xlen]
        comment = buf[p + 46 + nlen + xlen:p + 46 + nlen + xlen + clen]
        usize, csize, offset = _apply_zip64_extra(extra, usize, csize, offset)
        lnlen, lxlen = struct.unpack_from('<HH', buf, offset + 26)
        local_name = buf[offset + 30:offset + 30 + lnlen]
        start = offset + 30 + lnlen + lxlen
        entries.append(Entry(name=name, method=method, flags=flags, crc=crc, compressed_size=csize, size=usize,
                             data=buf[start:start + csize], time=time, date=date, version_made=made,
                             version_needed=needed, internal_attr=iattr, external_attr=eattr, comment=comment,
                             local_name=None if local_name == name else local_name))
        p += 46 + nlen + xlen + clen
    return entries


def _apply_zip64_extra(extra: bytes, usize: int, csize: int, offset: int) -> tuple[int, int, int]:
    q = 0
    while q + 4 <= len(extra):
        hid, hlen = struct.unpack_from('<HH', extra, q)
        if hid == ZIP64_EXTRA_ID:
            r = q + 4
            if usize == 0xFFFFFFFF:
                (usize,) = struct.unpack_from('<Q', extra, r); r += 8
            if csize == 0xFFFFFFFF:
                (csize,) = struct.unpack_from('<Q', extra, r); r += 8
            if offset == 0xFFFFFFFF:
                (offset,) = struct.unpack_from('<Q', extra, r)
        q += 4 + hlen
    return usize, csize, offset


@dataclass
class WriteOptions:
    """How to lay the entries out."""
    align: int = 4                 # stored entries start on this boundary (zipalign -p 4 equivalent)
    so_align: int = 4096           # stored lib/**/*.so entries start on a page boundary
    data_descriptor: bool = False  # flag bit 3: zeros in the local header, sizes in a trailing descriptor
    zip64: bool = False            # zip64 extra fields in local and central headers, zip64 end records
    after_entries: bytes = b''     # bytes between the last entry and the central directory (e.g. a signing block)
    extra_central_for: dict[int, bytes] = field(default_factory=dict)


def write_zip(entries: list[Entry], opts: WriteOptions | None = None) -> bytes:
    """Serialises entries; names, flags and methods are written exactly as given."""
    opts = opts or WriteOptions()
    out = bytearray()
    central = bytearray()
    for entry in entries:
        flags = entry.flags | (FLAG_DATA_DESCRIPTOR if opts.data_descriptor else 0)
        local_name = entry.local_name if entry.local_name is not None else entry.name
        offset = len(out)
        if opts.zip64:
            local_extra = struct.pack('<HHQQ', ZIP64_EXTRA_ID, 16,
                                      0 if opts.data_descriptor else entry.size,
                                      0 if opts.data_descriptor else entry.compressed_size)
        else:
            local_extra = b''
        if entry.method == 0:
            boundary = opts.so_align if local_name.endswith(b'.so') else opts.align
            data_start = offset + 30 + len(local_name) + len(local_extra)
            pad = (-data_start) % boundary
            if pad:
                if pad < 6:
                    pad += boundary
                local_extra += struct.pack('<HHH', ALIGNMENT_EXTRA_ID, pad - 4, boundary) + b'\0' * (pad - 6)
        needed = 45 if opts.zip64 else entry.version_needed
        if opts.data_descriptor:
            crc, csize, usize = 0, 0, 0
        elif opts.zip64:
            crc, csize, usize = entry.crc, 0xFFFFFFFF, 0xFFFFFFFF
        else:
            crc, csize, usize = entry.crc, entry.compressed_size, entry.size
        out += struct.pack('<IHHHHHIIIHH', LOCAL_SIG, needed, flags, entry.method, entry.time, entry.date,
                           crc, csize, usize, len(local_name), len(local_extra))
        out += local_name + local_extra + entry.data
        if opts.data_descriptor:
            if opts.zip64:
                out += struct.pack('<IIQQ', DESCRIPTOR_SIG, entry.crc, entry.compressed_size, entry.size)
            else:
                out += struct.pack('<IIII', DESCRIPTOR_SIG, entry.crc, entry.compressed_size, entry.size)
        if opts.zip64:
            central_extra = struct.pack('<HHQQQ', ZIP64_EXTRA_ID, 24, entry.size, entry.compressed_size, offset)
            c_csize = c_usize = c_offset = 0xFFFFFFFF
        else:
            central_extra = b''
            c_csize, c_usize, c_offset = entry.compressed_size, entry.size, offset
        central += struct.pack('<IHHHHHHIIIHHHHHII', CENTRAL_SIG, 45 if opts.zip64 else entry.version_made, needed,
                               flags, entry.method, entry.time, entry.date, entry.crc, c_csize, c_usize,
                               len(entry.name), len(central_extra), len(entry.comment), 0, entry.internal_attr,
                               entry.external_attr, c_offset)
        central += entry.name + central_extra + entry.comment
    out += opts.after_entries
    cd_offset = len(out)
    out += central
    if opts.zip64:
        eocd64_offset = len(out)
        out += struct.pack('<IQHHIIQQQQ', EOCD64_SIG, 44, 45, 45, 0, 0, len(entries), len(entries),
                           len(central), cd_offset)
        out += struct.pack('<IIQI', EOCD64_LOCATOR_SIG, 0, eocd64_offset, 1)
        out += struct.pack('<IHHHHIIH', EOCD_SIG, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    else:
        out += struct.pack('<IHHHHIIH', EOCD_SIG, 0, 0, len(entries), len(entries), len(central), cd_offset, 0)
    return bytes(out)


def patch_headers(buf: bytes, name: str, *, set_flags: int = 0, method: int | None = None,
                  local_name: bytes | None = None) -> bytes:
    """Same-length patch of one entry's central and local headers (offsets stay valid)."""
    out = bytearray(buf)
    eocd = _eocd(buf)
    count, _, cd_offset = struct.unpack_from('<HII', buf, eocd + 10)
    p = cd_offset
    hits = 0
    for _ in range(count):
        nlen, xlen, clen = struct.unpack_from('<HHH', buf, p + 28)
        (offset,) = struct.unpack_from('<I', buf, p + 42)
        if buf[p + 46:p + 46 + nlen] == name.encode():
            hits += 1
            for flags_at, method_at in ((p + 8, p + 10), (offset + 6, offset + 8)):
                (flags,) = struct.unpack_from('<H', out, flags_at)
                struct.pack_into('<H', out, flags_at, flags | set_flags)
                if method is not None:
                    struct.pack_into('<H', out, method_at, method)
            if local_name is not None:
                if len(local_name) != nlen:
                    raise ValueError('local name must keep the length')
                out[offset + 30:offset + 30 + nlen] = local_name
        p += 46 + nlen + xlen + clen
    if hits != 1:
        raise ValueError(f'{name}: expected one entry, found {hits}')
    return bytes(out)


def with_entries(entries: list[Entry], **changes) -> list[Entry]:
    """Copies of entries with the given fields replaced."""
    return [replace(e, **changes) for e in entries]
