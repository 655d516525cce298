/**
 * The register records the change feed and the bulk exports carry, one definition per entity: its
 * table, key, the JSON of a record as a client may see it (masked like the graph), and
 * `visibleRows`, the ONE place that decides which rows of the entity a client may see (by role,
 * bank and area, as the graph). The feed and every export filter through it.
 *
 * The JSON is built by PostgreSQL (json_build_object), so an export streams text it never parses.
 * Companies, factories and TIS licences keep theirs in the row (`record_json`, written by a trigger
 * from the same SQL, migration 1763965000000; the factory's since 1763975000000): their feed and
 * exports read that column (`recordJson`) instead of building it on every read; `json` stays the
 * definition, which a test holds the stored JSON to. Changing a `json` (or the masking rule) of those
 * three needs a migration that replaces their functions and backfills (see that migration's
 * `keepRecordJson`, and 1763975000000).
 * Masks, as the graph's (firm identities by the one rule of src/shared/firm-identity.ts):
 * - companies: directors' names and individual shareholders' names and personal IDs are personal
 *   data, shown in the graph only to a bank the company consented to, one company at a time and
 *   logged (src/domains/consent). Bulk reads never carry them: masked for every role;
 * - factories: an operator not known to be a company is masked, with its link
 *   (src/domains/factory/factory.repository.ts);
 * - TIS licences: a licensee not known to be a company is masked, with its link and plant
 *   (src/domains/certification);
 * - DIP participations and assessments: by the licensees' rule (LINK_IS_SURE), a participant not
 *   known to be a company (DIP's name for it may be a person's, typed by a clerk) is masked, its
 *   juristic ID and link too. Their key is a keyed hash of DIP's key (migration 1763950000000),
 *   which names the participant.
 */
import { may, P } from '../../access/permissions';
import type { ApiClient } from '../../access/api-client.repository';
import { isBankCode } from '../../access/roles';
import { scopeOf } from '../../access/client-scope';
import { DomainError } from '../../platform/errors/domain-error';
import { MASK } from '../../shared/mask';
import { linkIsSureSql, operatorIsCompanySql } from '../../shared/firm-identity';
import { assessmentKeySql, DIP_KEY_PATTERN, participationKeySql } from '../programme/dip-record-key';
import type { FieldGroup } from '../../access/audit/read-record';
import { FIRM_DATA_TYPES } from '../firm-data-types';

export const REGISTRY_ENTITIES = ['COMPANY', 'FACTORY', 'TIS_LICENSE', 'DIP_PARTICIPATION', 'I40_ASSESSMENT', 'LOAN_PRODUCT'] as const;
export type RegistryEntity = (typeof REGISTRY_ENTITIES)[number];

export interface RegistryRecordDefinition {
  entity: RegistryEntity;
  /** The export's name: `GET /exports/<name>.ndjson`. */
  exportName: string;
  /** The table, aliased `r` in every statement. */
  table: string;
  /** SQL of the record's key over `r`: the change log's record_key, and the export's order. */
  key: string;
  /** The record's field holding its key. */
  keyField: string;
  /** A valid key as a client writes it (the `after` of an export). */
  keyPattern: RegExp;
  /** SQL condition: the row `r` has the key `k` (an SQL expression), by the table's primary key. */
  hasKey: (k: string) => string;
  /** The export's order and resume condition: rows after the key `k` (an SQL expression). */
  orderBy: string;
  after: (k: string) => string;
  /** SQL of the record's JSON over `r`: the definition. */
  json: string;
  /**
   * SQL of the record's JSON text over `r` as the feed and exports read it: the row's kept
   * `record_json` where the table keeps one (migration 1763965000000), else `json` built now.
   */
  recordJson: string;
  /** Record field of each column the change log names (changed_fields); columns not shown are left out. */
  fields: Readonly<Record<string, string>>;
  /**
   * How the read audit names a record (docs/access-and-audit.md, "Feeds and exports"); null for
   * records that are no firm's data (loan products, reference data in the graph too).
   */
  audit: RecordAudit | null;
}

