/** What an eligibility computation did (eligibility.service.ts). */
export interface EligibilitySummary {
  /** Firm × product results computed. */
  results: number;
  /**
   * Of them, results written: new, or different from the stored one in eligibility, outcome,
   * criteria values or rule set version. An equal result is not rewritten, so it keeps its
   * computedAt, computedByRunId and criteria provenance: the run whose data last changed it.
   */
  written: number;
  events: number;
  /** Firms skipped because every attribute the rules read was as when they were last evaluated (lending.eligibility_input). */
  firmsUnchanged: number;
  /**
   * Where the time went: the attribute reads from sending to answer (they overlap evaluation, and
   * wait behind the previous flush), evaluating in Node, and waiting for writes and reads (what did not overlap).
   */
  timings?: { readMs: number; evaluateMs: number; writeMs: number };
}
