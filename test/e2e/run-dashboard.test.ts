import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { redisTestUrl } from '../support/test-database';
import { startTestHub, type TestHub } from '../support/test-hub';

/**
 * The admins' run dashboard (Bull Board at /admin/queues) in a real browser: the browser asks for
 * the key (HTTP Basic, the key as password), the queues and their jobs show, with a run's result
 * and a failed run's reason, on both queue backends, and no request leaves the machine.
 */
const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const hasChromium = fs.existsSync(CHROMIUM_PATH);
if (!hasChromium && process.env.REQUIRE_BROWSER_TESTS === '1') {
  describe('run dashboard in a browser', () => {
    it('needs Chromium', () => {
      throw new Error(`REQUIRE_BROWSER_TESTS=1 but ${CHROMIUM_PATH} does not exist: install Chromium (apt-get install chromium).`);
    });
  });
}
const maybe = hasChromium ? describe : describe.skip;
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Waits until the page's text matches (Bull Board renders job data as a tree of spans). */
async function pageShows(page: Page, pattern: RegExp): Promise<void> {
  const deadline = Date.now() + 30_000;
  let text = '';
  while (Date.now() < deadline) {
    text = await page.innerText('body');
    if (pattern.test(text)) return;
    await page.waitForTimeout(250);
  }
  throw new Error(`the page never showed ${String(pattern)}; it showed:\n${text.slice(0, 2000)}`);
}

maybe('run dashboard in a browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  const backends: ('postgres' | 'redis')[] = redisTestUrl() ? ['postgres', 'redis'] : ['postgres'];
  describe.each(backends)('on the %s queue backend', (queue) => {
    let t: TestHub;
    let admin: string;
    let analyst: string;

    beforeAll(async () => {
      t = await startTestHub({ queue, scale: 300 });
      expect((await t.ingestNow('diw')).status).toBe('succeeded');
      t.feed.set('fault=http500');
      try {
        expect((await t.ingestNow('tisi-standards')).status).toBe('failed');
      } finally {
        t.feed.set('');
      }
      admin = await t.createApiKey('admin');
      analyst = await t.createApiKey('analyst');
    }, 120_000);
    afterAll(async () => {
      await t?.stop();
    });

    test('without an admin key the page is refused, and the browser is asked for one', async () => {
      expect((await fetch(`${t.baseUrl}/admin/queues`)).headers.get('www-authenticate')).toMatch(/^Basic /);
      const context = await browser.newContext({ httpCredentials: { username: 'analyst', password: analyst } });
      try {
        const page = await context.newPage();
        const response = await page.goto(`${t.baseUrl}/admin/queues`);
        expect(response?.status()).toBe(403);
      } finally {
        await context.close();
      }
    });

    test('an admin sees the queues, a run\'s result and a failed run\'s reason', async () => {
      const context = await browser.newContext({ httpCredentials: { username: 'admin', password: admin }, viewport: { width: 1400, height: 900 } });
      const external: { url: string; failure: string | undefined }[] = [];
      try {
        const page = await context.newPage();
        const isExternal = (url: string) => !url.startsWith('data:') && !LOCAL_HOSTS.has(new URL(url).hostname);
        page.on('requestfinished', (request) => isExternal(request.url()) && external.push({ url: request.url(), failure: undefined }));
        page.on('requestfailed', (request) => isExternal(request.url()) && external.push({ url: request.url(), failure: request.failure()?.errorText }));
        const response = await page.goto(`${t.baseUrl}/admin/queues`);
        expect(response?.status()).toBe(200);
        await page.getByText('i-Industry Hub runs').first().waitFor({ timeout: 30_000 });
        await page.getByText('ingestion', { exact: true }).first().waitFor({ timeout: 30_000 });
        await page.getByText('eligibility', { exact: true }).first().waitFor({ timeout: 30_000 });

        await page.goto(`${t.baseUrl}/admin/queues/queue/ingestion?status=completed`);
        await pageShows(page, /jobData:\s*\{\s*source:\s*"diw"[\s\S]*returnValue:\s*\{\s*runId:\s*"\d+",\s*status:\s*"succeeded"/);
        if (process.env['DASHBOARD_SCREENSHOT']) await page.screenshot({ path: `${process.env['DASHBOARD_SCREENSHOT']}-${queue}-completed.png` });

        await page.goto(`${t.baseUrl}/admin/queues/queue/ingestion?status=failed`);
        // A failed job opens on its error; its data names the source.
        await pageShows(page, /HTTP 500 Internal Server Error from http:\/\/127\.0\.0\.1:\d+\/tisi\/standards\.csv/);
        await page.getByText('Data', { exact: true }).first().click();
        await pageShows(page, /source:\s*"tisi-standards"/);
        if (process.env['DASHBOARD_SCREENSHOT']) await page.screenshot({ path: `${process.env['DASHBOARD_SCREENSHOT']}-${queue}-failed.png` });

        // Read-only: no button that retries, removes or adds jobs.
        expect(await page.getByRole('button', { name: /^(retry|clean|delete|add)/i }).count()).toBe(0);
        // Bull Board's page links a CDN font; the page's policy stops the browser before it connects.
        expect(external.filter((request) => request.failure !== 'csp')).toEqual([]);
      } finally {
        await context.close();
      }
    }, 90_000);
  });
});
