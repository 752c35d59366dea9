import {
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { invalidFields, listRepairPatch, repairedLists } from './list-repair.ts';
import type { DriverLogger } from './options.ts';

/**
 * The only module that changes the cluster. Every write is a server-side apply of the full desired
 * object, with one field manager and `force` (we are the sole owner of what we apply; a hand edit to
 * one of our fields is drift to undo, not a conflict to respect). What apply cannot undo, items
 * someone else added to an associative list of ours, is repaired by a merge patch of those lists
 * (see list-repair.ts). Deletes live here too.
 */

/** Enough to address one object; `read`/`remove` need nothing else. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string };
}

export interface Applier {
  /** Create or converge `object` (SSA, force). Returns the object as stored (with uid). */
  apply<T extends KubernetesObject>(object: T): Promise<T>;
  /**
   * Delete; an object that is already gone counts as deleted. Returns false in that case.
   * @param propagationPolicy @default 'Background'
   */
  remove(ref: ObjectRef, propagationPolicy?: 'Background' | 'Foreground'): Promise<boolean>;
  /** Live read, bypassing caches: for decisions a stale cache would make wrong. */
  read<T extends KubernetesObject>(ref: ObjectRef): Promise<T | undefined>;
}

export function createApplier(
  kubeConfig: KubeConfig,
  fieldManager: string,
  logger: DriverLogger,
): Applier {
  const api = DiscoveringObjectApi.create(kubeConfig);
  const discover = discovery(api);
  return {
    async apply(object) {
      await discover(object);
      const serverSideApply = () =>
        api.patch(object, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply);
      /** Merge patch of the lists to put back; a failure reports `cause` when there is one. */
      const replaceLists = async (patch: KubernetesObject, cause?: unknown) => {
        const lists = repairedLists(patch);
        logger.info({ kind: object.kind, name: object.metadata?.name, lists }, 'replacing lists');
        await api
          .patch(patch, undefined, undefined, fieldManager, undefined, PatchStrategy.MergePatch)
          .catch((err: unknown) => {
            throw cause ?? err;
          });
      };
      let stored: typeof object;
      try {
        stored = await serverSideApply();
      } catch (err) {
        const repair = isStatus(err, 422)
          ? listRepairPatch(object, {
              invalidFields: invalidFields((err as { body?: unknown }).body),
            })
          : undefined;
        if (!repair) throw err;
        await replaceLists(repair, err);
        stored = await serverSideApply();
      }
      const leftovers = listRepairPatch(object, { stored });
      if (leftovers) {
        await replaceLists(leftovers);
        stored = await serverSideApply();
      }
      logger.debug({ kind: object.kind, name: object.metadata?.name }, 'applied');
      return stored;
    },
    async remove(ref, propagationPolicy = 'Background') {
      await discover(ref);
      try {
        await api.delete(ref, undefined, undefined, undefined, undefined, propagationPolicy);
        logger.info({ kind: ref.kind, name: ref.metadata.name }, 'deleted');
        return true;
      } catch (err) {
        if (isStatus(err, 404)) return false;
        throw err;
      }
    },
    async read<T extends KubernetesObject>(ref: ObjectRef) {
      await discover(ref);
      try {
        return await api.read<T>(ref as ObjectRef & Pick<T, 'apiVersion' | 'kind'>);
      } catch (err) {
        if (isStatus(err, 404)) return undefined;
        throw err;
      }
    },
  };
}

/**
 * KubernetesObjectApi looks up an API group version's resources before its first call and caches
 * them, but concurrent first calls each send the lookup. One shared lookup per group version: a
 * burst of starts then costs one discovery request per group, not one per worker.
 */
class DiscoveringObjectApi extends KubernetesObjectApi {
  static create(kubeConfig: KubeConfig): DiscoveringObjectApi {
    const api = kubeConfig.makeApiClient(DiscoveringObjectApi);
    api.setDefaultNamespace(kubeConfig);
    return api;
  }

  /** Fills client-node's own per-group-version cache. */
  discover(apiVersion: string, kind: string): Promise<unknown> {
    return this.resource(apiVersion, kind);
  }
}

function discovery(api: DiscoveringObjectApi): (object: KubernetesObject) => Promise<void> {
  const pending = new Map<string, Promise<unknown>>();
  return async ({ apiVersion = 'v1', kind = '' }) => {
    let lookup = pending.get(apiVersion);
    if (!lookup) {
      // A failed lookup is forgotten so the next call asks again (e.g. a CRD installed meanwhile).
      lookup = api.discover(apiVersion, kind).catch((err: unknown) => {
        pending.delete(apiVersion);
        throw err;
      });
      pending.set(apiVersion, lookup);
    }
    await lookup;
  };
}

/** client-node raises `ApiException` with the HTTP status in `.code`. */
export function isStatus(err: unknown, code: number): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

export function ref(apiVersion: string, kind: string, name: string, namespace: string): ObjectRef {
  return { apiVersion, kind, metadata: { name, namespace } };
}
