import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  getNamedType,
  isLeafType,
  isListType,
  isNonNullType,
  Kind,
  validate,
  visit,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { getComplexity, type ComplexityEstimator, type ComplexityEstimatorArgs } from 'graphql-query-complexity';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './connection';

/**
 * Analysis of an operation before it runs (issue 14): depth, aliases and directives are measured
 * by graphql-armor's validation rules, and the cost by graphql-query-complexity with the estimator
 * below, which counts the objects an operation may read: list sizes (`first`, the default page
 * size, the length of `nodes(ids)`) multiply down the tree, so `companies(first: 100) { factories
 * (first: 100) }` costs about 10,000. Every measure is compared with the caller's role's budget.
 */

export interface QueryBudget {
  maxCost: number;
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
}

export type QueryMeasure = 'cost' | 'depth' | 'aliases' | 'directives' | 'fields';

export interface QueryMeasures {
  cost: number;
  depth: number;
  aliases: number;
  directives: number;
  /** Field selections once every fragment spread is expanded. */
  fields: number;
}

/** The first measure over its limit, or undefined when the operation fits. */
export interface OverBudget {
  measure: QueryMeasure;
  value: number;
  limit: number;
}

/**
 * Above this many expanded selections nothing else is measured: graphql-query-complexity expands
 * fragment spreads without memoising, so a spread bomb (each fragment spreading the next twice)
 * would cost it exponential time. Counting with memoised fragments is linear.
 */
export const MAX_EXPANDED_FIELDS = 5_000;

/**
 * Cost of the live aggregations, on top of the objects they return (each scans rows), and of the
 * relations whose page under each parent is read by scanning the rows that match (an industry
 * class's companies: by TSIC prefix, no index serves it per parent).
 */
const FIXED_COSTS: Record<string, number> = {
  'Query.companyStats': 100,
  'Query.factoryStats': 100,
  'Query.loanTakeUpStats': 100,
  'IndustryClass.companies': 200,
  'TargetIndustry.companies': 200,
};

/**
 * A connection's `totalCount` is a count(*) of its own: priced as a page's worth of reading, so
 * that counts under a list of parents cost what they run.
 */
const TOTAL_COUNT_COST = 20;

/**
 * Groups of a breakdown: as many as the product of its dimensions' sizes may give, up to this many
 * for the estimate (a breakdown answers at most MAX_GROUPS, 10,000, and a request's breakdowns
 * together too; see the statistics service). Dimension sizes: at most so many values each.
 */
const ESTIMATED_GROUPS_CAP = 1_000;
const DIMENSION_SIZES: Record<string, number> = {
  BANK: 2,
  PRODUCT: 6,
  REGION: 6,
  PROVINCE: 77,
  PROMOTION_CENTRE: 11,
  PROVINCE_GROUP: 6,
  TSIC_DIVISION: 88,
  ISIC_DIVISION: 88,
  TARGET_INDUSTRY: 12,
  SME_SIZE: 4,
  INDUSTRY40_LEVEL: 6,
  REGISTRATION_YEAR: 100,
  STATUS: 5,
  JURISTIC_TYPE: 6,
};
/** The estimate of `*Stats.groups` below (LIST_SIZES), which a breakdown's own estimate rescales. */
const GROUPS_LIST_SIZE = 100;

function estimatedGroups(groupBy: unknown): number {
  if (!Array.isArray(groupBy) || groupBy.length === 0) return 1;
  let product = 1;
  for (const dimension of groupBy) product *= typeof dimension === 'string' ? (DIMENSION_SIZES[dimension] ?? 10) : 10;
  return Math.min(ESTIMATED_GROUPS_CAP, product);
}

/** Expected sizes of lists that are not connections (the default is DEFAULT_LIST_SIZE). */
const LIST_SIZES: Record<string, number> = {
  'Query.provinces': 77,
  'Region.provinces': 25,
  'Query.regions': 6,
  'Query.promotionCentres': 11,
  'PromotionCentre.provinces': 12,
  'Query.provinceGroups': 6,
  'ProvinceGroup.provinces': 25,
  'ProvinceGroup.focusIndustries': 5,
  'Query.targetIndustries': 12,
  'Query.industryClasses': 400,
  'IndustryClass.children': 40,
  'Query.dataSources': 15,
  'CompanyStats.groups': GROUPS_LIST_SIZE,
  'FactoryStats.groups': GROUPS_LIST_SIZE,
  'LoanTakeUpStats.groups': GROUPS_LIST_SIZE,
  'Company.eligibility': 6,
  'ProductEligibility.criteria': 10,
  // Only `anyOf` and `allOf` groups have criteria of their own, a few each.
  'EligibilityCriterion.criteria': 3,
};
/** A list with no known size: a company's directors, statements, assessments... (about 5 each). */
const DEFAULT_LIST_SIZE = 5;

