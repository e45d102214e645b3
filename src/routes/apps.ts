import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import type { HistoryService } from '../service/history.js';
import { caller } from './context.js';
import { AppParams, AppSchema, AuthErrors, DiffSchema, ErrorSchema, FindingSchema, VersionRefSchema, VersionSchema } from './schemas.js';

const AppRefDoc = 'App id, package id, or platform:packageId.';

/** /v1/apps: apps, versions, findings per version with first/last seen, and diffs. */
export const appRoutes: FastifyPluginAsyncTypebox<{ history: HistoryService }> = async (app, { history }) => {
  app.get(
    '/v1/apps',
    { config: { scope: 'read' }, schema: { summary: "This tenant's apps", tags: ['apps'], response: { 200: Type.Object({ apps: Type.Array(AppSchema) }), ...AuthErrors } } },
    async (request) => ({ apps: await history.apps(caller(request)) }),
  );

  app.get(
    '/v1/apps/:app',
    { config: { scope: 'read' }, schema: { summary: 'One app', description: AppRefDoc, tags: ['apps'], params: AppParams, response: { 200: AppSchema, 404: ErrorSchema, 409: ErrorSchema, ...AuthErrors } } },
    async (request) => history.appView(caller(request), request.params.app),
  );

  app.get(
    '/v1/apps/:app/versions',
    {
      config: { scope: 'read' },
      schema: {
        summary: "An app's versions in release order, signer changes flagged",
        description: AppRefDoc,
        tags: ['apps'],
        params: AppParams,
        response: { 200: Type.Object({ app: AppSchema, versions: Type.Array(VersionSchema) }), 404: ErrorSchema, 409: ErrorSchema, ...AuthErrors },
      },
    },
    async (request) => history.versions(caller(request), request.params.app),
  );

  app.get(
    '/v1/apps/:app/versions/:v/findings',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Findings of one version, each with the first and last version it appears in',
        description: `${AppRefDoc} The version is its id, versionCode or versionName.`,
        tags: ['apps'],
        params: Type.Object({ app: Type.String({ minLength: 1, maxLength: 300 }), v: Type.String({ minLength: 1, maxLength: 300 }) }),
        response: { 200: Type.Object({ app: AppSchema, version: VersionRefSchema, findings: Type.Array(FindingSchema) }), 404: ErrorSchema, 409: ErrorSchema, ...AuthErrors },
      },
    },
    async (request) => history.findings(caller(request), request.params.app, request.params.v),
  );

  app.get(
    '/v1/apps/:app/diff',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'New, resolved and persisting findings between two versions (by fingerprint); by default the latest against the one before',
        description: `${AppRefDoc} from and to are version ids, versionCodes or versionNames. Without to, the latest version; without from, the version before to (404 no_previous_version when there is none).`,
        tags: ['apps'],
        params: AppParams,
        querystring: Type.Object({ from: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })), to: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })) }),
        response: { 200: DiffSchema, 404: ErrorSchema, 409: ErrorSchema, ...AuthErrors },
      },
    },
    async (request) => history.diff(caller(request), request.params.app, request.query.from, request.query.to),
  );
};
