import type { DataSource } from 'typeorm';
import { toGlobalId } from '../../platform/graphql/node';
import type { Factory, FactoryFilter, FactoryStatus, LinkMethod } from './factory.type';

interface FactoryRow {
  fid: string;
  display_reg_no: string | null;
  legacy_reg_no: string | null;
  factory_type: string | null;
  name: string;
  operator_name: string | null;
  operator_tax_id: string | null;
  objective: string | null;
  address: string | null;
  moo: string | null;
  soi: string | null;
  road: string | null;
  subdistrict: string | null;
  district: string | null;
  province: string | null;
  capital_baht: string | null;
  workers: number | null;
  horsepower: string | null;
  latitude: number | null;
  longitude: number | null;
  isic_code: string | null;
  estate_code: string | null;
  estate_name: string | null;
  status: FactoryStatus;
  status_code: string | null;
  source: string;
  source_run_id: string;
  fetched_at: Date;
  source_updated_at: string | null;
  company_juristic_id: string | null;
  link_method: LinkMethod | null;
  link_confidence: string | null;
}

const COLUMNS = `fid, display_reg_no, legacy_reg_no, factory_type, name, operator_name, operator_tax_id, objective, address, moo,
  soi, road, subdistrict, district, province, capital_baht::text, workers, horsepower::text, latitude, longitude, isic_code,
  estate_code, estate_name, status, status_code, source, source_run_id::text, fetched_at, to_char(source_updated_at, 'YYYY-MM-DD') AS source_updated_at,
  company_juristic_id, link_method, link_confidence::text`;

const num = (value: string | null): number | null => (value === null ? null : Number(value));

function toFactory(r: FactoryRow): Factory {
  return {
    id: toGlobalId('Factory', r.fid),
    fid: r.fid,
    displayRegNo: r.display_reg_no,
    legacyRegNo: r.legacy_reg_no,
    factoryType: r.factory_type,
    name: r.name,
    operatorName: r.operator_name,
    operatorTaxId: r.operator_tax_id,
    objective: r.objective,
    address: r.address,
    moo: r.moo,
    soi: r.soi,
    road: r.road,
    subdistrict: r.subdistrict,
    district: r.district,
    province: r.province,
    capitalBaht: num(r.capital_baht),
    workers: r.workers,
    horsepower: num(r.horsepower),
    latitude: r.latitude,
    longitude: r.longitude,
    isicCode: r.isic_code,
    estateCode: r.estate_code,
    estateName: r.estate_name,
    status: r.status,
    statusCode: r.status_code,
    companyJuristicId: r.company_juristic_id,
    linkMethod: r.link_method,
    linkConfidence: num(r.link_confidence),
    provenance: { source: r.source, runId: r.source_run_id, fetchedAt: r.fetched_at, sourceUpdatedAt: r.source_updated_at },
  };
}

/** Escapes LIKE wildcards so user text matches literally. */
const likeLiteral = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** WHERE conditions of a factory filter over registry.factory (columns unqualified); shared with the statistics. */
export function whereClause(filter: FactoryFilter | undefined, params: unknown[]): string[] {
  const where: string[] = [];
  const add = (sql: (placeholder: string) => string, value: unknown): void => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (filter?.province) add((p) => `province = ${p}`, filter.province.normalize('NFC').trim());
  if (filter?.status) add((p) => `status = ${p}`, filter.status);
  if (filter?.isicPrefix) add((p) => `isic_code LIKE ${p}`, `${likeLiteral(filter.isicPrefix.trim())}%`);
  if (filter?.nameContains) {
    add((p) => `(name ILIKE ${p} OR operator_name ILIKE ${p})`, `%${likeLiteral(filter.nameContains.normalize('NFC').trim())}%`);
  }
  return where;
}

export class FactoryRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findByFid(fid: string): Promise<Factory | undefined> {
    return (await this.findByFids([fid]))[0];
  }

  async findByFids(fids: readonly string[]): Promise<Factory[]> {
    const rows: FactoryRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM registry.factory WHERE fid = ANY($1::text[])`, [fids]);
    return rows.map(toFactory);
  }

  /** Per company, up to `limit` of its factories ordered by FID after `afterFid`: one statement for all. */
  async pagesByCompanies(juristicIds: readonly string[], afterFid: string | undefined, limit: number): Promise<Factory[]> {
    const rows: FactoryRow[] = await this.dataSource.query(
      `SELECT f.* FROM unnest($1::text[]) AS parent(juristic_id)
       CROSS JOIN LATERAL (
         SELECT ${COLUMNS} FROM registry.factory
         WHERE company_juristic_id = parent.juristic_id AND ($2::text IS NULL OR fid > $2) ORDER BY fid LIMIT $3
       ) f`,
      [juristicIds, afterFid ?? null, limit],
    );
    return rows.map(toFactory);
  }

  async countByCompanies(juristicIds: readonly string[]): Promise<Map<string, number>> {
    const rows: { juristic_id: string; n: number }[] = await this.dataSource.query(
      `SELECT company_juristic_id AS juristic_id, count(*)::int AS n FROM registry.factory WHERE company_juristic_id = ANY($1::text[]) GROUP BY 1`,
      [juristicIds],
    );
    return new Map(rows.map((r) => [r.juristic_id, r.n]));
  }

  /** Keyset page ordered by FID; returns up to `limit` rows after `afterFid`. */
  async findPage(filter: FactoryFilter | undefined, afterFid: string | undefined, limit: number): Promise<Factory[]> {
    const params: unknown[] = [];
    const where = whereClause(filter, params);
    if (afterFid !== undefined) {
      params.push(afterFid);
      where.push(`fid > $${params.length}`);
    }
    params.push(limit);
    const rows: FactoryRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM registry.factory ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY fid LIMIT $${params.length}`,
      params,
    );
    return rows.map(toFactory);
  }

  async count(filter: FactoryFilter | undefined): Promise<number> {
    const params: unknown[] = [];
    const where = whereClause(filter, params);
    const rows: { n: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM registry.factory ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
      params,
    );
    return rows[0]!.n;
  }
}
