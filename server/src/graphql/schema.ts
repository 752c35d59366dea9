import { builder } from './builder.ts';
import './types/scalars.ts';
import './types/error-types.ts';
import './types/node.ts';

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

/** The executable schema: every type file above registers itself on the builder. */
export const schema = builder.toSchema({ sortSchema: true });
