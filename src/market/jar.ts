/**
 * JAR (v1) signature verification with a pinned signer, as fdroidserver's `get_index_from_jar` and apkeep's
 * `verify_and_return_json` check F-Droid's `entry.jar` / `index-v1.jar`:
 * exactly one signature block (`META-INF/*.RSA|DSA|EC`) beside its `.SF`; the PKCS#7 SignedData signature over the
 * `.SF` (or over its signed attributes, whose messageDigest must then be the `.SF`'s digest) verifies with the
 * signer certificate; SHA-256 of that certificate equals the pinned fingerprint; the `.SF`'s whole-manifest digest
 * matches `MANIFEST.MF`; the manifest section of the one content entry matches the entry's bytes.
 */
import { createHash, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import { children, firstChildren, oidString, readTlv, type Tlv } from '../../decoders/der.js';
import { DecodeError } from '../../decoders/types.js';
import { bufferSource, ZipArchive } from '../../decoders/zip.js';

/** Largest signed JAR accepted (index-v1.jar of f-droid.org is ~10 MB). */
export const MAX_JAR_BYTES = 128 * 1024 * 1024;
/** Most entries in a signed index JAR (content + MANIFEST.MF + .SF + block, with room). */
export const MAX_JAR_ENTRIES = 16;
/** Largest signature file, manifest or block. */
export const MAX_META_BYTES = 1024 * 1024;

export class JarVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JarVerificationError';
  }
}

const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const DIGESTS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
/** Manifest attribute prefixes, strongest first. */
const MF_DIGESTS: [string, string][] = [
  ['SHA-512', 'sha512'],
  ['SHA-384', 'sha384'],
  ['SHA-256', 'sha256'],
  ['SHA1', 'sha1'],
  ['SHA-1', 'sha1'],
];

function fail(msg: string): never {
  throw new JarVerificationError(msg);
}

/** Normalises a fingerprint (colons, spaces, case). */
export function normalizeFingerprint(fp: string): string {
  return fp.replace(/[\s:]/g, '').toLowerCase();
}

/** Sections of a JAR manifest / signature file: main attributes first, then one map per `Name:` section. */
export function parseManifest(text: string): Map<string, string>[] {
  const lines = text.split(/\r\n|\n|\r/);
  const sections: Map<string, string>[] = [];
  let cur: Map<string, string> | undefined;
  let last: string | undefined;
  for (const line of lines) {
    if (line === '') {
      cur = undefined;
      last = undefined;
      continue;
    }
    if (line.startsWith(' ')) {
      if (cur && last !== undefined) cur.set(last, cur.get(last)! + line.slice(1));
      continue;
    }
    const colon = line.indexOf(': ');
    if (colon <= 0) continue;
    if (!cur) {
      cur = new Map();
      sections.push(cur);
    }
    last = line.slice(0, colon);
    cur.set(last, line.slice(colon + 2));
  }
  return sections;
}

function digestB64(alg: string, data: Uint8Array): string {
  return createHash(alg).update(data).digest('base64');
}

