import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Links from factories to companies (with how each was made and how sure it is), and the derived
 * facts per company, recomputed for the firms each ingestion run touches.
 */
export class LinkingAndProfiles1763780000000 implements MigrationInterface {
  name = 'LinkingAndProfiles1763780000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE registry.factory
        ADD COLUMN operator_name_normalised text NOT NULL DEFAULT '',
        ADD COLUMN company_juristic_id text,
        ADD COLUMN link_method text CHECK (link_method IN ('TAX_ID', 'EXACT_NAME_PROVINCE', 'EXACT_NAME', 'FUZZY_NAME')),
        ADD COLUMN link_confidence numeric(4, 3),
        ADD COLUMN linked_at timestamptz`);
    await queryRunner.query(`CREATE INDEX factory_company_idx ON registry.factory (company_juristic_id)`);
    await queryRunner.query(`CREATE INDEX factory_operator_name_normalised_idx ON registry.factory (operator_name_normalised)`);
    await queryRunner.query(`CREATE INDEX company_name_normalised_idx ON registry.company (name_th_normalised)`);
    await queryRunner.query(`CREATE INDEX company_name_normalised_trgm_idx ON registry.company USING gin (name_th_normalised gin_trgm_ops)`);

    await queryRunner.query(`
      CREATE TABLE registry.company_profile (
        juristic_id           text PRIMARY KEY,
        sme_sector            text CHECK (sme_sector IN ('MANUFACTURING', 'TRADE_AND_SERVICES')),
        sme_size              text CHECK (sme_size IN ('MICRO', 'SMALL', 'MEDIUM', 'LARGE')),
        sme_size_reason       text,
        sme_fiscal_year       integer,
        revenue_baht          numeric(20, 2),
        employees             integer,
        target_industries     text[] NOT NULL DEFAULT '{}',
        target_mapping_version text,
        province_code         text,
        region                text,
        promotion_centre      integer,
        operating_factories   integer NOT NULL DEFAULT 0,
        certifications        integer NOT NULL DEFAULT 0,
        latest_i40_level      numeric(3, 1),
        computed_by_run_id    bigint REFERENCES ingestion.run (id),
        computed_at           timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX company_profile_region_idx ON registry.company_profile (region)`);
    await queryRunner.query(`CREATE INDEX company_profile_sme_idx ON registry.company_profile (sme_size)`);
    await queryRunner.query(`CREATE INDEX company_profile_target_idx ON registry.company_profile USING gin (target_industries)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE registry.company_profile`);
    await queryRunner.query(`DROP INDEX registry.company_name_normalised_trgm_idx`);
    await queryRunner.query(`DROP INDEX registry.company_name_normalised_idx`);
    await queryRunner.query(`DROP INDEX registry.factory_operator_name_normalised_idx`);
    await queryRunner.query(`DROP INDEX registry.factory_company_idx`);
    await queryRunner.query(`
      ALTER TABLE registry.factory DROP COLUMN operator_name_normalised, DROP COLUMN company_juristic_id,
        DROP COLUMN link_method, DROP COLUMN link_confidence, DROP COLUMN linked_at`);
  }
}
