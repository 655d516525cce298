import { RefusalHold } from '../../src/platform/http/refusal-hold';

/** Holding the refusals of a client that does not wait (the HTTP behaviour: test/integration/fair-admission.test.ts). */
describe('RefusalHold', () => {
  test('a first refusal is sent at once; one before its Retry-After is over is held until then, at most maxMs', () => {
    const hold = new RefusalHold({ maxMs: 1000, perClient: 4, total: 10 });
    const t0 = 1_000_000;
    expect(hold.delayFor('a', 1, t0)).toBe(0);
    // 300 ms later, before the second it was told to wait: held for the rest of it.
    expect(hold.delayFor('a', 1, t0 + 300)).toBe(700);
    // Told to wait 30 s: held for at most maxMs.
    expect(hold.delayFor('b', 30, t0)).toBe(0);
    expect(hold.delayFor('b', 30, t0 + 10)).toBe(1000);
    // Once the Retry-After is over, the next refusal is sent at once, and counts as the first again.
    expect(hold.delayFor('a', 1, t0 + 1000)).toBe(0);
    expect(hold.delayFor('a', 1, t0 + 1500)).toBe(500);
    // Another client is not affected by a's refusals.
    expect(hold.delayFor('c', 1, t0 + 1500)).toBe(0);
  });

  test('maxMs 0 holds nothing', () => {
    const hold = new RefusalHold({ maxMs: 0, perClient: 4, total: 10 });
    expect(hold.delayFor('a', 1, 0)).toBe(0);
    expect(hold.delayFor('a', 1, 10)).toBe(0);
  });

  test('bounded per client and in all: beyond the bound a refusal is sent at once', async () => {
    const hold = new RefusalHold({ maxMs: 1000, perClient: 2, total: 3 });
    const now = Date.now();
    hold.delayFor('a', 1, now);
    hold.delayFor('b', 1, now);
    const held = [hold.hold('a', 1000), hold.hold('a', 1000)];
    expect(hold.held).toBe(2);
    // a holds its two: its next refusal goes at once.
    expect(hold.delayFor('a', 1, now + 1)).toBe(0);
    // b may hold one (three in all), then no more.
    expect(hold.delayFor('b', 1, now + 1)).toBeGreaterThan(0);
    held.push(hold.hold('b', 1000));
    expect(hold.delayFor('b', 1, now + 2)).toBe(0);
    expect(hold.held).toBe(3);
    hold.close();
    await Promise.all(held);
    expect(hold.held).toBe(0);
    // Closed: nothing is held any more.
    expect(hold.delayFor('c', 1)).toBe(0);
    expect(hold.delayFor('c', 1)).toBe(0);
  });

  test('a held refusal ends after its time, or at once when its client hangs up', async () => {
    const hold = new RefusalHold({ maxMs: 1000, perClient: 4, total: 10 });
    const started = performance.now();
    await hold.hold('a', 50);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    const hangUp = new AbortController();
    const waiting = hold.hold('a', 10_000, hangUp.signal);
    expect(hold.held).toBe(1);
    hangUp.abort();
    await waiting;
    expect(hold.held).toBe(0);
    const gone = new AbortController();
    gone.abort();
    await hold.hold('a', 10_000, gone.signal);
    expect(hold.held).toBe(0);
  });

  test('the clients it remembers are bounded', () => {
    const hold = new RefusalHold({ maxMs: 1000, perClient: 4, total: 10, maxClients: 100 });
    for (let i = 0; i < 1000; i++) hold.delayFor(`k${i}`, 1, 0);
    expect(hold.remembered).toBeLessThanOrEqual(100);
    // Expired ones are forgotten first: a client refused long ago is refused at once.
    expect(hold.delayFor('k1', 1, 10_000)).toBe(0);
  });
});
