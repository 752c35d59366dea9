import OpenAI from 'openai';
import { deriveModelKey, modelKeyHash } from '../../../schema/domain/model-key.ts';
import { buildApp } from '../../../server/src/app.ts';
import { buildModelProxy } from '../../../server/src/model-proxy/build.ts';
import type { ModelProxyOptions } from '../../../server/src/model-proxy/proxy.ts';
import {
  type FakeOpenAi,
  type FakeOpenAiOptions,
  startFakeOpenAi,
} from '../../fake-openai/fake-openai-upstream.ts';
import { expectNoGraphQLErrors, gql } from '../../testkit/graphql.ts';
import { type SeededUser, seed } from '../../testkit/seed.ts';
import { startTestServer, type TestServer } from '../../testkit/server.ts';

export const UPSTREAM_KEY = 'sk-upstream-secret-0123456789';

/**
 * A control-plane test server with the credential proxy mounted on `buildApp` (as main.ts does), a fake
 * OpenAI upstream, and an admin. `runtimeFor()` plays the orchestrator's half of the key contract:
 * a running runtime row plus its `runtime_credentials` hash.
 */
export async function startModelStack(
  opts: { proxy?: ModelProxyOptions; fake?: FakeOpenAiOptions; server?: TestServer } = {},
) {
  const server = opts.server ?? (await startTestServer());
  const proxy = buildModelProxy(
    { ...server.deps, listener: server.listener },
    { usageFlushMs: 5, ...opts.proxy },
  );
  const app = buildApp(server.deps, { routes: [proxy.route] });
  const port = await app.start(0, '127.0.0.1');
  const proxyUrl = `http://127.0.0.1:${port}/v1`;
  const fake = await startFakeOpenAi({ apiKey: UPSTREAM_KEY, ...opts.fake });
  const seeder = seed(server);
  const admin = await seeder.createUser({ role: 'admin' });
  const adminCookie = await seeder.loginAs(admin);
  const sql = (q: string, params: unknown[] = []) =>
    server.deps.orm.em.getConnection().execute<Record<string, unknown>[]>(q, params);

  const asAdmin = async (query: string, variables: Record<string, unknown>) =>
    expectNoGraphQLErrors(await gql(server.url, query, variables, { cookie: adminCookie }));

  async function createRoute(
    input: Record<string, unknown>,
    credential: string | null = UPSTREAM_KEY,
  ) {
    const data = await asAdmin(
      `mutation($input: CreateModelRouteInput!, $credential: String) {
         createModelRoute(input: $input, credential: $credential) {
           __typename ... on ModelRoute { id name } ... on Error { code message } } }`,
      { input: { baseUrl: fake.url, upstreamModel: 'fake-model', ...input }, credential },
    );
    if (data.createModelRoute.__typename !== 'ModelRoute') throw new Error(JSON.stringify(data));
    return data.createModelRoute.id as string;
  }

  async function grant(routeId: string, user: SeededUser | 'everyone'): Promise<string> {
    const data = await asAdmin(
      `mutation($route: ID!, $user: ID, $everyone: Boolean) {
         grantModelRoute(route: $route, user: $user, everyone: $everyone) {
           __typename ... on ModelGrant { id } ... on Error { message } } }`,
      user === 'everyone'
        ? { route: routeId, everyone: true }
        : { route: routeId, user: user.globalId },
    );
    return data.grantModelRoute.id as string;
  }

  async function runtimeFor(
    user: Pick<SeededUser, 'id'>,
  ): Promise<{ runtimeId: string; key: string }> {
    const [row] = await sql(
      `insert into runtimes (id, owner_id, created_at, desired_state, generation, retention_policy, profile,
                             runtime_version, restart_nonce, spec_updated_at, phase, conditions, observed_generation)
       values (gen_random_uuid(), ?, now(), 'running', 1, 'preserve', 'default', '', 0, now(), 'Running', '[]', 1)
       returning id`,
      [user.id],
    );
    const runtimeId = String(row?.id);
    const key = deriveModelKey(server.deps.secret, runtimeId, 1);
    await sql(
      `insert into runtime_credentials (runtime_id, epoch, key_hash, updated_at) values (?, 1, ?, now())`,
      [runtimeId, modelKeyHash(key)],
    );
    return { runtimeId, key };
  }

  async function usageRows(runtimeId: string) {
    await proxy.flushUsage();
    return sql(
      `select model, endpoint, stream, prompt_tokens, completion_tokens, cost_usd, status, latency_ms, user_id, route_id
         from model_usage where runtime_id = ? order by id`,
      [runtimeId],
    );
  }

  return {
    server,
    proxy,
    proxyUrl,
    fake,
    seeder,
    admin,
    adminCookie,
    sql,
    asAdmin,
    createRoute,
    grant,
    runtimeFor,
    usageRows,
    client: (key: string) => new OpenAI({ apiKey: key, baseURL: proxyUrl, maxRetries: 0 }),
    async stop() {
      await app.stop();
      await proxy.stop();
      await fake.stop();
      if (!opts.server) await server.stop();
    },
  };
}

export type ModelStack = Awaited<ReturnType<typeof startModelStack>>;
export type { FakeOpenAi };
