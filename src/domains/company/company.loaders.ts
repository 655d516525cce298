import { P } from '../../access/permissions';
import DataLoader from 'dataloader';
import type { GraphQLResolveInfo } from 'graphql';
import type { GraphQLContext } from '../api-context';
import { distinctInChunks, groupedLoader, keyedLoader, requestLoader } from '../request-loaders';
import { nodeType, type DomainNodeType } from '../node/node-type';
import { selectsField } from '../../platform/graphql/selection';
import { consentGatedRead } from '../consent/consent.loaders';
import { firmScopeSql } from '../firm-scope';
import type { CompanyCriteria, CompanyPage, CompanyPageRequest } from './company.repository';
import type { CompanyListArgs } from './company.service';
import type { Company, CompanyConnection, FinancialStatement } from './company.type';


export const companyById = keyedLoader<Company>('companyById', (c) => c.juristicId, (ctx, ids) => ctx.services.companies.findByIds(ids));

export const statementsByCompany = groupedLoader<FinancialStatement>('statementsByCompany', (s) => s.juristicId, (ctx, ids) =>
  ctx.services.companies.statementsOf(ids),
);

const statementByKey = keyedLoader<FinancialStatement>('statementByKey', (s) => `${s.juristicId}:${s.fiscalYear}`, (ctx, keys) =>
  ctx.services.companies.statementsByKey(
    keys.flatMap((key) => {
      const [juristicId, year] = key.split(':');
      return juristicId && /^\d{4}$/.test(year ?? '') ? [{ juristicId, fiscalYear: Number(year) }] : [];
    }),
  ),
);

/** A company's directors and shareholders: on the row when it was read by ID, else read by ID (batched). */
export async function personalDataOf(ctx: GraphQLContext, company: Company): Promise<{ directors: NonNullable<Company['directorsData']>; shareholders: NonNullable<Company['shareholdersData']> }> {
  const full = company.directorsData && company.shareholdersData ? company : await companyById(ctx).load(company.juristicId);
  return { directors: full?.directorsData ?? [], shareholders: full?.shareholdersData ?? [] };
}


const companyPages = requestLoader('companyPages', (ctx) =>
  new DataLoader<CompanyPageRequest, CompanyPage>((requests) => distinctInChunks(requests, (chunk) => ctx.services.companies.findPages(chunk)), { cache: false }),
);
export const companyCounts = requestLoader('companyCounts', (ctx) =>
  new DataLoader<CompanyCriteria | undefined, number>((criteria) => distinctInChunks(criteria, (chunk) => ctx.services.companies.counts(chunk)), { cache: false }),
);

/**
 * A company list inside a request: the lists of every parent on a page (each province's
 * companies) are read in one statement, and their counts in another.
 */
export async function companyList(ctx: GraphQLContext, args: CompanyListArgs, info: GraphQLResolveInfo, extra?: Partial<CompanyCriteria>): Promise<CompanyConnection> {
  // Every company list holds only the caller's scope (an area's companies, a firm itself), its count too.
  const within = await firmScopeSql(ctx);
  return ctx.services.companies.list({ ...args, withCount: selectsField(info, 'totalCount') }, within ? { ...extra, within } : extra, {
    findPage: (request) => companyPages(ctx).load(request),
    count: (criteria) => companyCounts(ctx).load(criteria),
  });
}

/** The types of this domain `node(id)` fetches. */
export const companyNodeTypes: readonly DomainNodeType[] = [
  nodeType('Company', { permission: P.firmsRead, load: (ctx, key) => companyById(ctx).load(key) }),
  // A statement fetched by its own ID is gated like Company.financialStatements: no way round consent.
  nodeType('FinancialStatement', {
    permission: P.firmsRead,
    load: async (ctx, key) => {
      const statement = await statementByKey(ctx).load(key);
      return statement && consentGatedRead(ctx, statement.juristicId, 'financialStatements', () => statement);
    },
  }),
];
