import type { DataSource, QueryRunner } from 'typeorm';

/**
 * Runs `step` in a transaction of its own on a fresh query runner, as a migration runs: committed
 * when it returns, rolled back when it throws (so the pooled connection never goes back mid-transaction).
 */
export async function inTransaction(dataSource: DataSource, step: (runner: QueryRunner) => Promise<void>): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.startTransaction();
    await step(runner);
    await runner.commitTransaction();
  } finally {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    await runner.release();
  }
}
