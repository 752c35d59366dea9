import { builder } from './builder.ts';
import './types/scalars.ts';
import './types/error-types.ts';
import './types/node.ts';
import './types/runtime-condition.ts';
import './types/runtime.ts';
import './types/runtime-event.ts';
import './types/runtime-log.ts';
import './types/user.ts';
import './types/viewer.ts';
import './types/auth.ts';
import './types/invitation.ts';
import './types/api-token.ts';
import './types/audit-event.ts';
import './types/model-route.ts';
import './types/model-grant.ts';
import './types/budget.ts';
import './types/usage.ts';
import './types/runtime-profile.ts';
import './types/runtime-limits.ts';

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

/** The executable schema: every type file above registers itself on the builder. */
export const schema = builder.toSchema({ sortSchema: true });
