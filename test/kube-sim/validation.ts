/** Name, label and immutability validation with the real apiserver's messages (→ 422 Invalid). */
import type { ResourceType } from './resources.ts';
import { invalid, type StatusCause } from './status.ts';
import { deepEqual, isPlainObject, type KubeObject } from './types.ts';

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

const SUBDOMAIN_MSG = `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;
const LABEL_1123_MSG = `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`;
const LABEL_1035_MSG = `a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`;
const LABEL_VALUE_MSG = `a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`;

function cause(field: string, value: string, message: string): StatusCause {
  return {
    reason: 'FieldValueInvalid',
    message: `Invalid value: ${JSON.stringify(value)}: ${message}`,
    field,
  };
}

/** Namespaces are DNS-1123 labels, Services DNS-1035 labels, everything else DNS-1123 subdomains. */
function nameCauses(rt: ResourceType, name: string): StatusCause[] {
  const [re, msg, max] =
    rt.kind === 'Namespace'
      ? [LABEL_1123, LABEL_1123_MSG, 63]
      : rt.kind === 'Service'
        ? [LABEL_1035, LABEL_1035_MSG, 63]
        : [SUBDOMAIN, SUBDOMAIN_MSG, 253];
  const causes: StatusCause[] = [];
  if (name.length > max)
    causes.push(cause('metadata.name', name, `must be no more than ${max} characters`));
  if (!re.test(name)) causes.push(cause('metadata.name', name, msg));
  return causes;
}

function labelCauses(labels: unknown): StatusCause[] {
  if (!isPlainObject(labels)) return [];
  const causes: StatusCause[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const [prefix, name] = key.includes('/') ? key.split('/', 2) : ['', key];
    const badName = !name || name.length > 63 || !QUALIFIED.test(name);
    if ((prefix && !SUBDOMAIN.test(prefix)) || badName) {
      causes.push(
        cause(
          'metadata.labels',
          key,
          `name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
        ),
      );
    }
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      causes.push(cause('metadata.labels', String(value), LABEL_VALUE_MSG));
    }
  }
  return causes;
}

/**
 * ValidateService's port checks (1.20): names are DNS-1123 labels, required once there are several
 * ports, and unique; so is port+protocol. This is what rejects an apply that merged its port beside
 * a hand-added one of the same name.
 */
function servicePortCauses(obj: KubeObject): StatusCause[] {
  const spec = obj.spec;
  const ports = isPlainObject(spec) && Array.isArray(spec.ports) ? spec.ports : [];
  const causes: StatusCause[] = [];
  const names = new Set<string>();
  const keys = new Set<string>();
  for (const [i, p] of ports.entries()) {
    if (!isPlainObject(p)) continue;
    const at = `spec.ports[${i}]`;
    const name = typeof p.name === 'string' ? p.name : '';
    if (!name && ports.length > 1) {
      causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `${at}.name` });
    } else if (name) {
      if (!LABEL_1123.test(name)) causes.push(cause(`${at}.name`, name, LABEL_1123_MSG));
      if (names.has(name)) causes.push(duplicate(`${at}.name`, JSON.stringify(name)));
      names.add(name);
    }
    const key = JSON.stringify([p.port, p.protocol]);
    if (keys.has(key)) {
      // Go's %#v of the key-only struct the validator compares.
      const value = `core.ServicePort{Name:"", Protocol:${JSON.stringify(p.protocol)}, AppProtocol:(*string)(nil), Port:${String(p.port)}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`;
      causes.push(duplicate(at, value));
    } else keys.add(key);
  }
  return causes;
}

function duplicate(field: string, value: string): StatusCause {
  return { reason: 'FieldValueDuplicate', message: `Duplicate value: ${value}`, field };
}

function kindCauses(rt: ResourceType, obj: KubeObject): StatusCause[] {
  return rt.kind === 'Service' ? servicePortCauses(obj) : [];
}

export function validateCreate(rt: ResourceType, obj: KubeObject): void {
  const name = obj.metadata.name ?? '';
  if (!name) {
    const required = {
      reason: 'FieldValueRequired',
      message: 'Required value: name or generateName is required',
      field: 'metadata.name',
    };
    throw invalid(rt.group, rt.kind, '', [required]);
  }
  const causes = [
    ...nameCauses(rt, name),
    ...labelCauses(obj.metadata.labels),
    ...kindCauses(rt, obj),
  ];
  if (causes.length > 0) throw invalid(rt.group, rt.kind, name, causes);
}

/** Pod fields a client may change after creation (ValidatePodUpdate). */
function mutablePodSpec(spec: unknown): unknown {
  if (!isPlainObject(spec)) return spec;
  const strip = (cs: unknown) =>
    Array.isArray(cs) ? cs.map((c) => (isPlainObject(c) ? { ...c, image: '' } : c)) : cs;
  const {
    activeDeadlineSeconds: _a,
    tolerations: _t,
    terminationGracePeriodSeconds: _g,
    nodeName: _n,
    ...rest
  } = spec;
  return {
    ...rest,
    containers: strip(spec.containers),
    initContainers: strip(spec.initContainers),
  };
}

function immutableCauses(rt: ResourceType, old: KubeObject, next: KubeObject): StatusCause[] {
  const o = old as Record<string, unknown>;
  const n = next as Record<string, unknown>;
  const spec = (x: Record<string, unknown>, k: string) =>
    isPlainObject(x.spec) ? x.spec[k] : undefined;
  switch (rt.kind) {
    case 'Pod':
      if (!deepEqual(mutablePodSpec(o.spec), mutablePodSpec(n.spec))) {
        return [
          {
            reason: 'FieldValueForbidden',
            field: 'spec',
            message:
              'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
          },
        ];
      }
      return [];
    case 'Service': {
      const ip = spec(n, 'clusterIP');
      if (ip !== undefined && ip !== spec(o, 'clusterIP'))
        return [cause('spec.clusterIP', String(ip), 'field is immutable')];
      return [];
    }
    case 'Deployment':
      if (!deepEqual(spec(o, 'selector'), spec(n, 'selector'))) {
        return [cause('spec.selector', JSON.stringify(spec(n, 'selector')), 'field is immutable')];
      }
      return [];
    case 'Secret':
    case 'ConfigMap':
      if (
        o.immutable === true &&
        (!deepEqual(o.data, n.data) || !deepEqual(o.binaryData, n.binaryData))
      ) {
        return [
          {
            reason: 'FieldValueForbidden',
            field: 'data',
            message: 'Forbidden: field is immutable when `immutable` is set',
          },
        ];
      }
      return [];
    case 'PersistentVolumeClaim': {
      const strip = (s: unknown) =>
        isPlainObject(s) ? { ...s, resources: undefined, volumeName: undefined } : s;
      if (!deepEqual(strip(o.spec), strip(n.spec))) {
        return [
          {
            reason: 'FieldValueForbidden',
            field: 'spec',
            message:
              'Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
          },
        ];
      }
      return [];
    }
    default:
      return [];
  }
}

export function validateUpdate(rt: ResourceType, old: KubeObject, next: KubeObject): void {
  const causes = [
    ...labelCauses(next.metadata.labels),
    ...kindCauses(rt, next),
    ...immutableCauses(rt, old, next),
  ];
  if (causes.length > 0) throw invalid(rt.group, rt.kind, old.metadata.name ?? '', causes);
}
