/**
 * Who a client is: the one list of role names. It lives with the leaves because the configuration
 * (per-role limits) needs it too; src/access/roles.ts re-exports it and src/access/permissions.ts
 * says what each role may do.
 *
 * - admin, ministry, analyst, bank: national roles (analysts see no personal data, banks see one bank).
 * - province: a provincial industry office (สอจ.), or Bangkok's (code 10): the firms of one province.
 * - centre: a regional industrial promotion centre of DIP (ศภ. 1-11): the firms of its provinces.
 * - firm: a firm's own portal key: its own data, its consents, who read it.
 */
export const ROLES = ['admin', 'ministry', 'analyst', 'bank', 'province', 'centre', 'firm'] as const;
export type Role = (typeof ROLES)[number];
