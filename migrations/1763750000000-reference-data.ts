import type { MigrationInterface, QueryRunner } from 'typeorm';
import { loadReferenceData, type ReferenceData, type ReferenceDataset } from '../src/reference/reference-data';

/**
 * Schema `reference`: provinces, the TSIC 2009 hierarchy, the ten target industries and their
 * versioned TSIC mapping, loaded from the versioned CSV files in data/reference/ (read and validated
 * by src/reference/reference-data.ts, from the project root, so this runs from src/ and dist/ alike).
 * `reference.dataset_version` records which version of each file was loaded, and when.
 */
export class ReferenceData1763750000000 implements MigrationInterface {
  name = 'ReferenceData1763750000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Read and validate every file before touching the database: a bad file fails here, whole.
    const data = loadReferenceData();

    await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS reference`);

    await queryRunner.query(`
      CREATE TABLE reference.dataset_version (
        dataset    text        NOT NULL,
        version    text        NOT NULL,
        row_count  integer     NOT NULL CHECK (row_count >= 0),
        loaded_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (dataset, version)
      )`);

    await queryRunner.query(`
      CREATE TABLE reference.province (
        code              text     PRIMARY KEY CHECK (code ~ '^[0-9]{2}$'),
        iso_code          text     NOT NULL UNIQUE CHECK (iso_code = 'TH-' || code),
        name_th           text     NOT NULL UNIQUE,
        name_en           text     NOT NULL UNIQUE,
        region            text     NOT NULL CHECK (region IN ('North', 'Central', 'Northeast', 'West', 'East', 'South')),
        promotion_centre  smallint NOT NULL CHECK (promotion_centre BETWEEN 1 AND 11),
        eec               boolean  NOT NULL DEFAULT false
      )`);
    await queryRunner.query(`CREATE INDEX province_region_idx ON reference.province (region)`);

    await queryRunner.query(`
      CREATE TABLE reference.tsic (
        code         text PRIMARY KEY,
        level        text NOT NULL CHECK (level IN ('section', 'division', 'group', 'class', 'subclass')),
        parent_code  text REFERENCES reference.tsic (code),
        name_en      text NOT NULL,
        name_th      text,
        CONSTRAINT tsic_code_matches_level CHECK (
             (level = 'section'  AND code ~ '^[A-U]$'      AND parent_code IS NULL)
          OR (level = 'division' AND code ~ '^[0-9]{2}$'   AND parent_code ~ '^[A-U]$')
          OR (level = 'group'    AND code ~ '^[0-9]{3}$'   AND parent_code = left(code, 2))
          OR (level = 'class'    AND code ~ '^[0-9]{4}$'   AND parent_code = left(code, 3))
          OR (level = 'subclass' AND code ~ '^[0-9]{5}$'   AND parent_code = left(code, 4)))
      )`);
    await queryRunner.query(`CREATE INDEX tsic_parent_idx ON reference.tsic (parent_code)`);

    await queryRunner.query(`
      CREATE TABLE reference.target_industry (
        code           text     PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]*$'),
        wave           text     NOT NULL CHECK (wave IN ('first', 'new')),
        display_order  smallint NOT NULL UNIQUE,
        name_en        text     NOT NULL,
        name_th        text     NOT NULL
      )`);

    // A prefix is not a foreign key to reference.tsic: a mapping may name subclasses the file omits.
    await queryRunner.query(`
      CREATE TABLE reference.target_industry_tsic (
        industry_code    text NOT NULL REFERENCES reference.target_industry (code),
        tsic_prefix      text NOT NULL CHECK (tsic_prefix ~ '^[0-9]{2,5}$'),
        mapping_version  text NOT NULL CHECK (mapping_version ~ '^[0-9]{4}-[0-9]{2}$'),
        PRIMARY KEY (mapping_version, industry_code, tsic_prefix)
      )`);
    await queryRunner.query(`CREATE INDEX target_industry_tsic_prefix_idx ON reference.target_industry_tsic (mapping_version, tsic_prefix)`);

    await insertReferenceData(queryRunner, data);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP SCHEMA reference CASCADE`);
  }
}

/** One INSERT ... SELECT FROM unnest(arrays) per table: one parameter per column, whatever the row count. */
async function insertReferenceData(queryRunner: QueryRunner, data: ReferenceData): Promise<void> {
  const { provinces, tsic, targetIndustries, targetIndustryTsic } = data;
  await queryRunner.query(
    `INSERT INTO reference.province (code, iso_code, name_th, name_en, region, promotion_centre, eec)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::smallint[], $7::boolean[])`,
    columns(provinces, (r) => [r.code, r.isoCode, r.nameTh, r.nameEn, r.region, r.promotionCentre, r.eec]),
  );
  // The self-reference parent_code is checked at the end of the statement, so row order is free.
  await queryRunner.query(
    `INSERT INTO reference.tsic (code, level, parent_code, name_en, name_th)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])`,
    columns(tsic, (r) => [r.code, r.level, r.parentCode, r.nameEn, r.nameTh]),
  );
  await queryRunner.query(
    `INSERT INTO reference.target_industry (code, wave, display_order, name_en, name_th)
     SELECT * FROM unnest($1::text[], $2::text[], $3::smallint[], $4::text[], $5::text[])`,
    columns(targetIndustries, (r) => [r.code, r.wave, r.displayOrder, r.nameEn, r.nameTh]),
  );
  await queryRunner.query(
    `INSERT INTO reference.target_industry_tsic (industry_code, tsic_prefix, mapping_version)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
    columns(targetIndustryTsic, (r) => [r.industryCode, r.tsicPrefix, r.mappingVersion]),
  );
  const datasets = [provinces, tsic, targetIndustries, targetIndustryTsic];
  await queryRunner.query(
    `INSERT INTO reference.dataset_version (dataset, version, row_count)
     SELECT * FROM unnest($1::text[], $2::text[], $3::integer[])
     ON CONFLICT (dataset, version) DO UPDATE SET row_count = EXCLUDED.row_count, loaded_at = now()`,
    [datasets.map((d) => d.dataset), datasets.map((d) => d.version), datasets.map((d) => d.rows.length)],
  );
}

/** Rows to one array per column (the parameters of an unnest insert). */
function columns<T>(dataset: ReferenceDataset<T>, pick: (row: T) => (string | number | boolean | null)[]): (string | number | boolean | null)[][] {
  const picked = dataset.rows.map(pick);
  const width = picked[0]?.length ?? 0;
  return Array.from({ length: width }, (_, i) => picked.map((row) => row[i] ?? null));
}
