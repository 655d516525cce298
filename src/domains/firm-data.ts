import {
  defaultFieldResolver,
  getNamedType,
  isAbstractType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { scopeOf, type ClientScope } from '../access/client-scope';
import { ReadRecord, type FieldGroup } from '../access/audit/read-record';
import { FIRM_DATA_TYPES, str, type FirmDataType } from './firm-data-types';
import { DomainError } from '../platform/errors/domain-error';
import type { GraphQLContext } from './api-context';
import { companyById } from './company/company.loaders';
import { factoryByFid } from './factory/factory.loaders';

// The table of firm-level types (what each reveals, whose it is) lives in firm-data-types.ts, free of
// the request context, so that other readers of firm data (the registry feed and exports) classify
// their records by it too.
export { FIRM_DATA_TYPES, type FirmDataType } from './firm-data-types';

/**
 * Types that carry no firm-level record of their own: reference data, operations, statistics
 * (counts over firms, suppressed below five for the roles that see no firm), connections and
 * parts of a firm-level record reached only through it (a criterion of an eligibility, the
 * provenance of a record). The access log itself is read-audited data about readers, not firms.
 */
export const NOT_FIRM_DATA: ReadonlySet<string> = new Set([
  'Query', 'Mutation', 'Node', 'PageInfo', 'Provenance', 'CriterionProvenance',
  'CompanyConnection', 'CompanyEdge', 'FactoryConnection', 'FactoryEdge', 'TisLicenseConnection', 'TisLicenseEdge',
  'ConsentConnection', 'ConsentEdge', 'EligibilityEventConnection', 'EligibilityEventEdge', 'LoanOutcomeConnection', 'LoanOutcomeEdge',
  'CompanyStats', 'CompanyStatsGroup', 'CompanyStatsKey', 'FactoryStats', 'FactoryStatsGroup', 'FactoryStatsKey', 'StatsMeasure',
  'LoanTakeUpStats', 'LoanTakeUpGroup', 'LoanTakeUpKey',
  'EligibilityCriterion', 'EligibilityAtReport', 'ReportLoanOutcomePayload',
  'DataAccessLogEntry', 'DataAccessLogEntryConnection', 'DataAccessLogEntryEdge',
  'DataSource', 'IngestionJob', 'IngestionRun', 'IngestionRunConnection', 'IngestionRunEdge', 'QuarantinedRow', 'QuarantinedRowConnection', 'QuarantinedRowEdge',
  'Province', 'Region', 'PromotionCentre', 'ProvinceGroup', 'IndustryTransformationCentre', 'IndustryClass', 'TargetIndustry', 'IndustrialIndexGroup', 'IndustrialIndexMonth',
  'LoanProduct', 'TisStandard', 'TisStandardConnection', 'TisStandardEdge',
]);

/** The message of a firm-level record outside the caller's scope, the same whether it exists or not. */
function outsideScope(scope: ClientScope, typeName: string): DomainError {
  const where = scope.kind === 'firm' ? 'is not your firm’s' : 'is outside your area';
  return new DomainError('FORBIDDEN', `this ${typeName} ${where}, or does not exist`, {}, 'OUTSIDE_SCOPE');
}

/** Whether a record is in the caller's scope (see ClientScope for the rules). */
async function inScope(ctx: GraphQLContext, scope: ClientScope, type: FirmDataType, value: Record<string, unknown>, parent: unknown): Promise<boolean> {
  if (scope.kind === 'national') return true;
  const juristicId = type.juristicIdOf(value, parent);
  if (scope.kind === 'firm') return juristicId === scope.juristicId;
  const direct = str(value['provinceCode']);
  if (direct !== null && type === FIRM_DATA_TYPES['Company']) return scope.inArea.has(direct);
  const located = type.locatedIn?.(value);
  if (located) {
    const code = await ctx.services.geography.provinceCode(located);
    if (code !== undefined && scope.inArea.has(code)) return true;
  }
  const plant = type.plantOf?.(value);
  if (plant) {
    const name = (await factoryByFid(ctx).load(plant))?.provinceName;
    const code = name ? await ctx.services.geography.provinceCode(name) : undefined;
    if (code !== undefined && scope.inArea.has(code)) return true;
  }
  if (juristicId === null) return false;
  const company = await companyById(ctx).load(juristicId);
  return company?.provinceCode != null && scope.inArea.has(company.provinceCode);
}

/** The field names a selection asks for, fragments included (one level: groups are per field). */
function selectedFields(selectionSet: SelectionSetNode | undefined, info: GraphQLResolveInfo, into = new Set<string>()): Set<string> {
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) into.add(selection.name.value);
    else if (selection.kind === Kind.INLINE_FRAGMENT) selectedFields(selection.selectionSet, info, into);
    else selectedFields(info.fragments[selection.name.value]?.selectionSet, info, into);
  }
  return into;
}

