import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import { orgMarkdown, rateOrg } from '../market/org-rating.js';
import { orgAppView, orgEventView, orgView, type OrgRecord, type OrgService } from '../market/orgs.js';
import { describeFailure } from '../market/submit.js';
import { parseInterval } from '../market/watches.js';
import { HttpError } from '../service/errors.js';
import { feedView, MAX_FEED_BYTES, type FeedService } from '../service/feeds.js';
import type { Store } from '../store/types.js';
import { caller } from './context.js';
import { AuthErrors, ErrorSchema } from './schemas.js';

const Open = { additionalProperties: true } as const;
const Strings = (max: number, description: string) => Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 300 }), { maxItems: max, description }));

const Identifiers = Type.Object(
  {
    appStore: Type.Optional(Type.Object({ developerIds: Strings(20, 'App Store developer (artist) ids: looked up with entity=software.'), developerNames: Strings(20, 'Searched by developer name; only exact developer or seller names are kept.'), country: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$' })) }, { additionalProperties: false })),
    play: Type.Optional(Type.Object({ developers: Strings(20, 'Google Play developer id (numeric) or name; best effort.'), gl: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$' })) }, { additionalProperties: false })),
    fdroid: Type.Optional(
      Type.Array(
        Type.Object(
          {
            repo: Type.String({ maxLength: 2048, description: 'Repository URL (…/repo).' }),
            fingerprint: Type.String({ description: 'SHA-256 of the repository signing certificate (64 hex digits).' }),
            authors: Strings(20, 'metadata.authorName values'),
            packagePrefixes: Strings(20, 'package id prefixes'),
            sourceHosts: Strings(20, 'source code host (and owner), e.g. github.com/acme'),
          },
          { additionalProperties: false },
        ),
        { maxItems: 20 },
      ),
    ),
    github: Strings(20, 'GitHub organization or user logins: repositories with releases holding .apk/.aab/.ipa/.xapk assets.'),
    packagePrefixes: Strings(20, "Package / bundle id prefixes (com.example. or com.example.*) that filter the stores' results."),
    otaManifests: Strings(20, 'itms-services:// or https manifest URLs.'),
  },
  { additionalProperties: false },
);

const Notify = Type.Optional(
  Type.Array(
    Type.Object({
      url: Type.String({ maxLength: 4096, description: 'https webhook; private addresses are refused like downloads.' }),
      secret: Type.Optional(Type.String({ minLength: 16, maxLength: 200 })),
      format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('slack')])),
      all: Type.Optional(Type.Boolean()),
    }),
    { maxItems: 10 },
  ),
);

const NewOrgBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  identifiers: Identifiers,
  policy: Type.Optional(Type.Union([Type.Literal('watch'), Type.Literal('pending')], { description: "'watch' (default): a found app becomes a watch at once; 'pending': it waits for POST …/apps/:app/approve." })),
  interval: Type.Optional(Type.Union([Type.Integer(), Type.String({ maxLength: 20 })], { description: 'Discovery interval: seconds, or N s|m|h|d (default 1 d).' })),
  watchInterval: Type.Optional(Type.Union([Type.Integer(), Type.String({ maxLength: 20 })], { description: 'Check interval of the watches discovery makes (default 1 h).' })),
  notify: Notify,
});

const OrgSchema = Type.Object({ id: Type.String(), name: Type.String(), identifiers: Type.Unknown(), policy: Type.String(), intervalSeconds: Type.Integer(), nextCheckAt: Type.String(), lastError: Type.Union([Type.String(), Type.Null()]) }, Open);
const OrgParams = Type.Object({ org: Type.String({ minLength: 1, maxLength: 100, description: 'Organization id or name.' }) });
const Counts = Type.Object({ critical: Type.Integer(), high: Type.Integer(), medium: Type.Integer(), low: Type.Integer(), info: Type.Integer(), live: Type.Integer(), compromised: Type.Integer() });
const RatingSchema = Type.Object(
  {
    grade: Type.Union([Type.String(), Type.Null()], { description: 'A-F: the worst current version; F when any key is verified live or known compromised; null before any scan.' }),
    reason: Type.String(),
    counts: Counts,
    apps: Type.Array(Type.Unknown()),
    worst: Type.Unknown(),
    trend: Type.Array(Type.Object({ at: Type.String(), grade: Type.String(), counts: Counts })),
  },
  Open,
);

function asHttp(e: unknown): never {
  const f = describeFailure(e);
  if (f) throw new HttpError(f.status === 422 ? 400 : f.status, f.code, f.message);
  throw e;
}

/** /v1/orgs: organizations, their discovered apps, history and rating (docs/organizations.md). */
export const orgRoutes: FastifyPluginAsyncTypebox<{ orgs: OrgService; store: Store }> = async (app, { orgs, store }) => {
  const find = async (tenantId: string, ref: string): Promise<OrgRecord> => {
    const o = await orgs.resolve(tenantId, ref);
    if (!o) throw new HttpError(404, 'not_found', `no organization ${ref}`);
    return o;
  };

  app.post(
    '/v1/orgs',
    {
      config: { scope: 'write' },
      schema: {
        summary: 'Add an organization: its apps are discovered on every source it names',
        description: 'Answers 201 with the organization and, once, the webhook secrets. Discovery runs at the next sweep (every minute under `leakdex serve`).',
        tags: ['organizations'],
        body: NewOrgBody,
        response: { 201: Type.Intersect([OrgSchema, Type.Object({ secrets: Type.Array(Type.String()) })]), 409: ErrorSchema, ...AuthErrors },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const tenantId = caller(request).tenantId;
      if (await orgs.resolve(tenantId, b.name)) throw new HttpError(409, 'org_exists', `an organization named '${b.name}' exists`);
      try {
        const { org, secrets } = await orgs.create(tenantId, {
          name: b.name,
          identifiers: b.identifiers,
          policy: b.policy,
          intervalS: b.interval === undefined ? undefined : parseInterval(b.interval),
          watchIntervalS: b.watchInterval === undefined ? undefined : parseInterval(b.watchInterval),
          notify: b.notify,
        });
        reply.code(201).header('location', `/v1/orgs/${org.id}`);
        return { ...orgView(org), secrets };
      } catch (e) {
        asHttp(e);
      }
    },
  );

  app.get(
    '/v1/orgs',
    { config: { scope: 'read' }, schema: { summary: "This tenant's organizations", tags: ['organizations'], response: { 200: Type.Object({ orgs: Type.Array(OrgSchema) }), ...AuthErrors } } },
    async (request) => ({ orgs: (await orgs.list(caller(request).tenantId)).map(orgView) }),
  );

  app.get(
    '/v1/orgs/:org',
    {
      config: { scope: 'read' },
      schema: { summary: 'An organization with its apps (watched, pending, gone) and its rating', tags: ['organizations'], params: OrgParams, response: { 200: Type.Intersect([OrgSchema, Type.Object({ apps: Type.Array(Type.Unknown()), rating: RatingSchema })]), 404: ErrorSchema, ...AuthErrors } },
    },
    async (request) => {
      const tenantId = caller(request).tenantId;
      const o = await find(tenantId, request.params.org);
      return { ...orgView(o), apps: (await orgs.apps(tenantId, o.id)).map(orgAppView), rating: await rateOrg(store, tenantId, o.id) };
    },
  );

  app.get(
    '/v1/orgs/:org/rating',
    {
      config: { scope: 'read' },
      schema: {
        summary: "The organization's rating as JSON or a Markdown report",
        tags: ['organizations'],
        params: OrgParams,
        querystring: Type.Object({ format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('markdown')])) }),
        response: { 200: Type.Union([RatingSchema, Type.String()]), 404: ErrorSchema, ...AuthErrors },
      },
    },
    async (request, reply) => {
      const tenantId = caller(request).tenantId;
      const o = await find(tenantId, request.params.org);
      const rating = await rateOrg(store, tenantId, o.id);
      if (request.query.format !== 'markdown') return rating;
      reply.type('text/markdown; charset=utf-8');
      return orgMarkdown(o.name, rating, (await orgs.apps(tenantId, o.id)).map((a) => ({ key: a.key, status: a.status, name: a.name, appId: a.packageId, source: a.source, url: a.url })));
    },
  );

  app.get(
    '/v1/orgs/:org/events',
    {
      config: { scope: 'read' },
      schema: { summary: "The organization's history: apps found, gone, back, approved; sources failing and recovering; known-compromised keys", tags: ['organizations'], params: OrgParams, response: { 200: Type.Object({ events: Type.Array(Type.Unknown()) }), 404: ErrorSchema, ...AuthErrors } },
    },
    async (request) => {
      const tenantId = caller(request).tenantId;
      const o = await find(tenantId, request.params.org);
      return { events: (await orgs.events(tenantId, o.id)).map(orgEventView) };
    },
  );

  app.post(
    '/v1/orgs/:org/discover',
    { config: { scope: 'write' }, schema: { summary: 'Discover now: the organization is due at the next sweep', tags: ['organizations'], params: OrgParams, response: { 202: Type.Object({ nextCheckAt: Type.String() }), 404: ErrorSchema, ...AuthErrors } } },
    async (request, reply) => {
      const tenantId = caller(request).tenantId;
      const o = await find(tenantId, request.params.org);
      const at = Date.now();
      await store.orgs.setDue(tenantId, o.id, at);
      reply.code(202);
      return { nextCheckAt: new Date(at).toISOString() };
    },
  );

  app.post(
    '/v1/orgs/:org/apps/:app/approve',
    {
      config: { scope: 'write' },
      schema: { summary: 'Approve a pending app: it becomes a watch', tags: ['organizations'], params: Type.Object({ org: Type.String({ maxLength: 100 }), app: Type.String({ maxLength: 2048 }) }), response: { 200: Type.Unknown(), 404: ErrorSchema, ...AuthErrors } },
    },
    async (request) => {
      const tenantId = caller(request).tenantId;
      const o = await find(tenantId, request.params.org);
      try {
        const a = await orgs.approve(tenantId, o.id, request.params.app);
        if (!a) throw new HttpError(404, 'not_found', `no app ${request.params.app} in organization ${o.name}`);
        return orgAppView(a);
      } catch (e) {
        asHttp(e);
      }
    },
  );

  app.delete(
    '/v1/orgs/:org',
    { config: { scope: 'write' }, schema: { summary: 'Remove an organization (the watches it made stay)', tags: ['organizations'], params: OrgParams, response: { 204: Type.Null(), 404: ErrorSchema, ...AuthErrors } } },
    async (request, reply) => {
      const tenantId = caller(request).tenantId;
      const o = await find(tenantId, request.params.org);
      await orgs.remove(tenantId, o.id);
      reply.code(204);
      return null;
    },
  );
};

