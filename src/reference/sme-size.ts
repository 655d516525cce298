import { isManufacturingTsic, normaliseTsicCode } from './tsic';

/**
 * SME size under the ministerial regulation of 2019 (กฎกระทรวงกำหนดลักษณะของวิสาหกิจขนาดกลางและ
 * ขนาดย่อม พ.ศ. 2562), as summarised in the domain brief:
 *
 * | size   | manufacturing                            | trade and services |
 * |--------|------------------------------------------|--------------------|
 * | micro  | revenue ≤ 1.8 M baht and ≤ 5 employees   | same               |
 * | small  | ≤ 100 M and ≤ 50                         | ≤ 50 M and ≤ 30    |
 * | medium | ≤ 500 M and ≤ 200                        | ≤ 300 M and ≤ 100  |
 * Above medium: large. Where employees and revenue give different sizes, the larger size applies.
 *
 * How the table is read here: each measure gives a size on its own (revenue alone against the
 * revenue column, employees alone against the employees column, every limit inclusive), and the
 * firm's size is the larger of the two. So a row's "and" holds by construction: a firm is micro
 * only when revenue ≤ 1.8 M AND employees ≤ 5 (micro by both measures); 1.8 M baht with 6 employees
 * is small, because employees say small and the larger applies. The same reading gives small, medium
 * and large. Revenue is the yearly revenue in baht; employees are the firm's employees (headcount).
 *
 * When one measure is unknown the other decides alone, and `reason` says so: the size is then a
 * lower bound (the missing measure could only make it larger). When both are unknown, size is null.
 * A negative, non-finite or NaN value counts as unknown (and `reason` names it).
 *
 * Pure rules: no database, no files. Tests: test/unit/sme-size.test.ts.
 */

export type SmeSize = 'MICRO' | 'SMALL' | 'MEDIUM' | 'LARGE';
export type SmeSector = 'MANUFACTURING' | 'TRADE_AND_SERVICES';

/** Sizes from smallest to largest: "the larger applies" compares positions in this list. */
export const SME_SIZES: readonly SmeSize[] = ['MICRO', 'SMALL', 'MEDIUM', 'LARGE'];

export interface SmeLimit {
  /** Inclusive upper limit of yearly revenue, in baht. */
  revenueBaht: number;
  /** Inclusive upper limit of employees. */
  employees: number;
}

/** The regulation's limits: a firm above `medium` on a measure is LARGE on that measure. */
export const SME_LIMITS: Readonly<Record<SmeSector, Readonly<Record<'MICRO' | 'SMALL' | 'MEDIUM', SmeLimit>>>> = {
  MANUFACTURING: {
    MICRO: { revenueBaht: 1_800_000, employees: 5 },
    SMALL: { revenueBaht: 100_000_000, employees: 50 },
    MEDIUM: { revenueBaht: 500_000_000, employees: 200 },
  },
  TRADE_AND_SERVICES: {
    MICRO: { revenueBaht: 1_800_000, employees: 5 },
    SMALL: { revenueBaht: 50_000_000, employees: 30 },
    MEDIUM: { revenueBaht: 300_000_000, employees: 100 },
  },
};

/**
 * The regulation's sector of a TSIC code: section C (divisions 10-33) is manufacturing, every other
 * known code is trade and services; null when the code is missing or not a TSIC code.
 * Accepts what normaliseTsicCode accepts (`C`, `10111`, `C10111`, Thai digits, `10-11-1`).
 */
export function sectorOfTsic(tsic: string | null): SmeSector | null {
  const code = normaliseTsicCode(tsic);
  if (code === null) return null;
  return isManufacturingTsic(code) ? 'MANUFACTURING' : 'TRADE_AND_SERVICES';
}

export interface SmeSizeInput {
  sector: SmeSector;
  /** Yearly revenue in baht; null when unknown. */
  revenueBaht: number | null;
  /** Number of employees; null when unknown. */
  employees: number | null;
}

export interface SmeSizeResult {
  /** The firm's size (the larger of the two measures), or null when both measures are unknown. */
  size: SmeSize | null;
  /** The size each measure gives alone; null for an unknown measure. */
  bySize: { revenue: SmeSize | null; employees: SmeSize | null };
  /** Why, in words: each measure's size and which rule decided. */
  reason: string;
}

