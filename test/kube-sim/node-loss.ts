/**
 * Node loss as a real control plane plays it: the node goes Ready=Unknown, after the monitor grace
 * period its pods get Ready=False, after the unreachable toleration the taint manager evicts them,
 * and with no kubelet to confirm they stay Terminating until the node returns or a force delete.
 */
import { createContainers } from './container-runtime.ts';
import { deleteObject } from './deletion.ts';
import { type Kubelet, PODS } from './kubelet.ts';
import { setCondition, setReadiness } from './pod-status.ts';

export function loseNode(k: Kubelet, node: string): void {
  k.nodes.setLost(node, true);
  const onNode = () =>
    k.objects.store.list(PODS).filter((p) => (p.spec as { nodeName?: string }).nodeName === node);
  for (const pod of onNode()) {
    const run = k.timers.run(pod);
    if (run) k.timers.clear(run);
  }
  k.timers.nodeAfter(node, k.options.nodeNotReadyDelayMs, () => {
    for (const pod of onNode()) {
      const run = k.timers.run(pod);
      if (!run) continue;
      // Guess at the shape: MarkPodsNotReady flips Ready only; the reason string is our choice.
      k.writeStatus(
        run,
        (s) => setCondition(s, 'Ready', 'False', 'NodeNotReady'),
        'node-controller',
      );
      k.events.record(pod, {
        type: 'Warning',
        reason: 'NodeNotReady',
        message: 'Node is not ready',
        component: 'node-controller',
      });
    }
  });
  k.timers.nodeAfter(node, k.options.evictionDelayMs, () => {
    for (const pod of onNode()) {
      if (pod.metadata.deletionTimestamp) continue;
      k.events.record(pod, {
        type: 'Normal',
        reason: 'TaintManagerEviction',
        message: `Marking for deletion Pod ${pod.metadata.namespace}/${pod.metadata.name}`,
        component: 'taint-eviction-controller',
      });
      deleteObject(k.objects, PODS, pod.metadata.namespace, pod.metadata.name ?? '', {});
    }
  });
}

/** The kubelet comes back: terminating pods finish, the rest report their containers' readiness. */
export function restoreNode(k: Kubelet, node: string): void {
  k.timers.clearNode(node);
  k.nodes.setLost(node, false);
  for (const pod of k.objects.store.list(PODS)) {
    const run = k.timers.run(pod);
    if (!run) continue;
    if (run.stage === 'unschedulable') k.bind(run);
    if ((pod.spec as { nodeName?: string }).nodeName !== node) continue;
    if (pod.metadata.deletionTimestamp) k.terminate(pod, run);
    else if (run.stage === 'running')
      k.writeStatus(run, (s) => setReadiness(s, k.faults.find(pod, 'unready') !== undefined));
    else k.timers.after(run, k.options.startDelayMs, () => createContainers(k, run));
  }
}
