import { DEFAULT_PASSWORD } from './generic/urls.js';
import { ALNUM, fake } from './fake.js';
import type { Rule } from './types.js';

const pw = (seed: number): string => fake(ALNUM, 16, seed);

/** Database and message-broker connection strings with a password. */
export const databaseRules: Rule[] = [
  {
    id: 'database-connection-string',
    provider: 'database',
    title: 'Database connection string with a password',
    severity: 'critical',
    confidence: 'high',
    // scheme://user:password@host: the secret is up to the host, so the same credential fingerprints the same.
    pattern: /(?<![A-Za-z0-9+.-])(?:mongodb(?:\+srv)?|postgres(?:ql)?|mysql|mariadb|redis|rediss|amqps?|mssql|sqlserver|couchbase|cassandra|neo4j(?:\+s)?|clickhouse):\/\/[A-Za-z0-9._%~!$&'()*+,;=-]{0,64}:[^\s:@/"'<>\\]{3,128}@[A-Za-z0-9.-]{1,253}/,
    keywords: ['://'],
    allow: [DEFAULT_PASSWORD, /@(?:localhost|127\.0\.0\.1|0\.0\.0\.0|host|hostname|server|db|database)$/i],
    reason: 'database password: direct access to the data, bypassing the app’s API',
    adjust: [{ when: { secret: /^(?:redis|rediss|amqps?):/ }, severity: 'high', reason: 'cache or queue password: read and inject messages or cached data' }],
    examples: {
      match: [
        `mongodb+srv://app:${pw(9501)}@cluster0.ab1cd.mongodb.net/prod?retryWrites=true`,
        `postgresql://orbit:${pw(9502)}@db.orbit-notes.io:5432/notes`,
        `"redis://default:${pw(9503)}@redis-12345.c1.eu-west-1-2.ec2.cloud.redislabs.com:12345"`,
        `amqps://worker:${pw(9504)}@rabbit.orbit-notes.io/vhost`,
      ],
      noMatch: ['mongodb://user:password@localhost:27017', 'postgres://postgres:postgres@localhost/db', 'amqp://guest:guest@rabbit.orbit-notes.io', 'mongodb://cluster0.ab1cd.mongodb.net/prod', `redis://:${'x'.repeat(12)}@cache.orbit-notes.io`, 'jdbc:mysql://${DB_HOST}/app?user=${USER}'],
    },
  },
];
