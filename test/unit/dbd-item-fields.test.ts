import { DbdEpoch } from '../../src/simulator/dbd/dbd-listing';
import { companyItem, financialItem, withColumnFault } from '../../src/simulator/dbd/dbd.feed';
import type { SimulatorOptions } from '../../src/simulator/simulator';
import { FISCAL_YEARS } from '../../src/simulator/world/firm-profile';
import { COMPANY_ITEM_FIELDS, FINANCIAL_ITEM_FIELDS } from '../../src/sources/dbd/dbd.mapper';
import { checkItemFields } from '../../src/sources/dbd/item-fields';

const FIELDS = { required: ['id', 'name'], optional: ['province', 'nameEn'] } as const;

describe('checkItemFields: schema drift in a JSON item listing', () => {
  test('complete items: nothing missing, nothing unknown', () => {
    expect(checkItemFields([{ id: 1, name: 'a', province: 'x', nameEn: 'A' }], FIELDS)).toEqual({ missing: [], absentOptional: [], unknown: [], objects: 1 });
  });

  test('a required field is missing only when absent from every item; null counts as present', () => {
    expect(checkItemFields([{ id: 1 }, { id: 2 }], FIELDS).missing).toEqual(['name']);
    expect(checkItemFields([{ id: 1 }, { id: 2, name: 'b' }], FIELDS).missing).toEqual([]); // one bad item: the mapper quarantines it
    expect(checkItemFields([{ id: 1, name: null }], FIELDS).missing).toEqual([]);
    expect(checkItemFields([{ name: 'a' }, { name: 'b' }], FIELDS).missing).toEqual(['id']);
  });

  test('an optional field left out when null on some items is not reported; absent from all, it is', () => {
    expect(checkItemFields([{ id: 1, name: 'a', province: 'x' }, { id: 2, name: 'b' }], FIELDS).absentOptional).toEqual(['nameEn']);
    expect(checkItemFields([{ id: 1, name: 'a', province: 'x', nameEn: 'A' }, { id: 2, name: 'b' }], FIELDS).absentOptional).toEqual([]);
  });

  test('unknown fields are listed once each, in order of appearance; names match exactly', () => {
    const check = checkItemFields([{ id: 1, Name: 'a', extra: 1 }, { id: 2, Name: 'b', more: 2, extra: 3 }], FIELDS);
    expect(check.unknown).toEqual(['Name', 'extra', 'more']);
    expect(check.missing).toEqual(['name']);
  });

  test('items that are not objects are left to the mapper; a page without objects (or without items) says nothing', () => {
    expect(checkItemFields([null, 'x', [1], { id: 1, name: 'a' }], FIELDS)).toMatchObject({ missing: [], objects: 1 });
    expect(checkItemFields([null, 42], FIELDS)).toEqual({ missing: [], absentOptional: [], unknown: [], objects: 0 });
    expect(checkItemFields([], FIELDS)).toEqual({ missing: [], absentOptional: [], unknown: [], objects: 0 });
  });
});

describe('the declared DBD item fields against the simulator', () => {
  const options: SimulatorOptions = { seed: 7, scale: 400, quirkRate: 1, badRowRate: 0.2 };
  const world = new DbdEpoch(options.seed, options.scale, 0);
  const companies = Array.from({ length: 200 }, (_, index) => companyItem(options, world, index));
  const statements = Array.from({ length: 100 }, (_, index) => FISCAL_YEARS.map((year) => financialItem(options, world, index, year))).flat();

  test('every field of a simulated item, quirks and bad records included, is declared, and none is absent', () => {
    expect(checkItemFields(companies, COMPANY_ITEM_FIELDS)).toEqual({ missing: [], absentOptional: [], unknown: [], objects: companies.length });
    expect(checkItemFields(statements, FINANCIAL_ITEM_FIELDS)).toEqual({ missing: [], absentOptional: [], unknown: [], objects: statements.length });
  });

  test('the simulator’s column faults are found: a missing field, a renamed one, an extra one', () => {
    expect(checkItemFields(withColumnFault('companies', companies, 'missing-column'), COMPANY_ITEM_FIELDS)).toMatchObject({ missing: ['nameTh'], unknown: [] });
    expect(checkItemFields(withColumnFault('companies', companies, 'renamed-column'), COMPANY_ITEM_FIELDS)).toMatchObject({ missing: ['juristicId'], unknown: ['juristicNo'] });
    expect(checkItemFields(withColumnFault('companies', companies, 'extra-column'), COMPANY_ITEM_FIELDS)).toMatchObject({ missing: [], unknown: ['businessSize'] });
    expect(checkItemFields(withColumnFault('financials', statements, 'missing-column'), FINANCIAL_ITEM_FIELDS)).toMatchObject({ missing: ['unit'], unknown: [] });
    expect(checkItemFields(withColumnFault('financials', statements, 'renamed-column'), FINANCIAL_ITEM_FIELDS)).toMatchObject({ missing: ['juristicId'], unknown: ['juristicNo'] });
    expect(checkItemFields(withColumnFault('financials', statements, 'extra-column'), FINANCIAL_ITEM_FIELDS)).toMatchObject({ missing: [], unknown: ['costOfSales'] });
  });
});
