import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { DocumentNode, ExecutionArgs, execute, GraphQLError, subscribe } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createGraphQLError } from 'graphql-yoga';
import { type WebSocket, WebSocketServer } from 'ws';
import { AuthUnavailableError } from '../auth/viewer.ts';
import { fallbackCode } from '../http/mask-error.ts';
import { clientIp, type ProxyTrust } from '../http/proxy-trust.ts';
import { withRequestId } from '../http/request-id.ts';
import type { Yoga } from './yoga.ts';

/** What onSubscribe hands to execute/subscribe: the enveloped functions and the operation's id. */
type Root = { execute: typeof execute; subscribe: typeof subscribe; requestId: string };

/**
 * graphql-ws on the same port and path as HTTP. Every operation goes through `yoga.getEnveloped`, so
 * WebSocket and HTTP share the schema, plugins (limits, masking) and context construction.
 * Auth: the upgrade request's cookie, or `connectionParams.authorization` (`Bearer <token>`).
 */
export function attachGraphqlWs(server: Server, yoga: Yoga, trust: ProxyTrust) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    if (pathOf(req.url) !== yoga.graphqlEndpoint) {
      // Nothing else upgrades on the app host: answer instead of leaving the socket hanging.
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      quietClientProtocolErrors(ws);
      wss.emit('connection', ws, req);
    });
  });
  type Extra = { request: IncomingMessage };
  const disposable = useServer<Record<string, unknown> | undefined, Extra>(
    {
      // Each operation runs under its own request id (log lines carry `reqId`), as an HTTP request does.
      execute: (args) => {
        const root = args.rootValue as Root;
        return withRequestId(root.requestId, () => root.execute(args));
      },
      subscribe: (args) => {
        const root = args.rootValue as Root;
        return withRequestId(root.requestId, () => root.subscribe(args));
      },
      onSubscribe: async (ctx, _id, params) => {
        // This operation's id is already in `ctx.subscriptions`.
        if (Object.keys(ctx.subscriptions).length > MAX_OPERATIONS_PER_SOCKET)
          return [
            createGraphQLError(
              `A connection runs at most ${MAX_OPERATIONS_PER_SOCKET} operations at once; complete some first.`,
              { extensions: { code: 'TOO_MANY_OPERATIONS' } },
            ),
          ];
        const req = ctx.extra.request;
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers))
          if (typeof v === 'string') headers.set(k, v);
        const auth = ctx.connectionParams?.authorization;
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          wsFacts: {
            headers,
            ip: clientIp(req, trust),
            bearer: typeof auth === 'string' ? auth : null,
          },
        });
        // A thrown error would close the whole socket (4500) and every operation on it; graphql-armor
        // throws its limits from parse and from validation rules alike.
        let document: DocumentNode;
        let errors: readonly GraphQLError[];
        try {
          document = parse(params.query);
        } catch (err) {
          if (!isGraphQLError(err)) throw err;
          return [withCode(err, 'GRAPHQL_PARSE_FAILED')];
        }
        try {
          errors = validate(schema, document);
        } catch (err) {
          if (!isGraphQLError(err)) throw err;
          errors = [err];
        }
        if (errors.length) return errors.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED'));
        let contextValue: Awaited<ReturnType<typeof contextFactory>>;
        try {
          contextValue = await contextFactory();
        } catch (err) {
          // Sign-in unchecked while the database is unreachable: this operation fails, not the socket.
          if (!(err instanceof AuthUnavailableError)) throw err;
          return [createGraphQLError(err.message, { extensions: { code: err.code } })];
        }
        return {
          schema,
          operationName: params.operationName,
          document,
          variableValues: params.variables,
          contextValue,
          rootValue: { execute, subscribe, requestId: randomUUID() } satisfies Root,
        } satisfies ExecutionArgs;
      },
      // Yoga's useErrorCodes only sees HTTP results: give WebSocket results the same codes.
      onNext: (_ctx, _id, _payload, _args, result) => {
        for (const e of result.errors ?? [])
          if (!e.extensions?.code)
            Object.assign(e.extensions ?? {}, { code: fallbackCode(e.message, 'BAD_REQUEST') });
      },
      // graphql-ws's own refusals (several operations and no operationName) come without a code.
      onError: (_ctx, _id, _payload, errors) =>
        errors.map((e) => {
          const { code } = e.extensions;
          if (code) return e.toJSON();
          return {
            ...e.toJSON(),
            extensions: { ...e.extensions, code: OWN_ERROR_CODES[e.message] ?? 'BAD_REQUEST' },
          };
        }),
    },
    wss,
  );
  return {
    async close() {
      await disposable.dispose();
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}

/**
 * Operations one socket may run at once. The SPA holds a handful; each open subscription costs the
 * server about 20 kB, so without a cap one signed-in client could hold gigabytes on one socket.
 */
export const MAX_OPERATIONS_PER_SOCKET = 100;

/** graphql-ws's messages → the codes Yoga gives the same failures over HTTP. */
const OWN_ERROR_CODES: Record<string, string> = {
  'Unable to identify operation': 'OPERATION_RESOLUTION_FAILURE',
};

/**
 * Gives an error from Yoga's parse or validate a code (HTTP's for the same failure; QUERY_LIMIT for
 * graphql-armor's limits), in place: graphql-ws only accepts errors `instanceof` the GraphQLError of
 * the graphql copy it loaded, which Yoga's are and a copy made here might not be.
 */
function withCode(error: GraphQLError, otherwise: string): GraphQLError {
  if (!error.extensions.code)
    Object.assign(error.extensions, { code: fallbackCode(error.message, otherwise) });
  return error;
}

/** By name, not `instanceof`, for the same reason. */
function isGraphQLError(err: unknown): err is GraphQLError {
  return err instanceof Error && err.name === 'GraphQLError';
}

function pathOf(url: string | undefined): string | null {
  try {
    return new URL(url ?? '/', 'http://x').pathname;
  } catch {
    return null;
  }
}

/**
 * A client's protocol violation (a frame over `maxPayload`, a malformed frame) is answered by `ws`
 * itself — it closes with the right code (1009, 1002…) — and then emitted as 'error', which
 * graphql-ws prints with a stack trace as "an internal error". It is the client's, not ours: swallow
 * those; anything else still reaches graphql-ws.
 */
function quietClientProtocolErrors(ws: WebSocket): void {
  const emit = ws.emit.bind(ws);
  ws.emit = ((event: string | symbol, ...args: unknown[]) => {
    const code = (args[0] as { code?: unknown } | undefined)?.code;
    if (event === 'error' && typeof code === 'string' && code.startsWith('WS_ERR_')) return false;
    return emit(event, ...args);
  }) as WebSocket['emit'];
}
