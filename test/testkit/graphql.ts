import { type DocumentNode, type GraphQLFormattedError, print } from 'graphql';
import { type Client, createClient, type ExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { CSRF_HEADER } from '../../server/src/auth/csrf.ts';

/** How a test request authenticates. */
export interface GqlAuth {
  /** A `Cookie` header value, e.g. from `seed().loginAs()` or `sessionCookie(res)`. */
  cookie?: string | null;
  /** An API token (sent as `Authorization: Bearer <token>`). */
  bearer?: string | null;
  /** Send the CSRF header the SPA sends. @default true */
  csrf?: boolean;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

export interface GqlResponse<TData> {
  status: number;
  data: TData | null | undefined;
  errors?: GraphQLFormattedError[];
  /** Every `Set-Cookie` of the response. */
  setCookies: string[];
  /** The raw body, for assertions on what must never appear (stack traces, secrets). */
  text: string;
}

/** POSTs one GraphQL operation as JSON, like the SPA does. `TData` types the `data` field. */
// biome-ignore lint/suspicious/noExplicitAny: tests pick their own result shapes
export async function gql<TData = any>(
  url: string,
  query: string | DocumentNode,
  variables?: Record<string, unknown>,
  auth: GqlAuth = {},
): Promise<GqlResponse<TData>> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json',
    ...auth.headers,
  };
  if (auth.csrf !== false) headers[CSRF_HEADER] = '1';
  if (auth.cookie) headers.cookie = auth.cookie;
  if (auth.bearer) headers.authorization = `Bearer ${auth.bearer}`;
  const body = JSON.stringify({
    query: typeof query === 'string' ? query : print(query),
    variables,
  });
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  let json: { data?: TData | null; errors?: GraphQLFormattedError[] } = {};
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: the assertions look at `status` and `text`
  }
  return {
    status: res.status,
    data: json.data,
    errors: json.errors,
    setCookies: res.headers.getSetCookie(),
    text,
  };
}

/** Fails with the server's messages when the response has GraphQL errors or no data. */
export function expectNoGraphQLErrors<TData>(res: GqlResponse<TData>): TData {
  if (res.errors?.length || res.data == null) {
    throw new Error(
      `GraphQL errors (HTTP ${res.status}): ${JSON.stringify(res.errors ?? res.text)}`,
    );
  }
  return res.data;
}

/** The `Cookie` header value for the session cookie a response set (null if it set none or cleared it). */
export function sessionCookie(res: Pick<GqlResponse<unknown>, 'setCookies'>): string | null {
  const set = res.setCookies.find((c) => c.startsWith('clawloops_session='));
  const pair = set?.split(';')[0];
  return pair && pair !== 'clawloops_session=' ? pair : null;
}

export interface WsClientOptions extends Omit<GqlAuth, 'csrf'> {
  /** The browser's `Origin` header on the upgrade. @default none (a non-browser client) */
  origin?: string;
}

/**
 * A graphql-ws client (the real `createClient` over `ws`). Cookie and origin go on the upgrade
 * request; a bearer goes in `connectionParams.authorization`, as the SPA's client would send it.
 */
export function wsClient(wsUrl: string, opts: WsClientOptions = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.origin) headers.origin = opts.origin;
  class HeaderWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }
  const client: Client = createClient({
    url: wsUrl,
    webSocketImpl: HeaderWebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams: opts.bearer ? { authorization: `Bearer ${opts.bearer}` } : undefined,
  });

  /** Runs one query/mutation over the socket and resolves with its single result. */
  // biome-ignore lint/suspicious/noExplicitAny: tests pick their own result shapes
  async function execute<TData = any>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<ExecutionResult<TData>> {
    const it = client.iterate<TData>({ query, variables });
    const { value } = await it.next();
    await it.return?.();
    return value as ExecutionResult<TData>;
  }

  return { client, execute, dispose: () => client.dispose() };
}
