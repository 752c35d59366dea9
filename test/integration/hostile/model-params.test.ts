import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeededUser } from '../../testkit/seed.ts';
import { type ModelStack, startModelStack } from '../model/model-harness.ts';
import { rawRequest, STACK_TRACE } from './hostile-kit.ts';

/**
 * The credential proxy against absurd requests from a runtime (whose agents run arbitrary code):
 * every one gets a clear OpenAI-shaped 4xx, and nothing the proxy meters can be dodged — the
 * upstream is not called for a refused request, and what it is called with is capped and metered.
 */
let m: ModelStack;
let alice: SeededUser;
let key: string;
let runtimeId: string;
const ROUTE_MAX_TOKENS = 50;
beforeAll(async () => {
  m = await startModelStack();
  alice = await m.seeder.createUser();
  const route = await m.createRoute({ name: 'chat', isDefault: true, maxTokens: ROUTE_MAX_TOKENS });
  await m.grant(route, 'everyone');
  ({ key, runtimeId } = await m.runtimeFor(alice));
});
afterAll(() => m?.stop());

const messages = [{ role: 'user', content: 'hello there' }];
async function send(
  path: string,
  body: string,
  headers: Record<string, string> = {},
  method = 'POST',
) {
  // An explicit path: `new URL` would resolve `/v1/../graphql` before it is sent.
  const res = await rawRequest(m.proxyUrl, {
    path: `/v1${path}`,
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
    chunks: body ? [body] : [],
  });
  expect(res.body).not.toMatch(STACK_TRACE);
  return { status: res.status, json: JSON.parse(res.body) };
}
const chat = (body: Record<string, unknown>) =>
  send('/chat/completions', JSON.stringify({ model: 'chat', messages, ...body }));

describe('refused before the upstream', () => {
  const cases: [string, () => ReturnType<typeof send>, number, string][] = [
    ['not JSON', () => send('/chat/completions', 'model=chat'), 400, 'invalid_json'],
    [
      'a form post',
      () =>
        send('/chat/completions', 'model=chat&messages=x', {
          'content-type': 'application/x-www-form-urlencoded',
        }),
      400,
      'invalid_json',
    ],
    ['a JSON array', () => send('/chat/completions', '[{"model":"chat"}]'), 400, 'invalid_json'],
    ['JSON null', () => send('/chat/completions', 'null'), 400, 'invalid_json'],
    ['truncated JSON', () => send('/chat/completions', '{"model":"chat",'), 400, 'invalid_json'],
    ['invalid UTF-8', () => send('/chat/completions', '\xff\xfe'), 400, 'invalid_json'],
    ['no model', () => chat({ model: undefined }), 400, 'missing_model'],
    ['a numeric model', () => chat({ model: 42 }), 400, 'missing_model'],
    ['an unknown model', () => chat({ model: '../../etc/passwd' }), 404, 'model_not_found'],
    ['stream: "true"', () => chat({ stream: 'true' }), 400, 'invalid_parameter'],
    ['stream: 1', () => chat({ stream: 1 }), 400, 'invalid_parameter'],
    [
      'stream_options junk',
      () => chat({ stream: true, stream_options: 'x' }),
      400,
      'invalid_parameter',
    ],
    ['max_tokens as a string', () => chat({ max_tokens: '100000' }), 400, 'invalid_parameter'],
    ['negative max_tokens', () => chat({ max_tokens: -1 }), 400, 'invalid_parameter'],
    ['fractional max_tokens', () => chat({ max_tokens: 2.5 }), 400, 'invalid_parameter'],
    [
      'max_completion_tokens 1e300',
      () => chat({ max_completion_tokens: 1e300 }),
      400,
      'invalid_parameter',
    ],
    ['n = 1e6', () => chat({ n: 1e6 }), 400, 'invalid_parameter'],
    ['n = -1', () => chat({ n: -1 }), 400, 'invalid_parameter'],
    ['GET on chat', () => send('/chat/completions', '', {}, 'GET'), 404, 'unknown_url'],
    ['an empty body', () => send('/chat/completions', ''), 400, 'invalid_json'],
    ['an unknown operation', () => send('/completions', '{}'), 404, 'unknown_url'],
    ['a dot-dot path', () => send('/../graphql', '{}'), 404, 'unknown_url'],
  ];
  it.each(cases)('%s', async (_name, request, status, code) => {
    const calls = m.fake.requests.length;
    const rows = (await m.usageRows(runtimeId)).length;
    const res = await request();
    expect(res.status, JSON.stringify(res.json)).toBe(status);
    expect(res.json.error).toMatchObject({ code, message: expect.any(String) });
    expect(m.fake.requests.length).toBe(calls);
    expect((await m.usageRows(runtimeId)).length).toBe(rows);
  });

  it('absurd keys: none, empty, 10k characters, another scheme ⇒ 401', async () => {
    for (const authorization of [
      '',
      'Bearer ',
      `Bearer clk_${'a'.repeat(10_000)}`,
      `Basic ${key}`,
    ]) {
      const res = await send('/chat/completions', JSON.stringify({ model: 'chat', messages }), {
        authorization,
      });
      expect(res.status, authorization.slice(0, 20)).toBe(401);
      expect(res.json.error.code).toBe('invalid_api_key');
    }
  });
});

