import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubernetesDriver } from '../../../orchestrator/src/drivers/kubernetes/kubernetes-driver.ts';
import { LABELS } from '../../../orchestrator/src/names.ts';
import { type KubeSim, startKubeSim } from '../../kube-sim/sim.ts';
import { expectNoGraphQLErrors, gql, wsClient } from '../../testkit/graphql.ts';
import { startTestOrchestrator, type TestOrchestrator } from '../../testkit/orchestrator.ts';
import { seed } from '../../testkit/seed.ts';
import { startTestServer, type TestServer } from '../../testkit/server.ts';

const NS = 'clawloops-runtimes';
const EVENTS = `subscription($filter: RuntimeEventFilter) { runtimeEvents(filter: $filter) {
  ... on RuntimeEvent { cursor seq type phase progress message } ... on Error { code message } } }`;
const START =
  'mutation { startRuntime { __typename ... on Runtime { id } ... on Error { code message } } }';

// biome-ignore lint/suspicious/noExplicitAny: subscription items are checked field by field
type Item = any;

/**
 * Across the real process boundary: a `startRuntime` mutation on the server, the orchestrator
 * reconciling through the Kubernetes driver (API-server simulator, a test double), and a graphql-ws
 * subscriber seeing the progress events in order, ending in a terminal Ready or Failed.
 */
describe('runtime progress over a GraphQL subscription', () => {
  let sim: KubeSim;
  let server: TestServer;
  let orch: TestOrchestrator;

  beforeAll(async () => {
    sim = await startKubeSim({ namespaces: ['default', NS] });
    server = await startTestServer();
    const driver = createKubernetesDriver({
      kubeConfig: sim.kubeConfig(NS),
      namespace: NS,
      baseDomain: 'example.test',
    });
    orch = await startTestOrchestrator(server.databaseUrl, driver, {
      target: { secret: server.deps.secret },
    });
  });

  afterAll(async () => {
    await orch?.stop();
    await server?.stop();
    await sim?.stop();
  });

  async function startAndWatch(
    username: string,
    prepare?: (ownerId: string) => void,
  ): Promise<Item[]> {
    const s = seed(server);
    const user = await s.createUser({ username });
    prepare?.(user.id);
    const cookie = await s.loginAs(user);
    const ws = wsClient(server.wsUrl, { cookie });
    const items: Item[] = [];
    const stream = ws.client.iterate<Item>({ query: EVENTS, variables: { filter: {} } });
    const done = (async () => {
      for await (const r of stream) {
        const e = r.data?.runtimeEvents;
        items.push(e);
        if (e?.type === 'Ready' || e?.type === 'Failed' || e?.code) return;
      }
    })();
    await new Promise((r) => setTimeout(r, 200)); // subscribed before the mutation
    const res = expectNoGraphQLErrors(await gql(server.url, START, {}, { cookie }));
    expect(res).toMatchObject({ startRuntime: { __typename: 'Runtime' } });
    await Promise.race([
      done,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`no terminal event: ${JSON.stringify(items)}`)), 30_000),
      ),
    ]);
    await ws.dispose();
    return items;
  }

  function expectOrdered(items: Item[]): void {
    const cursors = items.map((e) => BigInt(e.cursor));
    expect([...cursors].sort((a, b) => (a < b ? -1 : 1))).toEqual(cursors);
    expect(items.map((e) => e.seq)).toEqual(items.map((_, i) => i + 1));
    const progress = items.map((e) => e.progress).filter((p) => p !== null);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
  }

  it('a start streams SpecChanged → progress → Ready (100), in order', async () => {
    const items = await startAndWatch('prog-ok');
    expect(items[0]).toMatchObject({ type: 'SpecChanged' });
    expect(items.at(-1)).toMatchObject({ type: 'Ready', phase: 'RUNNING', progress: 100 });
    expect(items.some((e) => e.type === 'Progress')).toBe(true);
    expectOrdered(items);
  });

  it('a crash-looping runtime streams progress ending in Failed with the reason', async () => {
    const items = await startAndWatch('prog-crash', (ownerId) => {
      sim.faults.crashLoop({ labelSelector: `${LABELS.ownerId}=${ownerId}` });
    });
    const last = items.at(-1);
    expect(last).toMatchObject({ type: 'Failed', phase: 'FAILED', progress: 100 });
    expect(last.message).toMatch(/crash/i);
    expectOrdered(items);
  });
});
