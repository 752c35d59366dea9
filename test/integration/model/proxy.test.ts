import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeededUser } from '../../testkit/seed.ts';
import { waitFor } from '../../testkit/wait.ts';
import { type ModelStack, startModelStack, UPSTREAM_KEY } from './model-harness.ts';

/**
 * The credential proxy end to end with the real `openai` SDK as the client and the fake upstream:
 * chat (streaming and not), embeddings, model list, grants, the ledger, upstream failures and
 * client disconnects.
 */
describe('credential proxy', () => {
  let m: ModelStack;
  let alice: SeededUser;
  let bob: SeededUser;
  let aliceKey: string;
  let aliceRuntime: string;
  let bobKey: string;

  beforeAll(async () => {
    m = await startModelStack({ fake: { chunkDelayMs: 0 } });
    alice = await m.seeder.createUser();
    bob = await m.seeder.createUser();
    const shared = await m.createRoute({
      name: 'chat-small',
      isDefault: true,
      upstreamModel: 'fake-model',
    });
    await m.grant(shared, 'everyone');
    const alicesOwn = await m.createRoute({ name: 'alice-only', upstreamModel: 'fake-large' });
    await m.grant(alicesOwn, alice);
    await m.createRoute({ name: 'hidden', visible: false });
    ({ runtimeId: aliceRuntime, key: aliceKey } = await m.runtimeFor(alice));
    ({ key: bobKey } = await m.runtimeFor(bob));
  });
  afterAll(() => m?.stop());

  it('non-streaming chat: upstream model id and credential injected, usage recorded as reported', async () => {
    const before = m.fake.requests.length;
    const res = await m.client(aliceKey).chat.completions.create({
      model: 'alice-only',
      messages: [{ role: 'user', content: 'one two three' }],
    });
    expect(res.choices[0]?.message.content).toBe('Hello from the fake upstream.');
    const seen = m.fake.requests[before];
    expect(seen?.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(seen?.body?.model).toBe('fake-large');
    const rows = await m.usageRows(aliceRuntime);
    const reported = m.fake.reported.at(-1);
    expect(rows.at(-1)).toMatchObject({
      model: 'alice-only',
      endpoint: 'chat',
      stream: false,
      prompt_tokens: reported?.prompt_tokens,
      completion_tokens: reported?.completion_tokens,
      status: 200,
      user_id: alice.id,
    });
  });

  it('streaming chat: chunks pass through as they arrive; include_usage is requested; usage recorded', async () => {
    const slow = await startModelStack({ server: m.server, fake: { chunkDelayMs: 150 } });
    try {
      const route = await slow.createRoute({ name: 'slow-stream', baseUrl: slow.fake.url });
      await slow.grant(route, alice);
      const started = performance.now();
      const stream = await slow.client(aliceKey).chat.completions.create({
        model: 'slow-stream',
        messages: [{ role: 'user', content: 'stream please' }],
        stream: true,
      });
      const arrivals: number[] = [];
      let text = '';
      for await (const chunk of stream) {
        arrivals.push(performance.now() - started);
        text += chunk.choices[0]?.delta?.content ?? '';
      }
      expect(text).toBe('Hello from the fake upstream.');
      // 5 pieces 150 ms apart: the first must reach the client long before the last is produced.
      expect(arrivals[0]).toBeLessThan(400);
      expect(arrivals.at(-1) as number).toBeGreaterThan(550);
      const sent = slow.fake.requests.at(-1)?.body;
      expect(sent?.stream_options).toEqual({ include_usage: true });
      const row = (await slow.usageRows(aliceRuntime)).at(-1);
      expect(row).toMatchObject({
        model: 'slow-stream',
        stream: true,
        status: 200,
        prompt_tokens: 2,
        completion_tokens: slow.fake.reported.at(-1)?.completion_tokens,
      });
    } finally {
      await slow.stop();
    }
  });

  it('embeddings through the SDK, with usage', async () => {
    const res = await m
      .client(aliceKey)
      .embeddings.create({ model: 'chat-small', input: ['a b', 'c'] });
    expect(res.data).toHaveLength(2);
    expect(res.data[0]?.embedding).toHaveLength(8);
    const row = (await m.usageRows(aliceRuntime)).at(-1);
    expect(row).toMatchObject({
      endpoint: 'embeddings',
      prompt_tokens: 3,
      completion_tokens: 0,
      status: 200,
    });
  });

  it('GET /v1/models lists only granted, visible routes', async () => {
    const aliceModels = (await m.client(aliceKey).models.list()).data.map((x) => x.id);
    expect(aliceModels).toEqual(expect.arrayContaining(['alice-only', 'chat-small']));
    expect(aliceModels).not.toContain('hidden');
    const bobModels = (await m.client(bobKey).models.list()).data.map((x) => x.id);
    expect(bobModels).toEqual(['chat-small']);
  });

  it("one user's key cannot use another's grant, nor an ungranted route (404 model_not_found)", async () => {
    for (const model of ['alice-only', 'hidden', 'no-such-model']) {
      const err = await m
        .client(bobKey)
        .chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] })
        .catch((e) => e);
      expect(err).toBeInstanceOf(OpenAI.NotFoundError);
      expect(err.error).toMatchObject({ type: 'not_found_error', code: 'model_not_found' });
    }
  });

  it('unknown, malformed and missing keys get 401 authentication_error', async () => {
    for (const key of ['clk_not-a-real-key', 'sk-something-else']) {
      const err = await m
        .client(key)
        .models.list()
        .catch((e) => e);
      expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
      expect(err.error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
    }
    const res = await fetch(`${m.proxyUrl}/models`);
    expect(res.status).toBe(401);
  });

  it('upstream 5xx ⇒ 502, upstream rejecting our credential ⇒ 502, both with clear messages', async () => {
    m.fake.failNext(500, 'model overloaded');
    const a = await m
      .client(aliceKey)
      .chat.completions.create({ model: 'chat-small', messages: [{ role: 'user', content: 'x' }] })
      .catch((e) => e);
    expect(a.status).toBe(502);
    expect(a.error).toMatchObject({ code: 'upstream_error' });
    expect(a.message).toContain('model overloaded');

    m.fake.failNext(401, 'Incorrect API key provided.');
    const b = await m
      .client(aliceKey)
      .chat.completions.create({ model: 'chat-small', messages: [{ role: 'user', content: 'x' }] })
      .catch((e) => e);
    expect(b.status).toBe(502);
    expect(b.error).toMatchObject({ code: 'upstream_auth_failed' });
    expect(JSON.stringify(b.error)).not.toContain(UPSTREAM_KEY);
  });

  it('an unreachable upstream ⇒ 502; a silent one ⇒ 504', async () => {
    const dead = await m.createRoute({ name: 'dead', baseUrl: 'http://127.0.0.1:9/v1' });
    await m.grant(dead, alice);
    const a = await m
      .client(aliceKey)
      .chat.completions.create({ model: 'dead', messages: [{ role: 'user', content: 'x' }] })
      .catch((e) => e);
    expect(a.status).toBe(502);
    expect(a.error).toMatchObject({ code: 'upstream_unreachable' });

    const quick = await startModelStack({ server: m.server, proxy: { headersTimeoutMs: 300 } });
    try {
      const route = await quick.createRoute({ name: 'silent', baseUrl: quick.fake.url });
      await quick.grant(route, alice);
      quick.fake.hangNext();
      const b = await quick
        .client(aliceKey)
        .chat.completions.create({ model: 'silent', messages: [{ role: 'user', content: 'x' }] })
        .catch((e) => e);
      expect(b.status).toBe(504);
      expect(b.error).toMatchObject({ type: 'timeout_error', code: 'upstream_timeout' });
    } finally {
      await quick.stop();
    }
  });

  it('a client disconnect mid-stream cancels the upstream request (ledger status 499)', async () => {
    const slow = await startModelStack({ server: m.server, fake: { chunkDelayMs: 500 } });
    try {
      const route = await slow.createRoute({ name: 'slow-cancel', baseUrl: slow.fake.url });
      await slow.grant(route, alice);
      const controller = new AbortController();
      const stream = await slow
        .client(aliceKey)
        .chat.completions.create(
          { model: 'slow-cancel', messages: [{ role: 'user', content: 'x' }], stream: true },
          { signal: controller.signal },
        );
      for await (const _ of stream) {
        controller.abort();
        break;
      }
      await waitFor('upstream cancelled', () => slow.fake.aborted === 1, { timeoutMs: 3000 });
      await waitFor(
        '499 row',
        async () => (await slow.usageRows(aliceRuntime)).at(-1)?.status === 499,
        { timeoutMs: 3000 },
      );
    } finally {
      await slow.stop();
    }
  });

  it('rotating the upstream credential takes effect on the next request', async () => {
    const route = (await m.sql(`select id from model_routes where name = 'chat-small'`))[0]
      ?.id as string;
    await m.asAdmin(
      `mutation($id: ID!, $c: String) { setModelRouteCredential(id: $id, credential: $c) { __typename } }`,
      { id: route, c: 'sk-rotated' },
    );
    await waitFor(
      'new credential used',
      async () => {
        await m
          .client(aliceKey)
          .chat.completions.create({
            model: 'chat-small',
            messages: [{ role: 'user', content: 'x' }],
          })
          .catch(() => null);
        return m.fake.requests.at(-1)?.headers.authorization === 'Bearer sk-rotated';
      },
      { timeoutMs: 3000 },
    );
    await m.asAdmin(
      `mutation($id: ID!, $c: String) { setModelRouteCredential(id: $id, credential: $c) { __typename } }`,
      { id: route, c: UPSTREAM_KEY },
    );
  });
});
