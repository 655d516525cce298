/** Routes of the simulated Department of Industrial Promotion (DIP): a CKAN datastore. */
import { z } from 'zod';
import { parseQuery, sendJson, type Route } from '../routing';
import { ckanQuerySchema, sendCkanError, sendCkanResult } from './ckan-response';
import { DIP_I40_ASSESSMENTS_RESOURCE_ID, DIP_PARTICIPATIONS_RESOURCE_ID, DIP_RESOURCES, dipGroundTruth, dipPage } from './dip.feed';

/** CKAN's default `ckan.datastore.search.rows_max`: a bigger `limit` is capped to it. */
const CKAN_ROWS_MAX = 32_000;

const searchQuerySchema = ckanQuerySchema.extend({
  resource_id: z.string().optional(),
  limit: z.coerce.number().int().min(0).default(100),
  offset: z.coerce.number().int().min(0).default(0),
  /** Simulates a portal configured with a smaller rows_max. */
  rowsMax: z.coerce.number().int().min(1).max(CKAN_ROWS_MAX).default(CKAN_ROWS_MAX),
});

const SEARCH_PATH = '/dip/api/3/action/datastore_search';

export const DIP_ROUTES: readonly Route[] = [
  {
    path: SEARCH_PATH,
    description: `DIP CKAN datastore_search (resource_id ${DIP_PARTICIPATIONS_RESOURCE_ID}: participations, ${DIP_I40_ASSESSMENTS_RESOURCE_ID}: Industry 4.0 assessments)`,
    async handle(context) {
      const query = parseQuery(searchQuerySchema, context.query);
      if (query.resource_id === undefined) {
        sendCkanError(context, 'datastore_search', 409, 'Validation Error', 'resource_id: Missing value');
        return;
      }
      const resource = DIP_RESOURCES[query.resource_id];
      if (!resource) {
        sendCkanError(context, 'datastore_search', 404, 'Not Found Error', `Not found: Resource "${query.resource_id}" was not found.`);
        return;
      }
      const limit = Math.min(query.limit, query.rowsMax);
      const columnFault = query.fault === 'missing-column' || query.fault === 'renamed-column' ? query.fault : undefined;
      await sendCkanResult(context, query, 'datastore_search', () => {
        const page = dipPage({ ...context.options, resource, offset: query.offset, limit, columnFault });
        const link = (offset: number): string => `${SEARCH_PATH}?resource_id=${query.resource_id}${offset > 0 ? `&offset=${offset}` : ''}`;
        return {
          include_total: true,
          limit,
          offset: query.offset,
          records_format: 'objects',
          resource_id: query.resource_id,
          total_estimation_threshold: null,
          fields: page.fields,
          records: page.records,
          _links: { start: link(0), next: link(query.offset + limit) },
          total: page.total,
        };
      });
    },
  },
  {
    path: '/dip/participations.stats.json',
    description: 'What a correct load of the participations resource yields (records, bad records, quirky records)',
    handle({ res, options }) {
      sendJson(res, 200, dipGroundTruth({ ...options, resource: 'participations' }));
    },
  },
  {
    path: '/dip/i40-assessments.stats.json',
    description: 'What a correct load of the Industry 4.0 assessments resource yields (records, bad records, quirky records)',
    handle({ res, options }) {
      sendJson(res, 200, dipGroundTruth({ ...options, resource: 'i40-assessments' }));
    },
  },
];
