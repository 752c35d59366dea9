import { Invitation } from '../../../../schema/entities/invitation.entity.ts';
import { auditedDenial } from '../../services/audit.ts';
import {
  type AcceptResult,
  acceptInvitation,
  type CreatedInvitation,
  createInvitation,
  type InvitationPreview,
  listInvitations,
  previewInvitation,
  revokeInvitation,
  stateOf,
} from '../../services/invitations.ts';
import { findVisibleUser } from '../../services/users.ts';
import { builder } from '../builder.ts';
import { ConflictError, NotFoundError, RateLimitedError } from '../errors.ts';
import { COMMON_ERRORS } from './error-types.ts';
import { UserRef, UserRoleEnum } from './user.ts';
import { ViewerRef } from './viewer.ts';

export const InvitationStateEnum = builder.enumType('InvitationState', {
  description: '`EXPIRED` is derived from `expiresAt`; `NOT_FOUND` only appears in previews.',
  values: {
    VALID: { value: 'valid' },
    EXPIRED: { value: 'expired' },
    REVOKED: { value: 'revoked' },
    CONSUMED: { value: 'consumed' },
    NOT_FOUND: { value: 'not_found' },
  } as const,
});

/** An invitation link, as admins see it (the token itself is never stored). */
export const InvitationRef = builder.objectType(Invitation, {
  name: 'Invitation',
  fields: (t) => ({
    id: t.exposeID('id'),
    state: t.field({ type: InvitationStateEnum, resolve: (i) => stateOf(i) }),
    role: t.expose('role', { type: UserRoleEnum }),
    usernameLock: t.exposeString('usernameLock', { nullable: true }),
    email: t.exposeString('email', { nullable: true }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    consumedAt: t.expose('consumedAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    createdBy: t.field({
      type: UserRef,
      nullable: true,
      resolve: (i, _a, ctx) => (i.createdBy ? findVisibleUser(ctx, i.createdBy.id) : null),
    }),
    consumedBy: t.field({
      type: UserRef,
      nullable: true,
      resolve: (i, _a, ctx) => (i.consumedBy ? findVisibleUser(ctx, i.consumedBy.id) : null),
    }),
  }),
});

/** What anyone holding the link may see before accepting. */
const InvitationPreviewRef = builder.objectRef<InvitationPreview>('InvitationPreview').implement({
  fields: (t) => ({
    state: t.field({ type: InvitationStateEnum, resolve: (p) => p.state }),
    usernameLock: t.exposeString('usernameLock', { nullable: true }),
    role: t.field({ type: UserRoleEnum, nullable: true, resolve: (p) => p.role }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
  }),
});

const CreatedInvitationRef = builder
  .objectRef<CreatedInvitation>('CreateInvitationPayload')
  .implement({
    fields: (t) => ({
      invitation: t.field({ type: InvitationRef, resolve: (r) => r.invitation }),
      token: t.exposeString('token', { description: 'Shown this once; only its hash is stored.' }),
      url: t.exposeString('url', {
        description: 'The link to send to the invitee (contains the token).',
      }),
    }),
  });

const AcceptPayloadRef = builder.objectRef<AcceptResult>('AcceptInvitationPayload').implement({
  fields: (t) => ({
    viewer: t.field({ type: ViewerRef, resolve: (r) => r.viewer }),
    redirectTo: t.exposeString('redirectTo'),
    replayed: t.exposeBoolean('replayed', {
      description: 'True when the same person accepted before; this just signed them in again.',
    }),
  }),
});

builder.queryField('invitations', (t) =>
  t.field({
    type: [InvitationRef],
    description: 'Invitations, newest first (at most 500). Admin only.',
    authScopes: { $all: { admin: true, tokenScope: 'users:read' } },
    errors: { types: COMMON_ERRORS },
    resolve: (_root, _args, ctx) => listInvitations(ctx.em),
  }),
);

builder.queryField('invitationPreview', (t) =>
  t.field({
    type: InvitationPreviewRef,
    description: 'Public: what an invitation link leads to, so the page can explain itself.',
    args: { token: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => previewInvitation(ctx, args.token),
  }),
);

builder.mutationField('createInvitation', (t) =>
  t.field({
    type: CreatedInvitationRef,
    description: 'Creates an invitation link. The token is returned only here.',
    authScopes: { $all: { admin: true, tokenScope: 'users:write' } },
    unauthorizedResolver: auditedDenial('invitation.create'),
    errors: { types: [...COMMON_ERRORS, ConflictError], directResult: true },
    args: {
      role: t.arg({ type: UserRoleEnum, required: true }),
      usernameLock: t.arg.string({ description: 'The invitee must pick exactly this username.' }),
      email: t.arg.string(),
      expiresInHours: t.arg.int({ required: true, description: '1–720.' }),
    },
    resolve: (_root, args, ctx) => createInvitation(ctx, args),
  }),
);

builder.mutationField('revokeInvitation', (t) =>
  t.field({
    type: InvitationRef,
    description: 'Revokes an unused invitation (a consumed one cannot be revoked).',
    authScopes: { $all: { admin: true, tokenScope: 'users:write' } },
    unauthorizedResolver: auditedDenial('invitation.revoke'),
    errors: { types: [...COMMON_ERRORS, NotFoundError, ConflictError], directResult: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => revokeInvitation(ctx, String(args.id)),
  }),
);

builder.mutationField('acceptInvitation', (t) =>
  t.field({
    type: AcceptPayloadRef,
    description:
      'Creates your account from an invitation and signs you in. Repeating it with the same username and password signs in again.',
    errors: {
      types: [...COMMON_ERRORS, NotFoundError, ConflictError, RateLimitedError],
      directResult: true,
    },
    args: {
      token: t.arg.string({ required: true }),
      username: t.arg.string({ required: true }),
      password: t.arg.string({ required: true }),
    },
    resolve: (_root, args, ctx) => acceptInvitation(ctx, args),
  }),
);
