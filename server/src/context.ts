import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Authenticator, Viewer } from './auth/viewer.ts';
import type { Config } from './config.ts';
import type { RuntimeEventHub } from './events/runtime-event-hub.ts';
import type { Logger } from './logger.ts';

/** Process-wide dependencies, built once in main.ts (or by a test) and handed to buildApp. */
export interface AppDeps {
  orm: MikroORM;
  config: Config;
  logger: Logger;
  /** ≥32-char secret: signs sessions, derives per-runtime credentials. */
  secret: string;
  authenticator: Authenticator;
  hub: RuntimeEventHub;
}

/** Per-operation context (style rule 13): a fresh EntityManager fork, the viewer, the request facts. */
export interface Context {
  deps: AppDeps;
  em: EntityManager;
  viewer: Viewer | null;
  ip: string | null;
  userAgent: string | null;
  /** `Set-Cookie` values for the HTTP response (login/logout); ignored over WebSocket. */
  responseCookies: string[];
  /**
   * Authenticates this request's credential again, as it stands now (a subscription asks when its
   * credential may have been revoked; see graphql/live-authorization.ts).
   */
  reauthenticate(): Promise<Viewer | null>;
}

export interface RequestFacts {
  headers: Headers;
  ip: string | null;
  /** graphql-ws `connectionParams.authorization`, when the client authenticates that way. */
  bearer?: string | null;
}

export async function createContext(deps: AppDeps, facts: RequestFacts): Promise<Context> {
  const authenticate = () => deps.authenticator.authenticate(facts.headers, facts.bearer);
  return {
    deps,
    em: deps.orm.em.fork() as EntityManager,
    // Throws AuthUnavailableError while the database is unreachable: masking answers 503 for it.
    viewer: await authenticate(),
    ip: facts.ip,
    userAgent: facts.headers.get('user-agent'),
    responseCookies: [],
    reauthenticate: authenticate,
  };
}
