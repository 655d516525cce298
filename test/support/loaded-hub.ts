import { CONFIG_VARIABLES } from '../../src/config/config';
import { INITIAL_LOAD_ORDER } from '../../src/sources/registry';
import { templateDatabase, templateKey } from './template-database';
import { createTestDatabase } from './test-database';
import { DEFAULT_WORLD, startTestHub, type TestHub, type TestHubOptions } from './test-hub';

const configDefault = (name: keyof typeof CONFIG_VARIABLES): number => Number((CONFIG_VARIABLES[name] as { default?: string }).default);

/** The world `npm start`'s simulator serves by default (5,000 firms), as the docs' examples show it. */
export const DEMO_WORLD = {
  scale: configDefault('SIMULATOR_SCALE'),
  simulator: { seed: configDefault('SIMULATOR_SEED'), quirkRate: configDefault('SIMULATOR_QUIRK_RATE'), badRowRate: configDefault('SIMULATOR_BAD_ROW_RATE') },
} as const;

/**
 * A hook that starts a loaded hub may wait for the world's first load (another file's, when that
 * file came first): longer than a test's minute on a busy machine.
 */
export const LOADED_HUB_TIMEOUT_MS = 240_000;

/** Loads every agency's data from the hub's simulator, through the queue and the engine. */
async function loadEverySource(t: TestHub): Promise<void> {
  for (const source of INITIAL_LOAD_ORDER) {
    const { status } = await t.ingestNow(source);
    if (status !== 'succeeded') throw new Error(`loading ${source} for the test ended ${status}`);
  }
}

/**
 * A test hub with every agency's data loaded from its simulator, for tests of the GraphQL graph.
 * The world (simulator settings) is loaded once per test run through the real hub (queue, engine,
 * simulator over HTTP) into a template database; each file gets its own copy of it and a hub of
 * its own on the copy, with the same queue (its schema is in the copy) and its own simulator serving
 * the same world, so the file may change the data and load again as it pleases.
 */
export async function startLoadedHub(options: TestHubOptions = {}): Promise<TestHub> {
  if (options.queue === 'redis') {
    // A Redis queue's state lives outside the database and cannot be copied with it: load here.
    const t = await startTestHub(options);
    await loadEverySource(t).catch(async (error: unknown) => {
      await t.stop();
      throw error;
    });
    return t;
  }
  const world: World = { scale: options.scale ?? DEFAULT_WORLD.scale, simulator: { ...DEFAULT_WORLD.simulator, ...options.simulator } };
  const template = await loadedWorldTemplate(world);
  return startTestHub({ ...options, ...world, database: await createTestDatabase({ template }), queuePrefix: worldQueuePrefix(world) });
}

/** A world: what the simulator serves (its size, seed, quirk and bad-row rates). */
export interface World {
  scale: number;
  simulator: { seed: number; quirkRate: number; badRowRate: number };
}

/** The copies keep the template's queue (its schema is in the database), so its job IDs go on. */
const worldQueuePrefix = (world: World): string => `iiht_${templateKey('world', world)}`;

/** The template database of a world, loaded on first use (see startLoadedHub). */
export function loadedWorldTemplate(world: World): Promise<string> {
  return templateDatabase(templateKey('world', world), async (database) => {
    const t = await startTestHub({ ...world, database, keepDatabase: true, queuePrefix: worldQueuePrefix(world) });
    try {
      await loadEverySource(t);
    } finally {
      await t.stop();
    }
  });
}
