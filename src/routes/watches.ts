import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import { describeFailure } from '../market/submit.js';
import { parseInterval, watchView, type WatchService } from '../market/watches.js';
import { HttpError } from '../service/errors.js';
import { caller } from './context.js';
import { AuthErrors, ErrorSchema, IdParams } from './schemas.js';

const WatchSchema = Type.Object(
  {
    id: Type.String(),
    url: Type.String(),
    kind: Type.String({ description: 'direct, fdroid, github, ota, appstore or play' }),
    intervalSeconds: Type.Integer(),
    nextCheckAt: Type.String(),
    lastCheckedAt: Type.Union([Type.String(), Type.Null()]),
    errors: Type.Integer(),
    lastError: Type.Union([Type.String(), Type.Null()]),
    notify: Type.Array(Type.Object({ url: Type.String(), format: Type.String(), all: Type.Boolean() })),
    createdAt: Type.String(),
  },
  { additionalProperties: true },
);

const NewWatchBody = Type.Object({
  url: Type.String({ minLength: 1, maxLength: 4096, description: 'Any URL `POST /v1/scans` accepts, or an App Store / Google Play page (version watch).' }),
  interval: Type.Optional(Type.Union([Type.Integer(), Type.String({ maxLength: 20 })], { description: 'Seconds, or N s|m|h|d (60 s to 30 d; default 1 h).' })),
  notify: Type.Optional(
    Type.Array(
      Type.Object({
        url: Type.String({ maxLength: 4096, description: 'https webhook; private addresses are refused like downloads.' }),
        secret: Type.Optional(Type.String({ minLength: 16, maxLength: 200 })),
        format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('slack')])),
        all: Type.Optional(Type.Boolean({ description: 'Every finding, not only what is new since the previous version.' })),
      }),
      { maxItems: 10 },
    ),
  ),
  assetPattern: Type.Optional(Type.String({ maxLength: 200, description: 'GitHub: glob on release asset names.' })),
  allReleases: Type.Optional(Type.Boolean()),
  beta: Type.Optional(Type.Boolean({ description: 'F-Droid: include Beta releases.' })),
  ipaUrl: Type.Optional(Type.String({ maxLength: 4096, description: 'App Store watch: OTA manifest, .ipa URL or GitHub release to download new versions from.' })),
});

/** Source and download failures as the HTTP errors URL submissions give (describeFailure), anything else as it is. */
function asHttp(e: unknown): never {
  const f = describeFailure(e);
  if (f) throw new HttpError(f.status, f.code, f.message);
  throw e;
}

/** /v1/watches: marketplace watches (docs/marketplaces-usage.md). */
export const watchRoutes: FastifyPluginAsyncTypebox<{ watches: WatchService }> = async (app, { watches }) => {
  app.post(
    '/v1/watches',
    {
      config: { scope: 'write' },
      schema: {
        summary: 'Watch a source for new versions',
        description: 'Answers 201 with the watch and, once, the webhook secrets (`secrets`, in the order of `notify`).',
        tags: ['watches'],
        body: NewWatchBody,
        response: { 201: Type.Intersect([WatchSchema, Type.Object({ secrets: Type.Array(Type.String()) })]), 422: ErrorSchema, 502: ErrorSchema, 504: ErrorSchema, ...AuthErrors },
      },
    },
    async (request, reply) => {
      const b = request.body;
      try {
        const intervalS = b.interval === undefined ? undefined : parseInterval(b.interval);
        const { watch, secrets } = await watches.create(caller(request).tenantId, { url: b.url, intervalS, notify: b.notify, assetPattern: b.assetPattern, allReleases: b.allReleases, beta: b.beta, ipaUrl: b.ipaUrl });
        reply.code(201).header('location', `/v1/watches/${watch.id}`);
        return { ...watchView(watch), secrets };
      } catch (e) {
        asHttp(e);
      }
    },
  );

  app.get(
    '/v1/watches',
    { config: { scope: 'read' }, schema: { summary: "This tenant's watches", tags: ['watches'], response: { 200: Type.Object({ watches: Type.Array(WatchSchema) }), ...AuthErrors } } },
    async (request) => ({ watches: (await watches.list(caller(request).tenantId)).map(watchView) }),
  );

  app.get(
    '/v1/watches/:id',
    {
      config: { scope: 'read' },
      schema: { summary: 'A watch with the versions it found and its webhook delivery log', tags: ['watches'], params: IdParams, response: { 200: Type.Intersect([WatchSchema, Type.Object({ versions: Type.Array(Type.Unknown()), deliveries: Type.Array(Type.Unknown()) })]), 404: ErrorSchema, ...AuthErrors } },
    },
    async (request) => {
      const tenantId = caller(request).tenantId;
      const w = await watches.get(tenantId, request.params.id);
      if (!w) throw new HttpError(404, 'not_found', `no watch ${request.params.id}`);
      return { ...watchView(w), versions: await watches.versions(tenantId, w.id), deliveries: await watches.deliveries(tenantId, w.id) };
    },
  );

  app.delete(
    '/v1/watches/:id',
    { config: { scope: 'write' }, schema: { summary: 'Stop watching', tags: ['watches'], params: IdParams, response: { 204: Type.Null(), 404: ErrorSchema, ...AuthErrors } } },
    async (request, reply) => {
      if (!(await watches.remove(caller(request).tenantId, request.params.id))) throw new HttpError(404, 'not_found', `no watch ${request.params.id}`);
      reply.code(204);
      return null;
    },
  );
};
