import fs from 'node:fs';
import path from 'node:path';

/**
 * The examples of the README and docs/, read from their Markdown so that tests can run them: each
 * ```graphql block, and each `curl` command of a ```sh block. A comment on the line before a fence
 * says how an example runs and what it must answer (docs/development.md, "The docs are tested"):
 *
 *   <!-- example: role=bank bank=EXIM expect=FORBIDDEN reason=CONSENT_REQUIRED status=200 non-empty=a.b -->
 */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

export type ExampleRole = 'admin' | 'ministry' | 'analyst' | 'bank';

export interface ExampleSpec {
  role: ExampleRole;
  bank: 'SMED' | 'EXIM';
  /** The `extensions.code` an error of the answer must carry; none: the answer has no error. */
  expect?: string;
  /** The `extensions.reason` that error must carry too. */
  reason?: string;
  /** The HTTP status (default 200). */
  status: number;
  /** Dotted paths under `data` that must be non-empty lists. */
  nonEmpty: string[];
}

export interface DocExample {
  kind: 'graphql' | 'curl';
  /** Path from the project root, and the 1-based line of the example's first line. */
  file: string;
  line: number;
  /** The GraphQL document, or the curl command with its continuation lines joined. */
  text: string;
  spec: ExampleSpec;
}

/** The Markdown files whose examples run and whose links must resolve: README.md and docs/. */
export function docFiles(): string[] {
  const walk = (dir: string): string[] =>
    fs.readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
      const relative = path.join(dir, entry.name);
      if (entry.isDirectory()) return walk(relative);
      return entry.name.endsWith('.md') ? [relative] : [];
    });
  return ['README.md', ...walk('docs').sort()];
}

/** Every Markdown file of the project (the READMEs of sources and data too), for the link check. */
export function markdownFiles(): string[] {
  const skip = new Set(['node_modules', 'dist', '.git', '.data', 'coverage', 'test-results', '.bench']);
  const walk = (dir: string): string[] =>
    fs.readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
      const relative = path.join(dir, entry.name);
      if (entry.isDirectory()) return skip.has(entry.name) ? [] : walk(relative);
      return entry.name.endsWith('.md') ? [relative] : [];
    });
  return walk('.').sort();
}

const ANNOTATION = /^<!--\s*example:(.*?)-->\s*$/;
const KEYS = new Set(['role', 'bank', 'expect', 'reason', 'status', 'non-empty']);

/** The settings of an example comment; throws on anything it does not know, so a typo cannot pass. */
export function parseAnnotation(text: string): ExampleSpec {
  const spec: ExampleSpec = { role: 'analyst', bank: 'SMED', status: 200, nonEmpty: [] };
  for (const pair of text.trim().split(/\s+/).filter(Boolean)) {
    const [key, value] = pair.split('=', 2) as [string, string | undefined];
    if (!KEYS.has(key) || !value) throw new Error(`unknown or empty setting "${pair}" in an example comment`);
    if (key === 'role') {
      if (!['admin', 'ministry', 'analyst', 'bank'].includes(value)) throw new Error(`unknown role ${value}`);
      spec.role = value as ExampleRole;
    } else if (key === 'bank') {
      if (value !== 'SMED' && value !== 'EXIM') throw new Error(`unknown bank ${value}`);
      spec.bank = value;
    } else if (key === 'status') spec.status = Number(value);
    else if (key === 'expect') spec.expect = value;
    else if (key === 'reason') spec.reason = value;
    else spec.nonEmpty.push(...value.split(','));
  }
  if (!Number.isInteger(spec.status)) throw new Error(`status must be a number: ${text}`);
  return spec;
}

/** Every example of one Markdown file, in order. */
export function extractExamples(file: string, markdown = fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8')): DocExample[] {
  const lines = markdown.split('\n');
  const examples: DocExample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\S*)\s*$/.exec(lines[i]!);
    if (!fence) {
      if (ANNOTATION.test(lines[i]!) && !/^```/.test(lines[i + 1] ?? '')) {
        throw new Error(`${file}:${i + 1}: an example comment must be on the line just before a fence`);
      }
      continue;
    }
    const end = lines.findIndex((line, at) => at > i && /^```\s*$/.test(line));
    if (end < 0) throw new Error(`${file}:${i + 1}: a fence that is never closed`);
    const annotation = ANNOTATION.exec(lines[i - 1] ?? '');
    const spec = parseAnnotation(annotation?.[1] ?? '');
    const body = lines.slice(i + 1, end);
    const language = fence[1]!;
    if (language === 'graphql') {
      examples.push({ kind: 'graphql', file, line: i + 2, text: body.join('\n'), spec });
    } else if (language === 'sh' || language === 'bash') {
      for (const command of shellCommands(body, i + 2)) {
        if (/^curl\s/.test(command.text)) examples.push({ kind: 'curl', file, line: command.line, text: command.text, spec });
      }
    } else if (annotation) {
      throw new Error(`${file}:${i + 1}: only graphql and sh blocks are examples that run`);
    }
    i = end;
  }
  return examples;
}

