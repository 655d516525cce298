import { GraphQLError } from 'graphql';
import { DomainError } from '../../src/platform/errors/domain-error';
import { formatGraphQLError } from '../../src/platform/graphql/format-error';

/** The one mapping of errors to GraphQL errors: codes, reasons and details reach the client; nothing else does. */
describe('formatGraphQLError', () => {
  const format = (error: Error) => formatGraphQLError({ message: 'raw', path: ['company', 'directors'] }, new GraphQLError('raw', { originalError: error, path: ['company', 'directors'] }));

  test('a domain error keeps its code, message and details, and adds its reason when it has one', () => {
    expect(format(new DomainError('FORBIDDEN', 'consent needed', {}, 'CONSENT_REQUIRED'))).toEqual({
      message: 'consent needed',
      path: ['company', 'directors'],
      extensions: { code: 'FORBIDDEN', reason: 'CONSENT_REQUIRED' },
    });
    const plain = format(new DomainError('BAD_USER_INPUT', 'bad', { argument: 'first' }));
    expect(plain.extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'first' });
    expect(plain.extensions).not.toHaveProperty('reason');
  });

  test('details cannot overwrite the code or the reason', () => {
    const error = new DomainError('FORBIDDEN', 'no', { code: 'NOT_FOUND', reason: 'OTHER', argument: 'id' }, 'CONSENT_REQUIRED');
    expect(format(error).extensions).toEqual({ code: 'FORBIDDEN', reason: 'CONSENT_REQUIRED', argument: 'id' });
  });

  test('an unexpected error is masked', () => {
    expect(format(new Error('SELECT * FROM secrets'))).toMatchObject({ extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(format(new Error('SELECT * FROM secrets')).message).not.toMatch(/secrets/);
  });
});
