import type { V1ContainerStatus, V1Pod, V1PodCondition } from '@kubernetes/client-node';
import { ANNOTATIONS } from '../../names.ts';
import { ABSENT, type ObservedRuntime } from '../driver.ts';

/**
 * Pure mapping from a gateway Pod (as the informer cache holds it) to the driver's `ObservedRuntime`.
 * Precedence: gone > terminating > pod-level failure (evicted, node lost) > container problems
 * (image, config, crash loop) > lifecycle (scheduling, init, starting, ready).
 *
 * Timestamps arrive as `Date` from a list and as strings from a watch event: both are accepted.
 */

/** Waiting reasons that will not fix themselves: the pod needs a different image or config. */
const FATAL_WAITING = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CreateContainerConfigError',
]);

/** OpenClaw exits with EX_CONFIG (78) when it rejects its configuration. */
const EXIT_CONFIG = 78;

export function observePod(pod: V1Pod | undefined): ObservedRuntime {
  if (!pod) return ABSENT;
  const base: ObservedRuntime = {
    state: 'absent',
    restarts: gatewayStatus(pod)?.restartCount ?? 0,
    ...definedOnly({ templateHash: pod.metadata?.annotations?.[ANNOTATIONS.templateHash] }),
  };
  return { ...base, ...classify(pod) };
}

type Classified = Omit<ObservedRuntime, 'restarts' | 'templateHash'>;

function classify(pod: V1Pod): Classified {
  const deleting = asDate(pod.metadata?.deletionTimestamp);
  if (deleting) return { state: 'terminating', reason: 'Terminating', since: deleting };
  const phase = pod.status?.phase;
  // restartPolicy Always: a pod that reached a terminal phase never comes back by itself.
  if (phase === 'Failed' || phase === 'Succeeded') {
    return {
      state: 'crashed',
      reason: pod.status?.reason || `Pod${phase}`,
      ...definedOnly({ message: pod.status?.message }),
    };
  }
  if (phase === 'Unknown' || isNodeLost(pod)) {
    return {
      state: 'crashed',
      reason: 'NodeLost',
      message: pod.status?.message || `node ${pod.spec?.nodeName ?? '?'} stopped reporting`,
    };
  }
  return containerProblem(pod) ?? lifecycle(pod);
}

/** The node controller, not the kubelet, marked the pod unready: the node stopped reporting. */
function isNodeLost(pod: V1Pod): boolean {
  if (pod.status?.reason === 'NodeLost') return true;
  const ready = condition(pod, 'Ready');
  return pod.status?.phase === 'Running' && ready?.status !== 'True' && !!gatewayStatus(pod)?.ready;
}

function containerProblem(pod: V1Pod): Classified | undefined {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...containerStatuses(pod)];
  for (const status of statuses) {
    const waiting = status.state?.waiting;
    const last = status.lastState?.terminated ?? status.state?.terminated;
    if (waiting?.reason && FATAL_WAITING.has(waiting.reason)) {
      return {
        state: 'failed',
        reason: waiting.reason,
        ...definedOnly({ message: waiting.message }),
      };
    }
    if (last?.exitCode === EXIT_CONFIG && !status.state?.running) {
      return {
        state: 'failed',
        reason: 'ConfigRejected',
        message: `${status.name} exited with code 78 (configuration rejected)`,
      };
    }
    const died = status.state?.terminated && status.state.terminated.exitCode !== 0;
    const crashing = waiting?.reason === 'CrashLoopBackOff' || !!died;
    if (crashing || (last?.reason === 'OOMKilled' && !status.ready)) {
      const reason = last?.reason === 'OOMKilled' ? 'OOMKilled' : (waiting?.reason ?? 'Error');
      const exit = last ? `last exit: ${last.reason ?? 'Error'} (code ${last.exitCode})` : '';
      return {
        state: 'crashed',
        reason,
        message: [`${status.name} restarted ${status.restartCount} times`, exit]
          .filter(Boolean)
          .join('; '),
        ...definedOnly({ since: asDate(last?.finishedAt) }),
      };
    }
  }
  return undefined;
}

function lifecycle(pod: V1Pod): Classified {
  const scheduled = condition(pod, 'PodScheduled');
  if (scheduled?.status === 'False') {
    return {
      state: 'preparing',
      reason: scheduled.reason || 'Unschedulable',
      progress: 10,
      ...definedOnly({ message: scheduled.message }),
    };
  }
  const gateway = gatewayStatus(pod);
  if (scheduled?.status !== 'True' && !pod.spec?.nodeName && !gateway) {
    return { state: 'preparing', reason: 'Scheduling', progress: 5 };
  }
  if (condition(pod, 'Initialized')?.status === 'False') {
    return { state: 'preparing', reason: 'Initializing', progress: 30 };
  }
  const running = gateway?.state?.running;
  if (!running) {
    const reason = gateway?.state?.waiting?.reason || 'ContainerCreating';
    return { state: 'preparing', reason, progress: 50 };
  }
  const ready = condition(pod, 'Ready');
  if (ready?.status === 'True' && gateway.ready) {
    return {
      state: 'ready',
      progress: 100,
      ...definedOnly({ since: asDate(ready.lastTransitionTime) }),
    };
  }
  return {
    state: 'starting',
    // `started` flips once the startup probe passed: only readiness is outstanding.
    reason: gateway.started ? 'NotReady' : 'Starting',
    progress: gateway.started ? 90 : 70,
    ...definedOnly({ since: asDate(running.startedAt) }),
  };
}

function containerStatuses(pod: V1Pod): V1ContainerStatus[] {
  return pod.status?.containerStatuses ?? [];
}

function gatewayStatus(pod: V1Pod): V1ContainerStatus | undefined {
  return containerStatuses(pod).find((s) => s.name === 'gateway');
}

function condition(pod: V1Pod, type: string): V1PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

export function asDate(value: Date | string | undefined | null): Date | undefined {
  if (!value) return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
