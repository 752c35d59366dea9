/**
 * Simulated scheduler + kubelet. Per pod: bind to a node, ContainerCreating, pull, run, become Ready;
 * on delete, Terminating until the (scaled) grace delay passes. Pod faults (crash loop, OOMKilled,
 * image pull errors, unschedulable, unready) and node loss are driven from here.
 */
import { deleteObject } from './deletion.ts';
import type { EventRecorder, EventSpec } from './events.ts';
import type { Objects } from './objects.ts';
import type { PodFault, PodFaults } from './pod-faults.ts';
import { baseContainerStatus, type ContainerSpec, containerId, containersOf, type PodStatus, setCondition, setReadiness, sortConditions, statusOf } from './pod-status.ts';
import { RESOURCES, type ResourceType } from './resources.ts';
import type { Nodes } from './nodes.ts';
import { type KubeObject, nowTimestamp } from './types.ts';
import { containerExited } from './crash-loop.ts';
import type { KubeletOptions, KubeletTimers, PodRun } from './kubelet-timers.ts';

export const PODS = RESOURCES.find((r) => r.kind === 'Pod') as ResourceType;

type CrashFault = Extract<PodFault, { type: 'crashLoop' | 'oomKilled' }>;

export class Kubelet {
  readonly options: Required<KubeletOptions>;
  private readonly objects: Objects;
  private readonly events: EventRecorder;
  private readonly faults: PodFaults;
  private readonly nodes: Nodes;
  private readonly timers: KubeletTimers;
  private ipCounter = 2;
  private unsubscribe: (() => void)[] = [];

  constructor(objects: Objects, events: EventRecorder, faults: PodFaults, nodes: Nodes, timers: KubeletTimers) {
    this.objects = objects;
    this.events = events;
    this.faults = faults;
    this.nodes = nodes;
    this.timers = timers;
    this.options = timers.options;
  }

  start(): void {
    const store = this.objects.store;
    this.unsubscribe.push(store.subscribe((e) => e.resource === PODS && this.timers.soon(() => this.reconcile(e.object))));
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
    if (!pod || !run) return this.timers.forget(ref.metadata.uid ?? '');
    const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    if (pod.metadata.deletionTimestamp) {
      if (nodeName && run.stage !== 'terminating' && !this.nodes.isLost(nodeName)) this.terminate(pod, run);
      return;
    }
    if (run.stage === 'new' && !nodeName) {
      run.stage = 'scheduling';
      this.timers.after(run, this.options.scheduleDelayMs, () => this.bind(run));
    } else if (run.stage === 'new' && nodeName) {
      run.stage = 'starting';
      this.timers.after(run, this.options.startDelayMs, () => this.createContainers(run));
    }
  }

  /** Fault changes: retry unschedulable pods, apply or lift `unready`, start crashing healthy pods. */
  resync(): void {
    for (const pod of this.objects.store.list(PODS)) {
      const run = this.timers.run(pod);
      if (!run || pod.metadata.deletionTimestamp) continue;
      if (run.stage === 'unschedulable') this.bind(run);
      if (run.stage === 'running' && !this.nodes.isLost(run.node)) {
        this.writeStatus(run, (s) => setReadiness(s, this.faults.find(pod, 'unready') !== undefined));
        const crash = this.faults.find(pod, 'crashLoop', 'oomKilled');
        if (crash && !run.crashPending) this.scheduleCrash(run);
      }
    }
  }

  private live(ref: { metadata: { namespace?: string; name?: string; uid?: string } }): KubeObject | undefined {
    const pod = this.objects.store.get(PODS, ref.metadata.namespace, ref.metadata.name ?? '');
    return pod && pod.metadata.uid === ref.metadata.uid ? pod : undefined;
  }

  record(pod: KubeObject, spec: Omit<EventSpec, 'component'> & { component?: string }, run?: PodRun): void {
    this.events.record(pod, { component: 'kubelet', host: run?.node, ...spec });
  }

