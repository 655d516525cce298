import type { Province } from './reference-data';

/**
 * Finds a province by the names feeds write: Thai (`ชลบุรี`, `จ.ชลบุรี`, `จังหวัดชลบุรี`, `กรุงเทพฯ`,
 * `กทม.`), English in any spacing or case (`Chon Buri`, `CHONBURI`, `Krung Thep Maha Nakhon`),
 * the 2-digit code (`20`) or the ISO code (`TH-20`).
 */
export class ProvinceIndex {
  private readonly byKey = new Map<string, Province>();

  constructor(readonly provinces: readonly Province[]) {
    for (const province of provinces) {
      for (const key of [province.code, province.isoCode, province.nameTh, province.nameEn]) this.byKey.set(provinceKey(key), province);
    }
    const bangkok = provinces.find((province) => province.code === '10');
    if (bangkok) for (const alias of BANGKOK_ALIASES) this.byKey.set(provinceKey(alias), bangkok);
  }

  find(name: string | null | undefined): Province | null {
    if (name === null || name === undefined) return null;
    const key = provinceKey(name);
    return key === '' ? null : (this.byKey.get(key) ?? null);
  }
}

const BANGKOK_ALIASES = ['กรุงเทพฯ', 'กรุงเทพ', 'กทม', 'กทม.', 'กรุงเทพมหานคร', 'Krung Thep Maha Nakhon', 'Krung Thep', 'Bangkok Metropolis'];

/** NFC, sara am folded, `จังหวัด` / `จ.` removed, Latin lower-cased, spaces and punctuation dropped. */
export function provinceKey(name: string): string {
  return name
    .normalize('NFC')
    .replace(/\u0e4d\u0e32/g, '\u0e33')
    .trim()
    .replace(/^(จังหวัด|จ\.)\s*/, '')
    .replace(/^province of\s+/i, '')
    .replace(/\s+province$/i, '')
    .toLowerCase()
    .replace(/[\s.\-_'ฯ]/g, '');
}
