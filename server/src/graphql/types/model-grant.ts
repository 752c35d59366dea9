import { ModelGrant } from '../../../../schema/entities/model-grant.entity.ts';
import { auditedDenial } from '../../services/audit.ts';
import { grantRoute, listGrants, revokeGrant } from '../../services/models.ts';
import { findVisibleUser } from '../../services/users.ts';
import { builder } from '../builder.ts';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import { COMMON_ERRORS } from './error-types.ts';
import { ModelRouteRef } from './model-route.ts';
import { UserRef } from './user.ts';

/** Permission for one user, or everyone (`user` null), to use a route. */
export const ModelGrantRef = builder.objectType(ModelGrant, {
  name: 'ModelGrant',
  fields: (t) => ({
    id: t.exposeID('id'),
    everyone: t.boolean({ resolve: (g) => g.user == null }),
    user: t.field({
      type: UserRef,
      nullable: true,
      resolve: (g, _a, ctx) => (g.user ? findVisibleUser(ctx, g.user.id) : null),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.objectField(ModelRouteRef, 'grants', (t) =>
  t.field({ type: [ModelGrantRef], resolve: (r, _a, ctx) => listGrants(ctx.em, r.id) }),
);

const ADMIN_WRITE = { $all: { admin: true, tokenScope: 'users:write' } } as const;

builder.mutationField('grantModelRoute', (t) =>
  t.field({
    type: ModelGrantRef,
    description:
      'Lets one user (or, with `everyone`, every user) use a route. Their running runtimes are re-rendered. Idempotent.',
    authScopes: ADMIN_WRITE,
    unauthorizedResolver: auditedDenial('model.grant'),
    errors: { types: [...COMMON_ERRORS, NotFoundError], directResult: true },
    args: {
      route: t.arg.id({ required: true }),
      user: t.arg.globalID({ for: UserRef }),
      everyone: t.arg.boolean({ defaultValue: false }),
    },
    resolve: (_root, args, ctx) => {
      if (!args.everyone === !args.user) {
        throw new InvalidInputError([
          { path: 'user', message: 'give either `user` or `everyone: true`' },
        ]);
      }
      return grantRoute(ctx, String(args.route), args.user?.id ?? null);
    },
  }),
);

builder.mutationField('revokeModelGrant', (t) =>
  t.field({
    type: 'ID',
    description:
      'Removes a grant; affected runtimes are re-rendered and the proxy refuses at once.',
    authScopes: ADMIN_WRITE,
    unauthorizedResolver: auditedDenial('model.revoke'),
    errors: { types: [...COMMON_ERRORS, NotFoundError], directResult: false },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => revokeGrant(ctx, String(args.id)),
  }),
);
