import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { hubConfigVariables } from '../../src/app/config';
import { withConfigurationTable } from '../../src/app/config-table';

const ROOT = path.resolve(__dirname, '..', '..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

describe('README', () => {
  test('its configuration table is the one generated from the configuration module and the sources (npm run docs:config)', () => {
    expect(withConfigurationTable(readme)).toBe(readme);
    for (const name of Object.keys(hubConfigVariables())) expect(readme).toContain(`| \`${name}\` |`);
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
