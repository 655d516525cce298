import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import express from 'express';
import { sendJsonError } from './json-error';

/**
 * GraphiQL served by the hub itself: the page, GraphiQL, React and ReactDOM all come from this router
 * (from node_modules), so the IDE works on networks without internet access. Nothing is loaded from a
 * CDN; the page's Content-Security-Policy (sent as a response header) only allows this origin.
 *
 * The page has an "API key" box; the key is kept in localStorage and sent as
 * `Authorization: Bearer <key>` on every request GraphiQL makes (queries and schema introspection).
 *
 * Mount it with `app.use('/graphiql', graphiqlRouter({ graphqlPath: '/graphql' }))`. Asset URLs are
 * built from the mount path (`req.baseUrl`), so any mount path works.
 */

export interface GraphiqlRouterOptions {
  /** Path (or absolute URL) of the GraphQL endpoint the page sends requests to, e.g. `/graphql`. */
  graphqlPath: string;
  /** Query shown on a first visit (GraphiQL remembers the user's own tabs afterwards). */
  defaultQuery?: string;
}

export const GRAPHIQL_PAGE_TITLE = 'i-Industry Hub — GraphiQL';

export const DEFAULT_GRAPHIQL_QUERY = `# Welcome to the i-Industry Hub.
#
# Paste your API key in the box above (create one with
#   npm run hub -- client:create --name you --role analyst
# ), then press the run button or Ctrl-Enter.

query Factories {
  factories(first: 10, filter: { province: "ชลบุรี" }) {
    totalCount
    edges {
      node {
        fid
        name
        district
        province {
          nameTh
          nameEn
        }
        status
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
`;

/** localStorage key under which the page keeps the API key (the browser test relies on it too). */
export const API_KEY_STORAGE_KEY = 'i-industry-hub:api-key';

const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;

interface Asset {
  /** URL path below `<mount>/assets/`, with the package version (or content hash) in it. */
  urlPath: string;
  contentType: string;
  load: () => Buffer;
}

interface LoadedAsset {
  identity: Buffer;
  gzip: Buffer | undefined;
}

function packageDir(name: string): { dir: string; version: string } {
  const manifestPath = require.resolve(`${name}/package.json`);
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { version?: unknown };
  if (typeof manifest.version !== 'string') throw new Error(`${manifestPath} has no version`);
  return { dir: path.dirname(manifestPath), version: manifest.version };
}

function fileAsset(pkg: { dir: string; version: string }, pkgName: string, file: string, contentType: string): Asset {
  const filePath = path.join(pkg.dir, file);
  if (!fs.existsSync(filePath)) {
    throw new Error(`GraphiQL asset ${filePath} is missing: is the "${pkgName}" package installed (npm ci)?`);
  }
  return { urlPath: `${pkgName}@${pkg.version}/${file}`, contentType, load: () => fs.readFileSync(filePath) };
}

