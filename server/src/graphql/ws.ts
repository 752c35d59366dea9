import type { IncomingMessage, Server } from 'node:http';
import type { ExecutionArgs, execute, subscribe } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { clientIp, type ProxyTrust } from '../http/proxy-trust.ts';
import type { Yoga } from './yoga.ts';

/**
 * graphql-ws on the same port and path as HTTP. Every operation goes through `yoga.getEnveloped`, so
 * WebSocket and HTTP share the schema, plugins (limits, masking) and context construction.
 * Auth: the upgrade request's cookie, or `connectionParams.authorization` (`Bearer <token>`).
 */
export function attachGraphqlWs(server: Server, yoga: Yoga, trust: ProxyTrust) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== yoga.graphqlEndpoint) return;
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  type Extra = { request: IncomingMessage };
  const disposable = useServer<Record<string, unknown> | undefined, Extra>(
    {
      execute: (args) => (args.rootValue as { execute: typeof execute }).execute(args),
      subscribe: (args) => (args.rootValue as { subscribe: typeof subscribe }).subscribe(args),
      onSubscribe: async (ctx, _id, params) => {
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
        const args: ExecutionArgs = {
          schema,
          operationName: params.operationName,
          document: parse(params.query),
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        return errors.length ? errors : args;
      },
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
