import type { RuntimeTarget } from '../drivers/driver.ts';
/**
 * Pure renderer of a runtime's `openclaw.json`, shared by the local and Kubernetes drivers.
 *
 * Security contract (fixes the predecessor's gaps):
 * - auth is `trusted-proxy`: only requests from the entrance carrying the owner's identity header pass;
 *   `allowUsers` is the owner alone; no shared token exists anywhere.
 * - the orchestrator's own calls use a per-runtime password supplied through `OPENCLAW_GATEWAY_PASSWORD`;
 * - no upstream model credential is ever present: the provider points at the credential proxy and its
 *   key is an environment reference (`${CLAWLOOPS_MODEL_KEY}`), never the value;
 * - no `dangerously*` switches, no wildcard origins, the host terminal off unless the profile allows it.
 */

export interface OpenClawConfigInput {
  port: number;
  /** `loopback` for local child processes; `lan` inside a pod so the Service can reach it. */
  bind: 'loopback' | 'lan';
  /** Header the entrance sets to the authenticated username. */
  identityHeader: string;
  /** The owner's username: the only user the gateway admits. */
  ownerUsername: string;
  /** Addresses (IPs/CIDRs) of the proxy allowed to assert identity. */
  trustedProxies: string[];
  /** The proxy runs on the same host (embedded edge); OpenClaw rejects loopback proxies otherwise. */
  allowLoopbackProxy: boolean;
  /** Browser origin of the runtime (exact `scheme://host[:port]`). */
  publicOrigin: string;
  /** Per-instance log file (the default is shared by every instance on a host). */
  logFile?: string;
  terminal: boolean;
  model?: {
    baseUrl: string;
    models: { id: string; name: string; contextWindow?: number; maxTokens?: number }[];
    primary?: string;
  };
}

/** Provider id under which the credential proxy appears inside OpenClaw. */
export const PROXY_PROVIDER_ID = 'clawloops';
/** Environment variable holding the runtime's credential-proxy key. */
export const MODEL_KEY_ENV = 'CLAWLOOPS_MODEL_KEY';
/** Scopes an owner's browser device is paired with automatically. */
export const DEVICE_SCOPES = [
  'operator.read',
  'operator.write',
  'operator.approvals',
  'operator.questions',
];
/** Scopes the owner gets on the Control UI without device pairing. */
export const OWNER_SCOPES = [
  'operator.read',
  'operator.write',
  'operator.approvals',
  'operator.admin',
];

export function renderOpenClawConfig(input: OpenClawConfigInput): Record<string, unknown> {
  const config: Record<string, unknown> = {
    gateway: {
      mode: 'local',
      port: input.port,
      bind: input.bind,
      trustedProxies: input.trustedProxies,
      auth: {
        mode: 'trusted-proxy',
        trustedProxy: {
          userHeader: input.identityHeader,
          requiredHeaders: ['x-forwarded-proto'],
          allowUsers: [input.ownerUsername],
          allowLoopback: input.allowLoopbackProxy,
          // A real browser brings a device identity and would otherwise stop at "Approve this
          // browser" (OpenClaw #87953). Only the owner passes allowUsers, so only the owner's
          // browsers are paired; no operator.admin here (OpenClaw flags that as critical).
          deviceAutoApprove: { enabled: true, scopes: DEVICE_SCOPES },
        },
        identityScopes: { [input.ownerUsername]: OWNER_SCOPES },
      },
      controlUi: { allowedOrigins: [input.publicOrigin] },
      terminal: { enabled: input.terminal },
      // The orchestrator owns restarts: a config change replaces the workload deliberately.
      reload: { mode: 'off' },
    },
    agents: {
      defaults: {
        // No unattended token spend.
        heartbeat: { every: '0m' },
        ...(input.model?.primary
          ? { model: { primary: `${PROXY_PROVIDER_ID}/${input.model.primary}` } }
          : {}),
      },
    },
  };
  if (input.logFile) config.logging = { file: input.logFile };
  if (input.model) {
    config.models = {
      mode: 'merge',
      providers: {
        [PROXY_PROVIDER_ID]: {
          baseUrl: input.model.baseUrl,
          apiKey: `\${${MODEL_KEY_ENV}}`,
          api: 'openai-completions',
          request: { allowPrivateNetwork: true },
          models: input.model.models.map((m) => ({
            id: m.id,
            name: m.name,
            ...(m.contextWindow ? { contextWindow: m.contextWindow } : {}),
            ...(m.maxTokens ? { maxTokens: m.maxTokens } : {}),
          })),
        },
      },
    };
  }
  return config;
}

/** How a driver's gateway is reached: everything in the config that is not about the runtime itself. */
export type GatewayNetwork = Pick<
  OpenClawConfigInput,
  'port' | 'bind' | 'identityHeader' | 'trustedProxies' | 'allowLoopbackProxy' | 'logFile'
>;

/**
 * The config for a runtime target on a driver's network. The model key is never passed: the config
 * refers to it as an environment variable.
 */
export function renderRuntimeConfig(
  target: RuntimeTarget,
  network: GatewayNetwork,
): Record<string, unknown> {
  const { model } = target;
  return renderOpenClawConfig({
    ...network,
    ownerUsername: target.ownerUsername,
    publicOrigin: target.publicOrigin,
    terminal: target.profile.terminal,
    ...(model
      ? { model: { baseUrl: model.baseUrl, models: model.models, primary: model.primary } }
      : {}),
  });
}
