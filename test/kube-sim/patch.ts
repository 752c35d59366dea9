/**
 * PATCH dispatch by Content-Type. Strategic merge is rejected for custom resources (415), as for
 * real CRDs. Apply bodies arrive as JSON from client-node (its object.ts TODO); YAML is accepted too.
 */
import { loadYaml } from '@kubernetes/client-node';
import { jsonPatch, mergePatch } from './merge-patch.ts';
import type { Objects, WriteOptions } from './objects.ts';
import type { ResourceType } from './resources.ts';
import { badRequest, invalid, StatusError, unsupportedMediaType } from './status.ts';
import { strategicMerge } from './strategic-merge.ts';
import type { KubeObject } from './types.ts';

export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

export interface PatchRequest {
  contentType: string;
  body: string;
  force: boolean;
  options: WriteOptions;
}

function accepted(rt: ResourceType): string[] {
  const all = [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.strategic, PATCH_TYPES.apply];
  return rt.custom ? all.filter((t) => t !== PATCH_TYPES.strategic) : all;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (e) {
    throw badRequest(`error decoding patch: ${(e as Error).message}`);
  }
}

function parseApplyBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    try {
      return loadYaml(body);
    } catch (e) {
      throw badRequest(`error decoding YAML: ${(e as Error).message}`);
    }
  }
}

function patched(rt: ResourceType, live: KubeObject, type: string, patch: unknown): unknown {
  try {
    if (type === PATCH_TYPES.json) return jsonPatch(live, patch);
    if (type === PATCH_TYPES.merge) return mergePatch(live, patch);
    return strategicMerge(live, patch, [], rt.kind);
  } catch (e) {
    if (e instanceof StatusError) throw e;
    throw new StatusError(422, 'Invalid', (e as Error).message);
  }
}

export function patchObject(
  objects: Objects,
  rt: ResourceType,
  namespace: string | undefined,
  name: string,
  req: PatchRequest,
): { object: KubeObject; created: boolean } {
  const type = req.contentType.split(';')[0]?.trim() ?? '';
  if (!accepted(rt).includes(type as never)) throw unsupportedMediaType(accepted(rt));
  if (type === PATCH_TYPES.apply) {
    if (!req.options.manager) {
      throw invalid('meta.k8s.io', 'PatchOptions', '', [
        {
          reason: 'FieldValueRequired',
          message: 'Required value: is required for apply patch',
          field: 'fieldManager',
        },
      ]);
    }
    return objects.apply(rt, namespace, name, parseApplyBody(req.body), req.options, req.force);
  }
  if (req.force) {
    throw invalid('meta.k8s.io', 'PatchOptions', '', [
      {
        reason: 'FieldValueForbidden',
        message: 'Forbidden: may not be specified for non-apply patch',
        field: 'force',
      },
    ]);
  }
  const live = objects.require(rt, namespace, name);
  const next = objects.coerce(rt, namespace, patched(rt, live, type, parseJson(req.body)));
  return { object: objects.commit(rt, live, next, req.options), created: false };
}
