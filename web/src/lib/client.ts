import { Client, cacheExchange, fetchExchange } from '@urql/core';
import { createClient, type Client as WsClient } from 'graphql-ws';

/** Sent on every HTTP request: the server refuses cookie-authenticated POSTs without it (CSRF). */
const CSRF_HEADERS = { 'x-clawloops-csrf': '1' };

/** `idle`: no socket needed (no live subscription); `reconnecting`: the socket dropped and retries. */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting';

/** The socket's state, for the "reconnecting…" banner. */
export class ConnectionStore {
  state: ConnectionState = 'idle';
  private readonly listeners = new Set<() => void>();
  private readonly reconnectListeners = new Set<() => void>();

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  get = () => this.state;

  /** Called after the socket comes back from a drop: pages refetch what subscriptions cannot replay. */
  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  set(state: ConnectionState, opts: { retried?: boolean } = {}): void {
    if (state === this.state) return;
    this.state = state;
    for (const l of this.listeners) l();
    if (opts.retried) for (const l of this.reconnectListeners) l();
  }
}

/** Exponential backoff with full jitter: 0.5 s, 1 s, 2 s … capped at 10 s, so a restarted server
 * is found again within seconds without a thundering herd of tabs. */
export function backoffMs(retries: number): number {
  const cap = Math.min(10_000, 500 * 2 ** retries);
  return cap / 2 + Math.random() * (cap / 2);
}

export interface Api {
  urql: Client;
  ws: WsClient;
  connection: ConnectionStore;
  dispose(): void;
}

/**
 * One urql client (queries and mutations over HTTP, so login/logout responses can set the cookie) and
 * one graphql-ws client (subscriptions). The socket authenticates with the cookie at upgrade time, so
 * the whole pair is rebuilt whenever the signed-in user changes (see api-provider.tsx).
 */
export function createApi(): Api {
  const connection = new ConnectionStore();
  const wsUrl = new URL('/graphql', window.location.href);
  wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = createClient({
    url: wsUrl.href,
    lazy: true,
    lazyCloseTimeout: 3_000,
    // Detects a dead server (no close frame after a crash or network loss) within ~15 s.
    keepAlive: 10_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, backoffMs(retries))),
    on: {
      connecting: (retrying) => connection.set(retrying ? 'reconnecting' : 'connecting'),
      connected: (_socket, _payload, retried) => connection.set('connected', { retried }),
      closed: (event) => {
        // 1000: closed on purpose (no subscription left, or signed out); anything else is a drop.
        const normal = (event as { code?: number } | undefined)?.code === 1000;
        connection.set(normal ? 'idle' : 'reconnecting');
      },
    },
  });
  const urql = new Client({
    url: '/graphql',
    exchanges: [cacheExchange, fetchExchange],
    fetchOptions: { credentials: 'same-origin', headers: CSRF_HEADERS },
    requestPolicy: 'cache-and-network',
  });
  return { urql, ws, connection, dispose: () => void ws.dispose() };
}
