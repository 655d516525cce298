import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DEFAULT_GRAPHIQL_QUERY, THAI_FONT_FAMILY } from '../../src/platform/http/graphiql';
import { startTestHub, type TestHub } from '../support/test-hub';

/**
 * GraphiQL in a real browser (Debian's Chromium, driven by playwright-core): the page loads with no
 * request leaving the machine, the API key box authorises queries, and without a key the hub answers
 * UNAUTHENTICATED.
 *
 * Without /usr/bin/chromium the suite is skipped, unless REQUIRE_BROWSER_TESTS=1 (CI), where it fails.
 */

const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const hasChromium = fs.existsSync(CHROMIUM_PATH);
const browserRequired = process.env.REQUIRE_BROWSER_TESTS === '1';

const QUERY_EDITOR = '.graphiql-query-editor .CodeMirror';
const RESULT_EDITOR = '.graphiql-response .CodeMirror';
const RUN_BUTTON = '.graphiql-execute-button';
const FACTORY_QUERY = '{ factories(first: 3) { totalCount edges { node { fid name provinceName } } } }';
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** GraphiQL 3 editors are CodeMirror 5 instances, reachable from their wrapper element. */
interface CodeMirrorHost {
  CodeMirror: { getValue(): string; setValue(value: string): void };
}

if (!hasChromium) {
  if (browserRequired) {
    describe('GraphiQL in a browser', () => {
      it('needs Chromium', () => {
        throw new Error(
          `REQUIRE_BROWSER_TESTS=1 but ${CHROMIUM_PATH} does not exist: install Chromium (apt-get install chromium) to run the browser tests.`,
        );
      });
    });
  } else {
    console.warn(`Skipping the GraphiQL browser tests: ${CHROMIUM_PATH} not found (set REQUIRE_BROWSER_TESTS=1 to make this an error).`);
  }
}

const maybe = hasChromium ? describe : describe.skip;

