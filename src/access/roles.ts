/** Who a client is. Resolvers declare which of these may call them. */
export const ROLES = ['admin', 'ministry', 'analyst', 'bank'] as const;
export type Role = (typeof ROLES)[number];

/** Partner banks and their codes (SME D Bank, EXIM Bank). */
export const BANK_CODES = ['SMED', 'EXIM'] as const;
export type BankCode = (typeof BANK_CODES)[number];

export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);
export const isBankCode = (value: string): value is BankCode => (BANK_CODES as readonly string[]).includes(value);
