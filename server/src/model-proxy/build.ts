import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config.ts';
import type { PgListener } from '../db/pg-listener.ts';
import type { Logger } from '../logger.ts';
import { CredentialCipher } from './credential-cipher.ts';
import type { Sql } from './ledger.ts';
import { createModelProxy, type ModelProxyOptions } from './proxy.ts';

/** A Sql runner on the ORM's pool (autocommit; the proxy never needs a transaction). */
export function ormSql(orm: MikroORM): Sql {
  return (sql, params) => orm.em.getConnection().execute(sql, params);
}

/** The proxy with its process-wide dependencies, as both entry points (server, stand-alone) build it. */
export function buildModelProxy(
  deps: { orm: MikroORM; listener: PgListener; logger: Logger; secret: string; config: Config },
  options: ModelProxyOptions = {},
) {
  return createModelProxy(
    {
      sql: ormSql(deps.orm),
      listener: deps.listener,
      cipher: CredentialCipher.fromSecrets(deps.secret, deps.config.MODEL_CREDENTIAL_KEY),
      logger: deps.logger,
    },
    {
      headersTimeoutMs: deps.config.MODEL_UPSTREAM_TIMEOUT_MS,
      idleTimeoutMs: deps.config.MODEL_UPSTREAM_TIMEOUT_MS,
      ...options,
    },
  );
}
