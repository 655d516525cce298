import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The run that last changed a company's normalised Thai name, and the name before it. After a company
 * run the linker probes by trigram only the names that run added or took away (probing every changed
 * company cost minutes at a million firms), and records that carried a renamed company's old name
 * (tied with another company's, or a runner-up to it) may link now too; neither can be told from the
 * row once the upsert has overwritten it, so a trigger notes them as the row is updated. It fires
 * only on updates (a first load inserts) and compares one column, so a daily run's ten thousand
 * updates do not notice it. Renames within one run (a key repeated with different names) keep the
 * name the company had before the run.
 */
export class CompanyRenameRun1763803000000 implements MigrationInterface {
  name = 'CompanyRenameRun1763803000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE registry.company ADD COLUMN renamed_by_run_id bigint, ADD COLUMN renamed_from_normalised text`);
    await queryRunner.query(
      `COMMENT ON COLUMN registry.company.renamed_by_run_id IS 'The ingestion run that last changed name_th_normalised (set by a trigger); null if never renamed since loaded.'`,
    );
    await queryRunner.query(`COMMENT ON COLUMN registry.company.renamed_from_normalised IS 'name_th_normalised before the run renamed_by_run_id (set by a trigger).'`);
    await queryRunner.query(`
      CREATE FUNCTION registry.note_company_rename() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.name_th_normalised IS DISTINCT FROM OLD.name_th_normalised AND OLD.renamed_by_run_id IS DISTINCT FROM NEW.source_run_id THEN
          NEW.renamed_by_run_id := NEW.source_run_id;
          NEW.renamed_from_normalised := OLD.name_th_normalised;
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER company_rename BEFORE UPDATE OF name_th_normalised ON registry.company FOR EACH ROW EXECUTE FUNCTION registry.note_company_rename()`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER company_rename ON registry.company`);
    await queryRunner.query(`DROP FUNCTION registry.note_company_rename()`);
    await queryRunner.query(`ALTER TABLE registry.company DROP COLUMN renamed_by_run_id, DROP COLUMN renamed_from_normalised`);
  }
}