/** What a record of an entity tells the read audit, as the graph's read of the same record would. */
export interface RecordAudit {
  /** The GraphQL type of the record (its `Type:key` when no firm is known, as the graph's audit writes it). */
  typeName: string;
  /**
   * SQL over `r`: the firm the record reveals, null when none is known. A masked record (a link the
   * hub is unsure of) reveals none, so its guessed company is never named in the audit either.
   */
  juristicId: string;
  /** The field groups every record carries, classified as the graph classifies its fields (firm-data.ts). */
  groups: readonly FieldGroup[];
}

/**
 * The field groups of a record with these fields, by the graph's table (FIRM_DATA_TYPES): the
 * type's group, the group of each field classified apart (a company's capital: finances), and the
 * group of each nested record type (a company's directors: persons).
 */
function recordGroups(typeName: string, fields: Readonly<Record<string, string>>, nested: Readonly<Record<string, string>> = {}): FieldGroup[] {
  const type = FIRM_DATA_TYPES[typeName];
  if (!type) throw new Error(`${typeName} is not a firm-data type (src/domains/firm-data.ts)`);
  const groups = new Set<FieldGroup>([type.group]);
  for (const field of Object.values(fields)) {
    const group = type.fieldGroups?.[field];
    if (group) groups.add(group);
    const inner = nested[field] ? FIRM_DATA_TYPES[nested[field]] : undefined;
    if (inner) groups.add(inner.group);
  }
  return [...groups].sort();
}

const MASKED = `'${MASK}'`;
/** `fetchedAt` in UTC whatever the session's time zone: a kept JSON is written in the writer's session. */
const PROVENANCE = `'provenance', json_build_object('source', r.source, 'runId', r.source_run_id::text, 'fetchedAt', (to_json(r.fetched_at AT TIME ZONE 'UTC') #>> '{}') || '+00:00')`;
const KEPT = 'r.record_json';
/** The JSON of a record whose table keeps none: built when read. */
const builtNow = (d: RegistryRecordDefinition): string => `(${d.json})::text`;
/** The one masking rule (src/shared/firm-identity.ts), over the row `r`. */
const LINK_IS_SURE = linkIsSureSql('r');
const FACTORY_OPERATOR_IS_COMPANY = operatorIsCompanySql('r');

const COMPANY: RegistryRecordDefinition = {
  entity: 'COMPANY',
  exportName: 'companies',
  keyField: 'juristicId',
  table: 'registry.company',
  key: 'r.juristic_id',
  keyPattern: /^0[0-9]{12}$/,
  hasKey: (k) => `r.juristic_id = ${k}`,
  orderBy: 'r.juristic_id',
  after: (k) => `r.juristic_id > ${k}`,
  json: `json_build_object(
    'juristicId', r.juristic_id, 'juristicType', r.juristic_type_code, 'juristicTypeText', r.juristic_type,
    'nameTh', r.name_th, 'nameEn', r.name_en, 'status', r.status, 'statusText', r.status_raw,
    'registeredOn', r.registered_on, 'registeredCapitalBaht', r.registered_capital_baht, 'paidUpCapitalBaht', r.paid_up_capital_baht,
    'objective', r.objective, 'tsicCode', r.tsic_code, 'address', r.address, 'provinceText', r.province,
    'thaiShareholdingPct', r.thai_shareholding_pct,
    'directors', (SELECT coalesce(json_agg(json_build_object('name', ${MASKED}, 'position', d->>'position', 'masked', true)), '[]'::json) FROM jsonb_array_elements(r.directors) d),
    'shareholders', (SELECT coalesce(json_agg(json_build_object(
        'name', CASE WHEN s ? 'juristicId' THEN s->>'name' ELSE ${MASKED} END,
        'personalId', CASE WHEN s ? 'personalId' THEN ${MASKED} END,
        'juristicId', s->>'juristicId', 'nationality', s->>'nationality', 'shares', (s->>'shares')::numeric,
        'masked', NOT (s ? 'juristicId'))), '[]'::json) FROM jsonb_array_elements(r.shareholders) s),
    'absent', r.absent_since_run_id IS NOT NULL, ${PROVENANCE})`,
  recordJson: KEPT,
  fields: {
    juristic_type_code: 'juristicType',
    juristic_type: 'juristicTypeText',
    name_th: 'nameTh',
    name_en: 'nameEn',
    status: 'status',
    status_raw: 'statusText',
    registered_on: 'registeredOn',
    registered_capital_baht: 'registeredCapitalBaht',
    paid_up_capital_baht: 'paidUpCapitalBaht',
    objective: 'objective',
    tsic_code: 'tsicCode',
    address: 'address',
    province: 'provinceText',
    thai_shareholding_pct: 'thaiShareholdingPct',
    directors: 'directors',
    shareholders: 'shareholders',
    absent_since_run_id: 'absent',
  },
  get audit(): RecordAudit {
    return { typeName: 'Company', juristicId: 'r.juristic_id', groups: recordGroups('Company', COMPANY.fields, { directors: 'Director', shareholders: 'Shareholder' }) };
  },
};

