import type { SqlParams } from '../platform/database/sql-params';
import { linkIsSureSql, operatorIsCompanySql } from '../shared/firm-identity';

/**
 * A caller's scope as the repositories apply it in SQL, so lists and their counts hold only what
 * the caller may see (src/access/client-scope.ts states the rules; src/domains/firm-data.ts checks
 * every record served against the same rules; src/domains/firm-scope.ts resolves it per request).
 * Undefined: national, no condition.
 */
export type FirmScopeSql = { area: { provinceCodes: string[]; provinceNames: string[] } } | { firm: string };

/** Companies (`c` registry.company, `p` its profile) in the scope: by head office, or the firm itself. */
export function companyWithin(within: FirmScopeSql, params: SqlParams, juristicId = 'c.juristic_id', provinceCode = 'p.province_code'): string {
  if ('firm' in within) return `${juristicId} = ${params.add(within.firm)}`;
  return `${provinceCode} = ANY(${params.add(within.area.provinceCodes)}::text[])`;
}

/** A firm's records by its juristic ID column: the firm itself, or a company whose head office is in the area. */
export function firmRecordWithin(within: FirmScopeSql, params: SqlParams, juristicId: string): string {
  if ('firm' in within) return `${juristicId} = ${params.add(within.firm)}`;
  return `${juristicId} IN (SELECT juristic_id FROM registry.company_profile WHERE province_code = ANY(${params.add(within.area.provinceCodes)}::text[]))`;
}

/**
 * Factories (`f`): standing in the area, or operated by a company of the area; a firm's own. A
 * factory whose operator is masked (src/shared/firm-identity.ts) has its company withheld, so that
 * company scopes it nowhere: in the area it stands in only, and no firm's.
 */
export function factoryWithin(within: FirmScopeSql, params: SqlParams, alias = 'f'): string {
  const shown = operatorIsCompanySql(alias);
  if ('firm' in within) return `(${shown} AND ${alias}.company_juristic_id = ${params.add(within.firm)})`;
  return `(${alias}.province = ANY(${params.add(within.area.provinceNames)}::text[]) OR (${shown} AND ${firmRecordWithin(within, params, `${alias}.company_juristic_id`)}))`;
}

/**
 * Licences (`l`): of a company of the area, or for a plant standing in it; a firm's own. Only a
 * licence whose licensee is shown (its link is sure): a masked one's company and plant are
 * withheld, so they scope it nowhere (src/shared/firm-identity.ts): national roles only.
 */
export function licenceWithin(within: FirmScopeSql, params: SqlParams, alias = 'l'): string {
  const sure = linkIsSureSql(alias);
  if ('firm' in within) return `(${sure} AND ${alias}.company_juristic_id = ${params.add(within.firm)})`;
  return `(${sure} AND (${firmRecordWithin(within, params, `${alias}.company_juristic_id`)}
    OR ${alias}.fid IN (SELECT fid FROM registry.factory WHERE province = ANY(${params.add(within.area.provinceNames)}::text[]))))`;
}
