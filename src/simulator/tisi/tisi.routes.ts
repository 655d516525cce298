/** Routes of the simulated Thai Industrial Standards Institute (TISI). */
import { feedQuerySchema, sendCsvFeed, type FeedQuery } from '../feed-response';
import { parseQuery, sendJson, type Route } from '../routing';
import { tisiLicencesChunks, tisiLicencesGroundTruth, tisiStandardsChunks, tisiStandardsGroundTruth, type TisiColumnFault } from './tisi.feed';

function columnFault(query: FeedQuery): TisiColumnFault | undefined {
  return query.fault === 'missing-column' || query.fault === 'renamed-column' ? query.fault : undefined;
}

export const TISI_ROUTES: readonly Route[] = [
  {
    path: '/tisi/standards.csv',
    description: 'TISI standards list (มอก. number, Thai name, mandatory บ / voluntary ท, status)',
    async handle(context) {
      const query = parseQuery(feedQuerySchema, context.query);
      await sendCsvFeed(context, query, 'tis_standards.csv', () =>
        tisiStandardsChunks({ ...context.options, columnFault: columnFault(query), truncate: query.fault === 'truncate' }),
      );
    },
  },
  {
    path: '/tisi/standards.stats.json',
    description: 'What a correct load of the standards CSV yields (rows, bad rows, quirky rows)',
    handle({ res, options }) {
      sendJson(res, 200, tisiStandardsGroundTruth(options));
    },
  },
  {
    path: '/tisi/licences.csv',
    description: 'TISI licences to use a standard mark (licence no., type, dates, standard, licensee tax ID, FID, status)',
    async handle(context) {
      const query = parseQuery(feedQuerySchema, context.query);
      await sendCsvFeed(context, query, 'tis_licenses.csv', () =>
        tisiLicencesChunks({ ...context.options, columnFault: columnFault(query), truncate: query.fault === 'truncate' }),
      );
    },
  },
  {
    path: '/tisi/licences.stats.json',
    description: 'What a correct load of the licences CSV yields (rows, bad rows, quirky rows)',
    handle({ res, options }) {
      sendJson(res, 200, tisiLicencesGroundTruth(options));
    },
  },
];