const isConnection = (type: GraphQLOutputType): boolean => {
  const named = getNamedType(type);
  return !isLeafType(named) && named.name.endsWith('Connection');
};

function listSize(parentName: string, field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): number {
  const ids = args['ids'];
  if (Array.isArray(ids)) return Math.max(1, ids.length);
  // A plain list with a `first` argument (a source's last runs) returns up to that many.
  if (typeof args['first'] === 'number') return pageSize(args);
  // The classes under one code (a section's divisions: 24 at most) rather than all 400.
  if (typeof args['parentCode'] === 'string') return LIST_SIZES['IndustryClass.children'] ?? DEFAULT_LIST_SIZE;
  return LIST_SIZES[`${parentName}.${field.name}`] ?? DEFAULT_LIST_SIZE;
}

function pageSize(args: Record<string, unknown>): number {
  const first = args['first'];
  // An out-of-range `first` fails at the field with BAD_USER_INPUT; cost it as the largest page.
  return typeof first === 'number' && Number.isFinite(first) ? Math.min(MAX_PAGE_SIZE, Math.max(1, first)) : DEFAULT_PAGE_SIZE;
}

/** Objects read: one per object, lists and pages multiplying their children. */
export const readCostEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }: ComplexityEstimatorArgs) => {
  const parentName = type.name;
  // Introspection reads the schema in memory, not the database (GraphiQL's query must fit any budget).
  if (parentName.startsWith('__') || field.name.startsWith('__')) return 0;
  const fixed = FIXED_COSTS[`${parentName}.${field.name}`] ?? 0;
  if (parentName.endsWith('Connection') && field.name === 'totalCount') return TOTAL_COUNT_COST;
  if (isLeafType(getNamedType(field.type))) return fixed;
  // A breakdown: its groups were estimated at GROUPS_LIST_SIZE; rescale to what its dimensions may give.
  if (Array.isArray(args['groupBy'])) return fixed + 1 + Math.ceil((childComplexity * estimatedGroups(args['groupBy'])) / GROUPS_LIST_SIZE);
  // A connection's edges are counted by the connection field, which multiplies by its page size.
  if (parentName.endsWith('Connection') && field.name === 'edges') return childComplexity;
  if (isConnection(field.type)) return fixed + 1 + pageSize(args) * childComplexity;
  const unwrapped = isNonNullType(field.type) ? field.type.ofType : field.type;
  if (isListType(unwrapped)) return fixed + listSize(parentName, field, args) * (1 + childComplexity);
  return fixed + 1 + childComplexity;
};

/** Selections after expanding fragments, each fragment counted once and reused (linear time). */
export function expandedFieldCount(document: DocumentNode): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const sizes = new Map<string, number>();
  const countSet = (set: SelectionSetNode | undefined, active: Set<string>): number => {
    let total = 0;
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) total += 1 + countSet(selection.selectionSet, active);
      else if (selection.kind === Kind.INLINE_FRAGMENT) total += countSet(selection.selectionSet, active);
      else total += fragmentSize(selection.name.value, active);
      if (total > Number.MAX_SAFE_INTEGER) return total;
    }
    return total;
  };
  const fragmentSize = (name: string, active: Set<string>): number => {
    const known = sizes.get(name);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    // Cycles and unknown fragments are validation errors, reported by validation.
    if (!fragment || active.has(name)) return 0;
    active.add(name);
    const size = countSet(fragment.selectionSet, active);
    active.delete(name);
    sizes.set(name, size);
    return size;
  };
  let largest = 0;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) largest = Math.max(largest, countSet(definition.selectionSet, new Set()));
  }
  return largest;
}

