import { P } from '../../access/permissions';
import DataLoader from 'dataloader';
import { keyedLoader, requestLoader } from '../request-loaders';
import { nodeType, type DomainNodeType } from '../node/node-type';
import { toQuarantinedRow, toRun } from './ingestion-run.service';
import type { IngestionRun, QuarantinedRow } from './ingestion-run.type';

/** Who may see runs and quarantined rows: the roles of the `ingestionRuns` and `quarantinedRows` queries. */

/** Run and row numbers are bigint: anything else is no key of ours (and must not reach the cast). */
const numericKeys = (keys: readonly string[]): string[] => keys.filter((key) => /^[1-9]\d{0,17}$/.test(key));

export const runById = keyedLoader<IngestionRun>('runById', (r) => r.runId, async (ctx, ids) =>
  (await ctx.services.ingestionRuns.runsByIds(numericKeys(ids))).map(toRun),
);

const quarantinedRowById = keyedLoader<QuarantinedRow>('quarantinedRowById', (r) => r.quarantineId, async (ctx, ids) =>
  (await ctx.services.ingestionRuns.quarantinedByIds(numericKeys(ids))).map(toQuarantinedRow),
);

interface LastRunsKey {
  source: string;
  limit: number;
}

/** `DataSource.lastRuns`: each source's latest runs; sources asking for the same count share one statement. */
export const lastRunsOfSource = requestLoader('lastRunsOfSource', (ctx) =>
  new DataLoader<LastRunsKey, IngestionRun[], string>(
    async (keys) => {
      const byLimit = new Map<number, string[]>();
      for (const key of keys) (byLimit.get(key.limit) ?? byLimit.set(key.limit, []).get(key.limit)!).push(key.source);
      const runs = new Map<string, IngestionRun[]>();
      await Promise.all(
        [...byLimit].map(async ([limit, sources]) => {
          for (const run of (await ctx.services.ingestionRuns.latestRunsOf(sources, limit)).map(toRun)) {
            const key = `${run.source}|${limit}`;
            (runs.get(key) ?? runs.set(key, []).get(key)!).push(run);
          }
        }),
      );
      return keys.map((key) => runs.get(`${key.source}|${key.limit}`) ?? []);
    },
    { cacheKeyFn: (key) => `${key.source}|${key.limit}` },
  ),
);

/** The types of this domain `node(id)` fetches. */
export const ingestionRunNodeTypes: readonly DomainNodeType[] = [
  nodeType('IngestionRun', { permission: P.operationsRead, load: (ctx, key) => runById(ctx).load(key) }),
  nodeType('QuarantinedRow', { permission: P.operationsAdmin, load: (ctx, key) => quarantinedRowById(ctx).load(key) }),
];
