import type { MigrationInterface, QueryRunner } from 'typeorm';
import { recordChangesOf, type Tracked } from './1763930000000-registry-changes';
import { TRACKED_1763970000000 } from './1763970000000-registry-area-follows';
import { FACTORY_1763975000000 } from './1763975000000-factory-operator-masked';

/**
 * A masked record's hidden link moves unpublished (privacy).
 *
 * A record masked for its firm identity (src/shared/firm-identity.ts: a TISI licensee, a DIP
 * participant or a factory operator not known to be a company) shows no company link to any role,
 * and its agency name and ID as `***`. Yet when the linker moved its guess (one fuzzy candidate to
 * another, or linked or unlinked it while it stayed masked), the update triggers logged RELINKED,
 * LINKED or UNLINKED naming the link fields: every feed client saw a change of a record whose copy
 * did not change, and so learnt that a hidden link moved: a side channel on whom a person resembles.
 *
 * The rule now: the log holds what clients can see change. An update of a row masked before and
 * after does not count the columns its record withholds (`withheld`: the company link, a licence's
 * plant) nor those it shows as `***` (`starred`: unless set or cleared, which shows), so such a
 * change names only its visible fields, and one that changed none of them is not logged at all. Not
 * logged rather than logged and filtered on read: no role may see it (the mask is every role's), so
 * the log would keep a row for nobody, every read path (feed, GraphQL, area scoping, the exports'
 * resume positions) would have to learn to skip it, and positions stay dense and in commit order as
 * they were (nothing else numbers changes differently). A masked record's area comes from its own
 * data only (1763970000000, 1763975000000), so a hidden link never moves it between areas either:
 * `left_areas` of such an update is empty, as before.
 *
 * An update that flips the mask (a link made sure or unsure, a factory's tax ID that becomes or
 * stops being a juristic ID) changes the record clients see: logged as before, by the same fields.
 *
 * Changes already logged stay (the log is what clients were told; which of them were of a record
 * masked before and after is not recorded, so none can be told apart now).
 *
 * The mask conditions are frozen here; test/integration/registry-changes-masked-relink.test.ts holds
 * them to src/shared/firm-identity.ts, so a change of the rule needs a migration like this one.
 */
const SURE = (r: string): string => `coalesce(${r}.link_method IN ('TAX_ID', 'EXACT_NAME_PROVINCE', 'EXACT_NAME'), false)`;
const OPERATOR_SHOWN = (r: string): string => `(CASE WHEN ${r}.operator_tax_id IS NOT NULL THEN ${r}.operator_tax_id ~ '^0[0-9]{12}$' ELSE ${SURE(r)} END)`;
const LINK = ['company_juristic_id', 'link_method', 'link_confidence'] as const;

export const MASKED_1763980000000: Readonly<Record<string, NonNullable<Tracked['masked']>>> = {
  'registry.factory': { when: (r) => `NOT ${OPERATOR_SHOWN(r)}`, withheld: LINK, starred: ['operator_name', 'operator_tax_id'] },
  'registry.tis_licence': { when: (r) => `NOT ${SURE(r)}`, withheld: [...LINK, 'fid'], starred: ['licensee_name', 'licensee_tax_id'] },
  'registry.dip_participation': { when: (r) => `NOT ${SURE(r)}`, withheld: LINK, starred: ['juristic_id', 'company_name'] },
  'registry.dip_i40_assessment': { when: (r) => `NOT ${SURE(r)}`, withheld: LINK, starred: ['juristic_id', 'company_name'] },
};

/** The tables as 1763970000000 and 1763975000000 left them (their area rules), each with its mask. */
const BEFORE: readonly Tracked[] = [FACTORY_1763975000000, ...TRACKED_1763970000000];

export class RegistryMaskedLinks1763980000000 implements MigrationInterface {
  name = 'RegistryMaskedLinks1763980000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const t of BEFORE) await recordChangesOf(queryRunner, { ...t, masked: MASKED_1763980000000[t.table] });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const t of BEFORE) await recordChangesOf(queryRunner, t);
  }
}