  writeStatus(run: PodRun, fn: (s: PodStatus, pod: KubeObject) => void, manager = 'kubelet'): KubeObject | undefined {
    return this.objects.mutate(PODS, run.namespace, run.name, { manager, subresource: 'status' }, (pod) => {
      const status = structuredClone(statusOf(pod));
      fn(status, pod);
      sortConditions(status);
      pod.status = status;
    });
  }

  private bind(run: PodRun): void {
    const pod = this.live(run.ref);
    if (!pod || pod.metadata.deletionTimestamp) return;
    const fault = this.faults.find(pod, 'unschedulable');
    const node = fault ? undefined : this.nodes.pick();
    if (!node) {
      const n = this.nodes.names.length;
      const message = fault?.message ?? `0/${n} nodes are available: ${n} node(s) had untolerated taint {node.kubernetes.io/unreachable: }. preemption: 0/${n} nodes are available: ${n} Preemption is not helpful for scheduling.`;
      if (run.stage !== 'unschedulable') this.events.record(pod, { type: 'Warning', reason: 'FailedScheduling', message, component: 'default-scheduler' });
      run.stage = 'unschedulable';
      this.writeStatus(run, (s) => setCondition(s, 'PodScheduled', 'False', 'Unschedulable', message), 'kube-scheduler');
      return;
    }
    run.node = node;
    run.stage = 'starting';
    // The pods/binding subresource sets spec.nodeName and the PodScheduled condition in one write.
    this.objects.mutate(PODS, run.namespace, run.name, { manager: 'kube-scheduler', allFields: true }, (p) => {
      (p.spec as { nodeName?: string }).nodeName = node;
      const status = structuredClone(statusOf(p));
      setCondition(status, 'PodScheduled', 'True');
      p.status = status;
    });
    this.events.record(pod, { type: 'Normal', reason: 'Scheduled', message: `Successfully assigned ${run.namespace}/${run.name} to ${node}`, component: 'default-scheduler' });
    this.timers.after(run, this.options.startDelayMs, () => this.createContainers(run));
  }

  private createContainers(run: PodRun): void {
    const pod = this.writeStatus(run, (s, p) => {
      s.phase = 'Pending';
      s.hostIP = this.nodes.hostIp(run.node ?? '');
      s.hostIPs = [{ ip: s.hostIP }];
      s.startTime ??= nowTimestamp();
      setCondition(s, 'PodReadyToStartContainers', 'False');
      setCondition(s, 'Initialized', 'True');
      s.containerStatuses = containersOf(p).map((c) => ({ ...baseContainerStatus(c, undefined), state: { waiting: { reason: 'ContainerCreating' } } }));
      setReadiness(s);
    });
    if (!pod) return;
    for (const c of containersOf(pod)) this.record(pod, { type: 'Normal', reason: 'Pulling', message: `Pulling image "${c.image}"`, fieldPath: `spec.containers{${c.name}}` }, run);
    this.timers.after(run, this.options.startDelayMs, () => this.pull(run));
  }

  private pull(run: PodRun): void {
    const pod = this.live(run.ref);
    if (!pod) return;
    const fault = this.faults.find(pod, 'imagePullError');
    if (fault) return this.pullFailed(run, pod, fault.message);
    run.pullFailures = 0;
    for (const c of containersOf(pod)) {
      const fieldPath = `spec.containers{${c.name}}`;
      this.record(pod, { type: 'Normal', reason: 'Pulled', message: `Successfully pulled image "${c.image}" in ${this.options.startDelayMs}ms (${this.options.startDelayMs}ms including waiting). Image size: 0 bytes.`, fieldPath }, run);
    }
    this.runContainers(run, false);
  }

