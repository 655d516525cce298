/**
 * What DBD knows about a firm of the world beyond world.ts's identity: capital, status, head-office
 * address, directors, shareholders and yearly financial figures. Pure functions of (seed, firm
 * index), so every feed agrees with every other and any scale streams at constant memory.
 * Proportions are plausible, not measured (assumed): ~85 % of firms active; ~65 % wholly Thai-held.
 */
import type { Random } from '../random';
import { FIRM_STREAMS, randomOf } from './firm-random';
import { foreignCompany, foreignPerson, thaiPerson } from './people';
import { firmAt, type Firm } from './world';

export type FirmStatus = 'active' | 'dissolved' | 'abandoned' | 'bankrupt';

export interface DirectorProfile {
  name: string;
  position: string;
}

export interface ShareholderProfile {
  name: string;
  nationality: string;
  /** Shares held; for a limited partnership, the partner's contribution in baht. */
  shares: number;
  /** Thai individuals: the 13-digit personal ID (personal data). */
  personalId?: string;
  /** Juristic persons holding shares (Thai firms of the world). */
  juristicId?: string;
}

export interface FirmProfile {
  registeredCapitalBaht: number;
  paidUpCapitalBaht: number;
  /** Baht per share (100 for companies, 10 for public companies, 1 for partnerships' contributions). */
  parValueBaht: number;
  status: FirmStatus;
  /** House number, road, subdistrict and district (the province is the firm's). */
  address: string;
  directors: DirectorProfile[];
  /** Empty for ~5 % of firms: DBD has no list. */
  shareholders: ShareholderProfile[];
}

const STATUS_WEIGHTS: readonly [FirmStatus, number][] = [
  ['active', 85],
  ['dissolved', 8],
  ['abandoned', 5],
  ['bankrupt', 2],
];

type Ownership = 'thai' | 'mixed' | 'foreign' | 'unlisted';
const OWNERSHIP_WEIGHTS: readonly [Ownership, number][] = [
  ['thai', 65],
  ['mixed', 20],
  ['foreign', 10],
  ['unlisted', 5],
];

function weighted<T>(random: Random, table: readonly [T, number][]): T {
  const total = table.reduce((sum, [, weight]) => sum + weight, 0);
  let target = random.next() * total;
  for (const [value, weight] of table) {
    target -= weight;
    if (target < 0) return value;
  }
  return table[0]![0];
}

export function firmProfile(seed: number, firm: Firm): FirmProfile {
  const capital = randomOf(seed, FIRM_STREAMS.capital, firm.index);
  const [low, high] = firm.industry.capitalBaht;
  const registeredCapitalBaht = Math.max(100_000, Math.round(capital.logUniform(low, high) / 100_000) * 100_000);
  const paidUpCapitalBaht = Math.round(registeredCapitalBaht * capital.pick([1, 1, 1, 0.5, 0.25]));
  const parValueBaht = firm.kind === 'public-company' ? 10 : firm.kind === 'limited-partnership' ? 1 : 100;
  return {
    registeredCapitalBaht,
    paidUpCapitalBaht,
    parValueBaht,
    status: weighted(randomOf(seed, FIRM_STREAMS.status, firm.index), STATUS_WEIGHTS),
    address: addressOf(seed, firm),
    directors: directorsOf(seed, firm),
    shareholders: shareholdersOf(seed, firm, registeredCapitalBaht / parValueBaht),
  };
}

function addressOf(seed: number, firm: Firm): string {
  const random = randomOf(seed, FIRM_STREAMS.address, firm.index);
  const { province } = firm;
  const district = random.pick(province.districts);
  const subdistrict = random.pick(district.subdistricts);
  const house = random.chance(0.4) ? `${random.int(1, 999)}/${random.int(1, 99)}` : String(random.int(1, 999));
  const bangkok = province.code === '10';
  const moo = !bangkok && random.chance(0.6) ? ` หมู่ที่ ${random.int(1, 15)}` : '';
  const road = random.chance(0.7) ? ` ถนน${random.pick(province.roads)}` : '';
  return `${house}${moo}${road} ${bangkok ? 'แขวง' : 'ตำบล'}${subdistrict} ${bangkok ? 'เขต' : 'อำเภอ'}${district.nameTh}`;
}

