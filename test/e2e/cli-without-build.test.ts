import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '..', '..');
const LAUNCHER = path.join(ROOT, 'scripts', 'run-built.mjs');
const run = promisify(execFile);

async function attempt(file: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(file, args, { cwd, env: { ...process.env, LOG_LEVEL: 'warn' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/**
 * `npm run hub -- <command>` runs the built CLI at once when the build is current, and builds first
 * only when it is missing or older than its sources (scripts/run-built.mjs).
 */
describe('CLI without a build step', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'iih-launcher-'));
    // The build is current after `npm test`'s pretest; make sure of it when this file runs alone.
    await run(process.execPath, [LAUNCHER, '--build-if-stale'], { cwd: ROOT });
  }, 120_000);
  afterAll(async () => {
    await fs.promises.rm(dir, { recursive: true, force: true });
  });

  test('with a current build it answers without the TypeScript compiler', async () => {
    // The project as it is, but with no compiler installed: any build attempt would fail.
    const project = path.join(dir, 'no-compiler');
    fs.mkdirSync(path.join(project, 'node_modules'), { recursive: true });
    for (const entry of ['src', 'migrations', 'bench', 'dist', 'scripts', 'data', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']) {
      fs.symlinkSync(path.join(ROOT, entry), path.join(project, entry));
    }
    for (const entry of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
      if (entry === 'typescript' || entry === '.bin') continue;
      fs.symlinkSync(path.join(ROOT, 'node_modules', entry), path.join(project, 'node_modules', entry));
    }
    const { code, stdout, stderr } = await attempt('npm', ['run', '--silent', 'hub', '--', '--help'], project);
    expect(stderr).not.toMatch(/building|tsc/);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: npm run hub -- <command>/);
  }, 60_000);

  describe('on a small project of its own', () => {
    let project: string;
    const launch = () => attempt(process.execPath, [path.join(project, 'scripts', 'run-built.mjs'), 'src/hello.js', 'world'], project);

    beforeAll(() => {
      project = path.join(dir, 'small');
      fs.mkdirSync(path.join(project, 'src'), { recursive: true });
      fs.mkdirSync(path.join(project, 'scripts'));
      fs.copyFileSync(LAUNCHER, path.join(project, 'scripts', 'run-built.mjs'));
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(project, 'node_modules'));
      fs.writeFileSync(path.join(project, 'package.json'), '{ "name": "small", "private": true }\n');
      fs.writeFileSync(
        path.join(project, 'tsconfig.build.json'),
        JSON.stringify({ compilerOptions: { module: 'commonjs', target: 'es2022', outDir: 'dist', rootDir: '.', types: ['node'] }, include: ['src'] }),
      );
      fs.writeFileSync(path.join(project, 'src', 'hello.ts'), "process.stdout.write(`hello ${process.argv[2]}\\n`);\n");
    });

    test('builds on first use, runs the built code with its arguments, and builds no more while nothing changed', async () => {
      const first = await launch();
      expect(first.stderr).toMatch(/^building the hub \(first build\)/);
      expect(first.stdout).toBe('hello world\n');
      const second = await launch();
      expect(second.stderr).toBe('');
      expect(second.stdout).toBe('hello world\n');
    }, 60_000);

    test('rebuilds when a source is newer than the build; a compile error runs nothing', async () => {
      // The last build was made a minute ago; a source was edited since.
      const built = path.join(project, 'dist', '.build-stamp');
      const aMinuteAgo = new Date(Date.now() - 60_000);
      fs.utimesSync(built, aMinuteAgo, aMinuteAgo);
      fs.writeFileSync(path.join(project, 'src', 'hello.ts'), "process.stdout.write(`hi ${process.argv[2]}\\n`);\n");
      const changed = await launch();
      expect(changed.stderr).toMatch(/^building the hub \(sources changed since the last build\)/);
      expect(changed.stdout).toBe('hi world\n');
      expect((await launch()).stderr).toBe('');

      // A file added (its folder's time moves); with a compile error, the command stops with the
      // compiler's message and runs nothing.
      fs.utimesSync(built, aMinuteAgo, aMinuteAgo);
      fs.writeFileSync(path.join(project, 'src', 'broken.ts'), 'const x: number = "text";\n');
      const broken = await launch();
      expect(broken.code).not.toBe(0);
      expect(broken.stdout).toBe('');
      expect(broken.stderr).toMatch(/TS2322[\s\S]*the build failed/);
    }, 60_000);
  });
});
