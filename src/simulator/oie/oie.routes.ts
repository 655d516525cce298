/** Routes of the simulated Office of Industrial Economics (OIE). */
import { z } from 'zod';
import { feedQuerySchema, sendCsvFeed } from '../feed-response';
import { parseQuery, sendJson, type Route } from '../routing';
import { OIE_DEFAULT_MONTHS, OIE_MAX_MONTHS, oieMpiChunks, oieMpiGroundTruth } from './oie.feed';

const monthsSchema = z.coerce.number().int().min(1).max(OIE_MAX_MONTHS).default(OIE_DEFAULT_MONTHS);
const mpiQuerySchema = feedQuerySchema.extend({ months: monthsSchema });

export const OIE_ROUTES: readonly Route[] = [
  {
    path: '/oie/mpi.csv',
    description: 'OIE monthly Manufacturing Production Index (2021 = 100) and capacity utilisation by industry group',
    async handle(context) {
      const query = parseQuery(mpiQuerySchema, context.query);
      const columnFault = query.fault === 'missing-column' || query.fault === 'renamed-column' ? query.fault : undefined;
      await sendCsvFeed(context, query, 'mpi.csv', () =>
        oieMpiChunks({ ...context.options, months: query.months, columnFault, truncate: query.fault === 'truncate' }),
      );
    },
  },
  {
    path: '/oie/mpi.stats.json',
    description: 'What a correct load of the MPI CSV yields (rows, bad rows, quirky rows)',
    handle({ res, options, query }) {
      const { months } = parseQuery(z.object({ months: monthsSchema }), query);
      sendJson(res, 200, oieMpiGroundTruth({ ...options, months }));
    },
  },
];
