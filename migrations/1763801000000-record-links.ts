import type { MigrationInterface, QueryRunner } from 'typeorm';

const LINK_METHODS = `('TAX_ID', 'EXACT_NAME_PROVINCE', 'EXACT_NAME', 'FUZZY_NAME')`;

/** The link columns factories already have (1763780000000-linking-and-profiles), for another table. */
const LINK_COLUMNS = `
        ADD COLUMN company_juristic_id text,
        ADD COLUMN link_method text CHECK (link_method IN ${LINK_METHODS}),
        ADD COLUMN link_confidence numeric(4, 3),
        ADD COLUMN linked_at timestamptz`;

/** The DIP tables, the rest of their keys after the participant, and the order the graph lists a firm's records in. */
const DIP_TABLES = [
  { table: 'dip_participation', key: ['programme_code', 'year'], order: 'year DESC, programme_code' },
  { table: 'dip_i40_assessment', key: ['assessed_on'], order: 'assessed_on DESC' },
] as const;

/**
 * TISI licences and DIP records linked to companies the way factories are (src/linking/company-linker.ts):
 * - each table gets the linked company, the method and the confidence, and a normalised name to link by;
 * - a licence may come without the licensee's tax ID (then it has a name), and a DIP record without the
 *   juristic ID (then it has `company_name`): the DIP tables' keys become `participant_key` (the
 *   juristic ID, or `name:` + the normalised name), since a key column cannot be null;
 * - trigram indexes on the names of the linked tables, for a company run to find only the records a
 *   changed company may now match (the factory's operator name included);
 * - the trigram indexes the linker probes write straight into the index (`fastupdate = off`): with
 *   GIN's default pending list, every probe right after a load (in the same run, before any vacuum)
 *   scanned all the rows just written, about 13 ms a probe with 5,000 new companies.
 * Existing rows are linked by ID at once (so profiles recomputed before their source next runs still
 * count them); their normalised names are filled by the next run of their source,
 * whose row hashes all differ once (the new columns are part of them), so that run relinks every row.
 */
export class RecordLinks1763801000000 implements MigrationInterface {
  name = 'RecordLinks1763801000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER INDEX registry.company_name_normalised_trgm_idx SET (fastupdate = off)`);
    await queryRunner.query(`SELECT gin_clean_pending_list('registry.company_name_normalised_trgm_idx'::regclass)`);
    await queryRunner.query(
      `CREATE INDEX factory_operator_name_normalised_trgm_idx ON registry.factory USING gin (operator_name_normalised gin_trgm_ops) WITH (fastupdate = off)`,
    );

    await queryRunner.query(`
      ALTER TABLE registry.tis_licence
        ALTER COLUMN licensee_tax_id DROP NOT NULL,
        ADD CONSTRAINT tis_licence_licensee_known CHECK (licensee_tax_id IS NOT NULL OR licensee_name IS NOT NULL),
        ADD COLUMN licensee_name_normalised text NOT NULL DEFAULT '',${LINK_COLUMNS}`);
    await queryRunner.query(`COMMENT ON COLUMN registry.tis_licence.licensee_tax_id IS 'juristic ID (starts with 0) or personal ID (personal data under the PDPA); null when TISI left it blank (linked by name)'`);
    await queryRunner.query(`COMMENT ON COLUMN registry.tis_licence.company_juristic_id IS 'the licensee as a DBD company, linked by tax ID or name (link_method, link_confidence)'`);
    // Rows already loaded keep the links they had by ID until their source next runs (and links by name).
    await queryRunner.query(`
      UPDATE registry.tis_licence l SET company_juristic_id = l.licensee_tax_id, link_method = 'TAX_ID', link_confidence = 1, linked_at = now()
      FROM registry.company c WHERE c.juristic_id = l.licensee_tax_id`);
    await queryRunner.query(`CREATE INDEX tis_licence_company_idx ON registry.tis_licence (company_juristic_id)`);
    await queryRunner.query(`CREATE INDEX tis_licence_name_normalised_idx ON registry.tis_licence (licensee_name_normalised)`);
    await queryRunner.query(`CREATE INDEX tis_licence_name_normalised_trgm_idx ON registry.tis_licence USING gin (licensee_name_normalised gin_trgm_ops) WITH (fastupdate = off)`);

