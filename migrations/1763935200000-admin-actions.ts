import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Administrators' changes to access (`client:update`, `client:revoke`), append-only and
 * hash-chained like the read audit (src/access/audit/admin-actions.ts): each written in the
 * transaction of the change it records; `audit:verify` recomputes the chain.
 */
export class AdminActions1763935200000 implements MigrationInterface {
  name = 'AdminActions1763935200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit.admin_action (
        seq        bigint      PRIMARY KEY CHECK (seq > 0),
        at         timestamptz NOT NULL,
        actor      text        NOT NULL,
        action     text        NOT NULL,
        subject    text        NOT NULL,
        changes    jsonb       NOT NULL,
        prev_hash  text        NOT NULL,
        hash       text        NOT NULL
      )`);
    await queryRunner.query(`COMMENT ON TABLE audit.admin_action IS 'append-only, hash-chained: administrators'' changes to access (src/access/audit/admin-actions.ts)'`);
    await queryRunner.query(`CREATE INDEX admin_action_subject ON audit.admin_action (subject, seq)`);
    await queryRunner.query(`CREATE TRIGGER admin_action_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit.admin_action FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change()`);
    // Running hubs cache keys until told of a change: a new purpose, basis or area must tell them
    // too (the trigger of 1763900000000 predates those columns, so a changed purpose went unnoticed).
    await queryRunner.query(`DROP TRIGGER api_client_changed ON access.api_client`);
    await queryRunner.query(`
      CREATE TRIGGER api_client_changed
      AFTER UPDATE OF revoked_at, role, bank_code, key_hash, name, rate_limit_per_minute, trusted_documents_only,
        purpose, lawful_basis, province_code, centre, juristic_id OR DELETE ON access.api_client
      FOR EACH ROW EXECUTE FUNCTION access.notify_api_client_changed()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER api_client_changed ON access.api_client`);
    await queryRunner.query(`
      CREATE TRIGGER api_client_changed
      AFTER UPDATE OF revoked_at, role, bank_code, key_hash, name, rate_limit_per_minute, trusted_documents_only OR DELETE ON access.api_client
      FOR EACH ROW EXECUTE FUNCTION access.notify_api_client_changed()`);
    await queryRunner.query(`DROP TABLE audit.admin_action`);
  }
}
