import { z } from 'zod';
import type { VariableSpec } from '../../config/config';
import type { SourceDefinition } from '../../ingestion/source-definition';
import { COMPANY_ITEM_FIELDS, FINANCIAL_ITEM_FIELDS, mapCompanyItem, mapFinancialItem } from './dbd.mapper';
import type { CompanyRecord, FinancialStatementRecord } from './dbd.record';
import { readPagedListing } from './paged-reader';

/** Default schedule of the juristic-person load: daily at 03:00 Bangkok time (after DIW's 02:00). */
export const DBD_COMPANIES_DEFAULT_SCHEDULE = '0 3 * * *';
/** Default schedule of the financial-statement load: daily at 03:30 Bangkok time. */
export const DBD_FINANCIALS_DEFAULT_SCHEDULE = '30 3 * * *';
/** Items per page the DBD sources ask for unless DBD_PAGE_SIZE says otherwise. */
export const DBD_DEFAULT_PAGE_SIZE = 1000;

const DBD = 'Department of Business Development';

/** One setting for both DBD listings. */
const PAGE_SIZE_VARIABLE = 'DBD_PAGE_SIZE';
const DBD_SETTINGS: Record<string, VariableSpec> = {
  [PAGE_SIZE_VARIABLE]: {
    schema: z.coerce.number().int().min(1).max(10_000),
    default: String(DBD_DEFAULT_PAGE_SIZE),
    description: 'Items per page the DBD sources ask for (`pageSize`); each run holds at most two pages in memory.',
  },
};
const pageSize = (settings: Readonly<Record<string, unknown>>): number => settings[PAGE_SIZE_VARIABLE] as number;
const json = (value: unknown): string => JSON.stringify(value);

/**
 * Juristic persons (companies and partnerships), read incrementally: the first run (or a forced full
 * refresh) reads the whole register, later runs only what changed since the saved cursor. Absence
 * from an incremental run means nothing, so no company is ever marked absent.
 */
export const dbdCompanySource: SourceDefinition<CompanyRecord> = {
  id: 'dbd-companies',
  title: 'DBD juristic persons (companies and partnerships)',
  agency: DBD,
  mode: 'incremental',
  feed: {
    variablePrefix: 'DBD_COMPANIES',
    urlDescription: 'the DBD juristic-person listing (paged JSON; the hub adds `updatedSince`, `page`, `pageSize`)',
    simulatorPath: '/dbd/juristic-persons',
    defaultSchedule: DBD_COMPANIES_DEFAULT_SCHEDULE,
    scheduleDescription: 'the incremental DBD juristic-person load',
    settings: DBD_SETTINGS,
  },
  staleAfterHours: 48,
  read: (context) =>
    readPagedListing(
      {
        title: 'DBD juristic persons',
        url: context.feedUrl,
        pageSize: pageSize(context.settings),
        fields: COMPANY_ITEM_FIELDS,
        mapItem: mapCompanyItem,
      },
      context,
    ),
  reparse: (raw) => mapCompanyItem(raw, 0),
  target: {
    table: 'registry.company',
    key: ['juristic_id'],
    columns: [
      { name: 'juristic_id', type: 'text', value: (r) => r.juristicId },
      { name: 'juristic_type', type: 'text', value: (r) => r.juristicType },
      { name: 'juristic_type_code', type: 'text', value: (r) => r.juristicTypeCode },
      { name: 'name_th', type: 'text', value: (r) => r.nameTh },
      { name: 'name_th_normalised', type: 'text', value: (r) => r.nameThNormalised },
      { name: 'name_en', type: 'text', value: (r) => r.nameEn },
      { name: 'status_raw', type: 'text', value: (r) => r.statusRaw },
      { name: 'status', type: 'text', value: (r) => r.status },
      { name: 'registered_on', type: 'date', value: (r) => r.registeredOn },
      { name: 'registered_capital_baht', type: 'numeric(18,2)', value: (r) => r.registeredCapitalBaht },
      { name: 'paid_up_capital_baht', type: 'numeric(18,2)', value: (r) => r.paidUpCapitalBaht },
      { name: 'objective', type: 'text', value: (r) => r.objective },
      { name: 'tsic_code', type: 'text', value: (r) => r.tsicCode },
      { name: 'address', type: 'text', value: (r) => r.address },
      { name: 'province', type: 'text', value: (r) => r.province },
      { name: 'directors', type: 'jsonb', value: (r) => json(r.directors) },
      { name: 'shareholders', type: 'jsonb', value: (r) => json(r.shareholders) },
      { name: 'thai_shareholding_pct', type: 'numeric(5,2)', value: (r) => r.thaiShareholdingPct },
      { name: 'source_updated_at', type: 'timestamptz', value: (r) => r.sourceUpdatedAt },
    ],
  },
  derive: {
    // The register the other agencies' records are linked to.
    companyRegister: true,
    affectedCompanies: `SELECT juristic_id FROM registry.company WHERE source_run_id = $1 OR absent_since_run_id = $1`,
  },
};

/** Yearly financial statements, keyed by (juristic ID, fiscal year), amounts in baht. */
export const dbdFinancialStatementSource: SourceDefinition<FinancialStatementRecord> = {
  id: 'dbd-financials',
  title: 'DBD financial statements (yearly)',
  agency: DBD,
  mode: 'incremental',
  feed: {
    variablePrefix: 'DBD_FINANCIALS',
    urlDescription: 'the DBD financial-statement listing (paged JSON)',
    simulatorPath: '/dbd/financial-statements',
    defaultSchedule: DBD_FINANCIALS_DEFAULT_SCHEDULE,
    scheduleDescription: 'the incremental DBD financial-statement load',
    settings: DBD_SETTINGS,
  },
  // Statements are profiled with their company: loading them after it computes each firm's profile once.
  after: [dbdCompanySource.id],
  staleAfterHours: 48,
  read: (context) =>
    readPagedListing(
      {
        title: 'DBD financial statements',
        url: context.feedUrl,
        pageSize: pageSize(context.settings),
        fields: FINANCIAL_ITEM_FIELDS,
        mapItem: mapFinancialItem,
      },
      context,
    ),
  reparse: (raw) => mapFinancialItem(raw, 0),
  target: {
    table: 'registry.financial_statement',
    key: ['juristic_id', 'fiscal_year'],
    columns: [
      { name: 'juristic_id', type: 'text', value: (r) => r.juristicId },
      { name: 'fiscal_year', type: 'integer', value: (r) => r.fiscalYear },
      { name: 'reported_unit', type: 'text', value: (r) => r.reportedUnit },
      { name: 'revenue_baht', type: 'numeric(18,2)', value: (r) => r.revenueBaht },
      { name: 'total_assets_baht', type: 'numeric(18,2)', value: (r) => r.totalAssetsBaht },
      { name: 'fixed_assets_baht', type: 'numeric(18,2)', value: (r) => r.fixedAssetsBaht },
      { name: 'liabilities_baht', type: 'numeric(18,2)', value: (r) => r.liabilitiesBaht },
      { name: 'equity_baht', type: 'numeric(18,2)', value: (r) => r.equityBaht },
      { name: 'net_profit_baht', type: 'numeric(18,2)', value: (r) => r.netProfitBaht },
      { name: 'employees', type: 'integer', value: (r) => r.employees },
      { name: 'source_updated_at', type: 'timestamptz', value: (r) => r.sourceUpdatedAt },
    ],
  },
  derive: {
    affectedCompanies: `SELECT juristic_id FROM registry.financial_statement WHERE source_run_id = $1 OR absent_since_run_id = $1`,
  },
};
