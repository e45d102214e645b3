import { CS, prefixed } from './build.js';
import type { Rule } from './types.js';

/** PGP and PuTTY private key files (PEM and OpenSSH keys are generic: generic/private-key.ts). */
export const keyFileRules: Rule[] = [
  prefixed({
    id: 'pgp-private-key',
    provider: 'pgp',
    title: 'PGP private key block',
    severity: 'critical',
    parts: ['-----BEGIN PGP PRIVATE KEY BLOCK-----', [{ cls: '[A-Za-z0-9+/=\\s:.-]', chars: CS.b64.chars }, 64, 16384]],
    keywords: ['pgp private key'],
    boundary: 'A-Za-z0-9',
    reason: 'PGP private key: signs and decrypts as its owner',
    seed: 910,
  }),
  prefixed({ id: 'putty-private-key', provider: 'putty', title: 'PuTTY private key', severity: 'critical', parts: ['PuTTY-User-Key-File-', [CS.digits, 1], ': ssh-', [CS.lowerAlnum, 3, 20]], keywords: ['putty-user-key-file'], boundary: 'A-Za-z0-9', reason: 'SSH private key in PuTTY format', seed: 911 }),
];
