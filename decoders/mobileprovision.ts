import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { children, firstChildren, oidString, readTlv, type Tlv } from './der.js';
import { certificateSubject } from './apksig.js';
import { parsePlist, plistGet, plistStrings, type PlistOptions, type PlistValue } from './plist.js';
import { DecodeError, type Decoder, type DecodeWarning } from './types.js';

// embedded.mobileprovision: a CMS SignedData (RFC 5652 section 5) whose encapsulated content is an XML plist
// (Apple, "TN3125: Inside Code Signing: Provisioning Profiles"). Apple writes it in BER with indefinite lengths.
// The content is parsed by what it is, not by what Apple writes, so a binary plist gets the bplist checks.

/** Largest provisioning profile read, bytes (real ones are 8-30 KB; large device lists reach a few hundred KB). */
export const MAX_PROFILE_BYTES = 16 * 1024 * 1024;

const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
/** DER of OBJECT IDENTIFIER 1.2.840.113549.1.7.2 (id-signedData). */
const SIGNED_DATA_OID_DER = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];

/** How the profile distributes the app. */
export type ProfileType = 'development' | 'ad-hoc' | 'enterprise' | 'app-store';

/** What a provisioning profile says about the app. */
export interface ProfileInfo {
  name?: string;
  teamId?: string;
  teamName?: string;
  appIdName?: string;
  /** `TEAMID.com.example.app` from the entitlements. */
  applicationIdentifier?: string;
  profileType: ProfileType;
  /** ISO 8601. */
  expirationDate?: string;
  creationDate?: string;
  uuid?: string;
  /** Devices an ad-hoc or development profile is limited to. */
  deviceCount?: number;
  /** Subject CN of the first developer certificate, e.g. `Apple Distribution: Example Ltd (AB12CD34EF)`. */
  signingIdentity?: string;
  /** SHA-256 (lower hex) of the first developer certificate. */
  certificateSha256?: string;
}

/** True when the head is a CMS/PKCS#7 ContentInfo of type signedData (what a .mobileprovision is). */
export function isCmsSignedData(head: Uint8Array): boolean {
  if (head.length < 16 || head[0] !== 0x30) return false;
  const limit = Math.min(head.length - SIGNED_DATA_OID_DER.length, 8);
  for (let at = 2; at <= limit; at++) {
    let ok = true;
    for (let i = 0; i < SIGNED_DATA_OID_DER.length && ok; i++) ok = head[at + i] === SIGNED_DATA_OID_DER[i];
    if (ok) return true;
  }
  return false;
}

function expect(t: Tlv | undefined, tag: number, what: string, at: number): Tlv {
  if (!t || t.tag !== tag) throw new DecodeError('mobileprovision.bad_cms', `${what} expected (tag 0x${tag.toString(16)})`, t?.start ?? at);
  return t;
}

/** The bytes of an OCTET STRING, primitive (0x04) or constructed from chunks (0x24, BER). */
function octets(bytes: Uint8Array, t: Tlv, depth = 0): Uint8Array {
  if (t.tag === 0x04) return bytes.subarray(t.contentStart, t.contentEnd);
  if (t.tag !== 0x24 || depth > 4) throw new DecodeError('mobileprovision.bad_cms', 'eContent is not an OCTET STRING', t.start);
  const parts = [...children(bytes, t)].map((c) => octets(bytes, c, depth + 1));
  return Buffer.concat(parts);
}

