import { createHash } from 'node:crypto';
import { DecodeError, type DecodeWarning } from './types.js';
import { Reader } from './reader.js';
import { children, firstChildren, oidString, readTlv, type Tlv } from './der.js';
import type { ZipArchive } from './zip.js';

// APK Signing Block: https://source.android.com/docs/security/features/apksigning/v2 (and /v3);
// AOSP tools/apksig ApkSigningBlockUtils.java, V2SchemeVerifier.java, V3SchemeVerifier.java, V1SchemeVerifier.java.

/** Largest APK Signing Block read (real ones are a few KiB, padded to 4 KiB). */
export const MAX_SIGNING_BLOCK_BYTES = 16 * 1024 * 1024;
/** Largest v1 PKCS#7 signature file read. */
export const MAX_V1_SIGNATURE_BYTES = 1024 * 1024;
/** Most signers taken from one scheme block. */
export const MAX_SIGNERS = 64;

/**
 * Most v1 certificates compared with the SignerInfo's issuer and serial; past them the first certificate stands. Each
 * malformed one costs a thrown DecodeError: 492k empty ones in a 1 MB block took 8 s.
 */
const MAX_V1_CERTS_MATCHED = 64;

const BLOCK_MAGIC = 'APK Sig Block 42';
const FOOTER_SIZE = 24;
const V2_BLOCK_ID = 0x7109871a;
const V3_BLOCK_ID = 0xf05368c0;
const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const V1_SIGNATURE_FILE = /^META-INF\/[^/]+\.(RSA|DSA|EC)$/i;

/** One signer's identity: the SHA-256 of its (first) certificate, as `apksigner verify --print-certs` prints it. */
export interface SignerInfo {
  /** The signature scheme the certificate came from. */
  scheme: 'v3' | 'v2' | 'v1';
  /** Lower-case hex SHA-256 of the DER certificate. */
  certSha256: string;
  /** Subject distinguished name, most specific attribute first (as apksigner prints it). */
  subject?: string;
  /** How many certificates the signer carries. */
  certificates: number;
}

type Warn = (w: DecodeWarning) => void;

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Signers of an APK: v3, then v2 (APK Signing Block), then v1 (JAR signature files). Problems are warnings; it never throws DecodeError. */
export function apkSigners(zip: ZipArchive, warn: Warn = () => {}): SignerInfo[] {
  const out: SignerInfo[] = [];
  let blocks: Map<number, Uint8Array> = new Map();
  try {
    blocks = signingBlockPairs(zip);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    warn({ code: 'apksig.bad_signing_block', message: e.message, offset: e.offset });
  }
  for (const [scheme, id] of [['v3', V3_BLOCK_ID], ['v2', V2_BLOCK_ID]] as const) {
    const value = blocks.get(id);
    if (!value) continue;
    try {
      out.push(...schemeSigners(value, scheme));
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      warn({ code: `apksig.bad_${scheme}_block`, message: e.message, offset: e.offset });
    }
  }
  const names = new Set(zip.entries.map((e) => e.name));
  for (const entry of zip.entries) {
    if (!V1_SIGNATURE_FILE.test(entry.name)) continue;
    // A signature block counts only beside its .SF file (apksig V1SchemeVerifier: "partial JAR signature").
    if (!names.has(entry.name.replace(/\.[^.]+$/, '.SF'))) {
      warn({ code: 'apksig.partial_v1', message: `${entry.name} has no matching .SF file; ignored, as apksigner does` });
      continue;
    }
    try {
      if (entry.uncompressedSize > MAX_V1_SIGNATURE_BYTES || entry.compressedSize > MAX_V1_SIGNATURE_BYTES) {
        throw new DecodeError('apksig.too_large', `${entry.name} is over ${MAX_V1_SIGNATURE_BYTES} bytes`);
      }
      // The declared sizes are only a claim: the cap is also enforced while inflating.
      const signer = pkcs7Signer(zip.read(entry, { maxBytes: MAX_V1_SIGNATURE_BYTES }));
      if (signer) out.push(signer);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      warn({ code: 'apksig.bad_v1_signature', message: `${entry.name}: ${e.message}`, offset: e.offset });
    }
  }
  return out;
}

