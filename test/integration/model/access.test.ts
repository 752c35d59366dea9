import OpenAI from 'openai';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS } from '../../../schema/domain/channels.ts';
import { gql } from '../../testkit/graphql.ts';
import { waitFor } from '../../testkit/wait.ts';
import { type ModelStack, startModelStack, UPSTREAM_KEY } from './model-harness.ts';

const chat = (client: OpenAI, model = 'shared') =>
  client.chat.completions.create({ model, messages: [{ role: 'user', content: 'a b c d' }] });
const runtimeGid = (id: string) => Buffer.from(`Runtime:${id}`).toString('base64');

/** Revocation, budgets, rate limits, and the GraphQL side of the model layer. */
describe('model access control', () => {
  let m: ModelStack;
  let routeId: string;

  beforeAll(async () => {
    m = await startModelStack();
    routeId = await m.createRoute({
      name: 'shared',
      isDefault: true,
      inputPricePerMTok: 1_000_000,
      outputPricePerMTok: 1_000_000,
    });
    await m.grant(routeId, 'everyone');
  });
  afterAll(() => m?.stop());

  it('deleting the runtime revokes its key (401) within a second', async () => {
    const user = await m.seeder.createUser();
    const { runtimeId, key } = await m.runtimeFor(user);
    await chat(m.client(key));
    const cookie = await m.seeder.loginAs(user);
    const res = await gql(
      m.server.url,
      `mutation($id: ID!) { deleteRuntime(id: $id) { __typename } }`,
      { id: runtimeGid(runtimeId) },
      { cookie },
    );
    expect(res.text).toContain('Runtime');
    await waitFor(
      'key refused',
      async () => (await chat(m.client(key)).catch((e) => e)) instanceof OpenAI.AuthenticationError,
      { timeoutMs: 1000, intervalMs: 50 },
    );
  });

  it('disabling the owner revokes the key (401) within a second', async () => {
    const user = await m.seeder.createUser();
    const { key } = await m.runtimeFor(user);
    await chat(m.client(key));
    await m.asAdmin(
      `mutation($id: ID!) { setUserStatus(id: $id, status: DISABLED) { __typename } }`,
      { id: user.globalId },
    );
    await waitFor(
      'key refused',
      async () => (await chat(m.client(key)).catch((e) => e)) instanceof OpenAI.AuthenticationError,
      { timeoutMs: 1000, intervalMs: 50 },
    );
  });

  it('a token budget is enforced from the ledger: 429 insufficient_quota once spent; reset restores', async () => {
    const user = await m.seeder.createUser();
    const { runtimeId, key } = await m.runtimeFor(user);
    const set = await m.asAdmin(
      `mutation($input: SetModelBudgetInput!) { setModelBudget(input: $input) { __typename ... on ModelBudget { tokenLimit period } } }`,
      { input: { user: user.globalId, period: 'DAY', tokenLimit: 20 } },
    );
    expect(set.setModelBudget).toMatchObject({ tokenLimit: 20, period: 'DAY' });
    // Each call: 4 prompt + 5 completion = 9 tokens. Two fit under 20; the third crosses it.
    await chat(m.client(key));
    await chat(m.client(key));
    await chat(m.client(key));
    const err = await chat(m.client(key)).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.error).toMatchObject({ type: 'insufficient_quota', code: 'budget_exceeded' });
    expect(err.message).toMatch(/Token budget exhausted: 27 of 20 tokens used this day/);
    const rows = await m.usageRows(runtimeId);
    expect(rows.map((r) => Number(r.prompt_tokens) + Number(r.completion_tokens))).toEqual([
      9, 9, 9,
    ]);

    const cookie = await m.seeder.loginAs(user);
    const mine = await gql(
      m.server.url,
      `{ myUsage { __typename ... on QueryMyUsageSuccess { data { usedTokens remainingTokens requests budget { tokenLimit period } daily { day totalTokens requests } } } } }`,
      {},
      { cookie },
    );
    expect(mine.data.myUsage.data).toMatchObject({
      usedTokens: 27,
      remainingTokens: 0,
      requests: 3,
      budget: { tokenLimit: 20, period: 'DAY' },
    });
    expect(mine.data.myUsage.data.daily).toEqual([
      { day: new Date().toISOString().slice(0, 10), totalTokens: 27, requests: 3 },
    ]);

    await m.asAdmin(`mutation($u: ID!) { resetModelBudget(user: $u) { __typename } }`, {
      u: user.globalId,
    });
    await waitFor(
      'budget reset seen',
      async () => (await chat(m.client(key)).catch(() => null)) !== null,
      { timeoutMs: 1000 },
    );
  });

  it('cost budgets count priced routes', async () => {
    const user = await m.seeder.createUser();
    const { runtimeId, key } = await m.runtimeFor(user);
    await m.asAdmin(
      `mutation($input: SetModelBudgetInput!) { setModelBudget(input: $input) { __typename } }`,
      {
        input: { user: user.globalId, period: 'MONTH', costLimitUsd: 10 },
      },
    );
    await chat(m.client(key)); // 9 tokens at $1/token: $9 of $10
    await chat(m.client(key)); // $18: spent
    const err = await chat(m.client(key)).catch((e) => e);
    expect(err.error).toMatchObject({ code: 'budget_exceeded' });
    expect((await m.usageRows(runtimeId))[0]?.cost_usd).toBe(9);
  });

  it('requests/minute per runtime key: 429 rate_limit_exceeded with Retry-After', async () => {
    const user = await m.seeder.createUser();
    const { key } = await m.runtimeFor(user);
    await m.asAdmin(
      `mutation($input: SetModelBudgetInput!) { setModelBudget(input: $input) { __typename } }`,
      {
        input: { user: user.globalId, period: 'DAY', requestsPerMinute: 2 },
      },
    );
    await chat(m.client(key));
    await chat(m.client(key));
    const res = await fetch(`${m.proxyUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'shared', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await res.json()).error).toMatchObject({
      type: 'rate_limit_error',
      code: 'rate_limit_exceeded',
    });
  });

  it('GraphQL never returns the upstream credential; myModels lists what the user may use', async () => {
    const res = await gql(
      m.server.url,
      `{ modelRoutes { __typename ... on QueryModelRoutesSuccess { data { name hasCredential upstreamKind grants { everyone } } } } }`,
      {},
      { cookie: m.adminCookie },
    );
    expect(res.text).not.toContain(UPSTREAM_KEY);
    expect(res.data.modelRoutes.data[0]).toMatchObject({
      name: 'shared',
      hasCredential: true,
      upstreamKind: 'OPENAI_COMPATIBLE',
      grants: [{ everyone: true }],
    });
    const stored = await m.sql(`select credential_ciphertext from model_routes where id = ?`, [
      routeId,
    ]);
    expect(String(stored[0]?.credential_ciphertext)).toMatch(/^v1:/);
    expect(String(stored[0]?.credential_ciphertext)).not.toContain(UPSTREAM_KEY);

    const user = await m.seeder.createUser();
    const mine = await gql(
      m.server.url,
      `{ myModels { __typename ... on QueryMyModelsSuccess { data { name isDefault } } } }`,
      {},
      { cookie: await m.seeder.loginAs(user) },
    );
    expect(mine.data.myModels.data).toEqual([{ name: 'shared', isDefault: true }]);
    const denied = await gql(
      m.server.url,
      `{ modelRoutes { __typename } }`,
      {},
      { cookie: await m.seeder.loginAs(user) },
    );
    expect(denied.data.modelRoutes.__typename).toBe('ForbiddenError');
  });

  it('admin usage report by user, model and day', async () => {
    const res = await m.asAdmin(
      `query($from: DateTime!, $to: DateTime!) { usageReport(from: $from, to: $to, groupBy: [MODEL, DAY]) {
         __typename ... on QueryUsageReportSuccess { data { model day requests totalTokens username } } } }`,
      {
        from: new Date(Date.now() - 86_400_000).toISOString(),
        to: new Date(Date.now() + 60_000).toISOString(),
      },
    );
    const [line] = res.usageReport.data;
    expect(line).toMatchObject({
      model: 'shared',
      day: new Date().toISOString().slice(0, 10),
      username: null,
    });
    expect(line.requests).toBeGreaterThanOrEqual(8);
  });

  it('a grant change NOTIFYs the spec channel of the affected running runtimes only', async () => {
    const [carol, dave] = [await m.seeder.createUser(), await m.seeder.createUser()];
    const carolRt = (await m.runtimeFor(carol)).runtimeId;
    const daveRt = (await m.runtimeFor(dave)).runtimeId;
    const listener = new pg.Client({ connectionString: m.server.databaseUrl });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (n) => heard.push(String(n.payload)));
    await listener.query(`listen ${CHANNELS.runtimeSpec}`);
    try {
      const route = await m.createRoute({ name: 'carol-extra' });
      const grant = await m.grant(route, carol);
      await waitFor('carol notified', () => heard.includes(carolRt));
      expect(heard).not.toContain(daveRt);
      heard.length = 0;
      await m.asAdmin(`mutation($id: ID!) { revokeModelGrant(id: $id) { __typename } }`, {
        id: grant,
      });
      await waitFor('carol notified on revoke', () => heard.includes(carolRt));
      expect(heard).not.toContain(daveRt);
    } finally {
      await listener.end();
    }
  });
});