  private pullFailed(run: PodRun, pod: KubeObject, detail: string | undefined): void {
    const attempt = run.pullFailures++;
    const setWaiting = (reason: string, message: (c: ContainerSpec) => string) =>
      this.writeStatus(run, (s, p) => {
        const specs = containersOf(p);
        s.containerStatuses = (s.containerStatuses ?? []).map((cs) => {
          const c = specs.find((x) => x.name === cs.name) as ContainerSpec;
          return { ...cs, ready: false, started: false, state: { waiting: { reason, message: message(c) } } };
        });
        setReadiness(s);
      });
    const pullMessage = (c: ContainerSpec) => detail ?? `failed to pull and unpack image "${c.image}": failed to resolve reference "${c.image}": not found`;
    setWaiting('ErrImagePull', pullMessage);
    for (const c of containersOf(pod)) {
      const fieldPath = `spec.containers{${c.name}}`;
      this.record(pod, { type: 'Warning', reason: 'Failed', message: `Failed to pull image "${c.image}": ${pullMessage(c)}`, fieldPath }, run);
      this.record(pod, { type: 'Warning', reason: 'Failed', message: 'Error: ErrImagePull', fieldPath }, run);
    }
    const backoff = this.timers.backoff(attempt);
    this.timers.after(run, Math.max(1, Math.floor(backoff / 2)), () => {
      setWaiting('ImagePullBackOff', (c) => `Back-off pulling image "${c.image}"`);
      for (const c of containersOf(pod)) {
        const fieldPath = `spec.containers{${c.name}}`;
        this.record(pod, { type: 'Normal', reason: 'BackOff', message: `Back-off pulling image "${c.image}"`, fieldPath }, run);
        this.record(pod, { type: 'Warning', reason: 'Failed', message: 'Error: ImagePullBackOff', fieldPath }, run);
      }
      this.timers.after(run, backoff, () => this.pull(run));
    });
  }

  /** Starts (or restarts) the containers; a restart bumps restartCount of the crashed container. */
  runContainers(run: PodRun, restart: boolean): void {
    const pod = this.writeStatus(run, (s, p) => {
      s.phase = 'Running';
      s.podIP ??= this.allocatePodIp();
      s.podIPs = [{ ip: s.podIP }];
      setCondition(s, 'PodReadyToStartContainers', 'True');
      const specs = containersOf(p);
      s.containerStatuses = specs.map((c) => {
        const prev = s.containerStatuses?.find((x) => x.name === c.name);
        const crashed = restart && prev?.state.running === undefined;
        const base = baseContainerStatus(c, prev);
        const restartCount = base.restartCount + (crashed ? 1 : 0);
        if (!crashed && prev?.state.running) return prev;
        if (prev?.state.terminated) base.lastState = { terminated: prev.state.terminated };
        return { ...base, restartCount, containerID: containerId(p.metadata.uid ?? '', c.name, restartCount), started: true, ready: !c.hasReadinessProbe, state: { running: { startedAt: nowTimestamp() } } };
      });
      setReadiness(s, this.faults.find(p, 'unready') !== undefined);
    });
    if (!pod) return;
    run.stage = 'running';
    for (const c of containersOf(pod)) {
      const fieldPath = `spec.containers{${c.name}}`;
      if (restart) this.record(pod, { type: 'Normal', reason: 'Pulled', message: `Container image "${c.image}" already present on machine`, fieldPath }, run);
      this.record(pod, { type: 'Normal', reason: 'Created', message: `Created container: ${c.name}`, fieldPath }, run);
      this.record(pod, { type: 'Normal', reason: 'Started', message: `Started container ${c.name}`, fieldPath }, run);
    }
    if (this.faults.find(pod, 'crashLoop', 'oomKilled')) this.scheduleCrash(run);
    else if (containersOf(pod).some((c) => c.hasReadinessProbe)) this.timers.after(run, this.options.readyDelayMs, () => this.probeReady(run));
  }

  private probeReady(run: PodRun): void {
    const pod = this.live(run.ref);
    if (!pod || this.faults.find(pod, 'unready')) return;
    this.writeStatus(run, (s) => {
      s.containerStatuses = (s.containerStatuses ?? []).map((cs) => (cs.state.running ? { ...cs, ready: true } : cs));
      setReadiness(s);
    });
  }

  private scheduleCrash(run: PodRun): void {
    run.crashPending = true;
    this.timers.after(run, this.options.crashAfterMs, () => {
      run.crashPending = false;
      const pod = this.live(run.ref);
      const fault = pod && this.faults.find(pod, 'crashLoop', 'oomKilled');
      if (pod && fault) this.crash(run, pod, fault);
    });
  }