const FACTORY: RegistryRecordDefinition = {
  entity: 'FACTORY',
  exportName: 'factories',
  keyField: 'fid',
  table: 'registry.factory',
  key: 'r.fid',
  keyPattern: /^[0-9]{14}$/,
  hasKey: (k) => `r.fid = ${k}`,
  orderBy: 'r.fid',
  after: (k) => `r.fid > ${k}`,
  json: `json_build_object(
    'fid', r.fid, 'displayRegNo', r.display_reg_no, 'legacyRegNo', r.legacy_reg_no, 'factoryType', r.factory_type, 'name', r.name,
    'operatorName', CASE WHEN r.operator_name IS NOT NULL AND NOT ${FACTORY_OPERATOR_IS_COMPANY} THEN ${MASKED} ELSE r.operator_name END,
    'operatorTaxId', CASE WHEN r.operator_tax_id IS NOT NULL AND NOT ${FACTORY_OPERATOR_IS_COMPANY} THEN ${MASKED} ELSE r.operator_tax_id END,
    'operatorMasked', NOT ${FACTORY_OPERATOR_IS_COMPANY},
    'objective', r.objective, 'address', r.address, 'moo', r.moo, 'soi', r.soi, 'road', r.road, 'subdistrict', r.subdistrict,
    'district', r.district, 'provinceName', r.province, 'capitalBaht', r.capital_baht, 'workers', r.workers, 'horsepower', r.horsepower,
    'latitude', r.latitude, 'longitude', r.longitude, 'isicCode', r.isic_code, 'estateCode', r.estate_code, 'estateName', r.estate_name,
    'status', r.status, 'statusCode', r.status_code, 'sourceUpdatedOn', r.source_updated_at,
    'companyJuristicId', CASE WHEN ${FACTORY_OPERATOR_IS_COMPANY} THEN r.company_juristic_id END,
    'linkMethod', CASE WHEN ${FACTORY_OPERATOR_IS_COMPANY} THEN r.link_method END,
    'linkConfidence', CASE WHEN ${FACTORY_OPERATOR_IS_COMPANY} THEN r.link_confidence END,
    'absent', r.absent_since_run_id IS NOT NULL, ${PROVENANCE})`,
  recordJson: KEPT,
  fields: {
    display_reg_no: 'displayRegNo',
    legacy_reg_no: 'legacyRegNo',
    factory_type: 'factoryType',
    name: 'name',
    operator_name: 'operatorName',
    operator_tax_id: 'operatorTaxId',
    objective: 'objective',
    address: 'address',
    moo: 'moo',
    soi: 'soi',
    road: 'road',
    subdistrict: 'subdistrict',
    district: 'district',
    province: 'provinceName',
    capital_baht: 'capitalBaht',
    workers: 'workers',
    horsepower: 'horsepower',
    latitude: 'latitude',
    longitude: 'longitude',
    isic_code: 'isicCode',
    estate_code: 'estateCode',
    estate_name: 'estateName',
    status: 'status',
    status_code: 'statusCode',
    source_updated_at: 'sourceUpdatedOn',
    company_juristic_id: 'companyJuristicId',
    link_method: 'linkMethod',
    link_confidence: 'linkConfidence',
    absent_since_run_id: 'absent',
  },
  // The operator's company as the record shows it (the graph's Factory.companyJuristicId): none when the operator is masked.
  get audit(): RecordAudit {
    return { typeName: 'Factory', juristicId: `CASE WHEN ${FACTORY_OPERATOR_IS_COMPANY} THEN r.company_juristic_id END`, groups: recordGroups('Factory', FACTORY.fields) };
  },
};