/** The encapsulated content (the profile plist's bytes) of a CMS SignedData. */
export function cmsContent(bytes: Uint8Array): Uint8Array {
  if (bytes.length > MAX_PROFILE_BYTES) throw new DecodeError('mobileprovision.too_large', `profile of ${bytes.length} bytes is over the ${MAX_PROFILE_BYTES}-byte limit`, 0);
  const contentInfo = expect(readTlv(bytes, 0), 0x30, 'ContentInfo', 0);
  const [type, explicit] = firstChildren(bytes, contentInfo, 2);
  if (!type || type.tag !== 0x06 || oidString(bytes, type) !== OID_SIGNED_DATA) throw new DecodeError('mobileprovision.bad_cms', 'not a CMS SignedData', contentInfo.contentStart);
  const signedData = expect(firstChildren(bytes, expect(explicit, 0xa0, 'content [0]', contentInfo.start), 1)[0], 0x30, 'SignedData', contentInfo.start);
  // SignedData: version, digestAlgorithms, encapContentInfo { eContentType, [0] EXPLICIT eContent }, ...
  const encap = expect(firstChildren(bytes, signedData, 3)[2], 0x30, 'EncapsulatedContentInfo', signedData.start);
  const [, wrapped] = firstChildren(bytes, encap, 2);
  if (!wrapped) throw new DecodeError('mobileprovision.no_content', 'the SignedData carries no content (detached signature)', encap.start);
  const inner = expect(wrapped, 0xa0, 'eContent [0]', encap.start);
  const eContent = firstChildren(bytes, inner, 1)[0];
  if (!eContent) throw new DecodeError('mobileprovision.no_content', 'empty eContent', inner.start);
  return octets(bytes, eContent);
}

/** The profile's plist, parsed (XML as Apple writes it; binary or OpenStep content is parsed as such). */
export function profilePlist(bytes: Uint8Array, opts: PlistOptions = {}): PlistValue {
  return parsePlist(cmsContent(bytes), opts).value;
}

function str(v: PlistValue | undefined): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function iso(v: PlistValue | undefined): string | undefined {
  return v instanceof Date && !Number.isNaN(v.getTime()) ? v.toISOString() : undefined;
}

/** Team, type (development / ad-hoc / enterprise / App Store), expiry and signing identity of a provisioning profile. */
export function profileInfo(bytes: Uint8Array, warn: (w: DecodeWarning) => void = () => undefined): ProfileInfo {
  const p = profilePlist(bytes, { warn });
  const devices = plistGet(p, 'ProvisionedDevices');
  const allDevices = plistGet(p, 'ProvisionsAllDevices') === true;
  const getTaskAllow = plistGet(p, 'Entitlements', 'get-task-allow') === true;
  // TN3125: ProvisionsAllDevices marks enterprise (in-house); a device list marks development (get-task-allow) or ad hoc.
  const profileType: ProfileType = allDevices ? 'enterprise' : Array.isArray(devices) ? (getTaskAllow ? 'development' : 'ad-hoc') : getTaskAllow ? 'development' : 'app-store';
  const team = plistGet(p, 'TeamIdentifier', 0);
  const info: ProfileInfo = { profileType };
  const set = <K extends keyof ProfileInfo>(k: K, v: ProfileInfo[K] | undefined) => {
    if (v !== undefined) info[k] = v;
  };
  set('name', str(plistGet(p, 'Name')));
  set('teamId', str(team));
  set('teamName', str(plistGet(p, 'TeamName')));
  set('appIdName', str(plistGet(p, 'AppIDName')));
  set('applicationIdentifier', str(plistGet(p, 'Entitlements', 'application-identifier')));
  set('expirationDate', iso(plistGet(p, 'ExpirationDate')));
  set('creationDate', iso(plistGet(p, 'CreationDate')));
  set('uuid', str(plistGet(p, 'UUID')));
  if (Array.isArray(devices)) info.deviceCount = devices.length;
  const cert = plistGet(p, 'DeveloperCertificates', 0);
  if (cert instanceof Uint8Array && cert.length > 0) {
    info.certificateSha256 = createHash('sha256').update(cert).digest('hex');
    try {
      const subject = certificateSubject(cert);
      const cn = subject && /(?:^|, )CN=((?:\\.|[^,])+)/.exec(subject)?.[1]?.replace(/\\(.)/g, '$1');
      if (cn) info.signingIdentity = cn;
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      warn({ code: 'mobileprovision.bad_certificate', message: `developer certificate: ${e.message}`, offset: e.offset });
    }
  }
  return info;
}

/** Decoder `mobileprovision`: the values of the profile plist inside the CMS envelope, with their key paths. */
export const decodeMobileProvision: Decoder = (bytes, ctx) => plistStrings(profilePlist(bytes, { warn: (w) => ctx.warn(w) }), ctx, 'mobileprovision');
