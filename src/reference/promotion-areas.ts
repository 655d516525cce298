import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { REFERENCE_DATA_DIR, REGIONS, type Region } from './reference-data';

/**
 * The area-based development units beside the provinces (data/reference/README.md): DIP's 11
 * regional industrial promotion centres and the ministry's 6 groups of provinces with their focus
 * industries. Which provinces a centre serves is `provinces.csv`'s `promotion_centre` column.
 * Only centre 7's seat (Buri Ram) and centre 11's (Songkhla) are confirmed; the rest is assumed.
 */
export interface PromotionCentre {
  number: number;
  nameTh: string;
  nameEn: string;
  seatProvinceCode: string;
  seatConfirmed: boolean;
  /**
   * The Industry Transformation Center (ITC 4.0) the centre hosts. The domain brief confirms that
   * each centre hosts one; the names here are assumed wording (data/reference/README.md).
   */
  itcNameTh: string;
  itcNameEn: string;
  version: string;
}

/** A group of provinces (assumed: the ministry did not publish the membership; here, one per region). */
export interface ProvinceGroup {
  code: string;
  nameTh: string;
  nameEn: string;
  region: Region;
  focusIndustryCodes: string[];
  version: string;
}

function rows(file: string): Record<string, string>[] {
  return parse<Record<string, string>>(fs.readFileSync(path.join(REFERENCE_DATA_DIR, file), 'utf8'), { columns: true, skip_empty_lines: true, trim: true });
}

function refuse(file: string, line: number, message: string): never {
  throw new Error(`data/reference/${file} line ${line + 2}: ${message}`);
}

export function loadPromotionCentres(): PromotionCentre[] {
  const file = 'promotion-centres.csv';
  const centres = rows(file).map((row, line) => {
    const number = Number(row['number']);
    if (!Number.isInteger(number) || number < 1 || number > 11) refuse(file, line, `number "${row['number']}" is not 1..11`);
    const seat = row['seat_province'] ?? '';
    if (!/^\d{2}$/.test(seat)) refuse(file, line, `seat_province "${seat}" is not a 2-digit province code`);
    return {
      number,
      nameTh: row['name_th'] ?? '',
      nameEn: row['name_en'] ?? '',
      seatProvinceCode: seat,
      seatConfirmed: row['seat_confirmed'] === 'true',
      itcNameTh: row['itc_name_th'] ?? '',
      itcNameEn: row['itc_name_en'] ?? '',
      version: row['version'] ?? '',
    };
  });
  if (new Set(centres.map((c) => c.number)).size !== 11 || centres.length !== 11) throw new Error(`data/reference/${file}: expected the 11 centres, once each`);
  return centres;
}

export function loadProvinceGroups(): ProvinceGroup[] {
  const file = 'province-groups.csv';
  const groups = rows(file).map((row, line) => {
    const region = row['region'] as Region;
    if (!REGIONS.includes(region)) refuse(file, line, `region "${row['region']}" is not one of ${REGIONS.join(', ')}`);
    return {
      code: row['code'] ?? '',
      nameTh: row['name_th'] ?? '',
      nameEn: row['name_en'] ?? '',
      region,
      focusIndustryCodes: (row['focus_industries'] ?? '').split(';').filter(Boolean),
      version: row['version'] ?? '',
    };
  });
  if (groups.length !== 6) throw new Error(`data/reference/${file}: expected 6 groups, got ${groups.length}`);
  return groups;
}
