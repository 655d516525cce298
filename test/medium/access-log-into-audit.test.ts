import type { DataSource } from 'typeorm';
import { verifyAuditChain } from '../../src/access/audit/audit-verify';
import { createDataSource, pgPool, runMigrations } from '../../src/platform/database/data-source';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Migration 1763935300000 moves the old consented-read log (`access.data_access_log`) into the read
 * audit's chain and drops it: every old row becomes an entry a firm still sees in `dataAccessLog`,
 * after the entries already chained, and the whole chain verifies.
 */
describe('access.data_access_log moved into the read audit', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = createDataSource(db.url, { poolSize: 2 });
    await ds.initialize();
    await runMigrations(ds);
  });
  afterAll(async () => {
    if (ds?.isInitialized) await ds.destroy();
    await db?.drop();
  });

  test('old rows become chained entries after the existing ones; the table is gone; the chain verifies', async () => {
    expect(await ds.query(`SELECT to_regclass('access.data_access_log') AS t`)).toEqual([{ t: null }]);
    // Back to before the move: the old table (empty), with an entry already in the chain.
    // Later migrations first, then the move itself.
    for (let undone = 0; (await ds.query(`SELECT to_regclass('access.data_access_log') AS t`))[0].t === null; undone++) {
      if (undone === 20) throw new Error('no migration brought access.data_access_log back');
      await ds.undoLastMigration();
    }
    const [client] = await ds.query<[{ id: string }]>(
      `INSERT INTO access.api_client (name, role, bank_code, key_prefix, key_hash) VALUES ('old bank', 'bank', 'SMED', 'ihub_old', 'x') RETURNING id::text`,
    );
    const [consent] = await ds.query<[{ id: string }]>(
      `INSERT INTO access.consent (juristic_id, bank_code, purpose, granted_at, valid_until, origin, granted_by_client_id)
       VALUES ('0105536112014', 'SMED', 'working capital', now(), '2099-01-01', 'MUTATION', $1) RETURNING id::text`,
      [client.id],
    );
    await ds.query(
      `INSERT INTO access.data_access_log (at, request_id, client_id, bank_code, juristic_id, fields, consent_id) VALUES
         ('2026-11-01T03:00:00Z', 'req-1', $1, 'SMED', '0105536112014', '{financialStatements}', $2),
         ('2026-11-02T03:00:00Z', 'req-2', $1, 'SMED', '0105536112014', '{directors,shareholders}', $2)`,
      [client.id, consent.id],
    );
    const [{ seq: before }] = await ds.query<[{ seq: number }]>(`SELECT seq::int FROM audit.chain_head`);

    expect((await runMigrations(ds))[0]).toBe('AccessLogIntoAudit1763935300000');
    const moved = await ds.query(
      `SELECT seq::int, at, request_id, client_name, organisation, operation_name, juristic_ids, field_groups, purpose, lawful_basis, consent_ids FROM audit.read_entry WHERE seq > $1 ORDER BY seq`,
      [before],
    );
    expect(moved).toEqual([
      {
        seq: before + 1, at: new Date('2026-11-01T03:00:00Z'), request_id: 'req-1', client_name: 'old bank', organisation: 'bank:SMED', operation_name: 'access.data_access_log (moved)',
        juristic_ids: ['0105536112014'], field_groups: ['finances'], purpose: 'working capital', lawful_basis: 'CONSENT', consent_ids: [consent.id],
      },
      {
        seq: before + 2, at: new Date('2026-11-02T03:00:00Z'), request_id: 'req-2', client_name: 'old bank', organisation: 'bank:SMED', operation_name: 'access.data_access_log (moved)',
        juristic_ids: ['0105536112014'], field_groups: ['persons'], purpose: 'working capital', lawful_basis: 'CONSENT', consent_ids: [consent.id],
      },
    ]);
    expect(await ds.query(`SELECT seq::int FROM audit.chain_head`)).toEqual([{ seq: before + 2 }]);
    expect(await ds.query(`SELECT to_regclass('access.data_access_log') AS t`)).toEqual([{ t: null }]);
    const verified = await verifyAuditChain(pgPool(ds));
    expect(verified.problem).toBeUndefined();
    expect(verified.verified).toBe(before + 2);
  });
});
