import { BASE64, fake } from '../fake.js';
import type { Rule } from '../types.js';

const pem = (label: string, seed: number, newline = '\n'): string => {
  const body = fake(BASE64, 320, seed);
  const lines = [body.slice(0, 64), body.slice(64, 128), body.slice(128, 192), body.slice(192, 256), body.slice(256)];
  return [`-----BEGIN ${label}-----`, ...lines, `-----END ${label}-----`].join(newline);
};

/** PEM and OpenSSH private keys (provider generic: no one vendor issues them). */
export const privateKeyRules: Rule[] = [
  {
    id: 'private-key',
    provider: 'generic',
    title: 'Private key',
    severity: 'critical',
    confidence: 'high',
    // Legacy encrypted PEM: RFC 1421 headers (Proc-Type, DEK-Info) between the BEGIN line and the body.
    pattern:
      /-----BEGIN (?:(?:RSA|EC|DSA|OPENSSH|ENCRYPTED) )?PRIVATE KEY-----(?:\\n|\r\n|\n)?(?:Proc-Type: 4,ENCRYPTED(?:\\n|\r\n|\n)DEK-Info: [A-Z0-9-]{3,30},[0-9A-Fa-f]{16,32}(?:\\n|\r\n|\n){1,2})?[A-Za-z0-9+/=\s\\]{64,16384}(?:-----END (?:(?:RSA|EC|DSA|OPENSSH|ENCRYPTED) )?PRIVATE KEY-----)?/,
    keywords: ['private key'],
    reason: 'private key: whoever holds it can sign or decrypt as its owner',
    adjust: [
      {
        // io.netty.handler.ssl.OpenSsl PROBING_KEY, also shaded into grpc-netty: the same key in every app bundling Netty.
        when: { secret: /a84ENvkWzWgFGtVAe5iZUChqrAPNdgnQs7Brb3cCBYRD/ },
        severity: 'info',
        reason: "public key material from Netty's OpenSsl self-test (io.netty.handler.ssl.OpenSsl), shipped in every app that bundles Netty: not this app's secret",
      },
      { when: { secret: /ENCRYPTED/ }, severity: 'high', reason: 'encrypted private key: needs its passphrase, which apps often ship nearby' },
    ],
    examples: {
      match: [
        pem('RSA PRIVATE KEY', 901),
        pem('PRIVATE KEY', 902, '\\n'),
        pem('OPENSSH PRIVATE KEY', 903),
        pem('EC PRIVATE KEY', 904, '\r\n'),
        pem('ENCRYPTED PRIVATE KEY', 905),
        pem('RSA PRIVATE KEY', 906).replace('-----\n', '-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,3F2A9C1D0B7E6F5A4C3B2A1908F7E6D5\n\n'),
      ],
      noMatch: [
        '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----',
        '-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----',
        'const PEM_HEADER = "-----BEGIN PRIVATE KEY-----";',
        pem('CERTIFICATE', 907),
      ],
    },
  },
];
