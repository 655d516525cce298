import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The companies (and financial statements) a run changed or marked absent, found by index: the derivations (profiles to
 * recompute) and the linker (companies that may now match a record) both ask for them after every
 * DBD company run, and a sequential scan of a million companies cost about 1.4 s each time for the
 * one per cent a daily run touches. Absent companies are few, so that index is partial.
 */
export class CompanyRunIndexes1763802000000 implements MigrationInterface {
  name = 'CompanyRunIndexes1763802000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX company_source_run_idx ON registry.company (source_run_id)`);
    await queryRunner.query(`CREATE INDEX company_absent_run_idx ON registry.company (absent_since_run_id) WHERE absent_since_run_id IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX financial_statement_source_run_idx ON registry.financial_statement (source_run_id)`);
    await queryRunner.query(
      `CREATE INDEX financial_statement_absent_run_idx ON registry.financial_statement (absent_since_run_id) WHERE absent_since_run_id IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX registry.financial_statement_absent_run_idx`);
    await queryRunner.query(`DROP INDEX registry.financial_statement_source_run_idx`);
    await queryRunner.query(`DROP INDEX registry.company_absent_run_idx`);
    await queryRunner.query(`DROP INDEX registry.company_source_run_idx`);
  }
}
