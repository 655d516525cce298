/** How the linker (company-linker.ts) links one table's records to companies. */
export type LinkMethod = 'TAX_ID' | 'EXACT_NAME_PROVINCE' | 'EXACT_NAME' | 'FUZZY_NAME';

/**
 * A table whose rows are linked to companies, declared by the source that loads it (its
 * `derive.links`). Every such table has the columns `company_juristic_id`, `link_method`,
 * `link_confidence` and `linked_at`, an index on `company_juristic_id`, and btree and trigram (GIN)
 * indexes on its normalised name column.
 */
export interface LinkTarget {
  /** Its name in outcomes and logs (e.g. `factory`). */
  id: string;
  /** Schema-qualified table: the declaring source's target table. */
  table: string;
  /** Primary-key columns. */
  key: readonly string[];
  /** The column with the tax (juristic) ID as the agency gave it, null when it gave none. */
  taxId: string;
  /** The column with the name normalised by normaliseCompanyName ('' when none). */
  name: string;
  /** SQL over the row `t`: its province's Thai name, or NULL when the record has none. */
  province: string;
  /**
   * When the province comes from another source's table: that table, and which rows a run loading
   * it may move (SQL over `t`, $1 the run).
   */
  provinceFrom?: { table: string; rows: string };
  /** Whether company profiles (and so eligibility) read this table's links. */
  derived: boolean;
  /**
   * Name rules only for rows without a tax ID. A TISI licensee's tax ID that is no company's is an
   * individual's personal ID (or a firm DBD does not list): linking it by name would put a person's
   * licence under a company that happens to share the name, and unmask them.
   */
  namesOnlyWithoutTaxId?: boolean;
}
