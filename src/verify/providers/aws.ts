/**
 * AWS: an access key pair asks STS who it is (GetCallerIdentity, signed with the AWS SDK's SigV4 signer, which needs
 * no permission at all), and a Cognito identity pool is asked for an unauthenticated identity.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { ev, evidence, field, invalid, live, unexpected, type SecretFinding, type Verifier, type VerifyContext, type VerifyResponse } from '../types.js';

const STS = 'https://sts.amazonaws.com';
/** Regions with Cognito identity pools (endpoint `cognito-identity.<region>.amazonaws.com`). */
export const COGNITO_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1', 'mx-central-1',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2',
  'ap-south-1', 'ap-south-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5',
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-east-1', 'me-south-1', 'me-central-1', 'il-central-1',
  'af-south-1', 'us-gov-west-1', 'us-gov-east-1',
] as const;

/** The text of one XML element of an STS answer (`<Arn>...</Arn>`), bounded. */
function xmlText(body: Buffer, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([^<]{0,2048})</${tag}>`).exec(body.toString('utf8', 0, Math.min(body.length, 65536)));
  return m ? m[1] : undefined;
}

/** The key id and secret of a finding of either rule. */
function keyPair(f: SecretFinding, ctx: VerifyContext): { id: SecretFinding; secret: SecretFinding } | undefined {
  if (f.ruleId === 'aws-access-key-id') {
    const secret = ctx.partners(f, 'aws-secret-access-key')[0];
    return secret ? { id: f, secret } : undefined;
  }
  const id = ctx.partners(f, 'aws-access-key-id')[0];
  return id ? { id, secret: f } : undefined;
}

function stsError(res: VerifyResponse): string | undefined {
  return xmlText(res.body, 'Code');
}

export const awsVerifiers: Verifier[] = [
  {
    id: 'aws-sts',
    provider: 'aws',
    ruleIds: ['aws-access-key-id', 'aws-secret-access-key'],
    calls: [{ method: 'POST', origin: STS, path: /^\/$/, doc: 'POST / Action=GetCallerIdentity (SigV4)' }],
    readOnly: 'GetCallerIdentity returns the account and ARN of the caller; it needs no permission and changes nothing.',
    plan(f, ctx) {
      const pair = keyPair(f, ctx);
      if (!pair) return { unverifiable: f.ruleId === 'aws-access-key-id' ? 'an access key id is checked with its secret access key, which this app does not hold' : 'a secret access key is checked with its access key id, which this app does not hold' };
      if (/^ASIA/.test(pair.id.secret)) return { unverifiable: 'a temporary (ASIA) key also needs its session token, which this app does not hold' };
      return {
        host: STS,
        call: 'POST / (GetCallerIdentity)',
        fingerprints: [pair.id.fingerprint, pair.secret.fingerprint],
        async run(http) {
          const body = 'Action=GetCallerIdentity&Version=2011-06-15';
          const signer = new SignatureV4({ service: 'sts', region: 'us-east-1', credentials: { accessKeyId: pair.id.secret, secretAccessKey: pair.secret.secret }, sha256: Sha256 });
          const signed = await signer.sign({ method: 'POST', protocol: 'https:', hostname: 'sts.amazonaws.com', path: '/', headers: { host: 'sts.amazonaws.com', 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body });
          const headers = Object.fromEntries(Object.entries(signed.headers).filter(([k]) => k.toLowerCase() !== 'host'));
          const res = await http.request({ method: 'POST', url: `${STS}/`, headers: { ...headers, accept: 'text/xml' }, body });
          if (res.status === 200 && xmlText(res.body, 'Arn')) {
            const account = xmlText(res.body, 'Account');
            return live(`STS knows the key pair: account ${ev(account, 20)}`, evidence({ account: ev(account, 20), arn: ev(xmlText(res.body, 'Arn'), 300), userId: ev(xmlText(res.body, 'UserId'), 200) }));
          }
          const code = stsError(res);
          if (res.status === 403 && code) return invalid(`STS refused the key pair (${ev(code, 60)})`);
          return unexpected(res, 'AWS STS GetCallerIdentity');
        },
      };
    },
  },
  {
    id: 'aws-cognito-unauthenticated',
    provider: 'aws',
    ruleIds: ['aws-cognito-identity-pool'],
    calls: COGNITO_REGIONS.map((r) => ({ method: 'POST' as const, origin: `https://cognito-identity.${r}.amazonaws.com`, path: /^\/$/, doc: 'POST / X-Amz-Target: AWSCognitoIdentityService.GetId (no logins)' })),
    readOnly: 'GetId without logins returns a guest identity id, as every install of the app gets; it grants nothing by itself and changes no configuration.',
    plan(f) {
      const region = f.secret.split(':')[0]!;
      if (!(COGNITO_REGIONS as readonly string[]).includes(region)) return { unverifiable: `no known Cognito endpoint for region ${region.slice(0, 30)}` };
      const origin = `https://cognito-identity.${region}.amazonaws.com`;
      return {
        host: origin,
        call: 'POST / (GetId, unauthenticated)',
        fingerprints: [f.fingerprint],
        async run(http) {
          const res = await http.request({ method: 'POST', url: `${origin}/`, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityService.GetId' }, body: JSON.stringify({ IdentityPoolId: f.secret }) });
          if (res.status === 200 && typeof field(res.json(), 'IdentityId') === 'string') return live('the identity pool hands out unauthenticated identities: anyone gets its guest role’s AWS credentials', evidence({ unauthenticated: true, region }));
          const type = ev(field(res.json(), '__type'), 100) ?? '';
          if (res.status === 400 && /NotAuthorizedException/.test(type)) return invalid('the identity pool does not allow unauthenticated identities');
          if (res.status === 400 && /ResourceNotFoundException/.test(type)) return invalid('no such identity pool');
          return unexpected(res, 'AWS Cognito GetId');
        },
      };
    },
  },
];
