import { GraphQLError } from 'graphql';
import type { AuthChecker } from 'type-graphql';
import type { Role } from '../../access/roles';
import type { GraphQLContext } from '../../domains/api-context';

/**
 * Every operation is authenticated before it runs (the HTTP context rejects a missing or revoked
 * key with UNAUTHENTICATED); each resolver then declares the roles that may call it with
 * `@Authorized(...roles)`, and this checker enforces them.
 */
export const roleAuthChecker: AuthChecker<GraphQLContext, Role> = ({ context, info }, roles) => {
  if (roles.length === 0 || roles.includes(context.client.role)) return true;
  throw new GraphQLError(`The role "${context.client.role}" may not use ${info.parentType.name}.${info.fieldName} (allowed: ${roles.join(', ')})`, {
    extensions: { code: 'FORBIDDEN' },
  });
};
