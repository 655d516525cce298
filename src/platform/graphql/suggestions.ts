import type { ApolloServerPlugin, BaseContext } from '@apollo/server';

/** graphql-js's "Did you mean …?" ending of validation and coercion messages (Apollo strips it the same way). */
const SUGGESTION = / ?Did you mean(.+?)\?$/;

/**
 * Takes graphql-js's suggestions ("Cannot query field "juristicI" … Did you mean "juristicId"?")
 * out of the error messages of callers that may not introspect: a suggestion names fields, arguments,
 * types and enum values the caller did not ask for, which maps the schema one typo at a time.
 * Apollo's own `hideSchemaDetailsFromClientErrors` (ApolloServerPluginDisableSuggestions) does this
 * for every caller and for validation errors only; the hub keeps them for the roles GraphiQL serves
 * (those that may introspect, who see the whole schema anyway), and strips coercion errors too
 * (an unknown enum value in variables is reported before execution, not by validation).
 */
export function suggestionsPlugin<C extends BaseContext>(maySeeSchema: (context: C) => boolean): ApolloServerPlugin<C> {
  const strip = (message: string): string => message.replace(SUGGESTION, '');
  return {
    async requestDidStart({ contextValue }) {
      if (maySeeSchema(contextValue)) return;
      return {
        async validationDidStart() {
          return async (validationErrors) => {
            for (const error of validationErrors ?? []) error.message = strip(error.message);
          };
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
          response.body.singleResult.errors = response.body.singleResult.errors.map((error) => (SUGGESTION.test(error.message) ? { ...error, message: strip(error.message) } : error));
        },
      };
    },
  };
}
