import { groupedLoader, keyedLoader } from '../../platform/graphql/loaders';
import { registerNodeType } from '../../platform/graphql/node';
import type { Company, FinancialStatement } from './company.type';

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
