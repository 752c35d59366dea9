/**
 * Pod status as the TypeScript kubelet posts it (shapes as a real kubelet writes them; the same
 * shapes the simulator's kubelet uses, test/kube-sim/pod-status.ts). Pure: no I/O.
 */
import type {
  V1ContainerStatus,
  V1Pod,
  V1PodCondition,
  V1PodStatus,
} from '@kubernetes/client-node';

export type ContainerPhase =
  | { kind: 'creating' }
  | { kind: 'pullError'; reason: 'ErrImagePull' | 'ImagePullBackOff'; message: string }
  | { kind: 'running'; startedAt: string; ready: boolean }
  | { kind: 'backoff'; message: string }
  | { kind: 'terminated'; exitCode: number; reason: string; startedAt: string; finishedAt: string };

export interface PodRunState {
  phase: ContainerPhase;
  restartCount: number;
  /** The last termination, shown as `lastState.terminated` once the container restarts or backs off. */
  lastTerminated?: { exitCode: number; reason: string; startedAt: string; finishedAt: string };
  podIP: string;
  hostIP: string;
  startTime: string;
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

function condition(
  type: string,
  ok: boolean,
  since: string,
  reason?: string,
  message?: string,
): V1PodCondition {
  // Wire format: the client types want Dates, the API takes RFC 3339 strings; we send JSON as is.
  return {
    type,
    status: ok ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: since,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  } as unknown as V1PodCondition;
}

function containerState(
  state: PodRunState,
): Pick<V1ContainerStatus, 'state' | 'ready' | 'started'> {
  const p = state.phase;
  switch (p.kind) {
    case 'creating':
      return { state: { waiting: { reason: 'ContainerCreating' } }, ready: false, started: false };
    case 'pullError':
      return {
        state: { waiting: { reason: p.reason, message: p.message } },
        ready: false,
        started: false,
      };
    case 'running':
      return {
        state: { running: { startedAt: p.startedAt as unknown as Date } },
        ready: p.ready,
        started: true,
      };
    case 'backoff':
      return {
        state: { waiting: { reason: 'CrashLoopBackOff', message: p.message } },
        ready: false,
        started: false,
      };
    case 'terminated':
      return { state: { terminated: p as never }, ready: false, started: false };
  }
}

/** The full status the kubelet owns (sent as a merge patch: lists are replaced whole). */
export function podStatus(pod: V1Pod, state: PodRunState, previous?: V1PodStatus): V1PodStatus {
  const since = (type: string, ok: boolean) => {
    const prev = previous?.conditions?.find((c) => c.type === type);
    return prev && (prev.status === 'True') === ok ? String(prev.lastTransitionTime) : now();
  };
  const containers = (pod.spec?.containers ?? []).map((c) => {
    const image = c.image ?? '';
    return {
      name: c.name,
      image: image.includes('/') ? image : `docker.io/library/${image}`,
      imageID:
        state.phase.kind === 'creating' || state.phase.kind === 'pullError'
          ? ''
          : `${image}@sha256:${'0'.repeat(64)}`,
      restartCount: state.restartCount,
      lastState: state.lastTerminated ? { terminated: state.lastTerminated } : {},
      ...containerState(state),
    } as V1ContainerStatus;
  });
  const ready = containers.every((c) => c.ready);
  const unready = containers.filter((c) => !c.ready).map((c) => c.name);
  const why = ready ? undefined : 'ContainersNotReady';
  const message = ready ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  const started = state.phase.kind !== 'creating' && state.phase.kind !== 'pullError';
  return {
    phase: started ? 'Running' : 'Pending',
    conditions: [
      condition('Initialized', true, since('Initialized', true)),
      condition('Ready', ready, since('Ready', ready), why, message),
      condition('ContainersReady', ready, since('ContainersReady', ready), why, message),
      condition('PodScheduled', true, since('PodScheduled', true)),
    ],
    hostIP: state.hostIP,
    ...(started ? { podIP: state.podIP, podIPs: [{ ip: state.podIP }] } : {}),
    startTime: state.startTime as unknown as Date,
    containerStatuses: containers,
    qosClass: previous?.qosClass,
  } as V1PodStatus;
}

export function unschedulableStatus(message: string): V1PodStatus {
  return {
    phase: 'Pending',
    conditions: [condition('PodScheduled', false, now(), 'Unschedulable', message)],
  } as V1PodStatus;
}

export { now as timestamp };
