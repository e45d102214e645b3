import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import type { JobRunner } from '../service/jobs.js';
import type { Metrics } from '../service/metrics.js';
import type { Store } from '../store/types.js';
import { MAX_JOBS_LISTED, QUEUES, type JobQueue } from '../service/queue.js';
import { ErrorSchema } from './schemas.js';
import { HttpError } from '../service/errors.js';

/** /healthz (process up), /readyz (store answers, runner claiming), /metrics (Prometheus text). */
export const healthRoutes: FastifyPluginAsyncTypebox<{ store: Store; runner?: JobRunner; queue?: JobQueue; metrics: Metrics; metricsPublic: boolean }> = async (app, { store, runner, queue, metrics, metricsPublic }) => {
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
      const jobs = queue ? await queue.counts() : undefined;
      return metrics.render({ scansByStatus, queueDepth: scansByStatus.queued, running: runner?.running ?? 0, concurrency: runner?.concurrency ?? 0, ...(jobs ? { jobs } : {}) });
    },
  );

  const JobSchema = Type.Object({
    id: Type.String(),
    queue: Type.String(),
    state: Type.String(),
    data: Type.Unknown(),
    retryCount: Type.Integer(),
    createdAt: Type.String(),
    completedAt: Type.Union([Type.String(), Type.Null()]),
    output: Type.Unknown(),
  });
  app.get(
    '/v1/admin/jobs',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'PostgreSQL mode: the job queue (pg-boss): counts by queue and state, and the jobs of one queue (default: the dead-lettered scans)',
        tags: ['operations'],
        querystring: Type.Object({
          queue: Type.Optional(Type.Union(Object.values(QUEUES).map((q) => Type.Literal(q)))),
          state: Type.Optional(Type.Union(['created', 'retry', 'active', 'completed', 'cancelled', 'failed'].map((q) => Type.Literal(q)))),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_JOBS_LISTED })),
        }),
        response: {
          200: Type.Object({ counts: Type.Record(Type.String(), Type.Record(Type.String(), Type.Integer())), jobs: Type.Array(JobSchema) }),
          401: ErrorSchema,
          403: ErrorSchema,
          409: ErrorSchema,
        },
      },
    },
    async (request) => {
      if (!queue) throw new HttpError(409, 'no_queue', 'this service runs on its embedded store, whose queue is the scans list (GET /v1/scans): the job queue exists in PostgreSQL mode');
      const q = request.query;
      return { counts: await queue.counts(), jobs: await queue.list(q.queue ?? QUEUES.scanDead, q.limit ?? 100, q.state) };
    },
  );
};
