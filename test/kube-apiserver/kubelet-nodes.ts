/**
 * The node half of the TypeScript kubelet: registers Nodes, posts their Ready status and renews
 * their Leases (kube-node-lease), which is what the real node lifecycle controller watches. A lost
 * node simply stops renewing; the controller-manager then does what it does on a real cluster:
 * Ready=Unknown, unreachable taints, pods Ready=False, taint-based eviction.
 */
import {
  CoordinationV1Api,
  CoreV1Api,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const LEASE_NS = 'kube-node-lease';

export class KubeletNodes {
  readonly names: string[];
  private readonly lost = new Set<string>();
  private readonly core: CoreV1Api;
  private readonly leases: CoordinationV1Api;
  private timer: NodeJS.Timeout | undefined;
  private next = 0;
  private readonly leaseIntervalMs: number;

  constructor(kc: KubeConfig, names: string[], leaseIntervalMs: number) {
    this.names = names;
    this.leaseIntervalMs = leaseIntervalMs;
    this.core = kc.makeApiClient(CoreV1Api);
    this.leases = kc.makeApiClient(CoordinationV1Api);
  }

  hostIp(name: string): string {
    return `10.0.0.${this.names.indexOf(name) + 10}`;
  }

  isLost(name: string | undefined): boolean {
    return name !== undefined && this.lost.has(name);
  }

  /** Round-robin over reachable nodes (the scheduler is not built; the kubelet binds). */
  pick(): string | undefined {
    const up = this.names.filter((n) => !this.lost.has(n));
    if (up.length === 0) return undefined;
    return up[this.next++ % up.length];
  }

  async register(): Promise<void> {
    for (const name of this.names) {
      await this.core
        .createNode({
          body: {
            metadata: {
              name,
              labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' },
            },
          },
        })
        .catch((err: { code?: number }) => {
          if (err.code !== 409) throw err;
        });
      await this.postReady(name);
    }
    await this.renewAll();
    this.timer = setInterval(() => void this.renewAll().catch(() => {}), this.leaseIntervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  setLost(name: string, lost: boolean): Promise<void> {
    if (lost) {
      this.lost.add(name);
      return Promise.resolve();
    }
    this.lost.delete(name);
    return this.postReady(name).then(() => this.renew(name));
  }

  private async postReady(name: string): Promise<void> {
    const now = new Date().toISOString();
    const cond = (type: string, status: string, reason: string, message: string) => ({
      type,
      status,
      reason,
      message,
      lastHeartbeatTime: now,
      lastTransitionTime: now,
    });
    const resources = { cpu: '4', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi' };
    await this.core.patchNodeStatus(
      {
        name,
        body: {
          status: {
            capacity: resources,
            allocatable: resources,
            addresses: [
              { type: 'InternalIP', address: this.hostIp(name) },
              { type: 'Hostname', address: name },
            ],
            conditions: [
              cond(
                'MemoryPressure',
                'False',
                'KubeletHasSufficientMemory',
                'kubelet has sufficient memory available',
              ),
              cond(
                'DiskPressure',
                'False',
                'KubeletHasNoDiskPressure',
                'kubelet has no disk pressure',
              ),
              cond(
                'PIDPressure',
                'False',
                'KubeletHasSufficientPID',
                'kubelet has sufficient PID available',
              ),
              cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
            ],
            nodeInfo: {
              kubeletVersion: 'v1.20.2-clawloops-ts-kubelet',
              kubeProxyVersion: 'v1.20.2',
              containerRuntimeVersion: 'containerd://ts-kubelet',
              operatingSystem: 'linux',
              architecture: 'amd64',
              osImage: 'ClawLoops test kubelet',
              kernelVersion: '',
              machineID: name,
              systemUUID: name,
              bootID: name,
            },
          },
        },
      },
      MERGE,
    );
  }

  private async renewAll(): Promise<void> {
    for (const name of this.names) if (!this.lost.has(name)) await this.renew(name);
  }

  private async renew(name: string): Promise<void> {
    const renewTime = new Date().toISOString().replace('Z', '000Z'); // MicroTime
    try {
      await this.leases.patchNamespacedLease(
        { name, namespace: LEASE_NS, body: { spec: { renewTime } } },
        MERGE,
      );
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
      // renewTime is a MicroTime (six fractional digits): set it by patch, never via a Date.
      await this.leases.createNamespacedLease({
        namespace: LEASE_NS,
        body: {
          metadata: { name, namespace: LEASE_NS },
          spec: { holderIdentity: name, leaseDurationSeconds: 40 },
        },
      });
      await this.leases.patchNamespacedLease(
        { name, namespace: LEASE_NS, body: { spec: { renewTime } } },
        MERGE,
      );
    }
  }
}
