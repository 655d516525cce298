import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Engine state for issue 3: a cursor per source (saved only when a run commits), cursors and
 * duration on each run, quarantine retry bookkeeping, and absence marking for snapshot sources.
 */
export class IngestionState1763745000000 implements MigrationInterface {
  name = 'IngestionState1763745000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE ingestion.source_state (
        source               text PRIMARY KEY,
        cursor               text,
        last_success_run_id  bigint REFERENCES ingestion.run (id),
        last_success_at      timestamptz,
        updated_at           timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`ALTER TABLE ingestion.run ADD COLUMN full_refresh boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE ingestion.run ADD COLUMN cursor_before text, ADD COLUMN cursor_after text`);
    await queryRunner.query(`ALTER TABLE ingestion.run ADD COLUMN rows_marked_absent integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`ALTER TABLE ingestion.run DROP CONSTRAINT run_trigger_check`);
    await queryRunner.query(`ALTER TABLE ingestion.run ADD CONSTRAINT run_trigger_check CHECK (trigger IN ('schedule', 'startup', 'manual', 'cli', 'retry'))`);

    await queryRunner.query(`ALTER TABLE ingestion.quarantined_row ADD COLUMN resolved_at timestamptz, ADD COLUMN resolved_by_run_id bigint REFERENCES ingestion.run (id)`);
    await queryRunner.query(`CREATE INDEX quarantined_row_open_idx ON ingestion.quarantined_row (source, id) WHERE resolved_at IS NULL`);

    await queryRunner.query(`ALTER TABLE registry.factory ADD COLUMN absent_since_run_id bigint REFERENCES ingestion.run (id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE registry.factory DROP COLUMN absent_since_run_id`);
    await queryRunner.query(`DROP INDEX ingestion.quarantined_row_open_idx`);
    await queryRunner.query(`ALTER TABLE ingestion.quarantined_row DROP COLUMN resolved_at, DROP COLUMN resolved_by_run_id`);
    await queryRunner.query(`ALTER TABLE ingestion.run DROP CONSTRAINT run_trigger_check`);
    await queryRunner.query(`ALTER TABLE ingestion.run ADD CONSTRAINT run_trigger_check CHECK (trigger IN ('schedule', 'startup', 'manual', 'cli'))`);
    await queryRunner.query(`ALTER TABLE ingestion.run DROP COLUMN rows_marked_absent, DROP COLUMN cursor_before, DROP COLUMN cursor_after, DROP COLUMN full_refresh`);
    await queryRunner.query(`DROP TABLE ingestion.source_state`);
  }
}