    for (const { table, key, order } of DIP_TABLES) {
      await queryRunner.query(`
        ALTER TABLE registry.${table}
          ADD COLUMN participant_key text,
          ADD COLUMN company_name text,
          ADD COLUMN company_name_normalised text NOT NULL DEFAULT '',${LINK_COLUMNS}`);
      await queryRunner.query(`UPDATE registry.${table} SET participant_key = juristic_id`);
      await queryRunner.query(`
        UPDATE registry.${table} t SET company_juristic_id = t.juristic_id, link_method = 'TAX_ID', link_confidence = 1, linked_at = now()
        FROM registry.company c WHERE c.juristic_id = t.juristic_id`);
      await queryRunner.query(`
        ALTER TABLE registry.${table}
          ALTER COLUMN participant_key SET NOT NULL,
          DROP CONSTRAINT ${table}_pkey,
          ADD PRIMARY KEY (participant_key, ${key.join(', ')})`);
      await queryRunner.query(`
        ALTER TABLE registry.${table}
          ALTER COLUMN juristic_id DROP NOT NULL,
          ADD CONSTRAINT ${table}_participant_key_check
            CHECK ((juristic_id IS NOT NULL AND participant_key = juristic_id) OR (juristic_id IS NULL AND company_name IS NOT NULL AND participant_key LIKE 'name:_%'))`);
      await queryRunner.query(`COMMENT ON COLUMN registry.${table}.participant_key IS 'the juristic ID, or name: and the normalised company name when DIP left the ID out'`);
      await queryRunner.query(`COMMENT ON COLUMN registry.${table}.company_juristic_id IS 'the participant as a DBD company, linked by juristic ID or name (link_method, link_confidence)'`);
      // The firm's records were found through the primary key, which no longer leads with the ID.
      await queryRunner.query(`CREATE INDEX ${table}_juristic_idx ON registry.${table} (juristic_id, ${order})`);
      await queryRunner.query(`CREATE INDEX ${table}_company_idx ON registry.${table} (company_juristic_id)`);
      await queryRunner.query(`CREATE INDEX ${table}_name_normalised_idx ON registry.${table} (company_name_normalised)`);
      await queryRunner.query(`CREATE INDEX ${table}_name_normalised_trgm_idx ON registry.${table} USING gin (company_name_normalised gin_trgm_ops) WITH (fastupdate = off)`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Records without an ID have no place in the old tables: they are deleted (the next run of an
    // older hub would reject them anyway).
    for (const { table, key } of [...DIP_TABLES].reverse()) {
      await queryRunner.query(`DELETE FROM registry.${table} WHERE juristic_id IS NULL`);
      for (const index of ['name_normalised_trgm_idx', 'name_normalised_idx', 'company_idx', 'juristic_idx']) await queryRunner.query(`DROP INDEX registry.${table}_${index}`);
      await queryRunner.query(`
        ALTER TABLE registry.${table}
          DROP CONSTRAINT ${table}_pkey,
          ADD PRIMARY KEY (juristic_id, ${key.join(', ')}),
          DROP CONSTRAINT ${table}_participant_key_check,
          DROP COLUMN participant_key, DROP COLUMN company_name, DROP COLUMN company_name_normalised,
          DROP COLUMN company_juristic_id, DROP COLUMN link_method, DROP COLUMN link_confidence, DROP COLUMN linked_at`);
    }
    await queryRunner.query(`DELETE FROM registry.tis_licence WHERE licensee_tax_id IS NULL`);
    await queryRunner.query(`DROP INDEX registry.tis_licence_name_normalised_trgm_idx`);
    await queryRunner.query(`DROP INDEX registry.tis_licence_name_normalised_idx`);
    await queryRunner.query(`DROP INDEX registry.tis_licence_company_idx`);
    await queryRunner.query(`
      ALTER TABLE registry.tis_licence
        DROP CONSTRAINT tis_licence_licensee_known,
        ALTER COLUMN licensee_tax_id SET NOT NULL,
        DROP COLUMN licensee_name_normalised, DROP COLUMN company_juristic_id, DROP COLUMN link_method,
        DROP COLUMN link_confidence, DROP COLUMN linked_at`);
    await queryRunner.query(`COMMENT ON COLUMN registry.tis_licence.licensee_tax_id IS 'juristic ID (starts with 0) or personal ID (personal data under the PDPA)'`);
    await queryRunner.query(`DROP INDEX registry.factory_operator_name_normalised_trgm_idx`);
    await queryRunner.query(`ALTER INDEX registry.company_name_normalised_trgm_idx RESET (fastupdate)`);
  }
}
