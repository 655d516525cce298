import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether each alert condition (a source stale, its runs failing, its quarantine too large) that
 * has fired is firing still, so an alert is sent once per change of state: not again on every check, not again after
 * a restart, and once only when several worker processes check at the same time (the row's upsert
 * decides which one saw the change, src/app/alerts.repository.ts).
 */
export class AlertState1763902000000 implements MigrationInterface {
  name = 'AlertState1763902000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE ingestion.alert_state (
        key         text        PRIMARY KEY,
        firing      boolean     NOT NULL,
        changed_at  timestamptz NOT NULL DEFAULT now(),
        details     jsonb       NOT NULL DEFAULT '{}'::jsonb
      )`);
    await queryRunner.query(`COMMENT ON TABLE ingestion.alert_state IS 'one row per alert condition (kind:source) that has fired; see src/app/alerts.ts'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ingestion.alert_state`);
  }
}
