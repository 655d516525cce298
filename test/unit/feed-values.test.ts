import { asciiDigits, cleanCode, cleanText, commonEraYear } from '../../src/sources/common/feed-values';

/**
 * The text cleaning every source shares (DBD's JSON, DIW's, TISI's and OIE's CSV, DIP's CKAN): a
 * name must clean the same whichever agency wrote it, or linking by name would miss.
 */

/** The slow path, written out: what cleanText must return for any input, clean-looking or not. */
function reference(value: string): string | null {
  const excel = /^\s*="(.*)"\s*$/s.exec(value);
  const cleaned = (excel ? excel[1]! : value)
    .normalize('NFC')
    .replace(/\u0E4D([\u0E48-\u0E4B]?)\u0E32/g, '$1\u0E33')
    .replace(/[\u200B-\u200D\u2060\uFEFF]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return ['', '-', '--', 'N/A', 'NULL', 'NONE'].includes(cleaned.toUpperCase()) ? null : cleaned;
}

describe('cleanText', () => {
  test.each([
    ['U+200B', '\u200B'],
    ['U+200C', '\u200C'],
    ['U+200D', '\u200D'],
    ['U+2060', '\u2060'],
    ['U+FEFF', '\uFEFF'],
  ])('drops the zero-width character %s', (_name, zeroWidth) => {
    expect(cleanText(`บริษัท${zeroWidth} สยาม${zeroWidth}จำกัด`)).toBe('บริษัท สยามจำกัด');
  });

  test.each(['', '  ', '-', '--', 'n/a', 'N/A', 'null', 'NULL', 'none', 'None', 'NONE', '="-"'])('the empty marker %j is null', (marker) => {
    expect(cleanText(marker)).toBeNull();
  });

  test('a missing value is null; a number is its text', () => {
    expect(cleanText(undefined)).toBeNull();
    expect(cleanText(null)).toBeNull();
    expect(cleanText(12.5)).toBe('12.5');
  });

  test('Excel quoting, the two-character sara am, out-of-order marks and whitespace', () => {
    expect(cleanText('="0105536112014"')).toBe('0105536112014');
    expect(cleanText('นํ้าตาล')).toBe('น้ำตาล'); // nikhahit, tone mark, sara aa
    expect(cleanText('กํา')).toBe('กำ');
    expect(cleanText('ก\u0E48\u0E38')).toBe('ก\u0E38\u0E48'); // tone mark before vowel below: NFC reorders
    expect(cleanText('  บริษัท\t\tสยาม \n จำกัด ')).toBe('บริษัท สยาม จำกัด');
  });

  test('the fast path for clean text returns what the full cleaning would', () => {
    const samples = [
      'บริษัท สยามอุตสาหกรรม จำกัด',
      'Siam Industry Co., Ltd.',
      'NONE OF THE ABOVE',
      'none',
      '=" ก "',
      'a  b',
      ' a',
      'ก\u0E48\u0E38',
      'ก\u0E38\u0E3A',
      'ABC\u00A0DEF',
      'ห้างหุ้นส่วนจำกัด ๑๒๓',
      'ํา',
    ];
    for (const sample of samples) expect(cleanText(sample)).toBe(reference(sample));
  });
});

test('Thai digits, codes and Buddhist-Era years', () => {
  expect(asciiDigits('๒๕๖๗-๐๓')).toBe('2567-03');
  expect(cleanCode('="๑๐ ๗๔๑"')).toBe('10741');
  expect(commonEraYear(2567)).toBe(2024);
  expect(commonEraYear(2399)).toBe(2399);
  expect(commonEraYear(2400)).toBe(1857);
});
