import { Writable } from 'node:stream';
import { drained } from '../../src/platform/http/drained';

describe('drained', () => {
  test('a stream written under backpressure many times keeps no listener of the waits', async () => {
    const slow = new Writable({ highWaterMark: 8, write: (_chunk, _encoding, callback) => setImmediate(callback) });
    const warnings: Error[] = [];
    const onWarning = (warning: Error): number => warnings.push(warning);
    process.on('warning', onWarning);
    let waits = 0;
    for (let i = 0; i < 100; i++) {
      if (!slow.write('sixteen bytes...')) {
        waits++;
        await drained(slow);
      }
    }
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    expect(waits).toBeGreaterThan(20);
    expect({ drain: slow.listenerCount('drain'), close: slow.listenerCount('close') }).toEqual({ drain: 0, close: 0 });
    expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
  });

  test('a stream closed while waiting ends the wait', async () => {
    const stuck = new Writable({ highWaterMark: 1, write: () => undefined });
    expect(stuck.write('x')).toBe(false);
    const wait = drained(stuck);
    stuck.destroy();
    await expect(wait).resolves.toBeUndefined();
    expect(stuck.listenerCount('drain')).toBe(0);
  });
});
