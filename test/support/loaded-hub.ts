import { INITIAL_LOAD_ORDER } from '../../src/sources/registry';
import { startTestHub, type TestHub, type TestHubOptions } from './test-hub';


/** A test hub with every agency's data loaded from its simulator, for tests of the GraphQL graph. */
export async function startLoadedHub(options: TestHubOptions = {}): Promise<TestHub> {
  const t = await startTestHub(options);
  try {
    for (const source of INITIAL_LOAD_ORDER) {
      const { status } = await t.ingestNow(source);
      if (status !== 'succeeded') throw new Error(`loading ${source} for the test ended ${status}`);
    }
    return t;
  } catch (error) {
    await t.stop();
    throw error;
  }
}
