import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config/config';
import { DEMO_WORLD, LOADED_HUB_TIMEOUT_MS, startLoadedHub } from '../support/loaded-hub';
import type { TestHub, TestRole } from '../support/test-hub';

/**
 * Every worked example in docs/queries runs, as the user it is written for, against the data the
 * simulator serves by default (`npm start`), so the documentation never goes stale. Each file
 * says its role (`# role: bank`) and which lists must come back non-empty (`# non-empty: a.b`).
 */
const DOCS = path.join(PROJECT_ROOT, 'docs', 'queries');
const examples = fs.readdirSync(DOCS).filter((file) => file.endsWith('.graphql')).sort();

const header = (text: string, name: string): string[] =>
  [...text.matchAll(new RegExp(`^# ${name}: (.+)$`, 'gm'))].map((match) => match[1]!.trim());

describe('docs/queries', () => {
  let t: TestHub;
  const keys = new Map<TestRole, string>();

  beforeAll(async () => {
    t = await startLoadedHub(DEMO_WORLD);
  }, LOADED_HUB_TIMEOUT_MS);
  afterAll(async () => {
    await t?.stop();
  });

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
});
