import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resumableRuntimeEvents } from '../../../server/src/events/resumable-stream.ts';
import { expectNoGraphQLErrors, gql, wsClient } from '../../testkit/graphql.ts';
import { type SeededUser, seed } from '../../testkit/seed.ts';
import { startTestServer, type TestServer } from '../../testkit/server.ts';
import {
  appendEvent,
  condition,
  eventually,
  globalRuntimeId,
  observe,
  take,
} from './runtimes-fixtures.ts';

// biome-ignore lint/suspicious/noExplicitAny: GraphQL results are checked field by field
type Json = any;

const EVENTS = `subscription($filter: RuntimeEventFilter, $after: String) {
  runtimeEvents(filter: $filter, after: $after) { __typename
    ... on RuntimeEvent { cursor seq type phase message runtime { id owner { username } } }
    ... on Error { code message } } }`;
const STATUS = `subscription($id: ID!, $after: String) {
  runtimeStatus(runtimeId: $id, after: $after) { __typename
    ... on RuntimeStatusUpdate { cursor event { message } runtime { id status { phase ready } } }
    ... on Error { code } } }`;
const PROGRESS = `subscription($id: ID!) { runtimeProgress(runtimeId: $id) {
  ... on RuntimeProgress { progress message ready failed } } }`;
const START = 'mutation { startRuntime { ... on Runtime { id } } }';

let server: TestServer;
let alice: SeededUser;
let bob: SeededUser;
const cookies: Record<string, string> = {};
const runtimeOf: Record<string, string> = {};

beforeAll(async () => {
  server = await startTestServer();
  const { createUser, loginAs } = seed(server);
  alice = await createUser({ username: 'alice' });
  bob = await createUser({ username: 'bob' });
  const root = await createUser({ username: 'root', role: 'admin' });
  for (const u of [alice, bob, root]) cookies[u.username] = await loginAs(u);
  for (const u of [alice, bob]) {
    const res = await gql(server.url, START, {}, { cookie: cookies[u.username] });
    const gid = expectNoGraphQLErrors(res).startRuntime.id as string;
    runtimeOf[u.username] = Buffer.from(gid, 'base64').toString().split(':')[1] as string;
  }
});
afterAll(() => server?.stop());

/** Subscribes over graphql-ws and waits until the server's hub has the new listener. */
async function subscribe(
  s: TestServer,
  who: string,
  query: string,
  variables: Record<string, unknown> = {},
) {
  const before = s.deps.hub.subscriberCount;
  const ws = wsClient(s.wsUrl, { cookie: cookies[who] });
  const it = ws.client.iterate<Json>({ query, variables });
  const first = it.next(); // graphql-ws subscribes on the first pull
  await eventually(() => s.deps.hub.subscriberCount > before);
  let pending: Promise<IteratorResult<Json>> | null = first;
  const items: AsyncIterator<Json> = {
    next: () => {
      const p = pending ?? it.next();
      pending = null;
      return p.then((r) =>
        r.done ? r : { done: false, value: Object.values(r.value.data ?? { e: r.value })[0] },
      );
    },
  };
  return {
    items,
    /** Disconnects, then waits for the server to drop the listener (so counts stay exact). */
    close: async () => {
      await ws.dispose();
      await eventually(() => s.deps.hub.subscriberCount <= before, 3000);
    },
    disconnect: () => ws.dispose(),
    before,
  };
}

