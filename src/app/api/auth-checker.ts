import { GraphQLError } from 'graphql';
import type { AuthChecker } from 'type-graphql';
import { isPermission, may, rolesWith, type Permission } from '../../access/permissions';
import type { GraphQLContext } from '../../domains/api-context';

/**
 * Every operation is authenticated before it runs (the HTTP context rejects a missing or revoked
 * key with UNAUTHENTICATED); each resolver then declares the permission it needs with
 * `@Authorized(P.x)`, and this checker looks the caller's role up in the permission table
 * (src/access/permissions.ts). A field declaring no known permission is refused, never open.
 */
export const permissionAuthChecker: AuthChecker<GraphQLContext, Permission> = ({ context, info }, permissions) => {
  const permission = permissions[0];
  if (permissions.length === 1 && permission !== undefined && isPermission(permission) && may(context.client.role, permission)) return true;
  const allowed = permission !== undefined && isPermission(permission) ? rolesWith(permission).join(', ') : 'nobody';
  throw new GraphQLError(`The role "${context.client.role}" may not use ${info.parentType.name}.${info.fieldName} (allowed: ${allowed})`, {
    extensions: { code: 'FORBIDDEN' },
  });
};
