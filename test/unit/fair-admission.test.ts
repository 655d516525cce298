import { FairAdmission, type Entry } from '../../src/platform/http/fair-admission';

/** The scheduler of fair admission alone (the HTTP behaviour: test/integration/fair-admission.test.ts). */
describe('FairAdmission', () => {
  const admitted = (entry: Entry): Extract<Entry, { admitted: true }> => {
    if (!entry.admitted) throw new Error(`not admitted: ${entry.reason}`);
    return entry;
  };

  test('slots go to the waiting client with the fewest running, in turn among equals, each client first in first out', async () => {
    const fair = new FairAdmission(2, 10);
    const a1 = admitted(await fair.enter('a', { waitMs: 10_000 }));
    const a2 = admitted(await fair.enter('a', { waitMs: 10_000 }));
    const order: string[] = [];
    const wait = (key: string, label: string): Promise<Entry> =>
      fair.enter(key, { waitMs: 10_000 }).then((entry) => {
        order.push(label);
        return entry;
      });
    const queued = [wait('a', 'a3'), wait('a', 'a4'), wait('a', 'a5'), wait('b', 'b1'), wait('c', 'c1'), wait('b', 'b2')];
    expect(fair.queued).toBe(6);
    a1.release();
    a1.release(); // twice is once
    await Promise.resolve();
    // b and c run nothing, a runs one: b (arrived first among the unserved), then c.
    expect(order).toEqual(['b1']);
    a2.release();
    await Promise.resolve();
    expect(order).toEqual(['b1', 'c1']);
    const entries = await Promise.all(queued.slice(3, 5));
    // Now b and c run one each, a none: a's oldest goes first.
    admitted(entries[0]!).release();
    await Promise.resolve();
    expect(order).toEqual(['b1', 'c1', 'a3']);
    expect(fair.running).toBe(2);
  });

  test('a full queue refuses, a waiter gives up at its deadline or when its signal aborts', async () => {
    const fair = new FairAdmission(1, 1);
    const first = admitted(await fair.enter('a', { waitMs: 10_000 }));
    const waiting = fair.enter('a', { waitMs: 20 });
    expect(await fair.enter('a', { waitMs: 10_000 })).toMatchObject({ admitted: false, reason: 'queue-full' });
    expect(await waiting).toMatchObject({ admitted: false, reason: 'deadline' });
    const hangUp = new AbortController();
    const gone = fair.enter('b', { waitMs: 10_000, signal: hangUp.signal });
    hangUp.abort();
    expect(await gone).toMatchObject({ admitted: false, reason: 'gone' });
    expect(fair.queued).toBe(0);
    first.release();
    expect(fair.running).toBe(0);
    admitted(await fair.enter('c', { waitMs: 0 })).release();
  });
});
