import { describe, expect, it } from 'vitest';
import { invalidFields, type ListEvidence, listRepairPatch, repairedLists } from './list-repair.ts';
import { OWNER, RUNTIME_ID, sampleOptions, sampleTarget } from './render/fixture.ts';
import { renderNetworkPolicy } from './render/network-policy.ts';
import { renderPod } from './render/pod.ts';
import { renderService } from './render/service.ts';

const NS = 'clawloops-runtimes';
const service = renderService(RUNTIME_ID, 'owner-1', NS, OWNER);
const port = (name: string, p: number) => ({ name, port: p, targetPort: p, protocol: 'TCP' });
const ours = port('http', 18789);
const withPorts = (ports: object[]) => ({ ...service, spec: { ...service.spec, ports } });
const options = sampleOptions();
const pod = renderPod({
  target: sampleTarget(),
  namespace: NS,
  image: options.image,
  owner: OWNER,
  terminationGracePeriodSeconds: 30,
});
const policy = renderNetworkPolicy({
  runtimeId: RUNTIME_ID,
  ownerId: 'owner-1',
  namespace: NS,
  owner: OWNER,
  proxy: { namespace: options.proxyNamespace, podSelector: options.proxyPodSelector },
  credentialProxy: options.credentialProxy,
  dns: options.dns,
});

describe('listRepairPatch', () => {
  const cases: [string, object, ListEvidence, string[]][] = [
    [
      '422 Duplicate value on a hand-added port named like ours',
      service,
      { invalidFields: ['spec.ports[1].name'] },
      ['spec.ports'],
    ],
    [
      'an apply that kept a hand-added port beside ours',
      service,
      { stored: withPorts([port('admin', 9999), ours]) },
      ['spec.ports'],
    ],
    [
      'a foreign owner reference (e.g. a second controller: 422 on ownerReferences)',
      service,
      { invalidFields: ['metadata.ownerReferences'] },
      ['metadata.ownerReferences'],
    ],
    ['a converged Service', service, { stored: withPorts([ours]) }, []],
    [
      'server defaults inside our items are not foreign items',
      service,
      { stored: withPorts([{ ...ours, nodePort: 0, appProtocol: 'http' }]) },
      [],
    ],
    ['a 422 no list replacement fixes (PVC shrink)', service, { invalidFields: ['spec'] }, []],
    [
      'an immutable pod (422 on spec): pods are replaced, never patched',
      pod,
      { invalidFields: ['spec'] },
      [],
    ],
    ['a pod as applied (defaults, same lengths)', pod, { stored: structuredClone(pod) }, []],
    ['atomic lists the apply replaced anyway', policy, { stored: structuredClone(policy) }, []],
  ];

  it.each(cases)('%s → %j', (_what, desired, evidence, lists) => {
    const patch = listRepairPatch(desired, evidence);
    expect(patch ? repairedLists(patch) : []).toEqual(lists);
  });

  it('is a merge patch of exactly the desired lists, addressed to the object', () => {
    expect(listRepairPatch(service, { invalidFields: ['spec.ports[1].name'] })).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: service.metadata?.name, namespace: NS },
      spec: { ports: [ours] },
    });
  });
});

describe('invalidFields', () => {
  const status = {
    kind: 'Status',
    code: 422,
    details: { causes: [{ reason: 'FieldValueDuplicate', field: 'spec.ports[1].name' }] },
  };
  it.each([
    [status, ['spec.ports[1].name']],
    [JSON.stringify(status), ['spec.ports[1].name']],
    ['not json', []],
    [{ kind: 'Status', code: 422 }, []],
    [undefined, []],
  ])('%j → %j', (body, fields) => {
    expect(invalidFields(body)).toEqual(fields);
  });
});
