import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Provenance columns of every target table (see src/ingestion/source-definition.ts). */
const PROVENANCE = `
        row_hash             text        NOT NULL,
        source               text        NOT NULL,
        source_run_id        bigint      NOT NULL REFERENCES ingestion.run (id),
        fetched_at           timestamptz NOT NULL,
        created_at           timestamptz NOT NULL DEFAULT now(),
        updated_at           timestamptz NOT NULL DEFAULT now(),
        absent_since_run_id  bigint      REFERENCES ingestion.run (id)`;

/** A 13-digit Thai ID (juristic or personal); the check digit is verified by the parsers. */
const THAI_ID = `~ '^[0-9]{13}$'`;

/**
 * Target tables of the TISI, DIP and OIE sources, in the `registry` schema: TISI standards and
 * licences, DIP programme participations and Industry 4.0 self-assessments, OIE monthly indices.
 * No foreign keys between agencies' tables: each source loads on its own schedule, and a licence
 * may name a standard or factory another agency has not published yet.
 */
export class TisiDipOie1763770000000 implements MigrationInterface {
  name = 'TisiDipOie1763770000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE registry.tis_standard (
        tis_no       text    PRIMARY KEY CHECK (tis_no ~ '^[1-9][0-9]*-[0-9]{4}$'),
        number       integer NOT NULL,
        year_be      integer NOT NULL,
        year_ce      integer NOT NULL CHECK (year_ce = year_be - 543),
        name_th      text    NOT NULL,
        mandatory    boolean NOT NULL,
        status       text    NOT NULL CHECK (status IN ('IN_FORCE', 'CANCELLED', 'UNKNOWN')),
        status_text  text,${PROVENANCE}
      )`);
    await queryRunner.query(`COMMENT ON TABLE registry.tis_standard IS 'TISI standards (มอก.), keyed by number-BE year, e.g. 2416-2552'`);
    await queryRunner.query(`CREATE INDEX tis_standard_number_idx ON registry.tis_standard (number)`);
    await queryRunner.query(`CREATE INDEX tis_standard_name_trgm_idx ON registry.tis_standard USING gin (name_th gin_trgm_ops)`);

    await queryRunner.query(`
      CREATE TABLE registry.tis_licence (
        licence_no       text PRIMARY KEY,
        licence_type     text,
        issued_on        date NOT NULL,
        tis_no           text NOT NULL,
        licensee_name    text,
        licensee_tax_id  text NOT NULL CHECK (licensee_tax_id ${THAI_ID}),
        fid              text CHECK (fid ~ '^[0-9]{14}$'),
        status           text NOT NULL CHECK (status IN ('VALID', 'SUSPENDED', 'CANCELLED', 'UNKNOWN')),
        status_text      text,
        suspended_on     date,
        cancelled_on     date,${PROVENANCE}
      )`);
    await queryRunner.query(`COMMENT ON COLUMN registry.tis_licence.licensee_tax_id IS 'juristic ID (starts with 0) or personal ID (personal data under the PDPA)'`);
    await queryRunner.query(`CREATE INDEX tis_licence_tax_id_idx ON registry.tis_licence (licensee_tax_id)`);
    await queryRunner.query(`CREATE INDEX tis_licence_fid_idx ON registry.tis_licence (fid) WHERE fid IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX tis_licence_tis_no_idx ON registry.tis_licence (tis_no)`);

    await queryRunner.query(`
      CREATE TABLE registry.dip_participation (
        juristic_id     text    NOT NULL CHECK (juristic_id ${THAI_ID}),
        programme_code  text    NOT NULL,
        year            integer NOT NULL CHECK (year BETWEEN 1950 AND 2100),
        programme_name  text,
        province        text,${PROVENANCE},
        PRIMARY KEY (juristic_id, programme_code, year)
      )`);
    await queryRunner.query(`COMMENT ON COLUMN registry.dip_participation.year IS 'Thai government fiscal year, Common Era (BE 2567 = 2024)'`);
    await queryRunner.query(`CREATE INDEX dip_participation_programme_idx ON registry.dip_participation (programme_code, year)`);

    const score = (column: string, nullable = true): string =>
      `${column} numeric(3, 2)${nullable ? '' : ' NOT NULL'} CHECK (${column} BETWEEN 1 AND 4)`;
    await queryRunner.query(`
      CREATE TABLE registry.dip_i40_assessment (
        juristic_id  text NOT NULL CHECK (juristic_id ${THAI_ID}),
        assessed_on  date NOT NULL,
        ${score('overall_level', false)},
        ${score('smart_operation')},
        ${score('strategy_organisation')},
        ${score('workforce')},
        ${score('technology_innovation')},
        ${score('market_customer_standard')},
        ${score('it_data')},${PROVENANCE},
        PRIMARY KEY (juristic_id, assessed_on)
      )`);
    await queryRunner.query(`CREATE INDEX dip_i40_assessment_level_idx ON registry.dip_i40_assessment (overall_level)`);

    await queryRunner.query(`
      CREATE TABLE registry.industrial_index (
        industry_code         text NOT NULL CHECK (industry_code ~ '^(C|[0-9]{2,5})$'),
        month                 date NOT NULL CHECK (extract(day FROM month) = 1),
        industry_name         text,
        mpi                   numeric(8, 2) NOT NULL CHECK (mpi >= 0),
        capacity_utilisation  numeric(5, 2) CHECK (capacity_utilisation BETWEEN 0 AND 100),${PROVENANCE},
        PRIMARY KEY (industry_code, month)
      )`);
    await queryRunner.query(`COMMENT ON TABLE registry.industrial_index IS 'OIE monthly Manufacturing Production Index (2021 = 100) and capacity utilisation (%) by industry group'`);
    await queryRunner.query(`CREATE INDEX industrial_index_month_idx ON registry.industrial_index (month)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE registry.industrial_index`);
    await queryRunner.query(`DROP TABLE registry.dip_i40_assessment`);
    await queryRunner.query(`DROP TABLE registry.dip_participation`);
    await queryRunner.query(`DROP TABLE registry.tis_licence`);
    await queryRunner.query(`DROP TABLE registry.tis_standard`);
  }
}
