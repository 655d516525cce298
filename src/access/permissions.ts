import { ROLES, type Role } from './roles';

/**
 * The permission table: what each role may do, in one place. Resolvers declare a permission
 * (`@Authorized(P.firmsRead)`), node types and services ask `may(role, permission)`; the schema test
 * (test/unit/schema.test.ts) fails on a root field without one. A new role is added here and in
 * src/shared/roles.ts, nowhere else.
 *
 * Area roles (province, centre) and the firm role hold the firm-level permissions too, but only
 * for the firms of their scope (src/access/client-scope.ts): outside it a firm answers as if absent.
 */
const EVERYONE: readonly Role[] = ROLES;

export const PERMISSIONS = {
  /** Reference data: provinces, regions, centres, TSIC, target industries, standards, indices, products, sources. */
  'reference:read': EVERYONE,
  /** Firm-level records: companies, factories, licences, participations, assessments (scoped for area and firm roles). */
  'firms:read': ['admin', 'ministry', 'analyst', 'bank', 'province', 'centre', 'firm'],
  /**
   * The registry change feed and bulk exports (docs/integrators.md): an area role its area's
   * records (registry-changes/registry-records.ts `visibleRows`, with the graph's rules).
   */
  'registry:sync': ['admin', 'ministry', 'analyst', 'bank', 'province', 'centre'],
  /** Counts and sums over firms, small cells suppressed below the ministry (docs/access-and-audit.md). */
  'statistics:read': ['admin', 'ministry', 'analyst', 'province', 'centre'],
  /** Statistics with every group, small ones too (others see groups of SMALL_CELL_THRESHOLD firms or more). */
  'statistics:exact': ['admin', 'ministry'],
  /** Loan take-up statistics (outcomes counted, never listed). */
  'lending-statistics:read': ['admin', 'ministry', 'analyst', 'bank', 'province', 'centre'],
  /** Stored eligibility of firms for loan products (a firm sees its own, with the explanation). */
  'eligibility:read': ['admin', 'ministry', 'bank', 'province', 'centre', 'firm'],
  /** The banks' change feed of eligibility (GraphQL and NDJSON). */
  'eligibility-feed:read': ['admin', 'ministry', 'bank'],
  'loan-outcomes:read': ['admin', 'ministry', 'bank'],
  'loan-outcomes:report': ['bank'],
  /** Consents: a bank sees its own bank's, a firm its own. */
  'consents:read': ['admin', 'ministry', 'bank', 'firm'],
  /** Recording a consent: the ministry on a firm's behalf, or the firm itself. */
  'consents:grant': ['admin', 'ministry', 'firm'],
  /** Withdrawing a consent: also the bank it was given to. */
  'consents:revoke': ['admin', 'ministry', 'bank', 'firm'],
  /** Who read a firm's data (the read audit): a firm its own, an area role its area's firms. */
  'access-log:read': ['admin', 'ministry', 'province', 'centre', 'firm'],
  /** Ingestion runs and sources' health. */
  'operations:read': ['admin', 'ministry', 'analyst'],
  /** Rows rejected by ingestion, counted. */
  'quarantine:count': ['admin', 'ministry'],
  /** Feed URLs, cursors, rejected rows' content, triggering runs. */
  'operations:admin': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

/** The fewest firms a statistics group may count for a role without 'statistics:exact'. */
export const SMALL_CELL_THRESHOLD = 5;
export const PERMISSION_NAMES = Object.keys(PERMISSIONS) as Permission[];

export const isPermission = (value: string): value is Permission => Object.hasOwn(PERMISSIONS, value);

/** The roles holding a permission. */
export function rolesWith(permission: Permission): readonly Role[] {
  return PERMISSIONS[permission];
}

export function may(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

/** Permission names as constants, so a decorator reads `@Authorized(P.firmsRead)` and a typo fails to compile. */
export const P = {
  referenceRead: 'reference:read',
  firmsRead: 'firms:read',
  registrySync: 'registry:sync',
  statisticsRead: 'statistics:read',
  statisticsExact: 'statistics:exact',
  lendingStatisticsRead: 'lending-statistics:read',
  eligibilityRead: 'eligibility:read',
  eligibilityFeedRead: 'eligibility-feed:read',
  loanOutcomesRead: 'loan-outcomes:read',
  loanOutcomesReport: 'loan-outcomes:report',
  consentsRead: 'consents:read',
  consentsGrant: 'consents:grant',
  consentsRevoke: 'consents:revoke',
  accessLogRead: 'access-log:read',
  operationsRead: 'operations:read',
  quarantineCount: 'quarantine:count',
  operationsAdmin: 'operations:admin',
} as const satisfies Record<string, Permission>;
