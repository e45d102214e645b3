import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import type { HistoryService } from '../service/history.js';
import type { Store } from '../store/types.js';
import { caller } from './context.js';
import { AppParams, AuthErrors, ErrorSchema } from './schemas.js';

const SettingsSchema = Type.Object({
  verify: Type.Boolean({ description: 'Verify the findings of every upload (as `?verify=true`): read-only calls to the providers of docs/verification.md.' }),
});

const EventSchema = Type.Object({
  id: Type.String(),
  versionId: Type.String(),
  fingerprint: Type.String(),
  ruleId: Type.String(),
  redacted: Type.String(),
  from: Type.Union([Type.String(), Type.Null()], { description: 'The status before (null: never verified).' }),
  to: Type.String({ description: 'live, invalid, unverifiable, error or skipped.' }),
  reason: Type.String(),
  at: Type.String({ format: 'date-time' }),
});

/** /v1/settings (the tenant's verification setting) and /v1/apps/:app/verifications (changes of key status). */
export const settingsRoutes: FastifyPluginAsyncTypebox<{ store: Store; history: HistoryService; maxListItems: number }> = async (app, { store, history, maxListItems }) => {
  app.get(
    '/v1/settings',
    { config: { scope: 'read' }, schema: { summary: "This tenant's settings", tags: ['settings'], response: { 200: SettingsSchema, ...AuthErrors } } },
    async (request) => store.verifications.getSettings(caller(request).tenantId),
  );

  app.put(
    '/v1/settings',
    { config: { scope: 'admin' }, schema: { summary: "Change this tenant's settings (admin)", tags: ['settings'], body: SettingsSchema, response: { 200: SettingsSchema, ...AuthErrors } } },
    async (request) => {
      const tenantId = caller(request).tenantId;
      await store.verifications.setSettings(tenantId, { verify: request.body.verify });
      request.log.info({ verify: request.body.verify }, 'tenant settings changed');
      return store.verifications.getSettings(tenantId);
    },
  );

  app.get(
    '/v1/apps/:app/verifications',
    {
      config: { scope: 'read' },
      schema: {
        summary: "Changes of the app's keys' verification status (a key that turned live, or was revoked), newest first",
        tags: ['apps'],
        params: AppParams,
        response: { 200: Type.Object({ events: Type.Array(EventSchema) }), 404: ErrorSchema, 409: ErrorSchema, ...AuthErrors },
      },
    },
    async (request) => {
      const auth = caller(request);
      const a = await history.app(auth, request.params.app);
      const events = await store.verifications.listEvents(auth.tenantId, a.id, maxListItems);
      return { events: events.map((e) => ({ id: e.id, versionId: e.versionId, fingerprint: e.fingerprint, ruleId: e.ruleId, redacted: e.redacted, from: e.fromStatus, to: e.toStatus, reason: e.reason, at: new Date(e.createdAt).toISOString() })) };
    },
  );
};
