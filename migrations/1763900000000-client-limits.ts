import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Limits and protection (issue 14): a client's own request rate and whether it may run only
 * registered (trusted) documents; the table of those documents; and the shared counters of the
 * rate limiter when the hub runs without Redis (rate-limiter-flexible's PostgreSQL store, whose
 * table shape it prescribes). A change of either client column notifies the API processes, like
 * a revocation, so their cached clients follow within milliseconds.
 */
export class ClientLimits1763900000000 implements MigrationInterface {
  name = 'ClientLimits1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE access.api_client
        ADD COLUMN rate_limit_per_minute integer CHECK (rate_limit_per_minute > 0),
        ADD COLUMN trusted_documents_only boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`COMMENT ON COLUMN access.api_client.rate_limit_per_minute IS 'requests a minute; null: the role''s default (RATE_LIMIT_REQUESTS_PER_MINUTE)'`);
    await queryRunner.query(`DROP TRIGGER api_client_changed ON access.api_client`);
    await queryRunner.query(`
      CREATE TRIGGER api_client_changed
      AFTER UPDATE OF revoked_at, role, bank_code, key_hash, name, rate_limit_per_minute, trusted_documents_only OR DELETE ON access.api_client
      FOR EACH ROW EXECUTE FUNCTION access.notify_api_client_changed()`);
    await queryRunner.query(`
      CREATE TABLE access.trusted_document (
        sha256          text        PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        document        text        NOT NULL,
        operation_names text[]      NOT NULL,
        source_file     text,
        added_at        timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`COMMENT ON TABLE access.trusted_document IS 'operations registered with documents:add; clients created with --trusted-documents-only may run only these'`);
    await queryRunner.query(`
      CREATE UNLOGGED TABLE access.rate_limit (
        key    varchar(255) PRIMARY KEY,
        points integer NOT NULL DEFAULT 0,
        expire bigint
      )`);
    await queryRunner.query(`COMMENT ON TABLE access.rate_limit IS 'rate-limiter-flexible counters shared by the API processes when REDIS_URL is unset; unlogged: counters need no crash safety'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE access.rate_limit`);
    await queryRunner.query(`DROP TABLE access.trusted_document`);
    await queryRunner.query(`DROP TRIGGER api_client_changed ON access.api_client`);
    await queryRunner.query(`
      CREATE TRIGGER api_client_changed
      AFTER UPDATE OF revoked_at, role, bank_code, key_hash, name OR DELETE ON access.api_client
      FOR EACH ROW EXECUTE FUNCTION access.notify_api_client_changed()`);
    await queryRunner.query(`ALTER TABLE access.api_client DROP COLUMN rate_limit_per_minute, DROP COLUMN trusted_documents_only`);
  }
}