const TIS_LICENSE: RegistryRecordDefinition = {
  entity: 'TIS_LICENSE',
  exportName: 'tis-licences',
  keyField: 'licenceNo',
  table: 'registry.tis_licence',
  key: 'r.licence_no',
  // Printable text: a licence number as TISI writes it (control characters are never part of one).
  keyPattern: /^[^\p{Cc}]{1,100}$/u,
  hasKey: (k) => `r.licence_no = ${k}`,
  orderBy: 'r.licence_no',
  after: (k) => `r.licence_no > ${k}`,
  json: `json_build_object(
    'licenceNo', r.licence_no, 'licenceType', r.licence_type, 'issuedOn', r.issued_on, 'tisNo', r.tis_no,
    'licenseeName', CASE WHEN r.licensee_name IS NOT NULL AND NOT ${LINK_IS_SURE} THEN ${MASKED} ELSE r.licensee_name END,
    'licenseeTaxId', CASE WHEN r.licensee_tax_id IS NOT NULL AND NOT ${LINK_IS_SURE} THEN ${MASKED} ELSE r.licensee_tax_id END,
    'licenseeMasked', NOT ${LINK_IS_SURE},
    'fid', CASE WHEN ${LINK_IS_SURE} THEN r.fid END,
    'companyJuristicId', CASE WHEN ${LINK_IS_SURE} THEN r.company_juristic_id END,
    'linkMethod', CASE WHEN ${LINK_IS_SURE} THEN r.link_method END,
    'linkConfidence', CASE WHEN ${LINK_IS_SURE} THEN r.link_confidence END,
    'status', r.status, 'statusText', r.status_text, 'suspendedOn', r.suspended_on, 'cancelledOn', r.cancelled_on,
    'absent', r.absent_since_run_id IS NOT NULL, ${PROVENANCE})`,
  recordJson: KEPT,
  fields: {
    licence_type: 'licenceType',
    issued_on: 'issuedOn',
    tis_no: 'tisNo',
    licensee_name: 'licenseeName',
    licensee_tax_id: 'licenseeTaxId',
    fid: 'fid',
    company_juristic_id: 'companyJuristicId',
    link_method: 'linkMethod',
    link_confidence: 'linkConfidence',
    status: 'status',
    status_text: 'statusText',
    suspended_on: 'suspendedOn',
    cancelled_on: 'cancelledOn',
    absent_since_run_id: 'absent',
  },
  get audit(): RecordAudit {
    return { typeName: 'TisLicense', juristicId: `CASE WHEN ${LINK_IS_SURE} THEN r.company_juristic_id END`, groups: recordGroups('TisLicense', TIS_LICENSE.fields) };
  },
};

const DIP_PARTICIPANT = `
    'juristicId', CASE WHEN r.juristic_id IS NOT NULL AND NOT ${LINK_IS_SURE} THEN ${MASKED} ELSE r.juristic_id END,
    'companyName', CASE WHEN r.company_name IS NOT NULL AND NOT ${LINK_IS_SURE} THEN ${MASKED} ELSE r.company_name END,
    'participantMasked', NOT ${LINK_IS_SURE},
    'companyJuristicId', CASE WHEN ${LINK_IS_SURE} THEN r.company_juristic_id END,
    'linkMethod', CASE WHEN ${LINK_IS_SURE} THEN r.link_method END,
    'linkConfidence', CASE WHEN ${LINK_IS_SURE} THEN r.link_confidence END`;
