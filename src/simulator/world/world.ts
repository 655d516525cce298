/**
 * The simulated world: firms (juristic persons) and the factories they operate. Firm j and factory
 * i are pure functions of (seed, j) and (seed, i), so feeds of any size stream at constant memory
 * and every agency's feed agrees with the others. Factory i belongs to firm i (its own firm) or to
 * an earlier firm (a firm with several factories); firms without factories are simply never
 * referenced by the DIW feed.
 */
import { NAME_SUFFIXES, NAME_SYLLABLES } from './company-names';
import { INDUSTRIES, type Industry } from './industries';
import { juristicCheckDigit } from './juristic-id';
import { INDUSTRIAL_ESTATES, PROVINCES, type District, type IndustrialEstate, type Province } from './thai-geography';
import { randomFor, STREAMS, WeightedTable } from '../random';

export type FirmKind = 'company' | 'limited-partnership' | 'public-company';

export interface Firm {
  index: number;
  /** 13 digits with a valid check digit; also the firm's tax ID. */
  juristicId: string;
  kind: FirmKind;
  nameTh: string;
  nameEn: string;
  /** ISO date. */
  registeredOn: string;
  /** Head-office province. */
  province: Province;
  industry: Industry;
}

export type FactoryStatus = '0' | '1' | '2' | '3';

export interface Factory {
  index: number;
  /** 14 digits. */
  fid: string;
  firm: Firm;
  factoryClass: 1 | 2 | 3;
  factoryType: string;
  /** e.g. `3-106-33/50`: class, type, running number, Buddhist Era year of the permit (2 digits). */
  displayRegNo: string;
  /** The display number with the province abbreviation (assumed format of the old FACREG). */
  legacyRegNo: string;
  nameTh: string;
  objective: string;
  houseNo: string;
  moo: string | null;
  soi: string | null;
  road: string | null;
  province: Province;
  district: District;
  subdistrict: string;
  estate: IndustrialEstate | null;
  lat: number;
  lng: number;
  tsic: string;
  capitalBaht: number;
  workers: number;
  horsepower: number;
  /** ISO date. */
  lastUpdate: string;
  status: FactoryStatus;
  /** The operator's juristic ID, or null where DIW does not have it (linking must find the firm). */
  operatorTaxId: string | null;
}

const PROVINCE_TABLE = new WeightedTable(PROVINCES, (province) => province.weight);
const INDUSTRY_TABLE = new WeightedTable(INDUSTRIES, (industry) => industry.weight);
const KIND_TABLE = new WeightedTable<{ kind: FirmKind; digit: string; weight: number }>(
  [
    { kind: 'company', digit: '5', weight: 85 },
    { kind: 'limited-partnership', digit: '3', weight: 12 },
    { kind: 'public-company', digit: '7', weight: 3 },
  ],
  (entry) => entry.weight,
);
const STATUS_TABLE = new WeightedTable<{ status: FactoryStatus; weight: number }>(
  [
    { status: '1', weight: 80 },
    { status: '0', weight: 6 },
    { status: '2', weight: 9 },
    { status: '3', weight: 5 },
  ],
  (entry) => entry.weight,
);

const BUDDHIST_ERA_OFFSET = 543;
const FIRST_REGISTRATION_BE = 2500;
const LAST_REGISTRATION_BE = 2567;
const SHARE_OF_FACTORIES_WITH_OWN_FIRM = 0.75;
const SHARE_OF_FACTORIES_WITH_TAX_ID = 0.85;
const SHARE_IN_ESTATE = 0.35;

/**
 * IDs and names must be unique, so they come from bijections of the entity index rather
 * than from random draws: (index * multiplier + offset) mod size permutes [0, size) when the
 * multiplier is coprime with the size.
 */
function permute(index: number, size: number, multiplier: number, offset: number): number {
  return (index * multiplier + offset) % size;
}

/** Registration years x 100,000 running numbers: enough for every firm of the largest world. */
const ID_SPACE = (LAST_REGISTRATION_BE - FIRST_REGISTRATION_BE + 1) * 100_000;
const ID_MULTIPLIER = 2_718_281; // coprime with 6,800,000 = 2^7 * 5^5 * 17
const NAME_SPACE = NAME_SYLLABLES.length ** 2 * NAME_SUFFIXES.length;
const NAME_MULTIPLIER = 7_919; // prime, does not divide 13,824 = 2^9 * 3^3
const FID_SPACE = 1_000_000_000;
const FID_MULTIPLIER = 387_420_489; // 3^18, coprime with 10^9

