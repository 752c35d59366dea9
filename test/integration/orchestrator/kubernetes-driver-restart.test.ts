import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { createKubernetesDriver } from '../../../orchestrator/src/drivers/kubernetes/kubernetes-driver.ts';
import { runtimeLabels, runtimeObjectName } from '../../../orchestrator/src/names.ts';
import { startKubeSim } from '../../kube-sim/sim.ts';
import { waitFor } from '../../testkit/wait.ts';

const NS = 'clawloops-runtimes';

/**
 * An orchestrator that loses its leader connection (a database restart) steps down — stopping the
 * driver — and starts the same driver again once re-elected. Each start must replace the previous
 * term's change callback, not add to it: before, every re-election added one more listener per
 * informer, so the old controller's callback kept firing and the callbacks per event grew with
 * every outage (found by the chaos suite's PostgreSQL restarts).
 */
it('a driver started again after a step-down notifies only the new term, once per change', async () => {
  const sim = await startKubeSim({ namespaces: ['default', NS] });
  const driver = createKubernetesDriver({
    kubeConfig: sim.kubeConfig(NS),
    namespace: NS,
    baseDomain: 'example.test',
  });
  try {
    const previousTerm: string[] = [];
    const currentTerm: string[] = [];
    await driver.start((id) => previousTerm.push(id));
    await driver.stop();
    await driver.start((id) => currentTerm.push(id));

    const id = randomUUID();
    sim.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: runtimeObjectName(id),
        namespace: NS,
        labels: runtimeLabels(id, randomUUID(), 'anchor'),
      },
    });
    await waitFor('the current term notified', () => currentTerm.includes(id));
    await new Promise((r) => setTimeout(r, 300));
    expect(currentTerm.filter((x) => x === id)).toHaveLength(1);
    expect(previousTerm).not.toContain(id);
  } finally {
    await driver.stop();
    await sim.stop();
  }
});
