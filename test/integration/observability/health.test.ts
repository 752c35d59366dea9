import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubernetesDriver } from '../../../orchestrator/src/drivers/kubernetes/kubernetes-driver.ts';
import { createLogger } from '../../../orchestrator/src/logger.ts';
import { startOpsServer } from '../../../orchestrator/src/ops-server.ts';
import { buildApp } from '../../../server/src/app.ts';
import { type KubeSim, startKubeSim } from '../../kube-sim/sim.ts';
import { startTestOrchestrator, type TestOrchestrator } from '../../testkit/orchestrator.ts';
import { startTestServer, type TestServer } from '../../testkit/server.ts';

const NS = 'clawloops-runtimes';

describe('/livez and /readyz', () => {
  let server: TestServer;
  let base: string;

  beforeAll(async () => {
    server = await startTestServer();
    base = server.url.replace(/\/graphql$/, '');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('server: live without consulting anything; ready names the database check', async () => {
    const live = await fetch(`${base}/livez`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok' } });
  });

  it('server: a failing dependency makes it unready (503) but still live', async () => {
    const app = buildApp(server.deps, {
      readiness: { notifications: () => Promise.reject(new Error('LISTEN connection down')) },
    });
    const port = await app.start(0, '127.0.0.1');
    try {
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(503);
      const body = await ready.json();
      expect(body).toEqual({
        status: 'unavailable',
        checks: { database: 'ok', notifications: 'failing' },
      });
      expect(JSON.stringify(body)).not.toContain('LISTEN'); // no error text on a public probe
      expect((await fetch(`http://127.0.0.1:${port}/livez`)).status).toBe(200);
    } finally {
      await app.stop();
    }
  });

  describe('orchestrator', () => {
    let sim: KubeSim;
    let orch: TestOrchestrator;
    let ops: Awaited<ReturnType<typeof startOpsServer>>;

    beforeAll(async () => {
      sim = await startKubeSim({ namespaces: ['default', NS] });
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
    });
    afterAll(async () => {
      await ops?.stop();
      await orch?.stop();
      await sim?.stop();
    });

    it('checks the database and the driver backend; unready without an API server', async () => {
      expect((await fetch(`${ops.url}/livez`)).status).toBe(200);
      const ready = await fetch(`${ops.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        status: 'ready',
        checks: { database: 'ok', 'driver:kubernetes': 'ok' },
      });
      // The same driver against an API server that is not there (nothing listens on port 1).
      const kc = sim.kubeConfig(NS);
      const gone = new KubeConfig();
      gone.loadFromOptions({
        clusters: kc.clusters.map((c) => ({ ...c, server: 'https://127.0.0.1:1' })),
        users: kc.users,
        contexts: kc.contexts,
        currentContext: kc.currentContext,
      });
      const unreachable = await startOpsServer({
        orm: orch.orm,
        driver: createKubernetesDriver({ kubeConfig: gone, namespace: NS, baseDomain: 'x.test' }),
        orchestrator: orch.orchestrator,
        logger: createLogger('silent', false),
        port: 0,
        host: '127.0.0.1',
      });
      const down = await fetch(`${unreachable.url}/readyz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({
        checks: { database: 'ok', 'driver:kubernetes': 'failing' },
      });
      expect((await fetch(`${unreachable.url}/livez`)).status).toBe(200);
      await unreachable.stop();
      expect((await fetch(`${ops.url}/livez`)).status).toBe(200);
    });

    it('metrics on the ops port are loopback-only without a token', async () => {
      expect((await fetch(`${ops.url}/metrics`)).status).toBe(200);
      const guarded = await startOpsServer({
        orm: orch.orm,
        driver: { kind: 'local' } as never,
        orchestrator: orch.orchestrator,
        logger: createLogger('silent', false),
        token: 'a-metrics-token-of-some-length',
        port: 0,
        host: '127.0.0.1',
      });
      try {
        expect((await fetch(`${guarded.url}/metrics`)).status).toBe(401);
        const ok = await fetch(`${guarded.url}/metrics`, {
          headers: { authorization: 'Bearer a-metrics-token-of-some-length' },
        });
        expect(ok.status).toBe(200);
      } finally {
        await guarded.stop();
      }
    });
  });
});
