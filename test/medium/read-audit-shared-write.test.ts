import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { ReadAuditLog, type ReadAuditInput } from '../../src/access/audit/read-audit';
import { createDataSource, pgPool } from '../../src/platform/database/data-source';
import { RequestDeadline, withRequestDeadline } from '../../src/platform/database/request-deadline';
import { migratedTemplate } from '../support/template-database';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * The read audit writes the entries of concurrent requests together, in one statement. That
 * statement belongs to none of them: a client that hangs up (its request abandoned, its statements
 * cancelled) must not cancel the entries of the others written with its own, nor those written
 * after it, or their answers are withheld with SERVICE_UNAVAILABLE for nothing they did.
 */
describe('the read audit\'s shared write outlives the request that started it', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase({ template: await migratedTemplate() });
    dataSource = createDataSource(database.url);
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  const entry = (requestId: string): ReadAuditInput => ({
    at: new Date(),
    requestId,
    clientId: '00000000-0000-0000-0000-000000000001',
    clientName: 'test',
    role: 'analyst',
    organisation: 'analyst',
    operationName: null,
    documentHash: null,
    juristicIds: ['0105500000001'],
    entities: [],
    fieldGroups: ['registry'],
    purpose: null,
    lawfulBasis: null,
    consentIds: [],
  });

  test('a client leaving while the audit writes fails no other request\'s entry', async () => {
    const audit = new ReadAuditLog(pgPool(dataSource), { checkpointEvery: 1000, checkpointIntervalMs: 3_600_000 });
    const leaving = new RequestDeadline(5_000, 30_000);
    // The first request starts the write; two others queue behind it, each in its own request.
    const first = withRequestDeadline(leaving, () => audit.record(entry('leaving')));
    const others = [new RequestDeadline(5_000, 30_000), new RequestDeadline(5_000, 30_000)].map((deadline, i) => withRequestDeadline(deadline, () => audit.record(entry(`staying-${i}`))));
    // The first client hangs up now.
    leaving.abandon();
    const settled = await Promise.allSettled([first, ...others]);
    expect(settled.slice(1).map((s) => s.status)).toEqual(['fulfilled', 'fulfilled']);
    const rows = await dataSource.query<{ request_id: string }[]>(`SELECT request_id FROM audit.read_entry WHERE request_id LIKE 'staying-%' ORDER BY request_id`);
    expect(rows.map((r) => r.request_id)).toEqual(['staying-0', 'staying-1']);
  });
});

