/**
 * Simulated Nodes: Node objects with a Ready condition, round-robin placement for the scheduler,
 * and node loss (Ready=Unknown + unreachable taints, what the node lifecycle controller writes when
 * the kubelet stops posting status).
 */
import type { Objects } from './objects.ts';
import { setCondition } from './pod-status.ts';
import { RESOURCES, type ResourceType } from './resources.ts';
import { type KubeObject, nowTimestamp } from './types.ts';

export const NODES = RESOURCES.find((r) => r.kind === 'Node') as ResourceType;

const UNREACHABLE = [
  { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
];

function nodeObject(name: string, index: number): KubeObject {
  const capacity = { cpu: '4', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
      },
    },
    spec: { podCIDR: `10.244.${index}.0/24` },
    status: {
      capacity,
      allocatable: capacity,
      addresses: [
        { type: 'InternalIP', address: `10.0.0.${index + 10}` },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: {
        kubeletVersion: 'v1.31.0-kube-sim',
        containerRuntimeVersion: 'containerd://1.7.0',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
          lastHeartbeatTime: nowTimestamp(),
          lastTransitionTime: nowTimestamp(),
        },
      ],
    },
  };
}

export class Nodes {
  readonly names: string[];
  private readonly objects: Objects;
  private readonly lost = new Set<string>();
  private next = 0;

  constructor(objects: Objects, names: string[]) {
    this.objects = objects;
    this.names = names;
  }

  register(): void {
    this.names.forEach((name, i) => {
      if (!this.objects.store.get(NODES, undefined, name))
        this.objects.create(NODES, undefined, nodeObject(name, i), {
          manager: 'kubelet',
          internal: true,
        });
      // create() resets status (status subresource), so the kubelet posts it separately.
      this.objects.mutate(
        NODES,
        undefined,
        name,
        { manager: 'kubelet', subresource: 'status' },
        (n) => {
          n.status = nodeObject(name, i).status;
        },
      );
    });
  }

  isLost(name: string | undefined): boolean {
    return name !== undefined && this.lost.has(name);
  }

  hostIp(name: string): string {
    return `10.0.0.${this.names.indexOf(name) + 10}`;
  }

  /** Round-robin over reachable nodes; undefined when none is left. */
  pick(): string | undefined {
    const ready = this.names.filter((n) => !this.lost.has(n));
    if (ready.length === 0) return undefined;
    return ready[this.next++ % ready.length];
  }

  setLost(name: string, lost: boolean): void {
    if (lost) this.lost.add(name);
    else this.lost.delete(name);
    this.objects.mutate(
      NODES,
      undefined,
      name,
      { manager: 'node-controller', allFields: true },
      (n) => {
        const status = n.status as Parameters<typeof setCondition>[0];
        if (lost)
          setCondition(
            status,
            'Ready',
            'Unknown',
            'NodeStatusUnknown',
            'Kubelet stopped posting node status.',
          );
        else
          setCondition(status, 'Ready', 'True', 'KubeletReady', 'kubelet is posting ready status');
        const spec = (n.spec ?? {}) as { taints?: unknown[] };
        if (lost) spec.taints = UNREACHABLE.map((t) => ({ ...t, timeAdded: nowTimestamp() }));
        else delete spec.taints;
        n.spec = spec;
      },
    );
  }
}
