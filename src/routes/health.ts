import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import type { JobRunner } from '../service/jobs.js';
import type { Metrics } from '../service/metrics.js';
import type { Store } from '../store/types.js';
import { ErrorSchema } from './schemas.js';

/** /healthz (process up), /readyz (store answers, runner claiming), /metrics (Prometheus text). */
export const healthRoutes: FastifyPluginAsyncTypebox<{ store: Store; runner?: JobRunner; metrics: Metrics; metricsPublic: boolean }> = async (app, { store, runner, metrics, metricsPublic }) => {
  app.get(
    '/healthz',
    { config: { rateLimit: false }, schema: { summary: 'Liveness: the process answers', tags: ['operations'], response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { rateLimit: false },
      schema: {
        summary: 'Readiness: the store answers and, when this process scans, its runner is claiming work',
        tags: ['operations'],
        response: {
          200: Type.Object({ status: Type.Literal('ready'), store: Type.Boolean(), workers: Type.Boolean() }),
          503: Type.Object({ status: Type.Literal('unavailable'), store: Type.Boolean(), workers: Type.Boolean() }),
        },
      },
    },
    async (_request, reply) => {
      const storeUp = await store.ping();
      const workersUp = runner ? runner.healthy : true;
      if (storeUp && workersUp) return { status: 'ready' as const, store: storeUp, workers: workersUp };
      reply.code(503);
      return { status: 'unavailable' as const, store: storeUp, workers: workersUp };
    },
  );

  app.get(
    '/metrics',
    {
      config: metricsPublic ? { rateLimit: false } : { scope: 'admin' },
      schema: {
        summary: 'Prometheus metrics (text format 0.0.4); needs an admin key unless metricsPublic',
        tags: ['operations'],
        response: { 200: Type.String(), 401: ErrorSchema, 403: ErrorSchema },
      },
    },
    async (_request, reply) => {
      const scansByStatus = await store.countScansByStatus();
      reply.type('text/plain; version=0.0.4; charset=utf-8');
      return metrics.render({ scansByStatus, queueDepth: scansByStatus.queued, running: runner?.running ?? 0, concurrency: runner?.concurrency ?? 0 });
    },
  );
};
