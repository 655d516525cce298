import { ROLES, type Role } from '../shared/roles';

export { ROLES, type Role };

/** Partner banks and their codes (SME D Bank, EXIM Bank). */
export const BANK_CODES = ['SMED', 'EXIM'] as const;
export type BankCode = (typeof BANK_CODES)[number];

export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);
export const isBankCode = (value: string): value is BankCode => (BANK_CODES as readonly string[]).includes(value);

/** Roles that see only the firms of an area (a province, or a centre's provinces). */
export const AREA_ROLES = ['province', 'centre'] as const satisfies readonly Role[];
export type AreaRole = (typeof AREA_ROLES)[number];
export const isAreaRole = (role: Role): role is AreaRole => (AREA_ROLES as readonly Role[]).includes(role);