/** Checks one of the digest attributes `<ALG><suffix>` of `attrs` against `data`; false when none is present. */
function checkDigestAttr(attrs: Map<string, string>, suffix: string, data: Uint8Array, what: string): boolean {
  for (const [prefix, alg] of MF_DIGESTS) {
    const v = attrs.get(`${prefix}${suffix}`);
    if (v === undefined) continue;
    if (v.trim() !== digestB64(alg, data)) fail(`${what}: ${prefix} digest does not match`);
    return true;
  }
  return false;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Verifies the PKCS#7 block over `sf`; returns the signer certificate (DER). */
function verifyPkcs7(der: Uint8Array, sf: Uint8Array): Uint8Array {
  const ci = readTlv(der, 0);
  const [type, explicit] = firstChildren(der, ci, 2);
  if (!type || type.tag !== 0x06 || oidString(der, type) !== OID_SIGNED_DATA || !explicit || explicit.tag !== 0xa0) fail('the signature block is not a PKCS#7 SignedData');
  const sd = firstChildren(der, explicit, 1)[0];
  if (!sd || sd.tag !== 0x30) fail('malformed SignedData');
  let certSet: Tlv | undefined;
  let signerInfos: Tlv | undefined;
  for (const f of children(der, sd)) {
    if (f.tag === 0xa0) certSet = f;
    else if (f.tag === 0x31) signerInfos = f;
  }
  if (!certSet || !signerInfos) fail('SignedData without certificates or signer infos');
  const infos = [...children(der, signerInfos)];
  if (infos.length !== 1) fail(`expected exactly one signer, found ${infos.length}`);
  const si = [...children(der, infos[0]!)];
  // version, sid, digestAlgorithm, [0] authenticatedAttributes?, digestEncryptionAlgorithm, encryptedDigest, [1]?
  const sid = si[1];
  const digestAlg = si[2];
  let i = 3;
  const authAttrs = si[i]?.tag === 0xa0 ? si[i++] : undefined;
  i++; // digestEncryptionAlgorithm
  const sig = si[i];
  if (!sid || sid.tag !== 0x30 || !digestAlg || digestAlg.tag !== 0x30 || !sig || sig.tag !== 0x04) fail('malformed SignerInfo');
  const algOid = firstChildren(der, digestAlg, 1)[0];
  const hash = algOid && algOid.tag === 0x06 ? DIGESTS[oidString(der, algOid)] : undefined;
  if (!hash) fail('unsupported digest algorithm in the signature block');
  const [issuer, serial] = firstChildren(der, sid, 2);
  if (!issuer || !serial) fail('signer identified by something other than issuer and serial');
  const certs = [...children(der, certSet)].filter((c) => c.tag === 0x30);
  const cert = certs.find((c) => {
    const tbs = firstChildren(der, c, 1)[0]!;
    const fields = firstChildren(der, tbs, 4);
    const [cSerial, , cIssuer] = fields[0]?.tag === 0xa0 ? fields.slice(1) : fields;
    return cSerial !== undefined && cIssuer !== undefined && sameBytes(der.subarray(cSerial.start, cSerial.end), der.subarray(serial.start, serial.end)) && sameBytes(der.subarray(cIssuer.start, cIssuer.end), der.subarray(issuer.start, issuer.end));
  });
  if (!cert) fail('the signer certificate is not in the signature block');
  const certDer = der.subarray(cert.start, cert.end);
  let signed: Uint8Array = sf;
  if (authAttrs) {
    let md: Uint8Array | undefined;
    for (const attr of children(der, authAttrs)) {
      const [oid, values] = firstChildren(der, attr, 2);
      if (oid && values && oidString(der, oid) === OID_MESSAGE_DIGEST) {
        const v = firstChildren(der, values, 1)[0];
        if (v) md = der.subarray(v.contentStart, v.contentEnd);
      }
    }
    if (!md || !sameBytes(md, createHash(hash).update(sf).digest())) fail('the signed messageDigest does not match the signature file');
    signed = Buffer.concat([Buffer.from([0x31]), der.subarray(authAttrs.start + 1, authAttrs.end)]);
  }
  const key = new X509Certificate(certDer).publicKey;
  if (!cryptoVerify(hash, signed, key, der.subarray(sig.contentStart, sig.contentEnd))) fail('the signature does not verify');
  return certDer;
}

/**
 * Verifies a signed index JAR and returns its single content entry (`contentName`). Throws JarVerificationError
 * on any failure: unsigned, signed by another key, tampered content, extra entries.
 */
export function verifySignedJar(bytes: Uint8Array, pinnedFingerprint: string, contentName: string): { content: Buffer; signerSha256: string } {
  if (bytes.length > MAX_JAR_BYTES) fail(`the JAR is over ${MAX_JAR_BYTES} bytes`);
  let zip: ZipArchive;
  try {
    zip = ZipArchive.open(bufferSource(bytes), { limits: { maxEntries: MAX_JAR_ENTRIES, maxEntryBytes: MAX_JAR_BYTES, maxTotalBytes: MAX_JAR_BYTES * 2 } });
  } catch (e) {
    fail(`not a readable JAR: ${(e as Error).message}`);
  }
  const byName = new Map(zip.entries.map((e) => [e.name, e]));
  if (byName.size !== zip.entries.length) fail('the JAR has duplicate entry names');
  const blocks = zip.entries.filter((e) => /^META-INF\/[^/]+\.(RSA|DSA|EC)$/i.test(e.name));
  if (blocks.length !== 1) fail(`expected exactly one signature block, found ${blocks.length}`);
  const content = zip.entries.filter((e) => !e.name.startsWith('META-INF/'));
  if (content.length !== 1 || content[0]!.name !== contentName) fail(`expected exactly one entry ${contentName} besides META-INF/`);
  const read = (name: string, max: number): Buffer => {
    const e = byName.get(name);
    if (!e) fail(`${name} is missing`);
    if (e.uncompressedSize > max) fail(`${name} is too large`);
    // The declared size is only a claim: the cap is also enforced while inflating.
    try {
      return Buffer.from(zip.read(e, { maxBytes: max }));
    } catch (err) {
      if (err instanceof DecodeError && err.code === 'zip.entry_too_large') fail(`${name} is too large`);
      throw err;
    }
  };
  const blockName = blocks[0]!.name;
  const sf = read(blockName.replace(/\.[^.]+$/, '.SF'), MAX_META_BYTES);
  const mf = read('META-INF/MANIFEST.MF', MAX_META_BYTES);
  const block = read(blockName, MAX_META_BYTES);
  const body = read(contentName, MAX_JAR_BYTES);
  let certDer: Uint8Array;
  try {
    certDer = verifyPkcs7(block, sf);
  } catch (e) {
    if (e instanceof JarVerificationError) throw e;
    fail(`unreadable signature block: ${(e as Error).message}`);
  }
  const signerSha256 = createHash('sha256').update(certDer).digest('hex');
  if (signerSha256 !== normalizeFingerprint(pinnedFingerprint)) fail(`signed by ${signerSha256.slice(0, 16)}…, not by the pinned repository key ${normalizeFingerprint(pinnedFingerprint).slice(0, 16)}…`);
  const sfMain = parseManifest(sf.toString('utf8'))[0] ?? new Map<string, string>();
  if (!checkDigestAttr(sfMain, '-Digest-Manifest', mf, 'MANIFEST.MF')) fail('the signature file has no whole-manifest digest');
  const section = parseManifest(mf.toString('utf8')).find((s) => s.get('Name') === contentName);
  if (!section || !checkDigestAttr(section, '-Digest', body, contentName)) fail(`MANIFEST.MF has no digest for ${contentName}`);
  return { content: body, signerSha256 };
}
