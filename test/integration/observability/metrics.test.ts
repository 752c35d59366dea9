import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubernetesDriver } from '../../../orchestrator/src/drivers/kubernetes/kubernetes-driver.ts';
import { createLogger } from '../../../orchestrator/src/logger.ts';
import { startOpsServer } from '../../../orchestrator/src/ops-server.ts';
import { type App, buildApp } from '../../../server/src/app.ts';
import { createEntrance } from '../../../server/src/edge/entrance.ts';
import { buildModelProxy } from '../../../server/src/model-proxy/build.ts';
import { type KubeSim, startKubeSim } from '../../kube-sim/sim.ts';
import { expectNoGraphQLErrors, gql, wsClient } from '../../testkit/graphql.ts';
import { startTestOrchestrator, type TestOrchestrator } from '../../testkit/orchestrator.ts';
import { seed } from '../../testkit/seed.ts';
import { startTestServer, type TestServer } from '../../testkit/server.ts';
import { waitFor } from '../../testkit/wait.ts';

const NS = 'clawloops-runtimes';
const PHASE = '{ myRuntime { ... on Runtime { id status { phase } } } }';

/** `name{labels} value` → value, summed over every series whose labels include `match`. */
function sample(text: string, name: string, match = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const [series = '', value = '0'] = line.split(/ (?=[^ ]+$)/);
    const bare = series.replace(/\{.*$/, '');
    if (bare === name && series.includes(match)) sum += Number(value);
  }
  return sum;
}

const SERVER_METRICS = [
  'clawloops_forward_auth_decisions_total',
  'clawloops_model_proxy_requests_total',
  'clawloops_model_proxy_tokens_total',
  'clawloops_model_proxy_request_duration_seconds',
  'clawloops_graphql_operation_duration_seconds',
  'clawloops_graphql_active_subscriptions',
  'clawloops_runtimes',
  'clawloops_server_db_pool_connections',
];
const ORCHESTRATOR_METRICS = [
  'clawloops_runtime_spawn_duration_seconds',
  'clawloops_runtime_stop_duration_seconds',
  'clawloops_reconcile_duration_seconds',
  'clawloops_reconcile_errors_total',
  'clawloops_orchestrator_queue_depth',
  'clawloops_orchestrator_db_pool_connections',
];

/**
 * Server and orchestrator metrics over one real start/stop cycle (Kubernetes driver on the API-server
 * simulator), plus the access rule: loopback only without METRICS_TOKEN, the bearer with it.
 */
