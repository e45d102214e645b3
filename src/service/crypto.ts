import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';

export { keyedFingerprint } from '../detect/fingerprint.js';

/** File in the data directory holding the generated fingerprint key when none is configured. */
export const FINGERPRINT_KEY_FILE = 'fingerprint.key';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ENVELOPE = 'v1';

/** AES-256-GCM: `v1:` + base64(iv | tag | ciphertext); `aad` (the fingerprint) binds the value to its finding. */
export function encryptSecret(key: Buffer, plaintext: string, aad: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${ENVELOPE}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

/** Reverses encryptSecret; throws when the key, the aad or the ciphertext is wrong. */
export function decryptSecret(key: Buffer, envelope: string, aad: string): string {
  const [version, data] = envelope.split(':', 2);
  if (version !== ENVELOPE || !data) throw new Error('unknown secret envelope');
  const raw = Buffer.from(data, 'base64');
  if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('secret envelope too short');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
}

/** The fingerprint key: the configured one, else the one in dataDir, else a new one written there (mode 0600). */
export function loadFingerprintKey(dataDir: string, configured?: string): Buffer {
  if (configured) return Buffer.from(configured, 'hex');
  const file = join(dataDir, FINGERPRINT_KEY_FILE);
  if (existsSync(file)) {
    const hex = readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/i.test(hex)) throw new Error(`${file} does not hold a 64-hex-character key`);
    return Buffer.from(hex, 'hex');
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  try {
    writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return loadFingerprintKey(dataDir);
    throw e;
  }
  return key;
}

/** Keys the service uses on findings: fingerprints always, encryption only when raw secrets are stored. */
export interface FindingKeys {
  fingerprint: Buffer;
  /** Present only when raw secrets are stored. */
  encryption?: Buffer;
}

/** The keys used on findings, from the configuration and the data directory. */
export function findingKeys(config: Config): FindingKeys {
  const keys: FindingKeys = { fingerprint: loadFingerprintKey(config.dataDir, config.secrets.fingerprintKey) };
  if (config.secrets.store && config.secrets.encryptionKey) keys.encryption = Buffer.from(config.secrets.encryptionKey, 'hex');
  return keys;
}
