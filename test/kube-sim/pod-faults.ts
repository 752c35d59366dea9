/** Per-pod fault registry the simulated kubelet and scheduler consult (matched by name or labels). */
import { matchLabels, parseLabelSelector } from './selectors.ts';
import type { KubeObject } from './types.ts';

/** Which pods a fault applies to. All given fields must match; an empty target matches every pod. */
export interface PodTarget {
  namespace?: string;
  name?: string;
  /** Label selector in the API's string syntax, e.g. `clawloops.io/runtime-id=abc`. */
  labelSelector?: string;
}

export type PodFault =
  /** The container exits with `exitCode` after running briefly, then restarts with back-off. */
  | { type: 'crashLoop'; exitCode?: number; reason?: string; container?: string; once?: boolean }
  /** Like crashLoop with `reason: OOMKilled`, `exitCode: 137`. */
  | { type: 'oomKilled'; container?: string; once?: boolean }
  /** Pulls fail: waiting `ErrImagePull`, then `ImagePullBackOff`, retried with back-off. */
  | { type: 'imagePullError'; message?: string }
  /** The scheduler finds no node: PodScheduled=False/Unschedulable plus a FailedScheduling event. */
  | { type: 'unschedulable'; message?: string }
  /** The readiness probe fails: Ready=False while the phase stays Running. */
  | { type: 'unready' };

export interface PodFaultHandle {
  readonly id: number;
  remove(): void;
}

interface Entry {
  id: number;
  target: PodTarget;
  fault: PodFault;
}

function targets(target: PodTarget, pod: KubeObject): boolean {
  if (target.namespace !== undefined && target.namespace !== pod.metadata.namespace) return false;
  if (target.name !== undefined && target.name !== pod.metadata.name) return false;
  if (
    target.labelSelector !== undefined &&
    !matchLabels(parseLabelSelector(target.labelSelector), pod.metadata.labels)
  )
    return false;
  return true;
}

export class PodFaults {
  private entries: Entry[] = [];
  private nextId = 1;
  private listeners = new Set<() => void>();

  add(target: PodTarget, fault: PodFault): PodFaultHandle {
    parseLabelSelector(target.labelSelector);
    const entry = { id: this.nextId++, target, fault };
    this.entries.push(entry);
    this.changed();
    return { id: entry.id, remove: () => this.removeEntry(entry) };
  }

  /** The most recently added matching fault of one of these types. */
  find<T extends PodFault['type']>(
    pod: KubeObject,
    ...types: T[]
  ): Extract<PodFault, { type: T }> | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i] as Entry;
      if ((types as string[]).includes(e.fault.type) && targets(e.target, pod))
        return e.fault as Extract<PodFault, { type: T }>;
    }
    return undefined;
  }

  /** Drops a `once` fault after it fired. */
  consume(fault: PodFault): void {
    const entry = this.entries.find((e) => e.fault === fault);
    if (entry) this.removeEntry(entry);
  }

  /** Removes faults whose target equals `target` (all faults when omitted). */
  clear(target?: PodTarget): void {
    const same = (t: PodTarget) =>
      t.namespace === target?.namespace &&
      t.name === target?.name &&
      t.labelSelector === target?.labelSelector;
    this.entries = target ? this.entries.filter((e) => !same(e.target)) : [];
    this.changed();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private removeEntry(entry: Entry): void {
    this.entries = this.entries.filter((e) => e !== entry);
    this.changed();
  }

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }
}
