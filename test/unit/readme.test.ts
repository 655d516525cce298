import fs from 'node:fs';
import path from 'node:path';
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
});
