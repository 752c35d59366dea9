import { defineEntity, p } from '@mikro-orm/core';
import { RUNTIME_PHASES } from '../domain/enums.ts';
import { Runtime } from './runtime.entity.ts';

/**
 * Append-only history of a runtime. `id` is the global cursor (subscriptions resume after it);
 * `seq` increases per runtime. Inserts are serialised by an advisory lock (see domain/channels.ts)
 * so that commit order equals id order and a cursor never skips a late commit.
 */
export const RuntimeEventSchema = defineEntity({
  name: 'RuntimeEvent',
  tableName: 'runtime_events',
  uniques: [{ properties: ['runtime', 'seq'] }],
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    runtime: () => p.manyToOne(Runtime).deleteRule('cascade'),
    seq: p.integer(),
    /** e.g. `SpecChanged`, `Progress`, `Ready`, `Failed`, `Stopped`, `Deleted`. */
    type: p.string().length(32),
    phase: p.enum(RUNTIME_PHASES),
    reason: p.string().length(64).default(''),
    message: p.text().default(''),
    /** 0–100 while starting; 100 with a terminal `Ready`/`Failed`. */
    progress: p.integer().nullable(),
    actorId: p.uuid().nullable(),
    at: p.datetime().onCreate(() => new Date()),
  },
});

export class RuntimeEvent extends RuntimeEventSchema.class {}
RuntimeEventSchema.setClass(RuntimeEvent);
