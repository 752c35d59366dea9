import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubernetesDriver } from '../../../orchestrator/src/drivers/kubernetes/kubernetes-driver.ts';
import { type KubeSim, startKubeSim } from '../../kube-sim/sim.ts';
import { createTestDatabase } from '../../testkit/database.ts';
import { startTestOrchestrator, type TestOrchestrator } from '../../testkit/orchestrator.ts';
import { SpecWriter } from '../../testkit/spec-writer.ts';
import { waitFor } from '../../testkit/wait.ts';

const NS = 'clawloops-runtimes';
type PodStatus = { conditions?: { type: string; status: string }[] };

/** The global limit on concurrent starts holds: excess runtimes wait as Pending/Queued, then start. */
describe('concurrent start limit', () => {
  let sim: KubeSim;
  let spec: SpecWriter;
  let orch: TestOrchestrator;

  beforeAll(async () => {
    sim = await startKubeSim({ namespaces: ['default', NS], kubelet: { readyDelayMs: 400 } });
    const url = await createTestDatabase();
    spec = new SpecWriter(url);
    const driver = createKubernetesDriver({
      kubeConfig: sim.kubeConfig(NS),
      namespace: NS,
      baseDomain: 'example.test',
    });
    orch = await startTestOrchestrator(url, driver, {
      controller: { workers: 8, maxConcurrentStarts: 2 },
    });
  });

  afterAll(async () => {
    await orch?.stop();
    await spec?.close();
    await sim?.stop();
  });

  it('never has more than 2 runtimes starting at once, and all 8 end Running', async () => {
    const owners = await Promise.all(Array.from({ length: 8 }, (_, i) => spec.user(`limit${i}`)));
    const ids = await Promise.all(owners.map((o) => spec.runtime(o)));
    let maxStarting = 0;
    let sawQueued = false;
    await waitFor(
      'all Running',
      async () => {
        const notReady = sim
          .list('v1', 'Pod', { namespace: NS })
          .filter(
            (p) =>
              !(p.status as PodStatus | undefined)?.conditions?.some(
                (c) => c.type === 'Ready' && c.status === 'True',
              ),
          );
        maxStarting = Math.max(maxStarting, notReady.length);
        const events = await Promise.all(ids.map((id) => spec.events(id)));
        sawQueued ||= events.some((list) => list.some((e) => e.reason === 'Queued'));
        const phases = await Promise.all(ids.map((id) => spec.status(id)));
        return phases.every((s) => s.phase === 'Running');
      },
      { timeoutMs: 30_000, intervalMs: 20 },
    );
    expect(maxStarting).toBeLessThanOrEqual(2);
    expect(sawQueued).toBe(true);
  });
});
