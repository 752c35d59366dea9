import { createGraphQLError, type Plugin } from 'graphql-yoga';

/**
 * Two request shapes Yoga answers without a GraphQL error: a content type none of its parsers
 * takes (an empty 415) and, on GET or a urlencoded form, `variables`/`extensions` that are not JSON
 * (its `JSON.parse` throws, and the SyntaxError surfaced as an unexpected INTERNAL error). Both
 * become coded errors. Runs after Yoga's own parsers have chosen.
 */
export function useRequestErrors(): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser, endResponse, fetchAPI }) {
      if (!requestParser) {
        const body = {
          errors: [
            {
              message: 'Send GraphQL requests as application/json (or a GET query string).',
              extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' },
            },
          ],
        };
        endResponse(
          new fetchAPI.Response(JSON.stringify(body), {
            status: 415,
            headers: { 'content-type': 'application/json' },
          }),
        );
        return;
      }
      setRequestParser(async (request) => {
        try {
          return await requestParser(request);
        } catch (err) {
          if (!(err instanceof SyntaxError)) throw err;
          throw createGraphQLError(`"variables" and "extensions" must be JSON: ${err.message}`, {
            extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
          });
        }
      });
    },
  };
}
