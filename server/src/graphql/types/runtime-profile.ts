import { DEFAULT_PROFILE, heapMiB } from '../../../../schema/domain/profiles.ts';
import { RuntimeProfileEntity } from '../../../../schema/entities/runtime-profile.entity.ts';
import { auditedDenial } from '../../services/audit.ts';
import {
  choosableProfiles,
  createProfile,
  deleteProfile,
  type ProfileInput,
  profileUsage,
  updateProfile,
} from '../../services/runtime-profiles.ts';
import { readsAnyUser } from '../../services/users.ts';
import { builder } from '../builder.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { COMMON_ERRORS } from './error-types.ts';
import { UserRef } from './user.ts';

/** An admin-defined runtime profile. Runtimes take its values at each start or restart. */
export const RuntimeProfileRef = builder.objectType(RuntimeProfileEntity, {
  name: 'RuntimeProfile',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name', {
      description: 'Immutable; what `startRuntime(profile:)` and `Runtime.profile` name.',
    }),
    displayName: t.exposeString('displayName'),
    description: t.exposeString('description'),
    cpuRequest: t.exposeString('cpuRequest', { description: 'Kubernetes CPU quantity.' }),
    cpuLimit: t.exposeString('cpuLimit', { description: 'Kubernetes CPU quantity.' }),
    memoryMiB: t.exposeInt('memoryMiB', { description: 'Memory limit (= request).' }),
    heapMiB: t.exposeInt('heapMiB', {
      nullable: true,
      description: 'V8 heap cap as set; null: 75% of memory.',
    }),
    effectiveHeapMiB: t.int({
      description: 'The V8 heap cap the gateway runs with.',
      resolve: (p) => p.heapMiB ?? heapMiB({ ...DEFAULT_PROFILE, memoryMiB: p.memoryMiB }),
    }),
    diskGiB: t.exposeInt('diskGiB', { description: 'Workspace volume size (Kubernetes).' }),
    openclawVersion: t.exposeString('openclawVersion', {
      description: 'Empty: the platform default.',
    }),
    image: t.exposeString('image', {
      description: 'Kubernetes image repository without tag; empty: OPENCLAW_IMAGE.',
    }),
    terminal: t.exposeBoolean('terminal', {
      description: "The Control UI's host terminal (a shell in the runtime).",
    }),
    idleTimeoutMinutes: t.exposeInt('idleTimeoutMinutes', {
      nullable: true,
      description: "Idle-stop override in minutes (0: never); null: the platform's timeout.",
    }),
    isDefault: t.exposeBoolean('isDefault', {
      description: 'Used when a start names no profile.',
    }),
    availableToAll: t.exposeBoolean('availableToAll', {
      description: 'Otherwise only `allowedUsers` (and admins) may choose it.',
    }),
    allowedUsers: t.field({
      type: [UserRef],
      nullable: true,
      description: 'Admins only (null for others).',
      // User records, so the admin's credential must read users (an API token: `users:read`).
      resolve: async (p, _a, ctx) =>
        readsAnyUser(ctx.viewer) ? (await p.allowedUsers.load()).getItems() : null,
    }),
    runtimeCount: t.int({
      description: 'Runtimes (not deleted) started with it; it cannot be deleted while any.',
      resolve: (p, _a, ctx) => profileUsage(ctx.em, p.name),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const profileInput = (creating: boolean) =>
  builder.inputType(creating ? 'CreateRuntimeProfileInput' : 'UpdateRuntimeProfileInput', {
    fields: (t) => ({
      ...(creating ? { name: t.string({ required: true }) } : {}),
      displayName: t.string({ required: creating }),
      description: t.string(),
      cpuRequest: t.string({ required: creating, description: 'e.g. 250m, 0.5, 2' }),
      cpuLimit: t.string({ required: creating }),
      memoryMiB: t.int({ required: creating }),
      heapMiB: t.int({ description: 'null: 75% of memory.' }),
      diskGiB: t.int({ required: creating }),
      openclawVersion: t.string({ description: 'e.g. 2026.9.6; empty: platform default.' }),
      image: t.string(),
      terminal: t.boolean(),
      idleTimeoutMinutes: t.int(),
      isDefault: t.boolean({ description: 'Makes it the default (the previous one stops being).' }),
      availableToAll: t.boolean(),
      allowedUsers: t.globalIDList({
        for: UserRef,
        description: 'Who may choose it when not available to all (replaces the list).',
      }),
    }),
  });
const CreateInput = profileInput(true);
const UpdateInput = profileInput(false);

const ADMIN_WRITE = { $all: { admin: true, tokenScope: 'users:write' } } as const;

function toInput(args: Record<string, unknown>): ProfileInput {
  const { allowedUsers, ...rest } = args as { allowedUsers?: { id: string }[] | null };
  return { ...(rest as ProfileInput), allowedUserIds: allowedUsers?.map((u) => u.id) ?? null };
}

builder.queryField('runtimeProfiles', (t) =>
  t.field({
    type: [RuntimeProfileRef],
    description: 'Profiles you may choose for your runtime (admins: every profile), default first.',
    authScopes: { $all: { member: true, tokenScope: 'runtime:read' } },
    errors: { types: COMMON_ERRORS },
    resolve: (_root, _args, ctx) => choosableProfiles(ctx),
  }),
);

builder.mutationField('createRuntimeProfile', (t) =>
  t.field({
    type: RuntimeProfileRef,
    authScopes: ADMIN_WRITE,
    unauthorizedResolver: auditedDenial('runtime.profile.create'),
    errors: { types: [...COMMON_ERRORS, ConflictError], directResult: true },
    args: { input: t.arg({ type: CreateInput, required: true }) },
    resolve: (_root, args, ctx) => createProfile(ctx, toInput(args.input)),
  }),
);

builder.mutationField('updateRuntimeProfile', (t) =>
  t.field({
    type: RuntimeProfileRef,
    description: 'Changes a profile; runtimes take the new values at their next start or restart.',
    authScopes: ADMIN_WRITE,
    unauthorizedResolver: auditedDenial('runtime.profile.update'),
    errors: { types: [...COMMON_ERRORS, NotFoundError, ConflictError], directResult: true },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateInput, required: true }) },
    resolve: (_root, args, ctx) => updateProfile(ctx, String(args.id), toInput(args.input)),
  }),
);

builder.mutationField('deleteRuntimeProfile', (t) =>
  t.field({
    type: 'ID',
    description:
      'Deletes a profile that is neither the default nor used by a runtime; returns its id.',
    authScopes: ADMIN_WRITE,
    unauthorizedResolver: auditedDenial('runtime.profile.delete'),
    errors: { types: [...COMMON_ERRORS, NotFoundError, ConflictError], directResult: false },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => deleteProfile(ctx, String(args.id)),
  }),
);
