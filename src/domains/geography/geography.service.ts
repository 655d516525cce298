import { DomainError } from '../../platform/errors/domain-error';
import { ProvinceIndex } from '../../reference/province';
import type { ReferenceRepository, ReferenceTables } from '../reference/reference.repository';
import { type Province, toProvince } from './province.type';
import type { RegionCode } from './region-code';

interface ProvinceCatalogue {
  /** Ascending by code. */
  provinces: readonly Province[];
  byCode: ReadonlyMap<string, Province>;
  /** Finds a province by code, ISO code, Thai or English name and their common spellings. */
  index: ProvinceIndex;
}

/** Provinces and regions, from the cached reference tables (see ReferenceRepository). */
export class GeographyService {
  private built: { tables: ReferenceTables; catalogue: ProvinceCatalogue } | undefined;

  constructor(private readonly repository: ReferenceRepository) {}

  async catalogue(): Promise<ProvinceCatalogue> {
    const tables = await this.repository.load();
    if (this.built?.tables !== tables) {
      const provinces = tables.provinces.map(toProvince);
      this.built = { tables, catalogue: { provinces, byCode: new Map(provinces.map((p) => [p.code, p])), index: new ProvinceIndex(tables.provinces) } };
    }
    return this.built.catalogue;
  }

  async provinces(region: RegionCode | null | undefined): Promise<Province[]> {
    const { provinces } = await this.catalogue();
    return provinces.filter((p) => region === null || region === undefined || p.regionCode === region);
  }

  /** The code of the province a user names, as `province(codeOrName)` reads it; undefined if none. */
  async provinceCode(codeOrName: string): Promise<string | undefined> {
    return (await this.catalogue()).index.find(codeOrName)?.code;
  }

  /** The province a feed's text names, in any spelling the index knows; undefined if none. */
  async provinceNamed(name: string | null): Promise<Province | undefined> {
    const { index, byCode } = await this.catalogue();
    const found = index.find(name);
    return found ? byCode.get(found.code) : undefined;
  }

  /** The Thai name registries write for the province a user names; undefined if none (see FactoryService). */
  async nameOf(codeOrName: string): Promise<string | undefined> {
    return (await this.provinceNamed(codeOrName))?.nameTh;
  }

  /** The Thai names of a region's provinces, as registries write them. */
  async namesInRegion(region: RegionCode): Promise<string[]> {
    return (await this.provinces(region)).map((p) => p.nameTh);
  }

  async province(codeOrName: string): Promise<Province> {
    const { index, byCode } = await this.catalogue();
    const found = index.find(codeOrName);
    if (!found) throw new DomainError('NOT_FOUND', `no province "${codeOrName}": give its code (20), ISO code (TH-20), Thai or English name`);
    return byCode.get(found.code)!;
  }
}