/** Depth, aliases and directives as graphql-armor's rules count them (fragments memoised). */
function structuralMeasures(schema: GraphQLSchema, document: DocumentNode): Pick<QueryMeasures, 'depth' | 'aliases' | 'directives'> {
  const measures = { depth: 0, aliases: 0, directives: 0 };
  // The rules measure; the budgets are compared here, per role, so they run with no limit of their own.
  const unlimited = { n: Number.MAX_SAFE_INTEGER, propagateOnRejection: false };
  validate(schema, document, [
    maxDepthRule({ ...unlimited, onAccept: [(_ctx, { n }) => void (measures.depth = Math.max(measures.depth, n))] }),
    maxAliasesRule({ ...unlimited, onAccept: [(_ctx, { n }) => void (measures.aliases = Math.max(measures.aliases, n))] }),
    maxDirectivesRule({ ...unlimited, onAccept: [(_ctx, { n }) => void (measures.directives = Math.max(measures.directives, n))] }),
  ]);
  return measures;
}

/** What depends on the document alone, computed once per parsed document (Apollo reuses them). */
interface DocumentMeasures {
  fields: number;
  depth: number;
  aliases: number;
  directives: number;
  /** Costs by operation name and variables, for the documents a client sends again and again. */
  costs: Map<string, number>;
}

const MAX_COSTS_PER_DOCUMENT = 100;
const documentMeasures = new WeakMap<DocumentNode, DocumentMeasures>();

function measuresOf(schema: GraphQLSchema, document: DocumentNode): DocumentMeasures {
  let known = documentMeasures.get(document);
  if (!known) {
    const fields = expandedFieldCount(document);
    const structural = fields > MAX_EXPANDED_FIELDS ? { depth: 0, aliases: 0, directives: 0 } : structuralMeasures(schema, document);
    known = { fields, ...structural, costs: new Map() };
    documentMeasures.set(document, known);
  }
  return known;
}

function costOf(schema: GraphQLSchema, document: DocumentNode, known: DocumentMeasures, operationName: string | undefined, variables: Record<string, unknown> | undefined): number {
  const key = `${operationName ?? ''}|${JSON.stringify(variables ?? {})}`;
  const cached = known.costs.get(key);
  if (cached !== undefined) return cached;
  let cost: number;
  try {
    cost = getComplexity({ schema, query: document, operationName, variables: variables ?? {}, estimators: [readCostEstimator] });
  } catch {
    // Variables that cannot be coerced: execution refuses the operation before any resolver runs.
    cost = 0;
  }
  if (known.costs.size >= MAX_COSTS_PER_DOCUMENT) known.costs.clear();
  known.costs.set(key, cost);
  return cost;
}

/**
 * Measures an operation that passed validation against a role's budget. What depends only on the
 * document is computed once per parsed document, and the cost once per set of variables, so a
 * client repeating its queries pays the analysis once.
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
  variables: Record<string, unknown> | undefined,
  budget: QueryBudget,
): { measures: QueryMeasures; over: OverBudget | undefined } {
  const known = measuresOf(schema, document);
  const measures: QueryMeasures = { cost: 0, depth: known.depth, aliases: known.aliases, directives: known.directives, fields: known.fields };
  if (known.fields > MAX_EXPANDED_FIELDS) return { measures, over: { measure: 'fields', value: known.fields, limit: MAX_EXPANDED_FIELDS } };
  const structural: [QueryMeasure, number, number][] = [
    ['depth', known.depth, budget.maxDepth],
    ['aliases', known.aliases, budget.maxAliases],
    ['directives', known.directives, budget.maxDirectives],
  ];
  for (const [measure, value, limit] of structural) if (value > limit) return { measures, over: { measure, value, limit } };
  measures.cost = costOf(schema, document, known, operationName, variables);
  return { measures, over: measures.cost > budget.maxCost ? { measure: 'cost', value: measures.cost, limit: budget.maxCost } : undefined };
}

const introspection = new WeakMap<DocumentNode, boolean>();

/** True when the document asks for the schema (`__schema`, `__type`); `__typename` is not introspection. */
export function asksForIntrospection(document: DocumentNode): boolean {
  const known = introspection.get(document);
  if (known !== undefined) return known;
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        found = true;
        return false;
      }
      return undefined;
    },
  });
  introspection.set(document, found);
  return found;
}
