import type { V1ConfigMap, V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubernetesDriver } from '../../../orchestrator/src/drivers/kubernetes/kubernetes-driver.ts';
import { runtimeObjectName, workspaceClaimName } from '../../../orchestrator/src/names.ts';
import { type KubeSim, startKubeSim } from '../../kube-sim/sim.ts';
import { expectNoGraphQLErrors, type GqlAuth, gql } from '../../testkit/graphql.ts';
import { startTestOrchestrator, type TestOrchestrator } from '../../testkit/orchestrator.ts';
import { type SeededUser, seed } from '../../testkit/seed.ts';
import { startTestServer, type TestServer } from '../../testkit/server.ts';
import { waitFor } from '../../testkit/wait.ts';

const NS = 'clawloops-runtimes';
const CREATE = `mutation($input: CreateRuntimeProfileInput!) { createRuntimeProfile(input: $input) {
  __typename ... on RuntimeProfile { id } ... on Error { message } } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateRuntimeProfileInput!) { updateRuntimeProfile(id: $id, input: $input) {
  __typename ... on Error { message } } }`;
const RESULT = '__typename ... on Runtime { id } ... on Error { code message }';
const START = `mutation($profile: String) { startRuntime(profile: $profile) { ${RESULT} } }`;
const RESTART = `mutation($id: ID!) { restartRuntime(id: $id) { ${RESULT} } }`;

/**
 * A profile chosen over the API reaches the workload: server (GraphQL, spec copy) → PostgreSQL →
 * orchestrator → Kubernetes driver → the API-server simulator's Pod, PVC and ConfigMap.
 */
describe('a runtime profile reaches the rendered Kubernetes workload', () => {
  let sim: KubeSim;
  let server: TestServer;
  let orch: TestOrchestrator;
  let admin: GqlAuth;
  let user: SeededUser;
  let userAuth: GqlAuth;
  let profileId: string;
  let runtimeId: string;

  beforeAll(async () => {
    sim = await startKubeSim({ namespaces: ['default', NS], kubelet: { readyDelayMs: 200 } });
    server = await startTestServer();
    const driver = createKubernetesDriver({
      kubeConfig: sim.kubeConfig(NS),
      namespace: NS,
      baseDomain: 'example.test',
    });
    orch = await startTestOrchestrator(server.databaseUrl, driver, {
      target: { secret: server.deps.secret },
    });
    const s = seed(server);
    admin = { cookie: await s.loginAs(await s.createUser({ role: 'admin' })) };
    user = await s.createUser({ username: 'sized' });
    userAuth = { cookie: await s.loginAs(user) };
  });

  afterAll(async () => {
    await orch?.stop();
    await server?.stop();
    await sim?.stop();
  });

  const call = async (auth: GqlAuth, query: string, variables: Record<string, unknown>) =>
    Object.values(expectNoGraphQLErrors(await gql(server.url, query, variables, auth)))[0] as {
      __typename: string;
      id: string;
    };
  const pod = () => sim.get('v1', 'Pod', NS, runtimeObjectName(runtimeId)) as V1Pod | undefined;
  const podReady = () =>
    pod()?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

  it('resources, heap cap, image and version, disk and tool policy come from the profile', async () => {
    const created = await call(admin, CREATE, {
      input: {
        name: 'big',
        displayName: 'Big',
        cpuRequest: '1',
        cpuLimit: '3',
        memoryMiB: 4096,
        heapMiB: 3000,
        diskGiB: 25,
        openclawVersion: '2026.10.1',
        image: 'registry.example.com/team/openclaw',
        terminal: true,
      },
    });
    expect(created.__typename).toBe('RuntimeProfile');
    profileId = created.id;
    const started = await call(userAuth, START, { profile: 'big' });
    expect(started.__typename).toBe('Runtime');
    runtimeId = Buffer.from(started.id, 'base64').toString().split(':')[1] as string;
    await waitFor('pod ready', async () => podReady(), { timeoutMs: 30_000 });

    const gateway = pod()?.spec?.containers.find((c) => c.name === 'gateway');
    expect(gateway?.resources).toEqual({
      requests: { cpu: '1', memory: '4096Mi' },
      limits: { cpu: '3', memory: '4096Mi' },
    });
    expect(gateway?.env?.find((e) => e.name === 'NODE_OPTIONS')?.value).toBe(
      '--max-old-space-size=3000',
    );
    expect(gateway?.image).toBe('registry.example.com/team/openclaw:2026.10.1');
    const claim = sim.get('v1', 'PersistentVolumeClaim', NS, workspaceClaimName(user.id)) as
      | V1PersistentVolumeClaim
      | undefined;
    expect(claim?.spec?.resources?.requests?.storage).toBe('25Gi');
    const anchor = sim.get('v1', 'ConfigMap', NS, runtimeObjectName(runtimeId)) as V1ConfigMap;
    const config = JSON.parse(anchor.data?.['openclaw.json'] ?? '{}');
    expect(JSON.stringify(config)).toContain('"terminal":{"enabled":true}');
  });

  it('an edit leaves the running pod alone until the owner restarts', async () => {
    const before = pod()?.metadata?.uid;
    const edited = await call(admin, UPDATE, {
      id: profileId,
      input: { memoryMiB: 8192, heapMiB: 6000 },
    });
    expect(edited.__typename).toBe('RuntimeProfile');
    await orch.orchestrator.controller?.resync();
    await new Promise((r) => setTimeout(r, 1500));
    expect(pod()?.metadata?.uid).toBe(before);
    expect(pod()?.spec?.containers[0]?.resources?.limits?.memory).toBe('4096Mi');

    const id = Buffer.from(`Runtime:${runtimeId}`).toString('base64');
    expect((await call(userAuth, RESTART, { id })).__typename).toBe('Runtime');
    await waitFor(
      'replaced pod ready with the new size',
      async () => pod()?.metadata?.uid !== before && podReady(),
      { timeoutMs: 30_000 },
    );
    const gateway = pod()?.spec?.containers.find((c) => c.name === 'gateway');
    expect(gateway?.resources?.limits?.memory).toBe('8192Mi');
    expect(gateway?.env?.find((e) => e.name === 'NODE_OPTIONS')?.value).toBe(
      '--max-old-space-size=6000',
    );
  });
});