/** The commands of a shell block: comments dropped, lines ending in a backslash joined. */
function shellCommands(lines: string[], firstLine: number): { text: string; line: number }[] {
  const commands: { text: string; line: number }[] = [];
  let current: { text: string; line: number } | undefined;
  lines.forEach((raw, index) => {
    const line = current ? raw.trim() : raw.replace(/^\s*#.*$/, '').trim();
    if (!current && !line) return;
    const continued = line.endsWith('\\');
    const part = continued ? line.slice(0, -1).trim() : line;
    if (current) current.text += ` ${part}`;
    else current = { text: part, line: firstLine + index };
    if (!continued) {
      commands.push(current);
      current = undefined;
    }
  });
  if (current) commands.push(current);
  return commands;
}

/**
 * Splits a command as a POSIX shell would: single quotes literal, double quotes and bare words with
 * `$NAME` / `${NAME}` expanded from `variables` (an unknown name throws), backslash escapes.
 * Pipes, redirections and command lists are refused: an example is one command a user pastes.
 */
export function shellWords(command: string, variables: Record<string, string>): string[] {
  const words: string[] = [];
  let word: string | undefined;
  const expand = (at: number): [string, number] => {
    const match = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(command.slice(at));
    if (!match) return ['$', at + 1];
    const name = (match[1] ?? match[2])!;
    if (!(name in variables)) throw new Error(`the example uses $${name}, which the docs test does not provide (only ${Object.keys(variables).map((n) => `$${n}`).join(', ')})`);
    return [variables[name]!, at + match[0].length];
  };
  for (let at = 0; at < command.length; ) {
    const char = command[at]!;
    if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      at++;
    } else if (char === "'") {
      const close = command.indexOf("'", at + 1);
      if (close < 0) throw new Error(`unclosed single quote in: ${command}`);
      word = (word ?? '') + command.slice(at + 1, close);
      at = close + 1;
    } else if (char === '"') {
      word ??= '';
      at++;
      while (command[at] !== '"') {
        if (at >= command.length) throw new Error(`unclosed double quote in: ${command}`);
        if (command[at] === '\\' && /["\\$`]/.test(command[at + 1] ?? '')) {
          word += command[at + 1];
          at += 2;
        } else if (command[at] === '$') {
          const [value, next] = expand(at);
          word += value;
          at = next;
        } else word += command[at++];
      }
      at++;
    } else if (char === '\\') {
      word = (word ?? '') + (command[at + 1] ?? '');
      at += 2;
    } else if (char === '$') {
      const [value, next] = expand(at);
      word = (word ?? '') + value;
      at = next;
    } else if (/[|&;<>()`]/.test(char)) {
      throw new Error(`a docs example must be one plain command, without "${char}": ${command}`);
    } else {
      word = (word ?? '') + char;
      at++;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

export interface CurlRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** What a curl command sends, for the options the docs use; any other option throws. */
export function curlRequest(words: string[]): CurlRequest {
  if (words[0] !== 'curl') throw new Error(`not a curl command: ${words.join(' ')}`);
  const headers: Record<string, string> = {};
  const data: string[] = [];
  let url: string | undefined;
  let method: string | undefined;
  let get = false;
  for (let i = 1; i < words.length; i++) {
    const word = words[i]!;
    const value = (): string => {
      const next = words[++i];
      if (next === undefined) throw new Error(`curl option ${word} needs a value`);
      return next;
    };
    if (['-s', '-S', '-sS', '--silent', '--show-error', '-N', '--no-buffer', '-i', '--include', '-sN', '-si'].includes(word)) continue;
    if (word === '-H' || word === '--header') {
      const header = value();
      const colon = header.indexOf(':');
      headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
    } else if (['-d', '--data', '--data-raw', '--data-binary'].includes(word)) data.push(value());
    else if (word === '--data-urlencode') {
      const content = value();
      const equals = content.indexOf('=');
      data.push(equals < 0 ? encodeURIComponent(content) : `${content.slice(0, equals)}=${encodeURIComponent(content.slice(equals + 1))}`);
    } else if (word === '-G' || word === '--get') get = true;
    else if (word === '-X' || word === '--request') method = value();
    else if (word === '-u' || word === '--user') headers['authorization'] = `Basic ${Buffer.from(value()).toString('base64')}`;
    else if (word.startsWith('-')) throw new Error(`curl option ${word} is not one the docs test knows: add it to test/support/doc-examples.ts`);
    else if (url === undefined) url = word;
    else throw new Error(`a second URL in a curl command: ${word}`);
  }
  if (url === undefined) throw new Error(`a curl command without a URL: ${words.join(' ')}`);
  if (get || data.length === 0) {
    const query = data.join('&');
    return { url: query ? `${url}${url.includes('?') ? '&' : '?'}${query}` : url, method: method ?? 'GET', headers };
  }
  headers['content-type'] ??= 'application/x-www-form-urlencoded';
  return { url, method: method ?? 'POST', headers, body: data.join('&') };
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{M}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors a Markdown file offers: its headings' (repeats numbered as GitHub does) and explicit ids. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^```/.test(line)) inFence = !inFence;
    if (inFence) continue;
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const base = headingAnchor(heading[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1'));
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      anchors.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const id of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(id[1]!);
  }
  return anchors;
}

/** The relative links of a Markdown file (outside code), with their line. */
export function relativeLinks(markdown: string): { target: string; line: number }[] {
  const links: { target: string; line: number }[] = [];
  let inFence = false;
  markdown.split('\n').forEach((line, index) => {
    if (/^```/.test(line)) inFence = !inFence;
    if (inFence) return;
    const text = line.replace(/`[^`]*`/g, '``');
    for (const match of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = match[1]!;
      if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) links.push({ target, line: index + 1 });
    }
  });
  return links;
}

export interface ExampleHub {
  /** The hub's base URL, which replaces the docs' http://127.0.0.1:4000. */
  baseUrl: string;
  /** An API key of the role (and bank). */
  key(role: ExampleRole, bank: 'SMED' | 'EXIM'): Promise<string>;
}

/** The docs' address of a hub started by `npm start`, which examples use and tests replace. */
const DOCS_ORIGIN = /^http:\/\/(?:127\.0\.0\.1|localhost):4000(?=\/|$)/;

/**
 * Runs one example against a hub and returns what is wrong with its answer (nothing: it answered
 * as its comment says). A GraphQL example is POSTed as a client would; a curl command is sent as
 * curl would send it.
 */
export async function runExample(example: DocExample, hub: ExampleHub): Promise<string[]> {
  const { spec } = example;
  const key = await hub.key(spec.role, spec.bank);
  let request: CurlRequest;
  if (example.kind === 'graphql') {
    request = {
      url: `${hub.baseUrl}/graphql`,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: example.text }),
    };
  } else {
    const variables: Record<string, string> = { KEY: key };
    if (/\$\{?CURSOR\b/.test(example.text)) variables['CURSOR'] = await feedCursor(hub.baseUrl, key);
    request = curlRequest(shellWords(example.text, variables));
    if (!DOCS_ORIGIN.test(request.url)) return [`the example talks to ${request.url}, not to http://127.0.0.1:4000`];
    request.url = request.url.replace(DOCS_ORIGIN, hub.baseUrl);
  }
  const response = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body });
  const text = await response.text();
  const problems: string[] = [];
  if (response.status !== spec.status) problems.push(`HTTP ${response.status}, the example states ${spec.status}: ${text.slice(0, 500)}`);
  const type = response.headers.get('content-type') ?? '';
  let bodies: unknown[] = [];
  try {
    if (/ndjson/.test(type)) bodies = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as unknown);
    else if (/json/.test(type)) bodies = [JSON.parse(text) as unknown];
  } catch {
    return [...problems, `an answer that is not the JSON it says it is: ${text.slice(0, 500)}`];
  }
  type Body = { data?: unknown; errors?: { message: string; extensions?: { code?: string; reason?: string } }[]; error?: { code?: string; reason?: string } };
  const errors = (bodies as Body[]).flatMap((body) => [...(body.errors ?? []), ...(body.error ? [{ message: 'stream error', extensions: body.error }] : [])]);
  if (spec.expect) {
    const match = errors.find((error) => error.extensions?.code === spec.expect && (!spec.reason || error.extensions?.reason === spec.reason));
    if (!match) problems.push(`no error with code ${spec.expect}${spec.reason ? ` and reason ${spec.reason}` : ''}: ${text.slice(0, 500)}`);
  } else if (errors.length > 0) problems.push(`errors: ${JSON.stringify(errors).slice(0, 800)}`);
  if (/json/.test(type) || example.kind === 'graphql') {
    for (const dotted of spec.nonEmpty) {
      const value = dotted.split('.').reduce<unknown>((at, name) => (at as Record<string, unknown> | undefined)?.[name], (bodies[0] as Body | undefined)?.data);
      if (!Array.isArray(value) || value.length === 0) problems.push(`${dotted} is not a non-empty list: ${JSON.stringify(value)?.slice(0, 200)}`);
    }
  }
  return problems;
}

/** A cursor of the key's eligibility feed (its first event's), for examples that resume the feed. */
async function feedCursor(baseUrl: string, key: string): Promise<string> {
  const response = await fetch(`${baseUrl}/feeds/eligibility?limit=1`, { headers: { authorization: `Bearer ${key}` } });
  const first = (await response.text()).split('\n')[0];
  const cursor = first ? (JSON.parse(first) as { cursor?: string }).cursor : undefined;
  if (!cursor) throw new Error(`the eligibility feed gave no cursor (HTTP ${response.status}): ${first}`);
  return cursor;
}
