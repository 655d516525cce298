import type { DataSource } from 'typeorm';
import { consentStatus } from '../../access/consent-rules';
import type { BankCode } from '../../access/roles';
import { toGlobalId } from '../../platform/graphql/global-id';
import type { PartnerBank } from '../eligibility/eligibility.type';
import { type Consent, type ConsentOrigin, ConsentStatus, type DataAccessLogEntry } from './consent.type';

interface ConsentRow {
  id: string;
  juristic_id: string;
  bank_code: PartnerBank;
  purpose: string;
  granted_at: Date;
  valid_until: string;
  origin: ConsentOrigin;
  granted_by_client: string | null;
  granted_by_client_id: string | null;
  revoked_by_client_id: string | null;
  registry_id: string | null;
  loaded_by_run_id: string | null;
  revoked_at: Date | null;
  revocation_reason: string | null;
  revoked_by_client: string | null;
  revoked_by_run_id: string | null;
  recorded_at: Date;
  sort_key: string;
}

/** A consent with the names of the clients that granted and revoked it; `c` is access.consent. */
const SELECT = `SELECT c.id::text, c.juristic_id, c.bank_code, c.purpose, c.granted_at, to_char(c.valid_until, 'YYYY-MM-DD') AS valid_until,
    c.origin, g.name AS granted_by_client, c.granted_by_client_id::text, c.revoked_by_client_id::text, c.registry_id, c.loaded_by_run_id::text, c.revoked_at, c.revocation_reason,
    r.name AS revoked_by_client, c.revoked_by_run_id::text, c.recorded_at,
    to_char(c.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '|' || c.id::text AS sort_key
  FROM access.consent c
  LEFT JOIN access.api_client g ON g.id = c.granted_by_client_id
  LEFT JOIN access.api_client r ON r.id = c.revoked_by_client_id`;

/** What a consent list's cursor holds. */
export const SORT_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isConsentKey = (key: string): boolean => UUID.test(key);

function toConsent(r: ConsentRow, today: string): Consent & { sortKey: string } {
  return {
    id: toGlobalId('Consent', r.id),
    juristicId: r.juristic_id,
    bank: r.bank_code,
    purpose: r.purpose,
    grantedAt: r.granted_at,
    validUntil: r.valid_until,
    status: consentStatus({ revokedAt: r.revoked_at, validUntil: r.valid_until }, today) as ConsentStatus,
    origin: r.origin,
    grantedByClient: r.granted_by_client,
    grantedByClientId: r.granted_by_client_id,
    registryId: r.registry_id,
    loadedByRunId: r.loaded_by_run_id,
    revokedAt: r.revoked_at,
    revocationReason: r.revocation_reason,
    revokedByClient: r.revoked_by_client,
    revokedByClientId: r.revoked_by_client_id,
    revokedByRunId: r.revoked_by_run_id,
    recordedAt: r.recorded_at,
    sortKey: r.sort_key,
  };
}

/** The consent's own key (a UUID) from a Consent object. */
export const consentKey = (consent: Consent): string => Buffer.from(consent.id, 'base64url').toString('utf8').slice('Consent:'.length);

export interface ConsentCriteria {
  /** null: every bank. */
  bank: BankCode | null;
  juristicId?: string;
  statuses?: ConsentStatus[];
  origin?: ConsentOrigin;
  /** Bangkok day the statuses are judged on. */
  today: string;
}

/** WHERE clause and parameters of a consent list (`c` is access.consent). */
function where(criteria: ConsentCriteria, params: unknown[]): string {
  const conditions: string[] = [];
  const add = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  if (criteria.bank) conditions.push(`c.bank_code = ${add(criteria.bank)}`);
  if (criteria.juristicId) conditions.push(`c.juristic_id = ${add(criteria.juristicId)}`);
  if (criteria.origin) conditions.push(`c.origin = ${add(criteria.origin)}`);
  if (criteria.statuses && criteria.statuses.length > 0) {
    const today = add(criteria.today);
    const byStatus: Record<ConsentStatus, string> = {
      [ConsentStatus.ACTIVE]: `(c.revoked_at IS NULL AND c.valid_until >= ${today}::date)`,
      [ConsentStatus.REVOKED]: `c.revoked_at IS NOT NULL`,
      [ConsentStatus.EXPIRED]: `(c.revoked_at IS NULL AND c.valid_until < ${today}::date)`,
    };
    conditions.push(`(${[...new Set(criteria.statuses)].map((status) => byStatus[status]).join(' OR ')})`);
  }
  return conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
}

