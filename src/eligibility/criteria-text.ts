/**
 * The two texts of a result's criteria, written in one pass: the details (what a bank would call
 * the details: outcomes and values, hashed into details_hash) and the criteria JSON stored with the
 * result (the same, with each criterion's provenance).
 *
 * Both are exactly what `JSON.stringify` writes (keys path, kind, id, outcome, value, provenance,
 * then the inner criteria of a group), so that a hash stored by an earlier version of the hub
 * still compares equal; they are written by hand because JSON.stringify of copies without
 * provenance cost more than the evaluation itself. Given the rule set the criteria were evaluated
 * on, each criterion's constant part (path, kind, id) comes from a table built once per rule set.
 */
import { hash } from 'node:crypto';
import type { Provenance } from './rules/company-attributes.type';
import type { CriterionResult, Outcome, ReportedValue } from './rules/evaluate';
import type { Criterion } from './rules/rule-set';

export interface CriteriaText {
  /** As JSON.stringify of the criteria without their provenance. */
  details: string;
  /** As JSON.stringify of the criteria. */
  json: string;
}

/** A criterion of a rule set: its path, kind and id, and the text that starts its result for each outcome. */
interface CriterionHead {
  path: string;
  kind: Criterion['kind'];
  byOutcome: Record<Outcome, string>;
  criteria: CriterionHead[] | undefined;
}

const headsOfRuleSet = new WeakMap<readonly Criterion[], CriterionHead[]>();

function headsOf(rules: readonly Criterion[], parentPath = ''): CriterionHead[] {
  return rules.map((rule, i) => {
    const path = `${parentPath}criteria[${i}]`;
    const byOutcome = (outcome: Outcome): string =>
      `{"path":${JSON.stringify(path)},"kind":${JSON.stringify(rule.kind)},"id":${JSON.stringify(rule.id ?? null)},"outcome":${JSON.stringify(outcome)}`;
    return {
      path,
      kind: rule.kind,
      byOutcome: { PASS: byOutcome('PASS'), FAIL: byOutcome('FAIL'), UNKNOWN: byOutcome('UNKNOWN') },
      criteria: 'criteria' in rule ? headsOf(rule.criteria, `${path}.`) : undefined,
    };
  });
}

/**
 * Both texts of `criteria`. With `rules` (the rule set's criteria they were evaluated from), each
 * head comes from the rule set's table; a list that does not mirror the rules is written in full.
 */
export function criteriaText(criteria: readonly CriterionResult[], rules?: readonly Criterion[]): CriteriaText {
  let heads: CriterionHead[] | undefined;
  if (rules) {
    heads = headsOfRuleSet.get(rules);
    if (!heads) headsOfRuleSet.set(rules, (heads = headsOf(rules)));
  }
  const text = { details: '', json: '' };
  write(criteria, heads, text);
  return text;
}

/** The md5 of the details text: details_hash. */
export function detailsHash(criteria: readonly CriterionResult[], rules?: readonly Criterion[]): string {
  return hash('md5', criteriaText(criteria, rules).details);
}

function write(list: readonly CriterionResult[], heads: CriterionHead[] | undefined, text: CriteriaText): void {
  const mirrored = heads !== undefined && heads.length === list.length;
  text.details += '[';
  text.json += '[';
  for (let i = 0; i < list.length; i += 1) {
    const c = list[i]!;
    const known = mirrored ? heads[i] : undefined;
    const head = known && known.kind === c.kind && known.path === c.path ? known : undefined;
    let start = head ? head.byOutcome[c.outcome] : fullHead(c);
    // JSON.stringify leaves out a key whose value is undefined.
    if (c.value !== undefined) start += `,"value":${valueJson(c.value)}`;
    const separator = i > 0 ? ',' : '';
    text.details += separator + start;
    text.json += separator + start + (c.provenance ? provenanceJson(c.provenance) : ',"provenance":null');
    if (c.criteria) {
      text.details += ',"criteria":';
      text.json += ',"criteria":';
      write(c.criteria, head?.criteria, text);
    }
    text.details += '}';
    text.json += '}';
  }
  text.details += ']';
  text.json += ']';
}

function fullHead(c: CriterionResult): string {
  return `{"path":${JSON.stringify(c.path)},"kind":${JSON.stringify(c.kind)},"id":${JSON.stringify(c.id)},"outcome":${JSON.stringify(c.outcome)}`;
}

/** A firm's lists (target industries, licences) are the same array in every product's result: written once. */
const listText = new WeakMap<readonly unknown[], string>();

function valueJson(value: ReportedValue): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (!Array.isArray(value)) return JSON.stringify(value);
  let text = listText.get(value);
  if (text === undefined) listText.set(value, (text = JSON.stringify(value)));
  return text;
}

/** A firm's attributes share a few provenance objects across every product's criteria: each is written once. */
const provenanceText = new WeakMap<Provenance, string>();

function provenanceJson(provenance: Provenance): string {
  let text = provenanceText.get(provenance);
  if (text === undefined) {
    text = `,"provenance":{"source":${JSON.stringify(provenance.source)},"runId":${JSON.stringify(provenance.runId)}}`;
    provenanceText.set(provenance, text);
  }
  return text;
}
