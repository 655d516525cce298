import { scopeOf } from '../access/client-scope';
import type { GraphQLContext } from './api-context';

import type { FirmScopeSql } from './firm-scope-sql';

export type { FirmScopeSql } from './firm-scope-sql';

const scopesOf = new WeakMap<object, Promise<FirmScopeSql | undefined>>();

/** The caller's scope for SQL, resolved once per request (an area's provinces by their Thai names too). */
export function firmScopeSql(ctx: GraphQLContext): Promise<FirmScopeSql | undefined> {
  let found = scopesOf.get(ctx.loaders);
  if (!found) {
    const scope = scopeOf(ctx.client);
    found =
      scope.kind === 'national'
        ? Promise.resolve(undefined)
        : scope.kind === 'firm'
          ? Promise.resolve({ firm: scope.juristicId })
          : Promise.all(scope.provinceCodes.map((code) => ctx.services.geography.nameOf(code))).then((names) => ({
              area: { provinceCodes: [...scope.provinceCodes], provinceNames: names.filter((name): name is string => name !== undefined) },
            }));
    scopesOf.set(ctx.loaders, found);
  }
  return found;
}

