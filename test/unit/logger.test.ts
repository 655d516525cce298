import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

// The built logger (npm test builds first), run in a child process.
const LOGGER = path.resolve(__dirname, '..', '..', 'dist', 'src', 'platform', 'logging', 'logger.js');

/** LOG_FORMAT: JSON lines off a terminal (and when asked), readable lines when asked (or on a terminal). */
describe('log format', () => {
  async function logOnce(format: string, fd: 1 | 2): Promise<{ stdout: string; stderr: string }> {
    // A child process, so the logger writes to real file descriptors (pipes here: not terminals).
    const script = `
      const { createRootLogger } = require(${JSON.stringify(LOGGER)});
      createRootLogger('info', { format: ${JSON.stringify(format)}, fd: ${fd} }).child({ component: 'scheduler' }).info({ tz: 'Asia/Bangkok' }, '12 schedules set');
    `;
    return promisify(execFile)(process.execPath, ['-e', script], { cwd: path.resolve(__dirname, '..', '..') });
  }

  test('auto, off a terminal: one JSON object a line', async () => {
    const { stdout } = await logOnce('auto', 1);
    expect(JSON.parse(stdout)).toMatchObject({ level: 'info', component: 'scheduler', msg: '12 schedules set', tz: 'Asia/Bangkok' });
  });

  test('pretty: time, level, component and message on one readable line', async () => {
    const { stdout } = await logOnce('pretty', 1);
    expect(stdout).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: scheduler: 12 schedules set \{"tz":"Asia\/Bangkok"\}\n$/);
  });

  test('the CLI\'s logs go to standard error, leaving standard output to its results', async () => {
    const { stdout, stderr } = await logOnce('json', 2);
    expect(stdout).toBe('');
    expect(JSON.parse(stderr)).toMatchObject({ msg: '12 schedules set' });
  });
});
