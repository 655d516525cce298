import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fuzzy linking asks for the two company names nearest to an operator name. A GiST trigram index
 * answers that as a best-first search (`ORDER BY name <-> $1 LIMIT 2`); the GIN index it replaces
 * could only scan every name sharing a trigram, and common Thai trigrams are shared by most names
 * (131 s to link 200,000 factories against 1,000,000 companies).
 */
export class NearestNameIndex1763790000000 implements MigrationInterface {
  name = 'NearestNameIndex1763790000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX registry.company_name_normalised_trgm_idx`);
    await queryRunner.query(`CREATE INDEX company_name_normalised_gist_idx ON registry.company USING gist (name_th_normalised gist_trgm_ops)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX registry.company_name_normalised_gist_idx`);
    await queryRunner.query(`CREATE INDEX company_name_normalised_trgm_idx ON registry.company USING gin (name_th_normalised gin_trgm_ops)`);
  }
}
