import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

describe('README', () => {
  test('is a front page: at most 200 lines, the rest in docs/', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(200);
  });

  test('its quick start has the two commands, and .ci/run calls its test command', () => {
    expect(readme).toMatch(/npm ci && npm start/);
    expect(readme).toMatch(/^npm test\b/m);
    expect(fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8')).toMatch(/^npm test\b/m);
  });

  test('its map of the docs links every page in docs/', () => {
    const pages = fs.readdirSync(path.join(ROOT, 'docs')).filter((file) => file.endsWith('.md'));
    for (const page of pages) expect({ page, linked: readme.includes(`(docs/${page}`) }).toEqual({ page, linked: true });
  });
});
