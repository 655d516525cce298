import { Kind, visit, type DocumentNode } from 'graphql';

/**
 * Text a client sends, checked once per request before anything runs: no NUL byte (PostgreSQL
 * refuses it in text, which surfaced as INTERNAL_SERVER_ERROR), no invalid Unicode (a lone UTF-16
 * surrogate, which JSON can carry as `\ud800`), and no longer than the configured maximum, in the
 * document's literals and in the variables at any depth.
 */

export interface TextProblem {
  /** Where: `variables.filter.nameSearch`, or `argument` for a literal in the document. */
  argument: string;
  message: string;
  maxLength?: number;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function textProblem(text: string, where: string, maxLength: number): TextProblem | undefined {
  if (text.length > maxLength) return { argument: where, message: `${where} is longer than ${maxLength} characters (${text.length})`, maxLength };
  if (text.includes('\u0000')) return { argument: where, message: `${where} contains a NUL character, which no text field accepts` };
  if (LONE_SURROGATE.test(text)) return { argument: where, message: `${where} is not valid Unicode (a lone surrogate)` };
  return undefined;
}

/** Most nesting of lists and objects in variables; JSON itself allows any depth. */
export const MAX_VARIABLE_DEPTH = 20;

function checkValue(value: unknown, where: string, maxLength: number, depth: number): TextProblem | undefined {
  if (typeof value === 'string') return textProblem(value, where, maxLength);
  if (value === null || typeof value !== 'object') return undefined;
  if (depth > MAX_VARIABLE_DEPTH) return { argument: where, message: `${where} is nested deeper than ${MAX_VARIABLE_DEPTH} levels` };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = checkValue(value[i], `${where}[${i}]`, maxLength, depth + 1);
      if (problem) return problem;
    }
    return undefined;
  }
  for (const [key, inner] of Object.entries(value)) {
    const keyProblem = textProblem(key, `${where} key`, maxLength);
    if (keyProblem) return keyProblem;
    const problem = checkValue(inner, `${where}.${key}`, maxLength, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

/** The first problem of the variables, or undefined. */
export function checkVariablesText(variables: Record<string, unknown> | undefined, maxLength: number): TextProblem | undefined {
  return variables ? checkValue(variables, 'variables', maxLength, 0) : undefined;
}

/** The first problem of a string literal in the document (arguments, default values), or undefined. */
const checkedDocuments = new WeakMap<DocumentNode, { maxLength: number; problem: TextProblem | undefined }>();

export function checkDocumentText(document: DocumentNode, maxLength: number): TextProblem | undefined {
  // A document is checked once: Apollo hands the same parsed document to every request that sends its text.
  const known = checkedDocuments.get(document);
  if (known?.maxLength === maxLength) return known.problem;
  let problem: TextProblem | undefined;
  visit(document, {
    [Kind.STRING](literal) {
      problem ??= textProblem(literal.value, 'a string in the query', maxLength);
    },
  });
  checkedDocuments.set(document, { maxLength, problem });
  return problem;
}