export function smeSize(input: SmeSizeInput): SmeSizeResult {
  const limits = SME_LIMITS[input.sector];
  const revenue = measure(input.revenueBaht, 'revenue', 'revenueBaht', limits);
  const employees = measure(input.employees, 'employees', 'employees', limits);
  const bySize = { revenue: revenue.size, employees: employees.size };
  const sector = input.sector === 'MANUFACTURING' ? 'manufacturing' : 'trade and services';
  const notes = [revenue.invalid, employees.invalid].filter((note): note is string => note !== null);
  const suffix = notes.length > 0 ? ` (${notes.join('; ')})` : '';

  if (revenue.size === null && employees.size === null) {
    return { size: null, bySize, reason: `unknown: revenue and employees are both unknown${suffix}` };
  }
  if (revenue.size === null) {
    return {
      size: employees.size,
      bySize,
      reason: `${employees.size} by employees only (${sector}): ${employees.text}; revenue unknown, so this is a lower bound${suffix}`,
    };
  }
  if (employees.size === null) {
    return {
      size: revenue.size,
      bySize,
      reason: `${revenue.size} by revenue only (${sector}): ${revenue.text}; employees unknown, so this is a lower bound${suffix}`,
    };
  }
  const size = larger(revenue.size, employees.size);
  const rule = revenue.size === employees.size ? 'both measures agree' : 'the measures differ and the larger size applies';
  return { size, bySize, reason: `${size} (${sector}): ${revenue.text}; ${employees.text}; ${rule}${suffix}` };
}

/** Whether a size is an SME (micro, small or medium) under the regulation. */
export function isSme(size: SmeSize | null): boolean {
  return size !== null && size !== 'LARGE';
}

function larger(a: SmeSize, b: SmeSize): SmeSize {
  return SME_SIZES.indexOf(a) >= SME_SIZES.indexOf(b) ? a : b;
}

interface Measured {
  size: SmeSize | null;
  text: string;
  invalid: string | null;
}

function measure(
  value: number | null,
  label: 'revenue' | 'employees',
  key: keyof SmeLimit,
  limits: Readonly<Record<'MICRO' | 'SMALL' | 'MEDIUM', SmeLimit>>,
): Measured {
  if (value === null || value === undefined) return { size: null, text: `${label} unknown`, invalid: null };
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    return { size: null, text: `${label} unknown`, invalid: `${label} ${String(value)} is not a valid value and was ignored` };
  }
  const unit = label === 'revenue' ? ' baht' : '';
  const describe = (limit: number) => `${label} ${format(value)}${unit} ≤ ${format(limit)}`;
  for (const size of ['MICRO', 'SMALL', 'MEDIUM'] as const) {
    const limit = limits[size][key];
    if (value <= limit) return { size, text: `${describe(limit)} gives ${size}`, invalid: null };
  }
  return { size: 'LARGE', text: `${label} ${format(value)}${unit} > ${format(limits.MEDIUM[key])} gives LARGE`, invalid: null };
}

