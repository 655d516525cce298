/** What the API shows instead of withheld personal data. */
export const MASK = '***';
