import type { MigrationInterface, QueryRunner } from 'typeorm';
import { entryHash, type ReadAuditEntry } from '../src/access/audit/read-audit';

/** How the old log named the consent-gated fields, as the read audit's field groups. */
const GROUP_OF_FIELD: Readonly<Record<string, string>> = { financialStatements: 'finances', directors: 'persons', shareholders: 'persons' };
const PAGE = 10_000;
/** The operation name the moved rows carry, so they can be told apart from reads the audit recorded itself. */
export const MIGRATED_OPERATION = 'access.data_access_log (moved)';

/**
 * `access.data_access_log` (banks' consented reads, since 1763796000000) was written beside the
 * read audit, which records every read including those. This moves its rows into the audit's
 * chain, oldest first (one entry per row: its time, request, client, bank, the firm, the field
 * groups of its fields, the consent, lawful basis CONSENT, operation `access.data_access_log
 * (moved)`), then drops the table, so `dataAccessLog` keeps showing a firm every bank read of it
 * and there is one log to keep, verify and back up. Their place in the chain (and so what the chain
 * proves of them) starts at this migration: before it they were an ordinary, editable table.
 */
export class AccessLogIntoAudit1763935300000 implements MigrationInterface {
  name = 'AccessLogIntoAudit1763935300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The head's lock orders this with API processes writing the audit (a rolling upgrade).
    await queryRunner.query('LOCK TABLE access.data_access_log IN EXCLUSIVE MODE');
    const [head] = (await queryRunner.query('SELECT seq, hash FROM audit.chain_head FOR UPDATE')) as { seq: string; hash: string }[];
    let seq = Number(head!.seq);
    let prevHash = head!.hash;
    for (let afterId = 0; ; ) {
      const rows = (await queryRunner.query(
        `SELECT l.id::bigint AS id, l.at, l.request_id, l.client_id::text, coalesce(a.name, '') AS client_name, coalesce(a.role, 'bank') AS role,
           l.bank_code, l.juristic_id, l.fields, l.consent_id::text, c.purpose
         FROM access.data_access_log l LEFT JOIN access.api_client a ON a.id = l.client_id LEFT JOIN access.consent c ON c.id = l.consent_id
         WHERE l.id > $1 ORDER BY l.id LIMIT $2`,
        [afterId, PAGE],
      )) as { id: string; at: Date; request_id: string; client_id: string; client_name: string; role: string; bank_code: string | null; juristic_id: string; fields: string[]; consent_id: string; purpose: string | null }[];
      if (rows.length === 0) break;
      const entries: ReadAuditEntry[] = [];
      for (const row of rows) {
        seq += 1;
        const content = {
          seq,
          at: row.at,
          requestId: row.request_id,
          clientId: row.client_id,
          clientName: row.client_name,
          role: row.role,
          organisation: row.bank_code ? `bank:${row.bank_code}` : row.role,
          operationName: MIGRATED_OPERATION,
          documentHash: null,
          juristicIds: [row.juristic_id],
          entities: [],
          fieldGroups: [...new Set(row.fields.map((f) => GROUP_OF_FIELD[f] ?? f))].sort(),
          // The purpose the bank read under was its consent's (the old log did not keep the client's).
          purpose: row.purpose,
          lawfulBasis: 'CONSENT',
          consentIds: [row.consent_id],
        };
        const hash = entryHash(prevHash, content);
        entries.push({ ...content, prevHash, hash });
        prevHash = hash;
      }
      await queryRunner.query('INSERT INTO audit.read_entry SELECT * FROM jsonb_populate_recordset(NULL::audit.read_entry, $1::jsonb)', [
        JSON.stringify(
          entries.map((e) => ({
            seq: e.seq, at: e.at.toISOString(), request_id: e.requestId, client_id: e.clientId, client_name: e.clientName, role: e.role, organisation: e.organisation,
            operation_name: e.operationName, document_hash: e.documentHash, juristic_ids: e.juristicIds, entities: e.entities, field_groups: e.fieldGroups,
            purpose: e.purpose, lawful_basis: e.lawfulBasis, consent_ids: e.consentIds, prev_hash: e.prevHash, hash: e.hash,
          })),
        ),
      ]);
      afterId = Number(rows.at(-1)!.id);
    }
    await queryRunner.query('UPDATE audit.chain_head SET seq = $1, hash = $2', [seq, prevHash]);
    await queryRunner.query('DROP TABLE access.data_access_log');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // The moved rows stay in the audit (it is append-only); the old table comes back empty.
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
    await queryRunner.query(`CREATE INDEX data_access_log_company ON access.data_access_log (juristic_id, id DESC)`);
    await queryRunner.query(`CREATE INDEX data_access_log_consent ON access.data_access_log (consent_id)`);
  }
}