describe('runtimeEvents over graphql-ws', () => {
  it('delivers events in commit order with their runtime', async () => {
    const sub = await subscribe(server, 'alice', EVENTS);
    const appended = [];
    for (const message of ['a', 'b', 'c'])
      appended.push(await appendEvent(server, runtimeOf.alice as string, { message }));
    const got = await take(sub.items, 3);
    expect(got.map((e) => e.cursor)).toEqual(appended);
    expect(got.map((e) => e.message)).toEqual(['a', 'b', 'c']);
    expect(got[0].runtime).toEqual({
      id: globalRuntimeId(runtimeOf.alice as string),
      owner: { username: 'alice' },
    });
    await sub.close();
  });

  it('resumes after a dropped connection with exactly the missed events', async () => {
    const rt = runtimeOf.alice as string;
    const first = await subscribe(server, 'alice', EVENTS);
    await appendEvent(server, rt, { message: 'seen-1' });
    await appendEvent(server, rt, { message: 'seen-2' });
    const seen = await take(first.items, 2);
    await first.close();
    const missed = [];
    for (const message of ['missed-1', 'missed-2', 'missed-3'])
      missed.push(await appendEvent(server, rt, { message }));

    const again = await subscribe(server, 'alice', EVENTS, { after: seen.at(-1).cursor });
    const replayed = await take(again.items, 3);
    expect(replayed.map((e) => e.cursor)).toEqual(missed);
    const live = await appendEvent(server, rt, { message: 'live' });
    expect((await take(again.items, 1))[0].cursor).toBe(live);
    await expect(take(again.items, 1, 300)).rejects.toThrow(/timed out/);
    await again.close();
  });

  it('pins users to their own runtimes; admins see everyone’s', async () => {
    // A refusal is the stream's only item (no hub listener is ever attached).
    const ws = wsClient(server.wsUrl, { cookie: cookies.alice });
    for (const filter of [
      { ownerId: bob.globalId },
      { runtimeId: globalRuntimeId(runtimeOf.bob as string) },
    ]) {
      const [res] = await take(
        ws.client.iterate<Json>({ query: EVENTS, variables: { filter } }),
        1,
      );
      expect(res?.data?.runtimeEvents).toMatchObject({
        __typename: 'ForbiddenError',
        code: 'FORBIDDEN',
      });
    }
    await ws.dispose();

    const mine = await subscribe(server, 'alice', EVENTS);
    const all = await subscribe(server, 'root', EVENTS);
    const bobs = await appendEvent(server, runtimeOf.bob as string, { message: 'bob only' });
    const alices = await appendEvent(server, runtimeOf.alice as string, { message: 'alice' });
    expect((await take(mine.items, 1))[0].cursor).toBe(alices);
    expect((await take(all.items, 2)).map((e) => e.cursor)).toEqual([bobs, alices]);
    await Promise.all([mine.close(), all.close()]);
  });

  it('fans out across server processes: a mutation on A reaches a subscriber on B', async () => {
    const b = await startTestServer({ databaseUrl: server.databaseUrl });
    try {
      const sub = await subscribe(b, 'alice', EVENTS);
      const stop = `mutation($id: ID!) { stopRuntime(id: $id) { __typename } }`;
      await gql(
        server.url,
        stop,
        { id: globalRuntimeId(runtimeOf.alice as string) },
        { cookie: cookies.alice },
      );
      const [event] = await take(sub.items, 1);
      expect(event).toMatchObject({ type: 'SpecChanged', message: 'Stop requested by alice' });
      await sub.close();
    } finally {
      await b.stop();
    }
  });

  it('a slow subscriber whose backlog overflows catches up from the database without gaps', async () => {
    const rt = runtimeOf.bob as string;
    const em = server.deps.orm.em.fork();
    const stream = resumableRuntimeEvents(server.deps.hub, em, { runtimeId: rt }, null, {
      maxBacklog: 4,
    });
    const before = server.deps.hub.subscriberCount;
    const firstPull = stream.next();
    await eventually(() => server.deps.hub.subscriberCount > before);
    const appended = [];
    for (let i = 0; i < 30; i++)
      appended.push(await appendEvent(server, rt, { message: `burst ${i}` }));
    const head = await firstPull;
    const rest = await take(stream, 29);
    expect([head.value, ...rest].map((e) => e?.id)).toEqual(appended);
    await stream.return?.(undefined);
    await eventually(() => server.deps.hub.subscriberCount === before);
  });
});

