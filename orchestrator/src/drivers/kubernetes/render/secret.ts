import type { V1Secret } from '@kubernetes/client-node';
import { runtimeLabels, runtimeObjectName } from '../../../names.ts';
import { MODEL_KEY_ENV } from '../../../render/openclaw-config.ts';
import type { RuntimeTarget } from '../../driver.ts';
import { type AnchorRef, base64, objectMeta } from './meta.ts';

/** Env var the gateway reads its password from (the orchestrator's own health calls). */
export const PASSWORD_ENV = 'OPENCLAW_GATEWAY_PASSWORD';

/**
 * The runtime's credentials. They reach the gateway only as environment variables from this Secret,
 * never through the ConfigMap. `data` (not `stringData`) so the applied object is what is stored and
 * server-side apply sees no perpetual diff.
 */
export function renderSecret(target: RuntimeTarget, namespace: string, owner: AnchorRef): V1Secret {
  const data: Record<string, string> = { [PASSWORD_ENV]: base64(target.gatewayPassword) };
  if (target.model) data[MODEL_KEY_ENV] = base64(target.model.apiKey);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: objectMeta(
      runtimeObjectName(target.runtimeId),
      namespace,
      runtimeLabels(target.runtimeId, target.ownerId, 'credentials'),
      { owner },
    ),
    type: 'Opaque',
    data,
  };
}
