/**
 * Simulated scheduler + kubelet. Per pod: bind to a node, ContainerCreating, pull, run, become Ready;
 * on delete, Terminating until the (scaled) grace delay passes. Pod faults (crash loop, OOMKilled,
 * image pull errors, unschedulable, unready) and node loss are driven from here.
 */

import { createContainers, scheduleCrash } from './container-runtime.ts';
import type { EventRecorder, EventSpec } from './events.ts';
import type { KubeletOptions, KubeletTimers, PodRun } from './kubelet-timers.ts';
import type { Nodes } from './nodes.ts';
import type { Objects } from './objects.ts';
import type { PodFaults } from './pod-faults.ts';
import {
  containersOf,
  type PodStatus,
  setCondition,
  setReadiness,
  sortConditions,
  statusOf,
} from './pod-status.ts';
import { RESOURCES, type ResourceType } from './resources.ts';
import type { KubeObject } from './types.ts';

export const PODS = RESOURCES.find((r) => r.kind === 'Pod') as ResourceType;

export class Kubelet {
  readonly options: Required<KubeletOptions>;
  readonly objects: Objects;
  readonly events: EventRecorder;
  readonly faults: PodFaults;
  readonly nodes: Nodes;
  readonly timers: KubeletTimers;
  private ipCounter = 2;
  private unsubscribe: (() => void)[] = [];

  constructor(
    objects: Objects,
    events: EventRecorder,
    faults: PodFaults,
    nodes: Nodes,
    timers: KubeletTimers,
  ) {
    this.objects = objects;
    this.events = events;
    this.faults = faults;
    this.nodes = nodes;
    this.timers = timers;
    this.options = timers.options;
  }

  start(): void {
    const store = this.objects.store;
    this.unsubscribe.push(
      store.subscribe(
        (e) => e.resource === PODS && this.timers.soon(() => this.reconcile(e.object)),
      ),
    );
    this.unsubscribe.push(this.faults.onChange(() => this.timers.soon(() => this.resync())));
  }

  stop(): void {
    for (const u of this.unsubscribe) u();
    this.timers.clearAll();
  }

  /** Level-triggered: look at the pod as stored now and start whatever step it is missing. */
  reconcile(ref: KubeObject): void {
    const pod = this.live(ref);
    const run = pod && this.timers.run(pod);
    if (!pod || !run) {
      this.timers.forget(ref.metadata.uid ?? '');
      return;
    }
    const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    if (pod.metadata.deletionTimestamp) {
      if (nodeName && run.stage !== 'terminating' && !this.nodes.isLost(nodeName))
        this.terminate(pod, run);
      return;
    }
    if (run.stage === 'new' && !nodeName) {
      run.stage = 'scheduling';
      this.timers.after(run, this.options.scheduleDelayMs, () => this.bind(run));
    } else if (run.stage === 'new' && nodeName) {
      run.stage = 'starting';
      this.timers.after(run, this.options.startDelayMs, () => createContainers(this, run));
    }
  }

  /** Fault changes: retry unschedulable pods, apply or lift `unready`, start crashing healthy pods. */
  resync(): void {
    for (const pod of this.objects.store.list(PODS)) {
      const run = this.timers.run(pod);
      if (!run || pod.metadata.deletionTimestamp) continue;
      if (run.stage === 'unschedulable') this.bind(run);
      if (run.stage === 'running' && !this.nodes.isLost(run.node)) {
        this.writeStatus(run, (s) =>
          setReadiness(s, this.faults.find(pod, 'unready') !== undefined),
        );
        const crash = this.faults.find(pod, 'crashLoop', 'oomKilled');
        if (crash && !run.crashPending) scheduleCrash(this, run);
      }
    }
  }

  live(ref: {
    metadata: { namespace?: string; name?: string; uid?: string };
  }): KubeObject | undefined {
    const pod = this.objects.store.get(PODS, ref.metadata.namespace, ref.metadata.name ?? '');
    return pod && pod.metadata.uid === ref.metadata.uid ? pod : undefined;
  }