function inlineAsset(name: string, content: string, contentType: string): Asset {
  const hash = createHash('sha256').update(content).digest('hex').slice(0, 12);
  const buffer = Buffer.from(content, 'utf8');
  return { urlPath: `hub@${hash}/${name}`, contentType, load: () => buffer };
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that is safe inside a <script type="application/json"> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

function contentSecurityPolicy(graphqlPath: string): string {
  const connect = ["'self'"];
  if (/^https?:\/\//i.test(graphqlPath)) connect.push(new URL(graphqlPath).origin);
  return [
    "default-src 'none'",
    "script-src 'self'",
    // GraphiQL and its popovers set inline styles; fonts are data: URLs inside graphiql.min.css.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src ${connect.join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function graphiqlRouter(options: GraphiqlRouterOptions): express.Router {
  const graphqlPath = options.graphqlPath;
  if (!graphqlPath || (!graphqlPath.startsWith('/') && !/^https?:\/\//i.test(graphqlPath))) {
    throw new Error(`graphiqlRouter: graphqlPath must be an absolute path or URL, got ${JSON.stringify(graphqlPath)}`);
  }

  const graphiql = packageDir('graphiql');
  const react = packageDir('react');
  const reactDom = packageDir('react-dom');
  const thaiFont = packageDir(THAI_FONT_PACKAGE);
  const thaiFonts = THAI_FONT_WEIGHTS.map((weight) => ({
    weight,
    asset: fileAsset(thaiFont, THAI_FONT_PACKAGE, `files/noto-sans-thai-thai-${weight}-normal.woff2`, 'font/woff2'),
  }));

  const assets = {
    graphiqlJs: fileAsset(graphiql, 'graphiql', 'graphiql.min.js', JS),
    graphiqlCss: fileAsset(graphiql, 'graphiql', 'graphiql.min.css', CSS),
    react: fileAsset(react, 'react', 'umd/react.production.min.js', JS),
    reactDom: fileAsset(reactDom, 'react-dom', 'umd/react-dom.production.min.js', JS),
    pageJs: inlineAsset('graphiql-page.js', PAGE_SCRIPT, JS),
    // Font URLs are relative to this stylesheet (…/assets/hub@<hash>/), so any mount path works.
    pageCss: inlineAsset('graphiql-page.css', thaiFontFaces(thaiFonts.map(({ weight, asset }) => ({ weight, url: `../${asset.urlPath}` }))) + PAGE_STYLE, CSS),
  };
  // Source maps, fetched only when the browser's developer tools are open.
  const sourceMaps = ['graphiql.min.js.map', 'graphiql.min.css.map']
    .filter((file) => fs.existsSync(path.join(graphiql.dir, file)))
    .map((file) => fileAsset(graphiql, 'graphiql', file, JSON_TYPE));

  const byUrlPath = new Map<string, Asset>();
  for (const asset of [...Object.values(assets), ...sourceMaps, ...thaiFonts.map((font) => font.asset)]) byUrlPath.set(`/${asset.urlPath}`, asset);
  const loaded = new Map<string, LoadedAsset>();
  const load = (asset: Asset): LoadedAsset => {
    let entry = loaded.get(asset.urlPath);
    if (!entry) {
      const identity = asset.load();
      entry = { identity, gzip: identity.length > 1024 ? gzipSync(identity, { level: 9 }) : undefined };
      loaded.set(asset.urlPath, entry);
    }
    return entry;
  };

  const csp = contentSecurityPolicy(graphqlPath);
  const config = { graphqlUrl: graphqlPath, defaultQuery: options.defaultQuery ?? DEFAULT_GRAPHIQL_QUERY, apiKeyStorageKey: API_KEY_STORAGE_KEY };

  const router = express.Router();

  router.get('/', (req, res) => {
    const base = `${req.baseUrl}/assets/`;
    const url = (asset: Asset) => escapeHtml(base + asset.urlPath);
    res.set({
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-cache',
      'Content-Security-Policy': csp,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
    });
    res.send(renderPage({
      css: [url(assets.graphiqlCss), url(assets.pageCss)],
      js: [url(assets.react), url(assets.reactDom), url(assets.graphiqlJs), url(assets.pageJs)],
      config: scriptJson(config),
    }));
  });

  router.get('/assets/*rest', (req, res) => {
    const asset = byUrlPath.get(req.path.slice('/assets'.length));
    if (!asset) {
      sendJsonError(res, 404, 'NOT_FOUND', 'No such GraphiQL asset.');
      return;
    }
    const { identity, gzip } = load(asset);
    const useGzip = gzip !== undefined && req.acceptsEncodings('gzip', 'identity') === 'gzip';
    res.set({
      'Content-Type': asset.contentType,
      'Cache-Control': `public, max-age=${ONE_YEAR_SECONDS}, immutable`,
      'X-Content-Type-Options': 'nosniff',
      'Cross-Origin-Resource-Policy': 'same-origin',
      Vary: 'Accept-Encoding',
    });
    if (useGzip) res.set('Content-Encoding', 'gzip');
    res.send(useGzip ? gzip : identity);
  });

  return router;
}

function renderPage(parts: { css: string[]; js: string[]; config: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>${escapeHtml(GRAPHIQL_PAGE_TITLE)}</title>
${parts.css.map((href) => `<link rel="stylesheet" href="${href}">`).join('\n')}
</head>
<body>
<form class="hub-bar" id="api-key-form" autocomplete="off">
  <span class="hub-title">i-Industry Hub</span>
  <label class="hub-key" for="api-key">API key</label>
  <input id="api-key" name="api-key" type="password" autocomplete="off" autocapitalize="off" spellcheck="false"
    placeholder="paste your API key" aria-describedby="api-key-hint">
  <button type="button" id="api-key-toggle" aria-controls="api-key">Show</button>
  <span id="api-key-hint" class="hub-hint">No key yet? Ask an administrator, or run
    <code>npm run hub -- client:create --name you --role analyst</code>. The key is kept in this browser only.</span>
</form>
<main id="graphiql"><p class="hub-loading">Loading GraphiQL…</p><noscript>GraphiQL needs JavaScript.</noscript></main>
<script type="application/json" id="graphiql-config">${parts.config}</script>
${parts.js.map((src) => `<script src="${src}"></script>`).join('\n')}
</body>
</html>
`;
}

/**
 * Thai text (names, addresses, provinces) needs a Thai font, which a server or a fresh Linux
 * desktop may lack: every Thai letter would show as an empty box. The hub serves Noto Sans Thai
 * (OFL) from the @fontsource package, offline like the rest of the page; `unicode-range` makes the
 * browser fetch it only for Thai characters, and only when the system has no font listed before it.
 */
export const THAI_FONT_FAMILY = 'Hub Noto Sans Thai';
const THAI_FONT_PACKAGE = '@fontsource/noto-sans-thai';
const THAI_FONT_WEIGHTS = [400, 700] as const;

function thaiFontFaces(fonts: { weight: number; url: string }[]): string {
  const faces = fonts
    .map(
      ({ weight, url }) =>
        `@font-face { font-family: "${THAI_FONT_FAMILY}"; font-style: normal; font-weight: ${weight}; font-display: swap;\n` +
        `  src: url("${url}") format("woff2"); unicode-range: U+0E01-0E5B, U+200C-200D, U+25CC; }`,
    )
    .join('\n');
  // GraphiQL's own fonts (its CSS variables), each followed by the Thai one for the characters they lack.
  return `${faces}
.graphiql-container, .CodeMirror-info, .CodeMirror-lint-tooltip, .CodeMirror-hints, .graphiql-dialog, .graphiql-dialog-overlay,
.graphiql-tooltip, [data-radix-popper-content-wrapper] {
  --font-family: 'Roboto', "${THAI_FONT_FAMILY}", sans-serif;
  --font-family-mono: 'Fira Code', ui-monospace, monospace, "${THAI_FONT_FAMILY}";
}
`;
}

const PAGE_STYLE = `
html, body { height: 100%; margin: 0; }
body { display: flex; flex-direction: column; overflow: hidden;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Hub Noto Sans Thai", sans-serif; }
.hub-bar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; padding: 8px 16px;
  border-bottom: 1px solid rgba(59, 75, 104, 0.15); background: #f6f7f9; color: #3b4b68; font-size: 14px; }
.hub-title { font-weight: 600; color: #1f2a40; margin-right: 8px; }
.hub-key { font-weight: 600; }
#api-key { width: 22em; max-width: 60vw; padding: 4px 8px; font: 13px ui-monospace, SFMono-Regular, Menlo, monospace;
  border: 1px solid rgba(59, 75, 104, 0.35); border-radius: 4px; background: #fff; color: #1f2a40; }
#api-key:focus { outline: 2px solid hsl(330, 100%, 65%); outline-offset: 0; }
#api-key-toggle { padding: 4px 10px; border: 1px solid rgba(59, 75, 104, 0.35); border-radius: 4px;
  background: #fff; color: #3b4b68; cursor: pointer; font-size: 13px; }
.hub-hint { color: rgba(59, 75, 104, 0.8); font-size: 12px; }
.hub-hint code { font-size: 12px; background: rgba(59, 75, 104, 0.08); padding: 1px 4px; border-radius: 3px; }
.hub-bar.hub-no-key #api-key { border-color: hsl(30, 90%, 50%); }
#graphiql { flex: 1; min-height: 0; }
.hub-loading { padding: 16px; color: #3b4b68; }
@media (prefers-color-scheme: dark) {
  .hub-bar { background: hsl(219, 29%, 14%); color: rgba(255, 255, 255, 0.75); border-bottom-color: rgba(255, 255, 255, 0.1); }
  .hub-title { color: #fff; }
  #api-key, #api-key-toggle { background: hsl(219, 29%, 18%); color: #fff; border-color: rgba(255, 255, 255, 0.2); }
  .hub-hint { color: rgba(255, 255, 255, 0.6); }
  .hub-hint code { background: rgba(255, 255, 255, 0.08); }
  .hub-loading { color: rgba(255, 255, 255, 0.75); }
}
`;

/**
 * The page's own script (served as a file so the CSP can forbid inline scripts). Plain ES2017 with
 * React.createElement: it runs as is in the browser.
 */
const PAGE_SCRIPT = `(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('graphiql-config').textContent);
  var input = document.getElementById('api-key');
  var toggle = document.getElementById('api-key-toggle');
  var bar = document.getElementById('api-key-form');

  function readStoredKey() {
    try { return window.localStorage.getItem(config.apiKeyStorageKey) || ''; } catch (e) { return ''; }
  }
  function storeKey(key) {
    try {
      if (key) window.localStorage.setItem(config.apiKeyStorageKey, key);
      else window.localStorage.removeItem(config.apiKeyStorageKey);
    } catch (e) { /* storage disabled: the key lives in the input only */ }
  }
  function currentKey() { return input.value.trim(); }
  function showKeyState() { bar.classList.toggle('hub-no-key', currentKey() === ''); }

  input.value = readStoredKey();
  showKeyState();

  // Every request GraphiQL makes (queries and schema introspection) goes through this fetch, which
  // reads the key at request time: a changed key applies to the next request. A header typed in
  // GraphiQL's own headers editor wins over the key box.
  function authorisedFetch(url, init) {
    init = init || {};
    var headers = new Headers(init.headers || {});
    var key = currentKey();
    if (key && !headers.has('authorization')) headers.set('authorization', 'Bearer ' + key);
    return window.fetch(url, Object.assign({}, init, { headers: headers }));
  }

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  function render() {
    // A new fetcher makes GraphiQL fetch the schema again, now with the current key.
    var fetcher = GraphiQL.createFetcher({ url: config.graphqlUrl, fetch: authorisedFetch, enableIncrementalDelivery: false });
    root.render(
      React.createElement(
        GraphiQL,
        { fetcher: fetcher, defaultQuery: config.defaultQuery, shouldPersistHeaders: false },
        React.createElement(GraphiQL.Logo, null, 'i-Industry Hub')
      )
    );
  }

  input.addEventListener('input', function () {
    storeKey(currentKey());
    showKeyState();
  });
  // On Enter or leaving the box: reload the schema with the new key.
  var renderedKey = currentKey();
  input.addEventListener('change', function () {
    if (currentKey() === renderedKey) return;
    renderedKey = currentKey();
    render();
  });
  // Enter in the key box must not submit (navigate): it only commits the key.
  bar.addEventListener('submit', function (event) {
    event.preventDefault();
    input.dispatchEvent(new Event('change'));
  });
  toggle.addEventListener('click', function () {
    var hidden = input.type === 'password';
    input.type = hidden ? 'text' : 'password';
    toggle.textContent = hidden ? 'Hide' : 'Show';
  });

  render();
})();
`;
