import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A checkpoint per admin action (src/access/audit/admin-actions.ts), written in the transaction of
 * the action and signed with Ed25519 when AUDIT_SIGNING_KEY_FILE is configured, so `audit:verify`
 * notices the newest actions deleted with the triggers bypassed (their checkpoints still count
 * them), a chain rewritten after an edit (it no longer matches the checkpoints, which cannot be
 * re-signed without the key) and an action appended outside the hub (it has no checkpoint).
 * Append-only like the read audit's checkpoints (1763910200000). Actions written before this
 * migration have none: the chain alone covers them, as before.
 */
export class AdminCheckpoints1763962400000 implements MigrationInterface {
  name = 'AdminCheckpoints1763962400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit.admin_checkpoint (
        seq        bigint      PRIMARY KEY CHECK (seq > 0),
        hash       text        NOT NULL,
        at         timestamptz NOT NULL,
        key_id     text,
        signature  text
      )`);
    await queryRunner.query(`COMMENT ON TABLE audit.admin_checkpoint IS 'append-only: the admin actions'' chain hash at each action, signed when a key is configured (src/access/audit/admin-actions.ts)'`);
    // Per statement: an UPDATE or DELETE is refused even when it matches no row.
    await queryRunner.query(`CREATE TRIGGER admin_checkpoint_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit.admin_checkpoint FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE audit.admin_checkpoint`);
  }
}
