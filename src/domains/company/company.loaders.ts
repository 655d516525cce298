import DataLoader from 'dataloader';
import type { GraphQLContext } from '../../platform/graphql/context';
import { groupedLoader, keyedLoader, requestLoader } from '../../platform/graphql/loaders';
import { registerNodeType } from '../../platform/graphql/node';
import type { CompanyCriteria, CompanyPageRequest } from './company.repository';
import type { CompanyListArgs } from './company.service';
import type { Company, CompanyConnection, FinancialStatement } from './company.type';

const ALL_ROLES = ['admin', 'ministry', 'analyst', 'bank'] as const;

export const companyById = keyedLoader<Company>('companyById', (c) => c.juristicId, (ctx, ids) => ctx.services.companies.repository.findByIds(ids));

export const statementsByCompany = groupedLoader<FinancialStatement>('statementsByCompany', (s) => s.juristicId, (ctx, ids) =>
  ctx.services.companies.repository.statementsOf(ids),
);

const statementByKey = keyedLoader<FinancialStatement>('statementByKey', (s) => `${s.juristicId}:${s.fiscalYear}`, (ctx, keys) =>
  ctx.services.companies.repository.statementsByKey(
    keys.flatMap((key) => {
      const [juristicId, year] = key.split(':');
      return juristicId && /^\d{4}$/.test(year ?? '') ? [{ juristicId, fiscalYear: Number(year) }] : [];
    }),
  ),
);

registerNodeType('Company', { roles: ALL_ROLES, load: (ctx, key) => companyById(ctx).load(key) });
registerNodeType('FinancialStatement', { roles: ALL_ROLES, load: (ctx, key) => statementByKey(ctx).load(key) });

const companyPages = requestLoader('companyPages', (ctx) =>
  new DataLoader<CompanyPageRequest, { company: Company; sortKey: string }[]>((requests) => ctx.services.companies.repository.findPages(requests), { cache: false }),
);
const companyCounts = requestLoader('companyCounts', (ctx) =>
  new DataLoader<CompanyCriteria | undefined, number>((criteria) => ctx.services.companies.repository.counts(criteria), { cache: false }),
);

/**
 * A company list inside a request: the lists of every parent on a page (each province's
 * companies) are read in one statement, and their counts in another.
 */
export function companyList(ctx: GraphQLContext, args: CompanyListArgs, extra?: Partial<CompanyCriteria>): Promise<CompanyConnection> {
  return ctx.services.companies.list(args, extra, {
    findPage: (request) => companyPages(ctx).load(request),
    count: (criteria) => companyCounts(ctx).load(criteria),
  });
}
