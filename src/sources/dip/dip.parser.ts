/**
 * DIP's two CKAN datastore resources as record specs: which fields they must have and how one
 * record becomes a typed record (or a rejection with its reason). See README.md.
 */
import type { ParsedRow } from '../../ingestion/feed';
import { normaliseCompanyName } from '../dbd/company-name';
import { cleanCode, cleanText, optionalNumber, optionalThaiId, reject, requiredDate, requiredNumber, year, type FeedValue } from '../common/feed-values';
import { reparseCkanRecord, type CkanResourceSpec } from './ckan-datastore';
import {
  DIP_I40_FIELDS,
  DIP_I40_OPTIONAL_FIELDS,
  DIP_PARTICIPATION_FIELDS,
  DIP_PARTICIPATION_OPTIONAL_FIELDS,
  I40_LEVEL_RANGE,
  type DipI40AssessmentRecord,
  type DipI40Field,
  type DipParticipationField,
  type DipParticipationRecord,
} from './dip.record';

export const DIP_PARTICIPATION_SPEC: CkanResourceSpec<DipParticipationField, DipParticipationRecord> = {
  name: 'DIP participations resource',
  required: DIP_PARTICIPATION_FIELDS,
  optional: DIP_PARTICIPATION_OPTIONAL_FIELDS,
  toRecord(get) {
    return {
      ...participant(get('juristic_id'), get('company_name')),
      programmeCode: cleanCode(get('programme_code'))?.toUpperCase() ?? reject('programme_code is empty'),
      programmeName: cleanText(get('programme_name')),
      year: year(get('fiscal_year'), 'fiscal_year'),
      province: province(get('province')),
    };
  },
};

export const DIP_I40_SPEC: CkanResourceSpec<DipI40Field, DipI40AssessmentRecord> = {
  name: 'DIP Industry 4.0 assessments resource',
  required: DIP_I40_FIELDS,
  optional: DIP_I40_OPTIONAL_FIELDS,
  toRecord(get) {
    const score = (field: DipI40Field): number | null => optionalNumber(get(field), field, I40_LEVEL_RANGE);
    return {
      ...participant(get('juristic_id'), get('company_name')),
      assessedOn: requiredDate(get('assessed_on'), 'assessed_on'),
      overallLevel: requiredNumber(get('overall_level'), 'overall_level', I40_LEVEL_RANGE),
      smartOperation: score('smart_operation'),
      strategyOrganisation: score('strategy_organization'),
      workforce: score('workforce'),
      technologyInnovation: score('technology_innovation'),
      marketCustomerStandard: score('market_customer_standard'),
      itData: score('it_data'),
    };
  },
};

export function reparseDipParticipation(raw: Record<string, string> | string): ParsedRow<DipParticipationRecord> {
  return reparseCkanRecord(raw, DIP_PARTICIPATION_SPEC);
}

export function reparseDipI40Assessment(raw: Record<string, string> | string): ParsedRow<DipI40AssessmentRecord> {
  return reparseCkanRecord(raw, DIP_I40_SPEC);
}

/**
 * The participant: its juristic ID, or, when DIP left the ID out (blank, `-`, all zeros), its name,
 * by which the hub links the record. A record with neither, or whose name normalises to nothing
 * (punctuation only), cannot be told apart from others and is rejected.
 */
function participant(id: FeedValue, name: FeedValue): { juristicId: string | null; companyName: string | null } {
  const juristicId = optionalThaiId(id, 'juristic_id');
  const companyName = cleanText(name);
  if (juristicId === null && normaliseCompanyName(companyName ?? '') === '') {
    reject('juristic_id is missing and company_name gives no name to link by');
  }
  return { juristicId, companyName };
}

/**
 * A record's participant in its table key: the juristic ID, or `name:` and the normalised name when
 * DIP left the ID out (two ID-less records of one firm under one programme and year are one record).
 */
export function participantKey(record: { juristicId: string | null; companyName: string | null }): string {
  return record.juristicId ?? `name:${normaliseCompanyName(record.companyName ?? '')}`;
}

/** `จังหวัดชลบุรี`, `จ.ชลบุรี` and `ชลบุรี` are the same province. */
function province(value: FeedValue): string | null {
  const cleaned = cleanText(value);
  if (cleaned === null) return null;
  return cleaned.replace(/^(จังหวัด|จ\.)\s*/, '') || null;
}