describe('runtimeStatus and runtimeProgress', () => {
  it('emits the snapshot, then a fresh one per event; resumes from a cursor', async () => {
    const rt = runtimeOf.alice as string;
    const sub = await subscribe(server, 'alice', STATUS, { id: globalRuntimeId(rt) });
    const [snapshot] = await take(sub.items, 1);
    expect(snapshot).toMatchObject({ event: null, runtime: { id: globalRuntimeId(rt) } });
    await observe(server, rt, {
      phase: 'Starting',
      event: { type: 'Progress', message: 'Installing' },
    });
    const [update] = await take(sub.items, 1);
    expect(update).toMatchObject({
      event: { message: 'Installing' },
      runtime: { status: { phase: 'STARTING' } },
    });
    expect(BigInt(update.cursor)).toBeGreaterThan(BigInt(snapshot.cursor));
    await sub.close();

    await observe(server, rt, {
      phase: 'Running',
      conditions: [condition('Ready', 'True')],
      event: { type: 'Ready', message: 'Ready' },
    });
    const resumed = await subscribe(server, 'alice', STATUS, {
      id: globalRuntimeId(rt),
      after: update.cursor,
    });
    const [now, replayed] = await take(resumed.items, 2);
    expect(now).toMatchObject({
      event: null,
      cursor: update.cursor,
      runtime: { status: { phase: 'RUNNING', ready: true } },
    });
    expect(replayed).toMatchObject({ event: { message: 'Ready' } });
    await resumed.close();
  });

  it('releases the hub listener as soon as the client unsubscribes, even when idle', async () => {
    const before = server.deps.hub.subscriberCount;
    const sub = await subscribe(server, 'bob', STATUS, {
      id: globalRuntimeId(runtimeOf.bob as string),
    });
    await take(sub.items, 1);
    await sub.close();
    await eventually(() => server.deps.hub.subscriberCount === before, 3000);
  });

  it('runtimeProgress reports 0–100 and the latest message', async () => {
    const { createUser, loginAs } = seed(server);
    const carol = await createUser({ username: 'carol' });
    cookies.carol = await loginAs(carol);
    const gid = expectNoGraphQLErrors(await gql(server.url, START, {}, { cookie: cookies.carol }))
      .startRuntime.id;
    const rt = Buffer.from(gid, 'base64').toString().split(':')[1] as string;
    const sub = await subscribe(server, 'carol', PROGRESS, { id: gid });
    expect((await take(sub.items, 1))[0]).toMatchObject({
      progress: 0,
      ready: false,
      failed: false,
    });
    await observe(server, rt, {
      phase: 'Starting',
      conditions: [condition('Scheduled', 'True'), condition('Installed', 'True')],
      event: { type: 'Progress', message: 'Starting the gateway', progress: 60 },
    });
    expect((await take(sub.items, 1))[0]).toMatchObject({
      progress: 60,
      message: 'Starting the gateway',
    });
    await observe(server, rt, {
      phase: 'Running',
      conditions: [condition('Ready', 'True')],
      event: { type: 'Ready', message: 'Ready', progress: 100 },
    });
    expect((await take(sub.items, 1))[0]).toMatchObject({ progress: 100, ready: true });
    await sub.close();
  });
});

describe('subscriptions over SSE', () => {
  it('serves runtimeStatus as text/event-stream', async () => {
    const rt = runtimeOf.bob as string;
    const abort = new AbortController();
    const res = await fetch(server.url, {
      method: 'POST',
      signal: abort.signal,
      headers: {
        accept: 'text/event-stream',
        'content-type': 'application/json',
        'x-clawloops-csrf': '1',
        cookie: cookies.bob as string,
      },
      body: JSON.stringify({ query: STATUS, variables: { id: globalRuntimeId(rt) } }),
    });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events = sseEvents(res.body as ReadableStream<Uint8Array>);
    const [snapshot] = await take(events, 1);
    expect(snapshot.data.runtimeStatus).toMatchObject({
      event: null,
      runtime: { id: globalRuntimeId(rt) },
    });
    await appendEvent(server, rt, { message: 'over SSE' });
    const [update] = await take(events, 1);
    expect(update.data.runtimeStatus.event.message).toBe('over SSE');
    abort.abort();
  });
});

/** Parses `event: next` messages of a GraphQL-over-SSE response (ignoring keep-alive comments). */
function sseEvents(body: ReadableStream<Uint8Array>): AsyncIterator<Json> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    async next() {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5))
            .join('');
          if (/^event: ?next/m.test(block) && data) return { done: false, value: JSON.parse(data) };
          if (/^event: ?complete/m.test(block)) return { done: true, value: undefined };
          continue;
        }
        const { value, done } = await reader.read();
        if (done) return { done: true, value: undefined };
        buffer += decoder.decode(value, { stream: true });
      }
    },
  };
}
