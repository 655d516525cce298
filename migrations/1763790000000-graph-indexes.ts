import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Indexes the GraphQL graph's filters need: English name search and companies by province. */
export class GraphIndexes1763790000000 implements MigrationInterface {
  name = 'GraphIndexes1763790000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX company_name_en_trgm_idx ON registry.company USING gin (lower(coalesce(name_en, '')) gin_trgm_ops)`);
    await queryRunner.query(`CREATE INDEX company_profile_province_idx ON registry.company_profile (province_code)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX registry.company_profile_province_idx`);
    await queryRunner.query(`DROP INDEX registry.company_name_en_trgm_idx`);
  }
}
