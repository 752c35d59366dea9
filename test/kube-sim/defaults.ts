/**
 * Defaulting the orchestrator relies on (reference §2.3), run on every write like the real decoder's
 * defaulters, plus allocated values kept across updates (Service clusterIP, Pod nodeName).
 */
import { isPlainObject, type KubeObject } from './types.ts';

type Obj = Record<string, unknown>;

function objects(list: unknown): Obj[] {
  return Array.isArray(list) ? list.filter(isPlainObject) : [];
}

function setDefault(o: Obj, key: string, value: unknown): void {
  if (o[key] === undefined) o[key] = value;
}

function imagePullPolicy(image: unknown): string {
  const ref = String(image ?? '');
  const tag = ref.includes('@') ? 'digest' : /:[^/]+$/.exec(ref)?.[0];
  return !tag || tag === ':latest' ? 'Always' : 'IfNotPresent';
}

function qosClass(containers: Obj[]): string {
  const res = containers.map((c) => (isPlainObject(c.resources) ? c.resources : {}));
  const any = res.some(
    (r) => Object.keys(r.requests ?? {}).length + Object.keys(r.limits ?? {}).length > 0,
  );
  if (!any) return 'BestEffort';
  const guaranteed = res.every((r) => {
    const limits = (r.limits ?? {}) as Obj;
    const requests = (r.requests ?? limits) as Obj;
    return ['cpu', 'memory'].every((k) => limits[k] !== undefined && requests[k] === limits[k]);
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function defaultPod(pod: Obj): void {
  pod.spec = isPlainObject(pod.spec) ? pod.spec : {};
  const spec = pod.spec as Obj;
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'enableServiceLinks', true);
  setDefault(spec, 'preemptionPolicy', 'PreemptLowerPriority');
  setDefault(spec, 'priority', 0);
  // DefaultTolerationSeconds admission: what makes node-loss eviction take 300 s on a real cluster.
  setDefault(spec, 'tolerations', [
    {
      key: 'node.kubernetes.io/not-ready',
      operator: 'Exists',
      effect: 'NoExecute',
      tolerationSeconds: 300,
    },
    {
      key: 'node.kubernetes.io/unreachable',
      operator: 'Exists',
      effect: 'NoExecute',
      tolerationSeconds: 300,
    },
  ]);
  const containers = [...objects(spec.containers), ...objects(spec.initContainers)];
  for (const c of containers) {
    setDefault(c, 'imagePullPolicy', imagePullPolicy(c.image));
    setDefault(c, 'terminationMessagePath', '/dev/termination-log');
    setDefault(c, 'terminationMessagePolicy', 'File');
    setDefault(c, 'resources', {});
    for (const p of objects(c.ports)) setDefault(p, 'protocol', 'TCP');
  }
  pod.status = isPlainObject(pod.status) ? pod.status : {};
  const status = pod.status as Obj;
  setDefault(status, 'phase', 'Pending');
  setDefault(status, 'qosClass', qosClass(objects(spec.containers)));
}

function defaultService(svc: Obj, allocateIp: () => string): void {
  svc.spec = isPlainObject(svc.spec) ? svc.spec : {};
  const spec = svc.spec as Obj;
  setDefault(spec, 'type', 'ClusterIP');
  setDefault(spec, 'sessionAffinity', 'None');
  setDefault(spec, 'ipFamilies', ['IPv4']);
  setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
  setDefault(spec, 'internalTrafficPolicy', 'Cluster');
  if (spec.clusterIP === undefined || spec.clusterIP === '') spec.clusterIP = allocateIp();
  setDefault(spec, 'clusterIPs', [spec.clusterIP]);
  for (const p of objects(spec.ports)) {
    setDefault(p, 'protocol', 'TCP');
    setDefault(p, 'targetPort', p.port);
  }
  setDefault(svc, 'status', { loadBalancer: {} });
}

function defaultByKind(obj: Obj, kind: string, allocateIp: () => string): void {
  const spec = (obj.spec ?? {}) as Obj;
  switch (kind) {
    case 'Pod':
      defaultPod(obj);
      return;
    case 'Service':
      defaultService(obj, allocateIp);
      return;
    case 'PersistentVolumeClaim':
      obj.spec = spec;
      setDefault(spec, 'volumeMode', 'Filesystem');
      // DefaultStorageClass admission with a default class named "standard" (guess: kind/k3s naming).
      setDefault(spec, 'storageClassName', 'standard');
      setDefault(obj, 'status', { phase: 'Pending' });
      return;
    case 'Namespace':
      obj.spec = { finalizers: ['kubernetes'], ...spec };
      setDefault(obj, 'status', { phase: 'Active' });
      return;
    case 'Secret':
      setDefault(obj, 'type', 'Opaque');
      return;
    case 'NetworkPolicy':
      obj.spec = spec;
      setDefault(spec, 'policyTypes', spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);
      return;
    case 'Deployment':
      obj.spec = spec;
      setDefault(spec, 'replicas', 1);
      setDefault(spec, 'revisionHistoryLimit', 10);
      setDefault(spec, 'progressDeadlineSeconds', 600);
      setDefault(spec, 'strategy', {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
      });
      return;
  }
}

/** Secret `stringData` is write-only: it is merged into base64 `data` on every write. */
function foldStringData(obj: Obj): void {
  if (!isPlainObject(obj.stringData)) return;
  const data = (isPlainObject(obj.data) ? obj.data : {}) as Obj;
  for (const [k, v] of Object.entries(obj.stringData))
    data[k] = Buffer.from(String(v)).toString('base64');
  obj.data = data;
  delete obj.stringData;
}

export function applyDefaults(
  obj: KubeObject,
  old: KubeObject | undefined,
  allocateIp: () => string,
): void {
  const o = obj as unknown as Obj;
  const prev = old as unknown as Obj | undefined;
  if (obj.kind === 'Secret') foldStringData(o);
  if (obj.kind === 'Namespace')
    obj.metadata.labels = {
      ...obj.metadata.labels,
      'kubernetes.io/metadata.name': obj.metadata.name ?? '',
    };
  if (prev && isPlainObject(prev.spec) && isPlainObject(o.spec)) {
    for (const key of obj.kind === 'Service'
      ? ['clusterIP', 'clusterIPs']
      : obj.kind === 'Pod'
        ? ['nodeName']
        : []) {
      if (o.spec[key] === undefined && prev.spec[key] !== undefined) o.spec[key] = prev.spec[key];
    }
  }
  // PVC protection admission plugin: the claim cannot disappear while a pod still uses it.
  if (
    !old &&
    obj.kind === 'PersistentVolumeClaim' &&
    !(obj.metadata.finalizers ?? []).includes(PVC_PROTECTION)
  ) {
    obj.metadata.finalizers = [...(obj.metadata.finalizers ?? []), PVC_PROTECTION];
  }
  defaultByKind(o, obj.kind, allocateIp);
}

export const PVC_PROTECTION = 'kubernetes.io/pvc-protection';