describe('/metrics', () => {
  let sim: KubeSim;
  let server: TestServer;
  let orch: TestOrchestrator;
  let ops: Awaited<ReturnType<typeof startOpsServer>>;
  let edgeApp: App;
  let edgeBase: string;
  let base: string;

  beforeAll(async () => {
    sim = await startKubeSim({ namespaces: ['default', NS] });
    server = await startTestServer();
    base = server.url.replace(/\/graphql$/, '');
    const driver = createKubernetesDriver({
      kubeConfig: sim.kubeConfig(NS),
      namespace: NS,
      baseDomain: 'example.test',
    });
    orch = await startTestOrchestrator(server.databaseUrl, driver, {
      target: { secret: server.deps.secret, publicUrl: 'http://localhost:8080' },
    });
    ops = await startOpsServer({
      orm: orch.orm,
      driver,
      orchestrator: orch.orchestrator,
      logger: createLogger('silent', false),
      port: 0,
      host: '127.0.0.1',
    });
    // The entrance and the credential proxy, mounted as `npm start` mounts them.
    const entrance = createEntrance(server.deps, server.listener);
    const proxy = buildModelProxy({ ...server.deps, listener: server.listener });
    edgeApp = buildApp(server.deps, { routes: [...entrance.routes, proxy.route] });
    edgeBase = `http://127.0.0.1:${await edgeApp.start(0, '127.0.0.1')}`;
  });

  afterAll(async () => {
    await edgeApp?.stop();
    await ops?.stop();
    await orch?.stop();
    await server?.stop();
    await sim?.stop();
  });

  const scrape = async (url: string) => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    return res.text();
  };

  it('names every metric and moves them over a start/stop cycle', async () => {
    const before = await scrape(`${ops.url}/metrics`);
    const s = seed(server);
    const user = await s.createUser({ username: 'metrics-user' });
    const cookie = await s.loginAs(user);

    const ws = wsClient(server.wsUrl, { cookie });
    const stream = ws.client.iterate({
      query: 'subscription { runtimeEvents(filter: {}) { __typename } }',
    });
    void (async () => {
      for await (const _ of stream);
    })();
    await waitFor(
      'an active subscription',
      async () =>
        sample(await scrape(`${base}/metrics`), 'clawloops_graphql_active_subscriptions') >= 1,
    );

    const start = expectNoGraphQLErrors(
      await gql(server.url, 'mutation { startRuntime { ... on Runtime { id } } }', {}, { cookie }),
    );
    const id = (start as { startRuntime: { id: string } }).startRuntime.id;
    const phase = async () =>
      (
        (await gql(server.url, PHASE, {}, { cookie })).data as {
          myRuntime: { status: { phase: string } };
        }
      ).myRuntime.status.phase;
    await waitFor('Running', async () => (await phase()) === 'RUNNING', { timeoutMs: 20_000 });
    expectNoGraphQLErrors(
      await gql(server.url, `mutation { stopRuntime(id: "${id}") { __typename } }`, {}, { cookie }),
    );
    await waitFor('Stopped', async () => (await phase()) === 'STOPPED', { timeoutMs: 20_000 });
    await ws.dispose();

    // Entrance and proxy: an anonymous request to a runtime host, an unauthenticated proxy call.
    await fetch(`${edgeBase}/auth/forward`, {
      headers: { 'x-forwarded-host': 'u-nobody.localhost:8080', 'x-forwarded-uri': '/' },
    });
    expect((await fetch(`${edgeBase}/v1/models`)).status).toBe(401);

    const srv = await scrape(`${base}/metrics`);
    const orc = await scrape(`${ops.url}/metrics`);
    for (const name of SERVER_METRICS) expect(srv).toContain(`# TYPE ${name} `);
    for (const name of ORCHESTRATOR_METRICS) expect(orc).toContain(`# TYPE ${name} `);

    const delta = (name: string, match = '') =>
      sample(orc, name, match) - sample(before, name, match);
    expect(delta('clawloops_runtime_spawn_duration_seconds_count', 'status="success"')).toBe(1);
    expect(orc).toContain(
      'clawloops_runtime_spawn_duration_seconds_bucket{le="600",status="success"}',
    );
    expect(delta('clawloops_runtime_stop_duration_seconds_count')).toBe(1);
    expect(delta('clawloops_reconcile_duration_seconds_count')).toBeGreaterThan(2);
    expect(
      sample(orc, 'clawloops_orchestrator_db_pool_connections', 'state="total"'),
    ).toBeGreaterThan(0);
    expect(orc).toMatch(/^clawloops_orchestrator_queue_depth \d+$/m);

    expect(sample(srv, 'clawloops_runtimes', 'phase="Stopped"')).toBeGreaterThanOrEqual(1);
    expect(
      sample(
        srv,
        'clawloops_graphql_operation_duration_seconds_count',
        'operation_type="mutation"',
      ),
    ).toBeGreaterThanOrEqual(2);
    expect(
      sample(srv, 'clawloops_graphql_operation_duration_seconds_count', 'operation_type="query"'),
    ).toBeGreaterThanOrEqual(2);
    expect(sample(srv, 'clawloops_graphql_active_subscriptions')).toBe(0);
    expect(
      sample(srv, 'clawloops_forward_auth_decisions_total', 'result="deny"'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(srv, 'clawloops_model_proxy_requests_total', 'status="401"'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(srv, 'clawloops_model_proxy_request_duration_seconds_count'),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(srv, 'clawloops_server_db_pool_connections', 'state="total"')).toBeGreaterThan(0);
  });

  it('refuses a remote caller without the token, and serves the bearer when one is set', async () => {
    // Loopback is trusted as a proxy, so X-Forwarded-For makes this a remote client.
    const remote = await fetch(`${base}/metrics`, {
      headers: { 'x-forwarded-for': '203.0.113.7' },
    });
    expect(remote.status).toBe(403);
    const guarded = await startTestServer({
      databaseUrl: server.databaseUrl,
      env: { METRICS_TOKEN: 'a-metrics-token-of-some-length' },
    });
    try {
      const url = guarded.url.replace(/\/graphql$/, '/metrics');
      expect((await fetch(url)).status).toBe(401);
      const wrong = await fetch(url, { headers: { authorization: 'Bearer nope' } });
      expect(wrong.status).toBe(401);
      const ok = await fetch(url, {
        headers: { authorization: 'Bearer a-metrics-token-of-some-length' },
      });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('clawloops_runtimes{');
    } finally {
      await guarded.stop();
    }
  });
});