export function directorsOf(seed: number, firm: Firm): DirectorProfile[] {
  const random = randomOf(seed, FIRM_STREAMS.directors, firm.index);
  if (firm.kind === 'limited-partnership') {
    return [{ name: thaiPerson(random).name, position: 'หุ้นส่วนผู้จัดการ' }];
  }
  const count = firm.kind === 'public-company' ? random.int(5, 9) : random.int(1, 4);
  return Array.from({ length: count }, (_, i) => {
    const person = random.chance(0.15) ? foreignPerson(random) : thaiPerson(random);
    const position = firm.kind === 'public-company' && i === 0 ? 'ประธานกรรมการ' : i === 0 || (firm.kind === 'public-company' && i === 1) ? 'กรรมการผู้จัดการ' : 'กรรมการ';
    return { name: person.name, position };
  });
}

/** Shareholders and their shares, adding up to `totalShares`. */
export function shareholdersOf(seed: number, firm: Firm, totalShares: number): ShareholderProfile[] {
  const random = randomOf(seed, FIRM_STREAMS.shareholders, firm.index);
  const ownership = weighted(random, OWNERSHIP_WEIGHTS);
  if (ownership === 'unlisted') return [];
  const foreignShare = ownership === 'thai' ? 0 : ownership === 'mixed' ? random.int(10, 49) / 100 : random.int(51, 100) / 100;
  const foreignTotal = Math.round(totalShares * foreignShare);
  const thaiHolders = foreignTotal === totalShares ? [] : Array.from({ length: random.int(1, 4) }, () => thaiHolder(seed, firm, random));
  const foreignHolders = foreignTotal === 0 ? [] : Array.from({ length: random.int(1, 2) }, () => (random.chance(0.6) ? foreignCompany(random) : foreignPerson(random)));
  return [...split(thaiHolders, totalShares - foreignTotal, random), ...split(foreignHolders, foreignTotal, random)];
}

function thaiHolder(seed: number, firm: Firm, random: Random): Omit<ShareholderProfile, 'shares'> {
  // Sometimes an earlier firm of the world holds shares (group companies); it exists at any scale.
  if (firm.index > 0 && random.chance(0.15)) {
    const parent = firmAt(seed, random.int(0, firm.index - 1));
    return { name: parent.nameTh, nationality: 'ไทย', juristicId: parent.juristicId };
  }
  const person = thaiPerson(random);
  return { name: person.name, nationality: person.nationality, personalId: person.personalId! };
}

/** Splits `total` shares among holders with random weights; whole shares, adding up exactly. */
function split(holders: Omit<ShareholderProfile, 'shares'>[], total: number, random: Random): ShareholderProfile[] {
  if (holders.length === 0) return [];
  const weights = holders.map(() => 0.2 + random.next());
  const sum = weights.reduce((a, b) => a + b, 0);
  let left = total;
  return holders.map((holder, i) => {
    const shares = i === holders.length - 1 ? left : Math.floor((total * weights[i]!) / sum);
    left -= shares;
    return { ...holder, shares };
  });
}

/** Fiscal years the simulated DBD has statements for (simplification: also for firms registered later). */
export const FISCAL_YEARS = [2021, 2022, 2023] as const;

export interface FinancialYear {
  fiscalYear: number;
  /** Whole baht. */
  revenue: number;
  totalAssets: number;
  fixedAssets: number;
  liabilities: number;
  equity: number;
  netProfit: number;
  employees: number;
}

/**
 * A firm's statements for FISCAL_YEARS: revenue from its head count (0.6-5 M baht per employee, the
 * industry's usual head count), growing or shrinking by up to a fifth a year; assets, debts and
 * profit as plausible ratios of revenue. Whole baht.
 */
export function firmFinancials(seed: number, firm: Firm): FinancialYear[] {
  const random = randomOf(seed, FIRM_STREAMS.financials, firm.index);
  let employees = Math.max(1, Math.round(random.logUniform(...firm.industry.workers)));
  let revenue = employees * random.logUniform(600_000, 5_000_000);
  const years: FinancialYear[] = [];
  for (const fiscalYear of FISCAL_YEARS) {
    const totalAssets = Math.round(revenue * (0.5 + random.next()));
    const liabilities = Math.round(totalAssets * (0.2 + 0.7 * random.next()));
    years.push({
      fiscalYear,
      revenue: Math.round(revenue),
      totalAssets,
      fixedAssets: Math.round(totalAssets * (0.25 + 0.4 * random.next())),
      liabilities,
      equity: totalAssets - liabilities,
      netProfit: Math.round(revenue * (-0.08 + 0.23 * random.next())),
      employees,
    });
    revenue *= 0.85 + 0.4 * random.next();
    employees = Math.max(1, Math.round(employees * (0.9 + 0.25 * random.next())));
  }
  return years;
}
