import { defineEntity, p } from '@mikro-orm/core';

/**
 * A redeemed runtime login hand-off token (server/src/auth/runtime-handoff-token.ts): its id, so any
 * server process refuses a replay. Rows are useless once the token has expired and are pruned then.
 */
export const RuntimeHandoffSchema = defineEntity({
  name: 'RuntimeHandoff',
  tableName: 'runtime_handoffs',
  properties: {
    jti: p.string().length(64).primary(),
    expiresAt: p.datetime().index(),
  },
});

export class RuntimeHandoff extends RuntimeHandoffSchema.class {}
RuntimeHandoffSchema.setClass(RuntimeHandoff);
