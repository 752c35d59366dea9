import type { V1ConfigMap } from '@kubernetes/client-node';
import { runtimeLabels, runtimeObjectName } from '../../../names.ts';
import { renderRuntimeConfig } from '../../../render/openclaw-config.ts';
import type { RuntimeTarget } from '../../driver.ts';
import type { ResolvedOptions } from '../options.ts';
import { GATEWAY_PORT, objectMeta } from './meta.ts';

/** Key of the rendered config in the anchor ConfigMap. */
export const CONFIG_KEY = 'openclaw.json';

/**
 * The per-runtime root object: every other per-runtime object is owned by it. It carries the rendered
 * `openclaw.json`, which holds no secret (credentials are environment references, see the renderer).
 */
export function renderAnchor(
  target: RuntimeTarget,
  options: Pick<ResolvedOptions, 'namespace' | 'identityHeader' | 'trustedProxies'>,
): V1ConfigMap {
  const config = renderRuntimeConfig(target, {
    port: GATEWAY_PORT,
    // Inside a pod the Service must reach it; loopback would be unreachable.
    bind: 'lan',
    identityHeader: options.identityHeader,
    trustedProxies: options.trustedProxies,
    // Traefik reaches the pod from its own pod IP, never loopback.
    allowLoopbackProxy: false,
  });
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: objectMeta(
      runtimeObjectName(target.runtimeId),
      options.namespace,
      runtimeLabels(target.runtimeId, target.ownerId, 'anchor'),
    ),
    data: { [CONFIG_KEY]: `${JSON.stringify(config, null, 2)}\n` },
  };
}