/** The company a DIP record reveals: the one it is surely linked to (the record's companyJuristicId); none when masked. */
const DIP_FIRM = `CASE WHEN ${LINK_IS_SURE} THEN r.company_juristic_id END`;
const DIP_PARTICIPANT_FIELDS = {
  juristic_id: 'juristicId',
  company_name: 'companyName',
  company_juristic_id: 'companyJuristicId',
  link_method: 'linkMethod',
  link_confidence: 'linkConfidence',
  absent_since_run_id: 'absent',
} as const;

const DIP_PARTICIPATION_KEY = participationKeySql('r');
const DIP_PARTICIPATION: RegistryRecordDefinition = {
  entity: 'DIP_PARTICIPATION',
  exportName: 'dip-participations',
  keyField: 'key',
  table: 'registry.dip_participation',
  key: DIP_PARTICIPATION_KEY,
  keyPattern: DIP_KEY_PATTERN,
  hasKey: (k) => `${DIP_PARTICIPATION_KEY} = ${k}`,
  orderBy: DIP_PARTICIPATION_KEY,
  after: (k) => `${DIP_PARTICIPATION_KEY} > ${k}`,
  json: `json_build_object(
    'key', ${DIP_PARTICIPATION_KEY}, ${DIP_PARTICIPANT},
    'programmeCode', r.programme_code, 'programmeName', r.programme_name, 'year', r.year, 'province', r.province,
    'absent', r.absent_since_run_id IS NOT NULL, ${PROVENANCE})`,
  get recordJson(): string {
    return builtNow(DIP_PARTICIPATION);
  },
  fields: { ...DIP_PARTICIPANT_FIELDS, programme_name: 'programmeName', province: 'province' },
  get audit(): RecordAudit {
    return { typeName: 'ProgrammeParticipation', juristicId: DIP_FIRM, groups: recordGroups('ProgrammeParticipation', DIP_PARTICIPATION.fields) };
  },
};

const I40_ASSESSMENT_KEY = assessmentKeySql('r');
const I40_ASSESSMENT: RegistryRecordDefinition = {
  entity: 'I40_ASSESSMENT',
  exportName: 'i40-assessments',
  keyField: 'key',
  table: 'registry.dip_i40_assessment',
  key: I40_ASSESSMENT_KEY,
  keyPattern: DIP_KEY_PATTERN,
  hasKey: (k) => `${I40_ASSESSMENT_KEY} = ${k}`,
  orderBy: I40_ASSESSMENT_KEY,
  after: (k) => `${I40_ASSESSMENT_KEY} > ${k}`,
  json: `json_build_object(
    'key', ${I40_ASSESSMENT_KEY}, ${DIP_PARTICIPANT},
    'assessedOn', r.assessed_on, 'overallLevel', r.overall_level, 'smartOperation', r.smart_operation,
    'strategyOrganisation', r.strategy_organisation, 'workforce', r.workforce, 'technologyInnovation', r.technology_innovation,
    'marketCustomerStandard', r.market_customer_standard, 'itData', r.it_data,
    'absent', r.absent_since_run_id IS NOT NULL, ${PROVENANCE})`,
  get recordJson(): string {
    return builtNow(I40_ASSESSMENT);
  },
  fields: {
    ...DIP_PARTICIPANT_FIELDS,
    overall_level: 'overallLevel',
    smart_operation: 'smartOperation',
    strategy_organisation: 'strategyOrganisation',
    workforce: 'workforce',
    technology_innovation: 'technologyInnovation',
    market_customer_standard: 'marketCustomerStandard',
    it_data: 'itData',
  },
  get audit(): RecordAudit {
    return { typeName: 'Industry40Assessment', juristicId: DIP_FIRM, groups: recordGroups('Industry40Assessment', I40_ASSESSMENT.fields) };
  },
};