/** ID-value pairs of the APK Signing Block that ends right before the central directory; empty when there is none. */
function signingBlockPairs(zip: ZipArchive): Map<number, Uint8Array> {
  const pairs = new Map<number, Uint8Array>();
  const cdOffset = zip.centralDirectoryOffset;
  if (cdOffset < FOOTER_SIZE + 8 || cdOffset > zip.source.size) return pairs;
  const footer = zip.source.read(cdOffset - FOOTER_SIZE, FOOTER_SIZE);
  if (Buffer.from(footer.buffer, footer.byteOffset + 8, 16).toString('latin1') !== BLOCK_MAGIC) return pairs;
  const size = new Reader(footer, 'apksig').u64le();
  // size counts everything after the leading size field: pairs + footer.
  if (size < FOOTER_SIZE || size > cdOffset - 8 || size > MAX_SIGNING_BLOCK_BYTES) {
    throw new DecodeError('apksig.bad_block_size', `signing block size ${size} does not fit before the central directory at ${cdOffset}`, cdOffset - FOOTER_SIZE);
  }
  const start = cdOffset - size - 8;
  const block = zip.source.read(start, size + 8);
  if (block.length !== size + 8) throw new DecodeError('apksig.truncated', 'short read of the signing block', start);
  const r = new Reader(block, 'apksig');
  if (r.u64le() !== size) throw new DecodeError('apksig.bad_block_size', 'the two size fields of the signing block differ', start);
  const end = size + 8 - FOOTER_SIZE;
  while (r.pos < end) {
    const at = r.pos;
    if (end - at < 8) throw new DecodeError('apksig.truncated', 'partial pair header', start + at);
    const len = r.u64le();
    if (len < 4 || len > end - r.pos) throw new DecodeError('apksig.bad_pair', `pair of ${len} bytes does not fit in the block`, start + at);
    const id = r.u32le();
    const value = r.bytesView(len - 4);
    if (!pairs.has(id)) pairs.set(id, value);
  }
  return pairs;
}

/** A u32-length-prefixed sub-sequence (the building block of v2/v3 values). */
function prefixed(r: Reader): Reader {
  const n = r.u32le();
  r.need(n, r.pos, 'length-prefixed value');
  return new Reader(r.bytesView(n), 'apksig');
}

/** Signers of a v2 or v3 scheme value: signers -> signer -> signed data -> certificates -> first certificate. */
function schemeSigners(value: Uint8Array, scheme: 'v2' | 'v3'): SignerInfo[] {
  const signers = prefixed(new Reader(value, 'apksig'));
  const out: SignerInfo[] = [];
  while (signers.remaining > 0) {
    if (out.length >= MAX_SIGNERS) break;
    const signer = prefixed(signers);
    const signedData = prefixed(signer);
    prefixed(signedData); // digests
    const certs = prefixed(signedData);
    let first: Uint8Array | undefined;
    let count = 0;
    while (certs.remaining > 0) {
      const cert = prefixed(certs).bytes;
      first ??= cert;
      count++;
    }
    if (!first) throw new DecodeError('apksig.no_certificate', `${scheme} signer ${out.length} has no certificate`);
    out.push(signerInfo(scheme, first, count));
  }
  return out;
}

function signerInfo(scheme: SignerInfo['scheme'], cert: Uint8Array, count: number): SignerInfo {
  const info: SignerInfo = { scheme, certSha256: sha256Hex(cert), certificates: count };
  try {
    const subject = certificateSubject(cert);
    if (subject !== undefined) info.subject = subject;
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
  }
  return info;
}

function expect(t: Tlv | undefined, tag: number, what: string, at: number): Tlv {
  if (!t || t.tag !== tag) throw new DecodeError('apksig.bad_pkcs7', `${what} expected (tag 0x${tag.toString(16)})`, t?.start ?? at);
  return t;
}

/** The signing certificate of a PKCS#7 SignedData (RFC 2315 section 9.1): the one the first SignerInfo names, else the first. */
function pkcs7Signer(der: Uint8Array): SignerInfo | undefined {
  const contentInfo = expect(readTlv(der, 0), 0x30, 'ContentInfo', 0);
  const [type, explicit] = firstChildren(der, contentInfo, 2);
  if (!type || type.tag !== 0x06 || oidString(der, type) !== OID_SIGNED_DATA) throw new DecodeError('apksig.bad_pkcs7', 'not a PKCS#7 SignedData', 0);
  const signedData = expect(firstChildren(der, expect(explicit, 0xa0, 'content [0]', 0), 1)[0], 0x30, 'SignedData', 0);
  let certSet: Tlv | undefined;
  let signerInfos: Tlv | undefined;
  for (const field of children(der, signedData)) {
    if (field.tag === 0xa0) certSet = field;
    else if (field.tag === 0x31) signerInfos = field;
  }
  if (!certSet) throw new DecodeError('apksig.no_certificate', 'SignedData carries no certificates', signedData.start);
  const sid = signerInfos ? issuerAndSerial(der, signerInfos) : undefined;
  // One pass keeping only the first certificate, the count and the match (the set may hold many tiny elements).
  let first: Tlv | undefined;
  let match: Tlv | undefined;
  let count = 0;
  for (const c of children(der, certSet)) {
    if (c.tag !== 0x30) continue;
    count++;
    first ??= c;
    if (sid && !match && count <= MAX_V1_CERTS_MATCHED) {
      const ids = certIssuerAndSerial(der, c);
      if (ids !== undefined && sameBytes(der, ids.issuer, sid.issuer) && sameBytes(der, ids.serial, sid.serial)) match = c;
    }
  }
  if (!first) throw new DecodeError('apksig.no_certificate', 'SignedData carries no certificates', certSet.start);
  const chosen = match ?? first;
  return signerInfo('v1', der.subarray(chosen.start, chosen.end), count);
}