/** Per selection: the siblings of a list share their field nodes (graphql-js memoises them), so a page costs one walk. */
const groupsBySelection = new WeakMap<object, Map<FirmDataType, FieldGroup[]>>();

function groupsAsked(type: FirmDataType, info: GraphQLResolveInfo): FieldGroup[] {
  if (!type.fieldGroups) return [type.group];
  let byType = groupsBySelection.get(info.fieldNodes);
  const cached = byType?.get(type);
  if (cached) return cached;
  const groups = new Set<FieldGroup>([type.group]);
  for (const node of info.fieldNodes) {
    for (const field of selectedFields(node.selectionSet, info)) {
      const group = type.fieldGroups[field];
      if (group) groups.add(group);
    }
  }
  const asked = [...groups];
  if (!byType) groupsBySelection.set(info.fieldNodes, (byType = new Map()));
  byType.set(type, asked);
  return asked;
}

function readRecordOf(ctx: GraphQLContext): ReadRecord {
  return (ctx.readRecord ??= new ReadRecord());
}

/**
 * Wraps every field of the schema that returns firm-level records (directly, in a list, or as a
 * `Node`): a record outside the caller's scope is dropped from lists, answers null where the field
 * may be null (`node`, a nested link), and FORBIDDEN on a direct read (as a missing one does for
 * that caller); every record served is noted for the read audit. Lists and counts are scoped in
 * SQL by the services; this is the one check every path passes, so a path a service missed fails
 * closed rather than leaking.
 */
export function guardFirmData(schema: GraphQLSchema): GraphQLSchema {
  const rootTypes = new Set([schema.getQueryType()?.name, schema.getMutationType()?.name]);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      if (!(isAbstractType(named) || FIRM_DATA_TYPES[named.name])) continue;
      guardField(field, rootTypes.has(type.name));
    }
  }
  return schema;
}

function guardField(field: GraphQLField<unknown, GraphQLContext>, atRoot: boolean): void {
  const resolve: GraphQLFieldResolver<unknown, GraphQLContext> = field.resolve ?? defaultFieldResolver;
  const named = getNamedType(field.type);
  const fixedType = isAbstractType(named) ? undefined : named.name;
  const nullable = !isNonNullType(field.type);
  const listType = isNonNullType(field.type) ? field.type.ofType : field.type;
  const itemsNullable = isListType(listType) && !isNonNullType(listType.ofType);
  field.resolve = (source, args, ctx, info) => {
    const scope = scopeOf(ctx.client);
    const typeOf = (item: unknown): FirmDataType | undefined => {
      if (item === null || item === undefined || typeof item !== 'object') return undefined;
      const typeName = fixedType ?? str((item as Record<string, unknown>)['__typename']);
      return typeName ? FIRM_DATA_TYPES[typeName] : undefined;
    };
    const note = (type: FirmDataType, record: Record<string, unknown>): void => {
      const audit = readRecordOf(ctx);
      const juristicId = type.juristicIdOf(record, source);
      for (const group of groupsAsked(type, info)) audit.note(group, juristicId, type.keyOf(record));
    };
    const check = async (item: unknown): Promise<boolean> => {
      const type = typeOf(item);
      if (!type) return true;
      if (!(await inScope(ctx, scope, type, item as Record<string, unknown>, source))) return false;
      note(type, item as Record<string, unknown>);
      return true;
    };
    const scoped = async (value: unknown): Promise<unknown> => {
      if (Array.isArray(value)) {
        const kept = await Promise.all(value.map(check));
        // `nodes(ids)` keeps its positions: an item outside the scope answers null, as a missing one.
        return itemsNullable ? value.map((item, i) => (kept[i] ? item : null)) : value.filter((_, i) => kept[i]);
      }
      if (await check(value)) return value;
      const typeName = fixedType ?? str((value as Record<string, unknown>)['__typename']) ?? 'record';
      if (atRoot && fixedType) throw outsideScope(scope, typeName);
      if (nullable) return null;
      throw outsideScope(scope, typeName);
    };
    const served = (value: unknown): unknown => {
      if (value === null || value === undefined) return value;
      if (scope.kind !== 'national') return scoped(value);
      // No scope to check: note what is served, synchronously (no promise per record).
      for (const item of Array.isArray(value) ? value : [value]) {
        const type = typeOf(item);
        if (type) note(type, item as Record<string, unknown>);
      }
      return value;
    };
    const refused = (error: unknown): never => {
      // A missing record answers like one outside the scope, so a scoped caller learns nothing.
      if (atRoot && scope.kind !== 'national' && error instanceof DomainError && error.code === 'NOT_FOUND' && fixedType) throw outsideScope(scope, fixedType);
      throw error;
    };
    let result: unknown;
    try {
      result = resolve(source, args, ctx, info);
    } catch (error) {
      return refused(error);
    }
    return result instanceof Promise ? result.then(served, refused) : served(result);
  };
}
