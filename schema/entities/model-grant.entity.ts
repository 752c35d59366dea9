import { defineEntity, p } from '@mikro-orm/core';
import { ModelRoute } from './model-route.entity.ts';
import { User } from './user.entity.ts';

/** Permission to use a route: for one user, or for everyone when `user` is null. */
export const ModelGrantSchema = defineEntity({
  name: 'ModelGrant',
  tableName: 'model_grants',
  uniques: [
    { properties: ['route', 'user'] },
    // NULLs are distinct in a plain unique constraint: one "everyone" grant per route needs its own.
    {
      name: 'model_grants_route_everyone_unique',
      expression:
        'create unique index "model_grants_route_everyone_unique" on "model_grants" ("route_id") where "user_id" is null',
    },
  ],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    route: () => p.manyToOne(ModelRoute).index().deleteRule('cascade'),
    user: () => p.manyToOne(User).nullable().index().deleteRule('cascade'),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class ModelGrant extends ModelGrantSchema.class {}
ModelGrantSchema.setClass(ModelGrant);
