import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { hubConfigVariables } from '../../src/app/config';
import { CONFIG_TABLE_FILE, withConfigurationTable } from '../../src/app/config-table';
import { anchorsOf, curlRequest, docFiles, extractExamples, headingAnchor, markdownFiles, PROJECT_ROOT, relativeLinks, shellWords } from '../support/doc-examples';

/**
 * The README and docs/ without a hub: the generated configuration table is current, every example
 * is one test/integration/docs-queries.test.ts can run and validates against the schema, and every
 * relative link of the project's Markdown resolves. (That integration test runs the examples against a loaded hub.)
 */
const files = docFiles();
const read = (file: string): string => fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8');

describe('docs', () => {
  test('the configuration table in docs/configuration.md is the one generated from the configuration module and the sources (npm run docs:config)', () => {
    expect(path.relative(PROJECT_ROOT, CONFIG_TABLE_FILE)).toBe(path.join('docs', 'configuration.md'));
    const text = fs.readFileSync(CONFIG_TABLE_FILE, 'utf8');
    expect(withConfigurationTable(text)).toBe(text);
    for (const name of Object.keys(hubConfigVariables())) expect(text).toContain(`| \`${name}\` |`);
  });

  test('every GraphQL example and every query a curl command sends is valid against the schema', () => {
    const schema = buildSchema(read(path.join('schema', 'schema.graphql')));
    const variables = { KEY: 'iih_key', CURSOR: 'cursor' };
    const examples = files.flatMap((file) => extractExamples(file));
    expect(examples.filter((example) => example.kind === 'graphql').length).toBeGreaterThan(10);
    expect(examples.filter((example) => example.kind === 'curl').length).toBeGreaterThan(5);
    for (const example of examples) {
      const where = `${example.file}:${example.line}`;
      let query: string | undefined;
      if (example.kind === 'graphql') query = example.text;
      else {
        const request = curlRequest(shellWords(example.text, variables));
        expect({ where, origin: new URL(request.url).origin }).toEqual({ where, origin: expect.stringMatching(/^http:\/\/(127\.0\.0\.1|localhost):4000$/) });
        if (new URL(request.url).pathname === '/graphql') {
          query = request.body ? (JSON.parse(request.body) as { query: string }).query : (new URL(request.url).searchParams.get('query') ?? undefined);
        }
      }
      if (query === undefined) continue;
      const errors = validate(schema, parse(query)).map((error) => error.message);
      // An example of a validation error is meant to fail here, and only that way.
      if (example.spec.expect === 'GRAPHQL_VALIDATION_FAILED') expect({ where, invalid: errors.length > 0 }).toEqual({ where, invalid: true });
      else expect({ where, errors }).toEqual({ where, errors: [] });
    }
  });

  test('every relative link in the README, docs/ and the other Markdown files resolves to a file, and to a heading when it names one', () => {
    const all = markdownFiles();
    expect(all).toEqual(expect.arrayContaining([...files, path.join('src', 'sources', 'diw', 'README.md')]));
    const broken: string[] = [];
    for (const file of all) {
      for (const { target, line } of relativeLinks(read(file))) {
        const [linkPath, anchor] = target.split('#', 2) as [string, string | undefined];
        const resolved = linkPath ? path.join(path.dirname(file), decodeURIComponent(linkPath)) : file;
        if (!fs.existsSync(path.join(PROJECT_ROOT, resolved))) broken.push(`${file}:${line}: ${target} (no file ${resolved})`);
        else if (anchor !== undefined) {
          if (!resolved.endsWith('.md')) broken.push(`${file}:${line}: ${target} (an anchor in a file that is not Markdown)`);
          else if (!anchorsOf(read(resolved)).has(anchor)) broken.push(`${file}:${line}: ${target} (no heading #${anchor} in ${resolved})`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  test('the link check and the example reader work as a reader expects', () => {
    expect(headingAnchor('Lists, filters and ordering')).toBe('lists-filters-and-ordering');
    expect(headingAnchor('The `hub` CLI: at a glance')).toBe('the-hub-cli-at-a-glance');
    expect([...anchorsOf('# A\n## B b\n```\n# not a heading\n```\n## B b\n')]).toEqual(['a', 'b-b', 'b-b-1']);
    expect(relativeLinks('[x](a.md#b) [y](https://e.org) `[z](c.md)` [`w`](../d.md)').map((link) => link.target)).toEqual(['a.md#b', '../d.md']);
    expect(shellWords(`curl -H "authorization: Bearer $KEY" -d '{"query":"{ a }"}'`, { KEY: 'k' })).toEqual(['curl', '-H', 'authorization: Bearer k', '-d', '{"query":"{ a }"}']);
    expect(() => shellWords('curl $UNKNOWN', {})).toThrow(/\$UNKNOWN/);
    expect(() => shellWords('curl http://x | jq', {})).toThrow(/one plain command/);
    expect(curlRequest(['curl', '-G', 'http://h/graphql', '--data-urlencode', 'query={ a }'])).toEqual({ url: 'http://h/graphql?query=%7B%20a%20%7D', method: 'GET', headers: {} });
    const [error] = extractExamples('x.md', '<!-- example: expect=NOT_FOUND role=bank bank=EXIM status=200 -->\n```graphql\n{ a }\n```\n');
    expect(error).toMatchObject({ kind: 'graphql', line: 3, spec: { expect: 'NOT_FOUND', role: 'bank', bank: 'EXIM', status: 200 } });
    expect(() => extractExamples('x.md', '<!-- example: expct=NOT_FOUND -->\n```graphql\n{ a }\n```\n')).toThrow(/expct/);
    expect(() => extractExamples('x.md', '<!-- example: status=401 -->\n\n```sh\ncurl http://h\n```\n')).toThrow(/just before a fence/);
    expect(extractExamples('x.md', '```sh\nnpm start   # not an example\ncurl -s http://h \\\n  -H "a: b"\n```\n').map((example) => example.text)).toEqual(['curl -s http://h -H "a: b"']);
  });
});
