/**
 * The dashboard (src/routes/web.ts, src/web/) end to end in headless Chromium (Debian's /usr/bin/chromium driven by
 * playwright-core) against the real service listening on 127.0.0.1, with real scans of the two versions of the leaky
 * sample: sign-in, upload with progress, overview and search, the app's timeline, the version report's filters and
 * comparison, watches, rules, sign-out, tenants, CSRF and origin checks (with a page of a second local server),
 * session fixation, axe-core on every page at two widths, screenshots (test-artifacts/dashboard/), the keyboard, and
 * no external request nor console error. test/web/sessions.test.ts checks the same guards without a browser.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { RULES } from '../../rules/index.js';
import { loadConfig } from '../../src/config.js';
import { SEVERITIES } from '../../src/detect/types.js';
import { scanFileSync } from '../../src/pipeline/index.js';
import type { Report } from '../../src/report/types.js';
import { startServer } from '../../src/server.js';
import { createApiKey } from '../../src/service/auth.js';
import { LEAKY_APK, LEAKY_V2_APK, ROOT, tempDir } from '../helpers/files.js';
import { testNeeding } from '../helpers/postgres.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const SHOTS = join(ROOT, 'test-artifacts', 'dashboard');
const COOKIE = 'leakdex_session';
const VERSION_URL = /\/ui\/apps\/([^/?#]+)\/versions\/([^/?#]+)$/;
/** A direct download URL the policy accepts at creation: nothing ever fetches it (no sweep runs here). */
const WATCH_URL = 'https://downloads.example.invalid/app.apk';
const WIDTHS = [1280, 390];
/** The text nodes that reach past the right edge of the viewport (to say what overflows). */
const OVERFLOWING = `(() => { const out = []; const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT); let n;
  while ((n = w.nextNode())) { const r = document.createRange(); r.selectNodeContents(n); const right = r.getBoundingClientRect().right;
    if (right > innerWidth + 1) out.push(n.parentElement.tagName + '.' + n.parentElement.className + ' ' + Math.round(right) + ' ' + n.textContent.slice(0, 60)); }
  return out.slice(0, 10); })()`;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** Findings counted by severity and provider, and the fingerprints, of a local scan of `file`. */
function expected(file: string) {
  const r: Report = scanFileSync(file);
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, r.findings.filter((f) => f.severity === s).length]));
  const byProvider = new Map<string, number>();
  for (const f of r.findings) byProvider.set(f.provider, (byProvider.get(f.provider) ?? 0) + 1);
  return { total: r.findings.length, bySeverity, byProvider, fingerprints: new Set(r.findings.map((f) => f.fingerprint)) };
}

/** Evaluates `expr` in the page (a string: this project's TypeScript has no DOM types). */
const js = <T>(page: Page, expr: string) => page.evaluate(expr) as Promise<T>;
/** Clicks `selector` and waits for the page it leads to (form posts redirect, then load). */
const submit = async (page: Page, selector: string) => {
  await Promise.all([page.waitForEvent('load'), page.click(selector)]);
};
const path = (page: Page) => {
  const u = new URL(page.url());
  return u.pathname + u.search;
};

