import type { SourceDefinition } from '../../ingestion/source-definition';
import { parseOieMpi, reparseOieMpiRow } from './oie.parser';
import type { IndustrialIndexRecord } from './oie.record';

/**
 * Default schedule of the OIE MPI load: monthly, on the 5th at 04:30 Bangkok time (OIE publishes
 * a month's indices during the following month; the load also picks up revisions of earlier months).
 */
export const OIE_MPI_DEFAULT_SCHEDULE = '30 4 5 * *';

export const oieMpiSource: SourceDefinition<IndustrialIndexRecord> = {
  id: 'oie-mpi',
  title: 'OIE Manufacturing Production Index and capacity utilisation',
  agency: 'Office of Industrial Economics',
  // The file carries the whole published series: a group-month missing from it is marked absent.
  mode: 'snapshot',
  feed: {
    variablePrefix: 'OIE_MPI',
    urlDescription: 'the OIE MPI and capacity-utilisation CSV',
    simulatorPath: '/oie/mpi.csv',
    defaultSchedule: OIE_MPI_DEFAULT_SCHEDULE,
    scheduleDescription: 'the monthly OIE MPI load',
  },
  // A month and a few days between loads, plus a week of slack.
  staleAfterHours: 40 * 24,
  read: async function* (context) {
    yield* parseOieMpi(await context.fetchStream(context.feedUrl), context);
  },
  reparse: reparseOieMpiRow,
  target: {
    table: 'registry.industrial_index',
    key: ['industry_code', 'month'],
    columns: [
      { name: 'industry_code', type: 'text', value: (r) => r.industryCode },
      { name: 'month', type: 'date', value: (r) => r.month },
      { name: 'industry_name', type: 'text', value: (r) => r.industryName },
      { name: 'mpi', type: 'numeric(8,2)', value: (r) => r.mpi },
      { name: 'capacity_utilisation', type: 'numeric(5,2)', value: (r) => r.capacityUtilisation },
    ],
  },
};
