import type { Writable } from 'node:stream';

/**
 * Resolves when a stream that refused a write can take more ('drain') or will take nothing more
 * ('close'), and leaves no listener behind: a long response waits for its reader thousands of
 * times, and a listener left per wait grows the response without bound.
 */
export function drained(stream: Writable): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });
}
