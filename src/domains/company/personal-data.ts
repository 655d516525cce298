import type { GraphQLContext } from '../../platform/graphql/context';

/** What the API shows instead of withheld personal data. */
export const MASK = '***';

/**
 * Whether the caller may see directors' and shareholders' personal data. No role may yet: the
 * access-control issue grants it (by consent, per bank). The fields exist now so the schema stays.
 */
export function mayReadPersonalData(_ctx: GraphQLContext): boolean {
  return false;
}
