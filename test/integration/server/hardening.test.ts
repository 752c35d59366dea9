import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MAX_OPERATIONS_PER_SOCKET } from '../../../server/src/graphql/ws.ts';
import { expectNoGraphQLErrors, gql, wsClient } from '../../testkit/graphql.ts';
import { type Seeder, seed } from '../../testkit/seed.ts';
import { startTestServer, type TestServer } from '../../testkit/server.ts';
import { waitFor } from '../../testkit/wait.ts';
import { bareGraphqlWs } from '../hostile/hostile-kit.ts';

let server: TestServer;
let s: Seeder;
let cookie: string;
let bearer: string;
beforeAll(async () => {
  server = await startTestServer({ env: { GRAPHQL_MAX_DEPTH: '4' } });
  s = seed(server);
  const u = await s.createUser({ role: 'admin' });
  cookie = await s.loginAs(u);
  bearer = await s.createApiToken(u, ['users:read']);
});
afterAll(() => server?.stop());

const post = (body: string, headers: Record<string, string>) =>
  fetch(server.url, { method: 'POST', headers, body });
const NO_STACK = /\bat .+\.(ts|js):\d+|node_modules/;

describe('CSRF', () => {
  const logout = JSON.stringify({ query: 'mutation { logout }' });

  it('rejects cookie-authenticated POSTs a cross-site form could send', async () => {
    for (const type of [
      'application/x-www-form-urlencoded',
      'text/plain',
      'multipart/form-data; boundary=x',
    ]) {
      const res = await post(
        type.startsWith('application/x')
          ? `query=${encodeURIComponent('mutation { logout }')}`
          : logout,
        { 'content-type': type, cookie },
      );
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({
        errors: [{ extensions: { code: 'CSRF_REJECTED' } }],
      });
    }
    expect(
      expectNoGraphQLErrors(await gql(server.url, '{ viewer { username } }', {}, { cookie }))
        .viewer,
    ).not.toBeNull();
  });

  it('accepts JSON or the CSRF header with a cookie, and exempts bearer tokens', async () => {
    expect(
      (
        await post(JSON.stringify({ query: '{ viewer { username } }' }), {
          'content-type': 'application/json',
          cookie,
        })
      ).status,
    ).toBe(200);
    const form = await post(`query=${encodeURIComponent('{ viewer { username } }')}`, {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Bearer ${bearer}`,
    });
    expect(form.status).not.toBe(403);
  });

  it('never runs mutations over GET', async () => {
    const res = await fetch(`${server.url}?query=${encodeURIComponent('mutation { logout }')}`, {
      headers: { cookie },
    });
    expect(res.status).toBe(405);
  });

  it('grants CORS only to the app origin', async () => {
    const res = await fetch(server.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://u-mallory.example.com', 'access-control-request-method': 'POST' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:8080');
  });
});

// This server runs with GRAPHQL_MAX_DEPTH=4: our schema has no cycles deep enough to hit the default 12.
describe('bad input gets a clear error with a code, never a stack trace', () => {
  const cases: [string, () => Promise<Response>, number, string][] = [
    [
      'malformed JSON',
      () => post('{"query": ', { 'content-type': 'application/json' }),
      400,
      'BAD_REQUEST',
    ],
    [
      'unknown field',
      () =>
        post(JSON.stringify({ query: '{ viewer { nope } }' }), {
          'content-type': 'application/json',
        }),
      200,
      'GRAPHQL_VALIDATION_FAILED',
    ],
    [
      'invalid variables',
      () =>
        post(
          JSON.stringify({
            query: 'query ($id: ID!) { user(id: $id) { __typename } }',
            variables: { id: { x: 1 } },
          }),
          { 'content-type': 'application/json' },
        ),
      400,
      'BAD_USER_INPUT',
    ],
    [
      'over-deep query',
      () =>
        post(
          JSON.stringify({
            query:
              '{ users { ... on QueryUsersSuccess { data { edges { node { username } } } } } }',
          }),
          { 'content-type': 'application/json' },
        ),
      200,
      'QUERY_LIMIT',
    ],
    [
      'a list nested 5000 deep (the parser would run out of stack)',
      () =>
        post(
          JSON.stringify({
            query: `{ invitationPreview(token: ${'['.repeat(5000)}${']'.repeat(5000)}) { state } }`,
          }),
          { 'content-type': 'application/json' },
        ),
      200,
      'QUERY_LIMIT',
    ],
    [
      'a NUL character in a variable (PostgreSQL text cannot hold it)',
      () =>
        post(
          JSON.stringify({
            query: 'mutation ($u: String!) { login(username: $u, password: "x") { __typename } }',
            variables: { u: 'a\u0000b' },
          }),
          { 'content-type': 'application/json' },
        ),
      200,
      'BAD_USER_INPUT',
    ],
    [
      'a NUL character in a string literal',
      () =>
        post(JSON.stringify({ query: '{ users(search: "\\u0000") { __typename } }' }), {
          'content-type': 'application/json',
          authorization: `Bearer ${bearer}`,
        }),
      200,
      'BAD_USER_INPUT',
    ],
    [
      'GET with variables that are not JSON',
      () =>
        fetch(
          `${server.url}?query=${encodeURIComponent('{ __typename }')}&variables=${encodeURIComponent('{bad')}`,
        ),
      400,
      'BAD_REQUEST',
    ],
    [
      'a content type GraphQL is not sent as',
      () =>
        post(JSON.stringify({ query: '{ __typename }' }), { 'content-type': 'application/xml' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
  ];
  it.each(cases)('%s', async (_name, send, status, code) => {
    const res = await send();
    const text = await res.text();
    expect(res.status, text).toBe(status);
    expect(text).not.toMatch(NO_STACK);
    const body = JSON.parse(text);
    expect(body.errors?.[0]?.message).toBeTruthy();
    if (code) expect(body.errors[0].extensions?.code, text).toBe(code);
  });

  it('a malformed global id is a typed error, not an internal one', async () => {
    const res = await gql(
      server.url,
      'query ($id: ID!) { user(id: $id) { __typename } }',
      { id: 'garbage' },
      { cookie },
    );
    expect(res.text).not.toMatch(NO_STACK);
    expect(res.errors?.[0]?.extensions?.code ?? res.data?.user.__typename).not.toBe('INTERNAL');
  });

  it('wrong credentials are a typed result', async () => {
    const res = await gql(
      server.url,
      'mutation { login(username: "x", password: "y") { __typename ... on Error { code message } } }',
    );
    expect(expectNoGraphQLErrors(res).login).toMatchObject({
      __typename: 'UnauthenticatedError',
      code: 'INVALID_CREDENTIALS',
    });
  });
});

describe('graphql-ws', () => {
  it('authenticates with a cookie on the upgrade or a bearer in connectionParams', async () => {
    for (const auth of [{ cookie }, { bearer }]) {
      const ws = wsClient(server.wsUrl, auth);
      try {
        const res = await ws.execute('{ viewer { authMethod } }');
        expect(res.data?.viewer).not.toBeNull();
      } finally {
        await ws.dispose();
      }
    }
  });

  it('a malformed or over-limit document is an error for that operation, never the end of the socket', async () => {
    const ws = await bareGraphqlWs(server.wsUrl, { cookie });
    try {
      const cases: [string, string][] = [
        ['{ viewer { username } ', 'GRAPHQL_PARSE_FAILED'],
        ['{ viewer { nope } }', 'GRAPHQL_VALIDATION_FAILED'],
        ['query A { __typename } query B { __typename }', 'OPERATION_RESOLUTION_FAILURE'],
        [`{ ${'__typename @skip(if: false) '.repeat(40)} }`, 'QUERY_LIMIT'],
        [
          '{ users { ... on QueryUsersSuccess { data { edges { node { username } } } } } }',
          'QUERY_LIMIT',
        ],
      ];
      for (const [query, code] of cases) {
        const [msg] = await ws.run({ query });
        expect(msg?.type, query).toBe('error');
        const errors = msg?.payload as { message: string; extensions?: { code?: string } }[];
        expect(errors[0]?.extensions?.code, JSON.stringify(errors)).toBe(code);
        expect(JSON.stringify(errors)).not.toMatch(NO_STACK);
      }
      const [deep] = await ws.run({
        query: `{ invitationPreview(token: ${'['.repeat(5000)}${']'.repeat(5000)}) { state } }`,
      });
      expect(deep).toMatchObject({
        type: 'error',
        payload: [{ extensions: { code: 'QUERY_LIMIT' } }],
      });
      const [nul] = await ws.run({
        query: 'query ($t: String!) { invitationPreview(token: $t) { state } }',
        variables: { t: '\u0000' },
      });
      expect(nul?.payload).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
      const bad = await ws.run({ query: 'query ($id: ID!) { user(id: $id) { __typename } }' });
      expect(bad[0]?.type).toBe('next');
      expect(bad[0]?.payload).toMatchObject({
        errors: [{ extensions: { code: 'BAD_USER_INPUT' } }],
      });
      expect(await ws.run({ query: '{ viewer { username } }' })).toMatchObject([
        { type: 'next', payload: { data: { viewer: { username: expect.any(String) } } } },
        { type: 'complete' },
      ]);
      expect(ws.closed()).toBeNull();
    } finally {
      ws.close();
    }
  });

  it(`one socket runs at most ${MAX_OPERATIONS_PER_SOCKET} operations at once; the rest are refused, the socket stays`, async () => {
    const ws = new WebSocket(server.wsUrl, 'graphql-transport-ws', { headers: { cookie } });
    const errors: { id: string; payload: { extensions?: { code?: string } }[] }[] = [];
    let closed = false;
    ws.on('close', () => {
      closed = true;
    });
    const acked = new Promise<void>((resolve) =>
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data));
        if (msg.type === 'connection_ack') resolve();
        if (msg.type === 'error') errors.push(msg);
      }),
    );
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ type: 'connection_init' }));
    await acked;
    const subscribe = (id: string) =>
      ws.send(
        JSON.stringify({
          type: 'subscribe',
          id,
          payload: { query: 'subscription { runtimeEvents { __typename } }' },
        }),
      );
    try {
      for (let i = 0; i < MAX_OPERATIONS_PER_SOCKET + 20; i++) subscribe(String(i));
      await waitFor('20 refusals', () => errors.length >= 20);
      expect(errors.map((e) => e.payload[0]?.extensions?.code)).toEqual(
        Array(20).fill('TOO_MANY_OPERATIONS'),
      );
      // Completing one makes room for another.
      ws.send(JSON.stringify({ type: 'complete', id: '0' }));
      await new Promise((r) => setTimeout(r, 100));
      subscribe('again');
      await new Promise((r) => setTimeout(r, 300));
      expect(errors.length).toBe(20);
      expect(closed).toBe(false);
    } finally {
      ws.close();
    }
  });

  it('ignores the cookie on an upgrade from a foreign origin (cross-site WebSocket hijacking)', async () => {
    const ws = wsClient(server.wsUrl, { cookie, origin: 'https://u-mallory.example.com' });
    try {
      expect((await ws.execute('{ viewer { username } }')).data?.viewer).toBeNull();
    } finally {
      await ws.dispose();
    }
    const own = wsClient(server.wsUrl, { cookie, origin: 'http://localhost:8080' });
    try {
      expect((await own.execute('{ viewer { username } }')).data?.viewer).not.toBeNull();
    } finally {
      await own.dispose();
    }
  });
});