export function firmAt(seed: number, index: number): Firm {
  const random = randomFor(seed, STREAMS.firm, index);
  const province = PROVINCE_TABLE.pick(random);
  const industry = INDUSTRY_TABLE.pick(random);
  const { kind, digit } = KIND_TABLE.pick(random);

  const idSlot = permute(index, ID_SPACE, ID_MULTIPLIER, seed % ID_SPACE);
  const yearBe = FIRST_REGISTRATION_BE + Math.floor(idSlot / 100_000);
  const first12 = `0${province.code}${digit}${String(yearBe).slice(1)}${String(idSlot % 100_000).padStart(5, '0')}`;
  const registeredOn = isoDate(yearBe - BUDDHIST_ERA_OFFSET, random.int(1, 12), random.int(1, 28));

  // Names repeat the same space in rounds told apart by a number: unique at any scale.
  const nameSlot = permute(index % NAME_SPACE, NAME_SPACE, NAME_MULTIPLIER, seed % NAME_SPACE);
  const round = Math.floor(index / NAME_SPACE);
  const [firstTh, firstEn] = NAME_SYLLABLES[nameSlot % NAME_SYLLABLES.length]!;
  const [secondTh, secondEn] = NAME_SYLLABLES[Math.floor(nameSlot / NAME_SYLLABLES.length) % NAME_SYLLABLES.length]!;
  const [suffixTh, suffixEn] = NAME_SUFFIXES[Math.floor(nameSlot / NAME_SYLLABLES.length ** 2)]!;
  const number = round > 0 ? ` ${round + 1}` : '';
  const coreTh = `${firstTh}${secondTh}${industry.brandTh}${suffixTh}${number}`;
  const coreEn = `${firstEn}${secondEn.toLowerCase()} ${industry.brandEn}${suffixEn}${number}`;

  return {
    index,
    juristicId: `${first12}${juristicCheckDigit(first12)}`,
    kind,
    nameTh: kind === 'company' ? `บริษัท ${coreTh} จำกัด` : kind === 'public-company' ? `บริษัท ${coreTh} จำกัด (มหาชน)` : `ห้างหุ้นส่วนจำกัด ${coreTh}`,
    nameEn:
      kind === 'company' ? `${coreEn} Co., Ltd.` : kind === 'public-company' ? `${coreEn} Public Company Limited` : `${coreEn} Limited Partnership`,
    registeredOn,
    province,
    industry,
  };
}

/** Index of the firm that operates factory i (i itself, or an earlier firm). */
/**
 * The simulator's one size knob counts firms (juristic persons); DIW licenses one factory per five
 * firms, the ratio of the benchmark's 1,000,000 firms and 200,000 factories.
 */
export const FIRMS_PER_FACTORY = 5;
export function factoryCount(firms: number): number {
  return Math.ceil(firms / FIRMS_PER_FACTORY);
}

export function ownerOf(seed: number, factoryIndex: number): number {
  const random = randomFor(seed, STREAMS.factoryOwner, factoryIndex);
  if (factoryIndex === 0 || random.chance(SHARE_OF_FACTORIES_WITH_OWN_FIRM)) return factoryIndex;
  return random.int(0, factoryIndex - 1);
}

export function factoryAt(seed: number, index: number): Factory {
  const firm = firmAt(seed, ownerOf(seed, index));
  const random = randomFor(seed, STREAMS.factory, index);
  const ownSite = firm.index === index;
  const province = ownSite && random.chance(0.9) ? firm.province : PROVINCE_TABLE.pick(random);
  const estates = INDUSTRIAL_ESTATES.filter((estate) => estate.province === province);
  const estate = estates.length > 0 && random.chance(SHARE_IN_ESTATE) ? random.pick(estates) : null;
  const district = estate?.district ?? random.pick(province.districts);
  const subdistrict = estate?.subdistrict ?? random.pick(district.subdistricts);
  const spread = estate ? 0.01 : 0.12;
  const lat = round((estate?.lat ?? province.lat) + (random.next() * 2 - 1) * spread, 6);
  const lng = round((estate?.lng ?? province.lng) + (random.next() * 2 - 1) * spread, 6);

  const { industry } = firm;
  const horsepower = round(random.logUniform(...industry.horsepower), 1);
  const factoryClass = horsepower < 50 ? 1 : horsepower < 100 ? 2 : 3;
  const workers = Math.round(random.logUniform(...industry.workers));
  const capitalBaht = Math.round(random.logUniform(...industry.capitalBaht) / 10_000) * 10_000;

  const firmYearBe = Number(firm.registeredOn.slice(0, 4)) + BUDDHIST_ERA_OFFSET;
  const permitYearBe = Math.min(LAST_REGISTRATION_BE, firmYearBe + random.int(0, 10));
  const displayRegNo = `${factoryClass}-${industry.factoryType}-${random.int(1, 499)}/${String(permitYearBe % 100).padStart(2, '0')}`;
  const districtNo = String(province.districts.indexOf(district) + 1).padStart(2, '0');
  // FID layout (assumed): province code, district number, class, running number.
  const running = permute(index, FID_SPACE, FID_MULTIPLIER, seed % FID_SPACE);
  const fid = `${province.code}${districtNo}${factoryClass}${String(running).padStart(9, '0')}`;

  const firstUpdate = Date.UTC(Math.max(permitYearBe - BUDDHIST_ERA_OFFSET, 2016), 0, 1);
  const lastUpdate = new Date(firstUpdate + random.next() * (Date.UTC(2024, 11, 31) - firstUpdate)).toISOString().slice(0, 10);

  const road = estate || !random.chance(0.8) ? null : random.pick(province.roads);
  return {
    index,
    fid,
    firm,
    factoryClass,
    factoryType: industry.factoryType,
    displayRegNo,
    legacyRegNo: `${displayRegNo}${province.abbreviation}`,
    nameTh: ownSite ? firm.nameTh : `${firm.nameTh} สาขา${district.nameTh}`,
    objective: industry.objective,
    houseNo: random.chance(0.4) ? `${random.int(1, 999)}/${random.int(1, 99)}` : String(random.int(1, 999)),
    moo: province.code === '10' || !random.chance(0.7) ? null : String(random.int(1, 15)),
    soi: road && random.chance(0.3) ? `${road} ${random.int(1, 99)}` : null,
    road,
    province,
    district,
    subdistrict,
    estate,
    lat,
    lng,
    tsic: industry.tsic,
    capitalBaht,
    workers,
    horsepower,
    lastUpdate,
    status: STATUS_TABLE.pick(random).status,
    operatorTaxId: random.chance(SHARE_OF_FACTORIES_WITH_TAX_ID) ? firm.juristicId : null,
  };
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

function isoDate(year: number, month: number, day: number): string {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