  record(
    pod: KubeObject,
    spec: Omit<EventSpec, 'component'> & { component?: string },
    run?: PodRun,
  ): void {
    this.events.record(pod, { component: 'kubelet', host: run?.node, ...spec });
  }

  writeStatus(
    run: PodRun,
    fn: (s: PodStatus, pod: KubeObject) => void,
    manager = 'kubelet',
  ): KubeObject | undefined {
    return this.objects.mutate(
      PODS,
      run.namespace,
      run.name,
      { manager, subresource: 'status' },
      (pod) => {
        const status = structuredClone(statusOf(pod));
        fn(status, pod);
        sortConditions(status);
        pod.status = status;
      },
    );
  }

  bind(run: PodRun): void {
    const pod = this.live(run.ref);
    if (!pod || pod.metadata.deletionTimestamp) return;
    const fault = this.faults.find(pod, 'unschedulable');
    const node = fault ? undefined : this.nodes.pick();
    if (!node) {
      const n = this.nodes.names.length;
      const message =
        fault?.message ??
        `0/${n} nodes are available: ${n} node(s) had untolerated taint {node.kubernetes.io/unreachable: }. preemption: 0/${n} nodes are available: ${n} Preemption is not helpful for scheduling.`;
      if (run.stage !== 'unschedulable')
        this.events.record(pod, {
          type: 'Warning',
          reason: 'FailedScheduling',
          message,
          component: 'default-scheduler',
        });
      run.stage = 'unschedulable';
      this.writeStatus(
        run,
        (s) => setCondition(s, 'PodScheduled', 'False', 'Unschedulable', message),
        'kube-scheduler',
      );
      return;
    }
    run.node = node;
    run.stage = 'starting';
    // The pods/binding subresource sets spec.nodeName and the PodScheduled condition in one write.
    this.objects.mutate(
      PODS,
      run.namespace,
      run.name,
      { manager: 'kube-scheduler', allFields: true },
      (p) => {
        (p.spec as { nodeName?: string }).nodeName = node;
        const status = structuredClone(statusOf(p));
        setCondition(status, 'PodScheduled', 'True');
        p.status = status;
      },
    );
    this.events.record(pod, {
      type: 'Normal',
      reason: 'Scheduled',
      message: `Successfully assigned ${run.namespace}/${run.name} to ${node}`,
      component: 'default-scheduler',
    });
    this.timers.after(run, this.options.startDelayMs, () => createContainers(this, run));
  }

  terminate(pod: KubeObject, run: PodRun): void {
    this.timers.clear(run);
    run.stage = 'terminating';
    for (const c of containersOf(pod))
      this.record(
        pod,
        {
          type: 'Normal',
          reason: 'Killing',
          message: `Stopping container ${c.name}`,
          fieldPath: `spec.containers{${c.name}}`,
        },
        run,
      );
    const grace = (pod.metadata.deletionGracePeriodSeconds ?? 30) * 1000;
    this.timers.after(run, Math.min(grace, this.options.terminationDelayMs), () =>
      this.finishTermination(run),
    );
  }

  /** The kubelet's final delete with grace 0: gone, or kept (grace 0) while finalizers remain. */
  finishTermination(run: PodRun): void {
    const pod = this.live(run.ref);
    if (!pod) return;
    if ((pod.metadata.finalizers ?? []).length === 0) this.objects.store.remove(PODS, pod);
    else if (pod.metadata.deletionGracePeriodSeconds !== 0)
      this.objects.store.put(
        PODS,
        { ...pod, metadata: { ...pod.metadata, deletionGracePeriodSeconds: 0 } },
        pod,
      );
  }

  /** Node loss: after a delay pods go Ready=False, later the taint manager evicts (deletes) them. */
  allocatePodIp(): string {
    this.ipCounter++;
    return `10.244.${Math.floor(this.ipCounter / 250)}.${this.ipCounter % 250}`;
  }
}
