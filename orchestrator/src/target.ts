import { createHash, createHmac } from 'node:crypto';
import { deriveModelKey } from '../../schema/domain/model-key.ts';
import {
  DEFAULT_OPENCLAW_VERSION,
  DEFAULT_PROFILE,
  parseProfileSnapshot,
  type RuntimeProfile,
} from '../../schema/domain/profiles.ts';
import { userHostLabel } from '../../schema/domain/slugs.ts';
import type { ModelAccess, RuntimeTarget } from './drivers/driver.ts';
import type { GrantedModel } from './model-access.ts';
import type { RuntimeRow } from './status/runtime-row.ts';

export interface TargetSettings {
  /** Shared platform secret: per-runtime credentials are derived from it, never stored. */
  secret: string;
  /** Scheme (and port) of runtime hosts, e.g. `http://localhost:8080`. */
  publicUrl: string;
  /** Runtime hosts are `<label>.<baseDomain>`. @default the host of publicUrl */
  baseDomain?: string;
  /**
   * Built-in profiles by name, for runtimes whose spec holds no profile copy (started before
   * profiles were stored). @default { default: DEFAULT_PROFILE }
   */
  profiles?: Record<string, RuntimeProfile>;
  /**
   * Credential-proxy base URL as runtimes reach it (`MODEL_PROXY_URL`). Unset: runtimes get no model
   * provider. @default unset
   */
  modelProxyUrl?: string;
}

/** Unknown profile names are a user-visible failure, not a crash (see controller). */
export class UnknownProfileError extends Error {}

/**
 * Pure: the driver's target for a runtime row and its owner's granted models (default first). The
 * model list and the runtime's proxy key (which changes with `generation`) are part of the template
 * hash, so a grant change or a restart rolls the workload.
 */
export function buildTarget(
  row: RuntimeRow,
  s: TargetSettings,
  models: GrantedModel[] = [],
): RuntimeTarget {
  const profile = resolveProfile(row, s);
  const openclawVersion = row.runtimeVersion || profile.openclawVersion || DEFAULT_OPENCLAW_VERSION;
  const hostLabel = userHostLabel(row.ownerUsername);
  const url = new URL(s.publicUrl);
  const publicOrigin = `${url.protocol}//${hostLabel}.${s.baseDomain ?? url.hostname}${url.port ? `:${url.port}` : ''}`;
  const model = modelAccess(row, s, models);
  const hashed = {
    openclawVersion,
    profile,
    restartNonce: row.restartNonce,
    owner: row.ownerUsername,
    publicOrigin,
    model,
  };
  return {
    runtimeId: row.id,
    ownerId: row.ownerId,
    ownerUsername: row.ownerUsername,
    hostLabel,
    publicOrigin,
    generation: row.generation,
    profile,
    openclawVersion,
    templateHash: createHash('sha256').update(JSON.stringify(hashed)).digest('hex').slice(0, 16),
    gatewayPassword: derive(s.secret, `gateway-password:${row.id}`),
    model,
  };
}

/**
 * The copy in the spec, which the server wrote from `runtime_profiles` at the last start (so a
 * profile edit reaches a runtime only when it is next started; see server/src/services/
 * profile-choice.ts). The orchestrator never reads `runtime_profiles` itself.
 */
function resolveProfile(row: RuntimeRow, s: TargetSettings): RuntimeProfile {
  if (row.profileSpec != null) return parseProfileSnapshot(row.profileSpec);
  const profile = (s.profiles ?? { default: DEFAULT_PROFILE })[row.profile];
  if (!profile) throw new UnknownProfileError(`Unknown runtime profile "${row.profile}".`);
  return profile;
}

function modelAccess(
  row: RuntimeRow,
  s: TargetSettings,
  models: GrantedModel[],
): ModelAccess | undefined {
  if (!s.modelProxyUrl || models.length === 0) return undefined;
  return {
    baseUrl: s.modelProxyUrl,
    apiKey: deriveModelKey(s.secret, row.id, row.generation),
    models,
    primary: models[0]?.id,
  };
}

/** Per-runtime credentials derived from the platform secret: deterministic, so applying is idempotent. */
function derive(secret: string, purpose: string): string {
  return createHmac('sha256', secret).update(purpose).digest('base64url');
}
