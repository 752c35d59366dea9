import { defineEntity, p } from '@mikro-orm/core';
import { Runtime } from './runtime.entity.ts';

/**
 * The hash of a runtime's credential-proxy key (see domain/model-key.ts). Written only by the
 * orchestrator (before it starts a workload; deleted when the runtime stops or goes); read only by the
 * credential proxy. Valid only while `epoch` equals the runtime's `generation`.
 */
export const RuntimeCredentialSchema = defineEntity({
  name: 'RuntimeCredential',
  tableName: 'runtime_credentials',
  properties: {
    runtime: () => p.oneToOne(Runtime).primary().owner().deleteRule('cascade'),
    epoch: p.integer(),
    keyHash: p.string().length(64).unique(),
    updatedAt: p.datetime().onCreate(() => new Date()),
  },
});

export class RuntimeCredential extends RuntimeCredentialSchema.class {}
RuntimeCredentialSchema.setClass(RuntimeCredential);
