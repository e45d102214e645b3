/**
 * The dashboard (docs/dashboard.md): server-rendered pages under /ui for a signed-in browser. A page needs a session
 * (src/web/session.ts); a GET without one redirects to the sign-in page, anything else is refused. Every POST must come
 * from this origin and carry the session's anti-CSRF token. Pages carry a strict CSP (own files only, no inline code).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Multipart } from '@fastify/multipart';
import { RULES } from '../../rules/index.js';
import type { RuleExample } from '../../rules/types.js';
import { summarize as summarizeRules } from '../detect/rules-doc.js';
import { toDiffFinding } from '../findings.js';
import type { VersionDiff } from '../report/advice.js';
import type { Config } from '../config.js';
import { parseInterval, watchView, type WatchService } from '../market/watches.js';
import { describeFailure } from '../market/submit.js';
import { FailedAuthLimiter } from '../service/auth-throttle.js';
import { hasScope, type AuthContext } from '../service/auth.js';
import { HttpError } from '../service/errors.js';
import type { HistoryService } from '../service/history.js';
import type { ScanService, UploadPart } from '../service/scans.js';
import type { Scope, Store } from '../store/types.js';
import { ASSETS, DASHBOARD_CSP } from '../web/assets.js';
import { appPage, errorPage, overviewPage, rulesPage, scanPage, signInPage, uploadPage, versionPage, watchesPage, type RuleRow } from '../web/pages.js';
import { csrfValid, sameOrigin, sessionCaller, signIn, signOut, type WebCaller } from '../web/session.js';
import { MULTIPART_LIMITS } from './scans.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A dashboard page: the scope its session's key needs. */
    web?: Scope;
  }
  interface FastifyRequest {
    web?: WebCaller;
  }
}

/** Rows per page of the long lists. */
export const PAGE_SIZE = 50;
/** Watches read for the watches page (its pages are cut from them): far above what a tenant watches by hand. */
const MAX_WATCHES_LISTED = 10_000;
/** Versions drawn in an app's timeline chart: the newest ones (the table pages through all of them). */
const CHART_VERSIONS = 40;

export interface WebDeps {
  store: Store;
  config: Config;
  scans: ScanService;
  history: HistoryService;
  watches: WatchService;
}

const exampleText = (e: string | RuleExample) => (typeof e === 'string' ? e : `${e.context ? `${e.context} = ` : ''}${e.text}`);
const RULE_ROWS: RuleRow[] = summarizeRules(RULES).map((s, i) => ({
  id: s.id,
  provider: s.provider,
  title: s.title,
  severity: s.severity,
  confidence: s.confidence,
  keywords: s.keywords,
  match: RULES[i]!.examples.match.slice(0, 5).map(exampleText),
  noMatch: RULES[i]!.examples.noMatch.slice(0, 5).map(exampleText),
  origin: 'built-in',
}));

