import { z } from 'zod';
import { DESIRED_STATES, RETENTION_POLICIES } from './enums.ts';

/**
 * Desired state of one runtime, as the server writes it and the orchestrator reads it.
 * `generation` increases on every spec change; the orchestrator echoes it as `observedGeneration`.
 */
export const runtimeSpecSchema = z.object({
  id: z.uuid(),
  ownerId: z.uuid(),
  desiredState: z.enum(DESIRED_STATES),
  generation: z.int().min(1),
  retentionPolicy: z.enum(RETENTION_POLICIES),
  /** Name of a runtime profile (resources, image/version, tool policy). */
  profile: z.string().min(1).max(63),
  /** OpenClaw version (npm) or image tag; empty means the platform default. */
  runtimeVersion: z.string().max(128),
  /** Bumped by `restartRuntime`: a change forces the workload to be recreated. */
  restartNonce: z.int().min(0),
});
export type RuntimeSpec = z.infer<typeof runtimeSpecSchema>;

/** Profile names are DNS-label-like so they can appear in object names and labels. */
export const profileNameSchema = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'lowercase letters, digits and dashes');
