import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyPluginAsync, type FastifyRequest } from 'fastify';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.js';
import { appRoutes } from './routes/apps.js';
import './routes/context.js';
import { healthRoutes } from './routes/health.js';
import { MULTIPART_LIMITS, scanRoutes } from './routes/scans.js';
import { settingsRoutes } from './routes/settings.js';
import { watchRoutes } from './routes/watches.js';
import { feedRoutes, orgRoutes } from './routes/orgs.js';
import { webRoutes } from './routes/web.js';
import { WatchService } from './market/watches.js';
import { OrgService } from './market/orgs.js';
import { FeedService } from './service/feeds.js';
import { authenticate, hasScope, type AuthContext } from './service/auth.js';
import { FailedAuthLimiter } from './service/auth-throttle.js';
import { LINK_KEY_ID, reportLinkKey, verifyReportLink } from './service/links.js';
import type { FindingKeys } from './service/crypto.js';
import { HttpError } from './service/errors.js';
import { prettyDestination, type LogFormat } from './service/pretty-log.js';
import { HistoryService } from './service/history.js';
import type { JobRunner } from './service/jobs.js';
import type { JobQueue } from './service/queue.js';
import type { BlobStore } from './blobs/types.js';
import type { Metrics } from './service/metrics.js';
import { ScanService } from './service/scans.js';
import type { ScanThread } from './service/scan-thread.js';
import type { Store } from './store/types.js';
import { TOOL_VERSION } from './version.js';

/** What the app is built from: server.ts (for `leakdex serve`, src/cli/service.ts) or a test creates these. */
export interface AppDeps {
  config: Config;
  store: Store;
  metrics: Metrics;
  keys: FindingKeys;
  /** The runner scanning in this process, when there is one (`wait` and /readyz use it). */
  runner?: JobRunner;
  /** The thread that inspects uploads (and runs the runner's scans); the app makes its own when absent. */
  thread?: ScanThread;
  /** Where uploads wait for their scan; the runner's, or the data directory, when absent. */
  blobs?: BlobStore;
  /** PostgreSQL mode: the job queue uploads are queued in (and /v1/admin/jobs lists). */
  queue?: JobQueue;
}

/** Log fields never written as they are: keys, tokens, secret values. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'token',
  '*.token',
  'secret',
  '*.secret',
  '*.*.secret',
  'apiKey',
  '*.apiKey',
  'encryptionKey',
  '*.encryptionKey',
  'fingerprintKey',
  '*.fingerprintKey',
];

/** A request as logged: the signature of a signed report link (`link=`) in its URL is a credential and is left out. */
function requestForLog(req: { method?: string; url?: string; host?: string; hostname?: string; ip?: string; socket?: { remotePort?: number } }) {
  return { method: req.method, url: req.url?.replace(/([?&]link=[^&]*\.)[^.&]*/g, '$1[redacted]'), host: req.host ?? req.hostname, remoteAddress: req.ip, remotePort: req.socket?.remotePort };
}

/** The service's pino logger, redacted: JSON lines, or one readable line per record with `format` pretty (LOG_FORMAT). */
export function createLogger(level: string, stream?: DestinationStream, format: LogFormat = 'json'): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, serializers: { req: requestForLog } };
  if (format === 'pretty') return pino(options, prettyDestination((stream as NodeJS.WritableStream | undefined) ?? process.stdout));
  return stream ? pino(options, stream) : pino(options);
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Keeps a caller's X-Request-Id when it is sane, else makes one. */
function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** The multipart parser's own errors (busboy: no boundary, a body cut short), which carry no status code of their own. */
const MULTIPART_PARSER_ERRORS = /^(?:Multipart: Boundary not found|Boundary required|Unexpected end of multipart data|\w+ terminated early due to unexpected end of multipart data)$/;

/**
 * The leakdex HTTP API as a plugin: security headers, OpenAPI, multipart uploads, per-key rate limits, auth by
 * route scope, one error handler that hides 5xx details, then the routes. Not encapsulated (it owns the app).
 */
