import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API processes cache active keys in memory; this trigger tells them, through NOTIFY, that a client
 * was revoked or changed, whoever changed it (CLI, another process, plain SQL). `last_used_at`
 * updates are not changes.
 */
export class ApiClientChanges1763799000000 implements MigrationInterface {
  name = 'ApiClientChanges1763799000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION access.notify_api_client_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('access_api_client_changed', coalesce(NEW.id, OLD.id)::text);
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER api_client_changed
      AFTER UPDATE OF revoked_at, role, bank_code, key_hash, name OR DELETE ON access.api_client
      FOR EACH ROW EXECUTE FUNCTION access.notify_api_client_changed()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER api_client_changed ON access.api_client`);
    await queryRunner.query(`DROP FUNCTION access.notify_api_client_changed()`);
  }
}
