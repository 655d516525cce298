/**
 * THE rule deciding when a record's firm identity is masked, for every path that shows one: the
 * graph's resolvers and read plans, the registry change feed and the bulk exports
 * (src/domains/registry-changes/registry-records.ts). docs/api.md ("Personal data") states it.
 *
 * An agency names the firm behind a record: a TISI licensee, a DIP participant (a programme
 * participation, an Industry 4.0 assessment), a DIW factory's operator. That firm may be a person
 * (a sole trader, or a name a clerk typed), whose name and personal ID are personal data no
 * consent covers (PDPA). So the record's identity (the name and ID the agency gave, and the company
 * the linker found for it, with its method and confidence) is shown only when the firm is known to
 * be a DBD company: linked by its tax ID, or by an exact name (within its province or nationwide).
 * A fuzzy name match, or no link, is not proof enough: masked, for EVERY role (no role is granted
 * personal data without a consent; a bank's consents cover a company's directors and shareholders,
 * src/domains/consent, not other firms' records). A masked record is listed under no company or
 * plant either: listed there it would say whom the masked firm resembles. For the same reason it is
 * in no area by its link (src/access/client-scope.ts): only by its own data.
 *
 * Factory operators add one case: an operator's tax ID that is not a juristic ID is a personal ID,
 * masked whatever the name matched.
 *
 * The change log applies the rule too: an update of a record masked before and after that alters
 * only what the mask withholds (its link, a name or ID kept `***`) is not logged, so the feed does
 * not tell that a hidden link moved. Its triggers hold a frozen copy of the rule (migration
 * 1763980000000; test/integration/registry-changes-masked-relink.test.ts fails when they drift).
 */

/** Link methods that prove the firm is a DBD company (see LinkMethod in src/domains/factory/factory.type.ts). */
export const SURE_LINK_METHODS: readonly string[] = ['TAX_ID', 'EXACT_NAME_PROVINCE', 'EXACT_NAME'];

/** Whether a record linked by `method` (null: not linked) shows its firm's identity. */
export function linkIsSure(method: string | null | undefined): boolean {
  return method !== null && method !== undefined && SURE_LINK_METHODS.includes(method);
}

/** Whether a record's firm identity is masked, whoever asks (see above: no role sees an unsure one). */
export function firmIdentityMasked(linkMethod: string | null | undefined): boolean {
  return !linkIsSure(linkMethod);
}

const ALIAS = /^[a-z][a-z0-9_]*$/;
function checked(alias: string): string {
  if (!ALIAS.test(alias)) throw new Error(`not an SQL alias: ${JSON.stringify(alias)}`);
  return alias;
}

/** linkIsSure over the row `alias` (its `link_method` column), as an SQL condition; never null. */
export function linkIsSureSql(alias: string): string {
  return `coalesce(${checked(alias)}.link_method IN (${SURE_LINK_METHODS.map((m) => `'${m}'`).join(', ')}), false)`;
}

/**
 * Whether a factory's operator is shown, over the row `alias` of registry.factory: its tax ID is a
 * juristic ID (stored tax IDs have passed the check digit), or it gave none and the link is sure.
 */
export function operatorIsCompanySql(alias: string): string {
  const a = checked(alias);
  return `(CASE WHEN ${a}.operator_tax_id IS NOT NULL THEN ${a}.operator_tax_id ~ '^0[0-9]{12}$' ELSE ${linkIsSureSql(a)} END)`;
}
