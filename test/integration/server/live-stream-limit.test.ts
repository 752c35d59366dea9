import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wsClient } from '../../testkit/graphql.ts';
import { seed } from '../../testkit/seed.ts';
import { startTestServer, type TestServer } from '../../testkit/server.ts';

const EVENTS = 'subscription { runtimeEvents { __typename } }';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: TestServer;
let alice: string;
let bob: string;
beforeAll(async () => {
  server = await startTestServer({ env: { MAX_LIVE_STREAMS_PER_USER: '3' } });
  const s = seed(server);
  alice = await s.loginAs(await s.createUser());
  bob = await s.loginAs(await s.createUser());
});
afterAll(() => server?.stop());

/** Resolves with the first outcome of a stream: 'open' if nothing within 500 ms, else what came. */
async function outcome(it: AsyncIterableIterator<unknown>): Promise<string> {
  const first = it.next().then(
    (r) => JSON.stringify(r.value),
    (e) => JSON.stringify(e),
  );
  return Promise.race([first, sleep(500).then(() => 'open')]);
}

describe('live subscriptions per user', () => {
  it('one user holds at most MAX_LIVE_STREAMS_PER_USER over all sockets; others are unaffected', async () => {
    const a = wsClient(server.wsUrl, { cookie: alice });
    const b = wsClient(server.wsUrl, { cookie: alice });
    const other = wsClient(server.wsUrl, { cookie: bob });
    try {
      const held = [a, a, b].map((c) => c.client.iterate({ query: EVENTS }));
      expect(await Promise.all(held.map(outcome))).toEqual(['open', 'open', 'open']);
      const refused = await outcome(b.client.iterate({ query: EVENTS }));
      expect(refused).toContain('TOO_MANY_OPERATIONS');
      expect(await outcome(other.client.iterate({ query: EVENTS }))).toBe('open');
      // Completing one frees its place.
      await held[0]?.return?.();
      await sleep(200);
      expect(await outcome(b.client.iterate({ query: EVENTS }))).toBe('open');
    } finally {
      await Promise.all([a.dispose(), b.dispose(), other.dispose()]);
    }
  });
});
