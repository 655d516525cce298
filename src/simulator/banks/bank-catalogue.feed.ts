/**
 * The partner banks' loan product catalogues as the simulator serves them (format: see
 * src/sources/banks/README.md). Seeded from the public facts in the domain brief; where the brief is
 * silent (terms, rates, the Industry 4.0 and S-curve products) the values are assumed. Criteria the
 * hub's data cannot check (no non-performing loan, collateral) are left to the bank, in the notes.
 *
 * A catalogue is a handful of products, so it does not depend on the seed or scale. `edition: 2` is
 * the same catalogue after a revision (one rule set tightened, one rate reworded); `badRule` breaks
 * one product's rules, as a bank's editing slip would.
 */
import type { JsonValue } from '../../shared/json';

export type SimulatedBank = 'SMED' | 'EXIM';

export interface CatalogueOptions {
  edition: 1 | 2;
  badRule: boolean;
}

type Product = { [key: string]: JsonValue };

/** SME D Bank's general rule: ≤ 200 employees or ≤ 500 M baht revenue or ≤ 200 M fixed assets. */
const SMED_GENERAL = {
  kind: 'anyOf',
  id: 'smed-general',
  note: 'ลูกจ้างไม่เกิน 200 คน หรือรายได้ไม่เกิน 500 ล้านบาท หรือสินทรัพย์ถาวรไม่รวมที่ดินไม่เกิน 200 ล้านบาท',
  criteria: [
    { kind: 'employees', atMost: 200 },
    { kind: 'revenueBaht', atMost: 500_000_000 },
    { kind: 'fixedAssetsBaht', atMost: 200_000_000 },
  ],
};

const ACTIVE = { kind: 'activeStatus', note: 'ไม่เป็นบุคคลล้มละลาย และกิจการยังดำเนินอยู่' };
const JURISTIC = { kind: 'juristicType', in: ['COMPANY', 'PUBLIC_COMPANY', 'LIMITED_PARTNERSHIP', 'ORDINARY_PARTNERSHIP'] };

function smedProducts({ edition, badRule }: CatalogueOptions): Product[] {
  return [
    {
      productCode: 'SMED-SMALL-1M',
      nameTh: 'สินเชื่อเพื่อผู้ประกอบการรายย่อย',
      nameEn: 'Small-firm loan',
      maxAmountBaht: 1_000_000,
      maxTermMonths: 84,
      rateDescription: '1% ต่อปี (1% a year)',
      policyTheme: 'SME_UPLIFT',
      eligibility: {
        note: 'Checked by the bank: no non-performing loan.',
        criteria: [
          ACTIVE,
          SMED_GENERAL,
          {
            kind: 'anyOf',
            id: 'small-firm',
            criteria: [
              { kind: 'employees', atMost: 50 },
              { kind: 'fixedAssetsBaht', atMost: 50_000_000 },
            ],
          },
          // The revised catalogue asks for a year in business.
          ...(edition === 2 ? [{ kind: 'yearsSinceRegistration', atLeast: 1 }] : []),
        ],
      },
    },
    {
      productCode: 'SMED-THAI-JURISTIC-15M',
      nameTh: 'สินเชื่อนิติบุคคลไทย',
      nameEn: 'Thai-owned juristic person loan',
      maxAmountBaht: 15_000_000,
      maxTermMonths: 120,
      rateDescription: 'MLR - 1% ต่อปี (assumed)',
      policyTheme: 'SME_UPLIFT',
      eligibility: {
        note: 'Checked by the bank: no debt restructuring in the last 12 months.',
        criteria: [JURISTIC, ACTIVE, { kind: 'thaiShareholdingPct', moreThan: badRule ? '50%' : 50, note: 'ผู้ถือหุ้นสัญชาติไทยมากกว่าร้อยละ 50' }, SMED_GENERAL],
      },
    },
    {
      productCode: 'SMED-I40-UPGRADE',
      nameTh: 'สินเชื่อยกระดับสู่อุตสาหกรรม 4.0',
      nameEn: 'Industry 4.0 upgrading loan',
      maxAmountBaht: 10_000_000,
      maxTermMonths: 96,
      rateDescription: '3% ต่อปี 3 ปีแรก (assumed)',
      policyTheme: 'INDUSTRY_4_0',
      eligibility: {
        criteria: [ACTIVE, { kind: 'smeSize', in: ['MICRO', 'SMALL', 'MEDIUM'] }, { kind: 'operatingFactory' }, { kind: 'i40Level', atLeast: 2 }],
      },
    },
  ];
}

function eximProducts({ edition, badRule }: CatalogueOptions): Product[] {
  return [
    {
      productCode: 'EXIM-EXPORT-LIQUIDITY-20M',
      nameTh: 'สินเชื่อเสริมสภาพคล่องเพื่อการส่งออก',
      nameEn: 'Export liquidity loan',
      maxAmountBaht: 20_000_000,
      maxTermMonths: 12,
      rateDescription: edition === 2 ? 'Prime rate - 1.5% a year (assumed)' : 'Prime rate - 1% a year (assumed)',
      policyTheme: 'EXPORT',
      eligibility: {
        note: 'Exporters and manufacturers for export. Checked by the bank: collateral of at least 40 % or a credit-guarantee letter.',
        criteria: [JURISTIC, ACTIVE, { kind: 'operatingFactory', note: 'a manufacturer (exporters without a plant apply to the bank directly)' }],
      },
    },
    {
      productCode: 'EXIM-EEC-CREDIT-LINE',
      nameTh: 'วงเงินสินเชื่อระยะยาวสำหรับผู้ประกอบการในเขตพัฒนาพิเศษภาคตะวันออก',
      nameEn: 'EEC long-term credit line',
      maxAmountBaht: null,
      maxTermMonths: 180,
      rateDescription: 'by agreement (assumed)',
      policyTheme: 'AREA_DEVELOPMENT',
      eligibility: { criteria: [JURISTIC, ACTIVE, badRule ? { kind: 'location', eec: 'yes' } : { kind: 'location', eec: true }] },
    },
    {
      productCode: 'EXIM-S-CURVE',
      nameTh: 'สินเชื่อเพื่ออุตสาหกรรมเป้าหมาย S-Curve',
      nameEn: 'S-curve target industry loan',
      maxAmountBaht: 50_000_000,
      maxTermMonths: 84,
      rateDescription: '2.5% ต่อปี 2 ปีแรก (assumed)',
      policyTheme: 'TARGET_INDUSTRY',
      eligibility: {
        criteria: [
          ACTIVE,
          { kind: 'yearsSinceRegistration', atLeast: 2 },
          { kind: 'targetIndustry', in: ['NEXT_GEN_AUTOMOTIVE', 'SMART_ELECTRONICS', 'ROBOTICS', 'AVIATION_LOGISTICS', 'BIOFUELS_BIOCHEMICALS', 'DIGITAL', 'MEDICAL_HUB'] },
          { kind: 'anyOf', criteria: [{ kind: 'tisiLicence' }, { kind: 'i40Level', atLeast: 3 }] },
        ],
      },
    },
  ];
}

export interface BankCatalogue {
  bank: SimulatedBank;
  publishedOn: string;
  products: Product[];
}

export function bankCatalogue(bank: SimulatedBank, options: CatalogueOptions): BankCatalogue {
  return {
    bank,
    publishedOn: options.edition === 2 ? '2024-10-01' : '2024-04-01',
    products: bank === 'SMED' ? smedProducts(options) : eximProducts(options),
  };
}