const LOAN_PRODUCT: RegistryRecordDefinition = {
  entity: 'LOAN_PRODUCT',
  exportName: 'loan-products',
  keyField: 'key',
  table: 'lending.loan_product',
  key: `r.bank_code || ':' || r.product_code`,
  keyPattern: /^[A-Z]+:[A-Z0-9][A-Z0-9_-]{0,99}$/,
  hasKey: (k) => `r.bank_code = split_part(${k}, ':', 1) AND r.product_code = split_part(${k}, ':', 2)`,
  orderBy: 'r.bank_code, r.product_code',
  after: (k) => `(r.bank_code, r.product_code) > (split_part(${k}, ':', 1), split_part(${k}, ':', 2))`,
  json: `json_build_object(
    'key', r.bank_code || ':' || r.product_code, 'bank', r.bank_code, 'code', r.product_code, 'nameTh', r.name_th, 'nameEn', r.name_en,
    'maxAmountBaht', r.max_amount_baht, 'maxTermMonths', r.max_term_months, 'policyTheme', r.policy_theme,
    'rateDescription', r.rate_description, 'ruleSet', r.rules, 'ruleSetVersion', r.rule_set_version,
    'absent', r.absent_since_run_id IS NOT NULL, ${PROVENANCE})`,
  get recordJson(): string {
    return builtNow(LOAN_PRODUCT);
  },
  fields: {
    name_th: 'nameTh',
    name_en: 'nameEn',
    max_amount_baht: 'maxAmountBaht',
    max_term_months: 'maxTermMonths',
    policy_theme: 'policyTheme',
    rate_description: 'rateDescription',
    rules: 'ruleSet',
    rule_set_version: 'ruleSetVersion',
    absent_since_run_id: 'absent',
  },
  // Reference data (GraphQL LoanProduct is not firm data): not in the read audit.
  audit: null,
};

export const REGISTRY_RECORDS: Readonly<Record<RegistryEntity, RegistryRecordDefinition>> = { COMPANY, FACTORY, TIS_LICENSE, DIP_PARTICIPATION, I40_ASSESSMENT, LOAN_PRODUCT };

export const recordDefinitionByExport = (name: string): RegistryRecordDefinition | undefined => Object.values(REGISTRY_RECORDS).find((d) => d.exportName === name);

/**
 * Whether the client sees every change of the log (national roles other than banks): its cursors
 * may carry the hub-wide position in the clear. Every other client's are sealed (registry-cursor.ts).
 */
export function seesWholeLog(client: ApiClient): boolean {
  return scopeOf(client).kind === 'national' && client.role !== 'bank';
}

const PROVINCE_CODE = /^[0-9]{2}$/;

/** An area's provinces as an SQL array literal; the codes come from the client's row, checked here before they are written into SQL. */
function areaCodes(codes: readonly string[]): string {
  for (const code of codes) if (!PROVINCE_CODE.test(code)) throw new DomainError('FORBIDDEN', 'this area client has a malformed province code');
  return `ARRAY[${codes.map((code) => `'${code}'`).join(', ')}]::text[]`;
}

/**
 * An area's rows, by the graph's rules (src/access/client-scope.ts, src/domains/firm-scope-sql.ts):
 * a company by its head office (its profile's province); a factory standing in the area or
 * operated by a company of the area; a licence of a company of the area or for a plant standing
 * in it; a DIP record of a company of the area. Factories write their province by its Thai name,
 * as reference.province holds it.
 *
 * A masked record (linked only by a fuzzy name match, or not at all; a factory whose operator is
 * masked: src/shared/firm-identity.ts) is scoped by its own data only, never by the company it
 * merely resembles (listed in that company's area, it would tell the area the link and every area
 * where the resembled company is): a factory by the province it stands in; a participation by the
 * province DIP gave for it; a licence (whose province is its plant's, withheld with the link) or an
 * assessment has none of its own: in no area, national roles only. The change log's area triggers
 * apply the same rule (migrations 1763970000000 and, for factories, 1763975000000).
 */
