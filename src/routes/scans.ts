import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import type { Multipart } from '@fastify/multipart';
import type { Config } from '../config.js';
import { hasScope } from '../service/auth.js';
import { HttpError } from '../service/errors.js';
import type { ScanService, UploadPart } from '../service/scans.js';
import type { HistoryService } from '../service/history.js';
import { previousVersionDiff, renderStoredReport, reportFormat } from '../service/report-formats.js';
import { FORMATS, jsonReport, MEDIA_TYPES } from '../report/render.js';
import { DEFAULT_LINK_TTL_S, MAX_LINK_TTL_S, signReportLink } from '../service/links.js';
import { caller } from './context.js';
import { AuthErrors, ErrorSchema, IdParams, ReportSchema, ScanSchema, ScanStatus } from './schemas.js';

/** What an upload may hold: one file, and a few form fields beside it (ignored), so a body cannot grow without bound in parts. */
export const MULTIPART_LIMITS = { files: 1, fields: 10, parts: 11 } as const;

/** /v1/scans: upload, status, report, delete. */
export const scanRoutes: FastifyPluginAsyncTypebox<{ scans: ScanService; config: Config; history?: HistoryService; linkKey: Buffer }> = async (app, { scans, config, history, linkKey }) => {
  const Wait = Type.Integer({ minimum: 0, maximum: config.limits.maxWaitSeconds, default: 0, description: 'Block up to this many seconds until the scan is done or failed.' });

  app.post(
    '/v1/scans',
    {
      config: { scope: 'write' },
      schema: {
        summary: 'Upload an APK, AAB or IPA for scanning',
        description:
          "multipart/form-data with the file in the field `file`. Answers 202 with the queued scan, 200 when `wait` saw it finish or the same artifact was already scanned in this tenant (`reused`: true; `force=true` scans again). `verify=true` verifies the findings after the scan (a live key becomes critical); an earlier unverified scan of the same artifact is then not reused.",
        tags: ['scans'],
        consumes: ['multipart/form-data', 'application/json'],
        querystring: Type.Object({
          wait: Wait,
          force: Type.Boolean({ default: false }),
          verify: Type.Optional(Type.Boolean({ description: "Ask each provider whether the found keys work (read-only calls, docs/verification.md); default: the tenant's setting (GET /v1/settings)." })),
        }),
        response: { 200: ScanSchema, 202: ScanSchema, 413: ErrorSchema, 415: ErrorSchema, 422: ErrorSchema, 502: ErrorSchema, 504: ErrorSchema, ...AuthErrors },
      },
    },
    async (request, reply) => {
      const auth = caller(request);
      // JSON {"url": ...}: the marketplace downloader fetches the app (src/market/submit.ts), then it is an upload.
      const url = request.isMultipart() ? undefined : (request.body as { url?: unknown } | null | undefined)?.url;
      if (!request.isMultipart() && typeof url !== 'string') throw new HttpError(415, 'not_multipart', "send the file as multipart/form-data in the field 'file', or JSON {\"url\": ...}");
      const { scan, reused } =
        typeof url === 'string'
          ? await (await import('../market/submit.js')).acceptUrl(scans, auth, url, request.query.force, {}, request.query.verify)
          : await (async () => {
              const boundary = /;\s*boundary=("?)([^";]*)\1/i.exec(request.headers['content-type'] ?? '')?.[2];
              if (!boundary) throw new HttpError(400, 'malformed_multipart', 'the multipart/form-data body cannot be read: its Content-Type has no boundary');
              const parts = request.parts({ limits: { fileSize: config.limits.maxUploadBytes, ...MULTIPART_LIMITS } });
              let part: Multipart | undefined;
              // Form fields before the file are read and ignored.
              while (!part) {
                const next = await parts.next();
                if (next.done) break;
                if (next.value.type === 'file') part = next.value;
              }
              if (!part) throw new HttpError(400, 'no_file', "the multipart body has no file: send it in the field 'file'");
              // What follows the file is read before the upload is accepted: fields are ignored, a second file refused
              // (the parser's file limit usually ends the parts first, with FST_FILES_LIMIT: the same 400).
              const rest = async () => {
                for (let next = await parts.next(); !next.done; next = await parts.next()) {
                  if (next.value.type !== 'file') continue;
                  next.value.file.resume();
                  throw new HttpError(400, 'too_many_files', "the multipart body holds more than one file: send one, in the field 'file'");
                }
              };
              return scans.accept(auth, part as unknown as UploadPart, request.query.force, rest, request.query.verify);
            })();
      request.log.info({ scanId: scan.id, reused, size: scan.size }, reused ? 'upload matches an earlier scan' : 'scan queued');
      const latest = request.query.wait > 0 ? await scans.waitFor(auth, scan.id, request.query.wait) : scan;
      const finished = latest.status === 'done' || latest.status === 'failed';
      reply.code(reused || finished ? 200 : 202).header('location', `/v1/scans/${scan.id}`);
      return scans.view(latest, reused);
    },
  );

  app.get(
    '/v1/scans',
    {
      config: { scope: 'read' },
      schema: {
        summary: "List this tenant's scans, newest first",
        tags: ['scans'],
        querystring: Type.Object({ status: Type.Optional(ScanStatus), limit: Type.Integer({ minimum: 1, maximum: config.limits.maxListItems, default: 50 }) }),
        response: { 200: Type.Object({ scans: Type.Array(ScanSchema) }), ...AuthErrors },
      },
    },
    async (request) => {
      const list = await scans.list(caller(request), request.query.limit, request.query.status);
      return { scans: list.map((s) => scans.view(s)) };
    },
  );

  app.get(
    '/v1/scans/:id',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Status, progress, summary and rating of a scan',
        tags: ['scans'],
        params: IdParams,
        querystring: Type.Object({ wait: Wait }),
        response: { 200: ScanSchema, 404: ErrorSchema, ...AuthErrors },
      },
    },
    async (request) => {
      const auth = caller(request);
      const scan = request.query.wait > 0 ? await scans.waitFor(auth, request.params.id, request.query.wait) : await scans.get(auth, request.params.id);
      return scans.view(scan);
    },
  );

  app.get(
    '/v1/scans/:id/report',
    {
      config: { scope: 'read', signedLinks: true },
      schema: {
        summary: "The scan's report: JSON (the CLI's format, docs/report.md), SARIF, HTML, Markdown or text",
        description:
          'Redacted. `showSecrets=true` needs an admin key and a service that stores secrets (LEAKDEX_STORE_SECRETS). `format` (text, json, sarif, html, markdown) wins over the Accept header (application/json, application/sarif+json, text/html, text/markdown, text/plain); JSON by default. HTML and Markdown show the diff with the app\'s previous version. Instead of an API key, `link` from `POST /v1/scans/:id/links` opens the report in the format it was made for until it expires (a browser can open it).',
        tags: ['scans'],
        params: IdParams,
        querystring: Type.Object({
          showSecrets: Type.Boolean({ default: false }),
          format: Type.Optional(Type.String({ maxLength: 20 })),
          link: Type.Optional(Type.String({ maxLength: 200, description: 'A signed link from POST /v1/scans/:id/links, in place of an API key.' })),
        }),
        produces: Object.values(MEDIA_TYPES).map((t) => t.split(';')[0]!),
        response: { 200: ReportSchema, 404: ErrorSchema, 409: ErrorSchema, ...AuthErrors },
      },
    },
    async (request, reply) => {
      const auth = caller(request);
      if (request.query.showSecrets && !hasScope(auth, 'admin')) throw new HttpError(403, 'forbidden', 'showSecrets needs an admin key');
      const format = reportFormat(request.query.format, request.headers.accept);
      const report = await scans.report(auth, request.params.id, request.query.showSecrets);
      if (format === 'json') return jsonReport(report);
      const scan = await scans.get(auth, request.params.id);
      const { body, type } = await renderStoredReport(report, format, async () => (history ? previousVersionDiff(history, auth, scan) : undefined));
      // A rendered string bypasses the JSON response schema (Fastify sends strings as they are).
      return reply.type(type).send(body as never);
    },
  );

  app.post(
    '/v1/scans/:id/links',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'A short-lived signed link to the report that a browser can open without an API key',
        description: `The link grants this scan's report in one format (\`format\`, default html) until it expires (\`ttlSeconds\`, default ${DEFAULT_LINK_TTL_S}, at most ${MAX_LINK_TTL_S}); it is signed with a key of the service (HMAC-SHA256), and a changed or expired link answers 403.`,
        tags: ['scans'],
        params: IdParams,
        querystring: Type.Object({
          format: Type.Union(FORMATS.map((f) => Type.Literal(f)), { default: 'html' }),
          ttlSeconds: Type.Integer({ minimum: 1, maximum: MAX_LINK_TTL_S, default: DEFAULT_LINK_TTL_S }),
        }),
        response: { 201: Type.Object({ url: Type.String(), path: Type.String(), format: Type.String(), expiresAt: Type.String({ format: 'date-time' }) }), 404: ErrorSchema, ...AuthErrors },
      },
    },
    async (request, reply) => {
      const auth = caller(request);
      const scan = await scans.get(auth, request.params.id);
      const format = request.query.format;
      const expiresAt = Math.floor(Date.now() / 1000) + request.query.ttlSeconds;
      const link = signReportLink(linkKey, { tenantId: auth.tenantId, scanId: scan.id, format, expiresAt });
      const path = `/v1/scans/${encodeURIComponent(scan.id)}/report?format=${format}&link=${encodeURIComponent(link)}`;
      reply.code(201);
      return { url: `${request.protocol}://${request.host}${path}`, path, format, expiresAt: new Date(expiresAt * 1000).toISOString() };
    },
  );

  app.delete(
    '/v1/scans/:id',
    {
      config: { scope: 'write' },
      schema: {
        summary: 'Delete a scan, its report and the findings it stored',
        tags: ['scans'],
        params: IdParams,
        response: { 204: Type.Null(), 404: ErrorSchema, ...AuthErrors },
      },
    },
    async (request, reply) => {
      await scans.delete(caller(request), request.params.id);
      reply.code(204);
      return null;
    },
  );
};
