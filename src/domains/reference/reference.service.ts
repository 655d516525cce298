import { DomainError } from '../../platform/errors/domain-error';
import { normaliseTsicCode } from '../../reference/tsic';
import { type IndustryClass, type IndustryClassLevel, toIndustryClass } from './industry-class.type';
import type { ReferenceRepository, ReferenceTables } from './reference.repository';
import { type TargetIndustry, toTargetIndustry } from './target-industry.type';

/** The TSIC tree and the target industries as API objects, indexed once per load of the tables. */
export interface IndustryCatalogue {
  classByCode: ReadonlyMap<string, IndustryClass>;
  /** Children of each code, ascending by code. */
  childrenByCode: ReadonlyMap<string, readonly IndustryClass[]>;
  /** In display order. */
  targetIndustries: readonly TargetIndustry[];
  targetIndustryByCode: ReadonlyMap<string, TargetIndustry>;
}

/** Ascending by code, the same in every locale (section letters after the digits). */
export const byCode = (a: { code: string }, b: { code: string }): number => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

function buildCatalogue(tables: ReferenceTables): IndustryCatalogue {
  const classByCode = new Map([...tables.tsic.values()].map((entry) => [entry.code, toIndustryClass(entry)]));
  const childrenByCode = new Map<string, IndustryClass[]>();
  for (const entry of classByCode.values()) {
    if (entry.parentCode !== null) (childrenByCode.get(entry.parentCode) ?? childrenByCode.set(entry.parentCode, []).get(entry.parentCode)!).push(entry);
  }
  for (const children of childrenByCode.values()) children.sort(byCode);
  const targetIndustries = tables.targetIndustries.map((row) =>
    toTargetIndustry(
      row,
      tables.mappingVersion,
      tables.targetIndustryTsic.filter((m) => m.industryCode === row.code).map((m) => m.tsicPrefix).sort(),
    ),
  );
  return { classByCode, childrenByCode, targetIndustries, targetIndustryByCode: new Map(targetIndustries.map((t) => [t.code, t])) };
}

/** TSIC 2009 classes and target industries: lookups with clear errors for what users type. */
export class ReferenceService {
  private built: { tables: ReferenceTables; catalogue: IndustryCatalogue } | undefined;

  constructor(private readonly repository: ReferenceRepository) {}

  async catalogue(): Promise<IndustryCatalogue> {
    const tables = await this.repository.load();
    if (this.built?.tables !== tables) this.built = { tables, catalogue: buildCatalogue(tables) };
    return this.built.catalogue;
  }

  /**
   * The most specific class the reference data has for a TSIC code: the code itself or its longest
   * known prefix (DBD gives 5-digit subclasses; the reference data stops at 4-digit classes).
   */
  static mostSpecificClass(catalogue: IndustryCatalogue, tsicCode: string | null): IndustryClass | undefined {
    const code = normaliseTsicCode(tsicCode);
    if (code === null) return undefined;
    for (let length = code.length; length >= 1; length--) {
      const found = catalogue.classByCode.get(code.slice(0, length));
      if (found) return found;
    }
    return undefined;
  }

  private static checkCode(code: string, argument: string): string {
    const trimmed = code.trim().toUpperCase();
    // A section letter, or 2-5 digits (Thai digits and separators accepted as in the feeds).
    const normalised = /^[A-U]$/.test(trimmed) ? trimmed : normaliseTsicCode(trimmed);
    if (normalised === null) throw new DomainError('BAD_USER_INPUT', `"${code}" is not a TSIC code: a section letter (C) or 2 to 5 digits (10, 1072)`, { argument });
    return normalised;
  }

  async industryClass(code: string): Promise<IndustryClass> {
    const normalised = ReferenceService.checkCode(code, 'code');
    const found = (await this.catalogue()).classByCode.get(normalised);
    if (!found) throw new DomainError('NOT_FOUND', `no TSIC entry ${normalised} in the reference data`);
    return found;
  }

  /** Classes at a level and/or below a parent, ascending by code; everything when neither is given. */
  async industryClasses(level: IndustryClassLevel | null | undefined, parentCode: string | null | undefined): Promise<IndustryClass[]> {
    const catalogue = await this.catalogue();
    let classes: readonly IndustryClass[] = [...catalogue.classByCode.values()];
    if (parentCode !== null && parentCode !== undefined) {
      const parent = ReferenceService.checkCode(parentCode, 'parentCode');
      if (!catalogue.classByCode.has(parent)) throw new DomainError('NOT_FOUND', `no TSIC entry ${parent} in the reference data`, { argument: 'parentCode' });
      classes = catalogue.childrenByCode.get(parent) ?? [];
    }
    return classes.filter((c) => level === null || level === undefined || c.level === level).sort(byCode);
  }

  async targetIndustries(): Promise<readonly TargetIndustry[]> {
    return (await this.catalogue()).targetIndustries;
  }
}