function areaRows(entity: Exclude<RegistryEntity, 'LOAN_PRODUCT'>, codes: readonly string[]): string {
  const array = areaCodes(codes);
  const companies = `(SELECT p.juristic_id FROM registry.company_profile p WHERE p.province_code = ANY(${array}))`;
  const names = `(SELECT rp.name_th FROM reference.province rp WHERE rp.code = ANY(${array}))`;
  switch (entity) {
    case 'COMPANY':
      return `r.juristic_id IN ${companies}`;
    case 'FACTORY':
      return `(r.province IN ${names} OR (${FACTORY_OPERATOR_IS_COMPANY} AND r.company_juristic_id IN ${companies}))`;
    case 'TIS_LICENSE':
      return `(${LINK_IS_SURE} AND (r.company_juristic_id IN ${companies} OR r.fid IN (SELECT rf.fid FROM registry.factory rf WHERE rf.province IN ${names})))`;
    case 'DIP_PARTICIPATION':
      return `(CASE WHEN ${LINK_IS_SURE} THEN r.company_juristic_id IN ${companies} ELSE r.province IN ${names} END)`;
    case 'I40_ASSESSMENT':
      return `(${LINK_IS_SURE} AND r.company_juristic_id IN ${companies})`;
  }
}

/**
 * Which rows of an entity a client may see, as an SQL condition over the row `r` (no parameters:
 * what it inlines is checked here). THE visibility rule of the feed and the exports, per entity:
 * - registers (companies, factories, TIS licences, DIP records): the national roles the graph lets read them
 *   (admin, ministry, analyst, bank) every row, as in the graph; an area role (province, centre)
 *   its area's rows, as the graph scopes them (areaRows);
 * - loan products (reference data in the graph): a bank its own bank's only; the other roles every bank's.
 * A role that may not read the entity is refused (FORBIDDEN) rather than given an empty list.
 */
export function visibleRows(entity: RegistryEntity, client: ApiClient): string {
  if (!may(client.role, P.registrySync)) throw new DomainError('FORBIDDEN', `the role "${client.role}" may not read ${REGISTRY_RECORDS[entity].exportName}`);
  const scope = scopeOf(client);
  switch (entity) {
    case 'COMPANY':
    case 'FACTORY':
    case 'TIS_LICENSE':
    case 'DIP_PARTICIPATION':
    case 'I40_ASSESSMENT':
      if (scope.kind === 'national') return 'true';
      if (scope.kind === 'area') return areaRows(entity, scope.provinceCodes);
      // A firm's key holds no registry:sync; refused here too, should the table change.
      throw new DomainError('FORBIDDEN', `the role "${client.role}" may not read ${REGISTRY_RECORDS[entity].exportName}`);
    case 'LOAN_PRODUCT': {
      if (client.role !== 'bank') return 'true';
      // Checked against the fixed list before it is written into SQL.
      if (client.bankCode === null || !isBankCode(client.bankCode)) throw new DomainError('FORBIDDEN', 'this bank client is not tied to a bank');
      return `r.bank_code = '${client.bankCode}'`;
    }
  }
}

/**
 * Which changes of the log tell the client that a record left its area (LEFT_SCOPE), as an SQL
 * condition over the change `c`: an area role's, when the change moved the record out of one of its
 * provinces (`left_areas`, migrations 1763955000000 and 1763970000000); the feed shows one only when
 * the record is not in the area now. Every other client sees every record it ever saw (national)
 * or none leave (a bank's loan products): never.
 */
export function leftAreaCondition(client: ApiClient): string {
  const scope = scopeOf(client);
  return scope.kind === 'area' ? `coalesce(c.left_areas && ${areaCodes(scope.provinceCodes)}, false)` : 'false';
}

/**
 * Which MOVED changes (a record's area followed its company's head office or a licence's plant, migration 1763970000000)
 * tell the client that a record came into its area (ENTERED_SCOPE, with the record), as an SQL
 * condition over the change `c`: an area role's, when one of its provinces is among the change's
 * `entered_areas`; the feed shows one only when the record is in the area now. Never a national
 * role's: nothing of the record changed.
 */
export function enteredAreaCondition(client: ApiClient): string {
  const scope = scopeOf(client);
  return scope.kind === 'area' ? `coalesce(c.entered_areas && ${areaCodes(scope.provinceCodes)}, false)` : 'false';
}