export interface ActiveConsent {
  consentId: string;
  juristicId: string;
  /** Its purpose is the reading client's (or the client declared none). */
  purposeMatches: boolean;
}

/** Whether a consent's purpose is the client's (`purpose`: a text parameter; null matches any), spaces and case aside. */
const purposeMatchesSql = (purpose: string): string =>
  `(${purpose}::text IS NULL OR lower(regexp_replace(btrim(purpose), '\\s+', ' ', 'g')) = lower(regexp_replace(btrim(${purpose}::text), '\\s+', ' ', 'g')))`;
/** Which of a company's active consents a read relies on: one for the client's purpose first, then the longest-lived. */
const ACTIVE_CONSENT_ORDER = 'purpose_matches DESC, valid_until DESC, granted_at DESC, consent.id';

/**
 * For a read plan (company.read-plan.ts): the consent `activeFor` finds for the company whose juristic
 * ID is the SQL expression `parent`, as one JSON value (`{ consentId, juristicId, purposeMatches }`,
 * an ActiveConsent), or null when there is none.
 */
export function activeConsentJsonSql(parent: string, bank: BankCode, today: string, purpose: string | null, params: { add(value: unknown): string }): string {
  const [b, t, p] = [params.add(bank), params.add(today), params.add(purpose)];
  return `(SELECT json_build_object('consentId', consent.id::text, 'juristicId', consent.juristic_id, 'purposeMatches', consent.purpose_matches) FROM (
      SELECT consent.*, ${purposeMatchesSql(p)} AS purpose_matches
      FROM access.consent WHERE bank_code = ${b} AND juristic_id = ${parent} AND revoked_at IS NULL AND valid_until >= ${t}::date
    ) consent ORDER BY ${ACTIVE_CONSENT_ORDER} LIMIT 1)`;
}

