import { CS, bound, prefixed } from './build.js';
import { BASE32, BASE64, HEX, fake } from './fake.js';
import type { Rule } from './types.js';

const keyId = `AKIA${fake(BASE32, 16, 401)}`;
const secretKey = fake(BASE64, 40, 402);
const poolId = 'eu-west-1:3f1c2a9e-7b44-4d0e-9a51-6c2f8e0b1d73';

/** AWS credentials and identifiers. */
export const awsRules: Rule[] = [
  {
    id: 'aws-access-key-id',
    provider: 'aws',
    title: 'AWS access key id',
    severity: 'high',
    confidence: 'high',
    pattern: /(?<![A-Za-z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Za-z0-9])/,
    keywords: ['akia', 'asia', 'abia', 'acca', 'a3t'],
    reason: 'access key id alone: identifies the key; look for its secret nearby',
    examples: {
      // The documentation example is reported, at info, by rules/published.ts.
      match: [keyId, `aws_access_key_id=${keyId}`, `ASIA${fake(BASE32, 16, 403)}`, { text: keyId, context: 'accessKey' }, 'AKIAIOSFODNN7EXAMPLE'],
      noMatch: [`AKIA${fake(BASE32, 15, 404)}`, `xAKIA${fake(BASE32, 16, 405)}`, 'Asia/Kolkata Asia/Karachi', `AKIA${'A'.repeat(16)}`],
    },
  },
  {
    id: 'aws-secret-access-key',
    provider: 'aws',
    title: 'AWS secret access key',
    severity: 'critical',
    confidence: 'medium',
    pattern: /^[A-Za-z0-9/+]{40}$/,
    keywords: [],
    whole: { length: [40, 40] },
    minEntropy: 4.1,
    secretMustMatch: [/[a-z]/, /[A-Z]/, /[0-9]/],
    // `secret_access_key` is AWS's own term; a bare `secretKey` is any provider's, and AWS's only beside an AKIA id.
    context: { require: /aws.{0,30}secret|secret.?access.?key/i, orPaired: true, code: /^arg 1 of com\.amazonaws\.auth\.(?:BasicAWSCredentials|BasicSessionCredentials)\.<init>(?: |$)/ },
    pairWith: { ruleId: 'aws-access-key-id', severity: 'critical', confidence: 'high', reason: 'secret access key shipped with its access key id' },
    examples: {
      match: [
        { text: secretKey, context: 'aws_secret_access_key' },
        { text: secretKey, context: 'SECRET_ACCESS_KEY' },
        { text: fake(BASE64, 40, 406), context: 'AWS_SECRET' },
        { text: secretKey, code: 'arg 1 of com.amazonaws.auth.BasicAWSCredentials.<init> in a.b.c.a' },
        // The documentation example is reported, at info, by rules/published.ts.
        { text: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', context: 'aws_secret_access_key' },
      ],
      noMatch: [
        secretKey,
        { text: fake(HEX, 40, 407), context: 'aws_secret_access_key' },
        { text: fake(BASE64, 41, 408), context: 'aws_secret_access_key' },
        { text: secretKey, context: 'sha1' },
        { text: secretKey, context: 'secretKey' },
        { text: secretKey, context: 'SECRET_KEY' },
      ],
    },
  },
  {
    id: 'aws-cognito-identity-pool',
    provider: 'aws',
    title: 'AWS Cognito identity pool id',
    severity: 'medium',
    confidence: 'high',
    pattern: /(?<![a-z0-9-])(?:us|eu|ap|ca|sa|me|af|il|mx)(?:-gov)?-[a-z]{4,9}-[0-9]:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9a-f])/,
    keywords: ['east-', 'west-', 'south-', 'north-', 'central-'],
    reason: 'identity pool id: unauthenticated identities get its guest role; check that role is not over-privileged',
    examples: {
      match: [poolId, { text: poolId, context: 'PoolId' }, '"CognitoIdentity":{"Default":{"PoolId":"us-east-1:0b6f9d2c-1a3e-4f5b-8c7d-9e0a1b2c3d4e","Region":"us-east-1"}}'],
      noMatch: ['eu-west-1', 'us-east-1:not-a-uuid', 'xx-west-1:3f1c2a9e-7b44-4d0e-9a51-6c2f8e0b1d73', 'eu-west-1_AbCdEfGhI'],
    },
  },
  prefixed({
    id: 'aws-appsync-api-key',
    provider: 'aws',
    title: 'AWS AppSync API key',
    severity: 'medium',
    parts: ['da2-', [CS.lowerAlnum, 26]],
    boundary: 'A-Za-z0-9_-',
    secretMustMatch: [/[0-9]/, /[a-z]/],
    reason: 'AppSync API key: anyone can call the GraphQL API with the permissions the key auth mode allows',
    seed: 409,
  }),
  prefixed({ id: 'aws-bedrock-api-key', provider: 'aws', title: 'Amazon Bedrock API key', severity: 'critical', parts: ['ABSK', [CS.b64, 100, 300]], boundary: 'A-Za-z0-9+/', secretMustMatch: [/[0-9]/, /[a-z]/], reason: 'Bedrock API key: model invocations billed to the account', seed: 410 }),
  prefixed({ id: 'amazon-mws-token', provider: 'aws', title: 'Amazon MWS auth token', severity: 'high', parts: ['amzn.mws.', [CS.hex, 8], '-', [CS.hex, 4], '-', [CS.hex, 4], '-', [CS.hex, 4], '-', [CS.hex, 12]], boundary: 'A-Za-z0-9', seed: 411 }),
  bound({ id: 'aws-cognito-client-secret', provider: 'aws', title: 'AWS Cognito user pool app client secret', severity: 'medium', parts: [[CS.lowerAlnum, 51, 52]], context: /client.?secret|AppClientSecret/i, names: ['AppClientSecret', 'COGNITO_CLIENT_SECRET'], minEntropy: 4, secretMustMatch: [/[0-9]/, /[a-z]/], reason: 'app client secret: public clients should not have one; with it, anyone can call the user pool as this client', seed: 9030 }),
];
