import { defineEntity, p } from '@mikro-orm/core';
import type { Condition } from '../domain/conditions.ts';
import { DESIRED_STATES, RETENTION_POLICIES, RUNTIME_PHASES } from '../domain/enums.ts';
import type { RuntimeProfile } from '../domain/profiles.ts';
import { User } from './user.entity.ts';

/**
 * One OpenClaw runtime. Two column groups with one writer each (the Kubernetes spec/status split):
 * - spec (`desiredState` … `stopReason`): written only by the server;
 * - status (`phase` … `statusUpdatedAt`): written only by the orchestrator's status writer;
 * - `lastActivityAt`, the one exception: written only by the server's activity recorder (batched),
 *   read by the idle culler. The orchestrator never touches it.
 */
export const RuntimeSchema = defineEntity({
  name: 'Runtime',
  tableName: 'runtimes',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    owner: () => p.manyToOne(User).index().deleteRule('cascade'),
    createdAt: p.datetime().onCreate(() => new Date()),

    // spec — server only
    desiredState: p.enum(DESIRED_STATES).default('stopped'),
    generation: p.integer().default(1),
    retentionPolicy: p.enum(RETENTION_POLICIES).default('preserve'),
    profile: p.string().length(63).default('default'),
    /** The profile's values as of the last start/restart (schema/domain/profiles.ts); null: built-in. */
    profileSpec: p.json<RuntimeProfile>().nullable(),
    runtimeVersion: p.string().length(128).default(''),
    restartNonce: p.integer().default(0),
    specUpdatedAt: p.datetime().onCreate(() => new Date()),
    /** Reason of the change that set desiredState to stopped (`StopRequested`, `Idle`, …); else null. */
    stopReason: p.string().length(32).nullable(),

    // status — orchestrator only
    phase: p.enum(RUNTIME_PHASES).default('Pending').index(),
    conditions: p.json<Condition[]>().default('[]'),
    observedGeneration: p.integer().default(0),
    lastError: p.text().nullable(),
    endpoint: p.string().length(512).nullable(),
    readyAt: p.datetime().nullable(),
    statusUpdatedAt: p.datetime().nullable(),

    // activity — the server's activity recorder only
    lastActivityAt: p.datetime().nullable(),
  },
});

export class Runtime extends RuntimeSchema.class {}
RuntimeSchema.setClass(Runtime);
