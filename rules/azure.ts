import { BASE64, fake } from './fake.js';
import type { Rule } from './types.js';

const accountKey = `${fake(BASE64, 86, 501)}==`;
const sasSig = `${fake(BASE64, 20, 502)}%2B${fake(BASE64.replace(/[+/]/g, ''), 20, 503)}%2F${fake(BASE64.replace(/[+/]/g, ''), 3, 504)}%3D`;
const sasUrl = `https://orbitnotes.blob.core.windows.net/uploads?sv=2022-11-02&ss=b&srt=co&sp=rwdlac&se=2026-01-01T00:00:00Z&st=2024-01-01T00:00:00Z&spr=https&sig=${sasSig}`;

/** Microsoft Azure storage credentials. */
export const azureRules: Rule[] = [
  {
    id: 'azure-storage-connection-string',
    provider: 'azure',
    title: 'Azure Storage connection string',
    severity: 'critical',
    confidence: 'high',
    pattern: /DefaultEndpointsProtocol=https?;AccountName=[a-z0-9]{3,24};AccountKey=[A-Za-z0-9+/]{86}==(?:;EndpointSuffix=[a-z0-9.]{3,60})?/,
    keywords: ['defaultendpointsprotocol'],
    reason: 'storage account key: full control of every container, queue and table in the account',
    examples: {
      match: [
        `DefaultEndpointsProtocol=https;AccountName=orbitnotes;AccountKey=${accountKey};EndpointSuffix=core.windows.net`,
        { text: `DefaultEndpointsProtocol=http;AccountName=orbit01;AccountKey=${fake(BASE64, 86, 505)}==`, context: 'StorageConnection' },
      ],
      noMatch: [
        'DefaultEndpointsProtocol=https;AccountName=devstoreaccount1;AccountKey=<account-key>',
        `DefaultEndpointsProtocol=https;AccountName=orbitnotes;AccountKey=${fake(BASE64, 40, 506)}==`,
        'UseDevelopmentStorage=true',
      ],
    },
  },
  {
    id: 'azure-storage-account-key',
    provider: 'azure',
    title: 'Azure Storage account key',
    severity: 'critical',
    confidence: 'medium',
    pattern: /^[A-Za-z0-9+/]{86}==$/,
    keywords: [],
    whole: { length: [88, 88] },
    minEntropy: 4.8,
    context: { require: /account.?key|storage.?key|azure/i },
    reason: 'storage account key: full control of the storage account',
    examples: {
      match: [{ text: accountKey, context: 'azure_storage_account_key' }, { text: accountKey, context: 'StorageKey' }],
      noMatch: [accountKey, { text: accountKey, context: 'signature' }, { text: `${'A'.repeat(86)}==`, context: 'azure_account_key' }],
    },
  },
  {
    id: 'azure-sas-token',
    provider: 'azure',
    title: 'Azure shared access signature',
    severity: 'high',
    confidence: 'high',
    // The token is the query from sv= to sig= (either order); other parameters in between are bounded.
    pattern:
      /(?<![A-Za-z0-9_])(?:sv=[0-9]{4}-[0-9]{2}-[0-9]{2}[A-Za-z0-9%:.&=_-]{0,400}?&sig=[A-Za-z0-9%/+=]{40,120}(?![A-Za-z0-9%/+=])|sig=[A-Za-z0-9%/+=]{40,120}&[A-Za-z0-9%:.&=_-]{0,400}?sv=[0-9]{4}-[0-9]{2}-[0-9]{2})/,
    keywords: ['sig='],
    reason: 'shared access signature: grants what its sp= permissions say until its se= expiry',
    examples: {
      match: [sasUrl, `?sig=${sasSig}&se=2030-01-01&sp=r&sv=2021-06-08&sr=b`],
      noMatch: [`https://cdn.orbitnotes.app/download?sig=${sasSig}`, 'sv=2022-11-02&sig=short', `sv=2022-11-02&sig=${'x'.repeat(44)}`, `sv=2022-11-02${'&sp=r'.repeat(90)}&sig=${sasSig}`],
    },
  },
];