function sameBytes(bytes: Uint8Array, a: Tlv, b: Tlv): boolean {
  if (a.end - a.start !== b.end - b.start) return false;
  for (let i = 0; i < a.end - a.start; i++) if (bytes[a.start + i] !== bytes[b.start + i]) return false;
  return true;
}

/** IssuerAndSerialNumber of the first SignerInfo, when it uses that form. */
function issuerAndSerial(der: Uint8Array, signerInfos: Tlv): { issuer: Tlv; serial: Tlv } | undefined {
  const first = firstChildren(der, signerInfos, 1)[0];
  if (!first || first.tag !== 0x30) return undefined;
  const [, sid] = firstChildren(der, first, 2);
  if (!sid || sid.tag !== 0x30) return undefined;
  const [issuer, serial] = firstChildren(der, sid, 2);
  if (!issuer || issuer.tag !== 0x30 || !serial || serial.tag !== 0x02) return undefined;
  return { issuer, serial };
}

/** tbsCertificate fields (RFC 5280 section 4.1): optional [0] version, serial, signature, issuer, validity, subject. */
function tbsFields(der: Uint8Array, cert: Tlv): Tlv[] {
  const tbs = expect(firstChildren(der, cert, 1)[0], 0x30, 'tbsCertificate', cert.start);
  const fields = firstChildren(der, tbs, 7);
  return fields[0]?.tag === 0xa0 ? fields.slice(1) : fields;
}

function certIssuerAndSerial(der: Uint8Array, cert: Tlv): { issuer: Tlv; serial: Tlv } | undefined {
  try {
    const [serial, , issuer] = tbsFields(der, cert);
    if (!serial || !issuer) return undefined;
    return { issuer, serial };
  } catch (e) {
    if (e instanceof DecodeError) return undefined;
    throw e;
  }
}

const ATTRIBUTE_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SURNAME',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'T',
  '2.5.4.42': 'GIVENNAME',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  '1.2.840.113549.1.9.1': 'EMAILADDRESS',
};

/** The subject DN of a DER certificate, RDNs in reverse order joined by ", " (Java's X500Principal style). */
export function certificateSubject(cert: Uint8Array): string | undefined {
  const top = expect(readTlv(cert, 0), 0x30, 'Certificate', 0);
  const subject = tbsFields(cert, top)[4];
  if (!subject || subject.tag !== 0x30) return undefined;
  const rdns: string[] = [];
  for (const rdn of children(cert, subject)) {
    if (rdn.tag !== 0x31) continue;
    const parts: string[] = [];
    for (const atv of children(cert, rdn)) {
      if (atv.tag !== 0x30) continue;
      const [oid, value] = firstChildren(cert, atv, 2);
      if (!oid || oid.tag !== 0x06 || !value) continue;
      const dotted = oidString(cert, oid);
      parts.push(`${ATTRIBUTE_NAMES[dotted] ?? 'OID.' + dotted}=${escapeDn(directoryString(cert, value))}`);
    }
    if (parts.length) rdns.push(parts.join(' + '));
  }
  return rdns.reverse().join(', ');
}

function directoryString(bytes: Uint8Array, t: Tlv): string {
  const content = bytes.subarray(t.contentStart, t.contentEnd);
  switch (t.tag) {
    case 0x1e: // BMPString
      return Buffer.from(content.subarray(0, content.length & ~1)).swap16().toString('utf16le');
    case 0x14: // TeletexString, read as Latin-1
      return Buffer.from(content).toString('latin1');
    default: // UTF8String, PrintableString, IA5String and friends
      return new TextDecoder().decode(content);
  }
}

function escapeDn(s: string): string {
  return s.replace(/[,+"\\<>;]/g, (c) => '\\' + c);
}
