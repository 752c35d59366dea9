import { defineEntity, p } from '@mikro-orm/core';
import { User } from './user.entity.ts';

/**
 * An admin-defined runtime profile (sizes, OpenClaw version/image, tool policy). Runtimes refer to it
 * by `name`, which therefore never changes; the server copies the values into each runtime's spec at
 * start (see schema/domain/profiles.ts), so editing a profile reaches a runtime at its next start or
 * restart, never behind its back.
 */
export const RuntimeProfileSchema = defineEntity({
  name: 'RuntimeProfile',
  tableName: 'runtime_profiles',
  uniques: [
    // Exactly one default is enforced by the service; at most one by the database.
    {
      name: 'runtime_profiles_default_unique',
      expression:
        'create unique index "runtime_profiles_default_unique" on "runtime_profiles" ((1)) where "is_default"',
    },
  ],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    /** DNS-label-like, immutable: `runtimes.profile` holds it. */
    name: p.string().length(63).unique(),
    displayName: p.string().length(128),
    description: p.text().default(''),
    /** Kubernetes CPU quantities, e.g. `250m`, `2`. */
    cpuRequest: p.string().length(32),
    cpuLimit: p.string().length(32),
    memoryMiB: p.integer().fieldName('memory_mib'),
    /** V8 heap cap; null: 75% of memoryMiB. */
    heapMiB: p.integer().nullable().fieldName('heap_mib'),
    diskGiB: p.integer().fieldName('disk_gib'),
    /** Empty: the platform default version. */
    openclawVersion: p.string().length(128).default(''),
    /** Kubernetes image repository without tag; empty: OPENCLAW_IMAGE. */
    image: p.string().length(255).default(''),
    terminal: p.boolean().default(false),
    /** Idle-stop override in minutes (0: never); null: the platform's idle timeout. */
    idleTimeoutMinutes: p.integer().nullable(),
    isDefault: p.boolean().default(false),
    /** Everyone may choose it; otherwise only `allowedUsers` (admins may always). */
    availableToAll: p.boolean().default(true),
    allowedUsers: () =>
      p
        .manyToMany(User)
        .pivotTable('runtime_profile_users')
        .joinColumn('profile_id')
        .inverseJoinColumn('user_id'),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});

export class RuntimeProfileEntity extends RuntimeProfileSchema.class {}
RuntimeProfileSchema.setClass(RuntimeProfileEntity);
