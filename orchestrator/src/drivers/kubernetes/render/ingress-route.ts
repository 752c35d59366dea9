import type { KubernetesObject } from '@kubernetes/client-node';
import { runtimeLabels, runtimeObjectName } from '../../../names.ts';
import { type AnchorRef, GATEWAY_PORT, objectMeta } from './meta.ts';

/** Traefik's IngressRoute custom resource (no generated type exists for it). */
export interface IngressRoute extends KubernetesObject {
  spec: {
    entryPoints?: string[];
    routes: {
      match: string;
      kind: 'Rule';
      services: { name: string; port: number }[];
      middlewares: { name: string; namespace: string }[];
    }[];
    tls?: Record<string, unknown>;
  };
}

export interface IngressRouteInput {
  runtimeId: string;
  ownerId: string;
  namespace: string;
  owner: AnchorRef;
  /** `<hostLabel>.<baseDomain>`. */
  host: string;
  /** Browser origin; `https:` turns TLS on. */
  publicOrigin: string;
  forwardAuth: { name: string; namespace: string };
  entryPoints?: string[];
  tls: Record<string, unknown>;
}

/**
 * Routes the owner's host to their gateway. Every request first passes the shared forwardAuth
 * Middleware, which authenticates the session, checks ownership and sets the identity header.
 */
export function renderIngressRoute(input: IngressRouteInput): IngressRoute {
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(input.host)) {
    // The host goes inside a Traefik rule expression: refuse anything that could break out of it.
    throw new Error(`invalid runtime host: ${input.host}`);
  }
  return {
    apiVersion: 'traefik.io/v1alpha1',
    kind: 'IngressRoute',
    metadata: objectMeta(
      runtimeObjectName(input.runtimeId),
      input.namespace,
      runtimeLabels(input.runtimeId, input.ownerId, 'ingress'),
      { owner: input.owner },
    ),
    spec: {
      ...(input.entryPoints ? { entryPoints: input.entryPoints } : {}),
      routes: [
        {
          match: `Host(\`${input.host}\`)`,
          kind: 'Rule',
          services: [{ name: runtimeObjectName(input.runtimeId), port: GATEWAY_PORT }],
          middlewares: [{ ...input.forwardAuth }],
        },
      ],
      ...(input.publicOrigin.startsWith('https:') ? { tls: input.tls } : {}),
    },
  };
}
