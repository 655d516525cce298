import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');

/** The operator CLI answers help and bad options with its usage, never a stack trace. */
describe('CLI usage', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'warn' } });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  test('--help after a command prints the usage and succeeds', async () => {
    const { code, stdout } = await cli('client:create', '--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: npm run hub -- <command>/);
  });

  test('an unknown option is a usage error naming it (exit 2), not a stack trace', async () => {
    const { code, stderr } = await cli('runs', '--bogus');
    expect(code).toBe(2);
    expect(stderr).toMatch(/^Unknown option '--bogus'/);
    expect(stderr).toMatch(/Usage: npm run hub/);
    expect(stderr).not.toMatch(/\bat \S+ \(/);
  });
});
