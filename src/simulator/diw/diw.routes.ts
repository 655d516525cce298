/** Routes of the simulated Department of Industrial Works. */
import { z } from 'zod';
import { feedQuerySchema, sendCsvFeed } from '../feed-response';
import { parseQuery, sendJson, type Route } from '../routing';
import { diwFeedChunks, diwGroundTruth } from './diw.feed';

const factoriesQuerySchema = feedQuerySchema.extend({
  columns: z.enum(['all', 'opendata']).default('all'),
});

export const DIW_ROUTES: readonly Route[] = [
  {
    path: '/diw/factories.csv',
    description: 'DIW factory register (Factory_Data CSV with FFLAG and TRADE)',
    async handle(context) {
      const query = parseQuery(factoriesQuerySchema, context.query);
      const columnFault = query.fault === 'missing-column' || query.fault === 'renamed-column' ? query.fault : undefined;
      await sendCsvFeed(context, query, 'Factory_Data.csv', () =>
        diwFeedChunks({ ...context.options, columns: query.columns, columnFault, truncate: query.fault === 'truncate' }),
      );
    },
  },
  {
    path: '/diw/factories.stats.json',
    description: 'What a correct load of the factory CSV yields (rows, bad rows, quirky rows)',
    handle({ res, options }) {
      sendJson(res, 200, diwGroundTruth(options));
    },
  },
];