/** Only a path of this site is a place to go after signing in. */
const safeNext = (v: unknown) => (typeof v === 'string' && /^\/ui(?:[/?#]|$)/.test(v) && !v.startsWith('//') ? v : '/ui');
const num = (v: unknown, max: number) => Math.max(0, Math.min(max, Number.isFinite(Number(v)) ? Math.floor(Number(v)) : 0));

export const webRoutes: FastifyPluginAsync<WebDeps> = async (app, deps) => {
  const { store, config, scans, history, watches } = deps;
  const throttle = new FailedAuthLimiter(config.rateLimit.authFailures, config.rateLimit.authWindowMs);

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (request.url.startsWith('/ui')) {
      reply.header('content-security-policy', DASHBOARD_CSP);
      reply.header('cache-control', request.url.startsWith('/ui/assets/') ? 'public, max-age=3600' : 'no-store');
      reply.header('referrer-policy', 'same-origin');
    }
    return payload;
  });

  // Sessions: a page without one goes to sign-in (GET) or is refused; the key's scope is checked on each request.
  app.addHook('onRequest', async (request, reply) => {
    const need = request.routeOptions.config?.web;
    if (!need) return;
    const caller = await sessionCaller(store, request);
    if (!caller) {
      if (request.method === 'GET') return reply.redirect(`/ui/sign-in?next=${encodeURIComponent(request.url)}`, 303);
      throw new HttpError(401, 'unauthorized', 'sign in first');
    }
    if (!hasScope(caller, need)) throw new HttpError(403, 'forbidden', `this API key lacks the '${need}' scope`);
    request.web = caller;
    request.auth = caller;
  });

  // Every state change: same origin, and the session's token (form field, or header for the upload script).
  const checkPost = (request: FastifyRequest, token: unknown) => {
    if (!sameOrigin(request)) throw new HttpError(403, 'cross_origin', 'this form must be sent from the dashboard itself');
    if (!csrfValid(request.web!.session, token ?? request.headers['x-csrf-token'])) throw new HttpError(403, 'csrf', 'the form is stale or was not sent by the dashboard: reload the page');
  };
  const body = (request: FastifyRequest) => (request.body ?? {}) as Record<string, string>;
  const html = (reply: FastifyReply, text: string, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(text);
  const auth = (request: FastifyRequest): AuthContext => request.web!;

  app.setErrorHandler((err: Error & { statusCode?: number }, request, reply) => {
    const status = err instanceof HttpError ? err.statusCode : (err.statusCode ?? 500);
    if (status >= 500) request.log.error({ err }, 'dashboard request failed');
    const message = status >= 500 ? `internal error; quote request id ${request.id}` : err.message;
    if ((request.headers.accept ?? '').includes('application/json')) return reply.code(status).send({ statusCode: status, error: err instanceof HttpError ? err.code : 'error', message, requestId: request.id });
    return html(reply, errorPage(request.web, status, message), status);
  });

  app.get('/', { config: { rateLimit: false }, schema: { hide: true } }, async (request, reply) => reply.redirect((await sessionCaller(store, request)) ? '/ui' : '/ui/sign-in', 303));

  app.get('/ui/assets/:name', { config: { rateLimit: false }, schema: { hide: true } }, async (request, reply) => {
    const a = ASSETS[(request.params as { name: string }).name];
    if (!a) throw new HttpError(404, 'not_found', 'no such file');
    reply.header('etag', a.etag);
    if (request.headers['if-none-match'] === a.etag) return reply.code(304).send();
    return reply.type(a.type).send(a.body);
  });

  app.get('/ui/sign-in', { schema: { hide: true } }, async (request, reply) => html(reply, signInPage({ next: safeNext((request.query as { next?: string }).next) })));

  app.post('/ui/sign-in', { schema: { hide: true } }, async (request, reply) => {
    const b = body(request);
    const next = safeNext(b.next);
    // No session yet, so no token: the origin check stops other sites from signing a browser in (login CSRF).
    if (!sameOrigin(request)) throw new HttpError(403, 'cross_origin', 'sign in from the dashboard itself');
    const retry = throttle.retryAfter(request.ip);
    if (retry > 0) return html(reply.header('retry-after', String(retry)), signInPage({ next, error: `Too many failed sign-ins from this address: try again in ${retry} s.` }), 429);
    const s = await signIn(store, request, reply, String(b.key ?? ''));
    if (!s) {
      throttle.fail(request.ip);
      return html(reply, signInPage({ next, error: 'This API key is unknown or revoked.' }), 401);
    }
    return reply.redirect(next, 303);
  });

  app.post('/ui/sign-out', { config: { web: 'read' }, schema: { hide: true } }, async (request, reply) => {
    checkPost(request, body(request)._csrf);
    await signOut(store, request, reply);
    return reply.redirect('/ui/sign-in', 303);
  });

  app.post('/ui/reveal', { config: { web: 'admin' }, schema: { hide: true } }, async (request, reply) => {
    checkPost(request, body(request)._csrf);
    await store.sessions.setReveal(request.web!.session.idHash, body(request).reveal === '1');
    return reply.redirect(safeNext(body(request).next), 303);
  });

  app.get('/ui', { config: { web: 'read' }, schema: { hide: true } }, async (request, reply) => {
    const q = String((request.query as { q?: string }).q ?? '').slice(0, 200);
    const offset = num((request.query as { offset?: string }).offset, 1_000_000);
    const { apps, total } = await store.dashboard.listApps(request.web!.tenantId, { q, limit: PAGE_SIZE, offset });
    return html(reply, overviewPage(request.web!, { apps, total, q, offset, limit: PAGE_SIZE }));
  });

  app.get('/ui/apps/:app', { config: { web: 'read' }, schema: { hide: true } }, async (request, reply) => {
    const ref = (request.params as { app: string }).app;
    const { app: a, versions } = await history.versions(auth(request), ref);
    const offset = num((request.query as { offset?: string }).offset, versions.length);
    // Newest first; the chart draws the newest CHART_VERSIONS, the table a page of them.
    const newest = [...versions].reverse();
    const listed = newest.slice(offset, offset + PAGE_SIZE);
    const charted = newest.slice(0, CHART_VERSIONS).reverse();
    const ids = [...new Set([...listed, ...charted].map((v) => v.id))];
    const counts = new Map((await store.dashboard.versionCounts(request.web!.tenantId, ids)).map((c) => [c.versionId, c.counts]));
    const latest = versions.at(-1);
    const findings = latest ? (await history.findings(auth(request), a.id, latest.id)).findings : [];
    return html(reply, appPage(request.web!, { app: a, listed, charted, total: versions.length, offset, limit: PAGE_SIZE, counts, findings, latest }));
  });

  app.get('/ui/apps/:app/versions/:v', { config: { web: 'read' }, schema: { hide: true } }, async (request, reply) => {
    const p = request.params as { app: string; v: string };
    const { app: a, versions } = await history.versions(auth(request), p.app);
    const version = versions.find((v) => v.id === p.v);
    if (!version) throw new HttpError(404, 'not_found', `no version ${p.v}`);
    const caller = request.web!;
    const canReveal = hasScope(caller, 'admin') && config.secrets.store;
    const revealed = canReveal && caller.session.reveal;
    const report = await scans.report(caller, version.scanId, revealed);
    const compare = (request.query as { compare?: string }).compare;
    const i = versions.findIndex((v) => v.id === version.id);
    const other = compare ? versions.find((v) => v.id === compare) : versions[i - 1];
    let diff: VersionDiff | undefined;
    if (other) {
      const older = versions.indexOf(other) < i;
      const d = await history.diff(caller, a.id, older ? other.id : version.id, older ? version.id : other.id);
      const label = `${other.versionName ?? other.versionCode ?? other.id}${older ? '' : ' (a later version)'}`;
      diff = { previous: label, new: d.new.map(toDiffFinding), resolved: d.resolved.map(toDiffFinding), persisting: d.persisting.map(toDiffFinding), signerChanged: d.signerChanged };
      if (!older) diff = { ...diff, new: diff.resolved, resolved: diff.new };
    }
    return html(reply, versionPage(caller, { app: a, version, versions, report, diff, compare: other?.id, revealed, canReveal }));
  });

  app.get('/ui/upload', { config: { web: 'write' }, schema: { hide: true } }, async (request, reply) => html(reply, uploadPage(request.web!, { maxBytes: config.limits.maxUploadBytes })));

  app.post('/ui/upload', { config: { web: 'write' }, schema: { hide: true } }, async (request, reply) => {
    if (!sameOrigin(request)) throw new HttpError(403, 'cross_origin', 'this form must be sent from the dashboard itself');
    if (!request.isMultipart()) throw new HttpError(415, 'not_multipart', 'send the form as multipart/form-data');
    const parts = request.parts({ limits: { fileSize: config.limits.maxUploadBytes, ...MULTIPART_LIMITS } });
    let token: unknown = request.headers['x-csrf-token'];
    let part: Multipart | undefined;
    // The token field comes before the file in the form: it is checked before a byte of the file is stored.
    while (!part) {
      const next = await parts.next();
      if (next.done) break;
      if (next.value.type === 'field' && next.value.fieldname === '_csrf') token = next.value.value;
      else if (next.value.type === 'file') part = next.value;
    }
    if (!csrfValid(request.web!.session, token)) {
      if (part && 'file' in part) (part as unknown as UploadPart).file.resume();
      throw new HttpError(403, 'csrf', 'the form is stale or was not sent by the dashboard: reload the page');
    }
    if (!part) throw new HttpError(400, 'no_file', 'choose a file to upload');
    const rest = async () => {
      for (let next = await parts.next(); !next.done; next = await parts.next()) if (next.value.type === 'file') next.value.file.resume();
    };
    const { scan } = await scans.accept(auth(request), part as unknown as UploadPart, false, rest);
    const statusUrl = `/ui/scans/${encodeURIComponent(scan.id)}/status`;
    if ((request.headers.accept ?? '').includes('application/json')) return reply.code(202).send({ id: scan.id, statusUrl, page: `/ui/scans/${scan.id}` });
    return reply.redirect(`/ui/scans/${encodeURIComponent(scan.id)}`, 303);
  });

  app.post('/ui/upload-url', { config: { web: 'write' }, schema: { hide: true } }, async (request, reply) => {
    checkPost(request, body(request)._csrf);
    try {
      const { scan } = await (await import('../market/submit.js')).acceptUrl(scans, auth(request), String(body(request).url ?? ''), false, {});
      return reply.redirect(`/ui/scans/${encodeURIComponent(scan.id)}`, 303);
    } catch (e) {
      const f = describeFailure(e);
      if (!f) throw e;
      return html(reply, uploadPage(request.web!, { maxBytes: config.limits.maxUploadBytes, error: f.message }), f.status);
    }
  });

  app.get('/ui/scans/:id', { config: { web: 'read' }, schema: { hide: true } }, async (request, reply) => {
    const scan = await scans.get(auth(request), (request.params as { id: string }).id);
    if (scan.status === 'done' && scan.appId && scan.versionId) return reply.redirect(`/ui/apps/${encodeURIComponent(scan.appId)}/versions/${encodeURIComponent(scan.versionId)}`, 303);
    return html(reply, scanPage(request.web!, scan));
  });

  app.get('/ui/scans/:id/status', { config: { web: 'read' }, schema: { hide: true } }, async (request) => {
    const scan = await scans.get(auth(request), (request.params as { id: string }).id);
    const report = scan.appId && scan.versionId ? `/ui/apps/${encodeURIComponent(scan.appId)}/versions/${encodeURIComponent(scan.versionId)}` : `/ui/scans/${encodeURIComponent(scan.id)}`;
    return { status: scan.status, entriesDone: scan.entriesDone, entriesTotal: scan.entriesTotal, error: scan.error, report };
  });

  const watchesView = async (request: FastifyRequest, extra: { error?: string; added?: string } = {}) => {
    const tenantId = request.web!.tenantId;
    const offset = num((request.query as { offset?: string } | undefined)?.offset, MAX_WATCHES_LISTED);
    const all = await watches.list(tenantId, MAX_WATCHES_LISTED);
    const shown = all.slice(offset, offset + PAGE_SIZE);
    const last = await store.dashboard.lastWatchVersions(tenantId, shown.map((w) => w.id));
    const rows = shown.map((w) => {
      const found = last.get(w.id);
      return { ...watchView(w), paused: w.paused, lastVersion: found ? `${found.versionName ?? found.key} (${found.status})` : null, lastVersionError: found?.error ?? null };
    });
    return watchesPage(request.web!, { watches: rows, total: all.length, offset, limit: PAGE_SIZE, canWrite: hasScope(request.web!, 'write'), ...extra });
  };

  app.get('/ui/watches', { config: { web: 'read' }, schema: { hide: true } }, async (request, reply) => html(reply, await watchesView(request)));

  app.post('/ui/watches', { config: { web: 'write' }, schema: { hide: true } }, async (request, reply) => {
    const b = body(request);
    checkPost(request, b._csrf);
    try {
      const { watch } = await watches.create(request.web!.tenantId, { url: String(b.url ?? ''), intervalS: parseInterval(String(b.interval ?? '1h')) });
      return reply.redirect(`/ui/watches?added=${encodeURIComponent(watch.id)}`, 303);
    } catch (e) {
      const f = describeFailure(e);
      if (!f) throw e;
      return html(reply, await watchesView(request, { error: f.message }), 400);
    }
  });

  for (const action of ['pause', 'resume', 'remove'] as const) {
    app.post(`/ui/watches/:id/${action}`, { config: { web: 'write' }, schema: { hide: true } }, async (request, reply) => {
      checkPost(request, body(request)._csrf);
      const id = (request.params as { id: string }).id;
      const tenantId = request.web!.tenantId;
      const ok = action === 'remove' ? await watches.remove(tenantId, id) : await watches.setPaused(tenantId, id, action === 'pause');
      if (!ok) throw new HttpError(404, 'not_found', `no watch ${id}`);
      return reply.redirect('/ui/watches', 303);
    });
  }

  app.get('/ui/rules', { config: { web: 'read' }, schema: { hide: true } }, async (request, reply) => {
    const q = String((request.query as { q?: string }).q ?? '').trim().toLowerCase().slice(0, 200);
    const offset = num((request.query as { offset?: string }).offset, 100_000);
    const hits = q ? RULE_ROWS.filter((r) => [r.id, r.provider, r.title, ...r.keywords].some((x) => x.toLowerCase().includes(q))) : RULE_ROWS;
    return html(reply, rulesPage(request.web!, { rules: hits.slice(offset, offset + PAGE_SIZE), q, total: hits.length, offset, limit: PAGE_SIZE }));
  });
};
