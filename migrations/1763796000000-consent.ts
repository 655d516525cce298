import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Consent (PDPA lawful basis) for the partner banks, and the log of every consented read.
 *
 * - `access.consent`: a company lets one bank see its detailed profile (financial statements,
 *   directors, shareholders) for a purpose until a date (inclusive, Bangkok calendar). Granted by a
 *   ministry or admin client (`origin` MUTATION) or loaded from the ministry's consent registry
 *   (`origin` REGISTRY, `registry_id` its key there). Revoked by a client or by a registry run;
 *   never deleted. Active = not revoked and `valid_until` not before today in Bangkok.
 * - `access.consent_registry_entry`: the registry's snapshot as the `consent-registry` source loads
 *   it (provenance columns, absence marks); each run reconciles the entries it changed into
 *   `access.consent` (src/sources/consent/registry-merge.ts).
 * - `access.data_access_log`: append-only, one row per company per batch of consented reads
 *   (client, bank, company, fields, the consent relied on, request ID, time).
 */
export class Consent1763796000000 implements MigrationInterface {
  name = 'Consent1763796000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE access.consent_registry_entry (
        registry_id          text        PRIMARY KEY,
        juristic_id          text        NOT NULL CHECK (juristic_id ~ '^0[0-9]{12}$'),
        bank_code            text        NOT NULL CHECK (bank_code IN ('SMED', 'EXIM')),
        purpose              text        NOT NULL,
        granted_at           timestamptz NOT NULL,
        valid_until          date        NOT NULL,
        revoked_at           timestamptz,
        revocation_reason    text,
        row_hash             text        NOT NULL,
        source               text        NOT NULL,
        source_run_id        bigint      NOT NULL REFERENCES ingestion.run (id),
        fetched_at           timestamptz NOT NULL,
        created_at           timestamptz NOT NULL DEFAULT now(),
        updated_at           timestamptz NOT NULL DEFAULT now(),
        absent_since_run_id  bigint      REFERENCES ingestion.run (id)
      )`);
    // The reconciliation reads the entries a run wrote or marked absent.
    await queryRunner.query(`CREATE INDEX consent_registry_entry_run ON access.consent_registry_entry (source_run_id)`);
    await queryRunner.query(`CREATE INDEX consent_registry_entry_absent ON access.consent_registry_entry (absent_since_run_id) WHERE absent_since_run_id IS NOT NULL`);

    await queryRunner.query(`
      CREATE TABLE access.consent (
        id                    uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        juristic_id           text        NOT NULL CHECK (juristic_id ~ '^0[0-9]{12}$'),
        bank_code             text        NOT NULL CHECK (bank_code IN ('SMED', 'EXIM')),
        purpose               text        NOT NULL CHECK (length(purpose) BETWEEN 1 AND 500),
        granted_at            timestamptz NOT NULL,
        valid_until           date        NOT NULL,
        origin                text        NOT NULL CHECK (origin IN ('MUTATION', 'REGISTRY')),
        granted_by_client_id  uuid        REFERENCES access.api_client (id),
        registry_id           text        UNIQUE,
        loaded_by_run_id      bigint      REFERENCES ingestion.run (id),
        revoked_at            timestamptz,
        revocation_reason     text,
        revoked_by_client_id  uuid        REFERENCES access.api_client (id),
        revoked_by_run_id     bigint      REFERENCES ingestion.run (id),
        recorded_at           timestamptz NOT NULL DEFAULT now(),
        updated_at            timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT consent_origin_mutation CHECK ((origin = 'MUTATION') = (granted_by_client_id IS NOT NULL)),
        CONSTRAINT consent_origin_registry CHECK ((origin = 'REGISTRY') = (registry_id IS NOT NULL AND loaded_by_run_id IS NOT NULL)),
        -- A revocation has a time, a reason and exactly one actor; no revocation has none of them.
        CONSTRAINT consent_revocation CHECK (
          (revoked_at IS NULL AND revocation_reason IS NULL AND revoked_by_client_id IS NULL AND revoked_by_run_id IS NULL)
          OR (revoked_at IS NOT NULL AND revocation_reason IS NOT NULL AND num_nonnulls(revoked_by_client_id, revoked_by_run_id) = 1))
      )`);
    await queryRunner.query(`COMMENT ON COLUMN access.consent.valid_until IS 'last day (Bangkok calendar) the consent is valid, inclusive'`);
    await queryRunner.query(`COMMENT ON COLUMN access.consent.loaded_by_run_id IS 'registry consents: the consent-registry run that last changed the record'`);
    // The per-request gate: a bank's unrevoked consents for a page of companies, newest validity first.
    await queryRunner.query(`CREATE INDEX consent_active ON access.consent (bank_code, juristic_id, valid_until DESC) WHERE revoked_at IS NULL`);
    // consents(filter: { juristicId }) and the listing's keyset order (newest recorded first).
    await queryRunner.query(`CREATE INDEX consent_company ON access.consent (juristic_id, recorded_at DESC, id DESC)`);
    await queryRunner.query(`CREATE INDEX consent_recorded ON access.consent (recorded_at DESC, id DESC)`);

    await queryRunner.query(`
      CREATE TABLE access.data_access_log (
        id           bigserial   PRIMARY KEY,
        at           timestamptz NOT NULL DEFAULT now(),
        request_id   text        NOT NULL,
        client_id    uuid        NOT NULL REFERENCES access.api_client (id),
        bank_code    text        CHECK (bank_code IN ('SMED', 'EXIM')),
        juristic_id  text        NOT NULL,
        fields       text[]      NOT NULL CHECK (cardinality(fields) > 0),
        consent_id   uuid        NOT NULL REFERENCES access.consent (id)
      )`);
    await queryRunner.query(`COMMENT ON TABLE access.data_access_log IS 'append-only: every read of consent-gated fields (PDPA record of disclosure)'`);
    await queryRunner.query(`CREATE INDEX data_access_log_company ON access.data_access_log (juristic_id, id DESC)`);
    await queryRunner.query(`CREATE INDEX data_access_log_consent ON access.data_access_log (consent_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE access.data_access_log`);
    await queryRunner.query(`DROP TABLE access.consent`);
    await queryRunner.query(`DROP TABLE access.consent_registry_entry`);
  }
}