  private crash(run: PodRun, pod: KubeObject, fault: CrashFault): void {
    const oom = fault.type === 'oomKilled';
    const exitCode = oom ? 137 : (fault.exitCode ?? 1);
    const reason = oom ? 'OOMKilled' : (fault.reason ?? 'Error');
    if (fault.once) this.faults.consume(fault);
    const name = fault.container ?? containersOf(pod)[0]?.name;
    const policy = (pod.spec as { restartPolicy?: string }).restartPolicy ?? 'Always';
    const final = policy === 'Never' || (policy === 'OnFailure' && exitCode === 0);
    containerExited(this, this.timers, run, { name, exitCode, reason, final });
  }

  private terminate(pod: KubeObject, run: PodRun): void {
    this.timers.clear(run);
    run.stage = 'terminating';
    for (const c of containersOf(pod)) this.record(pod, { type: 'Normal', reason: 'Killing', message: `Stopping container ${c.name}`, fieldPath: `spec.containers{${c.name}}` }, run);
    const grace = (pod.metadata.deletionGracePeriodSeconds ?? 30) * 1000;
    this.timers.after(run, Math.min(grace, this.options.terminationDelayMs), () => this.finishTermination(run));
  }

  /** The kubelet's final delete with grace 0: gone, or kept (grace 0) while finalizers remain. */
  finishTermination(run: PodRun): void {
    const pod = this.live(run.ref);
    if (!pod) return;
    if ((pod.metadata.finalizers ?? []).length === 0) this.objects.store.remove(PODS, pod);
    else if (pod.metadata.deletionGracePeriodSeconds !== 0) this.objects.store.put(PODS, { ...pod, metadata: { ...pod.metadata, deletionGracePeriodSeconds: 0 } }, pod);
  }

  /** Node loss: after a delay pods go Ready=False, later the taint manager evicts (deletes) them. */
  loseNode(node: string): void {
    this.nodes.setLost(node, true);
    const onNode = () => this.objects.store.list(PODS).filter((p) => (p.spec as { nodeName?: string }).nodeName === node);
    for (const pod of onNode()) {
      const run = this.timers.run(pod);
      if (run) this.timers.clear(run);
    }
    this.timers.nodeAfter(node, this.options.nodeNotReadyDelayMs, () => {
      for (const pod of onNode()) {
        const run = this.timers.run(pod);
        if (!run) continue;
        // Guess at the shape: MarkPodsNotReady flips Ready only; the reason string is our choice.
        this.writeStatus(run, (s) => setCondition(s, 'Ready', 'False', 'NodeNotReady'), 'node-controller');
        this.events.record(pod, { type: 'Warning', reason: 'NodeNotReady', message: 'Node is not ready', component: 'node-controller' });
      }
    });
    this.timers.nodeAfter(node, this.options.evictionDelayMs, () => {
      for (const pod of onNode()) {
        if (pod.metadata.deletionTimestamp) continue;
        this.events.record(pod, { type: 'Normal', reason: 'TaintManagerEviction', message: `Marking for deletion Pod ${pod.metadata.namespace}/${pod.metadata.name}`, component: 'taint-eviction-controller' });
        deleteObject(this.objects, PODS, pod.metadata.namespace, pod.metadata.name ?? '', {});
      }
    });
  }

  /** The kubelet comes back: terminating pods finish, the rest report their containers' readiness. */
  restoreNode(node: string): void {
    this.timers.clearNode(node);
    this.nodes.setLost(node, false);
    for (const pod of this.objects.store.list(PODS)) {
      const run = this.timers.run(pod);
      if (!run) continue;
      if (run.stage === 'unschedulable') this.bind(run);
      if ((pod.spec as { nodeName?: string }).nodeName !== node) continue;
      if (pod.metadata.deletionTimestamp) this.terminate(pod, run);
      else if (run.stage === 'running') this.writeStatus(run, (s) => setReadiness(s, this.faults.find(pod, 'unready') !== undefined));
      else this.timers.after(run, this.options.startDelayMs, () => this.createContainers(run));
    }
  }

  private allocatePodIp(): string {
    this.ipCounter++;
    return `10.244.${Math.floor(this.ipCounter / 250)}.${this.ipCounter % 250}`;
  }
}
