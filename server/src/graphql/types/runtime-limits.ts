import { auditedDenial } from '../../services/audit.ts';
import { limitsOverview, runtimeLimits } from '../../services/runtime-limits.ts';
import { sqlRunner } from '../../services/runtime-spec-change.ts';
import { setUserRuntimeLimit } from '../../services/user-runtime-limit.ts';
import { builder } from '../builder.ts';
import { NotFoundError } from '../errors.ts';
import { COMMON_ERRORS } from './error-types.ts';
import { UserRef } from './user.ts';

interface LimitsView {
  global: number | null;
  perUser: number;
  running: number;
}

const RuntimeLimitsRef = builder.objectRef<LimitsView>('RuntimeLimits').implement({
  description:
    'Limits on runtimes desired running. A start over a limit is refused (`RuntimeLimitExceededError`); concurrent starts are queued by the orchestrator (MAX_CONCURRENT_STARTS) instead.',
  fields: (t) => ({
    maxRunning: t.exposeInt('global', {
      nullable: true,
      description: 'Platform-wide (MAX_RUNNING_RUNTIMES); null: none.',
    }),
    maxRunningPerUser: t.exposeInt('perUser', {
      description: 'For users without their own limit (MAX_RUNNING_RUNTIMES_PER_USER).',
    }),
    running: t.exposeInt('running', { description: 'Runtimes desired running now.' }),
  }),
});

builder.objectField(UserRef, 'maxRunningRuntimes', (t) =>
  t.exposeInt('maxRunningRuntimes', {
    nullable: true,
    description: "The user's own limit on running runtimes; null: the platform's per-user limit.",
  }),
);

builder.queryField('runtimeLimits', (t) =>
  t.field({
    type: RuntimeLimitsRef,
    description: 'Admin only.',
    authScopes: { $all: { admin: true, tokenScope: 'users:read' } },
    errors: { types: COMMON_ERRORS },
    resolve: (_root, _args, ctx) =>
      limitsOverview(sqlRunner(ctx.em), runtimeLimits(ctx.deps.config)),
  }),
);

builder.mutationField('setUserRuntimeLimit', (t) =>
  t.field({
    type: UserRef,
    description:
      "Sets a user's own limit on running runtimes (0: none; null: the platform's per-user limit). Applies from their next start.",
    authScopes: { $all: { admin: true, tokenScope: 'users:write' } },
    unauthorizedResolver: auditedDenial('user.setRuntimeLimit'),
    errors: { types: [...COMMON_ERRORS, NotFoundError], directResult: true },
    args: {
      id: t.arg.globalID({ for: UserRef, required: true }),
      maxRunningRuntimes: t.arg.int({ required: false }),
    },
    resolve: (_root, args, ctx) =>
      setUserRuntimeLimit(ctx, args.id.id, args.maxRunningRuntimes ?? null),
  }),
);
