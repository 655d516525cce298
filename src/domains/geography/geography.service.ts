import { DomainError } from '../../platform/errors/domain-error';
import { ProvinceIndex } from '../../reference/province';
import type { ReferenceRepository, ReferenceTables } from '../reference/reference.repository';
import { type PromotionCentre, type ProvinceGroup, toPromotionCentre, toProvinceGroup } from './promotion-area.type';
import { type Province, toProvince } from './province.type';
import type { RegionCode } from './region-code';

interface ProvinceCatalogue {
  /** Ascending by code. */
  provinces: readonly Province[];
  byCode: ReadonlyMap<string, Province>;
  /** Finds a province by code, ISO code, Thai or English name and their common spellings. */
  index: ProvinceIndex;
  /** The 11 centres by number, and the codes of the provinces each serves (ascending). */
  centres: readonly PromotionCentre[];
  centreByNumber: ReadonlyMap<number, PromotionCentre>;
  provinceCodesOfCentre: ReadonlyMap<number, readonly string[]>;
  /** The 6 groups in the order of the six-region scheme, and their provinces' codes. */
  groups: readonly ProvinceGroup[];
  groupByCode: ReadonlyMap<string, ProvinceGroup>;
  provinceCodesOfGroup: ReadonlyMap<string, readonly string[]>;
}

/** The provinces of an area (a centre, a group) as a filter or a list applies them: codes, and the Thai names registries write. */
export interface AreaProvinces {
  codes: string[];
  names: string[];
}

function buildCatalogue(tables: ReferenceTables): ProvinceCatalogue {
  const provinces = tables.provinces.map(toProvince);
  const centres = tables.promotionCentres.map(toPromotionCentre);
  const groups = tables.provinceGroups.map(toProvinceGroup);
  return {
    provinces,
    byCode: new Map(provinces.map((p) => [p.code, p])),
    index: new ProvinceIndex(tables.provinces),
    centres,
    centreByNumber: new Map(centres.map((c) => [c.number, c])),
    provinceCodesOfCentre: new Map(centres.map((c) => [c.number, provinces.filter((p) => p.promotionCentre === c.number).map((p) => p.code)])),
    groups,
    groupByCode: new Map(groups.map((g) => [g.code, g])),
    provinceCodesOfGroup: new Map(groups.map((g) => [g.code, provinces.filter((p) => p.regionCode === g.regionCode).map((p) => p.code)])),
  };
}

/** Provinces, regions, regional centres and province groups, from the cached reference tables (see ReferenceRepository). */
export class GeographyService {
  private built: { tables: ReferenceTables; catalogue: ProvinceCatalogue } | undefined;

  constructor(private readonly repository: ReferenceRepository) {}

  async catalogue(): Promise<ProvinceCatalogue> {
    const tables = await this.repository.load();
    if (this.built?.tables !== tables) this.built = { tables, catalogue: buildCatalogue(tables) };
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

  async centres(): Promise<readonly PromotionCentre[]> {
    return (await this.catalogue()).centres;
  }

  /** One centre by number; NOT_FOUND outside 1-11. */
  async centre(number: number): Promise<PromotionCentre> {
    const found = (await this.catalogue()).centreByNumber.get(number);
    if (!found) throw new DomainError('NOT_FOUND', `no regional industrial promotion centre ${number}: they are numbered 1 to 11`);
    return found;
  }

  async groups(): Promise<readonly ProvinceGroup[]> {
    return (await this.catalogue()).groups;
  }

  /** One group by code (case-insensitive); NOT_FOUND when none has it. */
  async group(code: string): Promise<ProvinceGroup> {
    const catalogue = await this.catalogue();
    const found = catalogue.groupByCode.get(code.trim().toUpperCase());
    if (!found) throw new DomainError('NOT_FOUND', `no province group "${code}": one of ${[...catalogue.groupByCode.keys()].join(', ')}`);
    return found;
  }

  /** The provinces a centre serves; undefined for a number that is no centre. */
  async centreProvinces(number: number): Promise<AreaProvinces | undefined> {
    const codes = (await this.catalogue()).provinceCodesOfCentre.get(number);
    return codes && this.areaProvinces(codes);
  }

  /** The provinces of a group (by code, case-insensitive); undefined for a code that is no group. */
  async groupProvinces(code: string): Promise<AreaProvinces | undefined> {
    const codes = (await this.catalogue()).provinceCodesOfGroup.get(code.trim().toUpperCase());
    return codes && this.areaProvinces(codes);
  }

  private async areaProvinces(codes: readonly string[]): Promise<AreaProvinces> {
    const { byCode } = await this.catalogue();
    return { codes: [...codes], names: codes.map((code) => byCode.get(code)!.nameTh) };
  }
}
