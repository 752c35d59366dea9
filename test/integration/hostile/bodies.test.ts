import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { type ModelStack, startModelStack } from '../model/model-harness.ts';
import { rawRequest, STACK_TRACE } from './hostile-kit.ts';

/**
 * Oversized bodies, however they are framed: a declared Content-Length over the limit, a chunked
 * body (no length declared up front) that grows past it, and WebSocket messages. Each gets a clear
 * 4xx (or close code) without the server buffering the whole body, and the server keeps serving.
 */
const PROXY_LIMIT = 64 * 1024;
let m: ModelStack;
let key: string;
let graphqlUrl: string;
let proxyUrl: string;
beforeAll(async () => {
  m = await startModelStack({ proxy: { maxBodyBytes: PROXY_LIMIT } });
  const user = await m.seeder.createUser();
  const route = await m.createRoute({ name: 'chat', isDefault: true });
  await m.grant(route, 'everyone');
  ({ key } = await m.runtimeFor(user));
  proxyUrl = m.proxyUrl;
  graphqlUrl = proxyUrl.replace(/\/v1$/, '/graphql');
});
afterAll(() => m?.stop());

const MiB = 1024 * 1024;
const json = { 'content-type': 'application/json' };
/** `{"query":"{ __typename }","variables":{"pad":"xxx…"}}` in 64 KiB pieces, `total` bytes in all. */
function paddedQuery(total: number): string[] {
  const head = '{"query":"{ __typename }","variables":{"pad":"';
  const tail = '"}}';
  const pad = 'x'.repeat(total - head.length - tail.length);
  const out = [head];
  for (let i = 0; i < pad.length; i += 64 * 1024) out.push(pad.slice(i, i + 64 * 1024));
  out.push(tail);
  return out;
}

async function expectServing(): Promise<void> {
  const res = await fetch(graphqlUrl, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
}

describe('GraphQL over HTTP', () => {
  it('a declared length over 1 MiB is refused with 413 before the body is read', async () => {
    const res = await rawRequest(graphqlUrl, {
      headers: { ...json, 'content-length': String(2 * MiB) },
      chunks: ['{"query":'],
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    await expectServing();
  });

  it('a body just under the limit is served', async () => {
    const res = await rawRequest(graphqlUrl, { headers: json, chunks: paddedQuery(MiB - 100) });
    expect(res.status, res.body).toBe(200);
  });

  it('a chunked body (no length declared) cannot slip past the limit', async () => {
    const res = await rawRequest(graphqlUrl, {
      headers: json,
      chunked: true,
      chunks: paddedQuery(8 * MiB),
    });
    expect(res.status, res.body).toBe(413);
    expect(res.body).not.toMatch(STACK_TRACE);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    await expectServing();
  });
});

describe('graphql-ws', () => {
  it('a message over 1 MiB closes that socket with 1009; other clients are unaffected', async () => {
    const ws = new WebSocket(graphqlUrl.replace('http', 'ws'), 'graphql-transport-ws');
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    const printed = vi.spyOn(console, 'error');
    try {
      ws.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(2 * MiB) } }));
      expect(await closed).toBe(1009);
      await expectServing();
      // The client's fault, answered by the close code: not printed as an internal error.
      expect(printed).not.toHaveBeenCalled();
    } finally {
      printed.mockRestore();
    }
  });
});

describe('credential proxy', () => {
  const upstreamCalls = () => m.fake.requests.length;
  it('a declared length over the limit ⇒ 413 request_too_large, upstream not called', async () => {
    const n = upstreamCalls();
    const res = await rawRequest(`${proxyUrl}/chat/completions`, {
      headers: { ...json, authorization: `Bearer ${key}`, 'content-length': String(4 * MiB) },
      chunks: ['{"model":"chat"'],
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'request_too_large' } });
    expect(m.fake.requests.length).toBe(n);
  });

  it('a chunked body growing past the limit ⇒ 413, upstream not called', async () => {
    const n = upstreamCalls();
    const messages = JSON.stringify([{ role: 'user', content: 'y'.repeat(4 * PROXY_LIMIT) }]);
    const res = await rawRequest(`${proxyUrl}/chat/completions`, {
      headers: { ...json, authorization: `Bearer ${key}` },
      chunked: true,
      chunks: ['{"model":"chat","messages":', messages, '}'],
    });
    expect(res.status, res.body).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'request_too_large' } });
    expect(m.fake.requests.length).toBe(n);
    await expectServing();
  });
});
