import { PAID } from './ai.js';
import { CS, UUID, bound, prefixed } from './build.js';
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
    severity: 'high',
    confidence: 'medium',
    pattern: /^[A-Za-z0-9+/]{86}==$/,
    keywords: [],
    whole: { length: [88, 88] },
    minEntropy: 4.8,
    context: { require: /account.?key|storage.?key|azure/i },
    reason: 'storage account key: full control of the storage account once its account name is known',
    pairWith: { ruleId: 'azure-storage-account-name', severity: 'critical', confidence: 'high', reason: 'account key shipped with its account name: full control of every container, queue and table' },
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
  bound({
    id: 'azure-storage-account-name',
    provider: 'azure',
    title: 'Azure Storage account name',
    severity: 'info',
    parts: [[CS.lowerAlnum, 8, 24]],
    context: /(?:storage|azure).{0,20}account.?name|^AccountName$/i,
    names: ['azure_storage_account_name', 'StorageAccountName', 'AccountName'],
    minEntropy: 2,
    reason: 'account name: an identifier; with its account key it is full access',
    seed: 510,
    allow: [/^devstoreaccount1$/],
    noMatch: [{ text: 'devstoreaccount1', context: 'AccountName' }],
  }),
  prefixed({
    id: 'azure-service-bus-connection-string',
    provider: 'azure',
    title: 'Azure Service Bus / Event Hubs / IoT Hub connection string',
    severity: 'high',
    parts: ['Endpoint=sb://', [CS.lowerAlnum, 3, 50], '.servicebus.windows.net/;SharedAccessKeyName=', [CS.b64url, 3, 40], ';SharedAccessKey=', [CS.b64, 43], '='],
    prefixes: ['Endpoint=sb://'],
    keywords: ['sharedaccesskey='],
    boundary: 'A-Za-z0-9',
    reason: 'shared access key: sends, receives or manages according to its policy',
    seed: 511,
  }),
  prefixed({
    id: 'azure-cosmos-connection-string',
    provider: 'azure',
    title: 'Azure Cosmos DB connection string',
    severity: 'critical',
    parts: ['AccountEndpoint=https://', [CS.lowerAlnum, 3, 44], '.documents.azure.com:443/;AccountKey=', [CS.b64, 86], '=='],
    keywords: ['accountendpoint='],
    boundary: 'A-Za-z0-9',
    reason: 'Cosmos DB account key: read and write every database of the account',
    seed: 512,
  }),
  prefixed({
    id: 'azure-ad-client-secret',
    provider: 'azure',
    title: 'Microsoft Entra ID (Azure AD) client secret',
    severity: 'high',
    parts: ['', [{ cls: '[A-Za-z0-9_~.-]', chars: CS.alnum.chars }, 3], '8Q~', [{ cls: '[A-Za-z0-9_~.-]', chars: CS.alnum.chars }, 34]],
    prefixes: [''],
    keywords: ['8q~', '7q~'],
    boundary: 'A-Za-z0-9_~.-',
    reason: 'application client secret: acts as the app registration (Graph API permissions, APIs it is granted)',
    seed: 513,
  }),
  bound({ id: 'azure-maps-key', provider: 'azure', title: 'Azure Maps subscription key', severity: 'low', parts: [[CS.b64url, 43]], context: /azure.{0,20}maps|atlas.{0,10}subscription.?key/i, names: ['AZURE_MAPS_KEY'], minEntropy: 4, reason: 'public by design in map clients, but billed per request: prefer Entra ID or SAS tokens', seed: 514 }),
  bound({ id: 'azure-function-key', provider: 'azure', title: 'Azure Functions key', severity: 'medium', parts: [[CS.b64url, 54], '=='], context: /function.?key|x.?functions.?key|azure.{0,20}func/i, names: ['x-functions-key', 'AZURE_FUNCTION_KEY'], minEntropy: 4, seed: 515 }),
  prefixed({ id: 'azure-appconfig-connection', provider: 'azure', title: 'Azure App Configuration connection string', severity: 'high', parts: ['Endpoint=https://', [CS.lowerAlnum, 3, 50], '.azconfig.io;Id=', [CS.b64url, 4, 20], ';Secret=', [CS.b64, 43], '='], keywords: ['.azconfig.io;id='], boundary: 'A-Za-z0-9', reason: 'access key: reads (or writes) every configuration value and feature flag of the store', seed: 516 }),
  bound({ id: 'azure-sp-client-id', provider: 'azure', title: 'Azure client (application) id', severity: 'info', parts: UUID, context: /azure.{0,20}client.?id|^AZURE_CLIENT_ID$/i, names: ['AZURE_CLIENT_ID'], reason: 'application id: public identifier of the app registration', seed: 517 }),
  bound({ id: 'azure-openai-key', provider: 'azure', title: 'Azure OpenAI / Cognitive Services key', severity: 'high', parts: [[CS.hex, 32]], context: /azure.{0,20}(?:openai|cognitive|speech|translator|vision)|(?:openai|cognitive|speech|translator).{0,20}(?:api.?)?key|ocp.?apim.?subscription.?key/i, names: ['AZURE_OPENAI_API_KEY', 'speechSubscriptionKey', 'Ocp-Apim-Subscription-Key'], minEntropy: 3.4, reason: PAID, seed: 3020 }),
];