/** Consents, and who read a firm (the read audit's entries naming it): the only code that writes their SQL. */
export class ConsentRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(grant: { juristicId: string; bank: BankCode; purpose: string; validUntil: string; clientId: string }, today: string): Promise<Consent> {
    const rows: { id: string }[] = await this.dataSource.query(
      `INSERT INTO access.consent (juristic_id, bank_code, purpose, granted_at, valid_until, origin, granted_by_client_id)
       VALUES ($1, $2, $3, now(), $4, 'MUTATION', $5) RETURNING id::text`,
      [grant.juristicId, grant.bank, grant.purpose, grant.validUntil, grant.clientId],
    );
    return (await this.byIds([rows[0]!.id], today))[0]!;
  }

  /**
   * Revokes an unrevoked consent; false when it was already revoked (or is gone). The row lock
   * serialises this with a registry run reconciling the same consent.
   */
  async revoke(id: string, reason: string, clientId: string): Promise<boolean> {
    const result: [unknown[], number] = await this.dataSource.query(
      `UPDATE access.consent SET revoked_at = now(), revocation_reason = $2, revoked_by_client_id = $3, updated_at = now()
       WHERE id = $1::uuid AND revoked_at IS NULL RETURNING id`,
      [id, reason, clientId],
    );
    return result[1] > 0;
  }

  /** Consents by their keys (non-UUID keys find nothing). */
  async byIds(ids: readonly string[], today: string): Promise<Consent[]> {
    const keys = ids.filter(isConsentKey);
    if (keys.length === 0) return [];
    const rows: ConsentRow[] = await this.dataSource.query(`${SELECT} WHERE c.id = ANY ($1::uuid[])`, [keys]);
    return rows.map((row) => toConsent(row, today));
  }

  /**
   * A keyset page, newest recorded first; `after` is the sort key of the last row of the previous
   * page (`SORT_KEY`: the recording time in UTC to the microsecond, `|`, the ID).
   */
  async page(criteria: ConsentCriteria, after: string | undefined, limit: number): Promise<(Consent & { sortKey: string })[]> {
    const params: unknown[] = [];
    let clause = where(criteria, params);
    if (after !== undefined) {
      params.push(after);
      const at = `$${params.length}`;
      const keyset = `(c.recorded_at, c.id) < (split_part(${at}, '|', 1)::timestamp AT TIME ZONE 'UTC', split_part(${at}, '|', 2)::uuid)`;
      clause = clause ? `${clause} AND ${keyset}` : `WHERE ${keyset}`;
    }
    params.push(limit);
    const rows: ConsentRow[] = await this.dataSource.query(`${SELECT} ${clause} ORDER BY c.recorded_at DESC, c.id DESC LIMIT $${params.length}`, params);
    return rows.map((row) => toConsent(row, criteria.today));
  }

  async count(criteria: ConsentCriteria): Promise<number> {
    const params: unknown[] = [];
    const rows: { n: number }[] = await this.dataSource.query(`SELECT count(*)::int AS n FROM access.consent c ${where(criteria, params)}`, params);
    return rows[0]!.n;
  }

  /**
   * The active consent of a bank for each of a page of companies, in one statement (index
   * `consent_active`). Where several are active, the one valid longest is the one relied on.
   */
  /**
   * Each company's active consent for the bank, one statement for a page. With the reading client's
   * purpose, a consent for that purpose comes first (case and spacing aside), and each answer says
   * whether its purpose matches; without one (a client that declared none), any purpose matches.
   */
  async activeFor(bank: BankCode, juristicIds: readonly string[], today: string, purpose: string | null = null): Promise<ActiveConsent[]> {
    const rows: { id: string; juristic_id: string; purpose_matches: boolean }[] = await this.dataSource.query(
      `SELECT DISTINCT ON (juristic_id) id::text, juristic_id, purpose_matches FROM (
         SELECT consent.*, ${purposeMatchesSql('$4')} AS purpose_matches
         FROM access.consent
         WHERE bank_code = $1 AND juristic_id = ANY ($2::text[]) AND revoked_at IS NULL AND valid_until >= $3::date
       ) consent
       ORDER BY juristic_id, ${ACTIVE_CONSENT_ORDER}`,
      [bank, juristicIds, today, purpose],
    );
    return rows.map((row) => ({ consentId: row.id, juristicId: row.juristic_id, purposeMatches: row.purpose_matches }));
  }

  /** The read audit's entries naming a firm (or all), newest first, keyset on the chain position. */
  async accessLog(juristicId: string | undefined, afterSeq: string | undefined, limit: number): Promise<(DataAccessLogEntry & { logId: string })[]> {
    const rows: {
      seq: string;
      at: Date;
      request_id: string;
      client_name: string;
      role: string;
      organisation: string;
      juristic_ids: string[];
      field_groups: string[];
      purpose: string | null;
      lawful_basis: string | null;
      operation_name: string | null;
      consent_ids: string[];
    }[] = await this.dataSource.query(
      `SELECT seq::text, at, request_id, client_name, role, organisation, juristic_ids, field_groups, purpose, lawful_basis, operation_name, consent_ids
       FROM audit.read_entry
       WHERE ($1::text IS NULL OR juristic_ids @> ARRAY[$1::text]) AND ($2::bigint IS NULL OR seq < $2::bigint)
       ORDER BY seq DESC LIMIT $3`,
      [juristicId ?? null, afterSeq ?? null, limit],
    );
    return rows.map((r) => ({
      logId: r.seq,
      auditSeq: r.seq,
      at: r.at,
      requestId: r.request_id,
      clientName: r.client_name,
      role: r.role,
      organisation: r.organisation,
      bank: r.organisation.startsWith('bank:') ? (r.organisation.slice(5) as PartnerBank) : null,
      juristicId: juristicId ?? r.juristic_ids[0] ?? '',
      juristicIds: r.juristic_ids,
      fields: r.field_groups,
      purpose: r.purpose,
      lawfulBasis: r.lawful_basis,
      operationName: r.operation_name,
      consentIds: r.consent_ids,
    }));
  }

  async countAccessLog(juristicId: string | undefined): Promise<number> {
    const rows: { n: number }[] = await this.dataSource.query(`SELECT count(*)::int AS n FROM audit.read_entry WHERE $1::text IS NULL OR juristic_ids @> ARRAY[$1::text]`, [juristicId ?? null]);
    return rows[0]!.n;
  }
}
