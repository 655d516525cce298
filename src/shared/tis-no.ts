/** A TIS standard number as stored: the number and its Buddhist-Era year, e.g. `2536-2555`. */
export const TIS_NO = /^([1-9][0-9]*)-([0-9]{4})$/;

/**
 * A standard number as users write it (`มอก. 2536-2555`, `2536 - 2555`, `TIS 2536-2555`) in its
 * stored form; undefined when it is not `number-BE year`. The year is not converted: `2536-2012` is
 * refused, not guessed. The one rule every input of a standard number obeys (the `TisNo` scalar).
 */
export function normaliseTisNo(written: string): string | undefined {
  const tisNo = written.normalize('NFC').replace(/^\s*(มอก|TIS)\s*\.?/i, '').replace(/\s/g, '');
  return TIS_NO.test(tisNo) ? tisNo : undefined;
}
