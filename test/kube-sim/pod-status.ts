/**
 * Pure builders for Pod status as a kubelet writes it (shapes follow KWOK's pod stages and
 * kubelet's `convertToAPIContainerStatuses`). The kubelet simulator decides *when*; this decides *what*.
 */
import { createHash } from 'node:crypto';
import { isPlainObject, type KubeObject, nowTimestamp } from './types.ts';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastProbeTime: null;
  lastTransitionTime: string;
  reason?: string;
  message?: string;
}

export interface PodStatus {
  phase?: string;
  conditions?: Condition[];
  containerStatuses?: ContainerStatus[];
  [key: string]: unknown;
}

export interface ContainerStatus {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  state: Record<string, unknown>;
  lastState: Record<string, unknown>;
}

export interface ContainerSpec {
  name: string;
  image: string;
  hasReadinessProbe: boolean;
}

export function containersOf(pod: KubeObject): ContainerSpec[] {
  const spec = pod.spec as { containers?: unknown[] } | undefined;
  return (spec?.containers ?? []).filter(isPlainObject).map((c) => ({
    name: String(c.name ?? ''),
    image: String(c.image ?? ''),
    hasReadinessProbe: isPlainObject(c.readinessProbe),
  }));
}

export function statusOf(pod: KubeObject): PodStatus {
  return isPlainObject(pod.status) ? (pod.status as PodStatus) : {};
}

/** Sets a condition, keeping lastTransitionTime when the status does not change (as the kubelet does). */
export function setCondition(
  status: PodStatus,
  type: string,
  value: Condition['status'],
  reason?: string,
  message?: string,
): void {
  const list = status.conditions ?? [];
  const existing = list.find((c) => c.type === type);
  const cond: Condition = {
    type,
    status: value,
    lastProbeTime: null,
    lastTransitionTime:
      existing && existing.status === value ? existing.lastTransitionTime : nowTimestamp(),
  };
  if (reason) cond.reason = reason;
  if (message) cond.message = message;
  status.conditions = [...list.filter((c) => c.type !== type), cond];
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A fully qualified image ref, as containerd reports `image` (e.g. `docker.io/library/nginx:1`). */
function qualifiedImage(image: string): string {
  const first = image.split('/')[0] ?? '';
  if (image.includes('/') && (first.includes('.') || first.includes(':'))) return image;
  return image.includes('/') ? `docker.io/${image}` : `docker.io/library/${image}`;
}

export function baseContainerStatus(
  c: ContainerSpec,
  previous: ContainerStatus | undefined,
): ContainerStatus {
  return {
    name: c.name,
    image: qualifiedImage(c.image),
    imageID: `${qualifiedImage(c.image).split(':')[0]}@sha256:${digest(c.image)}`,
    ready: false,
    started: false,
    restartCount: previous?.restartCount ?? 0,
    state: {},
    lastState: previous?.lastState ?? {},
  };
}

export function containerId(podUid: string, name: string, restart: number): string {
  return `containerd://${digest(`${podUid}/${name}/${restart}`)}`;
}

/** Ready/ContainersReady from the container statuses, with the kubelet's reason and message. */
export function setReadiness(status: PodStatus, forceUnready = false): void {
  const statuses = status.containerStatuses ?? [];
  const unready = statuses.filter((c) => !c.ready || forceUnready).map((c) => c.name);
  if (unready.length === 0) {
    setCondition(status, 'ContainersReady', 'True');
    setCondition(status, 'Ready', 'True');
    return;
  }
  const message = `containers with unready status: [${unready.join(' ')}]`;
  setCondition(status, 'ContainersReady', 'False', 'ContainersNotReady', message);
  setCondition(status, 'Ready', 'False', 'ContainersNotReady', message);
}

/** Orders conditions the way `kubectl get pod -o yaml` shows them. */
export function sortConditions(status: PodStatus): void {
  const order = [
    'PodReadyToStartContainers',
    'Initialized',
    'Ready',
    'ContainersReady',
    'PodScheduled',
  ];
  status.conditions?.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
}

export function backoffMessage(
  kind: 'crash' | 'pull',
  seconds: number,
  pod: KubeObject,
  container: ContainerSpec,
): string {
  const m = pod.metadata;
  if (kind === 'pull') return `Back-off pulling image "${container.image}"`;
  return `back-off ${seconds}s restarting failed container=${container.name} pod=${m.name}_${m.namespace}(${m.uid})`;
}
