/**
 * Container lifecycle steps of the simulated kubelet: ContainerCreating, image pull (and pull
 * failures with back-off), running, readiness probes, and crashes under crash/OOM faults.
 */
import { containerExited } from './crash-loop.ts';
import type { Kubelet } from './kubelet.ts';
import type { PodRun } from './kubelet-timers.ts';
import type { PodFault } from './pod-faults.ts';
import {
  baseContainerStatus,
  type ContainerSpec,
  containerId,
  containersOf,
  setCondition,
  setReadiness,
} from './pod-status.ts';
import { type KubeObject, nowTimestamp } from './types.ts';

type CrashFault = Extract<PodFault, { type: 'crashLoop' | 'oomKilled' }>;

export function createContainers(k: Kubelet, run: PodRun): void {
  const pod = k.writeStatus(run, (s, p) => {
    s.phase = 'Pending';
    s.hostIP = k.nodes.hostIp(run.node ?? '');
    s.hostIPs = [{ ip: s.hostIP }];
    s.startTime ??= nowTimestamp();
    setCondition(s, 'PodReadyToStartContainers', 'False');
    setCondition(s, 'Initialized', 'True');
    s.containerStatuses = containersOf(p).map((c) => ({
      ...baseContainerStatus(c, undefined),
      state: { waiting: { reason: 'ContainerCreating' } },
    }));
    setReadiness(s);
  });
  if (!pod) return;
  for (const c of containersOf(pod))
    k.record(
      pod,
      {
        type: 'Normal',
        reason: 'Pulling',
        message: `Pulling image "${c.image}"`,
        fieldPath: `spec.containers{${c.name}}`,
      },
      run,
    );
  k.timers.after(run, k.options.startDelayMs, () => pull(k, run));
}

export function pull(k: Kubelet, run: PodRun): void {
  const pod = k.live(run.ref);
  if (!pod) return;
  const fault = k.faults.find(pod, 'imagePullError');
  if (fault) {
    pullFailed(k, run, pod, fault.message);
    return;
  }
  run.pullFailures = 0;
  for (const c of containersOf(pod)) {
    const fieldPath = `spec.containers{${c.name}}`;
    k.record(
      pod,
      {
        type: 'Normal',
        reason: 'Pulled',
        message: `Successfully pulled image "${c.image}" in ${k.options.startDelayMs}ms (${k.options.startDelayMs}ms including waiting). Image size: 0 bytes.`,
        fieldPath,
      },
      run,
    );
  }
  runContainers(k, run, false);
}

export function pullFailed(
  k: Kubelet,
  run: PodRun,
  pod: KubeObject,
  detail: string | undefined,
): void {
  const attempt = run.pullFailures++;
  const setWaiting = (reason: string, message: (c: ContainerSpec) => string) =>
    k.writeStatus(run, (s, p) => {
      const specs = containersOf(p);
      s.containerStatuses = (s.containerStatuses ?? []).map((cs) => {
        const c = specs.find((x) => x.name === cs.name) as ContainerSpec;
        return {
          ...cs,
          ready: false,
          started: false,
          state: { waiting: { reason, message: message(c) } },
        };
      });
      setReadiness(s);
    });
  const pullMessage = (c: ContainerSpec) =>
    detail ??
    `failed to pull and unpack image "${c.image}": failed to resolve reference "${c.image}": not found`;
  setWaiting('ErrImagePull', pullMessage);
  for (const c of containersOf(pod)) {
    const fieldPath = `spec.containers{${c.name}}`;
    k.record(
      pod,
      {
        type: 'Warning',
        reason: 'Failed',
        message: `Failed to pull image "${c.image}": ${pullMessage(c)}`,
        fieldPath,
      },
      run,
    );
    k.record(
      pod,
      { type: 'Warning', reason: 'Failed', message: 'Error: ErrImagePull', fieldPath },
      run,
    );
  }
  const backoff = k.timers.backoff(attempt);
  k.timers.after(run, Math.max(1, Math.floor(backoff / 2)), () => {
    setWaiting('ImagePullBackOff', (c) => `Back-off pulling image "${c.image}"`);
    for (const c of containersOf(pod)) {
      const fieldPath = `spec.containers{${c.name}}`;
      k.record(
        pod,
        {
          type: 'Normal',
          reason: 'BackOff',
          message: `Back-off pulling image "${c.image}"`,
          fieldPath,
        },
        run,
      );
      k.record(
        pod,
        { type: 'Warning', reason: 'Failed', message: 'Error: ImagePullBackOff', fieldPath },
        run,
      );
    }
    k.timers.after(run, backoff, () => pull(k, run));
  });
}

/** Starts (or restarts) the containers; a restart bumps restartCount of the crashed container. */
export function runContainers(k: Kubelet, run: PodRun, restart: boolean): void {
  const pod = k.writeStatus(run, (s, p) => {
    s.phase = 'Running';
    s.podIP ??= k.allocatePodIp();
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
      return {
        ...base,
        restartCount,
        containerID: containerId(p.metadata.uid ?? '', c.name, restartCount),
        started: true,
        ready: !c.hasReadinessProbe,
        state: { running: { startedAt: nowTimestamp() } },
      };
    });
    setReadiness(s, k.faults.find(p, 'unready') !== undefined);
  });
  if (!pod) return;
  run.stage = 'running';
  for (const c of containersOf(pod)) {
    const fieldPath = `spec.containers{${c.name}}`;
    if (restart)
      k.record(
        pod,
        {
          type: 'Normal',
          reason: 'Pulled',
          message: `Container image "${c.image}" already present on machine`,
          fieldPath,
        },
        run,
      );
    k.record(
      pod,
      { type: 'Normal', reason: 'Created', message: `Created container: ${c.name}`, fieldPath },
      run,
    );
    k.record(
      pod,
      { type: 'Normal', reason: 'Started', message: `Started container ${c.name}`, fieldPath },
      run,
    );
  }
  if (k.faults.find(pod, 'crashLoop', 'oomKilled')) scheduleCrash(k, run);
  else if (containersOf(pod).some((c) => c.hasReadinessProbe))
    k.timers.after(run, k.options.readyDelayMs, () => probeReady(k, run));
}

export function probeReady(k: Kubelet, run: PodRun): void {
  const pod = k.live(run.ref);
  if (!pod || k.faults.find(pod, 'unready')) return;
  k.writeStatus(run, (s) => {
    s.containerStatuses = (s.containerStatuses ?? []).map((cs) =>
      cs.state.running ? { ...cs, ready: true } : cs,
    );
    setReadiness(s);
  });
}

export function scheduleCrash(k: Kubelet, run: PodRun): void {
  run.crashPending = true;
  k.timers.after(run, k.options.crashAfterMs, () => {
    run.crashPending = false;
    const pod = k.live(run.ref);
    const fault = pod && k.faults.find(pod, 'crashLoop', 'oomKilled');
    if (pod && fault) crash(k, run, pod, fault);
  });
}

export function crash(k: Kubelet, run: PodRun, pod: KubeObject, fault: CrashFault): void {
  const oom = fault.type === 'oomKilled';
  const exitCode = oom ? 137 : (fault.exitCode ?? 1);
  const reason = oom ? 'OOMKilled' : (fault.reason ?? 'Error');
  if (fault.once) k.faults.consume(fault);
  const name = fault.container ?? containersOf(pod)[0]?.name;
  const policy = (pod.spec as { restartPolicy?: string }).restartPolicy ?? 'Always';
  const final = policy === 'Never' || (policy === 'OnFailure' && exitCode === 0);
  containerExited(k, k.timers, run, { name, exitCode, reason, final });
}
