import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The read audit (docs/access-and-audit.md): one entry per response that carried firm-level data,
 * hash-chained (each entry's hash covers the one before), append-only (triggers refuse UPDATE,
 * DELETE and TRUNCATE), with checkpoints of the chain head, signed when a key is configured.
 * `npm run hub -- audit:verify` recomputes the chain, so an edit made with the triggers bypassed
 * (a superuser's `session_replication_role = replica`) is found too.
 */
export class ReadAudit1763910200000 implements MigrationInterface {
  name = 'ReadAudit1763910200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SCHEMA audit`);
    await queryRunner.query(`
      CREATE TABLE audit.read_entry (
        seq             bigint      PRIMARY KEY CHECK (seq > 0),
        at              timestamptz NOT NULL,
        request_id      text        NOT NULL,
        client_id       uuid        NOT NULL,
        client_name     text        NOT NULL,
        role            text        NOT NULL,
        organisation    text        NOT NULL,
        operation_name  text,
        document_hash   text,
        juristic_ids    text[]      NOT NULL,
        entities        text[]      NOT NULL,
        field_groups    text[]      NOT NULL,
        purpose         text,
        lawful_basis    text,
        consent_ids     text[]      NOT NULL,
        prev_hash       text        NOT NULL,
        hash            text        NOT NULL
      )`);
    await queryRunner.query(`COMMENT ON TABLE audit.read_entry IS 'append-only, hash-chained: every response carrying firm-level data (src/access/audit)'`);
    // "Who looked at this firm": the firm's entries, newest first.
    await queryRunner.query(`CREATE INDEX read_entry_juristic_ids ON audit.read_entry USING gin (juristic_ids)`);
    await queryRunner.query(`
      CREATE TABLE audit.chain_head (
        only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
        seq       bigint  NOT NULL,
        hash      text    NOT NULL
      )`);
    await queryRunner.query(`INSERT INTO audit.chain_head (seq, hash) VALUES (0, repeat('0', 64))`);
    await queryRunner.query(`
      CREATE TABLE audit.checkpoint (
        seq        bigint      PRIMARY KEY,
        hash       text        NOT NULL,
        at         timestamptz NOT NULL,
        key_id     text,
        signature  text
      )`);
    await queryRunner.query(`
      CREATE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit.% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of ['read_entry', 'checkpoint']) {
      // Per statement: an UPDATE or DELETE is refused even when it matches no row.
      await queryRunner.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit.${table} FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change()`);
    }
    // The head only moves forward; a superuser bypassing this is caught by audit:verify.
    await queryRunner.query(`
      CREATE FUNCTION audit.head_moves_forward() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.seq < OLD.seq THEN RAISE EXCEPTION 'audit.chain_head only moves forward' USING ERRCODE = 'insufficient_privilege'; END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(`CREATE TRIGGER chain_head_forward BEFORE UPDATE ON audit.chain_head FOR EACH ROW EXECUTE FUNCTION audit.head_moves_forward()`);
    await queryRunner.query(`CREATE TRIGGER chain_head_no_delete BEFORE DELETE ON audit.chain_head FOR EACH ROW EXECUTE FUNCTION audit.refuse_change()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP SCHEMA audit CASCADE`);
  }
}
