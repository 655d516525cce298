import { isValidJuristicId as simulatorIsValid } from '../../src/simulator/world/juristic-id';
import { firmAt } from '../../src/simulator/world/world';
import { checkJuristicId, isValidJuristicId, juristicCheckDigit, normaliseJuristicId } from '../../src/sources/dbd/juristic-id';

describe('juristic ID (the hub\'s own check)', () => {
  test('the domain brief\'s example is valid, and one digit off is not', () => {
    expect(juristicCheckDigit('010553611201')).toBe(4);
    expect(isValidJuristicId('0105536112014')).toBe(true);
    expect(isValidJuristicId('0105536112015')).toBe(false);
  });

  test('a juristic ID starts with 0 and has 13 digits', () => {
    expect(isValidJuristicId('105536112014')).toBe(false);
    expect(isValidJuristicId('01055361120140')).toBe(false);
    const personal = `110170020345`;
    expect(isValidJuristicId(`${personal}${juristicCheckDigit(personal)}`)).toBe(false); // a personal ID, not a juristic one
  });

  test('agrees with the simulator on every firm of a world', () => {
    for (let i = 0; i < 5000; i++) {
      const { juristicId } = firmAt(11, i);
      expect(isValidJuristicId(juristicId)).toBe(true);
      const wrong = `${juristicId.slice(0, 12)}${(Number(juristicId[12]) + 1) % 10}`;
      expect(isValidJuristicId(wrong)).toBe(simulatorIsValid(wrong));
    }
  });

  test.each([
    ['0-10-5-536-11201-4'],
    ['="0105536112014"'],
    ['=" 0-10-5-536-11201-4"'],
    [' 0 10 5 536 11201 4 '],
    ['๐๑๐๕๕๓๖๑๑๒๐๑๔'],
    ['0105536112014\u200B'],
    ['0–10–5–536–11201–4'], // en dashes
  ])('normalises %j to 0105536112014', (written) => {
    expect(normaliseJuristicId(written)).toBe('0105536112014');
    expect(checkJuristicId(written)).toEqual({ ok: true, id: '0105536112014' });
  });

  test.each([
    [undefined, 'juristicId is missing'],
    ['', 'juristicId is empty'],
    ['0105536112015', 'juristicId has an invalid check digit: "0105536112015" ends in 5, expected 4'],
    ['0-10-5-536-11201-5', 'juristicId has an invalid check digit: "0-10-5-536-11201-5" ends in 5, expected 4'],
    ['010553611201', 'juristicId must be 13 digits, got 12 in "010553611201"'],
    [105536112014, 'juristicId must be 13 digits, got 12 in "105536112014" (a JSON number that lost its leading zero?)'],
    ['1105536112014', 'juristicId of a juristic person starts with 0, got "1105536112014"'],
    ['01055361I2014', 'juristicId must contain only digits, got "01055361I2014"'],
    [{ id: 1 }, 'juristicId must be a string, got object'],
  ])('rejects %j with a reason, without guessing', (written, reason) => {
    expect(checkJuristicId(written)).toEqual({ ok: false, reason });
  });
});
