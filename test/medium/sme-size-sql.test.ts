import { Client } from 'pg';
import { SME_LIMITS, smeSize, smeSizeLateralSql, type SmeSector } from '../../src/reference/sme-size';

/**
 * The SQL form of the SME size rule (used to compute many firms' profiles in one statement) gives
 * exactly what the TypeScript rule gives, size and reason, at every limit of both sectors, just
 * above and below them, with one or both measures unknown, and on values that are not valid.
 */
describe('smeSizeLateralSql', () => {
  let client: Client;
  beforeAll(async () => {
    client = new Client({ connectionString: process.env['IIH_TEST_PG_ADMIN_URL'] });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
  });

  type Case = { sector: SmeSector; revenue: string | null; employees: number | null };

  function cases(): Case[] {
    const revenues = new Set<string | null>([null, '0.00', '0.01', '0.50', '1234.50', '999999.99', '-1.00', '-1234.50', '-0.01', '12345678901234.56']);
    const employees = new Set<number | null>([null, 0, 1, -1, -250, 123456]);
    for (const limits of Object.values(SME_LIMITS)) {
      for (const { revenueBaht, employees: n } of Object.values(limits)) {
        for (const delta of [-0.01, 0, 0.01, 1]) revenues.add((revenueBaht + delta).toFixed(2));
        for (const delta of [-1, 0, 1]) employees.add(n + delta);
      }
    }
    const all: Case[] = [];
    for (const sector of Object.keys(SME_LIMITS) as SmeSector[]) {
      for (const revenue of revenues) for (const n of employees) all.push({ sector, revenue, employees: n });
    }
    return all;
  }

  test('size and reason equal smeSize for every case', async () => {
    const all = cases();
    expect(all.length).toBeGreaterThan(1000);
    const { rows } = await client.query<{ size: string | null; reason: string }>(
      `SELECT s.size, s.reason
       FROM unnest($1::text[], $2::numeric(20,2)[], $3::integer[]) WITH ORDINALITY AS c(sector, revenue, employees, i),
            ${smeSizeLateralSql('s', 'c.sector', 'c.revenue', 'c.employees')}
       ORDER BY c.i`,
      [all.map((c) => c.sector), all.map((c) => c.revenue), all.map((c) => c.employees)],
    );
    const expected = all.map((c) => {
      const result = smeSize({ sector: c.sector, revenueBaht: c.revenue === null ? null : Number(c.revenue), employees: c.employees });
      return { size: result.size, reason: result.reason };
    });
    expect(rows).toEqual(expected);
  });

  test('an unconstrained numeric that is not a number is invalid, as NaN is in TypeScript', async () => {
    const { rows } = await client.query<{ size: string | null; reason: string }>(
      `SELECT s.size, s.reason FROM (VALUES ('MANUFACTURING', 'NaN'::numeric, 3)) AS c(sector, revenue, employees), ${smeSizeLateralSql('s', 'c.sector', 'c.revenue', 'c.employees')}`,
    );
    const { size, reason } = smeSize({ sector: 'MANUFACTURING', revenueBaht: Number.NaN, employees: 3 });
    expect(rows).toEqual([{ size, reason }]);
  });
});
