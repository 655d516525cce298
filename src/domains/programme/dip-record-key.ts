/**
 * A DIP record's key (migration 1763950000000): `registry.dip_record_key` of DIP's natural key, a
 * keyed hash (`dip-` and 64 hex digits) that names no participant, where DIP's own key (a juristic
 * ID, or `name:` and the name a clerk typed) may name a person. The graph's global IDs, the change
 * feed and the exports all key a DIP record by it; unique indexes on these expressions serve a
 * lookup by it.
 */
const ALIAS = /^[a-z][a-z0-9_]*$/;
function checked(alias: string): string {
  if (!ALIAS.test(alias)) throw new Error(`not an SQL alias: ${JSON.stringify(alias)}`);
  return alias;
}

/** A participation's key over the row `alias` of registry.dip_participation (the migration's indexed expression). */
export const participationKeySql = (alias: string): string =>
  `registry.dip_record_key(${checked(alias)}.participant_key || ':' || ${alias}.year::text || ':' || ${alias}.programme_code)`;

/** An assessment's key over the row `alias` of registry.dip_i40_assessment (the migration's indexed expression). */
export const assessmentKeySql = (alias: string): string =>
  `registry.dip_record_key(${checked(alias)}.participant_key || ':' || (${alias}.assessed_on - DATE '2000-01-01')::text)`;

/** A DIP record's key as a client writes it. */
export const DIP_KEY_PATTERN = /^dip-[0-9a-f]{64}$/;