function format(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

// ---------------------------------------------------------------------------------------------
// The same rule in SQL, for set-based profile computation over many firms at once.

const SECTOR_WORDS: Readonly<Record<SmeSector, string>> = { MANUFACTURING: 'manufacturing', TRADE_AND_SERVICES: 'trade and services' };
const sqlText = (text: string): string => `'${text.replace(/'/g, "''")}'`;
/** `format` in SQL: grouped thousands, at most two decimals, no trailing zeros (as toLocaleString('en-US')). */
const sqlFormat = (value: string, kind: 'numeric' | 'integer'): string =>
  kind === 'integer'
    ? `to_char(${value}, 'FM999,999,999,999,999,990')`
    : `rtrim(rtrim(to_char(${value}, 'FM999,999,999,999,999,999,990.99'), '0'), '.')`;
/** `String(value)` of a JS number in SQL (used only for invalid values: negative, NaN, infinite). */
const sqlJsString = (value: string, kind: 'numeric' | 'integer'): string =>
  kind === 'integer'
    ? `${value}::text`
    : `CASE WHEN position('.' IN ${value}::text) > 0 THEN rtrim(rtrim(${value}::text, '0'), '.') ELSE ${value}::text END`;

interface MeasureSql {
  label: 'revenue' | 'employees';
  key: keyof SmeLimit;
  kind: 'numeric' | 'integer';
}

const MEASURES: Readonly<Record<'revenue' | 'employees', MeasureSql>> = {
  revenue: { label: 'revenue', key: 'revenueBaht', kind: 'numeric' },
  employees: { label: 'employees', key: 'employees', kind: 'integer' },
};

/** SQL CASE over the sectors, from SME_LIMITS: one branch per sector. */
function bySector(sector: string, branch: (sector: SmeSector) => string): string {
  return `CASE ${sector} ${(Object.keys(SME_LIMITS) as SmeSector[]).map((s) => `WHEN ${sqlText(s)} THEN ${branch(s)}`).join(' ')} END`;
}

/**
 * `smeSize` as SQL, generated from SME_LIMITS and the same wording, so that the rule has one source:
 * a LATERAL subquery with columns `size` and `reason` for the row's sector (a non-null
 * MANUFACTURING or TRADE_AND_SERVICES expression), revenue in baht (numeric) and employees
 * (integer), giving exactly what smeSize gives for the same values (an integration test compares
 * them at every limit and on invalid values). Used by the profile recomputation of many firms.
 */
export function smeSizeLateralSql(alias: string, sector: string, revenue: string, employees: string): string {
  const invalidTest = (m: MeasureSql, v: string): string => (m.kind === 'integer' ? `${v} < 0` : `(${v} < 0 OR ${v} = 'NaN'::numeric OR ${v} = 'Infinity'::numeric)`);
  const size = (m: MeasureSql, v: string): string =>
    `CASE WHEN ${v} IS NULL OR ${invalidTest(m, v)} THEN NULL ELSE ${bySector(
      sector,
      (s) => `CASE ${(['MICRO', 'SMALL', 'MEDIUM'] as const).map((z) => `WHEN ${v} <= ${SME_LIMITS[s][z][m.key]} THEN '${z}'`).join(' ')} ELSE 'LARGE' END`,
    )} END`;
  const invalid = (m: MeasureSql, v: string): string =>
    `CASE WHEN ${v} IS NOT NULL AND ${invalidTest(m, v)} THEN '${m.label} ' || ${sqlJsString(v, m.kind)} || ' is not a valid value and was ignored' END`;
  const unit = (m: MeasureSql): string => (m.label === 'revenue' ? ' baht' : '');
  const text = (m: MeasureSql, v: string, z: string): string =>
    `CASE WHEN ${z} IS NULL THEN '${m.label} unknown' ELSE '${m.label} ' || ${sqlFormat(v, m.kind)} || '${unit(m)}' || ${bySector(
      sector,
      (s) =>
        `CASE ${z} ${(['MICRO', 'SMALL', 'MEDIUM'] as const).map((l) => `WHEN '${l}' THEN ' ≤ ${format(SME_LIMITS[s][l][m.key])}'`).join(' ')} ELSE ' > ${format(SME_LIMITS[s].MEDIUM[m.key])}' END`,
    )} || ' gives ' || ${z} END`;
  const sizes = `ARRAY[${SME_SIZES.map(sqlText).join(', ')}]`;
  const sectorWords = bySector(sector, (s) => sqlText(SECTOR_WORDS[s]));
  const rev = MEASURES.revenue;
  const emp = MEASURES.employees;
  return `LATERAL (
    SELECT m.size, CASE
        WHEN m.rs IS NULL AND m.es IS NULL THEN 'unknown: revenue and employees are both unknown' || m.suffix
        WHEN m.rs IS NULL THEN m.es || ' by employees only (' || m.sector_words || '): ' || m.et || '; revenue unknown, so this is a lower bound' || m.suffix
        WHEN m.es IS NULL THEN m.rs || ' by revenue only (' || m.sector_words || '): ' || m.rt || '; employees unknown, so this is a lower bound' || m.suffix
        ELSE m.size || ' (' || m.sector_words || '): ' || m.rt || '; ' || m.et || '; '
             || CASE WHEN m.rs = m.es THEN 'both measures agree' ELSE 'the measures differ and the larger size applies' END || m.suffix
      END AS reason
    FROM (
      SELECT s.rs, s.es, ${text(rev, `(${revenue})`, 's.rs')} AS rt, ${text(emp, `(${employees})`, 's.es')} AS et, ${sectorWords} AS sector_words,
             CASE WHEN s.rs IS NULL THEN s.es WHEN s.es IS NULL THEN s.rs
                  WHEN array_position(${sizes}, s.rs) >= array_position(${sizes}, s.es) THEN s.rs ELSE s.es END AS size,
             CASE WHEN s.ri IS NULL AND s.ei IS NULL THEN '' ELSE ' (' || concat_ws('; ', s.ri, s.ei) || ')' END AS suffix
      FROM (SELECT ${size(rev, `(${revenue})`)} AS rs, ${size(emp, `(${employees})`)} AS es,
                   ${invalid(rev, `(${revenue})`)} AS ri, ${invalid(emp, `(${employees})`)} AS ei) s
    ) m
  ) ${alias}`;
}
