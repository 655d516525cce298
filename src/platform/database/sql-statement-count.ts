import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger as TypeOrmLogger } from 'typeorm';

/** SQL statements issued on behalf of one API request (all TypeORM queries, counted as they start). */
export interface SqlStatementTally {
  statements: number;
}

const requestScope = new AsyncLocalStorage<SqlStatementTally>();

/** Runs `fn` with a fresh tally; every statement issued in its async continuation is counted there. */
export function withSqlStatementTally<T>(tally: SqlStatementTally, fn: () => T): T {
  return requestScope.run(tally, fn);
}

/**
 * TypeORM's logger hook, used only to count statements per request (the request log line and the
 * admin-only `extensions.sqlStatements` report it, so that N+1 queries show up). Logs nothing.
 */
export class SqlStatementCounter implements TypeOrmLogger {
  logQuery(): void {
    const tally = requestScope.getStore();
    if (tally) tally.statements += 1;
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
