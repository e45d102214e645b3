/**
 * Values that providers' documentation publishes: the Azure storage emulator key, the jwt.io sample token, AWS's
 * `...EXAMPLE` keys, documented test keys. Found anywhere, they are reported at info as "published example value",
 * never higher: anyone can read them, so they unlock nothing (or only an emulator on localhost).
 *
 * An entry belongs here only if some rule reports the value above info on its own (test/detect/rules.test.ts checks this)
 * and the exact value is in the provider's documentation. Prefixes that secret scanners look for are split in the
 * source (`xox${'b'}-`), as in the rule modules.
 */

const b64url = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');

/** What every published value says about itself. */
interface PublishedBase {
  provider: string;
  /** What the value is, e.g. "Azure Storage emulator (Azurite) well-known account key". */
  what: string;
  /** Where it is published: a URL, or the document's name. */
  where: string;
}

/** One exact published value. */
export interface PublishedValue extends PublishedBase {
  value: string;
}

/** A family of values a provider documents by a convention (AWS's key ids ending in `EXAMPLE`). */
export interface PublishedFamily extends PublishedBase {
  /** Anchored `^...$`, bounded. Tried only on values passing `gate`. */
  pattern: RegExp;
  /** Cheap checks before the pattern runs: exact length and literal ending. */
  gate: { length: number; endsWith: string };
  /** Documented members, each checked by the tests. */
  instances: string[];
}

export type PublishedExample = PublishedValue | PublishedFamily;

const AWS_CLI_CONFIG = 'AWS CLI User Guide, configuration and credential files: https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html';
const AZURITE = 'Microsoft Learn, Use the Azurite emulator (well-known storage account and key): https://learn.microsoft.com/azure/storage/common/storage-use-azurite';

/** The jwt.io debugger's default token: HS256 over this header and payload with the secret `your-256-bit-secret`. */
const JWT_IO_SAMPLE = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url('{"sub":"1234567890","name":"John Doe","iat":1516239022}')}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c`;

/** Exact published values. */
export const PUBLISHED_VALUES: readonly PublishedValue[] = [
  { provider: 'aws', what: 'AWS documentation example access key id', where: AWS_CLI_CONFIG, value: 'AKIAIOSFODNN7EXAMPLE' },
  { provider: 'aws', what: 'AWS documentation example secret access key', where: AWS_CLI_CONFIG, value: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  { provider: 'aws', what: 'AWS documentation example secret access key (second profile)', where: AWS_CLI_CONFIG, value: 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY' },
  {
    provider: 'azure',
    what: 'Azure Storage emulator (Azurite) well-known account key of devstoreaccount1',
    where: AZURITE,
    value: 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
  },
  {
    provider: 'azure',
    what: 'Azure Cosmos DB emulator well-known account key',
    where: 'Microsoft Learn, Azure Cosmos DB emulator (authentication): https://learn.microsoft.com/azure/cosmos-db/emulator',
    value: 'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==',
  },
  { provider: 'generic', what: 'jwt.io debugger default sample token (HS256, secret "your-256-bit-secret")', where: 'https://jwt.io', value: JWT_IO_SAMPLE },
  { provider: 'stripe', what: 'Stripe API reference sample test-mode secret key', where: 'Stripe API reference: https://docs.stripe.com/api', value: `sk_${'test'}_4eC39HqLyjWDarjtT1zdp7dc` },
  { provider: 'stripe', what: 'Stripe documentation sample test-mode secret key', where: 'Stripe documentation curl examples: https://docs.stripe.com', value: `sk_${'test'}_BQokikJOvBiI2HlWgH4olfQ2` },
  {
    provider: 'slack',
    what: 'Slack OAuth v2 documentation sample bot token',
    where: 'Slack API, Installing with OAuth (oauth.v2.access response): https://api.slack.com/authentication/oauth-v2',
    value: `xox${'b'}-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy`,
  },
  {
    provider: 'google',
    what: 'Google Maps Platform JavaScript samples API key',
    where: 'Maps JavaScript API examples: https://developers.google.com/maps/documentation/javascript/examples (github.com/googlemaps/js-samples)',
    value: `AI${'za'}SyB41DRUbKWJHPxaFjMAwdrzWzbVKartNGg`,
  },
];

/** Families of published values. */
export const PUBLISHED_FAMILIES: readonly PublishedFamily[] = [
  {
    provider: 'aws',
    what: 'AWS documentation example access key id (AWS documents its example key ids with the EXAMPLE suffix)',
    where: 'AWS documentation, e.g. IAM User Guide and STS API reference: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html',
    pattern: /^A(?:KIA|SIA)[A-Z0-9]{9}EXAMPLE$/,
    gate: { length: 20, endsWith: 'EXAMPLE' },
    instances: ['ASIAIOSFODNN7EXAMPLE'],
  },
];

/** Every published value and family. */
export const PUBLISHED: readonly PublishedExample[] = [...PUBLISHED_VALUES, ...PUBLISHED_FAMILIES];

/** A published value is looked for inside a longer secret (a key inside a connection string) when at least this long. */
export const MIN_CONTAINED_LENGTH = 20;
/** Secrets longer than this are not searched for contained published values. */
export const MAX_CONTAINER_LENGTH = 8192;

const BY_VALUE = new Map(PUBLISHED_VALUES.map((e) => [e.value, e]));
const CONTAINABLE = PUBLISHED_VALUES.filter((e) => e.value.length >= MIN_CONTAINED_LENGTH);
const FAMILY_LENGTHS = new Set(PUBLISHED_FAMILIES.map((f) => f.gate.length));

/** The published example `secret` is, exactly: a Map lookup, then the few family patterns behind a length and ending gate. */
export function publishedExample(secret: string): PublishedExample | undefined {
  const exact = BY_VALUE.get(secret);
  if (exact) return exact;
  if (!FAMILY_LENGTHS.has(secret.length)) return undefined;
  return PUBLISHED_FAMILIES.find((f) => secret.length === f.gate.length && secret.endsWith(f.gate.endsWith) && f.pattern.test(secret));
}

/**
 * The published example `secret` is, with surrounding whitespace trimmed, or contains (a multi-part secret such as a
 * connection string holding a published key).
 */
export function publishedExampleIn(secret: string): PublishedExample | undefined {
  const found = publishedExample(secret);
  if (found) return found;
  const trimmed = secret.trim();
  if (trimmed !== secret) {
    const t = publishedExample(trimmed);
    if (t) return t;
  }
  if (trimmed.length <= MIN_CONTAINED_LENGTH || trimmed.length > MAX_CONTAINER_LENGTH) return undefined;
  return CONTAINABLE.find((e) => e.value.length < trimmed.length && trimmed.includes(e.value));
}

/** The finding reason for a published value. */
export function publishedReason(e: PublishedExample): string {
  return `published example value: ${e.what} (${e.where})`;
}
