import { startTestHub, type TestHub, type TestHubOptions } from './test-hub';

/** Every source, in an order where each run finds what it links to already loaded. */
export const ALL_SOURCES = ['dbd-companies', 'dbd-financials', 'diw', 'tisi-standards', 'tisi-licences', 'dip-participations', 'dip-i40-assessments', 'oie-mpi'] as const;

/** A test hub with every agency's data loaded from its simulator, for tests of the GraphQL graph. */
export async function startLoadedHub(options: TestHubOptions = {}): Promise<TestHub> {
  const t = await startTestHub(options);
  try {
    for (const source of ALL_SOURCES) {
      const { status } = await t.ingestNow(source);
      if (status !== 'succeeded') throw new Error(`loading ${source} for the test ended ${status}`);
    }
    return t;
  } catch (error) {
    await t.stop();
    throw error;
  }
}