describe('forwarded, but capped and metered', () => {
  it('a JSON body under another content type is still just JSON (bearer-only: no CSRF to fear)', async () => {
    const res = await send('/chat/completions', JSON.stringify({ model: 'chat', messages }), {
      'content-type': 'text/plain',
    });
    expect(res.status).toBe(200);
  });

  it('max_tokens 1e12 reaches the upstream as the route cap', async () => {
    const res = await chat({ max_tokens: 1e12, max_completion_tokens: 1e9 });
    expect(res.status).toBe(200);
    expect(m.fake.requests.at(-1)?.body).toMatchObject({
      max_tokens: ROUTE_MAX_TOKENS,
      max_completion_tokens: ROUTE_MAX_TOKENS,
    });
  });

  it('a stream always asks for usage, whatever stream_options said, and is metered', async () => {
    const before = (await m.usageRows(runtimeId)).length;
    const res = await rawRequest(`${m.proxyUrl}/chat/completions`, {
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      chunks: [
        JSON.stringify({
          model: 'chat',
          messages,
          stream: true,
          stream_options: { include_usage: false },
        }),
      ],
    });
    expect(res.status).toBe(200);
    expect(m.fake.requests.at(-1)?.body?.stream_options).toEqual({ include_usage: true });
    const rows = await m.usageRows(runtimeId);
    expect(rows.length).toBe(before + 1);
    expect(Number(rows.at(-1)?.completion_tokens)).toBeGreaterThan(0);
  });

  it('a huge messages array (under the body limit) is metered in full', async () => {
    const many = Array.from({ length: 20_000 }, () => ({ role: 'user', content: 'word' }));
    const res = await chat({ messages: many });
    expect(res.status).toBe(200);
    const rows = await m.usageRows(runtimeId);
    expect(Number(rows.at(-1)?.prompt_tokens)).toBe(20_000);
  });

  it('a spent budget refuses every request, absurd or not (429 before any parsing of parameters)', async () => {
    const bob = await m.seeder.createUser();
    const bobs = await m.runtimeFor(bob);
    await m.asAdmin(
      `mutation($input: SetModelBudgetInput!) { setModelBudget(input: $input) { __typename } }`,
      { input: { user: bob.globalId, period: 'DAY', tokenLimit: 5 } },
    );
    const asBob = (body: Record<string, unknown>) =>
      send('/chat/completions', JSON.stringify({ model: 'chat', messages, ...body }), {
        authorization: `Bearer ${bobs.key}`,
      });
    expect((await asBob({})).status).toBe(200);
    // In the ledger now: the budget's NOTIFY may still drop the gate's cache and reload from it.
    await m.usageRows(bobs.runtimeId);
    for (const body of [{}, { n: 128, max_tokens: 1e12 }, { stream: true }]) {
      const res = await asBob(body);
      expect(res.status).toBe(429);
      expect(res.json.error.code).toBe('budget_exceeded');
    }
  });
});

describe('LiteLLM attribution', () => {
  it('the upstream always sees the ClawLoops user as `user`, whatever the runtime sent', async () => {
    const route = await m.createRoute({ name: 'via-litellm', upstreamKind: 'LITELLM' });
    await m.grant(route, 'everyone');
    for (const user of [undefined, 'someone-else', { $ne: null }]) {
      const res = await chat({ model: 'via-litellm', user });
      expect(res.status).toBe(200);
      expect(m.fake.requests.at(-1)?.body?.user).toBe(alice.id);
    }
  });
});
