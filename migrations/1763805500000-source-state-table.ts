import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each source's state names the table it loads, so that code reading a register ("has the factory
 * register loaded?", for eligibility's operating-factories criterion) asks about the table instead
 * of naming the source that loads it: sources describe themselves, and nothing outside a source's
 * folder names a source ID. The states of the sources of the day are filled in here.
 */
export class SourceStateTable1763805500000 implements MigrationInterface {
  name = 'SourceStateTable1763805500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE ingestion.source_state ADD COLUMN target_table text`);
    await queryRunner.query(`COMMENT ON COLUMN ingestion.source_state.target_table IS 'the table the source loads (its SourceDefinition target); null for recomputes'`);
    await queryRunner.query(`
      UPDATE ingestion.source_state s SET target_table = t.target_table
      FROM (VALUES ('diw', 'registry.factory'), ('dbd-companies', 'registry.company'), ('dbd-financials', 'registry.financial_statement'),
                   ('tisi-standards', 'registry.tis_standard'), ('tisi-licences', 'registry.tis_licence'),
                   ('dip-participations', 'registry.dip_participation'), ('dip-i40-assessments', 'registry.dip_i40_assessment'),
                   ('oie-mpi', 'registry.industrial_index'), ('smed-products', 'lending.loan_product'), ('exim-products', 'lending.loan_product'),
                   ('consent-registry', 'access.consent_registry_entry')) AS t(source, target_table)
      WHERE s.source = t.source`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE ingestion.source_state DROP COLUMN target_table`);
  }
}
