import { randomBytes } from 'node:crypto';
import type { ApiTokenScope, UserRole, UserStatus } from '../../schema/domain/enums.ts';
import { ApiToken } from '../../schema/entities/api-token.entity.ts';
import { Invitation } from '../../schema/entities/invitation.entity.ts';
import { Session } from '../../schema/entities/session.entity.ts';
import { User } from '../../schema/entities/user.entity.ts';
import { API_TOKEN_PREFIX } from '../../server/src/auth/authenticator.ts';
import { SESSION_COOKIE } from '../../server/src/auth/cookies.ts';
import { hashPassword } from '../../server/src/auth/credentials.ts';
import { randomSecret, sha256Hex } from '../../server/src/auth/crypto.ts';
import { signSessionProof } from '../../server/src/auth/session-proof.ts';
import type { TestServer } from './server.ts';

export interface SeedUserInput {
  /** @default a unique `user-<hex>` */
  username?: string;
  /** @default 'Passw0rd-<hex>' (satisfies the policy) */
  password?: string;
  role?: UserRole;
  status?: UserStatus;
  mustChangePassword?: boolean;
  email?: string | null;
}

/** A seeded user, with the plain password and its Relay global id. */
export interface SeededUser {
  id: string;
  /** `node(id)` / `user(id)` id. */
  globalId: string;
  username: string;
  password: string;
  role: UserRole;
}

export interface SeedInvitationInput {
  role?: UserRole;
  usernameLock?: string | null;
  /** @default one day from now */
  expiresAt?: Date;
  status?: 'pending' | 'revoked';
}

const unique = () => randomBytes(4).toString('hex');
export const globalUserId = (id: string) => Buffer.from(`User:${id}`).toString('base64');

/**
 * Scenario builders writing straight to the server's database (fast, and able to build states the
 * API refuses to, like a session for an already-disabled user). Hive-style:
 * `const { createUser, loginAs } = seed(server)`.
 */
export function seed(server: TestServer) {
  const fork = () => server.deps.orm.em.fork();

  async function createUser(input: SeedUserInput = {}): Promise<SeededUser> {
    const username = input.username ?? `user-${unique()}`;
    const password = input.password ?? `Passw0rd-${unique()}`;
    const em = fork();
    const user = em.create(User, {
      id: crypto.randomUUID(),
      username,
      usernameKey: username.toLowerCase(),
      email: input.email ?? null,
      role: input.role ?? 'user',
      status: input.status ?? 'active',
      mustChangePassword: input.mustChangePassword ?? false,
      passwordHash: await hashPassword(password),
    });
    await em.flush();
    return { id: user.id, globalId: globalUserId(user.id), username, password, role: user.role };
  }

  /** A valid session for `user` (whatever its status); returns the `Cookie` header value. */
  async function loginAs(
    user: Pick<SeededUser, 'id'>,
    opts: { expiresAt?: Date } = {},
  ): Promise<string> {
    const secret = randomSecret();
    const expiresAt = opts.expiresAt ?? new Date(Date.now() + 3_600_000);
    const em = fork();
    const session = em.create(Session, {
      id: crypto.randomUUID(),
      secretHash: sha256Hex(secret),
      user: em.getReference(User, user.id),
      expiresAt,
    });
    await em.flush();
    const proof = await signSessionProof(
      server.deps.secret,
      { sessionId: session.id, secret },
      expiresAt,
    );
    return `${SESSION_COOKIE}=${proof}`;
  }

  /** An API token for `user`; returns the bearer secret. */
  async function createApiToken(
    user: Pick<SeededUser, 'id'>,
    scopes: ApiTokenScope[],
    opts: { expiresAt?: Date | null } = {},
  ): Promise<string> {
    const token = `${API_TOKEN_PREFIX}${randomSecret()}`;
    const em = fork();
    em.create(ApiToken, {
      id: crypto.randomUUID(),
      name: `test-${unique()}`,
      secretHash: sha256Hex(token),
      owner: em.getReference(User, user.id),
      scopes,
      expiresAt: opts.expiresAt ?? null,
    });
    await em.flush();
    return token;
  }

  /** An invitation; returns its id and token. */
  async function createInvitation(
    input: SeedInvitationInput = {},
  ): Promise<{ id: string; token: string }> {
    const token = randomSecret();
    const em = fork();
    const inv = em.create(Invitation, {
      id: crypto.randomUUID(),
      tokenHash: sha256Hex(token),
      role: input.role ?? 'user',
      usernameLock: input.usernameLock ?? null,
      expiresAt: input.expiresAt ?? new Date(Date.now() + 86_400_000),
      status: input.status ?? 'pending',
      revokedAt: input.status === 'revoked' ? new Date() : null,
    });
    await em.flush();
    return { id: inv.id, token };
  }

  return { createUser, loginAs, createApiToken, createInvitation };
}

export type Seeder = ReturnType<typeof seed>;
