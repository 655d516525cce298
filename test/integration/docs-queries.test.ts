import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config/config';
import { docFiles, extractExamples, runExample, type ExampleRole } from '../support/doc-examples';
import { DEMO_WORLD, startLoadedHub } from '../support/loaded-hub';
import type { TestHub, TestRole } from '../support/test-hub';

/**
 * Every example of the docs runs, as the user it is written for, against the data the simulator
 * serves by default (`npm start`), so the documentation never goes stale: the worked queries of
 * docs/queries, each saying its role (`# role: bank`) and which lists must come back non-empty
 * (`# non-empty: a.b`), then every ```graphql block and `curl` command of the README and docs/,
 * each answering as the comment before its fence states (docs/development.md, "The docs are
 * tested"). One hub serves both.
 */
const DOCS = path.join(PROJECT_ROOT, 'docs', 'queries');
const examples = fs.readdirSync(DOCS).filter((file) => file.endsWith('.graphql')).sort();

const header = (text: string, name: string): string[] =>
  [...text.matchAll(new RegExp(`^# ${name}: (.+)$`, 'gm'))].map((match) => match[1]!.trim());

describe('docs/queries', () => {
  let t: TestHub;
  const keys = new Map<TestRole, string>();

  beforeAll(async () => {
    // The demo world (what `npm start` serves), loaded once per run and copied here: the first file
    // to ask for it loads all eleven sources, about 40 s on a quiet machine and more than jest's
    // 60 s default when the suite runs beside other work.
    t = await startLoadedHub(DEMO_WORLD);
  }, 300_000);
  afterAll(async () => {
    await t?.stop();
  });

  const exampleKeys = new Map<string, string>();
  const keyFor = async (role: ExampleRole, bank: 'SMED' | 'EXIM'): Promise<string> => {
    const id = role === 'bank' ? `bank-${bank}` : role;
    if (!exampleKeys.has(id)) exampleKeys.set(id, await t.createApiKey(role, role === 'bank' ? bank : undefined));
    return exampleKeys.get(id)!;
  };

  test('there is an example for each user: a bank, a ministry application and an analyst', () => {
    const roles = examples.map((file) => header(fs.readFileSync(path.join(DOCS, file), 'utf8'), 'role')[0]);
    expect(new Set(roles)).toEqual(new Set(['bank', 'ministry', 'analyst']));
  });

  test.each(examples)('%s answers without errors and with data', async (file) => {
    const text = fs.readFileSync(path.join(DOCS, file), 'utf8');
    const variablesFile = path.join(DOCS, file.replace(/\.graphql$/, '.variables.json'));
    const variables = fs.existsSync(variablesFile) ? (JSON.parse(fs.readFileSync(variablesFile, 'utf8')) as Record<string, unknown>) : {};
    const role = header(text, 'role')[0] as TestRole;
    if (!keys.has(role)) keys.set(role, await t.createApiKey(role, role === 'bank' ? 'SMED' : undefined));
    const { status, body } = await t.graphql(text, variables, keys.get(role));
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    const nonEmpty = header(text, 'non-empty');
    expect(nonEmpty.length).toBeGreaterThan(0);
    for (const dotted of nonEmpty) {
      const value = dotted.split('.').reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], body.data);
      expect({ [dotted]: Array.isArray(value) && value.length > 0 }).toEqual({ [dotted]: true });
    }
  });

  // In the order a reader meets them: file by file, top to bottom (a consent is granted before the
  // bank reads what it opens).
  const markdown = docFiles().flatMap((file) => extractExamples(file));

  test('the README and docs/ have examples of both kinds to run', () => {
    expect(markdown.filter((example) => example.kind === 'graphql').length).toBeGreaterThan(10);
    expect(markdown.filter((example) => example.kind === 'curl').length).toBeGreaterThan(5);
  });

  test.each(markdown.map((example) => [`${example.file}:${example.line} (${example.kind}, ${example.spec.role}${example.spec.expect ? `, expects ${example.spec.expect}` : ''})`, example] as const))(
    '%s answers as the docs say',
    async (_name, example) => {
      expect(await runExample(example, { baseUrl: t.baseUrl, key: keyFor })).toEqual([]);
    },
  );
});
