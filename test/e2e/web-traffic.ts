import type { Page } from 'playwright-core';

/**
 * Records a page's GraphQL traffic: HTTP requests to /graphql (with time and operation name) and the
 * runtime phases carried by graphql-ws `next` messages — enough to prove "live, not polled".
 */
export function trackGraphqlTraffic(page: Page) {
  const http: { at: number; op: string }[] = [];
  const frames: string[] = [];
  const subscribes: { operationName?: string; after: string | null }[] = [];
  let navigations = 0;
  page.on('request', (req) => {
    if (new URL(req.url()).pathname !== '/graphql' || req.method() !== 'POST') return;
    const op = (req.postDataJSON() as { operationName?: string; query?: string } | null) ?? {};
    http.push({
      at: Date.now(),
      op: op.operationName ?? op.query?.match(/(query|mutation) (\w+)/)?.[2] ?? '?',
    });
  });
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations += 1;
  });
  page.on('websocket', (ws) => {
    ws.on('framesent', ({ payload }) => {
      if (typeof payload !== 'string' || !payload.includes('"type":"subscribe"')) return;
      const msg = JSON.parse(payload) as {
        payload: { operationName?: string; variables?: { after?: string | null } };
      };
      subscribes.push({
        operationName: msg.payload.operationName,
        after: msg.payload.variables?.after ?? null,
      });
    });
    ws.on('framereceived', ({ payload }) => {
      if (typeof payload === 'string' && payload.includes('"type":"next"')) frames.push(payload);
    });
  });
  return {
    http,
    /** graphql-ws `subscribe` messages sent, with their resume cursor. */
    subscribes,
    get navigations() {
      return navigations;
    },
    /** Phases seen in subscription messages, in order. */
    wsPhases: () => frames.flatMap((f) => [...f.matchAll(/"phase":"([A-Z]+)"/g)].map((m) => m[1])),
    /** HTTP GraphQL requests made after `t` (ms since epoch). */
    httpAfter: (t: number) => http.filter((r) => r.at > t),
  };
}
