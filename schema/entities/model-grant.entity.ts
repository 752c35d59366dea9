import { defineEntity, p } from '@mikro-orm/core';
import { ModelRoute } from './model-route.entity.ts';
import { User } from './user.entity.ts';

/** Permission to use a route: for one user, or for everyone when `user` is null. */
export const ModelGrantSchema = defineEntity({
  name: 'ModelGrant',
  tableName: 'model_grants',
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