const FeedSchema = Type.Object({ id: Type.String(), name: Type.String(), url: Type.Union([Type.String(), Type.Null()]), entries: Type.Integer() }, Open);
const FeedParams = Type.Object({ feed: Type.String({ minLength: 1, maxLength: 100, description: 'Feed id or name.' }) });

/** /v1/feeds: known-compromised credential feeds (SHA-256 hashes only). */
export const feedRoutes: FastifyPluginAsyncTypebox<{ feeds: FeedService; store: Store }> = async (app, { feeds, store }) => {
  const find = async (tenantId: string, ref: string) => {
    const f = await feeds.resolve(tenantId, ref);
    if (!f) throw new HttpError(404, 'not_found', `no feed ${ref}`);
    return f;
  };

  app.post(
    '/v1/feeds',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Add a known-compromised feed (imported entries, or a URL fetched on a schedule)',
        tags: ['feeds'],
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), url: Type.Optional(Type.String({ maxLength: 4096 })), interval: Type.Optional(Type.Union([Type.Integer(), Type.String({ maxLength: 20 })])) }),
        response: { 201: FeedSchema, 409: ErrorSchema, ...AuthErrors },
      },
    },
    async (request, reply) => {
      const b = request.body;
      let intervalS: number | undefined;
      try {
        intervalS = b.interval === undefined ? undefined : parseInterval(b.interval);
      } catch (e) {
        asHttp(e);
      }
      const f = await feeds.create(caller(request).tenantId, { name: b.name, url: b.url, intervalS });
      reply.code(201).header('location', `/v1/feeds/${f.id}`);
      return feedView(f);
    },
  );

  app.get(
    '/v1/feeds',
    { config: { scope: 'read' }, schema: { summary: "This tenant's feeds", tags: ['feeds'], response: { 200: Type.Object({ feeds: Type.Array(FeedSchema) }), ...AuthErrors } } },
    async (request) => ({ feeds: (await store.feeds.list(caller(request).tenantId)).map(feedView) }),
  );

  app.get(
    '/v1/feeds/:feed',
    { config: { scope: 'read' }, schema: { summary: 'A feed', tags: ['feeds'], params: FeedParams, response: { 200: FeedSchema, 404: ErrorSchema, ...AuthErrors } } },
    async (request) => feedView(await find(caller(request).tenantId, request.params.feed)),
  );

  app.get(
    '/v1/compromised',
    {
      config: { scope: 'read' },
      schema: { summary: 'Stored findings a feed marked known compromised', tags: ['feeds'], response: { 200: Type.Object({ findings: Type.Array(Type.Unknown()) }), ...AuthErrors } },
    },
    async (request) => ({
      findings: (await store.feeds.listMarked(caller(request).tenantId, 5000)).map((f) => ({ appId: f.appId, versionId: f.versionId, scanId: f.scanId, ruleId: f.ruleId, title: f.title, redacted: f.redacted, fingerprint: f.fingerprint, severity: f.severity, compromised: f.compromised })),
    }),
  );

  app.delete(
    '/v1/feeds/:feed',
    { config: { scope: 'admin' }, schema: { summary: 'Remove a feed and its entries (marks already made stay)', tags: ['feeds'], params: FeedParams, response: { 204: Type.Null(), 404: ErrorSchema, ...AuthErrors } } },
    async (request, reply) => {
      const tenantId = caller(request).tenantId;
      const f = await find(tenantId, request.params.feed);
      await store.feeds.remove(tenantId, f.id);
      reply.code(204);
      return null;
    },
  );

  // The entries are read as bytes (text or JSON), here only: parseFeed refuses anything that is not a SHA-256.
  await app.register(async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_FEED_BYTES }, (_req, body, done) => done(null, body));
    raw.post(
      '/v1/feeds/:feed/entries',
      {
        config: { scope: 'admin' },
        bodyLimit: MAX_FEED_BYTES,
        schema: {
          summary: 'Import entries: SHA-256 hashes of compromised secrets (text: sha256[,source[,date]] per line; or JSON [{sha256, source, date}])',
          description: 'Refused whole (400, naming line numbers only) when any line is not a SHA-256: raw secrets are never accepted. Matching stored findings are marked at once.',
          tags: ['feeds'],
          params: FeedParams,
          response: { 200: Type.Object({ received: Type.Integer(), added: Type.Integer(), entries: Type.Integer(), marked: Type.Integer(), backfilled: Type.Integer() }), 404: ErrorSchema, 413: ErrorSchema, ...AuthErrors },
        },
      },
      async (request) => {
        const tenantId = caller(request).tenantId;
        const params = request.params as { feed: string };
        const f = await find(tenantId, params.feed);
        const body = request.body;
        if (!Buffer.isBuffer(body) || body.length === 0) throw new HttpError(400, 'bad_feed', 'send the entries as the request body');
        return feeds.import(tenantId, f, body);
      },
    );
  });
};
