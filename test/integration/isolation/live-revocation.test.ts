import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER } from '../../../server/src/auth/csrf.ts';
import { expectNoGraphQLErrors, type GqlAuth, gql, wsClient } from '../../testkit/graphql.ts';
import { type Seeder, seed } from '../../testkit/seed.ts';
import { startTestServer, type TestServer } from '../../testkit/server.ts';
import { waitFor } from '../../testkit/wait.ts';
import { authHeaders } from './http.ts';

/**
 * Subscriptions are authorised when they open; an open one must not outlive the credential it was
 * opened with. Logging out, disabling the user, revoking the API token or demoting an admin ends the
 * streams that depended on it, over graphql-ws and SSE, on every server process — the client then
 * resubscribes (resuming from its cursor) and is authorised afresh.
 */
const STATUS = `subscription($id: ID!) { runtimeStatus(runtimeId: $id) { __typename
  ... on RuntimeStatusUpdate { cursor } ... on Error { code } } }`;
// From the first event, so the stream has an item to show it is live.
const EVENTS = `subscription { runtimeEvents(after: "0") { __typename ... on RuntimeEvent { cursor } } }`;

let a: TestServer;
let b: TestServer;
let s: Seeder;
beforeAll(async () => {
  a = await startTestServer();
  b = await startTestServer({ databaseUrl: a.databaseUrl });
  s = seed(a);
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
});

/** A user with a runtime; returns the runtime's global id. */
async function tenant(role: 'user' | 'admin' = 'user') {
  const user = await s.createUser({ role });
  const cookie = await s.loginAs(user);
  const res = await gql(
    a.url,
    'mutation { startRuntime { ... on Runtime { id } } }',
    {},
    { cookie },
  );
  const runtime = expectNoGraphQLErrors(res).startRuntime.id as string;
  return { user, cookie, runtime };
}

interface Stream {
  /** Resolves when the server ended the stream (or the socket). */
  ended: Promise<void>;
  close(): Promise<void>;
  /** Every message received after the first (graphql-ws only). */
  later: unknown[];
}

/** Opens a subscription on `server` and waits for its first item (it is authorised and live). */
async function open(
  server: TestServer,
  transport: 'ws' | 'sse',
  query: string,
  variables: Record<string, unknown>,
  auth: GqlAuth,
): Promise<Stream> {
  if (transport === 'ws') {
    const ws = wsClient(server.wsUrl, { cookie: auth.cookie, bearer: auth.bearer });
    const it = ws.client.iterate({ query, variables });
    const first = await it.next();
    expect(JSON.stringify(first.value)).not.toMatch(/Error/);
    // Completed by the server: ended. Failing because we closed the socket: never "ended".
    const later: unknown[] = [];
    const ended = new Promise<void>((resolve) => {
      void (async () => {
        for (let n = await it.next(); !n.done; n = await it.next()) later.push(n.value);
        resolve();
      })().catch(() => {});
    });
    return { ended, close: async () => ws.dispose(), later };
  }
  const abort = new AbortController();
  const res = await fetch(server.url, {
    method: 'POST',
    signal: abort.signal,
    headers: {
      accept: 'text/event-stream',
      'content-type': 'application/json',
      [CSRF_HEADER]: '1',
      ...authHeaders(auth),
    },
    body: JSON.stringify({ query, variables }),
  });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes('event: next')) {
    const { value, done } = await reader.read();
    if (done) throw new Error('SSE stream ended before its first item');
    text += decoder.decode(value);
  }
  expect(text).not.toMatch(/Error/);
  const ended = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || decoder.decode(value).includes('event: complete')) return;
    }
  })().catch(() => {});
  return { ended, close: async () => abort.abort(), later: [] };
}

async function endsWithin(stream: Stream, ms: number): Promise<boolean> {
  let ended = false;
  void stream.ended.then(() => {
    ended = true;
  });
  await waitFor('the stream to end', () => ended, { timeoutMs: ms, intervalMs: 20 }).catch(
    () => {},
  );
  await stream.close();
  return ended;
}

describe.each(['ws', 'sse'] as const)('open subscriptions over %s', (transport) => {
  it('end when their session logs out, on this and another server process', async () => {
    const t = await tenant();
    const here = await open(a, transport, STATUS, { id: t.runtime }, { cookie: t.cookie });
    const there = await open(b, transport, STATUS, { id: t.runtime }, { cookie: t.cookie });
    const bystander = await tenant();
    const other = await open(
      b,
      transport,
      STATUS,
      { id: bystander.runtime },
      {
        cookie: bystander.cookie,
      },
    );
    await gql(a.url, 'mutation { logout }', {}, { cookie: t.cookie });
    expect(await endsWithin(here, 3_000)).toBe(true);
    expect(await endsWithin(there, 3_000)).toBe(true);
    expect(await endsWithin(other, 500), 'an unrelated stream was cut').toBe(false);
  });

  it('end when their user is disabled, or their API token revoked', async () => {
    const admin = await s.loginAs(await s.createUser({ role: 'admin' }));
    const t = await tenant();
    const byCookie = await open(b, transport, STATUS, { id: t.runtime }, { cookie: t.cookie });
    const token = await s.createApiToken(t.user, ['runtime:read']);
    const byToken = await open(b, transport, EVENTS, {}, { bearer: token });
    await gql(
      a.url,
      'mutation($id: ID!) { setUserStatus(id: $id, status: DISABLED) { __typename } }',
      { id: t.user.globalId },
      { cookie: admin },
    );
    expect(await endsWithin(byCookie, 3_000)).toBe(true);
    expect(await endsWithin(byToken, 3_000)).toBe(true);
    if (transport === 'ws') {
      // The last word says why, so a client can show "account disabled" rather than a dropped line.
      expect(JSON.stringify(byCookie.later.at(-1))).toContain('USER_DISABLED');
    }

    const u = await tenant();
    const created = await gql(
      a.url,
      'mutation { createApiToken(name: "x", scopes: [RUNTIME_READ]) { ... on CreateApiTokenPayload { token apiToken { id } } } }',
      {},
      { cookie: u.cookie },
    );
    const { token: bearer, apiToken } = expectNoGraphQLErrors(created).createApiToken;
    const stream = await open(b, transport, STATUS, { id: u.runtime }, { bearer });
    const sibling = await open(b, transport, STATUS, { id: u.runtime }, { cookie: u.cookie });
    await gql(
      a.url,
      'mutation($id: ID!) { revokeApiToken(id: $id) { __typename } }',
      { id: apiToken.id },
      { cookie: u.cookie },
    );
    expect(await endsWithin(stream, 3_000)).toBe(true);
    expect(await endsWithin(sibling, 500), 'the same user’s session stream was cut').toBe(false);
  });

  it("end an admin's stream of everyone's events when the admin is demoted", async () => {
    const root = await s.loginAs(await s.createUser({ role: 'admin' }));
    const t = await tenant('admin');
    const all = await open(b, transport, EVENTS, {}, { cookie: t.cookie });
    await gql(
      a.url,
      'mutation($id: ID!) { setUserRole(id: $id, role: USER) { __typename } }',
      { id: t.user.globalId },
      { cookie: root },
    );
    expect(await endsWithin(all, 3_000)).toBe(true);
  });
});
