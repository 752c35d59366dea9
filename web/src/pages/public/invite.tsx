import { useQuery } from 'urql';
import { Alert, Loading, PageTitle } from '../../components/ui.tsx';
import type { InvitationState } from '../../gql/graphql.ts';
import { graphql } from '../../gql/index.ts';
import { describeCombined } from '../../lib/errors.ts';
import { formatDateTime, titleCase } from '../../lib/format.ts';
import { Link } from '../../lib/router.tsx';
import { InviteForm } from './invite-form.tsx';

const PreviewDoc = graphql(`
  query InvitationPreview($token: String!) {
    invitationPreview(token: $token) {
      state
      usernameLock
      role
      expiresAt
    }
  }
`);

const DEAD: Record<Exclude<InvitationState, 'VALID'>, [title: string, words: string]> = {
  EXPIRED: ['This invitation has expired', 'Ask the administrator who invited you for a new link.'],
  REVOKED: [
    'This invitation was revoked',
    'An administrator withdrew it. Ask them for a new link if you still need access.',
  ],
  CONSUMED: [
    'This invitation has been used',
    'An account was already created with it. If it was yours, sign in.',
  ],
  NOT_FOUND: [
    'Invitation not found',
    'The link is incomplete or wrong. Copy the whole link from the message you received.',
  ],
};

/** `/invite/<token>`: explains the link (valid, expired, revoked, used, unknown), then creates the account. */
export function Invite({ token }: { token: string }) {
  const [{ data, error, fetching }] = useQuery({ query: PreviewDoc, variables: { token } });
  const preview = data?.invitationPreview;
  if (!preview) {
    if (fetching) return <Loading what="Checking your invitation" />;
    return (
      <>
        <PageTitle>Invitation</PageTitle>
        <Alert>{describeCombined(error) ?? 'The invitation could not be checked.'}</Alert>
      </>
    );
  }
  if (preview.state !== 'VALID') {
    const [title, words] = DEAD[preview.state];
    return (
      <>
        <PageTitle lead={words}>{title}</PageTitle>
        <Link to="/login" className="btn btn-secondary">
          Go to sign in
        </Link>
      </>
    );
  }
  return (
    <>
      <PageTitle lead="You have been invited to ClawLoops. Choose a password to create your account.">
        Accept your invitation
      </PageTitle>
      <dl className="facts">
        {preview.usernameLock && (
          <>
            <dt>Username</dt>
            <dd>
              <strong>{preview.usernameLock}</strong> (set by your administrator)
            </dd>
          </>
        )}
        <dt>Role</dt>
        <dd>{titleCase(preview.role ?? 'USER')}</dd>
        <dt>Link valid until</dt>
        <dd>{formatDateTime(preview.expiresAt)}</dd>
      </dl>
      <InviteForm token={token} usernameLock={preview.usernameLock ?? null} />
    </>
  );
}
