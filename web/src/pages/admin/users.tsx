import { useEffect, useState } from 'react';
import { useQuery } from 'urql';
import type { SignedIn } from '../../auth/viewer.tsx';
import { Field, Select } from '../../components/field.tsx';
import { Pager, useCursorPages } from '../../components/pager.tsx';
import { Alert, Badge, Card, Empty, Loading, PageTitle } from '../../components/ui.tsx';
import type { UserRole, UserStatus } from '../../gql/graphql.ts';
import { graphql } from '../../gql/index.ts';
import { asError, describeCombined, describeTyped } from '../../lib/errors.ts';
import { formatRelative, titleCase } from '../../lib/format.ts';
import { UserActions } from './user-actions.tsx';

const UsersDoc = graphql(`
  query AdminUsers($first: Int!, $after: String, $search: String, $role: UserRole, $status: UserStatus) {
    users(first: $first, after: $after, search: $search, role: $role, status: $status) {
      ... on QueryUsersSuccess {
        data {
          pageInfo { hasNextPage endCursor }
          edges { node { id username email role status lastLoginAt createdAt mustChangePassword } }
        }
      }
      ... on Error { code message }
    }
  }
`);

const ROLES = [
  ['', 'Any role'],
  ['ADMIN', 'Admin'],
  ['USER', 'User'],
] as const;
const STATUSES = [
  ['', 'Any status'],
  ['ACTIVE', 'Active'],
  ['DISABLED', 'Disabled'],
] as const;
const PAGE = 20;

export function AdminUsers({ viewer }: { viewer: SignedIn }) {
  const [typed, setTyped] = useState('');
  const [search, setSearch] = useState('');
  const [role, setRole] = useState('');
  const [status, setStatus] = useState('');
  const pages = useCursorPages();
  // Searches as you type, once typing pauses.
  useEffect(() => {
    const t = setTimeout(() => setSearch(typed.trim()), 250);
    return () => clearTimeout(t);
  }, [typed]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new filter starts at page 1
  useEffect(() => pages.reset(), [search, role, status]);
  const variables = {
    first: PAGE,
    after: pages.after,
    search: search || null,
    role: (role || null) as UserRole | null,
    status: (status || null) as UserStatus | null,
  };
  const [{ data, error, fetching }, refetch] = useQuery({ query: UsersDoc, variables });
  const result = data?.users;
  const failure = asError(result);
  const conn = result?.__typename === 'QueryUsersSuccess' ? result.data : null;

  return (
    <>
      <PageTitle lead="Everyone with an account. Disabling someone signs them out at once and stops their runtime.">
        Users
      </PageTitle>
      <div className="filters">
        <Field
          label="Search"
          type="search"
          placeholder="Username or email"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
        />
        <Select
          label="Role"
          options={ROLES}
          value={role}
          onChange={(e) => setRole(e.target.value)}
        />
        <Select
          label="Status"
          options={STATUSES}
          value={status}
          onChange={(e) => setStatus(e.target.value)}
        />
      </div>
      <Card>
        {fetching && !data && <Loading />}
        <Alert>{describeCombined(error) ?? (failure && describeTyped(failure))}</Alert>
        {conn && conn.edges.length === 0 && <Empty>No users match.</Empty>}
        {conn && conn.edges.length > 0 && (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Username</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Last sign-in</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {conn.edges.map(({ node: u }) => (
                <tr key={u.id} data-testid={`user-row-${u.username}`}>
                  <td data-label="Username">
                    <strong>{u.username}</strong>
                    {u.id === viewer.id && ' (you)'}
                  </td>
                  <td data-label="Email" className="break">
                    {u.email ?? '—'}
                  </td>
                  <td data-label="Role">{titleCase(u.role)}</td>
                  <td data-label="Status">
                    <Badge tone={u.status === 'ACTIVE' ? 'good' : 'bad'}>
                      {titleCase(u.status)}
                    </Badge>
                    {u.mustChangePassword && <Badge tone="warn">must change password</Badge>}
                  </td>
                  <td data-label="Last sign-in">
                    {u.lastLoginAt ? formatRelative(u.lastLoginAt) : 'Never'}
                  </td>
                  <td data-label="">
                    {u.id !== viewer.id && (
                      <UserActions
                        user={u}
                        onChanged={() => refetch({ requestPolicy: 'network-only' })}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <Pager label="User pages" pages={pages} pageInfo={conn?.pageInfo} />
      </Card>
    </>
  );
}
