import { isObjectType, type GraphQLObjectType, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import { checkPageSize, decodeCursor, encodeCursor, type PageInfo } from '../../platform/graphql/connection';
import { below, isPlainField, prefetchedKey, selectedFields, type SelectedField } from '../../platform/graphql/read-plan';
import type { GraphQLContext } from '../api-context';
import { firmScopeSql } from '../firm-scope';
import { FACTORY_FIELD_SQL, finishPlannedFactory, PROVENANCE_FIELDS, type FactoryListShape } from '../factory/factory.repository';
import { FACTORY_CURSOR, FID_SHAPE } from '../factory/factory.service';
import { companyById, companyCounts } from './company.loaders';
import { COMPANY_FIELD_SQL, type CompanyProfileShape, type CompanyShape } from './company.repository';
import { LICENCE_CURSOR, licenceAfterKey, licenceCursorKey, licencePositionOf } from '../certification/certification.service';
import type { LicenceListShape } from '../certification/certification.repository';
import type { TisLicense } from '../certification/certification.type';
import { bangkokDate } from '../../access/consent-rules';
import { primeActiveConsent } from '../consent/consent.loaders';
import type { CompanyListArgs } from './company.service';
import type { Company, CompanyConnection } from './company.type';

/** The fields whose values a plan of this file prefetches (src/app/api/schema.ts serves them first). */
export const PREFETCHED_FIELDS = [
  ['Company', 'factories'],
  ['Company', 'certifications'],
  ['Company', 'programmeParticipations'],
  ['Company', 'industry40Assessments'],
] as const;

/**
 * The read plan of `Query.companies` (issue 16): the whole selection, a page of companies with the
 * plain fields asked for and each company's first factories, read in ONE statement whose JSON
 * PostgreSQL builds with only the columns asked for (company.repository.ts, findShapedPage).
 *
 * What it plans: the connection's edges, cursors, pageInfo and totalCount; Company's plain fields
 * (COMPANY_FIELD_SQL), id and provenance; `factories(first, after)` with the same, over Factory.
 * Anything else in the selection (a relation, consent-gated data, a directive, a fragment on
 * another type), an argument a check refuses, or READ_PLANS=off: no plan, and the resolvers and
 * their loaders answer as they always do. The plan changes where values come from, never which:
 *
 * - the page is the service's own `list` (filters, province resolution, ordering, cursors, page
 *   size checks, the caller's scope in SQL, an empty page's count), handed a `findPage` that
 *   shapes its statement; the planned page is the one findPages would read;
 * - the GraphQL execution then walks the planned objects as it walks rows: every field's resolver
 *   runs, so the firm-data guard (area and firm scope, the read audit) and authorisation see every
 *   company and factory, and `Company.factories` answers the planned page (servePrefetched);
 * - masking (operators) and value mapping (region codes, global IDs, provenance dates) run the
 *   row mappers' own rules on the planned JSON (factory.repository.ts, company.repository.ts).
 *
 * test/integration/read-plans.test.ts runs generated selections for every role through a hub with
 * plans and one without, and compares the answers and audit entries.
 */
export async function plannedCompanyList(ctx: GraphQLContext, args: CompanyListArgs, info: GraphQLResolveInfo): Promise<CompanyConnection | undefined> {
  if (ctx.readPlans !== true) return undefined;
  const plan = planCompanies(info);
  if (!plan) return undefined;
  const within = await firmScopeSql(ctx);
  return ctx.services.companies.list({ ...args, withCount: plan.withCount }, within ? { within } : undefined, {
    findPage: async (request) => {
      const page = await ctx.services.companies.findShapedPage(request, plan.shape);
      for (const row of page.rows) prefetchFactories(row.company, plan.shape.factories);
      return { rows: page.rows.map((row) => ({ company: row.company as unknown as Company, sortKey: row.sortKey })), total: page.total };
    },
    count: (criteria) => companyCounts(ctx).load(criteria),
  });
}

interface CompanyListPlan {
  withCount: boolean;
  shape: CompanyShape;
}

/** The plan of a `companies` selection, or undefined when it asks for anything a plan does not cover. */
function planCompanies(info: GraphQLResolveInfo): CompanyListPlan | undefined {
  try {
    const connection = objectType(info, 'CompanyConnection');
    const company = objectType(info, 'Company');
    const fields = connection && selectedFields(info, connection, info.fieldNodes.map((node) => node.selectionSet));
    if (!fields || !company) return undefined;
    const shape: CompanyShape = { fields: [], id: false, provenance: undefined, factories: [] };
    let withCount = false;
    for (const field of fields.values()) {
      if (field.name === 'totalCount') withCount = true;
      else if (field.name === 'edges') {
        if (!planEdges(info, 'CompanyEdge', field, (nodes) => planCompany(info, company, nodes, shape))) return undefined;
      } else if (field.name !== 'pageInfo' && field.name !== '__typename') return undefined;
    }
    return { withCount, shape };
  } catch {
    // An argument that does not coerce or a cursor that does not decode: the resolvers say what is wrong.
    return undefined;
  }
}

const objectType = (info: GraphQLResolveInfo, name: string): GraphQLObjectType | undefined => {
  const type = info.schema.getType(name);
  return isObjectType(type) ? type : undefined;
};

/** A connection's `edges { cursor node { ... } }` over `edgeType`: `planNode` plans the node's selection. */
function planEdges(info: GraphQLResolveInfo, edgeType: string, edges: SelectedField, planNode: (selections: (SelectionSetNode | undefined)[]) => boolean): boolean {
  const type = objectType(info, edgeType);
  const fields = type && selectedFields(info, type, below(edges));
  if (!fields) return false;
  const nodes: (SelectionSetNode | undefined)[] = [];
  for (const field of fields.values()) {
    if (field.name === 'node') nodes.push(...below(field));
    else if (field.name !== 'cursor' && field.name !== '__typename') return false;
  }
  return nodes.length === 0 || planNode(nodes);
}

function planCompany(info: GraphQLResolveInfo, company: GraphQLObjectType, selections: (SelectionSetNode | undefined)[], shape: CompanyShape): boolean {
  const fields = selectedFields(info, company, selections);
  if (!fields) return false;
  for (const [key, field] of fields) {
    if (field.name === '__typename') continue;
    if (field.name === 'id' && isPlainField(company, 'id')) shape.id = true;
    else if (field.name === 'provenance' && isPlainField(company, 'provenance')) {
      const provenance = planProvenance(info, field);
      if (!provenance) return false;
      shape.provenance = mergeFields(shape.provenance, provenance);
    } else if (field.name === 'factories') {
      const factories = planFactories(info, key, field);
      if (!factories) return false;
      shape.factories.push(factories);
    } else if (COMPANY_FIELD_SQL[field.name] !== undefined && field.name !== 'provinceCode' && isPlainField(company, field.name)) {
      if (!shape.fields.includes(field.name)) shape.fields.push(field.name);
    } else return false;
  }
  return true;
}

function planProvenance(info: GraphQLResolveInfo, field: SelectedField): string[] | undefined {
  const type = objectType(info, 'Provenance');
  const fields = type && selectedFields(info, type, below(field));
  if (!fields) return undefined;
  const asked: string[] = [];
  for (const { name } of fields.values()) {
    if (name === '__typename') continue;
    if (!PROVENANCE_FIELDS.has(name) || !isPlainField(type, name)) return undefined;
    if (!asked.includes(name)) asked.push(name);
  }
  return asked;
}

const mergeFields = (a: string[] | undefined, b: string[]): string[] => [...new Set([...(a ?? []), ...b])];

/** `factories(first, after)` below a company, checked as CompanyFactoriesResolver checks it. */
function planFactories(info: GraphQLResolveInfo, key: string, field: SelectedField): FactoryListShape | undefined {
  const connection = objectType(info, 'FactoryConnection');
  const factory = objectType(info, 'Factory');
  const fields = connection && selectedFields(info, connection, below(field));
  if (!fields || !factory) return undefined;
  const size = checkPageSize(field.args['first'] as number | null | undefined);
  const afterFid = decodeCursor(FACTORY_CURSOR, field.args['after'] as string | null | undefined);
  const shape: FactoryListShape = { key, size, afterFid, withCount: false, fields: [], provenance: undefined, id: false };
  for (const selected of fields.values()) {
    if (selected.name === 'totalCount') shape.withCount = true;
    else if (selected.name === 'edges') {
      if (!planEdges(info, 'FactoryEdge', selected, (nodes) => planFactory(info, factory, nodes, shape))) return undefined;
    } else if (selected.name !== 'pageInfo' && selected.name !== '__typename') return undefined;
  }
  return shape;
}

function planFactory(info: GraphQLResolveInfo, factory: GraphQLObjectType, selections: (SelectionSetNode | undefined)[], shape: FactoryListShape): boolean {
  const fields = selectedFields(info, factory, selections);
  if (!fields) return false;
  for (const field of fields.values()) {
    if (field.name === '__typename') continue;
    if (field.name === 'id' && isPlainField(factory, 'id')) shape.id = true;
    else if (field.name === 'provenance' && isPlainField(factory, 'provenance')) {
      const provenance = planProvenance(info, field);
      if (!provenance) return false;
      shape.provenance = mergeFields(shape.provenance, provenance);
    } else if (FACTORY_FIELD_SQL[field.name] !== undefined && isPlainField(factory, field.name)) {
      if (!shape.fields.includes(field.name)) shape.fields.push(field.name);
    } else return false;
  }
  return true;
}

/** Each planned company's factory pages, made the connections `Company.factories` would answer. */
function prefetchFactories(company: Record<string, unknown>, shapes: readonly FactoryListShape[]): void {
  for (const shape of shapes) {
    // The statement put the page's raw JSON where the field's prefetched value goes; it is replaced by the connection.
    const key = prefetchedKey(shape.key);
    const planned = company[key] as { rows: Record<string, unknown>[]; count: number | null };
    const edges = planned.rows.slice(0, shape.size).map((row) => {
      const node = finishPlannedFactory(row, shape);
      return { cursor: encodeCursor(FACTORY_CURSOR, node['fid'] as string), node };
    });
    const pageInfo: PageInfo = {
      hasNextPage: planned.rows.length > shape.size,
      hasPreviousPage: false,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    };
    company[key] = { edges, pageInfo, totalCount: planned.count ?? 0 };
  }
}

/** Every Factory field a plan can build: a profile's factory nodes are whole factories, as the loader's. */
const WHOLE_FACTORY = { fields: Object.keys(FACTORY_FIELD_SQL), provenance: [...PROVENANCE_FIELDS], id: true };

/**
 * The read plan of `Query.company(juristicId)` (issue 16): the company and the relations its
 * selection asks for (factories, certifications with their standards, financial statements,
 * programme participations, Industry 4.0 assessments) read in ONE statement
 * (CompanyRepository.findProfile). Undefined with READ_PLANS=off or when the selection cannot be
 * read (a directive, a fragment on another type): the resolvers then answer as they always do.
 *
 * Unlike the list plan it plans no field values: each relation is read as whole records, mapped
 * by its repository's own row mapper, so the objects are those the loaders hand over and every
 * field below them (a factory's province, a licence's masking, a participation's link) is resolved
 * by its own resolver. What changes is only where the records come from:
 *
 * - the ID is checked and a missing company is NOT_FOUND as `CompanyService.get` says it;
 * - the firm-data guard sees the company at the root (area and firm scope: FORBIDDEN outside it) and
 *   every factory, licence, statement and DIP record below it, so the read audit notes the same;
 * - licences are read in the caller's scope (firmScopeSql), shown licensees only, as their loader;
 * - `financialStatements` still passes the consent gate (a bank without consent: CONSENT_REQUIRED);
 *   only the statements' rows were read ahead (company.statementsData);
 * - a relation whose arguments a check refuses (page size, cursor) is not read ahead: its resolver
 *   refuses it with the same error.
 *
 * test/integration/profile-plan.test.ts compares it with the resolvers for every role.
 */
export function plannedCompany(ctx: GraphQLContext, juristicId: string, info: GraphQLResolveInfo): Promise<Company> | undefined {
  if (ctx.readPlans !== true) return undefined;
  const plan = planProfile(info);
  if (!plan) return undefined;
  const bank = ctx.client.role === 'bank' && plan.consentGated ? ctx.services.consents.bankScope(ctx.client) : null;
  // A bank's consent is read as the gate's loader reads it: for its bank, today in Bangkok, its client's purpose.
  if (bank) plan.shape.consentOf = { bank, today: bangkokDate(), purpose: ctx.client.purpose };
  return (async () => {
    const within = plan.shape.certifications.length > 0 ? await firmScopeSql(ctx) : undefined;
    const profile = await ctx.services.companies.getProfile(juristicId, plan.shape, within);
    // A factory or a licence naming this company finds it without a statement (the guard, `Factory.company`),
    // as the row alone: what was read ahead answers this field's selection only, not another's below it.
    companyById(ctx).prime(profile.company.juristicId, profile.company);
    const company: Company & Record<string, unknown> = { ...profile.company };
    plan.shape.factories.forEach((shape, i) => (company[prefetchedKey(shape.key)] = profile.factoryPages[i]));
    prefetchFactories(company, plan.shape.factories);
    plan.shape.certifications.forEach((shape, i) => (company[prefetchedKey(shape.key)] = licenceConnection(profile.licencePages[i]!, shape)));
    if (profile.statements) company.statementsData = profile.statements;
    // The consent gate of the fields asked finds the bank's consent (or its absence) read with the company.
    if (profile.consent !== undefined) primeActiveConsent(ctx, profile.company.juristicId, profile.consent ?? undefined);
    for (const key of plan.participationKeys) company[prefetchedKey(key)] = profile.participations;
    for (const key of plan.assessmentKeys) company[prefetchedKey(key)] = profile.assessments;
    return company;
  })();
}

interface ProfilePlan {
  shape: CompanyProfileShape;
  /** A field a bank reads only with the company's consent is asked for. */
  consentGated: boolean;
  participationKeys: string[];
  assessmentKeys: string[];
}

function planProfile(info: GraphQLResolveInfo): ProfilePlan | undefined {
  const company = objectType(info, 'Company');
  const fields = company && selectedFields(info, company, info.fieldNodes.map((node) => node.selectionSet));
  if (!fields) return undefined;
  const plan: ProfilePlan = {
    shape: { factories: [], certifications: [], financialStatements: false, programmeParticipations: false, industry40Assessments: false },
    participationKeys: [],
    assessmentKeys: [],
    consentGated: false,
  };
  for (const [key, field] of fields) {
    switch (field.name) {
      case 'factories': {
        const shape = planWholeFactories(info, key, field);
        if (shape) plan.shape.factories.push(shape);
        break;
      }
      case 'certifications': {
        const shape = planLicences(info, key, field);
        if (shape) plan.shape.certifications.push(shape);
        break;
      }
      case 'financialStatements':
        plan.shape.financialStatements = true;
        plan.consentGated = true;
        break;
      case 'directors':
      case 'shareholders':
        plan.consentGated = true;
        break;
      case 'programmeParticipations':
        plan.shape.programmeParticipations = true;
        plan.participationKeys.push(key);
        break;
      case 'industry40Assessments':
        plan.shape.industry40Assessments = true;
        plan.assessmentKeys.push(key);
        break;
      default:
      // Every other field is the company's own (read with it) or resolved by its resolver.
    }
  }
  return plan;
}

/** Whether a connection's selection asks for `totalCount`; undefined when it cannot be read (a directive...). */
function asksTotalCount(info: GraphQLResolveInfo, connectionType: string, field: SelectedField): boolean | undefined {
  const connection = objectType(info, connectionType);
  const fields = connection && selectedFields(info, connection, below(field));
  return fields && [...fields.values()].some((f) => f.name === 'totalCount');
}

/** `factories(first, after)` below the company, checked as CompanyFactoriesResolver checks it; undefined: its resolver answers. */
function planWholeFactories(info: GraphQLResolveInfo, key: string, field: SelectedField): FactoryListShape | undefined {
  try {
    const withCount = asksTotalCount(info, 'FactoryConnection', field);
    if (withCount === undefined) return undefined;
    const size = checkPageSize(field.args['first'] as number | null | undefined);
    const afterFid = decodeCursor(FACTORY_CURSOR, field.args['after'] as string | null | undefined, FID_SHAPE);
    return { key, size, afterFid, withCount, ...WHOLE_FACTORY };
  } catch {
    return undefined;
  }
}

/** `certifications(first, after)`, checked as CompanyCertificationsResolver checks it; undefined: its resolver answers. */
function planLicences(info: GraphQLResolveInfo, key: string, field: SelectedField): LicenceListShape | undefined {
  try {
    const withCount = asksTotalCount(info, 'TisLicenseConnection', field);
    if (withCount === undefined) return undefined;
    const size = checkPageSize(field.args['first'] as number | null | undefined);
    const afterKey = licenceAfterKey(field.args['after'] as string | null | undefined);
    return { key, size, after: afterKey === undefined ? undefined : licencePositionOf(afterKey), withCount };
  } catch {
    return undefined;
  }
}

/** A planned licence page made the connection `licencesOfCompany` answers. */
function licenceConnection(page: { rows: TisLicense[]; count: number | null }, shape: LicenceListShape) {
  const edges = page.rows.slice(0, shape.size).map((node) => ({ cursor: encodeCursor(LICENCE_CURSOR, licenceCursorKey(node)), node }));
  const pageInfo: PageInfo = {
    hasNextPage: page.rows.length > shape.size,
    hasPreviousPage: false,
    startCursor: edges[0]?.cursor ?? null,
    endCursor: edges.at(-1)?.cursor ?? null,
  };
  return { edges, pageInfo, totalCount: page.count ?? 0 };
}
