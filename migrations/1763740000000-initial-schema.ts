import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The first schema: ingestion runs and quarantine, API clients, and the DIW factory registry.
 * One PostgreSQL schema per concern: `ingestion`, `access`, `registry`.
 */
export class InitialSchema1763740000000 implements MigrationInterface {
  name = 'InitialSchema1763740000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS ingestion`);
    await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS access`);
    await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS registry`);

    await queryRunner.query(`
      CREATE TABLE ingestion.run (
        id              bigserial PRIMARY KEY,
        source          text        NOT NULL,
        trigger         text        NOT NULL CHECK (trigger IN ('schedule', 'startup', 'manual', 'cli')),
        job_id          text,
        attempt         integer     NOT NULL DEFAULT 1,
        status          text        NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
        started_at      timestamptz NOT NULL DEFAULT now(),
        finished_at     timestamptz,
        feed_url        text,
        rows_read       integer     NOT NULL DEFAULT 0,
        rows_inserted   integer     NOT NULL DEFAULT 0,
        rows_updated    integer     NOT NULL DEFAULT 0,
        rows_unchanged  integer     NOT NULL DEFAULT 0,
        rows_rejected   integer     NOT NULL DEFAULT 0,
        rows_duplicate  integer     NOT NULL DEFAULT 0,
        warnings        jsonb       NOT NULL DEFAULT '[]'::jsonb,
        error_kind      text        CHECK (error_kind IN ('transient', 'permanent')),
        error_message   text
      )`);
    await queryRunner.query(`CREATE INDEX run_source_started_idx ON ingestion.run (source, id DESC)`);
    await queryRunner.query(`CREATE INDEX run_running_idx ON ingestion.run (source) WHERE status = 'running'`);

    await queryRunner.query(`
      CREATE TABLE ingestion.quarantined_row (
        id          bigserial PRIMARY KEY,
        run_id      bigint      NOT NULL REFERENCES ingestion.run (id) ON DELETE CASCADE,
        source      text        NOT NULL,
        line_no     integer     NOT NULL,
        raw         jsonb       NOT NULL,
        reason      text        NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX quarantined_row_run_idx ON ingestion.quarantined_row (run_id)`);
    await queryRunner.query(`CREATE INDEX quarantined_row_source_idx ON ingestion.quarantined_row (source, id DESC)`);

    await queryRunner.query(`
      CREATE TABLE access.api_client (
        id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        name          text        NOT NULL,
        role          text        NOT NULL CHECK (role IN ('admin', 'ministry', 'analyst', 'bank')),
        bank_code     text        CHECK (bank_code IN ('SMED', 'EXIM')),
        key_prefix    text        NOT NULL,
        key_hash      text        NOT NULL UNIQUE,
        created_at    timestamptz NOT NULL DEFAULT now(),
        revoked_at    timestamptz,
        last_used_at  timestamptz,
        CONSTRAINT api_client_bank_code_matches_role CHECK ((role = 'bank') = (bank_code IS NOT NULL))
      )`);

    await queryRunner.query(`
      CREATE TABLE registry.factory (
        fid                text PRIMARY KEY CHECK (fid ~ '^[0-9]{14}$'),
        legacy_reg_no      text,
        display_reg_no     text,
        factory_type       text,
        name               text NOT NULL,
        operator_name      text,
        operator_tax_id    text,
        objective          text,
        address            text,
        moo                text,
        soi                text,
        road               text,
        subdistrict        text,
        district           text,
        province           text,
        capital_baht       numeric(18, 2),
        workers            integer,
        horsepower         numeric(14, 2),
        latitude           double precision,
        longitude          double precision,
        isic_code          text,
        estate_code        text,
        estate_name        text,
        status_code        text,
        status             text NOT NULL DEFAULT 'UNKNOWN',
        source_updated_at  date,
        row_hash           text NOT NULL,
        source             text NOT NULL,
        source_run_id      bigint NOT NULL REFERENCES ingestion.run (id),
        fetched_at         timestamptz NOT NULL,
        created_at         timestamptz NOT NULL DEFAULT now(),
        updated_at         timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX factory_province_idx ON registry.factory (province, fid)`);
    await queryRunner.query(`CREATE INDEX factory_status_idx ON registry.factory (status, fid)`);
    await queryRunner.query(`CREATE INDEX factory_isic_idx ON registry.factory (isic_code text_pattern_ops)`);
    await queryRunner.query(`CREATE INDEX factory_name_trgm_idx ON registry.factory USING gin (name gin_trgm_ops)`);
    await queryRunner.query(`CREATE INDEX factory_operator_tax_id_idx ON registry.factory (operator_tax_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP SCHEMA registry CASCADE`);
    await queryRunner.query(`DROP SCHEMA access CASCADE`);
    await queryRunner.query(`DROP SCHEMA ingestion CASCADE`);
  }
}