testNeeding('dashboard in headless Chromium', existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing: apt-get install chromium (Debian's; .ci/run installs it)`, async (t) => {
  const v1 = expected(LEAKY_APK);
  const v2 = expected(LEAKY_V2_APK);
  const config = loadConfig({ env: { LEAKDEX_DATA_DIR: join(tempDir('leakdex-dashboard-'), 'data') }, overrides: { host: '127.0.0.1', port: 0, bootstrapKey: false, logLevel: 'silent', jobs: { concurrency: 2, pollMs: 50 } } });
  const server = await startServer(config);
  t.teardown(() => server.close());
  const origin = server.url;
  const key = (await createApiKey(server.store, 'acme', ['read', 'write'])).token;
  const otherKey = (await createApiKey(server.store, 'globex', ['read', 'write'])).token;
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  t.teardown(() => browser.close());

  // Every dashboard page this suite opens records its requests and console errors (checked at the end).
  const requests: string[] = [];
  const errors: string[] = [];
  const tracked = async (ctx = browser.newContext({ viewport: { width: 1280, height: 900 } })) => {
    const page = await (await ctx).newPage();
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(`${m.text()} @ ${m.location().url}`)));
    page.on('pageerror', (e) => errors.push(`uncaught ${e.message}`));
    return page;
  };
  const signIn = async (page: Page, apiKey: string) => {
    await page.goto(`${origin}/ui/sign-in`);
    await page.fill('#key', apiKey);
    await submit(page, 'main button[type=submit]');
  };
  const sessionOf = async (page: Page) => (await page.context().cookies(origin)).find((c) => c.name === COOKIE)?.value;
  /** A new browser context holding only the cookie `value`, opening /ui: where it lands. */
  const withCookie = async (value: string) => {
    const ctx = await browser.newContext();
    await ctx.addCookies([{ name: COOKIE, value, url: origin }]);
    const page = await ctx.newPage();
    await page.goto(`${origin}/ui`);
    const at = path(page);
    await ctx.close();
    return at;
  };

  const page = await tracked();
  let appId = '';
  let v1Id = '';
  let v2Id = '';

  await t.test('sign-in: the form, a wrong key, / redirects', async (t) => {
    await page.goto(`${origin}/`);
    t.equal(path(page), '/ui/sign-in', 'signed out, / opens the sign-in page');
    await page.goto(`${origin}/ui/watches`);
    t.equal(path(page), '/ui/sign-in?next=%2Fui%2Fwatches', 'a page without a session redirects to sign-in');
    await page.fill('#key', `ldx_0000000000000000_${'A'.repeat(43)}`);
    const [refused] = await Promise.all([page.waitForResponse((r) => r.url() === `${origin}/ui/sign-in` && r.request().method() === 'POST'), page.click('main button[type=submit]')]);
    await page.waitForLoadState('load');
    t.equal(refused.status(), 401, 'a wrong key is refused');
    t.match(await page.textContent('.error[role=alert]'), /unknown or revoked/, 'and the page says so');
    t.equal(await sessionOf(page), undefined, 'no session cookie');
    await page.fill('#key', key);
    await submit(page, 'main button[type=submit]');
    t.equal(path(page), '/ui/watches', 'signed in, back where the redirect came from');
    t.equal(await page.textContent('.topbar .who'), 'acme', 'the tenant is named');
    t.match(await sessionOf(page), /^[A-Za-z0-9_-]{43}$/, 'a session cookie');
    await page.goto(`${origin}/`);
    t.equal(path(page), '/ui', 'signed in, / opens the overview');
  });

  await t.test('upload: progress, the scan followed until its report opens', async (t) => {
    for (const [file, exp, name] of [[LEAKY_APK, v1, '1.2.0'], [LEAKY_V2_APK, v2, '1.3.0']] as const) {
      await page.goto(`${origin}/ui/upload`);
      await page.setInputFiles('#file', file);
      const before = requests.length;
      const [posted] = await Promise.all([page.waitForRequest((r) => r.url() === `${origin}/ui/upload` && r.method() === 'POST'), page.click('#upload-form button[type=submit]')]);
      t.equal(posted.headers()['accept'], 'application/json', `${name}: sent by the page's script (XHR), not as a plain form`);
      await page.waitForURL(VERSION_URL, { timeout: 45_000 });
      await page.waitForLoadState('load');
      t.ok(requests.slice(before).some((u) => /\/ui\/scans\/[^/]+\/status$/.test(u)), `${name}: the script followed the scan's status`);
      const [, a, v] = VERSION_URL.exec(page.url())!;
      if (appId) t.equal(a, appId, 'the second version belongs to the same app');
      appId = a!;
      if (name === '1.2.0') v1Id = v!;
      else v2Id = v!;
      t.equal(await page.textContent('#rating'), 'F', `${name}: rated F (critical findings)`);
      t.match(await page.textContent('header h1'), /Leakdex Leaky Sample/);
      t.match(await page.textContent('#summary'), new RegExp(`^${exp.total} finding\\(s\\)`), `${name}: ${exp.total} findings in the summary`);
      t.equal(await page.locator('article.finding').count(), exp.total, `${name}: one card per finding`);
    }
    t.not(v1Id, v2Id, 'two versions');
  });

  await t.test('overview: latest version, rating, counts; search', async (t) => {
    await page.goto(`${origin}/ui`);
    const rows = page.locator('main table.grid tbody tr');
    t.equal(await rows.count(), 1, 'one app');
    const row = (await rows.first().textContent()) ?? '';
    t.match(row, /Leakdex Leaky Sample/);
    t.match(row, /com\.leakdex\.sample\.leaky/);
    t.match(row, /1\.3\.0\s*\(13\)/, 'its latest version is 1.3.0');
    t.match(row, /2 version\(s\)/);
    t.equal(await rows.first().locator('.grade').textContent(), 'F', 'rated F');
    const chips = await rows.first().locator('.chip').allTextContents();
    t.same(chips, SEVERITIES.filter((s) => v2.bySeverity[s]! > 0).map((s) => `${v2.bySeverity[s]} ${s}`), 'counts of the latest version');
    for (const [q, n] of [['leaky', 1], ['com.leakdex', 1], ['zzz-no-such-app', 0]] as const) {
      await page.fill('#q', q);
      await submit(page, 'form[role=search] button');
      t.equal(path(page), `/ui?q=${encodeURIComponent(q)}`);
      t.equal(await page.locator('main table.grid tbody tr').count(), n, `search "${q}": ${n} app(s)`);
    }
    t.match(await page.textContent('main'), /No app matches this search/);
  });

  await t.test('app page: timeline and versions', async (t) => {
    await page.goto(`${origin}/ui/apps/${appId}`);
    t.match(await page.textContent('main h1'), /Leakdex Leaky Sample/);
    const groups = page.locator('svg.chart g.version');
    t.equal(await groups.count(), 2, 'one bar group per version');
    t.same(await groups.evaluateAll((els) => els.map((e) => e.getAttribute('data-version'))), ['1.2.0', '1.3.0'], 'oldest first');
    for (let i = 0; i < 2; i++) t.ok((await groups.nth(i).locator('rect').count()) > 0, `group ${i} has bars`);
    t.ok(await page.isVisible('svg.chart'), 'the chart is shown');
    const links = await page.locator('section[aria-labelledby=tl] table tbody tr td:nth-child(2) a').allTextContents();
    t.same(links, ['1.3.0', '1.2.0'], 'the versions table lists both, newest first');
    t.equal(await page.locator('section[aria-labelledby=lf] tbody tr').count(), v2.total, "the newest version's findings");
  });

  await t.test('version page: severity and provider filters, comparison', async (t) => {
    await page.goto(`${origin}/ui/apps/${appId}/versions/${v2Id}`);
    const visible = () => page.locator('article.finding:visible').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-severity')} ${e.closest('[data-provider]')?.getAttribute('data-provider')}`));
    t.equal((await visible()).length, v2.total, 'every card shown at first');
    for (const sev of SEVERITIES.filter((s) => v2.bySeverity[s]! > 0)) {
      await page.click(`label[for=filter-${sev}]`);
      const shown = await visible();
      t.ok(shown.length === v2.bySeverity[sev] && shown.every((s) => s.startsWith(`${sev} `)), `severity ${sev}: only its ${v2.bySeverity[sev]} card(s) (${shown.length} shown)`);
    }
    await page.click('label[for=filter-all]');
    t.equal((await visible()).length, v2.total, '"all" shows every card again');
    const provider = v2.byProvider.has('aws') ? 'aws' : [...v2.byProvider.keys()].sort()[0]!;
    await page.selectOption('#provider-filter', provider);
    const shown = await visible();
    t.ok(shown.length === v2.byProvider.get(provider) && shown.every((s) => s.endsWith(` ${provider}`)), `provider ${provider}: only its ${v2.byProvider.get(provider)} card(s)`);
    t.equal(await page.locator('#glance tbody tr:visible').count(), v2.byProvider.get(provider), 'and only its summary rows');
    await page.selectOption('#provider-filter', '');
    t.equal((await visible()).length, v2.total, 'all providers again');

    const newCount = [...v2.fingerprints].filter((f) => !v1.fingerprints.has(f)).length;
    const resolvedCount = [...v1.fingerprints].filter((f) => !v2.fingerprints.has(f)).length;
    t.match(await page.textContent('#diff'), new RegExp(`Compared with 1\\.2\\.0\\s*${newCount} new, ${resolvedCount} resolved`), 'the newest version compares with the previous one by default');
    await page.goto(`${origin}/ui/apps/${appId}/versions/${v1Id}`);
    t.equal(await page.locator('#diff').count(), 0, 'the first version has no diff by default');
    await page.selectOption('#compare', v2Id);
    await submit(page, 'form:has(#compare) button');
    t.equal(path(page), `/ui/apps/${appId}/versions/${v1Id}?compare=${v2Id}`);
    t.match(await page.textContent('#diff'), new RegExp(`Compared with 1\\.3\\.0 \\(a later version\\)\\s*${resolvedCount} new, ${newCount} resolved`), 'compared with the later version');
  });

  await t.test('watches: add, pause, resume, remove', async (t) => {
    await page.goto(`${origin}/ui/watches`);
    t.match(await page.textContent('main'), /No watch yet/);
    await page.fill('#watch-url', WATCH_URL);
    await page.selectOption('#interval', '6h');
    await submit(page, 'button:has-text("Add watch")');
    t.match(path(page), /^\/ui\/watches\?added=[0-9a-f-]{36}$/, 'added');
    const row = page.locator('main tbody tr', { hasText: WATCH_URL });
    t.equal(await row.count(), 1, 'listed');
    t.equal(await row.locator('td:nth-child(3)').textContent(), 'active');
    await submit(page, 'main tbody tr button:has-text("Pause")');
    t.equal(await row.locator('td:nth-child(3)').textContent(), 'paused', 'paused');
    await submit(page, 'main tbody tr button:has-text("Resume")');
    t.equal(await row.locator('td:nth-child(3)').textContent(), 'active', 'resumed');
    await submit(page, 'main tbody tr button:has-text("Remove")');
    t.equal(await row.count(), 0, 'removed');
    t.match(await page.textContent('main'), /No watch yet/);
  });

  await t.test('CSRF: token and origin checked; a form on another local page creates nothing', async (t) => {
    await page.goto(`${origin}/ui/watches`);
    const token = (await page.getAttribute('input[name=_csrf]', 'value'))!;
    const post = (form: Record<string, string>, from = origin) => page.request.post(`${origin}/ui/watches`, { form, headers: { origin: from }, maxRedirects: 0 });
    const url = 'https://mirror.example.org/app.apk';
    t.equal((await post({ url })).status(), 403, 'without a token: 403');
    t.equal((await post({ url, _csrf: token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) })).status(), 403, 'a wrong token: 403');
    t.equal((await post({ url, _csrf: token }, 'http://evil.example')).status(), 403, 'from another origin with the right token: 403');
    const ok = await post({ url, _csrf: token });
    t.equal(ok.status(), 303, 'the same request from the dashboard with its token is accepted');
    t.match(ok.headers()['location'], /^\/ui\/watches\?added=/);

    const evil = createServer((req, res) => {
      const stolen = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!DOCTYPE html><form method="post" action="${origin}/ui/watches"><input name="url" value="https://evil.example.com/x.apk">${stolen ? `<input name="_csrf" value="${stolen}">` : ''}</form><script>document.forms[0].submit()</script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    t.teardown(() => new Promise((resolve) => evil.close(resolve)));
    const evilOrigin = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
    const attacked = await page.context().newPage();
    for (const q of ['', `?token=${encodeURIComponent(token)}`]) {
      const [r] = await Promise.all([attacked.waitForResponse((r) => r.url() === `${origin}/ui/watches` && r.request().method() === 'POST'), attacked.goto(`${evilOrigin}/${q}`)]);
      t.equal(r.status(), 403, `a form auto-submitted from ${evilOrigin} (${q ? 'with the stolen token' : 'without a token'}) is refused`);
    }
    await attacked.close();
    await page.goto(`${origin}/ui/watches`);
    t.equal(await page.locator('main tbody tr').count(), 1, 'only the watch the dashboard itself added');
    t.notMatch(await page.textContent('main'), /evil\.example/);
  });

  await t.test('rules: search', async (t) => {
    await page.goto(`${origin}/ui/rules`);
    t.equal(await page.locator('main tbody tr').count(), Math.min(50, RULES.length), 'the first page of rules');
    await page.fill('#rq', 'aws');
    await submit(page, 'form[role=search] button');
    const ids = await page.locator('main tbody tr td:first-child code').allTextContents();
    t.same(ids.sort(), RULES.filter((r) => r.provider === 'aws').map((r) => r.id).sort(), 'the AWS rules, and only them');
  });

  await t.test('keyboard: the skip link comes first and moves focus to main', async (t) => {
    for (const p of ['/ui', '/ui/watches']) {
      await page.goto(`${origin}${p}`);
      await page.keyboard.press('Tab');
      t.equal(await js(page, 'document.activeElement.className'), 'skip', `${p}: Tab focuses the skip link first`);
      const box = await page.locator('a.skip').boundingBox();
      t.ok(box && box.x >= 0 && box.y >= 0, 'and it is on screen');
      await page.keyboard.press('Enter');
      t.equal(await js(page, 'document.activeElement.id'), 'main', 'Enter moves focus to main');
    }
  });

  await t.test('accessibility (axe-core), overflow and screenshots at 1280 and 390 px', async (t) => {
    const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    const signedOut = await tracked();
    const pages: [string, string, Page][] = [
      ['sign-in', '/ui/sign-in', signedOut],
      ['overview', '/ui', page],
      ['app', `/ui/apps/${appId}`, page],
      ['version', `/ui/apps/${appId}/versions/${v2Id}`, page],
      ['upload', '/ui/upload', page],
      ['watches', '/ui/watches', page],
      ['rules', '/ui/rules', page],
    ];
    mkdirSync(SHOTS, { recursive: true });
    for (const width of WIDTHS) {
      for (const [name, p, pg] of pages) {
        await pg.setViewportSize({ width, height: width > 600 ? 900 : 844 });
        await pg.goto(`${origin}${p}`);
        t.equal(path(pg), p, `${name} opens`);
        const { sw, iw } = await js<{ sw: number; iw: number }>(pg, '({ sw: document.documentElement.scrollWidth, iw: innerWidth })');
        if (sw > iw + 1) t.comment(`overflowing text: ${JSON.stringify(await js(pg, OVERFLOWING))}`);
        t.ok(sw <= iw + 1, `${name} at ${width} px: no horizontal overflow (${sw} <= ${iw})`);
        await pg.evaluate(axe);
        const violations = await js<AxeViolation[]>(pg, "axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })))");
        const minor = violations.filter((v) => v.impact !== 'serious' && v.impact !== 'critical');
        if (minor.length) t.comment(`${name} ${width}: minor axe findings ${JSON.stringify(minor)}`);
        t.same(violations.filter((v) => !minor.includes(v)), [], `${name} at ${width} px: no serious or critical axe violation`);
        const file = join(SHOTS, `${name}-${width}.png`);
        await pg.screenshot({ path: file, fullPage: true });
        t.ok(existsSync(file) && statSync(file).size > 2000, `screenshot ${file}`);
      }
    }
    await signedOut.context().close();
  });

  await t.test('tenants: another tenant sees none of this', async (t) => {
    const other = await (await browser.newContext()).newPage();
    await signIn(other, otherKey);
    t.equal(path(other), '/ui');
    t.equal(await other.textContent('.topbar .who'), 'globex');
    t.match(await other.textContent('main'), /No app yet/, 'its overview lists no app');
    for (const p of [`/ui/apps/${appId}`, `/ui/apps/${appId}/versions/${v2Id}`]) {
      const r = await other.goto(`${origin}${p}`);
      t.equal(r?.status(), 404, `${p}: 404`);
      t.notMatch(await other.textContent('main'), /Leakdex Leaky Sample|leakdex\.sample/, 'and nothing of the app');
    }
    await other.context().close();
  });

  await t.test('session fixation: a planted cookie is never promoted', async (t) => {
    const planted = 'Att4ckerChosenSessionId_0123456789abcdefghi';
    t.equal(planted.length, 43);
    const ctx = await browser.newContext();
    await ctx.addCookies([{ name: COOKIE, value: planted, url: origin }]);
    const victim = await ctx.newPage();
    await signIn(victim, key);
    t.equal(path(victim), '/ui', 'signed in');
    const now = await sessionOf(victim);
    t.match(now, /^[A-Za-z0-9_-]{43}$/);
    t.not(now, planted, 'a new session id');
    t.equal(await withCookie(planted), '/ui/sign-in?next=%2Fui', "the attacker's value opens nothing");
    t.equal(await withCookie(now!), '/ui', 'the new one does');
    await ctx.close();
  });

  await t.test('sign-out ends the session', async (t) => {
    await page.goto(`${origin}/ui`);
    const before = (await sessionOf(page))!;
    t.equal(await withCookie(before), '/ui', 'the cookie opens /ui before');
    await submit(page, '.topbar button:has-text("Sign out")');
    t.equal(path(page), '/ui/sign-in', 'back to the sign-in page');
    t.equal(await sessionOf(page), undefined, 'the cookie is cleared');
    t.equal(await withCookie(before), '/ui/sign-in?next=%2Fui', 'the old cookie no longer opens /ui');
  });

  await t.test('no external request, no console error', async (t) => {
    t.ok(requests.length > 50, `${requests.length} requests recorded`);
    t.same(requests.filter((u) => !u.startsWith(`${origin}/`)), [], `every request is to ${origin}`);
    const expectedErrors = /status of 401 .*@ .*\/ui\/sign-in$/;
    t.same(errors.filter((e) => !expectedErrors.test(e)), [], 'no console error (CSP violations are console errors), besides the refused sign-in');
  });
});
