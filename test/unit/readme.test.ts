import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { CONFIG_VARIABLES } from '../../src/config/config';

const ROOT = path.resolve(__dirname, '..', '..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

describe('README', () => {
  test('its configuration table lists every variable the config module reads, with its default', () => {
    for (const [name, spec] of Object.entries(CONFIG_VARIABLES)) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
      expect(row).toBeDefined();
      const expectedDefault = 'default' in spec ? `\`${spec.default}\`` : 'unset';
      expect(row!.split('|')[2]!.trim()).toBe(expectedDefault);
    }
  });

  test('its quick start has the two commands, and .ci/run calls its test command', () => {
    expect(readme).toMatch(/npm ci && npm start/);
    expect(readme).toMatch(/^npm test\b/m);
    expect(fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8')).toMatch(/^npm test\b/m);
  });

  test('every query its curl commands send is valid against the schema', () => {
    const schema = buildSchema(fs.readFileSync(path.join(ROOT, 'schema', 'schema.graphql'), 'utf8'));
    const bodies = [...readme.matchAll(/-d '(\{"query":[^']+\})'/g)].map((match) => JSON.parse(match[1]!) as { query: string });
    expect(bodies.length).toBeGreaterThan(0);
    for (const { query } of bodies) expect(validate(schema, parse(query)).map((error) => error.message)).toEqual([]);
  });
});