maybe('GraphiQL in a browser', () => {
  let hub: TestHub | undefined;
  let browser: Browser | undefined;
  let apiKey: string;
  let ingestRun: { runId: string; status: string };

  beforeAll(async () => {
    hub = await startTestHub();
    ingestRun = await hub.ingestNow('diw');
    apiKey = await hub.createApiKey('analyst');
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  }, 60_000);

  interface OpenedPage {
    page: Page;
    /** Every URL the page requested. */
    requests: string[];
    /** Authorization header of each request to the GraphQL endpoint (null when absent). */
    graphqlAuthorizations: (string | null)[];
    close(): Promise<void>;
  }

  /** A fresh browser context (empty localStorage) with GraphiQL loaded and its editors ready. */
  async function openGraphiql(): Promise<OpenedPage> {
    const context = await browser!.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const requests: string[] = [];
    const graphqlAuthorizations: (string | null)[] = [];
    page.on('request', (request) => {
      requests.push(request.url());
      if (request.url() === hub!.graphqlUrl) graphqlAuthorizations.push(request.headers()['authorization'] ?? null);
    });
    const response = await page.goto(`${hub!.baseUrl}/graphiql`);
    expect(response?.status()).toBe(200);
    await expect(page.title()).resolves.toBe('i-Industry Hub — GraphiQL');
    await page.locator(QUERY_EDITOR).waitFor({ state: 'visible', timeout: 30_000 });
    await page.locator('#api-key').waitFor({ state: 'visible' });
    return { page, requests, graphqlAuthorizations, close: () => context.close() };
  }

  /** Replaces the query as a user does: focus the editor, select all, and type (paste) the new text. */
  async function setQuery(page: Page, query: string): Promise<void> {
    await page.locator(QUERY_EDITOR).click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(query);
    await page.waitForFunction(
      // Runs in the page, where `document` exists (this file is compiled without the DOM library).
      ([selector, expected]) =>
        ((globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector(selector) as CodeMirrorHost | null)?.CodeMirror.getValue() ===
        expected,
      [QUERY_EDITOR, query] as const,
    );
    // GraphiQL re-reads the operation name from the editor after a short debounce; a person takes
    // longer than that to reach the run button.
    await page.waitForTimeout(500);
  }

  async function resultText(page: Page): Promise<string> {
    const editor = page.locator(RESULT_EDITOR);
    if ((await editor.count()) === 0) return '';
    return editor.evaluate((element) => (element as unknown as CodeMirrorHost).CodeMirror.getValue());
  }

  /** Polls the result pane until it contains `needle`; fails with what the pane shows instead. */
  async function waitForResult(page: Page, needle: string, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let text = '';
    while (Date.now() < deadline) {
      text = await resultText(page);
      if (text.includes(needle)) return text;
      await page.waitForTimeout(200);
    }
    throw new Error(`result pane did not show ${needle} within ${timeoutMs} ms; it shows:\n${text}`);
  }

  function nonLocalRequests(urls: string[]): string[] {
    return urls.filter((url) => {
      const parsed = new URL(url);
      if (parsed.protocol === 'data:' || parsed.protocol === 'blob:') return false;
      return !LOCAL_HOSTS.has(parsed.hostname) && parsed.host !== new URL(hub!.baseUrl).host;
    });
  }

  it('loads every asset from the hub, and runs a query with the API key typed in the box', async () => {
    const { page, requests, graphqlAuthorizations, close } = await openGraphiql();
    try {
      // GraphiQL, React and the page's own files come from the hub, nothing from a CDN.
      expect(requests.some((url) => url.includes('graphiql.min.js'))).toBe(true);
      expect(nonLocalRequests(requests)).toEqual([]);

      await page.locator('#api-key').fill(apiKey);
      await page.locator('#api-key').press('Enter');
      await setQuery(page, FACTORY_QUERY);
      await page.locator(RUN_BUTTON).click();

      const text = await waitForResult(page, '"fid"');
      expect(text).toContain('totalCount');
      expect(text).toMatch(/"fid": "\d{14}"/);
      const result = JSON.parse(text) as {
        data?: { factories: { totalCount: number; edges: { node: { fid: string; name: string; provinceName: string | null } }[] } };
        errors?: unknown[];
      };
      expect(result.errors).toBeUndefined();
      const factories = result.data!.factories;
      if (factories.totalCount === 0) throw new Error(`no factories to show after the DIW run ${JSON.stringify(ingestRun)}`);
      expect(factories.edges).toHaveLength(Math.min(3, factories.totalCount));
      for (const { node } of factories.edges) {
        expect(node.fid).toMatch(/^\d{14}$/);
        expect(node.name).toEqual(expect.any(String));
      }

      // The query went out with the key from the box.
      expect(graphqlAuthorizations).toContain(`Bearer ${apiKey}`);
      expect(nonLocalRequests(requests)).toEqual([]);

      // The key is remembered by this browser.
      await page.reload();
      await page.locator(QUERY_EDITOR).waitFor({ state: 'visible', timeout: 30_000 });
      await expect(page.locator('#api-key').inputValue()).resolves.toBe(apiKey);
    } finally {
      await close();
    }
  }, 60_000);

  it('runs its welcome query as it stands, and shows Thai in the font the hub serves', async () => {
    const { page, requests, close } = await openGraphiql();
    try {
      // A first visit shows the welcome query; it runs unchanged.
      const editor = await page.locator(QUERY_EDITOR).evaluate((element) => (element as unknown as CodeMirrorHost).CodeMirror.getValue());
      expect(editor).toBe(DEFAULT_GRAPHIQL_QUERY);
      await page.locator('#api-key').fill(apiKey);
      await page.locator('#api-key').press('Enter');
      await page.waitForTimeout(500);
      await page.locator(RUN_BUTTON).click();
      const result = JSON.parse(await waitForResult(page, '"totalCount"')) as {
        data?: { factories: { totalCount: number; edges: { node: { province: { nameTh: string } | null } }[] } };
        errors?: unknown[];
      };
      expect(result.errors).toBeUndefined();
      expect(result.data!.factories.totalCount).toBeGreaterThan(0);
      expect(result.data!.factories.edges[0]!.node.province).toEqual({ nameTh: 'ชลบุรี', nameEn: 'Chon Buri' });

      // The Thai in the editor and the result is drawn with the hub's own Thai font, fetched from the hub.
      const fonts = await page.evaluate(async (family) => {
        const doc = (globalThis as unknown as { document: { fonts: { ready: Promise<unknown>; check(font: string, text: string): boolean; forEach(f: (face: { family: string; status: string }) => void): void } } }).document;
        await doc.fonts.ready;
        const faces: { family: string; status: string }[] = [];
        doc.fonts.forEach((face) => faces.push({ family: face.family, status: face.status }));
        return { faces, drawable: doc.fonts.check(`16px "${family}"`, 'ชลบุรี') };
      }, THAI_FONT_FAMILY);
      expect(fonts.faces.filter((face) => face.family.replace(/"/g, '') === THAI_FONT_FAMILY).map((face) => face.status)).toContain('loaded');
      expect(fonts.drawable).toBe(true);
      expect(requests.some((url) => /\/graphiql\/assets\/@fontsource\/noto-sans-thai@[\d.]+\/files\/noto-sans-thai-thai-400-normal\.woff2$/.test(url))).toBe(true);
      expect(nonLocalRequests(requests)).toEqual([]);
    } finally {
      await close();
    }
  }, 60_000);

  it('shows UNAUTHENTICATED when no API key is given', async () => {
    const { page, requests, graphqlAuthorizations, close } = await openGraphiql();
    try {
      await expect(page.locator('#api-key').inputValue()).resolves.toBe('');
      await setQuery(page, FACTORY_QUERY);
      await page.locator(RUN_BUTTON).click();

      const text = await waitForResult(page, 'UNAUTHENTICATED');
      expect(text).not.toContain('"fid"');
      expect(graphqlAuthorizations.length).toBeGreaterThan(0);
      expect(graphqlAuthorizations.every((header) => header === null)).toBe(true);
      expect(nonLocalRequests(requests)).toEqual([]);
    } finally {
      await close();
    }
  }, 60_000);
});
