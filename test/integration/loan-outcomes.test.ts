import { bangkokDate } from '../../src/shared/calendar';
import { REGION_IN_DATABASE } from '../../src/domains/geography/region-code';
import { toGlobalId } from '../../src/platform/graphql/global-id';
import { LOADED_HUB_TIMEOUT_MS, startLoadedHub } from '../support/loaded-hub';
import type { TestHub } from '../support/test-hub';

/**
 * Loan outcomes end to end over GraphQL: a bank reports on its own products (validated, idempotent
 * by its reference, recorded with the eligibility in force), reads its own reports, and take-up is
 * counted against stored eligibility, checked against hand-computed numbers.
 */
describe('Loan outcomes and take-up', () => {
  let t: TestHub;
  let admin: string;
  let ministry: string;
  let analyst: string;
  let smed: string;
  let exim: string;

  const PRODUCT = 'SMED-SMALL-1M';
  const EXIM_PRODUCT = 'EXIM-EXPORT-LIQUIDITY-20M';

  beforeAll(async () => {
    // Six retries race from one bank key below: more than a bank's default of two requests at once.
    t = await startLoadedHub({ scale: 600, env: { RATE_LIMIT_CONCURRENT: 'bank=8' } });
    ({ admin, ministry, analyst, smed, exim } = await t.createApiKeys());
  }, LOADED_HUB_TIMEOUT_MS);
  afterAll(async () => {
    t?.feed.set('');
    await t?.stop();
  });

  const sql = <T>(text: string, params: unknown[] = []): Promise<T[]> => t.hub.database.dataSource.query(text, params);

  async function ok<T>(query: string, variables: Record<string, unknown>, key: string): Promise<T> {
    const { body } = await t.graphql<T>(query, variables, key);
    expect(body.errors).toBeUndefined();
    return body.data!;
  }
  const failure = async (query: string, variables: Record<string, unknown>, key: string): Promise<{ code: string | undefined; message: string; argument: unknown }> => {
    const { body } = await t.graphql(query, variables, key);
    expect(body.errors).toHaveLength(1);
    const error = body.errors![0]!;
    return { code: error.extensions?.code, message: error.message, argument: error.extensions?.['argument'] };
  };

  const OUTCOME_FIELDS = `id outcomeId bank productCode juristicId outcome amountBaht outcomeOn bankReference ruleSetVersion reportedAt
    eligibilityAtReport { eligible outcome computedAt } product { code bank } company { juristicId }`;
  const REPORT = `mutation($input: ReportLoanOutcomeInput!) { reportLoanOutcome(input: $input) { replayed loanOutcome { ${OUTCOME_FIELDS} } } }`;
  type Outcome = {
    id: string;
    outcomeId: string;
    bank: string;
    productCode: string;
    juristicId: string;
    outcome: string;
    amountBaht: number | null;
    outcomeOn: string;
    bankReference: string | null;
    ruleSetVersion: number | null;
    eligibilityAtReport: { eligible: boolean; outcome: string; computedAt: string } | null;
    product: { code: string; bank: string } | null;
    company: { juristicId: string } | null;
  };
  type Report = { reportLoanOutcome: { replayed: boolean; loanOutcome: Outcome } };
  interface Input {
    juristicId: string;
    productCode?: string;
    outcome: string;
    amountBaht?: number | null;
    outcomeOn: string;
    bankReference?: string;
  }
  const report = async (input: Input, key = smed): Promise<Report['reportLoanOutcome']> =>
    (await ok<Report>(REPORT, { input: { productCode: PRODUCT, ...input } }, key)).reportLoanOutcome;

  /** Firms of a product by stored eligibility, in juristic ID order. */
  const firms = async (product: string, eligible: boolean): Promise<string[]> =>
    (await sql<{ juristic_id: string }>(`SELECT juristic_id FROM lending.eligibility_result WHERE product_code = $1 AND eligible = $2 ORDER BY juristic_id`, [product, eligible])).map(
      (r) => r.juristic_id,
    );

  describe('LoanProduct as a Node', () => {
    const NODE = `query($id: ID!) { node(id: $id) { id __typename ... on LoanProduct { bank code nameEn } } }`;

    test('a product’s global ID fetches it with node(id), for every role that reads products', async () => {
      const { loanProducts } = await ok<{ loanProducts: { id: string; bank: string; code: string }[] }>('{ loanProducts { id bank code } }', {}, admin);
      const small = loanProducts.find((p) => p.code === PRODUCT)!;
      expect(small.id).toBe(toGlobalId('LoanProduct', `SMED:${PRODUCT}`));
      for (const key of [admin, ministry, analyst, smed]) {
        expect((await ok<{ node: unknown }>(NODE, { id: small.id }, key)).node).toMatchObject({ id: small.id, __typename: 'LoanProduct', bank: 'SMED', code: PRODUCT });
      }
      const { nodes } = await ok<{ nodes: ({ code: string } | null)[] }>('query($ids: [ID!]!) { nodes(ids: $ids) { ... on LoanProduct { code } } }', { ids: loanProducts.map((p) => p.id) }, ministry);
      expect(nodes.map((n) => n?.code)).toEqual(loanProducts.map((p) => p.code));
    });

    test('another bank’s product through node(id) reveals nothing: null, as for a product that does not exist', async () => {
      const other = toGlobalId('LoanProduct', `EXIM:${EXIM_PRODUCT}`);
      const missing = toGlobalId('LoanProduct', 'SMED:NO-SUCH-PRODUCT');
      expect(await ok(NODE, { id: other }, smed)).toEqual({ node: null });
      expect(await ok(NODE, { id: missing }, smed)).toEqual({ node: null });
      expect((await ok<{ node: { code: string } }>(NODE, { id: other }, exim)).node.code).toBe(EXIM_PRODUCT);
    });
  });

  describe('reportLoanOutcome', () => {
    test('a bank reports on its own product; the report keeps the eligibility and rule set version in force', async () => {
      const [firm] = await firms(PRODUCT, true);
      const [stored] = await sql<{ eligible: boolean; outcome: string; computed_at: Date; rule_set_version: number }>(
        `SELECT r.eligible, r.outcome, r.computed_at, p.rule_set_version FROM lending.eligibility_result r JOIN lending.loan_product p USING (bank_code, product_code)
         WHERE r.product_code = $1 AND r.juristic_id = $2`,
        [PRODUCT, firm],
      );
      const dashed = `${firm!.slice(0, 1)}-${firm!.slice(1, 3)}-${firm!.slice(3, 4)}-${firm!.slice(4, 7)}-${firm!.slice(7, 12)}-${firm!.slice(12)}`;
      const result = await report({ juristicId: dashed, outcome: 'APPLIED', amountBaht: 750000.5, outcomeOn: '2025-03-01', bankReference: 'APP-1/APPLIED' });
      expect(result.replayed).toBe(false);
      expect(result.loanOutcome).toMatchObject({
        bank: 'SMED',
        productCode: PRODUCT,
        juristicId: firm,
        outcome: 'APPLIED',
        amountBaht: 750000.5,
        outcomeOn: '2025-03-01',
        bankReference: 'APP-1/APPLIED',
        ruleSetVersion: stored!.rule_set_version,
        eligibilityAtReport: { eligible: true, outcome: 'PASS', computedAt: stored!.computed_at.toISOString() },
        product: { code: PRODUCT, bank: 'SMED' },
        company: { juristicId: firm },
      });
      expect(result.loanOutcome.id).toBe(toGlobalId('LoanOutcome', result.loanOutcome.outcomeId));
      const [row] = await sql<{ amount_baht: string; reported_by: string }>(
        `SELECT o.amount_baht::text, c.name AS reported_by FROM lending.loan_outcome o JOIN access.api_client c ON c.id = o.reported_by_client_id
         WHERE o.bank_code || '-' || o.bank_seq = $1`,
        [result.loanOutcome.outcomeId],
      );
      expect(row).toEqual({ amount_baht: '750000.50', reported_by: 'test-bank' });
    });

    test('a report on a firm the hub finds not eligible records that too', async () => {
      const [firm] = await firms(PRODUCT, false);
      const { loanOutcome } = await report({ juristicId: firm!, outcome: 'REJECTED', outcomeOn: '2025-03-02' });
      expect(loanOutcome.eligibilityAtReport).toMatchObject({ eligible: false });
      expect(['FAIL', 'UNKNOWN']).toContain(loanOutcome.eligibilityAtReport!.outcome);
      expect(loanOutcome.amountBaht).toBeNull();
      expect(loanOutcome.bankReference).toBeNull();
    });

    test('a retry with the same reference returns the same report, even when retries race; a different report under it is refused', async () => {
      const [, firm] = await firms(PRODUCT, true);
      const input = { juristicId: firm!, outcome: 'APPROVED', amountBaht: 1_000_000, outcomeOn: '2025-04-01', bankReference: 'APP-2/APPROVED' };
      const first = await report(input);
      expect(first.replayed).toBe(false);
      const retries = await Promise.all(Array.from({ length: 5 }, () => report(input)));
      for (const retry of retries) expect(retry).toEqual({ replayed: true, loanOutcome: first.loanOutcome });
      // Racing first attempts too: exactly one of them records it.
      const racing = { ...input, bankReference: 'APP-2/APPROVED-RACE' };
      const raced = await Promise.all(Array.from({ length: 6 }, () => report(racing)));
      expect(raced.filter((r) => !r.replayed)).toHaveLength(1);
      expect(new Set(raced.map((r) => r.loanOutcome.outcomeId)).size).toBe(1);
      expect(await sql(`SELECT bank_reference, count(*)::int AS n FROM lending.loan_outcome WHERE bank_reference LIKE 'APP-2/%' GROUP BY 1 ORDER BY 1`)).toEqual([
        { bank_reference: 'APP-2/APPROVED', n: 1 },
        { bank_reference: 'APP-2/APPROVED-RACE', n: 1 },
      ]);

      const changed = await failure(REPORT, { input: { productCode: PRODUCT, ...input, amountBaht: 900_000 } }, smed);
      expect(changed).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.bankReference' });
      expect(changed.message).toMatch(/already used for a different report/);
      // The reference is the bank's own: another bank may use the same one.
      const [eximFirm] = await firms(EXIM_PRODUCT, true);
      const other = await report({ juristicId: eximFirm!, productCode: EXIM_PRODUCT, outcome: 'APPLIED', outcomeOn: '2025-04-01', bankReference: 'APP-2/APPROVED' }, exim);
      expect(other).toMatchObject({ replayed: false, loanOutcome: { bank: 'EXIM', productCode: EXIM_PRODUCT } });
    });

    test('another bank’s product is FORBIDDEN with the message of a product that does not exist; only banks report', async () => {
      const [firm] = await firms(PRODUCT, true);
      const input = { juristicId: firm!, outcome: 'APPLIED', outcomeOn: '2025-03-01' };
      const other = await failure(REPORT, { input: { ...input, productCode: EXIM_PRODUCT } }, smed);
      const missing = await failure(REPORT, { input: { ...input, productCode: 'NO-SUCH-PRODUCT' } }, smed);
      expect(other.code).toBe('FORBIDDEN');
      expect(missing.code).toBe('FORBIDDEN');
      expect(other.message.replace(EXIM_PRODUCT, 'X')).toBe(missing.message.replace('NO-SUCH-PRODUCT', 'X'));
      // The same words as eligibleCompanies uses for another bank's product.
      const scoped = await failure('query($p: String!) { eligibleCompanies(product: $p, first: 1) { totalCount } }', { p: EXIM_PRODUCT }, smed);
      expect(scoped.message).toBe(other.message);
      for (const key of [admin, ministry, analyst]) expect((await failure(REPORT, { input: { ...input, productCode: PRODUCT } }, key)).code).toBe('FORBIDDEN');
      expect(await sql(`SELECT 1 FROM lending.loan_outcome WHERE bank_code = 'EXIM' AND juristic_id = $1`, [firm])).toEqual([]);
    });

    test.each([
      ['a day in the future', { outcomeOn: 'TOMORROW' }, 'input.outcomeOn', /in the future/],
      ['a day that does not exist', { outcomeOn: '2025-02-30' }, 'input.outcomeOn', /ISO date/],
      ['a Thai-style date', { outcomeOn: '01/03/2568' }, 'input.outcomeOn', /ISO date/],
      ['APPROVED without an amount', { outcome: 'APPROVED', amountBaht: null }, 'input.amountBaht', /required for APPROVED/],
      ['DISBURSED without an amount', { outcome: 'DISBURSED', amountBaht: null }, 'input.amountBaht', /required for DISBURSED/],
      ['a zero amount', { amountBaht: 0 }, 'input.amountBaht', /more than 0/],
      ['a negative amount', { amountBaht: -5 }, 'input.amountBaht', /more than 0/],
      ['fractions of a satang', { amountBaht: 100.005 }, 'input.amountBaht', /2 decimals/],
      ['more than the product’s maximum', { amountBaht: 1_000_000.01 }, 'input.amountBaht', /maximum of 1000000/],
      ['a malformed juristic ID', { juristicId: '12345' }, 'input.juristicId', /13 digits/],
      ['an empty reference', { bankReference: '  ' }, 'input.bankReference', /1 to 100/],
      ['a reference with a line break', { bankReference: 'A\nB' }, 'input.bankReference', /control/],
      // The red-team probe's second round (issue 14, L5).
      ['an amount of 1e-300 (a 500 before)', { amountBaht: 1e-300 }, 'input.amountBaht', /more than 0/],
      ['an amount under a satang', { amountBaht: 0.004 }, 'input.amountBaht', /more than 0/],
      ['a date of 1900', { outcomeOn: '1900-01-01' }, 'input.outcomeOn', /before 2019-01-01/],
      ['a date of year 1', { outcomeOn: '0001-01-01' }, 'input.outcomeOn', /ISO date|before 2019-01-01/],
      ['a date far in the future', { outcomeOn: '9999-12-31' }, 'input.outcomeOn', /in the future/],
      ['a reference with a right-to-left override', { bankReference: 'APP-1\u202E/DEVORPPA' }, 'input.bankReference', /control|format/],
      ['a reference with a zero-width space', { bankReference: 'APP\u200B-1' }, 'input.bankReference', /control|format/],
      ['a reference with a C1 control character', { bankReference: 'APP\u0085-1' }, 'input.bankReference', /control/],
      ['a reference of 101 characters', { bankReference: 'R'.repeat(101) }, 'input.bankReference', /1 to 100/],
    ])('%s is BAD_USER_INPUT naming the argument', async (_name, change, argument, message) => {
      const [firm] = await firms(PRODUCT, true);
      const input: Record<string, unknown> = { juristicId: firm, productCode: PRODUCT, outcome: 'APPLIED', amountBaht: 500_000, outcomeOn: '2025-03-01', ...change };
      if (input['outcomeOn'] === 'TOMORROW') input['outcomeOn'] = bangkokDate(new Date(Date.now() + 86_400_000));
      const before = await sql<{ n: number }>('SELECT count(*)::int AS n FROM lending.loan_outcome');
      expect(await failure(REPORT, { input }, smed)).toMatchObject({ code: 'BAD_USER_INPUT', argument, message: expect.stringMatching(message) });
      expect(await sql('SELECT count(*)::int AS n FROM lending.loan_outcome')).toEqual(before);
    });

    test('an amount beyond any loan is refused on a product without a maximum of its own', async () => {
      const [firm] = await firms('EXIM-EEC-CREDIT-LINE', true).then(async (eligible) => (eligible.length ? eligible : firms('EXIM-EEC-CREDIT-LINE', false)));
      const input = { juristicId: firm, productCode: 'EXIM-EEC-CREDIT-LINE', outcome: 'APPROVED', outcomeOn: '2025-03-01' };
      expect(await failure(REPORT, { input: { ...input, amountBaht: 1e14 } }, exim)).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.amountBaht', message: expect.stringMatching(/at most 100000000000/) });
      expect(await failure(REPORT, { input: { ...input, amountBaht: Number.MAX_VALUE } }, exim)).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.amountBaht' });
      expect((await report({ ...input, juristicId: firm!, amountBaht: 2_500_000_000 }, exim)).loanOutcome.amountBaht).toBe(2_500_000_000);
    });

    test('today is accepted, and a firm the hub does not know is NOT_FOUND', async () => {
      const [firm] = await firms(PRODUCT, true);
      expect((await report({ juristicId: firm!, outcome: 'APPLIED', outcomeOn: bangkokDate() })).replayed).toBe(false);
      expect(await failure(REPORT, { input: { juristicId: '0105599999997', productCode: PRODUCT, outcome: 'APPLIED', outcomeOn: '2025-01-01' } }, smed)).toMatchObject({
        code: 'NOT_FOUND',
        argument: 'input.juristicId',
      });
    });
  });

  describe('listing and node(id)', () => {
    const LIST = `query($filter: LoanOutcomeFilter, $first: Int, $after: String) { loanOutcomes(filter: $filter, first: $first, after: $after) {
      totalCount edges { cursor node { outcomeId bank productCode juristicId outcome } } pageInfo { hasNextPage endCursor } } }`;
    type Page = { loanOutcomes: { totalCount: number; edges: { node: { outcomeId: string; bank: string; outcome: string; juristicId: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };

    test('a bank lists its own reports, newest first; the ministry and admins every bank’s; analysts none', async () => {
      // A report's ID is its bank and its number in that bank's own sequence (issue 14).
      const all = await sql<{ id: string; bank_code: string }>(`SELECT o.bank_code || '-' || o.bank_seq AS id, o.bank_code FROM lending.loan_outcome o ORDER BY o.id DESC`);
      for (const bank of ['SMED', 'EXIM']) {
        const numbers = all.filter((r) => r.bank_code === bank).map((r) => Number(r.id.split('-')[1])).sort((a, b) => a - b);
        expect(numbers).toEqual(numbers.map((_, i) => i + 1));
      }
      const mine = (await ok<Page>(LIST, { first: 100 }, smed)).loanOutcomes;
      expect(mine.edges.map((e) => e.node.outcomeId)).toEqual(all.filter((r) => r.bank_code === 'SMED').map((r) => r.id));
      expect(mine.totalCount).toBe(all.filter((r) => r.bank_code === 'SMED').length);
      expect((await ok<Page>(LIST, { first: 100 }, exim)).loanOutcomes.edges.every((e) => e.node.bank === 'EXIM')).toBe(true);
      expect((await ok<Page>(LIST, { first: 100 }, ministry)).loanOutcomes.edges.map((e) => e.node.outcomeId)).toEqual(all.map((r) => r.id));
      expect((await ok<Page>(LIST, { first: 100, filter: { bank: 'EXIM' } }, admin)).loanOutcomes.totalCount).toBe(all.filter((r) => r.bank_code === 'EXIM').length);
      expect((await failure(LIST, { filter: { bank: 'EXIM' } }, smed)).code).toBe('FORBIDDEN');
      expect((await failure(LIST, {}, analyst)).code).toBe('FORBIDDEN');

      // Pages of two, resumed by cursor, give the same list.
      const paged: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page: Page['loanOutcomes'] = (await ok<Page>(LIST, { first: 2, after }, smed)).loanOutcomes;
        paged.push(...page.edges.map((e) => e.node.outcomeId));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(paged).toEqual(mine.edges.map((e) => e.node.outcomeId));
      const approved = (await ok<Page>(LIST, { filter: { outcome: ['APPROVED'], outcomeBetween: { from: '2025-04-01', to: '2025-04-01' } } }, smed)).loanOutcomes;
      expect(approved.edges.length).toBeGreaterThan(0);
      expect(approved.edges.every((e) => e.node.outcome === 'APPROVED')).toBe(true);
    });

    test('node(id) of a report: its bank, the ministry and admins see it; another bank gets null; analysts are FORBIDDEN', async () => {
      const [row] = await sql<{ id: string }>(`SELECT bank_code || '-' || bank_seq AS id FROM lending.loan_outcome WHERE bank_code = 'SMED' ORDER BY id LIMIT 1`);
      const id = toGlobalId('LoanOutcome', row!.id);
      const NODE = `query($id: ID!) { node(id: $id) { id ... on LoanOutcome { outcomeId bank } } }`;
      for (const key of [smed, ministry, admin]) expect(await ok(NODE, { id }, key)).toEqual({ node: { id, outcomeId: row!.id, bank: 'SMED' } });
      expect(await ok(NODE, { id }, exim)).toEqual({ node: null });
      expect((await failure(NODE, { id }, analyst)).code).toBe('FORBIDDEN');
    });
  });

  describe('loanTakeUpStats', () => {
    const STATS = `query($filter: LoanTakeUpFilter, $groupBy: [LoanTakeUpDimension!]!) { loanTakeUpStats(filter: $filter, groupBy: $groupBy) { groupBy groups {
      keys { dimension code nameEn nameTh } eligibleFirms appliedFirms approvedFirms disbursedFirms rejectedFirms takenUpEligibleFirms takeUpRate
      appliedAmountBaht approvedAmountBaht disbursedAmountBaht } } }`;
    type Group = {
      keys: { dimension: string; code: string | null; nameEn: string | null; nameTh: string | null }[];
      eligibleFirms: number;
      appliedFirms: number;
      approvedFirms: number;
      disbursedFirms: number;
      rejectedFirms: number;
      takenUpEligibleFirms: number;
      takeUpRate: number | null;
      appliedAmountBaht: number;
      approvedAmountBaht: number;
      disbursedAmountBaht: number;
    };
    type Stats = { loanTakeUpStats: { groupBy: string[]; groups: Group[] } };
    const TAKE_UP_PRODUCT = 'SMED-THAI-JURISTIC-15M';
    let eligible: string[];
    let a: string, b: string, c: string, n: string;

    beforeAll(async () => {
      // A product nobody has reported on yet, so every report on it is one of these.
      expect(await sql(`SELECT 1 FROM lending.loan_outcome WHERE product_code = $1`, [TAKE_UP_PRODUCT])).toEqual([]);
      eligible = await firms(TAKE_UP_PRODUCT, true);
      expect(eligible.length).toBeGreaterThan(10);
      [a, b, c] = [eligible[0]!, eligible[5]!, eligible[10]!];
      n = (await firms(TAKE_UP_PRODUCT, false))[0]!;
      const on = (outcome: string, juristicId: string, outcomeOn: string, amountBaht?: number): Input => ({
        juristicId,
        productCode: TAKE_UP_PRODUCT,
        outcome,
        outcomeOn,
        ...(amountBaht === undefined ? {} : { amountBaht }),
      });
      // a: applied, approved and paid out; b: applied and rejected; c: applied and approved; n (not eligible): applied and approved.
      for (const input of [
        on('APPLIED', a, '2025-01-10', 5_000_000),
        on('APPROVED', a, '2025-02-01', 4_000_000),
        on('DISBURSED', a, '2025-02-15', 4_000_000),
        on('APPLIED', b, '2025-01-12', 8_000_000),
        on('REJECTED', b, '2025-01-20'),
        on('APPLIED', c, '2025-01-15', 3_000_000),
        on('APPROVED', c, '2025-03-01', 2_500_000),
        on('APPLIED', n, '2025-01-05', 2_000_000),
        on('APPROVED', n, '2025-01-25', 2_000_000),
      ]) {
        await report(input);
      }
    });

    test('an analyst sees no group of fewer than 5 reported firms, and cannot narrow take-up to single firms', async () => {
      // Four firms were reported on for this product: one firm's loan would be plain in a group of them.
      const asAnalyst = await ok<{ loanTakeUpStats: { groups: Group[]; suppressedGroups: number } }>(
        `query($filter: LoanTakeUpFilter) { loanTakeUpStats(filter: $filter, groupBy: [PRODUCT]) { suppressedGroups groups { appliedFirms approvedAmountBaht } } }`,
        { filter: { products: [TAKE_UP_PRODUCT] } },
        analyst,
      );
      expect(asAnalyst.loanTakeUpStats).toEqual({ suppressedGroups: 1, groups: [] });
      // The ministry sees it, with nothing suppressed.
      const asMinistry = await ok<{ loanTakeUpStats: { groups: Group[]; suppressedGroups: number } }>(
        `query($filter: LoanTakeUpFilter) { loanTakeUpStats(filter: $filter, groupBy: [PRODUCT]) { suppressedGroups groups { appliedFirms } } }`,
        { filter: { products: [TAKE_UP_PRODUCT] } },
        ministry,
      );
      expect(asMinistry.loanTakeUpStats).toEqual({ suppressedGroups: 0, groups: [{ appliedFirms: 4 }] });
      // A firm-level company filter (a registration day, a name) is refused to analysts.
      for (const companies of [{ registeredBetween: { from: '1967-06-28', to: '1967-06-28' } }, { nameSearch: 'ทดสอบ' }, { registeredCapital: { min: 1 } }]) {
        const refused = await failure(`query($filter: LoanTakeUpFilter) { loanTakeUpStats(filter: $filter, groupBy: [BANK]) { suppressedGroups } }`, { filter: { companies } }, analyst);
        expect(refused.code).toBe('FORBIDDEN');
      }
      // Coarse ones are allowed.
      await ok(`query($filter: LoanTakeUpFilter) { loanTakeUpStats(filter: $filter, groupBy: [BANK]) { suppressedGroups } }`, { filter: { companies: { province: '10', smeSize: ['SMALL'] } } }, analyst);
    });

    test('per product: hand-computed counts, amounts and take-up rate', async () => {
      const { loanTakeUpStats } = await ok<Stats>(STATS, { filter: { products: [TAKE_UP_PRODUCT] }, groupBy: ['PRODUCT'] }, ministry);
      expect(loanTakeUpStats.groups).toEqual([
        {
          keys: [{ dimension: 'PRODUCT', code: TAKE_UP_PRODUCT, nameEn: 'Thai-owned juristic person loan', nameTh: 'สินเชื่อนิติบุคคลไทย' }],
          eligibleFirms: eligible.length,
          appliedFirms: 4,
          approvedFirms: 3,
          disbursedFirms: 1,
          rejectedFirms: 1,
          takenUpEligibleFirms: 2,
          takeUpRate: 2 / eligible.length,
          appliedAmountBaht: 18_000_000,
          approvedAmountBaht: 8_500_000,
          disbursedAmountBaht: 4_000_000,
        },
      ]);
    });

    test('a period counts only the reports dated in it (eligibility stays today’s)', async () => {
      const { loanTakeUpStats } = await ok<Stats>(STATS, { filter: { products: [TAKE_UP_PRODUCT], outcomeBetween: { from: '2025-02-01', to: '2025-02-28' } }, groupBy: ['PRODUCT'] }, ministry);
      expect(loanTakeUpStats.groups).toEqual([
        expect.objectContaining({
          eligibleFirms: eligible.length,
          appliedFirms: 1,
          approvedFirms: 1,
          disbursedFirms: 1,
          rejectedFirms: 0,
          takenUpEligibleFirms: 1,
          appliedAmountBaht: 0,
          approvedAmountBaht: 4_000_000,
          disbursedAmountBaht: 4_000_000,
        }),
      ]);
    });

    test('by province, SME size and target industry: the firms’ profile attributes, as computed by hand from the profiles', async () => {
      const profiles = new Map(
        (
          await sql<{ juristic_id: string; province_code: string | null; sme_size: string | null; target_industries: string[] | null }>(
            `SELECT c.juristic_id, p.province_code, p.sme_size, p.target_industries FROM registry.company c LEFT JOIN registry.company_profile p USING (juristic_id)`,
          )
        ).map((r) => [r.juristic_id, r]),
      );
      const reported = new Map([
        [a, { approved: true, disbursed: true, rejected: false, applied: 5_000_000, approvedAmount: 4_000_000, disbursedAmount: 4_000_000 }],
        [b, { approved: false, disbursed: false, rejected: true, applied: 8_000_000, approvedAmount: 0, disbursedAmount: 0 }],
        [c, { approved: true, disbursed: false, rejected: false, applied: 3_000_000, approvedAmount: 2_500_000, disbursedAmount: 0 }],
        [n, { approved: true, disbursed: false, rejected: false, applied: 2_000_000, approvedAmount: 2_000_000, disbursedAmount: 0 }],
      ]);
      const firmsInScope = [...new Set([...eligible, ...reported.keys()])];
      const expected = (valuesOf: (firm: string) => (string | null)[]): Map<string, Omit<Group, 'keys'>> => {
        const groups = new Map<string, Omit<Group, 'keys'>>();
        for (const firm of firmsInScope) {
          for (const value of valuesOf(firm)) {
            const key = String(value);
            const g = groups.get(key) ?? { eligibleFirms: 0, appliedFirms: 0, approvedFirms: 0, disbursedFirms: 0, rejectedFirms: 0, takenUpEligibleFirms: 0, takeUpRate: null, appliedAmountBaht: 0, approvedAmountBaht: 0, disbursedAmountBaht: 0 };
            const isEligible = eligible.includes(firm);
            const r = reported.get(firm);
            g.eligibleFirms += isEligible ? 1 : 0;
            if (r) {
              g.appliedFirms += 1;
              g.approvedFirms += r.approved ? 1 : 0;
              g.disbursedFirms += r.disbursed ? 1 : 0;
              g.rejectedFirms += r.rejected ? 1 : 0;
              g.takenUpEligibleFirms += isEligible && r.approved ? 1 : 0;
              g.appliedAmountBaht += r.applied;
              g.approvedAmountBaht += r.approvedAmount;
              g.disbursedAmountBaht += r.disbursedAmount;
            }
            g.takeUpRate = g.eligibleFirms > 0 ? g.takenUpEligibleFirms / g.eligibleFirms : null;
            groups.set(key, g);
          }
        }
        return groups;
      };
      const cases: [string, (firm: string) => (string | null)[]][] = [
        ['PROVINCE', (firm) => [profiles.get(firm)?.province_code ?? null]],
        ['SME_SIZE', (firm) => [profiles.get(firm)?.sme_size ?? null]],
        ['TARGET_INDUSTRY', (firm) => (profiles.get(firm)?.target_industries?.length ? profiles.get(firm)!.target_industries! : [null])],
      ];
      for (const [dimension, valuesOf] of cases) {
        const { loanTakeUpStats } = await ok<Stats>(STATS, { filter: { products: [TAKE_UP_PRODUCT] }, groupBy: [dimension] }, ministry);
        const got = new Map(loanTakeUpStats.groups.map(({ keys, ...measures }) => [String(keys[0]!.code), measures]));
        expect({ dimension, groups: got }).toEqual({ dimension, groups: expected(valuesOf) });
        // Unknown last, as in companyStats.
        const nullIndex = loanTakeUpStats.groups.findIndex((g) => g.keys[0]!.code === null);
        if (nullIndex >= 0) expect(nullIndex).toBe(loanTakeUpStats.groups.length - 1);
      }
    });

    test('two dimensions, and a company filter: groups are named and ordered like companyStats', async () => {
      const { loanTakeUpStats } = await ok<Stats>(STATS, { filter: { products: [TAKE_UP_PRODUCT], companies: { region: 'CENTRAL' } }, groupBy: ['REGION', 'SME_SIZE'] }, ministry);
      expect(loanTakeUpStats.groupBy).toEqual(['REGION', 'SME_SIZE']);
      expect(loanTakeUpStats.groups.length).toBeGreaterThan(0);
      expect(loanTakeUpStats.groups.every((g) => g.keys[0]!.code === 'CENTRAL' && g.keys[0]!.nameEn === 'Central')).toBe(true);
      const [central] = await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM lending.eligibility_result r JOIN registry.company_profile p USING (juristic_id) WHERE r.product_code = $1 AND r.eligible AND p.region = $2`,
        [TAKE_UP_PRODUCT, REGION_IN_DATABASE.CENTRAL],
      );
      expect(loanTakeUpStats.groups.reduce((sum, g) => sum + g.eligibleFirms, 0)).toBe(central!.n);
      const order = ['MICRO', 'SMALL', 'MEDIUM', 'LARGE', null];
      const sizes = loanTakeUpStats.groups.map((g) => order.indexOf(g.keys[1]!.code));
      expect(sizes).toEqual([...sizes].sort((x, y) => x - y));
    });

    test('a bank sees its own products only; naming another bank’s product is FORBIDDEN like a missing one', async () => {
      const own = (await ok<Stats>(STATS, { groupBy: ['BANK', 'PRODUCT'] }, smed)).loanTakeUpStats.groups;
      expect(own.length).toBeGreaterThan(0);
      expect(own.every((g) => g.keys[0]!.code === 'SMED')).toBe(true);
      const everyBank = (await ok<Stats>(STATS, { groupBy: ['BANK'] }, ministry)).loanTakeUpStats.groups;
      expect(everyBank.map((g) => g.keys[0]!.code)).toEqual(['SMED', 'EXIM']);
      const other = await failure(STATS, { filter: { products: [EXIM_PRODUCT] }, groupBy: ['PRODUCT'] }, smed);
      const missing = await failure(STATS, { filter: { products: ['NO-SUCH'] }, groupBy: ['PRODUCT'] }, smed);
      expect([other.code, missing.code]).toEqual(['FORBIDDEN', 'FORBIDDEN']);
      expect(other.message.replace(EXIM_PRODUCT, 'X')).toBe(missing.message.replace('NO-SUCH', 'X'));
      expect((await failure(STATS, { filter: { bank: 'EXIM' }, groupBy: ['PRODUCT'] }, smed)).code).toBe('FORBIDDEN');
      expect((await failure(STATS, { filter: { products: ['NO-SUCH'] }, groupBy: ['PRODUCT'] }, ministry)).code).toBe('NOT_FOUND');
      expect((await failure(STATS, { groupBy: [] }, ministry)).code).toBe('BAD_USER_INPUT');
      expect((await failure(STATS, { groupBy: ['PRODUCT', 'PRODUCT'] }, ministry)).code).toBe('BAD_USER_INPUT');
    });
  });

  test('after the product’s rules change, old reports keep the version they were made under and new ones get the new version', async () => {
    const [before] = await sql<{ rule_set_version: number }>(`SELECT rule_set_version FROM lending.loan_product WHERE product_code = $1`, [PRODUCT]);
    const [firm] = await firms(PRODUCT, true);
    const old = await report({ juristicId: firm!, outcome: 'APPLIED', outcomeOn: '2025-05-01', bankReference: 'VERSION/OLD' });
    t.feed.set('edition=2');
    expect((await t.ingestNow('smed-products')).status).toBe('succeeded');
    const newer = await report({ juristicId: firm!, outcome: 'APPLIED', outcomeOn: '2025-05-02', bankReference: 'VERSION/NEW' });
    expect(old.loanOutcome.ruleSetVersion).toBe(before!.rule_set_version);
    expect(newer.loanOutcome.ruleSetVersion).toBe(before!.rule_set_version + 1);
    const { node } = await ok<{ node: { ruleSetVersion: number } }>('query($id: ID!) { node(id: $id) { ... on LoanOutcome { ruleSetVersion } } }', { id: old.loanOutcome.id }, smed);
    expect(node.ruleSetVersion).toBe(before!.rule_set_version);
  });
});
