/**
 * The API's input boundary: scalars that check and normalise what users write, so each rule is
 * written once (src/shared, src/reference/calendar.ts) and every argument obeys it. A value that is
 * not one answers BAD_USER_INPUT before any resolver runs. Outputs stay plain strings.
 */
import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { DomainError } from '../platform/errors/domain-error';
import { isIsoDate } from '../shared/calendar';
import { normaliseJuristicId } from '../shared/thai-id';
import { normaliseTisNo } from '../shared/tis-no';

function textScalar(name: string, description: string, parse: (text: string) => string | undefined, problem: (text: string) => string): GraphQLScalarType<string, string> {
  const parseText = (value: unknown): string => {
    if (typeof value !== 'string') throw new DomainError('BAD_USER_INPUT', `${name} is written as a string, got ${typeof value}`);
    const parsed = parse(value);
    if (parsed === undefined) throw new DomainError('BAD_USER_INPUT', problem(value));
    return parsed;
  };
  return new GraphQLScalarType<string, string>({
    name,
    description,
    serialize: (value) => String(value),
    parseValue: parseText,
    parseLiteral: (ast: ValueNode) => {
      if (ast.kind !== Kind.STRING) throw new DomainError('BAD_USER_INPUT', `${name} is written as a string`);
      return parseText(ast.value);
    },
  });
}

/** Shown back in messages, cut: the value may be hostile and huge. */
const shown = (text: string): string => JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);

export const JuristicIdScalar = textScalar(
  'JuristicId',
  'A Thai juristic ID (เลขทะเบียนนิติบุคคล): 13 digits starting with 0 whose last is the check digit. Dashes and spaces are ignored on input (`0-10-5-536-11201-4`).',
  normaliseJuristicId,
  (text) => `${shown(text)} is not a juristic ID: 13 digits starting with 0, with a valid check digit`,
);

export const IsoDateScalar = textScalar(
  'IsoDate',
  'A calendar date written `YYYY-MM-DD` (Common Era; Bangkok calendar where the field says so).',
  (text) => (isIsoDate(text.trim()) ? text.trim() : undefined),
  (text) => `${shown(text)} is not an ISO date (YYYY-MM-DD)`,
);

export const TisNoScalar = textScalar(
  'TisNo',
  'A TIS standard number (เลข มอก.) with its Buddhist-Era year, e.g. `2536-2555`; a `มอก.` or `TIS` prefix and spaces are ignored on input.',
  normaliseTisNo,
  (text) => `${shown(text)} is not a TIS standard number: the number and its Buddhist-Era year, e.g. "2536-2555"`,
);
