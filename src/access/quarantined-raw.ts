import { MASK } from '../shared/mask';

/**
 * What of a quarantined row the API shows (issue 14): its shape, not the person. An admin fixing a
 * feed sees every field and the non-personal values; directors' names, individual shareholders'
 * names and personal IDs, and the name and tax ID of a factory operator or TISI licensee that is
 * not a juristic person are replaced by `***`, for every role (nothing grants them: the clear text
 * stays in the database for whoever administers it). Any other value shaped like a Thai personal
 * ID (13 digits not starting with 0) is masked as well, wherever it sits.
 */

const digitsOf = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? String(value).replace(/\D/g, '') : '');
const isJuristicId = (value: unknown): boolean => /^0\d{12}$/.test(digitsOf(value));
const looksLikePersonalId = (value: string): boolean => /^[1-9]\d{12}$/.test(value.replace(/[\s-]/g, ''));

/** Field pairs (name, tax ID) of an operator or licensee, as DIW's and TISI's feeds name them. */
const PARTY_FIELDS: [string, string][] = [
  ['ONAME', 'TRADE'],
  ['LICENSEE_NAME', 'TAX_ID'],
];

function maskAll(value: unknown, keep: (key: string) => boolean = () => false): unknown {
  if (Array.isArray(value)) return value.map((item) => maskAll(item, keep));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, inner]) => [key, keep(key) ? maskIds(inner) : maskAll(inner, keep)]));
  }
  return value === null || value === undefined || value === '' ? value : MASK;
}

function maskIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskIds);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, inner]) => [key, maskIds(inner)]));
  return typeof value === 'string' && looksLikePersonalId(value) ? MASK : value;
}

function maskShareholder(entry: unknown): unknown {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return maskAll(entry);
  const shareholder = entry as Record<string, unknown>;
  // A juristic person holding shares is business data; anyone else is a person.
  if (isJuristicId(shareholder['juristicId']) && shareholder['personalId'] == null) return maskIds(shareholder);
  return maskAll(shareholder, (key) => key === 'nationality' || key === 'shares' || key === 'juristicId');
}

export function maskQuarantinedRaw(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return maskIds(raw);
  const row: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  for (const [nameField, idField] of PARTY_FIELDS) {
    if (!(nameField in row) && !(idField in row)) continue;
    if (isJuristicId(row[idField])) continue;
    if (nameField in row) row[nameField] = maskAll(row[nameField]);
    if (idField in row) row[idField] = maskAll(row[idField]);
  }
  if ('directors' in row) row['directors'] = maskAll(row['directors'], (key) => key === 'position');
  if (Array.isArray(row['shareholders'])) row['shareholders'] = row['shareholders'].map(maskShareholder);
  else if ('shareholders' in row) row['shareholders'] = maskAll(row['shareholders']);
  return maskIds(row);
}
