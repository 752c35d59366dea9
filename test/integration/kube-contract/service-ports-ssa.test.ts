import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusOf } from '../../kube-sim/test-helpers.ts';
import {
  type KubeBackend,
  type KubeBackendKind,
  kubeBackends,
  startKubeBackend,
} from '../../testkit/kube-backend.ts';

/**
 * Server-side apply of an associative list (Service `spec.ports`, keyed by port+protocol) answers
 * the same on the simulator and on the real kube-apiserver 1.20: status, resulting list and
 * per-item ownership. The contract tier found the simulator treating the list as atomic; the
 * driver's hand-edit test depends on these rules (test/kube-sim/list-map.test.ts has the unit table).
 */

const NS = 'ssa-lists';
const O = 'clawloops-orchestrator';
const E = 'kubectl-edit';
const ITEM = (port: number) => `k:{"port":${port},"protocol":"TCP"}`;
const ALL = ['.', 'f:name', 'f:port', 'f:protocol', 'f:targetPort'];

type Port = [name: string, port: number, targetPort?: number];

const TITLES: Record<KubeBackendKind, string> = {
  sim: 'the API-server simulator',
  apiserver: 'a real kube-apiserver 1.20',
};

for (const { kind, skip } of kubeBackends()) {
  describe.skipIf(skip !== undefined)(
    `Service ports under server-side apply on ${TITLES[kind]}${skip ? ` — skipped: ${skip}` : ''}`,
    () => {
      let backend: KubeBackend;
      let api: k8s.KubernetesObjectApi;

      beforeAll(async () => {
        backend = await startKubeBackend(kind, [NS]);
        api = k8s.KubernetesObjectApi.makeApiClient(backend.adminKubeConfig(NS));
      }, 120_000);
      afterAll(() => backend?.stop());

      const service = (name: string, ports: Port[]) => ({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: NS },
        spec: {
          selector: { app: name },
          ports: ports.map(([portName, port, targetPort = port]) => ({
            name: portName,
            port,
            targetPort,
            protocol: 'TCP',
          })),
        },
      });
      const apply = (name: string, ports: Port[], manager = O) =>
        api.patch(
          service(name, ports),
          undefined,
          undefined,
          manager,
          true,
          k8s.PatchStrategy.ServerSideApply,
        ) as Promise<k8s.V1Service>;
      /** A human's `kubectl edit`: a merge patch replaces the whole list. */
      const edit = (name: string, ports: Port[]) =>
        api.patch(
          service(name, ports),
          undefined,
          undefined,
          E,
          undefined,
          k8s.PatchStrategy.MergePatch,
        ) as Promise<k8s.V1Service>;

      const portsOf = (svc: k8s.V1Service) =>
        (svc.spec?.ports ?? []).map((p) => `${p.name}:${p.port}->${p.targetPort}`);
      /** `manager/operation` → item → owned fields, for `spec.ports`. */
      const owners = (svc: k8s.V1Service) =>
        Object.fromEntries(
          (svc.metadata?.managedFields ?? []).flatMap((m) => {
            const ports = (m.fieldsV1 as { 'f:spec'?: { 'f:ports'?: object } })['f:spec']?.[
              'f:ports'
            ];
            if (!ports) return [];
            const items = Object.entries(ports).map(([k, v]) => [k, Object.keys(v)]);
            return [[`${m.manager}/${m.operation}`, Object.fromEntries(items)]];
          }),
        );

      it('a forced apply keeps a hand-added port of the same name beside its own: 422', async () => {
        await apply('same-name', [['http', 18789]]);
        const edited = await edit('same-name', [['http', 9999]]);
        expect(owners(edited)).toEqual({ [`${E}/Update`]: { [ITEM(9999)]: ALL } });
        expect(await statusOf(apply('same-name', [['http', 18789]]))).toEqual({
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: 'Service "same-name" is invalid: spec.ports[1].name: Duplicate value: "http"',
          reason: 'Invalid',
          details: {
            name: 'same-name',
            kind: 'Service',
            causes: [
              {
                reason: 'FieldValueDuplicate',
                message: 'Duplicate value: "http"',
                field: 'spec.ports[1].name',
              },
            ],
          },
          code: 422,
        });
        const live = await backend.get('v1', 'Service', NS, 'same-name');
        expect(portsOf(live as k8s.V1Service)).toEqual(['http:9999->9999']);
      });

      it('a hand-added port with another name stays, owned by its editor', async () => {
        await apply('other-name', [['http', 18789]]);
        await edit('other-name', [['admin', 9999]]);
        const svc = await apply('other-name', [['http', 18789]]);
        expect(portsOf(svc)).toEqual(['admin:9999->9999', 'http:18789->18789']);
        expect(owners(svc)).toEqual({
          [`${O}/Apply`]: { [ITEM(18789)]: ALL },
          [`${E}/Update`]: { [ITEM(9999)]: ALL },
        });
      });

      it('an item the applier stops listing goes, with a field another manager owned in it', async () => {
        await apply('drop', [
          ['a', 1000],
          ['b', 2000],
        ]);
        const edited = await edit('drop', [
          ['a', 1000],
          ['b', 2000, 2222],
        ]);
        expect(owners(edited)[`${E}/Update`]).toEqual({ [ITEM(2000)]: ['f:targetPort'] });
        const svc = await apply('drop', [['a', 1000]]);
        expect(portsOf(svc)).toEqual(['a:1000->1000']);
        expect(owners(svc)).toEqual({ [`${O}/Apply`]: { [ITEM(1000)]: ALL } });
      });

      it('a port without its protocol key is a bare 500 on 1.20', async () => {
        const body = service('no-protocol', [['a', 1000]]);
        delete (body.spec.ports[0] as { protocol?: string }).protocol;
        const status = await statusOf(
          api.patch(body, undefined, undefined, O, true, k8s.PatchStrategy.ServerSideApply),
        );
        expect(status).toEqual({
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message:
            'failed to create typed patch object: .spec.ports: element 0: associative list with keys has an element that omits key field "protocol" (and doesn\'t have default value)',
          code: 500,
        });
      });
    },
  );
}
