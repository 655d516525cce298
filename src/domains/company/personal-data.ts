import type { GraphQLContext } from '../api-context';

export { MASK } from '../../shared/mask';

/**
 * Whether the caller may see personal data that no consent covers: TISI licensees that are not
 * companies (individuals). No role may. Directors and shareholders of a company are shown to a bank
 * the company consented to, and to no one else (`consentGatedRead` in ../consent/consent.loaders.ts).
 */
export function mayReadPersonalData(_ctx: GraphQLContext): boolean {
  return false;
}
