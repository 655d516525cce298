import { firmAt } from '../../src/simulator/world/world';
import { normaliseCompanyName } from '../../src/sources/dbd/company-name';

describe('normaliseCompanyName (the linking key)', () => {
  test.each([
    'บริษัท ศรีทองฟู้ดส์ จำกัด',
    'บริษัทศรีทองฟู้ดส์จำกัด',
    'บจก. ศรีทองฟู้ดส์',
    'บจก.ศรีทองฟู้ดส์',
    'บจก ศรีทองฟู้ดส์',
    'ศรีทองฟู้ดส์ จำกัด',
    'บริษัท ศรีทองฟู้ดส์ จำกัด (มหาชน)',
    'บริษัท ศรีทองฟู้ดส์ จำกัด(มหาชน)',
    'บมจ. ศรีทองฟู้ดส์',
    'ห้างหุ้นส่วนจำกัด ศรีทองฟู้ดส์',
    'หจก. ศรีทองฟู้ดส์',
    'หจก.ศรีทองฟู้ดส์',
    '  บริษัท   ศรีทอง ฟู้ดส์  จำกัด ',
    'บริษัท ศรีทองฟู้ดส์ จํากัด', // two-character sara am
    'บริษัท ศรีทองฟู้ดส์ จำกัด'.normalize('NFD'),
    '="บริษัท ศรีทองฟู้ดส์ จำกัด"',
    'บริษัท ศรีทอง-ฟู้ดส์ จำกัด',
    'บริษัท ศรีทองฟู้ดส์ จำกัด (สำนักงานใหญ่)',
    'บจก. ศรีทองฟู้ดส์ สำนักงานใหญ่',
  ])('%j -> ศรีทองฟู้ดส์', (name) => {
    expect(normaliseCompanyName(name)).toBe('ศรีทองฟู้ดส์');
  });

  test('keeps what tells firms apart: (ประเทศไทย), numbers, words inside the name', () => {
    expect(normaliseCompanyName('บริษัท ศรีทองฟู้ดส์ (ประเทศไทย) จำกัด')).toBe('ศรีทองฟู้ดส์ประเทศไทย');
    expect(normaliseCompanyName('บจก. ศรีทองฟู้ดส์ (ประเทศไทย)')).toBe('ศรีทองฟู้ดส์ประเทศไทย');
    expect(normaliseCompanyName('บริษัท ศรีทองฟู้ดส์ ๒ จำกัด')).toBe('ศรีทองฟู้ดส์2');
    expect(normaliseCompanyName('บริษัท ไม่จำกัดฟู้ดส์ จำกัด')).toBe('ไม่จำกัดฟู้ดส์');
    expect(normaliseCompanyName('บริษัท ศรีทองฟู้ดส์ จำกัด')).not.toBe(normaliseCompanyName('บริษัท ศรีทองฟู้ด จำกัด'));
  });

  test.each([
    ['Srithong Foods Co., Ltd.', 'srithongfoods'],
    ['SRITHONG FOODS CO.,LTD.', 'srithongfoods'],
    ['Srithong Foods Company Limited', 'srithongfoods'],
    ['Srithong Foods Public Company Limited', 'srithongfoods'],
    ['Srithong Foods PCL', 'srithongfoods'],
    ['Srithong Foods (Thailand) Co., Ltd.', 'srithongfoodsthailand'],
    ['Srithong Foods Limited Partnership', 'srithongfoods'],
    ['Unlimited Foods Co., Ltd.', 'unlimitedfoods'],
    ['Srithong Foods Co., Ltd. (Head Office)', 'srithongfoods'],
  ])('English: %j -> %j', (name, key) => {
    expect(normaliseCompanyName(name)).toBe(key);
  });

  test('a name made only of form words has an empty key; the form alone is not stripped from itself', () => {
    expect(normaliseCompanyName('')).toBe('');
    expect(normaliseCompanyName('-')).toBe('');
    expect(normaliseCompanyName('บริษัท')).toBe('บริษัท');
  });

  test('every simulated firm keeps a distinct key across its name variants', () => {
    const keys = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const firm = firmAt(5, i);
      const key = normaliseCompanyName(firm.nameTh);
      expect(key.length).toBeGreaterThan(3);
      expect(key).not.toMatch(/บริษัท|จำกัด|มหาชน|ห้างหุ้นส่วน|\s/);
      keys.add(key);
    }
    expect(keys.size).toBe(3000);
  });
});