export const leakdexApp: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { config, store, metrics, runner } = deps;

  await app.register(helmet, { global: true });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'leakdex', version: TOOL_VERSION, description: 'Finds hardcoded secrets in mobile app binaries. See docs/service.md.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key from `leakdex keys create`.' } } },
      security: [{ bearer: [] }],
      tags: [{ name: 'scans' }, { name: 'apps' }, { name: 'operations' }],
    },
    transform: ({ schema, url, route }) => {
      if (url === '/v1/scans' && route.method === 'POST') {
        return { schema: { ...schema, body: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary', description: 'The APK, AAB or IPA.' } } } }, url } as never;
      }
      return { schema, url } as never;
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  await app.register(multipart, { throwFileSizeLimit: true, limits: { fileSize: config.limits.maxUploadBytes, ...MULTIPART_LIMITS } });
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    max: config.rateLimit.max,
    timeWindow: config.rateLimit.windowMs,
    keyGenerator: (request) => (request.auth && !request.auth.viaLink ? `key:${request.auth.keyId}` : `ip:${request.ip}`),
    errorResponseBuilder: (_request, context) => ({ statusCode: context.statusCode, error: 'rate_limited', message: `rate limit exceeded: ${context.max} requests per ${context.after}` }),
  });

  const throttle = new FailedAuthLimiter(config.rateLimit.authFailures, config.rateLimit.authWindowMs);
  const linkKey = reportLinkKey(deps.keys.fingerprint);

  /** The caller a signed report link names, when the link holds for this scan and format. */
  const linkCaller = async (request: FastifyRequest, token: string): Promise<AuthContext> => {
    const scanId = (request.params as { id?: string }).id ?? '';
    const format = (request.query as { format?: unknown }).format;
    const checked = verifyReportLink(linkKey, token, scanId, typeof format === 'string' ? format : '', Math.floor(Date.now() / 1000));
    if ('error' in checked && checked.error === 'expired') throw new HttpError(403, 'link_expired', 'this report link has expired: ask for a new one (POST /v1/scans/:id/links)');
    const tenant = 'error' in checked ? undefined : await store.getTenant(checked.tenantId);
    if (!tenant) {
      throttle.fail(request.ip);
      throw new HttpError(403, 'link_invalid', 'this report link is not valid for this scan and format');
    }
    return { keyId: LINK_KEY_ID, tenantId: tenant.id, tenantName: tenant.name, scopes: ['read'], viaLink: true };
  };

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    const routeConfig = request.routeOptions.config;
    const scope = routeConfig?.scope;
    if (!scope) return;
    // An address that failed too often is refused before its credentials are looked at, right or wrong.
    const retryAfter = throttle.retryAfter(request.ip);
    if (retryAfter > 0) {
      reply.header('retry-after', String(retryAfter));
      throw new HttpError(429, 'rate_limited', `too many failed authentications from this address: try again in ${retryAfter} s`);
    }
    const header = request.headers.authorization;
    const link = routeConfig.signedLinks ? (request.query as { link?: unknown }).link : undefined;
    let auth: AuthContext | undefined;
    if (header === undefined && typeof link === 'string') auth = await linkCaller(request, link);
    else {
      const match = BEARER.exec(header ?? '');
      if (!match) {
        if (header !== undefined) throttle.fail(request.ip);
        throw new HttpError(401, 'unauthorized', 'send an API key: Authorization: Bearer KEY');
      }
      auth = await authenticate(store, match[1]!);
      if (!auth) {
        throttle.fail(request.ip);
        throw new HttpError(401, 'unauthorized', 'the API key is unknown or revoked');
      }
    }
    if (!hasScope(auth, scope)) throw new HttpError(403, 'forbidden', `this API key lacks the '${scope}' scope`);
    request.auth = auth;
    request.log = request.log.child({ tenant: auth.tenantName, keyId: auth.keyId });
  });

  app.addHook('onResponse', async (request, reply) => {
    metrics.request(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((err: FastifyError | HttpError, request, reply) => {
    let status = typeof err.statusCode === 'number' ? err.statusCode : 500;
    let code = 'bad_request';
    let message = err.message;
    const fastifyCode = (err as FastifyError).code;
    if (err instanceof HttpError) code = err.code;
    else if ((err as FastifyError).validation) {
      status = 400;
      code = 'invalid_request';
    } else if (fastifyCode === 'FST_REQ_FILE_TOO_LARGE') {
      status = 413;
      code = 'too_large';
      message = `the upload exceeds the limit of ${config.limits.maxUploadBytes} bytes`;
    } else if (fastifyCode === 'FST_FILES_LIMIT') {
      status = 400;
      code = 'too_many_files';
      message = "the multipart body holds more than one file: send one, in the field 'file'";
    } else if (fastifyCode === 'FST_PARTS_LIMIT' || fastifyCode === 'FST_FIELDS_LIMIT') {
      status = 400;
      code = 'too_many_parts';
      message = `the multipart body holds too many parts: send one file in the field 'file' and at most ${MULTIPART_LIMITS.fields} other fields`;
    } else if (fastifyCode === 'FST_INVALID_MULTIPART_CONTENT_TYPE' || fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      status = 415;
      code = 'unsupported_media_type';
      message = "send the file as multipart/form-data in the field 'file'";
    } else if (MULTIPART_PARSER_ERRORS.test(err.message)) {
      status = 400;
      code = 'malformed_multipart';
      message = `the multipart/form-data body cannot be read: ${/boundary/i.test(err.message) ? 'its Content-Type has no boundary' : 'the body ends before its closing boundary'}`;
    } else if ((err as { error?: string }).error === 'rate_limited') code = 'rate_limited';
    else if (status === 413) code = 'too_large';
    // An HttpError's status is chosen (a 502 names a source that failed); any other 5xx hides its details.
    if (!(err instanceof HttpError) && (status >= 500 || status < 400)) {
      request.log.error({ err }, 'request failed');
      status = 500;
      code = 'internal';
      message = `internal error; quote request id ${request.id}`;
    }
    reply.code(status).send({ statusCode: status, error: code, message, requestId: request.id });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ statusCode: 404, error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}`, requestId: request.id });
  });

  const scans = new ScanService({ store, config, metrics, keys: deps.keys, runner, thread: deps.thread, ...(deps.blobs ? { blobs: deps.blobs } : {}), ...(deps.queue ? { queue: deps.queue } : {}) });
  const queue = deps.queue ?? runner?.queue;
  app.addHook('onClose', () => scans.close());
  const history = new HistoryService(store, config.limits.maxListItems);
  await app.register(healthRoutes, { store, runner, ...(queue ? { queue } : {}), metrics, metricsPublic: config.metricsPublic });
  await app.register(scanRoutes, { scans, config, history, linkKey });
  await app.register(appRoutes, { history });
  const watches = new WatchService(store);
  await app.register(watchRoutes, { watches });
  await app.register(orgRoutes, { orgs: new OrgService({ store, watches }), store });
  await app.register(feedRoutes, { feeds: new FeedService({ store, keys: deps.keys, log: app.log }), store });
  await app.register(settingsRoutes, { store, history, maxListItems: config.limits.maxListItems });
  app.get('/openapi.json', { config: { rateLimit: false }, schema: { hide: true } }, async () => app.swagger());
  // The dashboard: `/` goes to its overview, or to its sign-in page.
  await app.register(webRoutes, { store, config, scans, history, watches });
};
(leakdexApp as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

/** A ready-to-listen Fastify instance running the leakdex app. */
export async function buildApp(deps: AppDeps, logger?: Logger): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger ?? createLogger(deps.config.logLevel, undefined, deps.config.logFormat),
    genReqId: requestId,
    bodyLimit: deps.config.limits.bodyLimitBytes,
    requestTimeout: deps.config.limits.requestTimeoutMs,
    trustProxy: deps.config.trustProxy,
  });
  await app.register(leakdexApp, deps);
  return app as unknown as FastifyInstance;
}
