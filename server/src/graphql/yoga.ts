import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { useCsrfProtection, wsCookieAllowed } from '../auth/csrf.ts';
import { type AppDeps, type Context, createContext, type RequestFacts } from '../context.ts';
import { createMaskError, useErrorCodes } from '../http/mask-error.ts';
import { useMetrics } from '../metrics/graphql-plugin.ts';
import { useLiveAuthorization } from './live-authorization.ts';
import { useNestingLimit } from './nesting-limit.ts';
import { useNoNulStrings } from './no-nul-strings.ts';
import { persistedOperationsPlugin } from './persisted-operations.ts';
import { useRequestErrors } from './request-errors.ts';
import { schema } from './schema.ts';

export type ServerContext = { ip: string | null };
export type Yoga = YogaServerInstance<ServerContext, Context>;

/** `Set-Cookie` values collected during execution, keyed by request (Yoga builds the response). */
const cookieJar = new WeakMap<Request, string[]>();

function useResponseCookies(): Plugin<Context> {
  return {
    onResponse({ request, response }) {
      for (const c of cookieJar.get(request) ?? []) response.headers.append('set-cookie', c);
    },
  };
}

/**
 * The GraphQL server. Unexpected errors are masked (logged with a request id, never sent); expected
 * failures are typed union results. Depth, token, alias and cost limits reject abusive documents
 * before execution.
 */
export function buildYoga(deps: AppDeps): Yoga {
  // Credentialed cross-origin requests only from the app itself (Yoga's default reflects any origin).
  const appOrigins = [new URL(deps.config.PUBLIC_URL).origin];
  return createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    logging: {
      debug: (...a) => deps.logger.debug({ yoga: a }),
      info: (...a) => deps.logger.info({ yoga: a }),
      warn: (...a) => deps.logger.warn({ yoga: a }),
      error: (...a) => deps.logger.error({ yoga: a }),
    },
    maskedErrors: { maskError: createMaskError(deps.logger) },
    graphiql: { subscriptionsProtocol: 'WS', title: 'ClawLoops GraphQL' },
    landingPage: false,
    cors: { origin: appOrigins, credentials: true },
    plugins: [
      useMetrics(),
      useCsrfProtection(),
      useRequestErrors(),
      // Far above what the depth limit lets a real document reach; far below the ~1,500 levels
      // at which graphql-js's parser runs out of stack.
      useNestingLimit(128),
      EnvelopArmorPlugin({
        maxDepth: { n: deps.config.GRAPHQL_MAX_DEPTH, ignoreIntrospection: true },
        maxTokens: { n: deps.config.GRAPHQL_MAX_TOKENS },
        maxAliases: { n: 30 },
        maxDirectives: { n: 30 },
        costLimit: { maxCost: 20000 },
        blockFieldSuggestion: { enabled: true },
      }),
      useResponseCookies(),
      persistedOperationsPlugin(),
      useErrorCodes(),
      useNoNulStrings(),
      useLiveAuthorization({ maxStreamsPerUser: deps.config.MAX_LIVE_STREAMS_PER_USER }),
    ],
    context: async (init) => {
      // Over graphql-ws there is no Fetch Request: ws.ts passes the upgrade request's facts instead.
      const wsFacts = (init as { wsFacts?: RequestFacts }).wsFacts;
      if (wsFacts) {
        const headers = new Headers(wsFacts.headers);
        if (!wsCookieAllowed(headers, appOrigins)) headers.delete('cookie');
        return createContext(deps, { ...wsFacts, headers });
      }
      const ctx = await createContext(deps, { headers: init.request.headers, ip: init.ip });
      cookieJar.set(init.request, ctx.responseCookies);
      return ctx;
    },
  });
}
