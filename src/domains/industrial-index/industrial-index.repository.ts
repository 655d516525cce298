import { toGlobalId } from '../../platform/graphql/global-id';
import type { IndustrialIndexGroup, IndustrialIndexMonth } from './industrial-index.type';
import type { SqlReader } from '../../platform/database/sql-reader';

interface MonthRow {
  industry_code: string;
  month: string;
  mpi: string;
  capacity_utilisation: string | null;
  source: string;
  source_run_id: string;
  fetched_at: Date;
}

/** Months a later complete feed no longer carries are marked absent: the API leaves them out. */
const PUBLISHED = 'absent_since_run_id IS NULL';

const MONTH_COLUMNS = `industry_code, to_char(month, 'YYYY-MM') AS month, mpi::text, capacity_utilisation::text, source, source_run_id::text, fetched_at`;

function toMonth(r: MonthRow): IndustrialIndexMonth {
  return {
    id: toGlobalId('IndustrialIndexMonth', `${r.industry_code}:${r.month}`),
    groupCode: r.industry_code,
    month: r.month,
    mpi: Number(r.mpi),
    capacityUtilisation: r.capacity_utilisation === null ? null : Number(r.capacity_utilisation),
    // OIE's files carry no per-row update date.
    provenance: { source: r.source, runId: r.source_run_id, fetchedAt: r.fetched_at, sourceUpdatedAt: null },
  };
}

export class IndustrialIndexRepository {
  constructor(private readonly dataSource: SqlReader) {}

  /** One group's months between the first days `from` and `to` (either may be open), oldest first. */
  async series(groupCode: string, from: string | undefined, to: string | undefined): Promise<IndustrialIndexMonth[]> {
    const rows: MonthRow[] = await this.dataSource.query(
      `SELECT ${MONTH_COLUMNS} FROM registry.industrial_index
       WHERE industry_code = $1 AND ${PUBLISHED} AND ($2::date IS NULL OR month >= $2) AND ($3::date IS NULL OR month <= $3)
       ORDER BY month`,
      [groupCode, from ?? null, to ?? null],
    );
    return rows.map(toMonth);
  }

  /** Months by (group, first day of month). */
  async monthsByKey(keys: readonly { groupCode: string; month: string }[]): Promise<IndustrialIndexMonth[]> {
    const rows: MonthRow[] = await this.dataSource.query(
      `SELECT ${MONTH_COLUMNS} FROM registry.industrial_index
       WHERE (industry_code, month) IN (SELECT * FROM unnest($1::text[], $2::date[])) AND ${PUBLISHED}`,
      [keys.map((k) => k.groupCode), keys.map((k) => k.month)],
    );
    return rows.map(toMonth);
  }

  /** The groups with their span and latest name, all manufacturing (`C`) first; only `codes` when given. */
  async groups(codes?: readonly string[]): Promise<IndustrialIndexGroup[]> {
    const rows: { code: string; name: string | null; first_month: string; last_month: string; months: number }[] = await this.dataSource.query(
      `SELECT industry_code AS code,
              (array_agg(industry_name ORDER BY month DESC) FILTER (WHERE industry_name IS NOT NULL))[1] AS name,
              to_char(min(month), 'YYYY-MM') AS first_month, to_char(max(month), 'YYYY-MM') AS last_month, count(*)::int AS months
       FROM registry.industrial_index
       WHERE ${PUBLISHED} AND ($1::text[] IS NULL OR industry_code = ANY($1::text[]))
       GROUP BY industry_code
       ORDER BY industry_code ~ '^[A-Z]$' DESC, industry_code`,
      [codes ?? null],
    );
    return rows.map((r) => ({
      id: toGlobalId('IndustrialIndexGroup', r.code),
      code: r.code,
      name: r.name,
      firstMonth: r.first_month,
      lastMonth: r.last_month,
      monthCount: r.months,
    }));
  }
}
