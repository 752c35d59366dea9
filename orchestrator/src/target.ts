import { createHash, createHmac } from 'node:crypto';
import {
  DEFAULT_OPENCLAW_VERSION,
  DEFAULT_PROFILE,
  type RuntimeProfile,
} from '../../schema/domain/profiles.ts';
import { userHostLabel } from '../../schema/domain/slugs.ts';
import type { ModelAccess, RuntimeTarget } from './drivers/driver.ts';
import type { RuntimeRow } from './status/runtime-row.ts';

export interface TargetSettings {
  /** Shared platform secret: per-runtime credentials are derived from it, never stored. */
  secret: string;
  /** Scheme (and port) of runtime hosts, e.g. `http://localhost:8080`. */
  publicUrl: string;
  /** Runtime hosts are `<label>.<baseDomain>`. @default the host of publicUrl */
  baseDomain?: string;
  profiles?: Record<string, RuntimeProfile>;
  model?: Omit<ModelAccess, 'apiKey'>;
}

/** Unknown profile names are a user-visible failure, not a crash (see controller). */
export class UnknownProfileError extends Error {}

/** Pure: the driver's target for a runtime row. */
export function buildTarget(row: RuntimeRow, s: TargetSettings): RuntimeTarget {
  const profile = (s.profiles ?? { default: DEFAULT_PROFILE })[row.profile];
  if (!profile) throw new UnknownProfileError(`Unknown runtime profile "${row.profile}".`);
  const openclawVersion = row.runtimeVersion || profile.openclawVersion || DEFAULT_OPENCLAW_VERSION;
  const hostLabel = userHostLabel(row.ownerUsername);
  const url = new URL(s.publicUrl);
  const publicOrigin = `${url.protocol}//${hostLabel}.${s.baseDomain ?? url.hostname}${url.port ? `:${url.port}` : ''}`;
  const model = s.model
    ? { ...s.model, apiKey: derive(s.secret, `model-key:${row.id}`) }
    : undefined;
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

/** Per-runtime credentials derived from the platform secret: deterministic, so applying is idempotent. */
function derive(secret: string, purpose: string): string {
  return createHmac('sha256', secret).update(purpose).digest('base64url');
}
