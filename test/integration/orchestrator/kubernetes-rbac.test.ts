import { AuthorizationV1Api, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuntimeDriver } from '../../../orchestrator/src/drivers/driver.ts';
import { createKubernetesDriver } from '../../../orchestrator/src/drivers/kubernetes/kubernetes-driver.ts';
import { sampleTarget } from '../../../orchestrator/src/drivers/kubernetes/render/fixture.ts';
import { contractTierSkipReason } from '../../kube-apiserver/binaries.ts';
import { type KubeApiServer, startKubeApiServer } from '../../kube-apiserver/harness.ts';
import { TsKubelet } from '../../kube-apiserver/kubelet.ts';
import {
  loadManifests,
  ORCHESTRATOR_RBAC,
  type PolicyRule,
} from '../../kube-apiserver/manifests.ts';

/**
 * deploy/k8s/base/orchestrator-rbac.yaml is least privilege, on a real kube-apiserver: for every
 * (resource, verb) it grants, a Role without exactly that permission makes some driver operation
 * fail with 403. (The driver suites show the full Role is sufficient.)
 */
const NS = 'clawloops-runtimes';
const skip = contractTierSkipReason();
const FORBIDDEN = /403|[Ff]orbidden/;

interface Role {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string };
  rules: PolicyRule[];
}

const role = loadManifests(ORCHESTRATOR_RBAC).find((o) => o.kind === 'Role') as unknown as Role;
/** One entry per single permission: the rule index, its resource and one verb. */
const permissions = role.rules.flatMap((rule, i) =>
  rule.resources.flatMap((resource) => rule.verbs.map((verb) => ({ i, resource, verb }))),
);

describe.skipIf(skip !== undefined)(
  `orchestrator Role is least privilege on a real kube-apiserver 1.20${skip ? ` — skipped: ${skip}` : ''}`,
  () => {
    let cp: KubeApiServer;
    let kubelet: TsKubelet;
    let n = 0;

    beforeAll(async () => {
      cp = await startKubeApiServer();
      kubelet = new TsKubelet(cp.adminKubeConfig());
      await kubelet.start();
    });
    afterAll(async () => {
      await kubelet?.stop();
      await cp?.stop();
    });

    /** Whether the orchestrator may `verb` `resource` now (SelfSubjectAccessReview). */
    async function allowed(verb: string, resource: string, group: string): Promise<boolean> {
      const authz = cp.orchestratorKubeConfig(NS).makeApiClient(AuthorizationV1Api);
      const review = await authz.createSelfSubjectAccessReview({
        body: { spec: { resourceAttributes: { namespace: NS, verb, resource, group } } },
      });
      return review.status?.allowed === true;
    }

    /** Applies the Role, then waits until the RBAC authorizer's cache agrees on `probe`. */
    async function applyRole(
      rules: PolicyRule[],
      probe?: { verb: string; resource: string; group: string; allowed: boolean },
    ): Promise<void> {
      const api = KubernetesObjectApi.makeApiClient(cp.adminKubeConfig());
      await api.patch(
        { ...role, rules } as never,
        undefined,
        undefined,
        'clawloops-test-harness',
        true,
        PatchStrategy.ServerSideApply,
      );
      if (!probe) return;
      const deadline = Date.now() + 10_000;
      while ((await allowed(probe.verb, probe.resource, probe.group)) !== probe.allowed) {
        if (Date.now() > deadline)
          throw new Error(`Role change not effective: ${JSON.stringify(probe)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }

    /** Everything the driver does to a runtime: start, replace, observe, stop, delete with wipe. */
    async function lifecycle(driver: RuntimeDriver, aborted = () => false): Promise<void> {
      n++;
      const t = sampleTarget({
        runtimeId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
        ownerId: `aaaaaaaa-0000-4000-8000-${String(n).padStart(12, '0')}`,
      });
      await driver.start(() => {});
      try {
        for (const templateHash of ['a', 'b']) {
          const deadline = Date.now() + 20_000;
          for (;;) {
            await driver.ensureRunning({ ...t, templateHash });
            const o = await driver.observe(t.runtimeId);
            if (o.state === 'ready' && o.templateHash === templateHash) break;
            if (Date.now() > deadline || aborted())
              throw new Error(`not ready: ${JSON.stringify(o)}`);
            await new Promise((r) => setTimeout(r, 100));
          }
        }
        await driver.ensureStopped(t.runtimeId);
        await driver.ensureDeleted(t.runtimeId, t.ownerId, 'wipe');
      } finally {
        await driver.stop();
      }
    }

    const newDriver = (warnings: string[]) =>
      createKubernetesDriver({
        kubeConfig: cp.orchestratorKubeConfig(NS),
        baseDomain: 'example.com',
        // The supervised informers report 403s as warnings and retry; that counts as failing.
        logger: {
          debug() {},
          info() {},
          warn: (obj: object) => void warnings.push(JSON.stringify(obj)),
          error: (obj: object) => void warnings.push(JSON.stringify(obj)),
        },
      });

    it('the full Role is enough for the whole lifecycle', async () => {
      await applyRole(role.rules);
      const warnings: string[] = [];
      await lifecycle(newDriver(warnings));
      expect(warnings.filter((w) => FORBIDDEN.test(w))).toEqual([]);
    }, 60_000);

    it.each(permissions)(
      'without $verb on $resource, a driver operation is forbidden',
      async ({ i, resource, verb }) => {
        const rules = role.rules.map((r, j) =>
          j === i ? { ...r, verbs: r.verbs.filter((v) => v !== verb) } : r,
        );
        const group = role.rules[i]?.apiGroups[0] ?? '';
        await applyRole(
          rules.filter((r) => r.verbs.length > 0),
          { verb, resource, group, allowed: false },
        );
        const warnings: string[] = [];
        let done = false;
        const driver = newDriver(warnings);
        const run = lifecycle(driver, () => done).then(
          () => undefined,
          (err: unknown) => String(err),
        );
        // An informer that cannot list or watch keeps retrying (and warning) instead of throwing.
        const deadline = Date.now() + 30_000;
        let failure: string | undefined;
        while (!failure && Date.now() < deadline) {
          failure = warnings.find((w) => FORBIDDEN.test(w));
          const settled = await Promise.race([
            run,
            new Promise((r) => setTimeout(r, 50, 'pending')),
          ]);
          if (settled !== 'pending') {
            failure ??= (settled as string | undefined) ?? warnings.find((w) => FORBIDDEN.test(w));
            break;
          }
        }
        done = true;
        // A driver whose informers cannot list never finishes starting: stop it from outside.
        await driver.stop();
        await Promise.race([run, new Promise((r) => setTimeout(r, 5_000))]);
        expect(failure ?? '', `${verb} ${resource} looks unnecessary`).toMatch(FORBIDDEN);
        await applyRole(role.rules, { verb, resource, group, allowed: true });
      },
      60_000,
    );
  },
);
