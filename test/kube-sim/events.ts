/**
 * core/v1 Events as the kubelet and controllers record them (client-go's event recorder):
 * `<name>.<unix-nanos hex>` names, involvedObject, source, and count/lastTimestamp aggregation of
 * identical repeats (the EventCorrelator's behaviour for e.g. repeated BackOff).
 */
import type { Objects } from './objects.ts';
import { apiVersionOf, RESOURCES, type ResourceType } from './resources.ts';
import { type KubeObject, nowTimestamp } from './types.ts';

const EVENTS = RESOURCES.find((r) => r.kind === 'Event') as ResourceType;

export interface EventSpec {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** Reporting component, e.g. `kubelet`, `default-scheduler`. */
  component: string;
  /** Node name for kubelet events. */
  host?: string;
  /** e.g. `spec.containers{app}` for container events. */
  fieldPath?: string;
}

export class EventRecorder {
  private readonly objects: Objects;
  private counter = 0n;
  /** Aggregation key → event name, so a repeat is found without scanning the namespace's events. */
  private readonly recorded = new Map<string, string>();

  constructor(objects: Objects) {
    this.objects = objects;
  }

  record(involved: KubeObject, spec: EventSpec): void {
    const namespace = involved.metadata.namespace ?? 'default';
    const now = nowTimestamp();
    const key = JSON.stringify([
      namespace,
      involved.metadata.uid,
      spec.fieldPath,
      spec.reason,
      spec.message,
    ]);
    const same = this.recorded.get(key);
    try {
      const repeated =
        same &&
        this.objects.mutate(EVENTS, namespace, same, { manager: spec.component }, (e) => {
          e.count = ((e.count as number) ?? 1) + 1;
          e.lastTimestamp = now;
        });
      if (repeated) return;
      const event = this.build(involved, spec, namespace, now);
      this.objects.create(EVENTS, namespace, event, { manager: spec.component, internal: true });
      this.recorded.set(key, event.metadata.name ?? '');
    } catch {
      // Like the real recorder, event writes are best-effort (e.g. the namespace is terminating).
    }
  }

  private build(involved: KubeObject, spec: EventSpec, namespace: string, now: string): KubeObject {
    this.counter++;
    const nanos = BigInt(Date.now()) * 1_000_000n + this.counter;
    const rt = RESOURCES.find((r) => r.kind === involved.kind);
    const involvedObject: Record<string, unknown> = {
      kind: involved.kind,
      namespace: involved.metadata.namespace,
      name: involved.metadata.name,
      uid: involved.metadata.uid,
      apiVersion: rt ? apiVersionOf(rt) : involved.apiVersion,
      resourceVersion: involved.metadata.resourceVersion,
    };
    if (spec.fieldPath) involvedObject.fieldPath = spec.fieldPath;
    const source: Record<string, string> = { component: spec.component };
    if (spec.host) source.host = spec.host;
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${involved.metadata.name}.${nanos.toString(16)}`, namespace },
      involvedObject,
      reason: spec.reason,
      message: spec.message,
      source,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type: spec.type,
      eventTime: null,
      reportingComponent: spec.component,
      reportingInstance: spec.host ?? '',
    };
  }
}
